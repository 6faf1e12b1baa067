"""The suite-wide secret scan (tests/conftest.py) really catches leaks, wherever they surface."""

from __future__ import annotations

from pathlib import Path

from conftest import find_leaks

pytest_plugins = ["pytester"]

INNER_TESTS = '''
import logging
import os
import sys

import pytest


def client_secret(emu):
    return emu.register_client({"clientName": "t", "clientType": "public"})["clientSecret"]


def test_clean(emulator):
    client_secret(emulator)
    print("no secret here")


def test_stdout(emulator):
    print(client_secret(emulator))


def test_stderr_already_read(emulator, capsys):
    sys.stderr.write(client_secret(emulator))
    assert capsys.readouterr().err


def test_log_record(emulator):
    logging.getLogger("ssogen.anything").warning("token=%s", client_secret(emulator))


def test_fd_of_a_subprocess(emulator, capfd):
    os.system("echo " + client_secret(emulator))


def test_sandbox_output(emulator, sandbox):
    secret = client_secret(emulator)
    sandbox.python(f"print({secret[::-1]!r}[::-1])")  # only the subprocess output has it


@pytest.mark.role_credentials_in_output
def test_marker_never_excuses_login_secrets(emulator):
    print(client_secret(emulator))
'''


def test_scan_flags_every_channel(pytester):
    conftest = Path(__file__).with_name("conftest.py").read_text()
    pytester.makeconftest(conftest)
    pytester.makepyfile(test_inner=INNER_TESTS)
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=7, errors=6)
    text = result.stdout.str()
    for name in ("stdout", "stderr_already_read", "log_record", "fd_of_a_subprocess",
                 "sandbox_output", "marker_never_excuses_login_secrets"):
        assert f"ERROR at teardown of test_{name} " in text, name
    assert "test_clean" not in text
    reports = [ln for ln in text.splitlines() if ln.startswith("secret scan:")]
    assert len(reports) == 6
    for line in reports:  # the kind of secret is named, never the secret itself
        assert "eyJ…(168 chars)" in line and "eyJraWQiOiJ" not in line


def test_find_leaks():
    assert find_leaks(["a tok-12345678 b"], ["tok-12345678", "other-1234567"]) == [
        "tok…(12 chars)"]
    assert find_leaks(["", "nothing"], ["tok-12345678"]) == []
    assert find_leaks(["short"], ["short"]) == []  # too short to be a secret
