"""export-credentials' role-credential cache (~/.aws/cli/cache, the AWS CLI v2's own format and
key): a cached answer calls nothing and imports no botocore; an entry close to expiry is
fetched again; the files are private, atomic, never written through a symlink; entries of
other providers and other profiles are left alone."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from datetime import datetime, timedelta, timezone

import pytest

from conftest import dead_url

ACCOUNT, ROLE = "210987654321", "ReadOnlyAccess"  # [profile acme-ro] of the acme_ro fixture
ROLE_FILE = hashlib.sha1(json.dumps({"accountId": ACCOUNT, "roleName": ROLE,
                                     "sessionName": "acme"}, sort_keys=True,
                                    separators=(",", ":")).encode()).hexdigest() + ".json"
FMT = "%Y-%m-%dT%H:%M:%SZ"


def cli_cache(sandbox):  # type: ignore[no-untyped-def]
    return sandbox.aws / "cli" / "cache"


def export(sandbox, profile: str = "acme-ro") -> dict:  # type: ignore[no-untyped-def,type-arg]
    proc = sandbox.run("export-credentials", "--profile", profile, "--format", "process")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def fetched(emu) -> int:  # type: ignore[no-untyped-def]
    return int(emu.stats()["requests"]["GetRoleCredentials"])


def write_entry(sandbox, name: str, expires_in: timedelta, provider: str = "sso",  # type: ignore[no-untyped-def]
                key_id: str = "ASIACACHEDBYTHECLI01") -> None:
    cli_cache(sandbox).mkdir(parents=True, exist_ok=True)
    when = (datetime.now(timezone.utc) + expires_in).strftime(FMT)
    (cli_cache(sandbox) / name).write_text(json.dumps({"ProviderType": provider, "Credentials": {
        "AccessKeyId": key_id, "SecretAccessKey": "cached-secret-key-of-the-cli",
        "SessionToken": "cached-session-token-of-the-cli", "Expiration": when,
        "AccountId": ACCOUNT}}))


def test_second_export_is_answered_from_the_cache(acme_ro) -> None:  # type: ignore[no-untyped-def]
    sandbox, emu = acme_ro
    first = export(sandbox)
    assert fetched(emu) == 1
    assert sorted(os.listdir(cli_cache(sandbox))) == [".ssogen-export-index.json", ROLE_FILE]
    entry = json.loads((cli_cache(sandbox) / ROLE_FILE).read_text())
    assert list(entry) == ["ProviderType", "Credentials"] and entry["ProviderType"] == "sso"
    assert list(entry["Credentials"]) == ["AccessKeyId", "SecretAccessKey", "SessionToken",
                                          "Expiration", "AccountId"]
    assert entry["Credentials"]["AccountId"] == ACCOUNT
    assert entry["Credentials"]["AccessKeyId"] == first["AccessKeyId"]
    assert entry["Credentials"]["Expiration"] == first["Expiration"]
    assert stat.S_IMODE(cli_cache(sandbox).stat().st_mode) == 0o700
    assert stat.S_IMODE((cli_cache(sandbox) / ROLE_FILE).stat().st_mode) == 0o600
    assert stat.S_IMODE((sandbox.aws / "cli").stat().st_mode) == 0o700
    for _ in range(3):
        assert export(sandbox) == first
    assert fetched(emu) == 1  # no call at all
    # every format from the cache
    env = sandbox.run("export-credentials", "--profile", "acme-ro")
    assert env.returncode == 0 and f"export AWS_ACCESS_KEY_ID={first['AccessKeyId']}" in env.stdout
    assert fetched(emu) == 1


def test_a_cached_answer_imports_no_botocore(acme_ro) -> None:  # type: ignore[no-untyped-def]
    sandbox, _ = acme_ro
    export(sandbox)
    code = ("import os, runpy, sys\nsys.argv = ['ssogen', 'export-credentials', '--profile', "
            "'acme-ro', '--format', 'process']\n"
            "sys.stdout = open(os.devnull, 'w')  # the credentials: not this test's output\n"
            "try:\n    runpy.run_module('ssogen', run_name='__main__')\n"
            "except SystemExit as e:\n    assert e.code == 0, e.code\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
            "('boto3', 'botocore', 'urllib3', 'dateutil', 'jinja2', 'configupdater', "
            "'questionary') or m in ('ssogen.aws.login', 'ssogen.aws.oidc', 'http.server', "
            "'hashlib', 'tempfile', 'shutil'))\n"
            "print(heavy, file=sys.stderr)\n")
    proc = sandbox.python(code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip() == "[]"


def test_an_entry_close_to_expiry_is_fetched_again(acme_ro) -> None:  # type: ignore[no-untyped-def]
    sandbox, emu = acme_ro
    write_entry(sandbox, ROLE_FILE, timedelta(minutes=14))  # inside the 15-minute window
    got = export(sandbox)
    assert got["AccessKeyId"] != "ASIACACHEDBYTHECLI01" and fetched(emu) == 1
    stored = json.loads((cli_cache(sandbox) / ROLE_FILE).read_text())
    assert stored["Credentials"]["AccessKeyId"] == got["AccessKeyId"]  # replaced


@pytest.mark.role_credentials_in_output  # the entry the test wrote is what is printed
def test_the_aws_clis_entry_is_used_as_it_would_use_it(acme_ro) -> None:  # type: ignore[no-untyped-def]
    sandbox, emu = acme_ro
    write_entry(sandbox, ROLE_FILE, timedelta(minutes=16))
    for f in sandbox.cache.iterdir():  # no token needed: the CLI would not need one either
        f.unlink()
    got = export(sandbox)
    assert got["AccessKeyId"] == "ASIACACHEDBYTHECLI01"
    assert got["SessionToken"] == "cached-session-token-of-the-cli"
    assert fetched(emu) == 0


@pytest.mark.parametrize("content", [
    "not json", "[]", json.dumps({"ProviderType": "sso"}),
    json.dumps({"ProviderType": "sso", "Credentials": {"AccessKeyId": "A"}}),
    json.dumps({"ProviderType": "sso", "Credentials": {
        "AccessKeyId": "A", "SecretAccessKey": "S", "SessionToken": "T",
        "Expiration": "tomorrow"}}),
])
def test_a_broken_entry_is_replaced(acme_ro, content: str) -> None:  # type: ignore[no-untyped-def]
    sandbox, emu = acme_ro
    cli_cache(sandbox).mkdir(parents=True)
    (cli_cache(sandbox) / ROLE_FILE).write_text(content)
    got = export(sandbox)
    assert fetched(emu) == 1
    stored = json.loads((cli_cache(sandbox) / ROLE_FILE).read_text())
    assert stored["Credentials"]["AccessKeyId"] == got["AccessKeyId"]


def test_an_entry_of_another_provider_is_never_used(acme_ro) -> None:  # type: ignore[no-untyped-def]
    sandbox, emu = acme_ro
    write_entry(sandbox, ROLE_FILE, timedelta(hours=1), provider="assume-role")
    other = "0" * 40 + ".json"
    write_entry(sandbox, other, timedelta(hours=1), provider="assume-role")
    got = export(sandbox)
    assert got["AccessKeyId"] != "ASIACACHEDBYTHECLI01" and fetched(emu) == 1
    assert json.loads((cli_cache(sandbox) / other).read_text())["ProviderType"] == "assume-role"


def test_a_symlink_in_the_cache_is_never_written_through(acme_ro, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sandbox, emu = acme_ro
    target = tmp_path / "elsewhere.json"
    target.write_text("keep me")
    cli_cache(sandbox).mkdir(parents=True)
    (cli_cache(sandbox) / ROLE_FILE).symlink_to(target)
    proc = sandbox.run("export-credentials", "--profile", "acme-ro", "--format", "process")
    assert proc.returncode == 0  # the credentials are good: printed, just not cached
    assert json.loads(proc.stdout)["AccessKeyId"].startswith("ASIA")
    assert proc.stderr == (f"ssogen: warning: {cli_cache(sandbox) / ROLE_FILE} is a symlink; "
                           "ssogen does not write credentials through it (remove it) (the "
                           "credentials are not cached)\n")
    assert target.read_text() == "keep me"
    assert (cli_cache(sandbox) / ROLE_FILE).is_symlink()
    export(sandbox)  # and every run fetches anew rather than trusting the link
    assert fetched(emu) == 2


def test_legacy_profiles_are_keyed_by_start_url(sandbox, make_emulator) -> None:  # type: ignore[no-untyped-def]
    emu = make_emulator(auto_approve_after=0)
    sandbox.env.update(emu.endpoint_env())
    sandbox.aws.mkdir()
    url = "https://legacy.awsapps.com/start#/"
    sandbox.config.write_text(f"[profile old]\nsso_start_url = {url}\nsso_region = eu-west-1\n"
                              f"sso_account_id = {ACCOUNT}\nsso_role_name = {ROLE}\n")
    assert sandbox.run("login", "--profile", "old", "--no-browser").returncode == 0
    export(sandbox, "old")
    key = hashlib.sha1(json.dumps({"accountId": ACCOUNT, "roleName": ROLE, "startUrl": url},
                                  sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    assert sorted(os.listdir(cli_cache(sandbox))) == [".ssogen-export-index.json", f"{key}.json"]
    export(sandbox, "old")
    assert fetched(emu) == 1


def test_profiles_of_other_kinds_are_not_cached(acme_ro) -> None:  # type: ignore[no-untyped-def]
    sandbox, _ = acme_ro
    with sandbox.config.open("a") as fh:
        fh.write("\n[profile keys]\naws_access_key_id = AKIAEXAMPLEKEY000001\n"
                 "aws_secret_access_key = not-a-real-secret-key\n"
                 f"\n[profile assumed]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/X\n"
                 "source_profile = keys\nsso_account_id = 1\nsso_role_name = X\n")
    got = export(sandbox, "keys")
    assert got["AccessKeyId"] == "AKIAEXAMPLEKEY000001"
    assert not cli_cache(sandbox).exists()


def test_expired_token_is_refreshed_once_under_the_lock_before_botocore(acme_ro) -> None:  # type: ignore[no-untyped-def]
    """With less than 16 minutes left, ssogen refreshes the token itself (locked), so that
    botocore -- which refreshes inside 15 minutes, without any lock -- finds a fresh one."""
    sandbox, emu = acme_ro
    token_file = next(p for p in sandbox.cache.iterdir() if "accessToken" in p.read_text())
    data = json.loads(token_file.read_text())
    data["expiresAt"] = (datetime.now(timezone.utc) + timedelta(minutes=12)).strftime(FMT)
    token_file.write_text(json.dumps(data))
    before = emu.stats()["requests"]["CreateToken"]
    export(sandbox)
    assert emu.stats()["requests"]["CreateToken"] == before + 1
    fresh = json.loads(token_file.read_text())
    assert fresh["accessToken"] != data["accessToken"]
    assert sorted(os.listdir(sandbox.cache)) == sorted(  # the lock file is gone again
        p.name for p in sandbox.cache.iterdir() if p.suffix == ".json")


def test_not_cached_when_the_cache_folder_is_a_file(acme_ro) -> None:  # type: ignore[no-untyped-def]
    sandbox, _ = acme_ro
    (sandbox.aws / "cli").mkdir()
    cli_cache(sandbox).write_text("not a folder")
    proc = sandbox.run("export-credentials", "--profile", "acme-ro", "--format", "process")
    assert proc.returncode == 0 and json.loads(proc.stdout)["AccessKeyId"]
    assert proc.stderr.startswith(f"ssogen: warning: {cli_cache(sandbox)}: cannot create the "
                                  "credential cache folder (not a folder)")
    assert proc.stderr.count("\n") == 1


def test_the_fast_path_modules_import_nothing_heavy() -> None:
    """The modules of a cached answer pull in no botocore and none of ssogen's AWS calls."""
    import subprocess

    out = subprocess.run(
        [sys.executable, "-c", "import sys, ssogen.app.credentials, "
         "ssogen.store.role_credentials, ssogen.commands.export_credentials; "
         "print(sorted(m for m in sys.modules if m.startswith(('boto', 'ssogen.aws.'))))"],
        capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['ssogen.aws.credential_formats']"  # the renderer only


def test_an_unreachable_portal_is_named_with_the_network_hint(acme_ro) -> None:  # type: ignore[no-untyped-def]
    """Nothing cached, the portal unreachable: the address botocore tried is named (the
    portal here; STS for a role chain), with what to check -- exit 5, no traceback."""
    sandbox, _ = acme_ro
    dead = dead_url()
    proc = sandbox.run("export-credentials", "--profile", "acme-ro",
                       env={"AWS_ENDPOINT_URL_SSO": dead})
    assert proc.returncode == 5, proc.stderr
    lines = proc.stderr.splitlines()
    assert lines[-2] == f"ssogen: error: cannot reach AWS at {dead} (EndpointConnectionError)"
    assert lines[-1] == "  hint: check the network (or AWS_ENDPOINT_URL_SSO)"
    assert "Traceback" not in proc.stderr and proc.stdout == ""
