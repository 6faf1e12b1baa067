"""No escape sequence from outside reaches the terminal (issue 12 finding 4): an error code an
endpoint returns, a comment in the user's file shown in a diff, an account name -- every byte
ssogen prints is scanned for ESC, BEL and the C1 CSI, which would change the window title,
clear the screen or hide text."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Sandbox
from ssogen.emulator import Emulator

HOSTILE = "X\x1b]0;PWNED\x07\x1b[2J\x9b31m"
CONTROL = re.compile(rb"[\x1b\x07]|\xc2\x9b")  # ESC, BEL, CSI (U+009B in UTF-8)


def raw_run(sandbox: Sandbox, *args: str) -> subprocess.CompletedProcess[bytes]:
    """``ssogen ARGS`` with its output as bytes (as the terminal would get it)."""
    env = dict(sandbox.env)
    env.pop("NO_COLOR", None)  # colour off by itself: the output is not a terminal
    return subprocess.run([sys.executable, "-m", "ssogen", *args], env=env,
                          capture_output=True, timeout=120, cwd=str(sandbox.home), check=False)


def assert_clean(proc: subprocess.CompletedProcess[bytes]) -> None:
    for name, data in (("stdout", proc.stdout), ("stderr", proc.stderr)):
        found = CONTROL.search(data)
        assert found is None, f"{name} has a raw control sequence: {data[:300]!r}"
    assert b"Traceback" not in proc.stderr


@pytest.fixture
def logged_in(sandbox: Sandbox, emulator: Emulator) -> Sandbox:
    emulator.auto_approve_after = 0
    sandbox.use_emulator(emulator, profile=(emulator.org.accounts()[0].id,
                                            emulator.org.accounts()[0].roles[0]))
    assert sandbox.run("login", "--session", "acme", "--no-browser").returncode == 0
    return sandbox


@pytest.mark.parametrize("api, args", [
    ("ListAccounts", ["list", "--session", "acme"]),
    ("ListAccountRoles", ["list", "--session", "acme"]),
    ("GetRoleCredentials", ["export-credentials", "--profile", "acme-ro"]),
])
def test_hostile_error_codes_from_the_portal_are_escaped(
        logged_in: Sandbox, emulator: Emulator, api: str, args: list[str]) -> None:
    emulator.force_error(api, HOSTILE, HOSTILE, times=100)
    proc = raw_run(logged_in, *args)
    assert proc.returncode in (2, 3, 4, 5), proc.stderr
    assert b"PWNED" in proc.stderr  # said, visibly escaped
    assert_clean(proc)


def test_a_hostile_error_code_from_the_login_is_escaped(sandbox: Sandbox,
                                                       emulator: Emulator) -> None:
    sandbox.use_emulator(emulator)
    emulator.force_error("CreateToken", HOSTILE, HOSTILE, times=100)
    proc = raw_run(sandbox, "login", "--session", "acme", "--no-browser")
    assert proc.returncode == 3
    assert_clean(proc)


def test_comments_with_escapes_are_escaped_in_diffs(sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.aws.mkdir()
    sandbox.config.write_text(f"# {HOSTILE}\n[default]\nregion = us-east-1 ; {HOSTILE}\n",
                              encoding="utf-8")
    inventory = tmp_path / "inv.json"
    inventory.write_text(json.dumps({
        "session": "acme", "start_url": "https://acme.awsapps.com/start",
        "sso_region": "eu-west-1",
        "accounts": [{"id": "111111111111", "name": HOSTILE, "roles": ["Admin"]}]}))
    for args in (["setup", "--yes", "--dry-run"], ["setup", "--yes", "-v"]):
        proc = raw_run(sandbox, *args, "--inventory", str(inventory))
        assert proc.returncode == 0, proc.stderr
        assert_clean(proc)
    sandbox.config.write_text(sandbox.config.read_text() + f"\n; {HOSTILE} later\n",
                              encoding="utf-8")
    proc = raw_run(sandbox, "sync", "--check", "--inventory", str(inventory))
    assert_clean(proc)
    proc = raw_run(sandbox, "doctor", "--no-login")
    assert_clean(proc)


def _printable_text_line_by_line(text: str) -> str:
    """printable_text as it was written first: each line checked on its own."""
    from ssogen.ui.terminal import _escape

    lines = text.replace("\r\n", "\n").split("\n")
    if all(line.isprintable() for line in lines):
        return "\n".join(lines)
    return "\n".join("".join(ch if ch.isprintable() or ch == "\t" else _escape(ch)
                             for ch in line) for line in lines)


@pytest.mark.parametrize("text", [
    "", "\n", "a\nb\n", "a\r\nb\r\n", "tab\there\n", "esc\x1b[2J\n", "bel\x07", "\r", "a\rb",
    "nbsp\u00a0x\n", "ls\u2028ps\u2029\n", "zoë — ok\n", "\x00", "\ufeffbom\n", "\n\n\x9b\n"])
def test_printable_text_checks_the_whole_text_at_once_with_the_same_result(text: str) -> None:
    """A big diff is checked without a string per line; what is shown is unchanged."""
    from ssogen.ui.terminal import printable_text

    assert printable_text(text) == _printable_text_line_by_line(text)
