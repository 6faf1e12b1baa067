"""Discovery benchmark (run on demand, not in CI): prints figures and ratios.

    python benchmarks/discovery.py                 # all parts
    python benchmarks/discovery.py --parts a       # only the aws-sso-util comparison

The emulator runs as its own process (``ssogen emulator``), like a remote service, with
``--latency-ms 100`` on every call; everything reaches it through AWS_ENDPOINT_URL_SSO(_OIDC)
in a throwaway HOME.

(a) 200 accounts, no rate limit: ``ssogen list --json`` (and ``ssogen setup --yes``, which also
    writes the config) against ``aws-sso-util configure populate`` (pip install aws-sso-util;
    found on PATH or given with --aws-sso-util; `make bench` installs it in .venv-bench).
    aws-sso-util is fed the token ssogen obtained, through the shared AWS CLI token cache (its
    legacy key: sha1(start URL)), so it does not prompt. Target: ssogen >= 20x faster end to end.
(b) 1,000 accounts, 20 requests/s per API: discovery wall time against the ideal
    1,000 / 20 = 50 s (target >= 90 % efficiency), zero failed accounts.
(c) 5,000 accounts: peak memory of discovery (tracemalloc in this process, and the maximum
    RSS of a ``ssogen list --json`` process).
(d) 300 accounts, 5 requests/s per API shared by everyone: one ``ssogen list --json``, then
    three at once (each its own HOME and login, as three people behind one portal), in the
    same emulator. Each figure is the ListAccountRoles successes per second over the wall time
    (process start included) as a share of the limit. Targets: single >= 90 %, three
    concurrent runs together >= 95 %.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

START_URL = "https://bench.awsapps.com/start"
REGION = "eu-west-1"


class Emulator:
    """``ssogen emulator`` in a child process."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ssogen", "emulator", "--auto-approve-after", "0", *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert self.proc.stdout is not None
        self.url = ""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            m = re.search(r"export AWS_ENDPOINT_URL_SSO=(\S+)", line)
            if m:
                self.url = m.group(1)
                break
        if not self.url:
            self.stop()
            raise SystemExit("could not start the emulator")

    def env(self) -> dict[str, str]:
        return {"AWS_ENDPOINT_URL_SSO": self.url, "AWS_ENDPOINT_URL_SSO_OIDC": self.url}

    def state(self) -> dict:
        with urllib.request.urlopen(f"{self.url}/_emulator/state", timeout=10) as resp:
            return json.loads(resp.read())

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class Home:
    """A throwaway HOME with one [sso-session bench]."""

    def __init__(self, emu: Emulator) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="ssogen-bench-"))
        (self.dir / ".aws").mkdir()
        self.config = self.dir / ".aws" / "config"
        self.config.write_text(f"[sso-session bench]\nsso_start_url = {START_URL}\n"
                               f"sso_region = {REGION}\n"
                               "sso_registration_scopes = sso:account:access\n")
        scrub = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID",
                 "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "BROWSER", "DISPLAY")
        self.env = {k: v for k, v in os.environ.items() if k not in scrub}
        self.env.update({"HOME": str(self.dir), "AWS_CONFIG_FILE": str(self.config),
                         "NO_COLOR": "1", **emu.env()})

    def run(self, *argv: str, check: bool = True) -> tuple[float, subprocess.CompletedProcess]:
        started = time.perf_counter()
        proc = subprocess.run(list(argv), env=self.env, cwd=self.dir, capture_output=True,
                              text=True, timeout=900)
        elapsed = time.perf_counter() - started
        if check and proc.returncode != 0:
            raise SystemExit(f"{' '.join(argv[:4])}... exited {proc.returncode}:\n"
                             f"{proc.stderr[-2000:]}")
        return elapsed, proc

    def ssogen(self, *args: str, check: bool = True) -> tuple[float, subprocess.CompletedProcess]:
        return self.run(sys.executable, "-m", "ssogen", *args, check=check)

    def login(self) -> dict:
        self.ssogen("login", "--session", "bench", "--no-browser")
        key = hashlib.sha1(b"bench").hexdigest()
        return json.loads((self.dir / ".aws" / "sso" / "cache" / f"{key}.json").read_text())

    def cleanup(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def find_aws_sso_util(explicit: str | None) -> str | None:
    for candidate in (explicit, shutil.which("aws-sso-util")):
        if candidate and Path(candidate).exists():
            return str(Path(candidate).resolve())  # it runs with the sandbox as cwd
    return None


def median_of(n: int, fn) -> float:
    return statistics.median(fn() for _ in range(n))


def sequential_baseline(home: Home, emu: Emulator, token: str) -> float:
    """ListAccounts + ListAccountRoles for every account, one call at a time, plain boto3."""
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    client = boto3.session.Session().client("sso", region_name=REGION, endpoint_url=emu.url,
                                            config=Config(signature_version=UNSIGNED))
    started = time.perf_counter()
    for page in client.get_paginator("list_accounts").paginate(
            accessToken=token, PaginationConfig={"PageSize": 100}):
        for acc in page["accountList"]:
            for _ in client.get_paginator("list_account_roles").paginate(
                    accessToken=token, accountId=acc["accountId"]):
                pass
    return time.perf_counter() - started


def part_a(args: argparse.Namespace) -> None:
    print(f"\n(a) {args.a_accounts} accounts, {args.latency} ms latency, no rate limit")
    emu = Emulator("--generate", str(args.a_accounts), "--latency-ms", str(args.latency))
    home = Home(emu)
    try:
        home.login()
        accounts = emu.state()["accounts"]

        def ssogen_list() -> float:
            elapsed, proc = home.ssogen("list", "--session", "bench", "--json", "--no-login")
            assert len(json.loads(proc.stdout)["accounts"]) == accounts
            return elapsed

        t_list = median_of(3, ssogen_list)
        print(f"  ssogen list --json            {t_list:7.2f} s  (median of 3, process start "
              "included)")
        t_setup = None
        setup_cfg = home.dir / ".aws" / "config-setup"
        setup_args = ["setup", "--yes", "--start-url", START_URL, "--sso-region", REGION,
                      "--session", "bench", "--no-browser"]
        elapsed, proc = home.run(sys.executable, "-m", "ssogen", "--config", str(setup_cfg),
                                 *setup_args, check=False)
        if proc.returncode == 0 and setup_cfg.exists():
            profiles = setup_cfg.read_text().count("[profile ")
            t_setup = elapsed
            print(f"  ssogen setup --yes            {t_setup:7.2f} s  ({profiles} profiles "
                  "written)")
        else:
            last = (proc.stderr.strip().splitlines() or ["?"])[-1]
            print(f"  ssogen setup --yes            not measured (exit {proc.returncode}: "
                  f"{last[:100]})")

        asu = find_aws_sso_util(args.aws_sso_util)
        if not asu:
            print("  aws-sso-util                  not found: pip install aws-sso-util "
                  "(or --aws-sso-util PATH)")
            return
        # aws-sso-util keys its token cache by sha1(start URL) (legacy key) and reuses a token
        # with more than 15 minutes left: give it ssogen's token, as `aws sso login` shares it
        tok = home.login()
        cache = home.dir / ".aws" / "sso" / "cache"
        legacy = hashlib.sha1(START_URL.encode()).hexdigest()
        (cache / f"{legacy}.json").write_text(json.dumps(
            {"startUrl": START_URL, "region": REGION, "accessToken": tok["accessToken"],
             "expiresAt": tok["expiresAt"]}))
        asu_cfg = home.dir / ".aws" / "config-asu"
        asu_cfg.write_text("")
        before = emu.state()["requests"]
        env_cfg = dict(home.env, AWS_CONFIG_FILE=str(asu_cfg))
        started = time.perf_counter()
        proc = subprocess.run([asu, "configure", "populate", "--sso-start-url", START_URL,
                               "--sso-region", REGION, "--region", REGION],
                              env=env_cfg, cwd=home.dir, capture_output=True, text=True,
                              timeout=900, stdin=subprocess.DEVNULL)
        t_asu = time.perf_counter() - started
        after = emu.state()["requests"]
        if proc.returncode != 0:
            print(f"  aws-sso-util populate failed (exit {proc.returncode}): "
                  f"{proc.stderr.strip()[-300:]}")
            return
        profiles = asu_cfg.read_text().count("[profile ")
        calls = {k: after[k] - before[k] for k in after if after[k] != before[k]}
        t_seq = sequential_baseline(home, emu, tok["accessToken"])
        print(f"  plain boto3, one call at a time {t_seq:5.2f} s  (in-process, no process start:"
              " the floor for any sequential tool)")
        print(f"  aws-sso-util configure populate {t_asu:5.2f} s  ({profiles} profiles written; "
              f"calls {calls})")
        print(f"  ratio: ssogen list is {t_asu / t_list:.1f}x faster"
              + (f"; ssogen setup {t_asu / t_setup:.1f}x faster" if t_setup else "")
              + " (target >= 20x)")
    finally:
        emu.stop()
        home.cleanup()


def part_b(args: argparse.Namespace) -> None:
    ideal = args.b_accounts / args.b_rate
    print(f"\n(b) {args.b_accounts} accounts, {args.latency} ms latency, "
          f"{args.b_rate:g} requests/s per API (ideal {ideal:.0f} s)")
    emu = Emulator("--generate", str(args.b_accounts), "--latency-ms", str(args.latency),
                   "--rate-limit", str(args.b_rate))
    home = Home(emu)
    try:
        home.login()
        state0 = emu.state()
        elapsed, proc = home.ssogen("list", "--session", "bench", "--json", "--no-login")
        data = json.loads(proc.stdout)
        state = emu.state()
        roles = sum(len(a["roles"]) for a in data["accounts"])
        missing = state["accounts"] - len(data["accounts"])
        throttled = state["throttled_total"] - state0["throttled_total"]
        calls = state["requests"]["ListAccountRoles"] - state0["requests"]["ListAccountRoles"]
        print(f"  ssogen list --json            {elapsed:7.2f} s  end to end: "
              f"{len(data['accounts'])} accounts, {roles} roles "
              f"(emulator has {state['accounts']} / {state['roles']})")
        print(f"  efficiency vs ideal {ideal:.0f} s:  {100 * ideal / elapsed:5.1f} %  "
              "(target >= 90 %)")
        print(f"  failed accounts: {missing}; throttled answers: {throttled} of {calls} "
              f"ListAccountRoles calls ({100 * throttled / max(calls, 1):.0f} %)")
    finally:
        emu.stop()
        home.cleanup()


def part_c(args: argparse.Namespace) -> None:
    print(f"\n(c) {args.c_accounts} accounts, {args.latency} ms latency: peak memory")
    emu = Emulator("--generate", str(args.c_accounts), "--latency-ms", str(args.latency))
    home = Home(emu)
    try:
        home.login()
        driver = (
            "import resource, sys\n"
            "from ssogen.cli import main\n"
            "rc = main(['list', '--session', 'bench', '--json', '--no-login'])\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
            "sys.exit(rc)\n")
        elapsed, proc = home.run(sys.executable, "-c", driver)
        rss_kb = int(proc.stderr.strip().splitlines()[-1])
        n = len(json.loads(proc.stdout)["accounts"])
        base_driver = driver.replace("rc = main(['list', '--session', 'bench', '--json', "
                                     "'--no-login'])", "import boto3, botocore.session\n"
                                     "boto3.session.Session().client('sso', "
                                     "region_name='eu-west-1')\nrc = 0")
        _, base = home.run(sys.executable, "-c", base_driver)
        base_kb = int(base.stderr.strip().splitlines()[-1])
        print(f"  ssogen list --json process: max RSS {rss_kb / 1024:.1f} MiB for {n} accounts "
              f"in {elapsed:.1f} s (python + boto3 + one client alone: {base_kb / 1024:.1f} MiB)")

        # tracemalloc around discover() only, in this process (the emulator is elsewhere)
        os.environ.update({"HOME": str(home.dir), "AWS_CONFIG_FILE": str(home.config),
                           **emu.env()})
        import tracemalloc

        from ssogen.aws import auth
        from ssogen.aws.discovery import DiscoveryStats, discover

        session = auth.session_by_name(home.config, "bench")
        token = auth.get_access_token(session, allow_login=False)
        import boto3  # noqa: F401  (import cost is not discovery's)

        tracemalloc.start()
        stats = DiscoveryStats()
        inventory = discover(session, access_token=token, progress=False, stats=stats)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        size = len(inventory.to_json())
        print(f"  discover(): tracemalloc peak {peak / 2**20:.1f} MiB "
              f"({peak / len(inventory.accounts) / 1024:.1f} KiB per account; "
              f"inventory JSON {size / 2**20:.2f} MiB), {len(inventory.accounts)} accounts, "
              f"{inventory.role_count} roles")
    finally:
        emu.stop()
        home.cleanup()


def part_d(args: argparse.Namespace) -> None:
    rate, n, runs = args.d_rate, args.d_accounts, args.d_runs
    print(f"\n(d) {n} accounts, {args.latency} ms latency, {rate:g} requests/s per API shared "
          f"by all runs: 1 run, then {runs} at once")
    emu = Emulator("--generate", str(n), "--latency-ms", str(args.latency),
                   "--rate-limit", str(rate))
    homes = [Home(emu) for _ in range(runs)]
    try:
        for home in homes:
            home.login()
        argv = [sys.executable, "-m", "ssogen", "list", "--session", "bench", "--json",
                "--no-login"]

        def measure(group: list[Home]) -> tuple[float, int, int, list[float]]:
            time.sleep(2)  # the emulator's bucket refills (a burst of one second's worth)
            before = emu.state()
            started = time.perf_counter()
            procs = [(subprocess.Popen(argv, env=h.env, cwd=h.dir, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True)) for h in group]
            ends: list[float] = []
            for proc in procs:
                out, err = proc.communicate(timeout=1800)
                ends.append(time.perf_counter() - started)
                if proc.returncode != 0:
                    raise SystemExit(f"ssogen list exited {proc.returncode}:\n{err[-2000:]}")
                assert len(json.loads(out)["accounts"]) == n
            wall = max(ends)
            after = emu.state()
            api = "ListAccountRoles"
            calls = after["requests"][api] - before["requests"][api]
            throttled = after["throttled"][api] - before["throttled"][api]
            return wall, calls - throttled, throttled, ends

        for group in (homes[:1], homes):
            wall, ok, throttled, ends = measure(group)
            share = ok / wall / rate
            target = 90 if len(group) == 1 else 95
            label = "1 run" if len(group) == 1 else f"{len(group)} concurrent runs"
            print(f"  {label:<22} {wall:7.1f} s  {ok} ListAccountRoles successes = "
                  f"{ok / wall:.2f} req/s: {100 * share:5.1f} % of the limit (target >= "
                  f"{target} %); {throttled} throttled answers; runs ended at "
                  + ", ".join(f"{e:.0f}" for e in ends) + " s")
    finally:
        emu.stop()
        for home in homes:
            home.cleanup()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--parts", default="abcd", help="which parts to run (default: abcd)")
    p.add_argument("--latency", type=int, default=100, help="emulator latency per call, ms")
    p.add_argument("--a-accounts", type=int, default=200)
    p.add_argument("--b-accounts", type=int, default=1000)
    p.add_argument("--b-rate", type=float, default=20)
    p.add_argument("--c-accounts", type=int, default=5000)
    p.add_argument("--d-accounts", type=int, default=300)
    p.add_argument("--d-rate", type=float, default=5)
    p.add_argument("--d-runs", type=int, default=3)
    p.add_argument("--aws-sso-util", metavar="PATH", help="the aws-sso-util executable")
    args = p.parse_args()
    print(f"ssogen discovery benchmark; python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs")
    for part in args.parts:
        {"a": part_a, "b": part_b, "c": part_c, "d": part_d}[part](args)


if __name__ == "__main__":
    main()
