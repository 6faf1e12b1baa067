"""Concurrent runs (issue 5): two or more ``sync``/``setup --yes`` runs on one file are
serialised by the fcntl lock (``<config>.ssogen.lock``): the second says on stderr that it waits
(and for which pid), nobody's update is lost, the result is valid and ``--check`` then exits 0.
A lock whose holder was killed never blocks: the kernel drops it with the process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import botocore.configloader

from conftest import Sandbox

BIG_ACCOUNTS = 700  # ~2,100 profiles: a run holds the lock for a noticeable time


def inv(path: Path, session: str, accounts: int, roles: list[str], first: int = 0) -> Path:
    path.write_text(json.dumps({
        "session": session, "start_url": f"https://{session}.awsapps.com/start",
        "sso_region": "eu-west-1", "generated_at": "2026-11-26T14:00:00Z",
        "accounts": [{"id": f"{first + i:012d}", "name": f"{session}-{i}", "roles": roles}
                     for i in range(accounts)]}))
    return path


def popen(sandbox: Sandbox, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "ssogen", *args], env=sandbox.env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=str(sandbox.home))


def managed(sandbox: Sandbox) -> dict[str, set[tuple[str, str]]]:
    """session -> (account, role) of its managed profiles, as botocore reads the file."""
    parsed = botocore.configloader.raw_config_parse(str(sandbox.config))
    out: dict[str, set[tuple[str, str]]] = {}
    for name, values in parsed.items():
        if name.startswith("profile ") and values.get("ssogen_managed") == "true":
            out.setdefault(values["sso_session"], set()).add(
                (values["sso_account_id"], values["sso_role_name"]))
    return out


def wait_for_lock_holder(sandbox: Sandbox, proc: subprocess.Popen[str]) -> None:
    lock = sandbox.aws / "config.ssogen.lock"
    end = time.monotonic() + 60
    while time.monotonic() < end:
        assert proc.poll() is None, "the first run finished before it was seen holding the lock"
        try:
            if lock.read_text().strip() == str(proc.pid):
                return
        except FileNotFoundError:
            pass
        time.sleep(0.001)
    raise AssertionError("the first run never took the lock")


def test_second_run_waits_for_a_paused_holder_and_loses_nothing(sandbox: Sandbox,
                                                               tmp_path: Path) -> None:
    """A real ssogen run is frozen (SIGSTOP) while it holds the lock; a second run on the
    same file says it waits for that pid and does nothing until the first one has written."""
    acme1 = inv(tmp_path / "acme1.json", "acme", BIG_ACCOUNTS, ["Admin", "ReadOnly"])
    acme2 = inv(tmp_path / "acme2.json", "acme", BIG_ACCOUNTS, ["Admin", "ReadOnly", "Billing"])
    beta = inv(tmp_path / "beta.json", "beta", 5, ["Admin"], first=900000000000)
    sandbox.run("setup", "--yes", "--inventory", str(acme1), check=True)
    first = popen(sandbox, "sync", "--inventory", str(acme2))
    second = None
    try:
        wait_for_lock_holder(sandbox, first)
        first.send_signal(signal.SIGSTOP)
        before = sandbox.config.read_bytes()
        second = popen(sandbox, "setup", "--yes", "--inventory", str(beta))
        assert second.stderr is not None
        line = second.stderr.readline()
        assert line.startswith(f"ssogen: waiting for another ssogen run (pid {first.pid}) to "
                               "finish (lock: "), line
        time.sleep(1.0)
        assert second.poll() is None  # still waiting
        assert sandbox.config.read_bytes() == before
    finally:
        first.send_signal(signal.SIGCONT)
    _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    _, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    got = managed(sandbox)
    assert len(got["acme"]) == 3 * BIG_ACCOUNTS  # the first run's update survived
    assert len(got["beta"]) == 5  # and the second's
    for path in (acme2, beta):
        check = sandbox.run("sync", "--check", "--inventory", str(path))
        assert check.returncode == 0, check.stderr


def test_simultaneous_runs_are_serialised(sandbox: Sandbox, tmp_path: Path) -> None:
    """Four setups of four sessions and two syncs started at the same instant: every update
    lands (a lost read-modify-write would drop a session), the file is valid, --check is 0."""
    base = inv(tmp_path / "base.json", "base", BIG_ACCOUNTS, ["Admin", "ReadOnly"])
    base2 = inv(tmp_path / "base2.json", "base", BIG_ACCOUNTS, ["Admin", "ReadOnly", "Dev"])
    sandbox.run("setup", "--yes", "--inventory", str(base), check=True)
    sessions = [inv(tmp_path / f"s{i}.json", f"s{i}", 20, ["Admin", "ReadOnly"],
                    first=(i + 1) * 100000000000) for i in range(4)]
    procs = [popen(sandbox, "setup", "--yes", "--inventory", str(p)) for p in sessions]
    procs += [popen(sandbox, "sync", "base", "--inventory", str(base2)) for _ in range(2)]
    errs = []
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        errs.append(err)
    waited = sum("ssogen: waiting for another ssogen run (pid " in e for e in errs)
    got = managed(sandbox)
    assert set(got) == {"base", "s0", "s1", "s2", "s3"}
    assert len(got["base"]) == 3 * BIG_ACCOUNTS
    assert all(len(got[f"s{i}"]) == 40 for i in range(4))
    for path in (base2, *sessions):
        assert sandbox.run("sync", "--check", "--inventory", str(path)).returncode == 0
    print(f"concurrency: 6 simultaneous runs, {waited} printed the waiting message")
    assert waited >= 1


def test_holder_killed_while_another_waits(sandbox: Sandbox, tmp_path: Path) -> None:
    """The holder is SIGKILLed while a second run waits: the second goes on at once."""
    acme1 = inv(tmp_path / "acme1.json", "acme", BIG_ACCOUNTS, ["Admin"])
    acme2 = inv(tmp_path / "acme2.json", "acme", BIG_ACCOUNTS, ["Admin", "Dev"])
    sandbox.run("setup", "--yes", "--inventory", str(acme1), check=True)
    old = sandbox.config.read_bytes()
    first = popen(sandbox, "sync", "--inventory", str(acme2))
    wait_for_lock_holder(sandbox, first)
    first.send_signal(signal.SIGSTOP)
    second = popen(sandbox, "sync", "--inventory", str(acme2))
    assert second.stderr is not None
    assert "waiting for another ssogen run" in second.stderr.readline()
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    start = time.monotonic()
    _, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert time.monotonic() - start < 30
    assert sandbox.config.read_bytes() != old
    assert (sandbox.aws / "config.ssogen.bak").read_bytes() == old
    assert len(managed(sandbox)["acme"]) == 2 * BIG_ACCOUNTS
    assert sandbox.run("sync", "--check", "--inventory", str(acme2)).returncode == 0


def test_lock_file_left_by_a_dead_run_never_blocks(sandbox: Sandbox, tmp_path: Path) -> None:
    """Whatever a dead run left in the lock file (its pid, garbage, nothing), nobody waits."""
    acme = inv(tmp_path / "acme.json", "acme", 3, ["Admin"])
    sandbox.aws.mkdir()
    lock = sandbox.aws / "config.ssogen.lock"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    for content in (f"{dead.pid}\n".encode(), b"\x00garbage\xff", b""):
        lock.write_bytes(content)
        os.chmod(lock, 0o600)
        start = time.monotonic()
        proc = sandbox.run("setup", "--yes", "--inventory", str(acme), timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert "waiting" not in proc.stderr
        assert time.monotonic() - start < 30
    assert len(managed(sandbox)["acme"]) == 3
