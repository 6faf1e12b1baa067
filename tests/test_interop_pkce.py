"""Each tool reuses and refreshes the other's login and role credentials: ssogen's PKCE login
refreshed by botocore and by the AWS CLI v2, the AWS CLI's PKCE login refreshed by ssogen,
and the role-credential cache in ~/.aws/cli/cache read and cleared by both.

The AWS CLI v2 here is one built from the aws-cli source (a recent 2.x: PKCE is its default
since 2.22), named by ``SSOGEN_AWS_CLI_V2_SOURCE=/path/to/aws``; without it those tests skip.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
from datetime import datetime, timedelta, timezone

import pytest

import loginkit as kit

pytestmark = pytest.mark.interop

START_URL = "https://acme.awsapps.com/start"
ACCOUNT, ROLE = "210987654321", "ReadOnlyAccess"
TOKEN_FILE = hashlib.sha1(b"acme").hexdigest() + ".json"
ROLE_FILE = hashlib.sha1(json.dumps({"accountId": ACCOUNT, "roleName": ROLE,
                                     "sessionName": "acme"}, sort_keys=True,
                                    separators=(",", ":")).encode()).hexdigest() + ".json"
INDEX = ".ssogen-export-index.json"  # ssogen.store.export_index.NAME
BOTOCORE_CREDS = (
    "import boto3, hashlib\n"
    "c = boto3.Session(profile_name='acme-ro').get_credentials().get_frozen_credentials()\n"
    "print(c.access_key[:4], hashlib.sha256(c.secret_key.encode()).hexdigest())\n"
)
CLI_VARIABLE = "SSOGEN_AWS_CLI_V2_SOURCE"


def aws_cli_from_source() -> str:
    path = os.environ.get(CLI_VARIABLE, "")
    if not path:
        pytest.skip(f"{CLI_VARIABLE} is not set (the path of an AWS CLI v2 built from the "
                    "aws-cli source)")
    if not os.access(path, os.X_OK):
        pytest.fail(f"{CLI_VARIABLE}={path} is not an executable")
    return path


@pytest.fixture
def short_tokens(sandbox, make_emulator):  # type: ignore[no-untyped-def]
    """Access tokens of 10 minutes: inside botocore's (and the CLI's) 15-minute refresh
    window, so they refresh at once; outside ssogen's 5-minute window, so ssogen reuses."""
    emu = make_emulator(token_ttl=600)
    sandbox.use_emulator(emu, start_url=START_URL, profile=(ACCOUNT, ROLE))
    sandbox.env["AWS_PAGER"] = ""
    return sandbox, emu


def token(sandbox) -> dict:  # type: ignore[no-untyped-def,type-arg]
    return json.loads((sandbox.cache / TOKEN_FILE).read_text())


def api(emu, name: str) -> int:  # type: ignore[no-untyped-def]
    return int(emu.stats()["requests"][name])


def ssogen_pkce_login(sandbox) -> None:  # type: ignore[no-untyped-def]
    run = kit.LoginProcess(sandbox, "login", "--session", "acme", "--use-pkce", "--no-browser")
    assert kit.http("GET", kit.consent(run.authorize_url()))[0] == 200
    rc, _, err = run.finish()
    assert rc == 0, err


def when(creds: dict) -> datetime:  # type: ignore[type-arg]
    return datetime.fromisoformat(creds["Expiration"].replace("Z", "+00:00"))


def aws(sandbox, cli: str, *args: str) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    return subprocess.run([cli, *args], env=sandbox.env, cwd=str(sandbox.home),
                          capture_output=True, text=True, timeout=120, check=False)


def test_botocore_refreshes_ssogens_pkce_token_and_ssogen_reuses_botocores(short_tokens,  # type: ignore[no-untyped-def]
                                                                           ) -> None:
    sandbox, emu = short_tokens
    ssogen_pkce_login(sandbox)
    old = token(sandbox)
    before = api(emu, "CreateToken")
    out = sandbox.python(BOTOCORE_CREDS)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[0] == "ASIA"
    assert api(emu, "CreateToken") == before + 1  # botocore's refresh with ssogen's client
    new = token(sandbox)
    assert new["accessToken"] != old["accessToken"]
    assert new["refreshToken"] != old["refreshToken"]
    assert (new["clientId"], new["clientSecret"]) == (old["clientId"], old["clientSecret"])
    assert stat.S_IMODE((sandbox.cache / TOKEN_FILE).stat().st_mode) == 0o600
    # ssogen uses the token botocore wrote as it is
    listed = sandbox.run("list", "--session", "acme", "--json", "--no-login")
    assert listed.returncode == 0, listed.stderr
    assert api(emu, "CreateToken") == before + 1 and api(emu, "RegisterClient") == 1
    assert token(sandbox) == new


def test_aws_cli_refreshes_ssogens_pkce_login(short_tokens) -> None:  # type: ignore[no-untyped-def]
    cli = aws_cli_from_source()
    sandbox, emu = short_tokens
    ssogen_pkce_login(sandbox)
    old = token(sandbox)
    got = aws(sandbox, cli, "sts", "get-caller-identity", "--profile", "acme-ro")
    assert got.returncode == 0, got.stderr
    assert f":{ACCOUNT}:" in json.loads(got.stdout)["Arn"]
    assert api(emu, "RegisterClient") == 1  # the CLI used ssogen's PKCE registration
    assert api(emu, "CreateToken") == 2  # ssogen's code grant, then the CLI's refresh
    new = token(sandbox)
    assert new["refreshToken"] != old["refreshToken"] and new["clientId"] == old["clientId"]


def test_ssogen_reuses_and_refreshes_the_aws_clis_pkce_login(sandbox, make_emulator,  # type: ignore[no-untyped-def]
                                                             ) -> None:
    cli = aws_cli_from_source()
    emu = make_emulator()
    sandbox.use_emulator(emu, start_url=START_URL, profile=(ACCOUNT, ROLE))
    run = kit.LoginProcess(sandbox, argv=[cli, "sso", "login", "--profile", "acme-ro",
                                          "--no-browser"], merge=True)
    assert kit.http("GET", kit.consent(run.authorize_url()))[0] == 200
    rc, _, out = run.finish()
    assert rc == 0, out
    assert "Successfully logged into Start URL: https://acme.awsapps.com/start" in out
    written = token(sandbox)
    assert api(emu, "RegisterClient") == 1 and api(emu, "CreateToken") == 1

    def ssogen_list() -> None:
        listed = sandbox.run("list", "--session", "acme", "--json", "--no-login")
        assert listed.returncode == 0, listed.stderr

    ssogen_list()  # the CLI's token as it is
    assert api(emu, "CreateToken") == 1 and token(sandbox) == written
    # 57 minutes later (by the file's clock): ssogen refreshes with the CLI's registration
    near = dict(written, expiresAt=(datetime.now(timezone.utc) + timedelta(minutes=3))
                .strftime("%Y-%m-%dT%H:%M:%SZ"))
    (sandbox.cache / TOKEN_FILE).write_text(json.dumps(near))
    ssogen_list()
    assert api(emu, "CreateToken") == 2
    refreshed = token(sandbox)
    assert refreshed["accessToken"] != written["accessToken"]
    assert list(refreshed) == list(written)  # the same keys in the same order
    assert refreshed["clientId"] == written["clientId"]
    # a PKCE login by ssogen reuses the CLI's registration (one key for both tools)
    forced = kit.LoginProcess(sandbox, "login", "--session", "acme", "--use-pkce",
                              "--no-browser", "--force")
    assert kit.http("GET", kit.consent(forced.authorize_url()))[0] == 200
    assert forced.finish()[0] == 0
    assert api(emu, "RegisterClient") == 1


@pytest.mark.role_credentials_in_output  # the AWS CLI prints the credentials it exported
def test_role_credential_cache_is_shared_with_the_aws_cli(sandbox, make_emulator) -> None:  # type: ignore[no-untyped-def]
    cli = aws_cli_from_source()
    emu = make_emulator(auto_approve_after=0)
    sandbox.use_emulator(emu, start_url=START_URL, profile=(ACCOUNT, ROLE))
    cli_cache = sandbox.aws / "cli" / "cache"

    def cli_export() -> dict:  # type: ignore[type-arg]
        got = aws(sandbox, cli, "configure", "export-credentials", "--profile", "acme-ro",
                  "--format", "process")
        assert got.returncode == 0, got.stderr
        return json.loads(got.stdout)  # type: ignore[no-any-return]

    def ssogen_export() -> dict:  # type: ignore[type-arg]
        got = sandbox.run("export-credentials", "--profile", "acme-ro", "--format", "process")
        assert got.returncode == 0, got.stderr
        return json.loads(got.stdout)  # type: ignore[no-any-return]

    assert sandbox.run("login", "--session", "acme", "--no-browser").returncode == 0
    mine = ssogen_export()
    assert sorted(os.listdir(cli_cache)) == [INDEX, ROLE_FILE]
    fetched = api(emu, "GetRoleCredentials")
    theirs = cli_export()  # the CLI answers from ssogen's entry
    assert theirs["AccessKeyId"] == mine["AccessKeyId"]
    assert when(theirs) == when(mine)  # (the CLI writes +00:00 where ssogen writes Z)
    assert api(emu, "GetRoleCredentials") == fetched

    logout = aws(sandbox, cli, "sso", "logout")  # clears ssogen's entry too
    assert logout.returncode == 0, logout.stderr
    assert ROLE_FILE not in os.listdir(cli_cache)  # (the CLI keeps its session.db there)
    assert INDEX in os.listdir(cli_cache)  # no ProviderType: the CLI's sweeper leaves it

    # the other way round: the CLI's entry, used by ssogen and removed by `ssogen logout`
    assert sandbox.run("login", "--session", "acme", "--no-browser").returncode == 0
    theirs = cli_export()
    assert ROLE_FILE in os.listdir(cli_cache)
    fetched = api(emu, "GetRoleCredentials")
    mine = ssogen_export()
    assert mine["AccessKeyId"] == theirs["AccessKeyId"]
    assert api(emu, "GetRoleCredentials") == fetched
    out = sandbox.run("logout", "--session", "acme")
    assert out.returncode == 0, out.stderr
    assert f"profile acme-ro (~/.aws/cli/cache/{ROLE_FILE})" in out.stderr
    assert ROLE_FILE not in os.listdir(cli_cache) and INDEX not in os.listdir(cli_cache)
    assert "session.db" in os.listdir(cli_cache)  # not ssogen's, not an SSO entry: kept
    assert not (sandbox.cache / TOKEN_FILE).exists()
