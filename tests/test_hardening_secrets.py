"""Secrets at the highest verbosity (issue 5): ``-vvv`` turns on botocore's own debug log,
which prints request headers and request/response bodies -- the bearer token, client secret,
device code, refresh token and role credentials. ssogen redacts them in every log record, so
even a debug log pasted into a bug report carries no secret. (The suite-wide secret scan in
conftest.py checks every other test's output too.)"""

from __future__ import annotations

import pytest

from conftest import Sandbox

START_URL = "https://acme.awsapps.com/start"


@pytest.mark.parametrize("args", [
    ["login", "--session", "acme", "--force", "--no-browser"],
    ["list", "--session", "acme", "--json"],
    ["export-credentials", "--profile", "acme-ro", "--format", "json"],
    ["setup", "--yes", "--no-browser", "--start-url", START_URL, "--sso-region", "eu-west-1",
     "--session", "acme"],
])
def test_debug_log_shows_requests_but_no_secret(sandbox: Sandbox, make_emulator,  # type: ignore[no-untyped-def]
                                                args: list[str]) -> None:
    emu = make_emulator(auto_approve_after=0, interval=0)
    sandbox.env.update(emu.endpoint_env())
    sandbox.aws.mkdir()
    sandbox.config.write_text(
        f"[sso-session acme]\nsso_start_url = {START_URL}\nsso_region = eu-west-1\n"
        "sso_registration_scopes = sso:account:access\n\n[profile acme-ro]\n"
        "sso_session = acme\nsso_account_id = 210987654321\nsso_role_name = ReadOnlyAccess\n")
    if args[0] != "login":
        assert sandbox.run("login", "--session", "acme", "--no-browser").returncode == 0
    proc = sandbox.run(*args, "-vvv")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "botocore" in proc.stderr and "<redacted>" in proc.stderr  # the debug log is there
    secrets = emu.issued_secrets()
    assert secrets
    leaked = [s[:3] for s in secrets if s in proc.stderr]
    assert not leaked, f"{len(leaked)} secret(s) in the -vvv log"
    if args[0] != "export-credentials":
        assert not [s for s in secrets if s in proc.stdout]
