#!/usr/bin/env python3
"""Config-engine benchmark: the whole ``ssogen sync --inventory`` process vs botocore reading
the same file.

For 1,000, 5,000 and 20,000 sections (about 2.5 MB at 20,000) a file is generated with foreign
sections (default, hand-written profiles, services, comments) and ssogen-managed profiles of
one session; 25 % of the managed profiles need an update (their name is not the one the
template gives: renamed in place), the inventory drops 10 % (pruned, ``--prune``) and adds
10 % new ones. Measured, median of RUNS runs each:

* ``ssogen sync --inventory FILE --prune``: a fresh process, start to exit (writes the file);
* the same with ``--check`` (reads, plans, diffs, writes nothing);
* botocore ``raw_config_parse`` of the same file: in this process, and in a fresh process
  (``python -c 'import botocore.configloader; raw_config_parse(...)'``), which is what every
  AWS CLI / SDK start pays.

Target (issue 2): ssogen <= 3x botocore's parse, and < 1 s at 5,000 sections.
Run: ``python benchmarks/config_engine.py [--runs N] [--sizes 1000,5000,20000] [--profile]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SESSION = "bench"
START_URL = "https://bench.awsapps.com/start"
ROLES = ["AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess", "ViewOnlyAccess"]


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
    count = 0
    for a in range(n_accounts):
        acc_id = f"{100000000000 + a:012d}"
        accounts[acc_id] = {"id": acc_id, "name": f"Workload {a}", "email": f"w{a}@x.example",
                            "roles": []}
    k = 0
    acc_ids = list(accounts)
    for acc_id in acc_ids:
        for role in ROLES:
            if count >= managed:
                break
            k += 1
            name = f"{kebab(accounts[acc_id]['name'])}-{kebab(role)}"
            bucket = k % 20  # 0-4: update (25 %: renamed), 5-6: prune (10 %), others: as is
            if bucket < 5:
                name = f"old-{name}"  # not the name the template gives: renamed
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
                          "source_profile = default", ""]
    while foreign > 0:
        foreign -= 1
        lines += [f"[services svc-{foreign}]", "s3 =", "  endpoint_url = http://localhost:1",
                  ""]
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


def interleaved(commands: dict[str, tuple[list[str], object]], env: dict[str, str],
                runs: int) -> dict[str, float]:
    """Median wall time per command, the commands taking turns (a shared, noisy machine then
    slows all of them alike instead of whichever happened to run during a spike)."""
    times: dict[str, list[float]] = {k: [] for k in commands}
    for _ in range(runs):
        for key, (cmd, before) in commands.items():
            if before:
                before()  # type: ignore[operator]
            start = time.perf_counter()
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
            times[key].append(time.perf_counter() - start)
            if proc.returncode not in (0, 1):
                raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
    return {k: statistics.median(v) for k, v in times.items()}


def in_process_botocore(path: Path, runs: int) -> float:
    import botocore.configloader

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        botocore.configloader.raw_config_parse(str(path))
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def stages(path: Path, inventory_path: Path) -> dict[str, float]:
    """Where the time goes inside one run (in-process, no writing)."""
    from ssogen.app.generate import managed_settings
    from ssogen.inifile.document import ConfigDocument
    from ssogen.model.inventory import Inventory
    from ssogen.planning.plan import build_plan

    out: dict[str, float] = {}
    t = time.perf_counter()
    raw = path.read_bytes()
    doc = ConfigDocument(raw, str(path))
    out["parse+index"] = time.perf_counter() - t
    settings = managed_settings(path)[0]
    inv = Inventory.load(inventory_path)
    t = time.perf_counter()
    plan = build_plan(doc.model, settings, inv, prune=True, source=str(path))
    out["plan"] = time.perf_counter() - t
    t = time.perf_counter()
    doc.apply(plan)
    out["apply"] = time.perf_counter() - t
    t = time.perf_counter()
    doc.encode()
    out["render"] = time.perf_counter() - t
    t = time.perf_counter()
    diff = doc.diff()
    out["diff"] = time.perf_counter() - t
    out["_plan"] = plan  # type: ignore[assignment]
    out["_difflines"] = diff.count("\n")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--sizes", default="1000,5000,20000")
    ap.add_argument("--profile", action="store_true", help="cProfile one in-process run")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    # as after `pip install`: bytecode compiled once and cached (botocore's always is)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and k != "PYTHONDONTWRITEBYTECODE"}
    env["NO_COLOR"] = "1"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(__file__).parents[1] /
                    "src" / "ssogen")], env=env, check=False)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpu(s), median of {args.runs}")
    header = (f"{'sections':>8} {'size':>8} {'upd/add/prune':>15} {'bc parse':>9} "
              f"{'bc proc':>8} {'sync':>7} {'check':>7} {'sync/bc':>8} {'sync/bcp':>9}")
    print(header)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            text, inventory = build(n)
            base = Path(tmp) / f"base-{n}"
            base.write_text(text)
            inv_path = Path(tmp) / f"inv-{n}.json"
            inv_path.write_text(json.dumps(inventory))
            cfg = Path(tmp) / f"config-{n}"
            home = Path(tmp) / "home"
            home.mkdir(exist_ok=True)
            run_env = dict(env, AWS_CONFIG_FILE=str(cfg), HOME=str(home))

            def fresh(cfg: Path = cfg, base: Path = base) -> None:
                cfg.write_bytes(base.read_bytes())

            fresh()
            bc = in_process_botocore(base, args.runs)  # before our own objects fill the heap
            st = stages(cfg, inv_path)
            plan = st.pop("_plan")
            st.pop("_difflines")
            if args.profile:
                import cProfile
                import pstats

                cProfile.runctx("stages(cfg, inv_path)", globals(), {"stages": stages,
                                "cfg": cfg, "inv_path": inv_path}, str(Path(tmp) / "prof"))
                pstats.Stats(str(Path(tmp) / "prof")).sort_stats("cumtime").print_stats(25)
            ssogen_cmd = [sys.executable, "-m", "ssogen", "sync", "--inventory", str(inv_path),
                          "--prune"]
            got = interleaved({
                "bcp": ([sys.executable, "-c", "import sys, botocore.configloader as c; "
                         "c.raw_config_parse(sys.argv[1])", str(base)], None),
                "sync": (ssogen_cmd, fresh),
                "check": ([*ssogen_cmd, "--check"], fresh),
            }, run_env, args.runs)
            bcp, sync, check = got["bcp"], got["sync"], got["check"]
            size = len(text.encode())
            mix = f"{plan.updated}/{plan.created}/{plan.removed}"
            print(f"{n:>8} {size / 1e6:>6.2f}MB {mix:>15} {bc:>8.3f}s {bcp:>7.3f}s "
                  f"{sync:>6.3f}s {check:>6.3f}s {sync / bc:>7.2f}x {sync / bcp:>8.2f}x")
            print("         in-process stages: " + ", ".join(
                f"{k} {v * 1000:.0f} ms" for k, v in st.items()))
            results.append((n, sync, bc, bcp))
    print()
    ok = True
    for n, sync, bc, bcp in results:
        verdict = "ok" if sync <= 3 * bcp else "SLOWER than 3x"
        ok = ok and sync <= 3 * bcp
        print(f"{n:>6} sections: sync {sync:.3f}s = {sync / bcp:.2f}x botocore parse in a fresh "
              f"process ({sync / bc:.2f}x the in-process parse alone): {verdict}")
        if n == 5000:
            print(f"        5,000 sections under 1 s: {'ok' if sync < 1 else 'NO'}")
            ok = ok and sync < 1
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
