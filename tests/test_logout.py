"""``ssogen logout`` against the emulator: the portal's Logout ends the sign-in session (its
tokens, refresh tokens included, stop working), the session's token file and cached role
credentials go, nothing else does; each removal said in one line; twice is fine; then
``sync --no-login`` exits 4. ``--all`` sweeps like ``aws sso logout`` plus registrations."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime, timedelta, timezone

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config

from conftest import dead_url

START_URL = "https://acme.awsapps.com/start"
ACCOUNT, ROLE = "210987654321", "ReadOnlyAccess"
TOKEN_FILE = hashlib.sha1(b"acme").hexdigest() + ".json"
OTHER_TOKEN = hashlib.sha1(b"other").hexdigest() + ".json"
INDEX = ".ssogen-export-index.json"  # ssogen.store.export_index.NAME


def role_file(session: str = "acme", account: str = ACCOUNT, role: str = ROLE) -> str:
    return hashlib.sha1(json.dumps({"accountId": account, "roleName": role,
                                    "sessionName": session}, sort_keys=True,
                                   separators=(",", ":")).encode()).hexdigest() + ".json"


@pytest.fixture
def online(sandbox, make_emulator):  # type: ignore[no-untyped-def]
    emu = make_emulator(auto_approve_after=0)
    sandbox.use_emulator(emu, start_url=START_URL, profile=(ACCOUNT, ROLE))
    with sandbox.config.open("a") as fh:  # a second session, which must stay logged in
        fh.write("\n[sso-session other]\nsso_start_url = https://other.awsapps.com/start\n"
                 "sso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n"
                 f"\n[profile other-ro]\nsso_session = other\nsso_account_id = {ACCOUNT}\n"
                 f"sso_role_name = {ROLE}\n")
    for session, profile in (("acme", "acme-ro"), ("other", "other-ro")):
        assert sandbox.run("login", "--session", session, "--no-browser").returncode == 0
        assert sandbox.run("export-credentials", "--profile", profile).returncode == 0
    return sandbox, emu


def files(path) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(os.listdir(path)) if path.exists() else []


def portal(emu):  # type: ignore[no-untyped-def]
    cfg = Config(signature_version=UNSIGNED, region_name="eu-west-1",
                 retries={"mode": "standard", "total_max_attempts": 1})
    return (boto3.client("sso", endpoint_url=emu.url, config=cfg),
            boto3.client("sso-oidc", endpoint_url=emu.url, config=cfg))


def test_logout_ends_the_session_and_removes_only_its_files(online) -> None:  # type: ignore[no-untyped-def]
    sandbox, emu = online
    cli_cache = sandbox.aws / "cli" / "cache"
    tok = json.loads((sandbox.cache / TOKEN_FILE).read_text())
    regs_before = [f for f in files(sandbox.cache) if f not in (TOKEN_FILE, OTHER_TOKEN)]
    # the quick path's index (no secret in it) names both entries
    assert files(cli_cache) == sorted([INDEX, role_file(), role_file("other")])

    proc = sandbox.run("logout", "--session", "acme")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        "ssogen: ended the sign-in session of session acme at the portal",
        f"ssogen: removed the token of session acme (~/.aws/sso/cache/{TOKEN_FILE})",
        "ssogen: removed the cached role credentials of profile acme-ro "
        f"(~/.aws/cli/cache/{role_file()})",
    ]
    assert emu.stats()["requests"]["Logout"] == 1
    # the registrations and the other session's token and credentials stay
    assert files(sandbox.cache) == sorted([OTHER_TOKEN, *regs_before])
    assert files(cli_cache) == [role_file("other")]  # the index goes too: it named acme-ro
    # at AWS, the access token and the refresh token of that sign-in no longer work
    sso, oidc = portal(emu)
    with pytest.raises(sso.exceptions.UnauthorizedException):
        sso.list_accounts(accessToken=tok["accessToken"])
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        oidc.create_token(clientId=tok["clientId"], clientSecret=tok["clientSecret"],
                          grantType="refresh_token", refreshToken=tok["refreshToken"])
    # the other session still works
    listed = sandbox.run("list", "--session", "other", "--json", "--no-login")
    assert listed.returncode == 0, listed.stderr

    again = sandbox.run("logout", "--session", "acme")
    assert again.returncode == 0
    assert again.stderr == ("ssogen: session acme: already logged out (no cached token or "
                            "role credentials)\n")
    assert emu.stats()["requests"]["Logout"] == 1
    no_login = sandbox.run("list", "--session", "acme", "--no-login")
    assert no_login.returncode == 4


def test_sync_no_login_exits_4_after_logout(sandbox, make_emulator) -> None:  # type: ignore[no-untyped-def]
    emu = make_emulator(auto_approve_after=0)
    sandbox.env.update(emu.endpoint_env())
    setup = sandbox.run("setup", "--yes", "--no-browser", "--start-url", START_URL,
                        "--sso-region", "eu-west-1", "--session", "acme")
    assert setup.returncode == 0, setup.stderr
    assert sandbox.run("sync", "--no-login", "--check").returncode == 0
    proc = sandbox.run("logout", "--profile", next(
        line[len("[profile "):-1] for line in sandbox.config.read_text().splitlines()
        if line.startswith("[profile ")))
    assert proc.returncode == 0, proc.stderr
    assert "removed the token of session acme" in proc.stderr
    sync = sandbox.run("sync", "--no-login")
    assert sync.returncode == 4, sync.stderr
    assert "ssogen login --session acme" in sync.stderr


def test_an_expired_token_is_refreshed_so_logout_ends_its_session(online) -> None:  # type: ignore[no-untyped-def]
    sandbox, emu = online
    path = sandbox.cache / TOKEN_FILE
    tok = json.loads(path.read_text())
    tok["expiresAt"] = (datetime.now(timezone.utc) - timedelta(minutes=1)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    path.write_text(json.dumps(tok))
    proc = sandbox.run("logout", "--session", "acme")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines()[0] == ("ssogen: ended the sign-in session of session acme "
                                           "at the portal")
    _, oidc = portal(emu)
    with pytest.raises(oidc.exceptions.InvalidGrantException):  # the refresh token is dead
        oidc.create_token(clientId=tok["clientId"], clientSecret=tok["clientSecret"],
                          grantType="refresh_token", refreshToken=tok["refreshToken"])
    assert not path.exists()


def test_a_token_the_portal_no_longer_knows_is_still_removed(online) -> None:  # type: ignore[no-untyped-def]
    sandbox, emu = online
    sso, _ = portal(emu)
    tok = json.loads((sandbox.cache / TOKEN_FILE).read_text())
    sso.logout(accessToken=tok["accessToken"])  # logged out elsewhere (the portal's page)
    proc = sandbox.run("logout", "--session", "acme")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines()[0] == ("ssogen: the portal no longer knew the token of "
                                           "session acme (expired or logged out already)")
    assert not (sandbox.cache / TOKEN_FILE).exists()


def test_portal_unreachable_removes_the_files_and_exits_5(online) -> None:  # type: ignore[no-untyped-def]
    sandbox, _ = online
    dead = dead_url()
    proc = sandbox.run("logout", "--session", "acme", env={"AWS_ENDPOINT_URL_SSO": dead})
    assert proc.returncode == 5, proc.stderr
    lines = proc.stderr.splitlines()
    assert lines[0].startswith("ssogen: removed the token of session acme")
    assert lines[-2].startswith(f"ssogen: error: cannot reach the IAM Identity Center portal "
                                f"{dead}")
    assert lines[-2].endswith("; the files were removed, but the sign-in session stays valid "
                              "at AWS until it expires")
    assert lines[-1].startswith("  hint: ")
    assert "Traceback" not in proc.stderr
    assert not (sandbox.cache / TOKEN_FILE).exists()


def test_logout_all_sweeps_like_aws_sso_logout_and_the_registrations(online) -> None:  # type: ignore[no-untyped-def]
    sandbox, emu = online
    cli_cache = sandbox.aws / "cli" / "cache"
    (cli_cache / "session.db").write_bytes(b"SQLite format 3\x00")  # the CLI's history
    assume = "f" * 40 + ".json"
    (cli_cache / assume).write_text(json.dumps({"ProviderType": "assume-role",
                                                "Credentials": {}}))
    (sandbox.cache / "notes.json").write_text(json.dumps({"mine": True}))  # not a cache entry
    (sandbox.cache / "garbage.json").write_text("{")
    proc = sandbox.run("logout", "--all")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert sum(ln.startswith("ssogen: ended the sign-in session of https://") for ln in lines) == 2
    assert sum(ln.startswith("ssogen: removed the token for https://") for ln in lines) == 2
    assert sum(ln.startswith("ssogen: removed the client registration ~/") for ln in lines) == 2
    assert sum(ln.startswith("ssogen: removed cached role credentials (~/") for ln in lines) == 2
    assert len(lines) == 8
    assert emu.stats()["requests"]["Logout"] == 2
    assert files(sandbox.cache) == ["garbage.json", "notes.json"]
    assert files(cli_cache) == sorted([assume, "session.db"])
    again = sandbox.run("logout", "--all")
    assert again.returncode == 0
    assert again.stderr == ("ssogen: already logged out (no cached token, registration or "
                            "role credentials)\n")


def test_logout_needs_a_session_and_takes_one_choice(online) -> None:  # type: ignore[no-untyped-def]
    sandbox, _ = online
    none = sandbox.run("logout")  # two sessions in the file
    assert none.returncode == 2 and "--session NAME" in none.stderr
    both = sandbox.run("logout", "--all", "--session", "acme")
    assert both.returncode == 2 and "not allowed with argument" in both.stderr
    unknown = sandbox.run("logout", "--session", "nope")
    assert unknown.returncode == 2 and "no [sso-session nope]" in unknown.stderr
