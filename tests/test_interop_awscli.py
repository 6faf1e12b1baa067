"""Other parsers read what ssogen wrote: AWS CLI v2 (Debian's /usr/bin/aws), AWS CLI v1 (the
awscli package), botocore's Session in a fresh process."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ACME_INVENTORY, REPO, Sandbox

pytestmark = pytest.mark.interop

AWS_V2 = Path("/usr/bin/aws")
CORPUS = REPO / "tests" / "corpus"

EXPECTED = {  # profile -> (account, role)
    "prod-administrator-access": ("111111111111", "AdministratorAccess"),
    "prod-read-only-access": ("111111111111", "ReadOnlyAccess"),
    "dev-administrator-access": ("222222222222", "AdministratorAccess"),
    "audit-read-only-access": ("333333333333", "ReadOnlyAccess"),
    "audit-read-only-access-444444444444": ("444444444444", "ReadOnlyAccess"),
}

#: per corpus file: one of the user's own (non-ssogen) profiles, a key of it and its value
OWN_PROFILE = {
    "59_realistic_team.cfg": ("ci-deployer", "role_arn",
                              "arn:aws:iam::123456789012:role/Deployer"),
    "60_crlf_sso.cfg": ("corp-dev", "sso_account_id", "555555555555"),
}


@pytest.fixture(params=["59_realistic_team.cfg", "60_crlf_sso.cfg"])
def written(request: pytest.FixtureRequest, sandbox: Sandbox, acme_inventory: Path) -> Sandbox:
    """A realistic (or CRLF) config with ssogen's profiles added by the real CLI."""
    sandbox.aws.mkdir()
    shutil.copyfile(CORPUS / request.param, sandbox.config)
    sandbox.run("setup", "--yes", "--inventory", str(acme_inventory), "--region", "eu-west-1",
                "--output", "json", check=True)
    return sandbox


def _run(sandbox: Sandbox, *cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(cmd), env=sandbox.env, cwd=str(sandbox.home), capture_output=True,
                          text=True, timeout=120, check=False)


@pytest.mark.skipif(not AWS_V2.exists(), reason="AWS CLI v2 not installed at /usr/bin/aws "
                    "(.ci/run installs Debian's awscli package)")
def test_aws_cli_v2_reads_the_profiles(written: Sandbox, request: pytest.FixtureRequest,
                                       ) -> None:
    version = _run(written, str(AWS_V2), "--version")
    assert version.stdout.startswith("aws-cli/2"), version.stdout + version.stderr
    listed = _run(written, str(AWS_V2), "configure", "list-profiles")
    assert listed.returncode == 0, listed.stderr
    names = listed.stdout.split()
    assert set(EXPECTED) <= set(names)
    assert "default" in names and len(names) == len(set(names))
    for profile, (account, _role) in EXPECTED.items():
        got = _run(written, str(AWS_V2), "configure", "get", "sso_account_id",
                   "--profile", profile)
        assert got.returncode == 0 and got.stdout.strip() == account, got.stderr
    got = _run(written, str(AWS_V2), "configure", "get", "sso_role_name", "--profile",
               "audit-read-only-access-444444444444")
    assert got.stdout.strip() == "ReadOnlyAccess"
    got = _run(written, str(AWS_V2), "configure", "get", "region", "--profile",
               "dev-administrator-access")
    assert got.stdout.strip() == "eu-west-1"
    # the user's own profiles read as before: one per corpus file, always checked (never only
    # "if it is listed", which would pass if ssogen had dropped it)
    profile, key, value = OWN_PROFILE[request.node.callspec.params["written"]]
    assert profile in names, names
    got = _run(written, str(AWS_V2), "configure", "get", key, "--profile", profile)
    assert got.returncode == 0 and got.stdout.strip() == value, got.stderr


def test_aws_cli_v1_reads_the_profiles(written: Sandbox) -> None:
    pytest.importorskip("awscli")
    for profile, (account, _role) in EXPECTED.items():
        got = _run(written, sys.executable, "-m", "awscli", "configure", "get",
                   "sso_account_id", "--profile", profile)
        assert got.returncode == 0, got.stderr
        assert got.stdout.strip() == account
    got = _run(written, sys.executable, "-m", "awscli", "configure", "get", "sso_role_name",
               "--profile", "audit-read-only-access-444444444444")
    assert got.stdout.strip() == "ReadOnlyAccess", got.stderr
    # resolving credentials follows sso_session to [sso-session acme]: no token in this
    # sandbox, and v1 says so for exactly that session
    got = _run(written, sys.executable, "-m", "awscli", "configure", "list", "--profile",
               "dev-administrator-access")
    assert "Token for acme does not exist" in got.stderr, got.stdout + got.stderr


def test_botocore_session_resolves_each_profile(written: Sandbox) -> None:
    code = """
import json, botocore.session
out = {}
for name in json.loads(input()):
    s = botocore.session.Session(profile=name)
    scoped = s.get_scoped_config()
    out[name] = {k: scoped.get(k) for k in ("sso_session", "sso_account_id", "sso_role_name",
                                             "region", "output")}
    out["_sessions"] = sorted(s.full_config["sso_sessions"])
    out["_session"] = s.full_config["sso_sessions"]["acme"]
print(json.dumps(out))
"""
    proc = subprocess.run([sys.executable, "-c", code], input=json.dumps(list(EXPECTED)),
                          env=written.env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    for profile, (account, role) in EXPECTED.items():
        assert out[profile] == {"sso_session": "acme", "sso_account_id": account,
                                "sso_role_name": role, "region": "eu-west-1",
                                "output": "json"}
    assert "acme" in out["_sessions"]
    assert out["_session"]["sso_start_url"] == ACME_INVENTORY["start_url"]
    assert out["_session"]["sso_region"] == "eu-west-1"
    assert out["_session"]["sso_registration_scopes"] == "sso:account:access"
