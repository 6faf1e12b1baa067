"""export-credentials benchmark (run on demand, not in CI): prints figures and ratios.

    python benchmarks/export_credentials.py [--aws PATH] [--runs 30]

What ``credential_process`` costs at every SDK start, with the role credentials cached:
``ssogen export-credentials --profile P --format process`` against
``aws configure export-credentials --profile P --format process``, measured side by side
(interleaved, one after the other) in one run, both answering from the same entry of
``~/.aws/cli/cache`` (neither calls AWS: the emulator counts the calls). The AWS CLI is
``--aws``, else ``$SSOGEN_AWS_CLI_V2_SOURCE`` (an AWS CLI v2 built from source), else
``/usr/bin/aws``. Baselines in the same run: ``python -c pass`` and ``ssogen --version``.

Target: ssogen >= 3x faster than the AWS CLI, and <= 80 ms (median).

Python's bytecode cache is on for the measured processes (as after ``pip install``), kept
in a temporary folder (``PYTHONPYCACHEPREFIX``) so the source tree stays clean.
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
import time
from pathlib import Path

START_URL = "https://bench.awsapps.com/start"
ACCOUNT, ROLE = "210987654321", "ReadOnlyAccess"
TARGET_RATIO, TARGET_MS = 3.0, 80.0


def pick_aws(given: str | None) -> str:
    for candidate in (given, os.environ.get("SSOGEN_AWS_CLI_V2_SOURCE"), "/usr/bin/aws"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    sys.exit("no AWS CLI found: give --aws PATH (or set SSOGEN_AWS_CLI_V2_SOURCE)")


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[bytes]]:
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, check=False)
    return (time.perf_counter() - start) * 1000.0, proc


def summary(xs: list[float]) -> str:
    q = statistics.quantiles(xs, n=10)
    return (f"median {statistics.median(xs):7.1f} ms   min {min(xs):7.1f}   "
            f"p90 {q[-1]:7.1f}   (n={len(xs)})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--aws", help="the AWS CLI to compare with")
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    aws = pick_aws(args.aws)
    ssogen = str(Path(sys.executable).parent / "ssogen")
    if not os.access(ssogen, os.X_OK):
        sys.exit(f"{ssogen} not found: run this with the venv's python (make bench)")

    from ssogen.emulator import Emulator, Organization

    root = Path(tempfile.mkdtemp(prefix="ssogen-bench-export-"))
    home = root / "home"
    (home / ".aws").mkdir(parents=True)
    config = home / ".aws" / "config"
    config.write_text(f"[sso-session bench]\nsso_start_url = {START_URL}\n"
                      "sso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n\n"
                      f"[profile bench-ro]\nsso_session = bench\nsso_account_id = {ACCOUNT}\n"
                      f"sso_role_name = {ROLE}\nregion = eu-west-1\n")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and k != "PYTHONDONTWRITEBYTECODE"}
    env.update({"HOME": str(home), "AWS_CONFIG_FILE": str(config), "AWS_PAGER": "",
                "PYTHONPYCACHEPREFIX": str(root / "pycache")})
    try:
        with Emulator(Organization.sample(), auto_approve_after=0) as emu:
            env.update(emu.endpoint_env())
            login = subprocess.run([ssogen, "login", "--session", "bench", "--no-browser"],
                                   env=env, capture_output=True, text=True, check=False)
            if login.returncode != 0:
                sys.exit(f"login failed: {login.stderr.strip()}")
            version = subprocess.run([aws, "--version"], env=env, capture_output=True,
                                     text=True, check=False).stdout.strip()
            mine = [ssogen, "export-credentials", "--profile", "bench-ro", "--format", "process"]
            theirs = [aws, "configure", "export-credentials", "--profile", "bench-ro",
                      "--format", "process"]
            for argv in (mine, theirs, mine, theirs):  # warm up: caches, bytecode, page cache
                _, proc = timed(argv, env)
                if proc.returncode != 0:
                    sys.exit(f"{' '.join(argv[:3])} failed: "
                             f"{proc.stderr.decode(errors='replace').strip()[:300]}")
            key_ids = {json.loads(timed(a, env)[1].stdout)["AccessKeyId"] for a in (mine, theirs)}
            calls = emu.stats()["requests"]["GetRoleCredentials"]
            base_py, base_version, t_mine, t_theirs = [], [], [], []
            for _ in range(args.runs):
                base_py.append(timed([sys.executable, "-c", "pass"], env)[0])
                base_version.append(timed([ssogen, "--version"], env)[0])
                t_mine.append(timed(mine, env)[0])
                t_theirs.append(timed(theirs, env)[0])
            calls = emu.stats()["requests"]["GetRoleCredentials"] - calls
    finally:
        shutil.rmtree(root, ignore_errors=True)

    med_mine, med_theirs = statistics.median(t_mine), statistics.median(t_theirs)
    ratio = med_theirs / med_mine
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"export-credentials with cached role credentials, {args.runs} runs each, "
          f"interleaved (load average {load:.2f}, {os.cpu_count()} CPUs)")
    print(f"  AWS CLI: {aws} ({version})")
    print(f"  python -c pass                     {summary(base_py)}")
    print(f"  ssogen --version                   {summary(base_version)}")
    print(f"  ssogen export-credentials          {summary(t_mine)}")
    print(f"  aws configure export-credentials   {summary(t_theirs)}")
    print(f"  ratio (median aws / median ssogen): {ratio:.1f}x")
    print(f"  GetRoleCredentials calls while timing: {calls}; both printed the same "
          f"credentials: {len(key_ids) == 1}")
    met = ratio >= TARGET_RATIO and med_mine <= TARGET_MS
    print(f"  target >= {TARGET_RATIO:g}x and <= {TARGET_MS:g} ms: "
          f"{'met' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
