"""Chained profiles end to end with clients we did not write: right after ``ssogen setup --yes
--chain ...`` (a device-code login against the emulator), boto3, the AWS CLI v1 from the venv
and Debian's AWS CLI v2 resolve the chained profile -- SSO role credentials for its
``source_profile``, then STS AssumeRole -- and ``get-caller-identity`` names the assumed role.

Every client runs in a subprocess in the sandbox HOME, pointed at the emulator by
``Emulator.endpoint_env()`` (CLI v2 2.9.19 through endpoint rule sets in ``AWS_DATA_PATH``, see
test_interop_e2e), with a proxy that refuses everything for real AWS."""

from __future__ import annotations

import configparser
import json
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from ssogen.emulator import Emulator
from test_interop_e2e import (
    REGION,
    SESSION,
    START_URL,
    RefusingProxy,
    aws_v1,
    aws_v2,
    endpoint_rulesets,
    needs_v2,
    requests,
    run_client,
)

pytestmark = pytest.mark.interop

PROD, STAGING = "210987654321", "345678901234"
SAME_ACCOUNT = ("acme-prod-*=arn:aws:iam::{{ account_id }}:role/OrganizationAccountAccessRole"
                ";role_session_name=ssogen-chain")
DEPLOY = (f"acme-prod-read-only-access=arn:aws:iam::{STAGING}:role/ci/Deploy:"
          "{{ source }}-deploy;duration_seconds=900")
ORG_CHAIN = "acme-prod-read-only-access-to-organization-account-access-role"
DEPLOY_CHAIN = "acme-prod-read-only-access-deploy"

BOTO3 = """\
import json, sys
import boto3
out = {}
for profile in sys.argv[1:]:
    ident = boto3.Session(profile_name=profile).client("sts").get_caller_identity()
    out[profile] = {"account": ident["Account"], "arn": ident["Arn"]}
print(json.dumps(out))
"""


@pytest.fixture
def emulator(make_emulator: Any) -> Emulator:
    return make_emulator(auto_approve_after=0)


@pytest.fixture
def proxy() -> Iterator[RefusingProxy]:
    p = RefusingProxy()
    yield p
    p.close()


def set_up_with_chains(sandbox: Any, emu: Emulator, proxy: RefusingProxy) -> dict[str, dict]:
    """``ssogen setup --yes --chain ...`` logged in at the emulator; the profiles written."""
    sandbox.env.update(emu.endpoint_env())
    sandbox.env.update({"HTTPS_PROXY": proxy.url, "NO_PROXY": "127.0.0.1,localhost",
                        "AWS_PAGER": ""})
    for k in ("https_proxy", "HTTP_PROXY", "http_proxy", "no_proxy", "ALL_PROXY", "all_proxy",
              "AWS_CA_BUNDLE", "AWS_DATA_PATH", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE"):
        sandbox.env.pop(k, None)
    sandbox.run("setup", "--yes", "--no-browser", "--start-url", START_URL, "--sso-region",
                REGION, "--session", SESSION, "--chain", SAME_ACCOUNT, "--chain", DEPLOY,
                check=True, timeout=60)
    cp = configparser.RawConfigParser(strict=True)
    cp.read(sandbox.config)
    return {s[len("profile "):]: dict(cp[s]) for s in cp.sections() if s.startswith("profile ")}


def assumed(account: str, role: str, session: str) -> str:
    return f"arn:aws:sts::{account}:assumed-role/{role}/{session}"


def test_setup_writes_the_chains_a_login_resolves(sandbox: Any, emulator: Emulator,
                                                  proxy: RefusingProxy,
                                                  _secret_scan: Any) -> None:
    profiles = set_up_with_chains(sandbox, emulator, proxy)
    assert profiles[ORG_CHAIN] == {
        "source_profile": "acme-prod-read-only-access",
        "role_arn": f"arn:aws:iam::{PROD}:role/OrganizationAccountAccessRole",
        "role_session_name": "ssogen-chain", "sso_session": SESSION, "region": REGION,
        "output": "json", "ssogen_managed": "true"}
    assert profiles[DEPLOY_CHAIN]["duration_seconds"] == "900"
    chained = [n for n, p in profiles.items() if "role_arn" in p]
    assert len(chained) == 5  # four acme-prod roles to OrganizationAccountAccessRole, one deploy
    proc = run_client(sandbox, _secret_scan, [sys.executable, "-c", BOTO3, ORG_CHAIN,
                                              DEPLOY_CHAIN])
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out[ORG_CHAIN] == {"account": PROD, "arn": assumed(
        PROD, "OrganizationAccountAccessRole", "ssogen-chain")}
    assert out[DEPLOY_CHAIN]["account"] == STAGING
    assert out[DEPLOY_CHAIN]["arn"].startswith(
        f"arn:aws:sts::{STAGING}:assumed-role/Deploy/botocore-session-")
    calls = requests(emulator)
    assert calls["StartDeviceAuthorization"] == 1  # ssogen's login only
    assert calls["AssumeRole"] == 2 and calls["GetRoleCredentials"] >= 1
    assert proxy.requests == []
    # and again: nothing to change
    assert sandbox.run("sync", "--check", "--no-login").returncode == 0


def test_aws_cli_v1_resolves_the_chained_profile(sandbox: Any, emulator: Emulator,
                                                 proxy: RefusingProxy,
                                                 _secret_scan: Any) -> None:
    set_up_with_chains(sandbox, emulator, proxy)
    who = aws_v1(sandbox, _secret_scan, "sts", "get-caller-identity", "--profile", ORG_CHAIN)
    assert who.returncode == 0, who.stderr
    ident = json.loads(who.stdout)
    assert ident["Arn"] == assumed(PROD, "OrganizationAccountAccessRole", "ssogen-chain")
    assert ident["Account"] == PROD
    deploy = aws_v1(sandbox, _secret_scan, "sts", "get-caller-identity", "--profile",
                    DEPLOY_CHAIN, "--query", "Account", "--output", "text")
    assert (deploy.returncode, deploy.stdout.strip()) == (0, STAGING), deploy.stderr
    assert requests(emulator)["AssumeRole"] == 2
    assert proxy.requests == []


@needs_v2
def test_aws_cli_v2_resolves_the_chained_profile(sandbox: Any, emulator: Emulator,
                                                 proxy: RefusingProxy,
                                                 _secret_scan: Any) -> None:
    set_up_with_chains(sandbox, emulator, proxy)
    models = endpoint_rulesets(emulator, sandbox.home.parent / "models")
    env: dict[str, str | None] = {"AWS_DATA_PATH": str(models)}
    who = aws_v2(sandbox, _secret_scan, "sts", "get-caller-identity", "--profile", ORG_CHAIN,
                 env=env)
    assert who.returncode == 0, who.stderr
    assert json.loads(who.stdout)["Arn"] == assumed(PROD, "OrganizationAccountAccessRole",
                                                    "ssogen-chain")
    assert requests(emulator)["AssumeRole"] == 1
    assert proxy.requests == []


def test_pruning_the_source_takes_its_chains_along(sandbox: Any, make_emulator: Any,
                                                   proxy: RefusingProxy,
                                                   _secret_scan: Any) -> None:
    """The role goes in Identity Center: its profile and its chains go stale together, and
    --prune removes them together -- no chain is left pointing at nothing."""
    emu = make_emulator(auto_approve_after=0)
    set_up_with_chains(sandbox, emu, proxy)
    emu.remove_role(PROD, "ReadOnlyAccess")
    proc = sandbox.run("sync", "--no-login", check=True)
    assert f"{ORG_CHAIN} (acme-prod-read-only-access → " in proc.stderr
    assert f"{DEPLOY_CHAIN} (acme-prod-read-only-access → " in proc.stderr
    assert "stale 3" in proc.stderr
    proc = sandbox.run("sync", "--no-login", "--prune", check=True)
    assert "removed 3" in proc.stderr
    cp = configparser.RawConfigParser(strict=True)
    cp.read(sandbox.config)
    left = {s[len("profile "):] for s in cp.sections() if s.startswith("profile ")}
    assert not {"acme-prod-read-only-access", ORG_CHAIN, DEPLOY_CHAIN} & left
    assert "acme-prod-administrator-access-to-organization-account-access-role" in left
    assert sandbox.run("sync", "--no-login", "--prune", "--check").returncode == 0
