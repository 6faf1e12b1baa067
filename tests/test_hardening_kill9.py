"""kill -9 at any moment (issue 5): ``ssogen sync --inventory`` on a large config, SIGKILLed at
a random point of its run, again and again. After every kill the config is byte-identical to
the old or the new file (both of which botocore parses), the backup is absent or the old file,
the lock is free, and the only files besides config/backup/lock are temp files of the killed
run, which the next write removes. The token cache the same under ``ssogen login``.

``benchmarks/kill9.py`` runs the same loop longer and on a bigger file, and prints the figures.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import random
import signal
import stat
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import botocore.configloader

from conftest import Sandbox

BACKUP = "config.ssogen.bak"
LOCK = "config.ssogen.lock"


# -- the workload ----------------------------------------------------------------------------
def foreign_sections(n: int) -> str:
    """Hand-written sections ssogen must never touch: comments, odd spacing, nested s3."""
    out = ["# my hand-written profiles\n[default]\nregion = us-east-1\n"]
    for i in range(n):
        if i % 10 == 0:
            out.append(f"\n; --- team {i // 10} ---\n")
        out.append(f"\n[profile hand-{i}]\nregion=eu-west-{1 + i % 3}\n"
                   f"role_arn = arn:aws:iam::{i:012d}:role/Admin\nsource_profile = default\n")
        if i % 7 == 0:
            out.append("s3 =\n    max_concurrent_requests = 20\n")
    return "".join(out)


def inventory(accounts: int, variant: int) -> dict:
    """``accounts`` accounts with 3 roles each; variant 1 swaps one role in every second account
    (removals + creations with --prune) and renames nothing else."""
    roles_a = ["AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess"]
    roles_b = ["AdministratorAccess", "ReadOnlyAccess", "BillingViewer"]
    return {
        "session": "acme", "start_url": "https://acme.awsapps.com/start",
        "sso_region": "eu-west-1", "generated_at": "2026-11-26T14:00:00Z",
        "accounts": [{"id": f"{500000000000 + i:012d}", "name": f"team-{i}",
                      "email": f"t{i}@acme.example",
                      "roles": roles_b if variant and i % 2 else roles_a}
                     for i in range(accounts)],
    }


@dataclass
class Workload:
    old: bytes
    new: bytes
    inventory: Path
    args: list[str]
    seconds: float  # measured wall time of one unkilled run


def make_workload(sandbox: Sandbox, root: Path, *, accounts: int, foreign: int) -> Workload:
    """Old file = foreign sections + setup for inventory A; new = sync --prune for inventory B."""
    sandbox.aws.mkdir(exist_ok=True)
    sandbox.config.write_text(foreign_sections(foreign))
    inv_a = root / "a.json"
    inv_b = root / "b.json"
    inv_a.write_text(json.dumps(inventory(accounts, 0)))
    inv_b.write_text(json.dumps(inventory(accounts, 1)))
    sandbox.run("setup", "--yes", "--inventory", str(inv_a), "--region", "eu-west-1",
                check=True, timeout=300)
    old = sandbox.config.read_bytes()
    args = ["sync", "--inventory", str(inv_b), "--prune"]
    times = []
    new = b""
    for _ in range(2):
        write_config(sandbox, old)
        start = time.monotonic()
        sandbox.run(*args, check=True, timeout=300)
        times.append(time.monotonic() - start)
        new = sandbox.config.read_bytes()
    assert new != old
    for data in (old, new):  # both ends parse with botocore
        probe = root / "probe"
        probe.write_bytes(data)
        assert len(botocore.configloader.raw_config_parse(str(probe))) > accounts
    write_config(sandbox, old)
    return Workload(old, new, inv_b, args, min(times))


def write_config(sandbox: Sandbox, data: bytes) -> None:
    tmp = sandbox.aws / "reset.tmp-by-test"
    tmp.write_bytes(data)
    os.replace(tmp, sandbox.config)


# -- the loop --------------------------------------------------------------------------------
@dataclass
class Figures:
    runs: int = 0
    outcomes: Counter = field(default_factory=Counter)  # old / new
    strays_seen: int = 0  # temp files found right after a kill
    runs_with_strays: int = 0
    strays_removed_by_next_run: int = 0
    completed_before_kill: int = 0
    ways: Counter = field(default_factory=Counter)
    by_way: Counter = field(default_factory=Counter)
    marks: dict[str, float] = field(default_factory=dict)

    def line(self) -> str:
        phases = ", ".join(f"{k} {v:.3f}s" for k, v in self.marks.items())
        return (f"{self.runs} runs: {self.outcomes['old']} old, {self.outcomes['new']} new "
                f"({self.completed_before_kill} finished before the kill); "
                f"by moment {dict(sorted(self.by_way.items()))}; phases of a run: {phases}; "
                f"{self.runs_with_strays} runs left {self.strays_seen} temp file(s), all removed "
                f"by the next write; 0 corrupt, 0 stuck locks")


def lock_is_free(lock: Path) -> bool:
    if not lock.exists():
        return True
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def _lock_pid(lock: Path) -> bytes:
    """The pid in the lock file (the lock file exists only while a run holds the lock)."""
    try:
        return lock.read_bytes().strip()
    except FileNotFoundError:
        return b""


def other_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name not in ("config", BACKUP, LOCK))


def _watch(proc: subprocess.Popen, sandbox: Sandbox, event: str, timeout: float) -> bool:
    """Busy-wait until ``event`` happens in the sandbox (``lock``: the run holds the lock and
    wrote its pid; ``tmp``: a temp file of the backup or the config exists) or the run ends."""
    lock = sandbox.aws / LOCK
    mine = f"ssogen-{proc.pid}-"  # its own temp files, not strays of an earlier kill
    end = time.monotonic() + timeout
    while time.monotonic() < end and proc.poll() is None:
        if event == "lock":
            try:  # its own pid: a killed holder's pid may still be in the file
                if lock.read_bytes().strip() == str(proc.pid).encode():
                    return True
            except FileNotFoundError:
                pass
        else:
            with os.scandir(sandbox.aws) as it:
                if any(mine in e.name and e.name.endswith(".tmp") for e in it):
                    return True
        time.sleep(0.0002)
    return False


def calibrate(sandbox: Sandbox, work: Workload) -> dict[str, float]:
    """Phase times of one unkilled run: lock taken, first temp file, config replaced, exit."""
    write_config(sandbox, work.old)
    ino = sandbox.config.stat().st_ino
    marks: dict[str, float] = {}
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "ssogen", *work.args], env=sandbox.env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pid = str(proc.pid).encode()
    while proc.poll() is None:
        now = time.monotonic() - start
        if "lock" not in marks and _lock_pid(sandbox.aws / LOCK) == pid:
            marks["lock"] = now
        if "tmp" not in marks:
            with os.scandir(sandbox.aws) as it:
                if any(f"ssogen-{proc.pid}-" in e.name for e in it):
                    marks["tmp"] = now
        if "renamed" not in marks and sandbox.config.stat().st_ino != ino:
            marks["renamed"] = now
        time.sleep(0.0002)
    marks["exit"] = time.monotonic() - start
    assert proc.returncode == 0
    write_config(sandbox, work.old)
    return marks


def kill_loop(sandbox: Sandbox, work: Workload, runs: int, seed: int) -> Figures:
    """``runs`` SIGKILLed runs, three ways of choosing the moment in turn: a delay uniform over
    the whole measured run (start-up, parse, plan...); a delay after the run took the lock
    (parse, plan, render under the lock); a delay after its first temp file appeared (backup
    and config temp writes, fsync, rename, directory fsync, clean-up)."""
    rng = random.Random(seed)
    figures = Figures()
    marks = calibrate(sandbox, work)
    figures.marks = marks
    locked_span = max(marks.get("tmp", marks["exit"]) - marks.get("lock", 0.0), 0.01)
    # from the first temp file to the rename, doubled: half the kills land before the rename
    write_span = 2 * max(marks.get("renamed", marks["exit"]) - marks.get("tmp", 0.0), 0.002)
    pending_strays: list[str] = []
    for i in range(runs):
        write_config(sandbox, work.old)
        way = ("anytime", "locked", "writing")[i % 3]
        proc = subprocess.Popen([sys.executable, "-m", "ssogen", *work.args], env=sandbox.env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                cwd=str(sandbox.home))
        if way == "anytime":
            time.sleep(rng.uniform(0.0, marks["exit"] * 1.3))
        elif way == "locked":
            _watch(proc, sandbox, "lock", 120)
            time.sleep(rng.uniform(0.0, locked_span))
        else:
            _watch(proc, sandbox, "tmp", 120)
            time.sleep(rng.uniform(0.0, write_span))
        finished = proc.poll() is not None
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        assert proc.stderr is not None
        err = proc.stderr.read().decode(errors="replace")
        proc.stderr.close()
        assert "Traceback" not in err and "waiting" not in err, err
        if finished:
            assert proc.returncode == 0, err
            figures.completed_before_kill += 1
        figures.runs += 1
        figures.ways[way] += 1

        data = sandbox.config.read_bytes()
        assert data in (work.old, work.new), f"run {i}: config is neither old nor new"
        outcome = "old" if data == work.old else "new"
        figures.outcomes[outcome] += 1
        figures.by_way[f"{way}:{outcome}"] += 1
        backup = sandbox.aws / BACKUP
        assert not backup.exists() or backup.read_bytes() == work.old, f"run {i}: bad backup"
        assert lock_is_free(sandbox.aws / LOCK), f"run {i}: lock still held"
        leftovers = other_files(sandbox.aws)
        for name in leftovers:
            assert name.startswith((".config.ssogen-", ".config.ssogen.bak.ssogen-")) \
                and name.endswith(".tmp"), f"run {i}: unexpected file {name}"
        # a run killed after its rename may not have cleaned up yet; a finished one has
        new_strays = [n for n in leftovers if n not in pending_strays]
        if data == work.new and finished:
            assert leftovers == [], f"run {i}: a completed run left {leftovers}"
        figures.strays_seen += len(new_strays)
        figures.runs_with_strays += bool(new_strays)
        pending_strays = leftovers
    # one last, unkilled run: new content, every stray removed, lock free, --check in sync
    write_config(sandbox, work.old)
    proc = sandbox.run(*work.args, timeout=300)
    assert proc.returncode == 0 and "waiting" not in proc.stderr, proc.stderr
    assert sandbox.config.read_bytes() == work.new
    assert other_files(sandbox.aws) == []
    figures.strays_removed_by_next_run = len(pending_strays)
    check = sandbox.run("sync", "--check", "--inventory", str(work.inventory), "--prune")
    assert check.returncode == 0, check.stderr
    return figures


def test_sync_killed_at_random_points_never_corrupts(sandbox: Sandbox, tmp_path: Path) -> None:
    # 1,000 accounts x 3 roles + 1,000 hand-written sections: ~4,000 sections, ~330 KB; the
    # sync removes 500 profiles and creates 500
    work = make_workload(sandbox, tmp_path, accounts=1000, foreign=1000)
    assert work.old.count(b"\n[") > 4000
    figures = kill_loop(sandbox, work, runs=60, seed=5)
    print(figures.line())
    assert figures.runs == 60
    # the kills reached both sides of the rename, and some landed while writing
    assert figures.outcomes["old"] >= 5 and figures.outcomes["new"] >= 3, figures.line()
    assert figures.by_way["writing:old"] + figures.by_way["writing:new"] == 20


# -- the token cache -------------------------------------------------------------------------
START_URL = "https://acme.awsapps.com/start"
TOKEN_FILE = hashlib.sha1(b"acme").hexdigest() + ".json"
TOKEN_KEYS = {"startUrl", "region", "accessToken", "expiresAt", "clientId", "clientSecret",
              "registrationExpiresAt"}


def cache_entries(cache: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in cache.iterdir()} if cache.exists() else {}


def test_login_killed_at_random_points_leaves_cache_absent_or_complete(
        sandbox: Sandbox, make_emulator) -> None:  # type: ignore[no-untyped-def]
    emu = make_emulator(auto_approve_after=0, interval=0)
    sandbox.env.update(emu.endpoint_env())
    sandbox.aws.mkdir()
    sandbox.config.write_text(f"[sso-session acme]\nsso_start_url = {START_URL}\n"
                              "sso_region = eu-west-1\n"
                              "sso_registration_scopes = sso:account:access\n")
    args = [sys.executable, "-m", "ssogen", "login", "--session", "acme", "--no-browser",
            "--force"]
    sandbox.run(*args[3:], check=True)  # registers the client
    start = time.monotonic()
    sandbox.run(*args[3:], check=True)
    seconds = time.monotonic() - start  # a login with the registration cached
    rng = random.Random(9)
    outcomes: Counter = Counter()
    strays = 0
    for i in range(30):
        if i % 5 == 0:  # sometimes start from nothing: registration and token both written
            for f in sandbox.cache.iterdir():
                f.unlink()
        before = cache_entries(sandbox.cache)
        proc = subprocess.Popen(args, env=sandbox.env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, cwd=str(sandbox.home))
        if i % 2:
            time.sleep(rng.uniform(seconds * 0.3, seconds * 1.3))
        else:  # the moment the token's temp file appears, plus up to 3 ms
            end = time.monotonic() + 60
            while proc.poll() is None and time.monotonic() < end:
                if sandbox.cache.exists() and any(
                        n.startswith(f".{TOKEN_FILE}.ssogen-{proc.pid}-")
                        for n in os.listdir(sandbox.cache)):
                    break
                time.sleep(0.0002)
            time.sleep(rng.uniform(0.0, 0.003))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        after = cache_entries(sandbox.cache)
        for name, data in after.items():
            if name.endswith(".tmp"):
                assert name.startswith(".") and ".json.ssogen-" in name, name
                strays += name not in before
                continue
            entry = json.loads(data)  # never half-written
            if name == TOKEN_FILE:
                assert set(entry) >= TOKEN_KEYS, entry.keys()
            else:  # the client registration
                assert {"clientId", "clientSecret", "expiresAt"} <= set(entry), entry.keys()
            assert stat.S_IMODE(os.stat(sandbox.cache / name).st_mode) == 0o600
        token = after.get(TOKEN_FILE)
        outcomes["token replaced" if token and token != before.get(TOKEN_FILE)
                 else "token unchanged" if token else "no token"] += 1
    # the next complete login removes the temp files of killed ones
    sandbox.run(*args[3:], check=True)
    left = sorted(cache_entries(sandbox.cache))
    assert not [n for n in left if n.endswith(".tmp")], left
    assert len(left) == 2
    assert stat.S_IMODE(sandbox.cache.stat().st_mode) == 0o700
    print(f"login: 30 kills: {dict(outcomes)}; {strays} temp file(s) left, all removed")
    assert outcomes["token replaced"] >= 3 and outcomes["no token"] + outcomes[
        "token unchanged"] >= 3, outcomes


def test_stale_temp_files_of_dead_writers_are_removed_by_the_next_write(tmp_path: Path) -> None:
    """Deterministic companion of the loops above: what a SIGKILLed writer leaves behind (a
    temp file named with its pid) goes at the next write of the same file; a live writer's
    temp file and other files stay."""
    from ssogen.store.fileio import atomic_write_bytes

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    target = tmp_path / "config"
    target.write_bytes(b"old")
    stale = tmp_path / f".config.ssogen-{dead.pid}-abc123.tmp"
    live = tmp_path / f".config.ssogen-{os.getpid()}-def456.tmp"
    ancient = tmp_path / f".config.ssogen-{os.getpid()}-old789.tmp"
    other = tmp_path / ".other.ssogen-1-x.tmp"
    for p in (stale, live, ancient, other):
        p.write_bytes(b"partial")
    os.utime(ancient, (time.time() - 7200, time.time() - 7200))
    atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["config", live.name, other.name])
