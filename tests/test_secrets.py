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


NEW_CHANNELS = '''
import json
import signal
import subprocess
import sys
import urllib.request

import pexpect

from conftest import (observed_ssogen_argv, scan_emulator_secrets, scan_observed_secrets,
                      scan_output)


def client_secret(emu):
    return emu.register_client({"clientName": "t", "clientType": "public"})["clientSecret"]


def echo(secret):  # a child that prints the secret (its argv holds it only reversed)
    return [sys.executable, "-c", f"print({secret[::-1]!r}[::-1])"]


def test_clean_subprocess_and_pty(emulator):
    client_secret(emulator)
    subprocess.run([sys.executable, "-c", "print('nothing')"], capture_output=True)
    child = pexpect.spawn(sys.executable, ["-c", "print('nothing')"], encoding="utf-8")
    child.expect(pexpect.EOF)


def test_raw_subprocess_run(emulator):
    subprocess.run(echo(client_secret(emulator)), capture_output=True, text=True)


def test_popen_communicate_bytes(emulator):
    proc = subprocess.Popen(echo(client_secret(emulator)), stderr=subprocess.STDOUT,
                            stdout=subprocess.PIPE)
    proc.communicate()


def test_pexpect_child(emulator):
    argv = echo(client_secret(emulator))
    child = pexpect.spawn(argv[0], argv[1:], encoding="utf-8")
    child.expect(pexpect.EOF)


def test_pexpect_child_with_own_logfile(emulator, tmp_path):
    argv = echo(client_secret(emulator))
    child = pexpect.spawn(argv[0], argv[1:])  # bytes, like the wizard's log
    child.logfile_read = (tmp_path / "pty.log").open("wb")
    child.expect(pexpect.EOF)


def test_stream_read_by_the_test(emulator):
    proc = subprocess.Popen(echo(client_secret(emulator)), stdout=subprocess.PIPE, text=True)
    scan_output(proc.stdout.read())
    proc.wait()


def _cli_emulator(*argv):
    proc = subprocess.Popen([*argv, "emulator", "--generate", "1"], stdout=subprocess.PIPE,
                            text=True)
    for line in proc.stdout:
        if line.startswith("export AWS_ENDPOINT_URL_SSO_OIDC="):
            return proc, line.split("=", 1)[1].strip()
    raise AssertionError("no emulator")


def _register(url):
    req = urllib.request.Request(f"{url}/client/register", method="POST",
                                 data=json.dumps({"clientName": "t", "clientType": "public"}
                                                 ).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())["clientSecret"]


def test_emulator_in_another_process(tmp_path):
    proc, url = _cli_emulator(sys.executable, "-m", "ssogen")
    try:
        print(_register(url))  # not one in-process emulator: only the control API knows it
        scan_emulator_secrets(url)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=15)


def test_command_that_stops_its_own_emulator(tmp_path):
    dump = tmp_path / "secrets.jsonl"
    proc, url = _cli_emulator(*observed_ssogen_argv(dump))
    print(_register(url))
    proc.send_signal(signal.SIGINT)  # it stops, so the control API is gone; the dump stays
    proc.communicate(timeout=15)
    assert oct(dump.stat().st_mode & 0o777) == "0o600"
    scan_observed_secrets(dump)
'''

LEAKY = ("raw_subprocess_run", "popen_communicate_bytes", "pexpect_child",
         "pexpect_child_with_own_logfile", "stream_read_by_the_test",
         "emulator_in_another_process", "command_that_stops_its_own_emulator")


def test_scan_flags_every_new_channel(pytester):
    """Channels added for issues 3/5: raw subprocess output, pexpect children (with and without
    a log of the test's own), streams a test reads itself, and emulators in another process
    (known through the control API, or through the observer of a command that stops its own
    emulator, like ``ssogen demo``)."""
    conftest = Path(__file__).with_name("conftest.py").read_text()
    pytester.makeconftest(conftest)
    pytester.makepyfile(test_inner=NEW_CHANNELS)
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    text = result.stdout.str()
    result.assert_outcomes(passed=8, errors=len(LEAKY))
    for name in LEAKY:
        assert f"ERROR at teardown of test_{name} " in text, name
    assert "test_clean_subprocess_and_pty" not in text
    reports = [ln for ln in text.splitlines() if ln.startswith("secret scan:")]
    assert len(reports) == len(LEAKY)
    for line in reports:  # a client secret (eyJ…, 168 chars), named by its prefix only
        assert "eyJ…(168 chars)" in line and "eyJraWQiOiJ" not in line, line

def test_find_leaks():
    assert find_leaks(["a tok-12345678 b"], ["tok-12345678", "other-1234567"]) == [
        "tok…(12 chars)"]
    assert find_leaks(["", "nothing"], ["tok-12345678"]) == []
    assert find_leaks(["short"], ["short"]) == []  # too short to be a secret
