"""``ssogen demo --yes``: end to end in a fresh HOME, never touching $HOME/.aws."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
from pathlib import Path

import pytest

from conftest import observed_ssogen_argv, scan_observed_secrets

PROFILE = "acme-prod-read-only-access"


def have_awscli() -> bool:
    return importlib.util.find_spec("awscli") is not None


def assert_real_cli_output(out: str) -> None:
    """The demo's last step as the AWS CLI v1 prints it: `aws s3 ls` lines, then the JSON of
    `aws sts get-caller-identity` -- and no boto3 stand-in."""
    assert have_awscli(), "the AWS CLI v1 (awscli) is a test dependency"
    m = re.search(r"==> What you run next, by the AWS CLI (1\.\d+\.\d+) \(no second login\)\n"
                  rf"  \$ aws s3 ls --profile {PROFILE}\n"
                  r"  (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d acme-prod-app-data-210987654321)\n"
                  r"  (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d acme-prod-logs-210987654321)\n"
                  rf"  \$ aws sts get-caller-identity --profile {PROFILE}\n"
                  r"((?:  .*\n)+)\nDone\.", out)
    assert m, out
    ident = json.loads(m.group(4))
    assert ident["Account"] == "210987654321"
    assert re.fullmatch(r"arn:aws:sts::210987654321:assumed-role/AWSReservedSSO_ReadOnlyAccess_"
                        r"[0-9a-f]{16}/\S+", ident["Arn"])
    assert "  →  " not in out  # the boto3 fallback did not run


def run_demo(sandbox, tmp_path: Path, *args: str, env: dict[str, str] | None = None,
             timeout: float = 120,
             ) -> tuple[subprocess.CompletedProcess[str], list[str]]:  # type: ignore[no-untyped-def]
    """``ssogen demo ARGS`` in the sandbox; the demo's own emulator (in its process) reports
    what it issued to the suite's secret scan (conftest: observed_ssogen_argv), so a token
    or credential in the demo's output fails the test. Returns the run and those secrets."""
    secrets = tmp_path / "demo-secrets.jsonl"
    full = dict(sandbox.env)
    full.update(env or {})
    proc = subprocess.run(observed_ssogen_argv(secrets, "demo", *args), env=full,
                          capture_output=True, text=True, timeout=timeout,
                          cwd=str(sandbox.home), check=False)
    issued = scan_observed_secrets(secrets) if secrets.exists() else []
    return proc, issued


@pytest.mark.slow
def test_demo_yes_in_fresh_home(sandbox, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sandbox.env.pop("AWS_CONFIG_FILE")  # the demo must not need (or use) the caller's config
    proc, issued = run_demo(sandbox, tmp_path, "--yes")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # the scan knows the demo's secrets: its login (client secret, access and refresh token)
    # and the role credentials boto3 and the AWS CLI resolved
    assert len(issued) >= 5, len(issued)
    assert not sandbox.aws.exists(), "the demo wrote into $HOME/.aws"
    out = proc.stdout
    assert "[sso-session acme-demo]" in out
    assert out.count("[profile ") == 16  # the sample organisation: 6 accounts, 16 roles
    m = re.search(r"access key id (ASIA…[A-Z0-9]{4})\s+\(method sso, session token present",
                  out)
    assert m, out
    # what a user runs next, by the real AWS CLI (v1, from PyPI, installed here), against the
    # emulator's STS and S3, with the login `ssogen setup` cached
    assert_real_cli_output(out)
    # the approval URL a person would open is shown; the sandbox is said to be temporary,
    # and no path of it is printed that is gone afterwards
    assert re.search(r"http://127\.0\.0\.1:\d+/device", proc.stderr)
    assert "sandbox: a temporary HOME" in out
    for path in set(re.findall(r"/\S*ssogen-demo-\S*", out + proc.stderr)):
        pytest.fail(f"the demo printed {path}, a sandbox path it deletes")
    # the profile setup suggests next is the one the demo then shows
    suggested = re.search(r"next: aws s3 ls --profile (\S+)", proc.stderr)
    assert suggested and suggested.group(1) == PROFILE, proc.stderr
    assert f"==> Credentials for profile {PROFILE}, resolved by boto3" in out
    # and how to run ssogen afterwards, with or without it on PATH
    assert re.search(r"On your machine, the same wizard .*\n  .*ssogen setup\n", out), out


def test_demo_keep(sandbox, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    keep = tmp_path / "kept"
    proc, _ = run_demo(sandbox, tmp_path, "--yes", "--keep", str(keep))
    assert proc.returncode == 0, proc.stderr
    config = keep / "home" / ".aws" / "config"
    assert "[sso-session acme-demo]" in config.read_text()
    assert f"sandbox HOME: {keep / 'home'}  (kept" in proc.stdout  # a kept path is shown
    assert list((keep / "home" / ".aws" / "sso" / "cache").glob("*.json"))
    assert not sandbox.aws.exists()
    # a second run into the same (now non-empty) directory refuses, in one line
    again, _ = run_demo(sandbox, tmp_path, "--yes", "--keep", str(keep))
    assert again.returncode == 2
    assert again.stderr.startswith("ssogen: error: ")


def test_demo_without_terminal_needs_yes(sandbox) -> None:  # type: ignore[no-untyped-def]
    proc = sandbox.run("demo")
    assert proc.returncode == 2
    assert "--yes" in proc.stderr
    assert not sandbox.aws.exists()


@pytest.mark.pty
@pytest.mark.slow
def test_demo_interactive_person_approves_in_browser(sandbox, tmp_path: Path,
                                                     ) -> None:  # type: ignore[no-untyped-def]
    """Without --yes: the local approval URL and code are shown, a person approves them on the
    emulator's page (here: the form POST a browser sends), then answers the wizard."""
    import time
    import urllib.parse
    import urllib.request

    pexpect = pytest.importorskip("pexpect")
    env = dict(sandbox.env)
    env.update({"TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"})
    secrets = tmp_path / "demo-secrets.jsonl"  # the scan learns what the demo issued
    argv = observed_ssogen_argv(secrets, "demo")
    child = pexpect.spawn(argv[0], argv[1:], env=env,
                          cwd=str(sandbox.home), dimensions=(40, 120), encoding="utf-8",
                          timeout=60)
    child.expect(r"(http://127\.0\.0\.1:\d+/device)\s")
    url = child.match.group(1)
    child.expect(r"enter the code:\s+([A-Z]{4}-[A-Z]{4})")
    code = child.match.group(1)
    body = urllib.parse.urlencode({"user_code": code, "action": "approve"}).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=10) as resp:
        assert b"Request approved" in resp.read()
    for question in ("How should the profiles be named", "Which roles", "Which accounts",
                     "Default region", "Default output", "Different region"):
        child.expect(question)
        time.sleep(0.15)
        child.send("\r")
    child.expect("Write these changes")
    time.sleep(0.15)
    child.send("y")
    child.expect(r"access key id ASIA…")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert not sandbox.aws.exists()
    assert len(scan_observed_secrets(secrets)) >= 5


@pytest.mark.slow
def test_demo_without_aws_cli_falls_back_to_boto3(sandbox, tmp_path: Path,
                                                  ) -> None:  # type: ignore[no-untyped-def]
    """No AWS CLI v1 importable (a shadowing package that cannot be imported): the same two
    calls by boto3, summarised on one line each."""
    shadow = tmp_path / "shadow" / "awscli"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('no AWS CLI here')\n")
    proc, _ = run_demo(sandbox, tmp_path, "--yes", env={"PYTHONPATH": str(shadow.parent)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert re.search(rf"  aws sts get-caller-identity --profile {PROFILE}  →  "
                     r"arn:aws:sts::210987654321:assumed-role/AWSReservedSSO_ReadOnlyAccess_"
                     r"[0-9a-f]{16}/\S+\n", out), out
    assert re.search(rf"  aws s3 ls --profile {PROFILE}  →  "
                     r"acme-prod-app-data-210987654321, acme-prod-logs-210987654321\n", out), out
    assert "What you run next, by the AWS CLI" not in out


@pytest.mark.pty
@pytest.mark.slow
def test_demo_narration_fits_an_80_column_terminal(sandbox, tmp_path: Path,
                                                   ) -> None:  # type: ignore[no-untyped-def]
    """At 80x24 the demo's own lines are wrapped where a person reads them: prose at words
    (continuation indented), the commands it runs over `` \\`` lines between arguments --
    never cut mid-word by the terminal (``eu`` / ``-west-1``)."""
    pytest.importorskip("pexpect")
    pytest.importorskip("pyte")
    import sys

    from ptyscreen import PtyScreen

    env = dict(sandbox.env)
    env["NO_COLOR"] = "1"
    screen = PtyScreen([sys.executable, "-m", "ssogen", "demo", "--yes"], env=env,
                       cwd=sandbox.home, rows=24, cols=80, timeout=120,
                       log=tmp_path / "pty.log")
    try:
        assert screen.finish() == 0, "\n".join(screen.everything)
    finally:
        screen.close()
    rows = screen.everything
    at = next(i for i, row in enumerate(rows) if row.startswith("  $ ssogen setup"))
    assert rows[at:at + 2] == [
        "  $ ssogen setup --start-url https://acme-demo.awsapps.com/start \\",
        "      --sso-region eu-west-1 --session acme-demo --yes --no-browser"], rows[at:at + 3]
    intro = next(i for i, row in enumerate(rows) if row.startswith("  running at "))
    assert rows[intro].endswith("(a sample") and rows[intro + 1] == "    organisation)", \
        rows[intro:intro + 2]
    assert f'  >>> boto3.Session(profile_name="{PROFILE}").get_credentials()' in rows
    assert f"  $ aws s3 ls --profile {PROFILE}" in rows
