"""``ssogen demo``: the whole job, end to end, against the built-in emulator, in a sandbox.

1. start the emulator (``Organization.sample()``) on 127.0.0.1;
2. make a sandbox directory used as HOME (so ``~/.aws/config`` and ``~/.aws/sso/cache`` are the
   sandbox's; the real ``~/.aws`` is never read or written);
3. run the real ``ssogen setup`` in a subprocess with that environment and the emulator's
   ``AWS_ENDPOINT_URL_SSO`` / ``AWS_ENDPOINT_URL_SSO_OIDC`` (botocore computes the token cache
   directory from HOME at import time, so every boto3 step runs in a child process);
   the device code is approved in the browser by the person, or with ``--yes`` by the emulator;
4. show the written config, and resolve credentials for one generated profile with boto3 (the
   access key id is printed masked; the secret never);
5. run what a user runs next, ``aws s3 ls --profile P`` and ``aws sts get-caller-identity
   --profile P``, with the AWS CLI v1 (``python -m awscli``) when it is installed -- the emulator
   also answers STS and S3 for the role credentials it issued -- or else the same two calls
   with boto3. No second login: the CLI uses the token ``ssogen setup`` cached.
"""

from __future__ import annotations

import argparse
import sys

from ssogen.commands import SUMMARY

TYPE_CHECKING = False  # typing itself is not imported: `ssogen COMMAND --help` stays light
if TYPE_CHECKING:
    from pathlib import Path

    from ssogen.emulator import Emulator, Organization

EPILOG = """\
examples:
  ssogen demo --yes                 unattended: the emulator approves the login by itself
  ssogen demo                       approve the login yourself in a browser (local URL)
  ssogen demo --yes --keep /tmp/d   keep the sandbox: /tmp/d/home/.aws/config, token cache

Nothing outside the sandbox directory is touched (never your ~/.aws).
"""

START_URL = "https://acme-demo.awsapps.com/start"
SSO_REGION = "eu-west-1"
SESSION = "acme-demo"

# Variables that would point the child processes at real AWS or another config.
_SCRUB = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
          "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
          "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_DEFAULT_REGION", "AWS_REGION",
          "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
          "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_DATA_PATH", "AWS_CA_BUNDLE")

_RESOLVE = """\
import json, sys
import boto3
s = boto3.Session(profile_name=sys.argv[1])
c = s.get_credentials()
f = c.get_frozen_credentials()
k = f.access_key
out = {"method": c.method, "key": k[:4] + "\\u2026" + k[-4:], "token": bool(f.token),
       "region": s.region_name}
if sys.argv[2:] == ["calls"]:
    # the emulator also answers STS GetCallerIdentity and S3 ListBuckets for these credentials
    out["arn"] = s.client("sts").get_caller_identity()["Arn"]
    out["buckets"] = [b["Name"] for b in s.client("s3").list_buckets().get("Buckets", [])]
print(json.dumps(out))
"""


def _aws_cli_v1_version() -> str | None:
    """The version of the AWS CLI v1 (PyPI ``awscli``) that ``python -m awscli`` would run
    here, or None. Not imported: importing awscli changes ``os.environ`` (AWS_DATA_PATH)."""
    import importlib.metadata
    import importlib.util
    from pathlib import Path

    try:
        spec = importlib.util.find_spec("awscli")
    except (ImportError, ValueError):
        return None
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not any((Path(loc) / "clidriver.py").is_file() for loc in locations):
        return None
    try:
        return importlib.metadata.version("awscli")
    except importlib.metadata.PackageNotFoundError:
        return "v1"


def _aws_cli(pick: str, version: str, env: dict[str, str], home: Path) -> bool:
    """``aws s3 ls`` and ``aws sts get-caller-identity`` for profile ``pick``, by the AWS CLI
    v1, output shown (neither prints a secret); False (reported) if one fails."""
    import subprocess

    from ssogen.ui import terminal as ui

    _heading(f"What you run next, by the AWS CLI {version} (no second login)")
    for args in (["s3", "ls"], ["sts", "get-caller-identity"]):
        shown = " ".join(["aws", *args, "--profile", pick])
        _say_command(["aws", *args, "--profile", pick])
        res = subprocess.run([sys.executable, "-m", "awscli", *args, "--profile", pick],
                             env=env, cwd=str(home), capture_output=True, text=True,
                             check=False)
        if res.returncode != 0:
            last = (res.stderr.strip().splitlines() or ["?"])[-1]
            ui.error(f"`{shown}` exited {res.returncode}: {last[:200]}")
            return False
        for line in res.stdout.rstrip("\n").splitlines():
            print(f"  {line}")
    return True


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "demo", parents=[common],
        help=SUMMARY["demo"],
        description="Start the built-in IAM Identity Center emulator with a sample "
        "organisation,\nrun the real `ssogen setup` against it in a sandbox directory, show "
        "the written\nconfig and resolve credentials for one generated profile with boto3. "
        "--config is\nignored: the demo only ever writes inside its sandbox.",
        epilog=EPILOG,
    )
    p.add_argument("--yes", "-y", action="store_true",
                   help="unattended: take every default and let the emulator approve the "
                   "login")
    p.add_argument("--keep", metavar="DIR",
                   help="use DIR as the sandbox and keep it afterwards (default: a temporary "
                   "directory, removed at the end)")
    return p


def _ssogen_command() -> str:
    """How to run this ssogen again: ``ssogen`` when that is on PATH, else the script the
    demo was started as (``.venv/bin/ssogen`` after ``make demo``)."""
    import os
    import shutil
    from pathlib import Path

    if shutil.which("ssogen"):
        return "ssogen"
    here = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if here is None or here.name != "ssogen":
        return f"{os.path.relpath(sys.executable)} -m ssogen"
    relative = os.path.relpath(here)
    return str(here) if relative.startswith("..") else relative


def _heading(text: str) -> None:
    from ssogen.ui import terminal as ui

    print(f"\n{ui.style('==> ' + text, 'bold')}", flush=True)


def _say(text: str, indent: str = "  ") -> None:
    """A line of the demo's own narration; on a terminal wrapped at words to its width, the
    lines after the first indented by ``indent`` more (a log or pipe gets it whole)."""
    from ssogen.ui.textfit import wrap

    print(wrap(text, indent=indent) if sys.stdout.isatty() else text, flush=True)


def _say_command(argv: list[str]) -> None:
    """A command the demo runs, as it would be typed; on a terminal broken over ``\\``
    lines to fit its width (a log or pipe gets one line)."""
    from ssogen.ui.textfit import wrap_command

    print(wrap_command(argv, None if sys.stdout.isatty() else 0), flush=True)


def _sandbox(keep: str | None) -> tuple[Path, bool]:
    """The sandbox directory, and whether it is temporary (removed at the end): ``--keep DIR``
    when given (new or with an empty ``home``, so that no earlier config is mixed in), else a
    new temporary directory."""
    import tempfile
    from pathlib import Path

    from ssogen.errors import UsageError

    if not keep:
        return Path(tempfile.mkdtemp(prefix="ssogen-demo-")), True
    root = Path(keep).expanduser().resolve()
    root.mkdir(parents=True, exist_ok=True)
    if (root / "home").exists() and any((root / "home").iterdir()):
        raise UsageError(f"{root / 'home'} is not empty",
                         hint="give --keep a new or empty directory")
    return root, False


def _child_env(home: Path, config: Path, args: argparse.Namespace) -> dict[str, str]:
    """The environment of every child process: HOME and the AWS files in the sandbox, nothing
    that points at real AWS or another config, no proxy for the local emulator."""
    import os

    env = {k: v for k, v in os.environ.items() if k not in _SCRUB}
    env.update({"HOME": str(home), "AWS_CONFIG_FILE": str(config),
                "AWS_SHARED_CREDENTIALS_FILE": str(home / ".aws" / "credentials"),
                "USERPROFILE": str(home), "AWS_PAGER": ""})
    # the emulator is on 127.0.0.1: never through a proxy the caller may have configured
    local = "127.0.0.1,localhost"
    for key in ("NO_PROXY", "no_proxy"):
        env[key] = f"{env[key]},{local}" if env.get(key) else local
    if args.yes:
        env.pop("BROWSER", None)
    if args.no_color:
        env["NO_COLOR"] = "1"
    return env


def _introduce(emu: Emulator, org: Organization, home: Path, *, temporary: bool,
               yes: bool) -> None:
    """What runs where: the emulator, the sandbox, who approves the login."""
    from ssogen.ui.render import count

    _heading("The built-in IAM Identity Center emulator")
    _say(f"  running at {emu.url} with {count(len(org), 'account')} and "
         f"{count(org.role_count, 'role')} (a sample organisation)")
    if temporary:
        _say("  sandbox: a temporary HOME (your real ~/.aws is not touched), removed when "
             "the demo ends (--keep DIR keeps it)", indent=" " * len("sandbox: "))
    else:
        _say(f"  sandbox HOME: {home}  (kept; your real ~/.aws is not touched)")
    if yes:
        _say("  the emulator approves the login code by itself (--yes), as you would in the "
             "browser")
    else:
        _say(f"  approve the login in a browser at {emu.url}/device when asked")


def _setup(env: dict[str, str], home: Path, *, yes: bool) -> int:
    """The real ``ssogen setup`` in a child process; its exit code (an interruption, a
    signal included, as ``EXIT_INTERRUPTED``)."""
    import subprocess

    from ssogen.errors import EXIT_INTERRUPTED
    from ssogen.ui import terminal as ui

    _heading("ssogen setup" + (" --yes" if yes else ""))
    cmd = [sys.executable, "-m", "ssogen", "setup", "--start-url", START_URL,
           "--sso-region", SSO_REGION, "--session", SESSION]
    if yes:
        cmd += ["--yes", "--no-browser"]
    _say_command(["ssogen", *cmd[3:]])
    proc = subprocess.run(cmd, env=env, cwd=str(home), check=False)
    if proc.returncode == EXIT_INTERRUPTED or proc.returncode < 0:
        return EXIT_INTERRUPTED
    if proc.returncode != 0:
        ui.error(f"setup exited {proc.returncode} (see above)")
    return proc.returncode


def _show_config(config: Path) -> list[str]:
    """The written config, shown; the names of its profiles."""
    _heading("The written config (~/.aws/config in the sandbox)")
    text = config.read_text(encoding="utf-8") if config.exists() else ""
    sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
    return [line.strip()[len("[profile "):-1] for line in text.splitlines()
            if line.strip().startswith("[profile ") and line.strip().endswith("]")]


def _use_profile(pick: str, env: dict[str, str], home: Path) -> bool:
    """Credentials for ``pick`` resolved by boto3 (the key id masked), then the two calls a
    user makes next: by the AWS CLI v1 when it is installed, else by boto3. False (reported)
    when one fails."""
    import json
    import subprocess

    from ssogen.ui import terminal as ui

    _heading(f"Credentials for profile {pick}, resolved by boto3")
    # one Python expression: nothing to break it at (80 columns hold it for this profile)
    print(f'  >>> boto3.Session(profile_name="{pick}").get_credentials()', flush=True)
    cli_version = _aws_cli_v1_version()
    argv = [sys.executable, "-c", _RESOLVE, pick] + ([] if cli_version else ["calls"])
    res = subprocess.run(argv, env=env, cwd=str(home), capture_output=True, text=True,
                         check=False)
    if res.returncode != 0:
        last = (res.stderr.strip().splitlines() or ["?"])[-1]
        ui.error(f"boto3 could not resolve credentials for {pick}: {last[:200]}")
        return False
    data = json.loads(res.stdout)
    print(f"  access key id {data['key']}  (method {data['method']}, session token "
          f"{'present' if data['token'] else 'missing'}, region {data['region']})")
    if cli_version:
        return _aws_cli(pick, cli_version, env, home)
    # no AWS CLI v1 here: the same two calls, by boto3
    print(f"  aws sts get-caller-identity --profile {pick}  →  {data['arn']}")
    buckets = ", ".join(data["buckets"]) or "(no buckets)"
    print(f"  aws s3 ls --profile {pick}  →  {buckets}")
    return True


def _farewell(profiles: list[str], root: Path, home: Path, config: Path, *,
              temporary: bool) -> None:
    """What was done, and what to run on the person's own machine."""
    import shutil

    from ssogen.ui import terminal as ui
    from ssogen.ui.render import count

    print(f"\n{ui.style('Done.', 'green')} {count(len(profiles), 'profile')}, one "
          "login.\nOn your machine, the same wizard against your IAM Identity Center:\n"
          f"  {_ssogen_command()} setup\n"
          "then, with one of the profiles it writes:\n"
          "  aws s3 ls --profile <profile>")
    if shutil.which("ssogen") is None:
        print("ssogen is not on your PATH yet: `make install` puts it there (with "
              "pipx or uv).")
    if not temporary:
        print(f"\nThe sandbox is kept in {root} "
              f"(try: AWS_CONFIG_FILE={config} HOME={home} aws configure list-profiles)")


def run(args: argparse.Namespace) -> int:
    import shutil

    from ssogen.emulator import Emulator, Organization
    from ssogen.errors import UsageError
    from ssogen.ui import terminal as ui
    from ssogen.ui.render import suggest_profile

    if not args.yes and not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("the demo asks questions and needs a terminal",
                         hint="run `ssogen demo --yes` for the unattended version")
    root, temporary = _sandbox(args.keep)
    home = root / "home"
    home.mkdir(exist_ok=True)
    config = home / ".aws" / "config"
    env = _child_env(home, config, args)

    org = Organization.sample()
    # --yes: the emulator approves once the prompt is shown (one pending poll), as a person would
    emu = Emulator(org, auto_approve_after=1 if args.yes else None)
    try:
        with emu:
            env.update(emu.endpoint_env())
            _introduce(emu, org, home, temporary=temporary, yes=args.yes)
            code = _setup(env, home, yes=args.yes)
            if code != 0:
                return code
            profiles = _show_config(config)
            if not profiles:
                ui.error("setup wrote no profiles")
                return 1
            pick = suggest_profile(profiles) or profiles[0]  # the one setup suggested
            if not _use_profile(pick, env, home):
                return 1
            _farewell(profiles, root, home, config, temporary=temporary)
            return 0
    finally:
        if temporary:
            shutil.rmtree(root, ignore_errors=True)
