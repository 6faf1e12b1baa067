"""export-credentials against the emulator: every format, eval in bash, credential_process,
missing profile (2), not logged in (4). The token cache is written the way the AWS CLI v2
writes it, so these tests do not depend on ssogen's own login code."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from conftest import venv_bin_path
from ssogen.emulator import Emulator, Organization

START_URL = "https://acme.awsapps.com/start"
ACCOUNT, ROLE = "210987654321", "ReadOnlyAccess"


def _login(emu: Emulator) -> dict[str, str]:
    """A device-code login against the emulator, done with plain boto3 in this process."""
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    client = boto3.session.Session().client(
        "sso-oidc", region_name="eu-west-1", endpoint_url=emu.url,
        config=Config(signature_version=UNSIGNED))
    reg = client.register_client(clientName="test", clientType="public")
    auth = client.start_device_authorization(clientId=reg["clientId"],
                                             clientSecret=reg["clientSecret"],
                                             startUrl=START_URL)
    emu.approve(auth["userCode"])
    tok = client.create_token(grantType="urn:ietf:params:oauth:grant-type:device_code",
                              clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                              deviceCode=auth["deviceCode"])
    return {"accessToken": tok["accessToken"], "clientId": reg["clientId"],
            "clientSecret": reg["clientSecret"]}


def _export(sandbox, emu: Emulator, *args: str) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    """``ssogen export-credentials`` through ``Sandbox.run``: the shared secret scan allows role
    credentials on its stdout (that output *is* the credentials), nothing else anywhere."""
    proc = sandbox.run("export-credentials", *args)
    assert not any(s in proc.stderr for s in emu.issued_secrets() if len(s) >= 8)
    return proc


def _fmt(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def logged_in(sandbox):  # type: ignore[no-untyped-def]
    with Emulator(Organization.sample()) as emu:
        sandbox.use_emulator(emu, start_url=START_URL, profile=(ACCOUNT, ROLE))
        tok = _login(emu)
        now = datetime.now(timezone.utc)
        sandbox.cache.mkdir(parents=True)
        (sandbox.cache / (hashlib.sha1(b"acme").hexdigest() + ".json")).write_text(json.dumps({
            "startUrl": START_URL, "region": "eu-west-1", "accessToken": tok["accessToken"],
            "expiresAt": _fmt(now + timedelta(hours=1)), "clientId": tok["clientId"],
            "clientSecret": tok["clientSecret"],
            "registrationExpiresAt": _fmt(now + timedelta(days=80)),
        }))
        yield sandbox, emu


def _issued(emu: Emulator, secret: str) -> bool:
    return secret in emu.issued_secrets()


# boto3 in a subprocess prints the role credentials it resolved (that is the proof); the
# secret scan still fails the test on any token or client secret there
@pytest.mark.role_credentials_in_output
def test_env_format_and_eval_in_bash(logged_in) -> None:  # type: ignore[no-untyped-def]
    sandbox, emu = logged_in
    proc = _export(sandbox, emu, "--profile", "acme-ro")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    keys = [ln.split("=", 1)[0] for ln in lines]
    assert keys == ["export AWS_ACCESS_KEY_ID", "export AWS_SECRET_ACCESS_KEY",
                    "export AWS_SESSION_TOKEN", "export AWS_CREDENTIAL_EXPIRATION"]
    assert proc.stderr == ""  # nothing (and no secret) on stderr

    # the shell finds this venv's python and ssogen first (as after `pipx install ssogen`),
    # never a system Python without ssogen
    script = (
        'set -e\neval "$(ssogen export-credentials --profile acme-ro)"\n'
        "python -c 'import boto3; c = boto3.Session().get_credentials(); "
        'print(c.method, c.access_key, c.secret_key, c.token)\'\n'
    )
    out = subprocess.run(["bash", "-c", script], capture_output=True, text=True,
                         env=venv_bin_path(sandbox.env), cwd=str(sandbox.home), timeout=120)
    assert out.returncode == 0, out.stderr
    method, key, secret, token = out.stdout.split()
    assert method == "env"
    assert key.startswith("ASIA")
    assert _issued(emu, secret) and _issued(emu, token)


@pytest.mark.parametrize("fmt", ["json", "process"])
def test_json_formats(logged_in, fmt: str) -> None:  # type: ignore[no-untyped-def]
    sandbox, emu = logged_in
    proc = _export(sandbox, emu, "--profile", "acme-ro", "--format", fmt)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert (data.get("Version") == 1) == (fmt == "process")
    assert data["AccessKeyId"].startswith("ASIA")
    assert _issued(emu, data["SecretAccessKey"]) and _issued(emu, data["SessionToken"])
    exp = datetime.strptime(data["Expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=timezone.utc)
    assert timedelta(minutes=50) < exp - datetime.now(timezone.utc) < timedelta(minutes=70)


def test_powershell_format(logged_in) -> None:  # type: ignore[no-untyped-def]
    sandbox, emu = logged_in
    proc = _export(sandbox, emu, "--profile", "acme-ro", "--format", "powershell")
    assert proc.returncode == 0, proc.stderr
    values = {}
    for line in proc.stdout.splitlines():
        name, value = line.split("=", 1)
        assert name.startswith("$Env:AWS_")
        assert value.startswith("'") and value.endswith("'")
        values[name[5:]] = value[1:-1]
    assert _issued(emu, values["AWS_SECRET_ACCESS_KEY"])
    assert _issued(emu, values["AWS_SESSION_TOKEN"])


# boto3 in a subprocess prints the role credentials it resolved (that is the proof); the
# secret scan still fails the test on any token or client secret there
@pytest.mark.role_credentials_in_output
def test_process_format_works_as_credential_process(logged_in) -> None:  # type: ignore[no-untyped-def]
    sandbox, emu = logged_in
    with sandbox.config.open("a") as fh:
        fh.write("\n[profile via-process]\ncredential_process = "
                 f"{sys.executable} -m ssogen export-credentials --profile acme-ro "
                 "--format process\n")
    code = ("import boto3; c = boto3.Session(profile_name='via-process')"
            ".get_credentials(); print(c.method, c.secret_key)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=sandbox.env, cwd=str(sandbox.home), timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    method, secret = out.stdout.split()
    assert method == "custom-process"
    assert _issued(emu, secret)


def test_missing_profile_exit_2(logged_in) -> None:  # type: ignore[no-untyped-def]
    sandbox, _ = logged_in
    proc = sandbox.run("export-credentials", "--profile", "nope", "--format", "json")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.splitlines()[0].startswith("ssogen: error: profile 'nope' not found")


def test_not_logged_in_exit_4(logged_in) -> None:  # type: ignore[no-untyped-def]
    sandbox, emu = logged_in
    for f in sandbox.cache.iterdir():
        f.unlink()
    proc = sandbox.run("export-credentials", "--profile", "acme-ro")
    assert proc.returncode == 4, proc.stderr
    assert proc.stdout == ""
    assert "ssogen login --profile acme-ro" in proc.stderr
    assert not any(s in proc.stderr for s in emu.issued_secrets())


def test_role_gone_exit_5(logged_in) -> None:  # type: ignore[no-untyped-def]
    sandbox, emu = logged_in
    emu.org.remove_role(ACCOUNT, ROLE)
    proc = sandbox.run("export-credentials", "--profile", "acme-ro")
    assert proc.returncode == 5
    assert "not assigned" in proc.stderr


def test_a_chained_profile_without_a_region_is_a_config_error(logged_in) -> None:  # type: ignore[no-untyped-def]
    """botocore needs a region to call STS for a role_arn profile: said as the config
    problem it is (exit 2, the profile and the fix named), not an API failure's class name."""
    sandbox, emu = logged_in
    with sandbox.config.open("a") as fh:
        fh.write("\n[profile chained]\nsource_profile = acme-ro\n"
                 f"role_arn = arn:aws:iam::{ACCOUNT}:role/X\n")
    proc = sandbox.run("export-credentials", "--profile", "chained")  # no AWS_REGION either
    assert proc.returncode == 2, proc.stderr
    first = proc.stderr.splitlines()[0]
    assert first.startswith("ssogen: error: profile 'chained': no region"), proc.stderr
    assert "NoRegionError" not in proc.stderr and "region = " in proc.stderr
    assert not any(s in proc.stderr for s in emu.issued_secrets())


@pytest.mark.parametrize(("extra", "said"), [
    ("metadata_service_timeout = SECRETISH\n", "botocore cannot use one of its values"),
    ("credential_process = echo not-json\n", "its credential_process did not print JSON"),
], ids=["bad number", "process without JSON"])
def test_a_profile_value_botocore_cannot_use_is_one_line_exit_2(sandbox, extra: str,
                                                                said: str) -> None:  # type: ignore[no-untyped-def]
    """A value botocore fails on while it builds or runs the credential chain is a config
    error naming the profile -- not an internal error (exit 70), and not the value itself."""
    sandbox.aws.mkdir()
    keys = ("aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
            if "credential_process" not in extra else "")
    sandbox.config.write_text(f"[profile x]\n{keys}{extra}")
    proc = sandbox.run("export-credentials", "--profile", "x", "--format", "json")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"ssogen: error: profile 'x': {said}"), proc.stderr
    assert "Traceback" not in proc.stderr and "SECRETISH" not in proc.stderr
    assert proc.stdout == ""
