#!/usr/bin/env python3
"""Config-engine benchmark: a whole ``ssogen sync`` process against botocore reading the same
file in a fresh process (what every AWS CLI / SDK start pays), side by side in one run.

For each size (default 1,000, 5,000, 20,000 and 50,000 sections) a file is generated with
foreign sections (a default profile, hand-written profiles, ``[services]`` blocks with nested
values, comments between and inside sections) and ssogen-managed profiles of one session. The
inventory makes 25 % of the managed profiles change (renamed: their name came from an older
account name), drops 10 % (``--prune``) and adds 10 % new ones.

Measured per size, the commands taking turns (A B A B ...) so that drift of the machine hits
both alike; every figure is the median of ``--runs`` runs, every ratio the median of the
pairwise ratios:

* botocore: ``python -c 'raw_config_parse(FILE)'``;
* ssogen ``sync --check --prune --inventory INV`` (reads, plans, diffs, writes nothing);
* ssogen ``sync --prune --inventory INV`` on a fresh copy each time (writes the file);
* peak memory (max RSS) of each process.

Targets (issue 9): ``sync --check`` <= 0.6x botocore's parse at 20k and 50k, <= 1.5x at 1k,
peak memory below botocore's at every size, growth linear.
Run: ``python benchmarks/config_engine.py [--runs N] [--sizes 1000,5000] [--profile N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

SESSION = "bench"
START_URL = "https://bench.awsapps.com/start"
ROLES = ["AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess", "ViewOnlyAccess"]
BOTOCORE = "import sys, botocore.configloader as c; c.raw_config_parse(sys.argv[1])"
#: the floor of a command line like ssogen's: building an ArgumentParser asks gettext for
#: its translations, which imports locale and its alias tables; pathlib imports urllib.parse
#: and ipaddress
CLI_FLOOR = "import argparse, pathlib; argparse.ArgumentParser()"


def kebab(text: str) -> str:
    from ssogen.planning.naming import kebab as k

    return k(text)


def build(n_sections: int) -> tuple[str, dict]:
    """(config text, inventory) for a file of about ``n_sections`` sections."""
    foreign = n_sections // 5
    managed = n_sections - foreign - 2
    n_accounts = managed // len(ROLES) + 1
    lines = ["# generated benchmark config", "[default]", "region = us-east-1", "output = json",
             "", f"[sso-session {SESSION}]", f"sso_start_url = {START_URL}",
             "sso_region = eu-west-1", "sso_registration_scopes = sso:account:access",
             "ssogen_managed = true", "", f"[ssogen {SESSION}]", "region = eu-west-1",
             "output = json", "name_template = account-role", ""]
    accounts: dict[str, dict] = {}
    for a in range(n_accounts):
        acc_id = f"{100000000000 + a:012d}"
        accounts[acc_id] = {"id": acc_id, "name": f"Workload {a}", "email": f"w{a}@x.example",
                            "roles": []}
    count = k = 0
    acc_ids = list(accounts)
    for acc_id in acc_ids:
        for role in ROLES:
            if count >= managed:
                break
            k += 1
            name = f"{kebab(accounts[acc_id]['name'])}-{kebab(role)}"
            bucket = k % 20  # 0-4: update (25 %: renamed), 5-6: prune (10 %), others: as is
            if bucket < 5:
                name = f"old-{name}"  # generated from an older account name: renamed
            if bucket not in (5, 6):
                accounts[acc_id]["roles"].append(role)
            if k % 10 == 0:
                lines.append(f"# team {k // 10}")
            lines += [f"[profile {name}]", f"sso_session = {SESSION}",
                      f"sso_account_id = {acc_id}", f"sso_role_name = {role}",
                      "region = eu-west-1", "output = json", "ssogen_managed = true", ""]
            count += 1
            if count % (managed // max(1, foreign) + 1) == 0 and foreign > 0:
                foreign -= 1
                lines += [f"[profile hand-{count}]", f"role_arn = arn:aws:iam::{acc_id}:role/X",
                          "; the team's own", "source_profile = default", ""]
    while foreign > 0:
        foreign -= 1
        lines += [f"[services svc-{foreign}]", "s3 =", "  endpoint_url = http://localhost:1",
                  "  # nested comment", "  addressing_style = path", ""]
    add = 0
    new_pairs = managed // 10  # 10 % to add: new roles on existing accounts
    for acc_id in acc_ids:
        if add >= new_pairs:
            break
        for extra in ("BillingAccess", "SupportUser"):
            if add < new_pairs:
                accounts[acc_id]["roles"].append(extra)
                add += 1
    inventory = {"session": SESSION, "start_url": START_URL, "sso_region": "eu-west-1",
                 "generated_at": "2026-11-26T00:00:00Z",
                 "accounts": list(accounts.values())}
    return "\n".join(lines) + "\n", inventory


#: The processes are started by this small runner, itself started before any file is built:
#: Linux's ru_maxrss of a process started by vfork/posix_spawn includes the RSS of the process
#: that started it (its memory is the child's until exec), so processes started from this
#: benchmark's own process -- which holds the generated file and inventory -- would all report
#: at least its size. The runner stays at a bare interpreter's size (below any measured run).
RUNNER = r"""
import os, sys, time
null = os.open(os.devnull, os.O_RDWR)
for line in sys.stdin:
    argv = line.rstrip("\n").split("\x1f")
    started = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=[  # not the runner's stdin
        (os.POSIX_SPAWN_DUP2, null, 0), (os.POSIX_SPAWN_DUP2, null, 1),
        (os.POSIX_SPAWN_DUP2, null, 2)])
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - started
    print(wall, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), flush=True)
"""


class Runner:
    """One process at a time, timed and measured by :data:`RUNNER` (in ``env``)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen([sys.executable, "-S", "-c", RUNNER], env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def run(self, argv: list[str]) -> tuple[float, float, int]:
        """(wall seconds, peak RSS in MiB, exit code) of one process."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        if any("\n" in arg or "\x1f" in arg for arg in argv):
            raise ValueError(f"an argument the runner's line protocol cannot carry: {argv}")
        self.proc.stdin.write("\x1f".join(argv) + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().split()
        if len(answer) != 3:
            raise SystemExit(f"the runner stopped (exit {self.proc.poll()}) running {argv}")
        wall, rss, code = answer
        return float(wall), float(rss), int(code)

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait()


def measure(size: int, runs: int, root: Path, runner: Runner) -> dict[str, float]:
    text, inventory = build(size)
    cfg = root / f"config-{size}"
    cfg.write_text(text)
    inv = root / f"inventory-{size}.json"
    inv.write_text(json.dumps(inventory))
    script = os.path.join(os.path.dirname(sys.executable), "ssogen")
    # the console script, as people run it (``python -m`` adds runpy's ~10 ms)
    ssogen = [script] if os.path.exists(script) else [sys.executable, "-m", "ssogen"]
    work = root / f"work-{size}"
    commands = {
        "botocore": ([sys.executable, "-c", BOTOCORE, str(cfg)], None),
        "check": ([*ssogen, "--config", str(cfg), "sync", "--check", "--prune", "--inventory",
                   str(inv)], None),
        "write": ([*ssogen, "--config", str(work), "sync", "--prune", "--inventory", str(inv)],
                  lambda: shutil.copyfile(cfg, work)),
    }
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for i in range(runs + 1):  # the first round warms the caches and is not counted
        for name, (argv, prepare) in commands.items():
            if prepare:
                prepare()
            wall, rss, code = runner.run(argv)
            expected = {"botocore": 0, "check": 1, "write": 0}[name]
            if code != expected:
                raise SystemExit(f"{name} exited {code} (expected {expected}): {' '.join(argv)}")
            if i:
                samples[name].append((wall, rss))
    out = {"size_mb": cfg.stat().st_size / 1e6}
    for name, values in samples.items():
        out[f"{name}_s"] = statistics.median(w for w, _ in values)
        out[f"{name}_mib"] = statistics.median(m for _, m in values)
    pairs = zip(samples["check"], samples["botocore"], strict=True)
    out["ratio"] = statistics.median(c[0] / b[0] for c, b in pairs)
    pairs = zip(samples["write"], samples["botocore"], strict=True)
    out["write_ratio"] = statistics.median(w[0] / b[0] for w, b in pairs)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--sizes", default="1000,5000,20000,50000")
    ap.add_argument("--profile", type=int, metavar="N",
                    help="cProfile one in-process `sync --check` at N sections instead")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if args.profile:
            return profile(args.profile, root)
        print(f"ssogen sync vs botocore raw_config_parse, fresh processes, median of "
              f"{args.runs} (Python {sys.version.split()[0]})")
        print(f"{'sections':>9} {'MB':>6} {'botocore s':>11} {'check s':>8} {'ratio':>6} "
              f"{'write s':>8} {'ratio':>6} {'botocore MiB':>13} {'check MiB':>10} "
              f"{'write MiB':>10}")
        # bytecode as an installed package has it (pip compiles it at install): a shell with
        # PYTHONDONTWRITEBYTECODE=1 would otherwise time the compiler on every run
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("AWS_") and k != "PYTHONDONTWRITEBYTECODE"}
        env.update(HOME=str(root), PYTHONPYCACHEPREFIX=str(root / "pycache"))
        runner = Runner(env)
        try:
            for size in sizes:
                m = measure(size, args.runs, root, runner)
                print(f"{size:>9,} {m['size_mb']:>6.2f} {m['botocore_s']:>11.3f} "
                      f"{m['check_s']:>8.3f} {m['ratio']:>5.2f}x {m['write_s']:>8.3f} "
                      f"{m['write_ratio']:>5.2f}x {m['botocore_mib']:>13.1f} "
                      f"{m['check_mib']:>10.1f} {m['write_mib']:>10.1f}", flush=True)
            bare = sorted(runner.run([sys.executable, "-c", "pass"]) for _ in range(5))[2]
            print(f"python -c pass, the same way: {bare[0]:.3f} s, {bare[1]:.1f} MiB (no figure "
                  "above can be lower)")
            floor = sorted(runner.run([sys.executable, "-c", CLI_FLOOR]) for _ in range(5))[2]
            print(f"argparse + one parser + pathlib, the same way: {floor[0]:.3f} s, "
                  f"{floor[1]:.1f} MiB (what any argparse CLI that takes paths pays before "
                  "its own code; the bare botocore parse pays none of it)")
        finally:
            runner.close()
    return 0


def profile(size: int, root: Path) -> int:
    import cProfile
    import pstats

    text, inventory = build(size)
    cfg = root / "config"
    cfg.write_text(text)
    inv = root / "inventory.json"
    inv.write_text(json.dumps(inventory))
    from ssogen.cli import main as cli

    profiler = cProfile.Profile()
    profiler.enable()
    code = cli(["--config", str(cfg), "sync", "--check", "--prune", "--inventory", str(inv)])
    profiler.disable()
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
    return 0 if code == 1 else code


if __name__ == "__main__":
    raise SystemExit(main())
