"""``ssogen org inventory --all-users`` benchmark (run on demand, not in CI): prints figures.

    python benchmarks/org_inventory.py                          # 1,000 accounts x 200 users
    python benchmarks/org_inventory.py --accounts 300 --users 60 --latency-ms 50 200 --live

moto runs in server mode as its own process, seeded with an organisation of ``--accounts``
accounts in 10 OUs (tagged), ``--users`` users in 10 groups, group and direct assignments
(tests/org_fixture.py: ``scaled_spec``). A proxy on 127.0.0.1 in front of it adds
``--latency-ms`` to every call, as a remote service's round trip. ``ssogen org inventory
--all-users`` runs as a child process through the standard AWS_ENDPOINT_URL_* variables with
``--profile admin`` (dummy static keys in a throwaway HOME).

Figures: the calls the data requires (pages of each API, counted from the description) against
the calls the proxy saw; the wall time of the discovery (ssogen's own figure, and the process's)
against the API-call floor = required calls x latency / concurrency (and against the
dependency chain: the longest sequence of calls that must follow one another, x latency); the
same run without added latency, which is moto's own service time on this machine. moto is one
Python process and on a 2-core machine needs ~10 ms a call, more than the latency being
measured; so the latency run replays moto's recorded answers (the proxy keys them by operation
and request body), and only the added latency is left -- ``--live`` adds a run against moto
itself. Every user's file is checked against the description's rule (direct + group
assignments).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from org_fixture import (  # noqa: E402 - the shared description lives with the tests
    REGION,
    START_URL,
    MotoServer,
    OrgSpec,
    Proxy,
    Seeded,
    sandbox_admin,
    scaled_spec,
    seed_moto,
)


def required_calls(spec: OrgSpec, seeded: Seeded) -> tuple[dict[str, int], int]:
    """The calls the data requires per API (pages: 100 an item for the identity store and
    sso-admin, 20 for Organizations), and the length of the longest chain of calls that must
    follow one another."""
    def pages(n: int, size: int) -> int:
        return max(1, math.ceil(n / size))

    calls: dict[str, int] = {"ListInstances": 1, "ListRoots": 1}
    parents = ["Root", *(f"Root/{p}" for p in spec.ous)]
    children = {p: [q for q in parents if q.rpartition("/")[0] == p] for p in parents}
    accounts_in = {p: sum(1 for a in spec.accounts if a.ou == p) for p in parents}
    calls["ListOrganizationalUnitsForParent"] = sum(pages(len(children[p]), 20)
                                                    for p in parents)
    calls["ListAccountsForParent"] = sum(pages(accounts_in[p], 20) for p in parents)
    calls["ListUsers"] = pages(len(spec.users), 100)
    calls["ListGroups"] = pages(len(spec.groups), 100)
    calls["ListGroupMemberships"] = sum(pages(len(m), 100) for m in spec.groups.values())
    per_principal: dict[tuple[str, str], int] = {}
    for a in spec.assignments:
        key = (a.kind, a.principal)
        per_principal[key] = per_principal.get(key, 0) + 1
    assign = sum(pages(per_principal.get(("USER", u.user_name), 0), 100) for u in spec.users)
    assign += sum(pages(per_principal.get(("GROUP", g), 0), 100)
                  for g, members in spec.groups.items() if members)
    calls["ListAccountAssignmentsForPrincipal"] = assign
    calls["DescribePermissionSet"] = len({a.permission_set for a in spec.assignments})
    calls["ListTagsForResource"] = len({a.account for a in spec.assignments})
    # the chain: instance -> user pages -> the last user's assignment pages -> a new account's
    # tags; the OU tree is walked alongside (depth x pages) and is shorter here
    depth = max(p.count("/") for p in parents) + 1
    longest = max(pages(n, 100) for n in per_principal.values())
    chain = 1 + max(calls["ListUsers"] + longest + 1, 1 + depth * 2)
    return calls, chain


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_once(home: Path, env: dict[str, str], out: Path, concurrency: int,
             ) -> tuple[float, float, str]:
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "ssogen", "org", "inventory", "--profile", "admin",
         "--start-url", START_URL, "--sso-region", REGION, "--all-users", "--out", str(out),
         "--concurrency", str(concurrency)],
        env=env, cwd=str(home), capture_output=True, text=True, timeout=3600, check=False)
    wall = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(f"org inventory failed ({proc.returncode}): {proc.stderr.strip()}")
    m = re.search(r"in ([0-9.]+) s", proc.stderr)
    return float(m.group(1)) if m else float("nan"), wall, proc.stderr.strip()


def check(spec: OrgSpec, seeded: Seeded, out: Path) -> int:
    bad = 0
    for u in spec.users:
        inv = json.loads((out / f"{u.user_name}.json").read_text())
        if {a["id"]: a["roles"] for a in inv["accounts"]} != spec.view(u.user_name,
                                                                        seeded.account_ids):
            bad += 1
    return bad


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accounts", type=int, default=1000)
    ap.add_argument("--users", type=int, default=200)
    ap.add_argument("--latency-ms", type=float, nargs="+", default=[50.0],
                    help="latency added to each call (several: one run each)")
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--live", action="store_true",
                    help="also a run against moto itself with the latency added (moto's own "
                    "time per call then dominates on a small machine)")
    args = ap.parse_args()

    spec = scaled_spec(args.accounts, args.users)
    server = MotoServer().start()
    try:
        t0 = time.monotonic()
        seeded = seed_moto(spec, server.url)
        print(f"seeded moto: {args.accounts} accounts, {args.users} users, "
              f"{len(spec.groups)} groups, {len(spec.assignments)} assignments "
              f"in {time.monotonic() - t0:.1f} s")
        calls, chain = required_calls(spec, seeded)
        total = sum(calls.values())
        print(f"calls the data requires: {total} "
              f"({', '.join(f'{k} {v}' for k, v in sorted(calls.items()))}); "
              f"longest dependent chain {chain}")
        with tempfile.TemporaryDirectory(prefix="ssogen-org-bench-") as tmp:
            home = Path(tmp) / "home"
            home.mkdir()
            env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            env.update(HOME=str(home), AWS_CONFIG_FILE=str(home / ".aws" / "config"),
                       AWS_SHARED_CREDENTIALS_FILE=str(home / ".aws" / "credentials"),
                       NO_COLOR="1")
            recorded: dict[tuple[str, bytes], tuple[int, list[tuple[str, str]], bytes]] = {}
            runs = [("moto, no added latency (its answers recorded)", 0.0, False)]
            runs += [(f"moto's recorded answers replayed, + {ms:.0f} ms", ms / 1000, True)
                     for ms in args.latency_ms]
            if args.live:
                runs += [(f"moto live, + {ms:.0f} ms", ms / 1000, False)
                         for ms in args.latency_ms]
            baseline = 0.0
            for i, (label, delay, replay) in enumerate(runs):
                proxy = Proxy(server.url, latency=delay, recorded=recorded,
                              replay=replay).start()
                assert server.proc is not None
                moto_cpu = cpu_seconds(server.proc.pid)
                child_cpu = sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2])
                try:
                    sandbox_admin(home, env, proxy.url)
                    out = Path(tmp) / f"out-{i}"
                    inner, wall, summary = run_once(home, env, out, args.concurrency)
                finally:
                    proxy.stop()
                moto_cpu = cpu_seconds(server.proc.pid) - moto_cpu
                child_cpu = sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2]) - child_cpu
                seen = proxy.total
                bad = check(spec, seeded, out)
                print(f"\n{label}, concurrency {args.concurrency}:")
                print(f"  {summary.splitlines()[-1]}")
                print(f"  calls seen by the proxy: {seen} (required {total}; replay misses "
                      f"{proxy.replay_misses}); most in flight {proxy.max_in_flight}; users "
                      f"whose file differs from the rule: {bad}")
                print(f"  CPU: ssogen process {child_cpu:.2f} s, moto {moto_cpu:.2f} s "
                      "(2 cores, shared)")
                if not delay:
                    baseline = inner
                    print(f"  discovery {inner:.2f} s (process {wall:.2f} s): moto's own "
                          f"service time here, {inner / max(1, seen) * 1000:.1f} ms per call "
                          f"at concurrency {args.concurrency}")
                    continue
                floor = total * delay / args.concurrency
                chain_floor = chain * delay
                line = (f"  discovery {inner:.2f} s (process {wall:.2f} s); API-call floor "
                        f"{total} x {delay * 1000:.0f} ms / {args.concurrency} = {floor:.2f} s "
                        f"-> ratio {inner / floor:.2f} (chain floor {chain} x "
                        f"{delay * 1000:.0f} ms = {chain_floor:.2f} s)")
                if not replay:
                    line += (f"; with moto's own time (first run) as a floor too: ratio "
                             f"{inner / max(floor, chain_floor, baseline):.2f}")
                print(line)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
