"""Session resolution, cache file names and the validation of cache files (no network)."""

from __future__ import annotations

import json
import os
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import loginkit as auth
from ssogen.errors import ConfigFileError, UsageError

CONFIG = """\
[default]
region = eu-west-1

[sso-session acme]
sso_start_url = https://acme.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[sso-session plain]
sso_start_url = https://plain.awsapps.com/start
sso_region = us-east-1

[profile dev]
sso_session = acme
sso_account_id = 111122223333
sso_role_name = ReadOnly

[profile legacy]
sso_start_url = https://old.awsapps.com/start#/
sso_region = eu-central-1
sso_account_id = 444455556666
sso_role_name = Admin

[profile static]
aws_access_key_id = AKIAEXAMPLE
"""


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".aws").mkdir()
    (tmp_path / ".aws" / "config").write_text(CONFIG)
    return tmp_path


def ts(delta: timedelta) -> str:
    return (datetime.now(timezone.utc) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_cache_keys_match_the_aws_cli_examples():
    # examples taken from the AWS CLI v2 / botocore code (docs/AWS-NOW.md)
    acme = auth.SsoSession("acme", "https://acme.awsapps.com/start", "eu-west-1")
    assert acme.token_cache_key == "293abb6b76d7791c0732cc517d38c4b5c734b87f"
    assert acme.registration_cache_key == "b02584108186386606e1b78860819cafc4e8866f"


def test_cache_keys_follow_the_formula_for_configured_scopes_and_legacy():
    import hashlib

    s = auth.SsoSession("acme", "https://acme.awsapps.com/start", "eu-west-1",
                        scopes=["sso:account:access"], scopes_configured=True)
    expected = json.dumps({"tool": "botocore", "startUrl": s.start_url, "region": "eu-west-1",
                           "scopes": ["sso:account:access"], "session_name": "acme"},
                          sort_keys=True)
    assert s.registration_cache_key == hashlib.sha1(expected.encode()).hexdigest()
    legacy = auth.SsoSession("p", "https://old.awsapps.com/start#/", "eu-central-1",
                             legacy=True)
    assert legacy.token_cache_key == hashlib.sha1(b"https://old.awsapps.com/start#/").hexdigest()
    assert legacy.registration_cache_key == hashlib.sha1(json.dumps(
        {"tool": "botocore", "startUrl": "https://old.awsapps.com/start#/",
         "region": "eu-central-1", "scopes": None, "session_name": None},
        sort_keys=True).encode()).hexdigest()


def test_sessions_resolve_from_the_config(home):
    cfg = home / ".aws" / "config"
    acme = auth.session_by_name(cfg, "acme")
    assert (acme.start_url, acme.sso_region, acme.scopes, acme.scopes_configured) == (
        "https://acme.awsapps.com/start", "eu-west-1", ["sso:account:access"], True)
    plain = auth.session_by_name(cfg, "plain")
    assert plain.scopes == ["sso:account:access"] and plain.scopes_configured is False
    assert auth.session_for_profile(cfg, "dev") == acme
    legacy = auth.session_for_profile(cfg, "legacy")
    assert legacy.legacy and legacy.start_url == "https://old.awsapps.com/start#/"
    with pytest.raises(UsageError):
        auth.session_for_profile(cfg, "static")
    with pytest.raises(UsageError):
        auth.session_for_profile(cfg, "missing")
    with pytest.raises(UsageError, match="acme, plain"):
        auth.resolve_session(cfg)  # two sessions: must be named
    with pytest.raises(UsageError):
        auth.session_by_name(cfg, "nope")


def test_broken_config_is_a_config_error(tmp_path):
    cfg = tmp_path / "config"
    cfg.write_text("[sso-session a]\nsso_region = x\nsso_region = y\n")
    with pytest.raises(ConfigFileError):
        auth.session_by_name(cfg, "a")
    with pytest.raises(ConfigFileError, match="not found"):
        auth.session_by_name(tmp_path / "nothing", "a")
    cfg.write_text("[sso-session a]\nsso_region = eu-west-1\n")
    with pytest.raises(ConfigFileError, match="sso_start_url"):
        auth.session_by_name(cfg, "a")


def test_config_file_is_only_read(home):
    cfg = home / ".aws" / "config"
    before = (cfg.read_bytes(), cfg.stat().st_mtime_ns)
    auth.resolve_session(cfg, profile="dev")
    assert (cfg.read_bytes(), cfg.stat().st_mtime_ns) == before


def write_cache(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)


GOOD_TOKEN = {"startUrl": "https://acme.awsapps.com/start", "region": "eu-west-1",
              "accessToken": "AT", "expiresAt": None}


@pytest.mark.parametrize("content", [
    "", "not json", "[1, 2]", "null", '{"accessToken": "AT"}', b"\xff\xfe\x00garbage",
    json.dumps({**GOOD_TOKEN, "expiresAt": "yesterday-ish"}),
    json.dumps({**GOOD_TOKEN, "expiresAt": 1893456000}),
    json.dumps({**GOOD_TOKEN, "accessToken": 42, "expiresAt": "2099-01-01T00:00:00Z"}),
    json.dumps({**GOOD_TOKEN, "accessToken": "", "expiresAt": "2099-01-01T00:00:00Z"}),
    json.dumps({**GOOD_TOKEN, "startUrl": "https://other.awsapps.com/start",
                "expiresAt": "2099-01-01T00:00:00Z"}),
    "[" * 100000,
])
def test_corrupt_token_cache_is_treated_as_absent(home, content):
    session = auth.session_by_name(home / ".aws" / "config", "acme")
    write_cache(auth.token_path(session), content)
    assert auth.load_token(session) is None
    with pytest.raises(auth.NotLoggedInError):
        auth.get_access_token(session, allow_login=False)


def test_valid_cli_token_without_client_fields_is_reused(home):
    session = auth.session_by_name(home / ".aws" / "config", "acme")
    write_cache(auth.token_path(session),
                json.dumps({**GOOD_TOKEN, "expiresAt": ts(timedelta(hours=1))}))
    assert auth.get_access_token(session, allow_login=False) == "AT"
    # wrong types in optional fields are dropped, not fatal
    write_cache(auth.token_path(session), json.dumps(
        {**GOOD_TOKEN, "expiresAt": ts(timedelta(hours=1)), "refreshToken": 7,
         "registrationExpiresAt": []}))
    assert auth.get_access_token(session, allow_login=False) == "AT"


def test_token_near_expiry_without_refresh_needs_login(home):
    session = auth.session_by_name(home / ".aws" / "config", "acme")
    write_cache(auth.token_path(session),
                json.dumps({**GOOD_TOKEN, "expiresAt": ts(timedelta(minutes=2))}))
    with pytest.raises(auth.NotLoggedInError) as exc:
        auth.get_access_token(session, allow_login=False)
    assert exc.value.exit_code == 4 and "AT" not in str(exc.value)


def test_timestamps():
    assert auth.parse_time("2026-11-26T19:01:25Z") == datetime(2026, 11, 26, 19, 1, 25,
                                                               tzinfo=timezone.utc)
    assert auth.parse_time("2026-11-26T19:01:25UTC") is not None  # older CLI v2 format
    assert auth.parse_time("2026-11-26T20:01:25+01:00") == auth.parse_time(
        "2026-11-26T19:01:25Z")
    for bad in ("", "soon", None, 5, "2026-13-45T99:00:00Z", "x" * 100):
        assert auth.parse_time(bad) is None
    assert auth.format_time(datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)) == (
        "2026-01-02T03:04:05Z")


@pytest.mark.parametrize(("content", "usable"), [
    ({"clientId": "c", "clientSecret": "s", "expiresAt": "+30d",
      "scopes": ["sso:account:access"]}, True),
    ({"clientId": "c", "clientSecret": "s", "expiresAt": "+10m",  # within 15 min of expiry
      "scopes": ["sso:account:access"]}, False),
    ({"clientId": "c", "clientSecret": "s", "expiresAt": "-1d",
      "scopes": ["sso:account:access"]}, False),
    ({"clientId": "c", "clientSecret": "s", "expiresAt": "+30d",  # PKCE registration
      "scopes": ["sso:account:access"], "grantTypes": ["authorization_code", "refresh_token"]},
     False),
    ({"clientId": "c", "clientSecret": "s", "expiresAt": "+30d"}, False),  # no scopes: no refresh
    ({"clientId": "c", "expiresAt": "+30d", "scopes": ["sso:account:access"]}, False),
    ({"clientId": ["c"], "clientSecret": "s", "expiresAt": "+30d",
      "scopes": ["sso:account:access"]}, False),
    ({"clientId": "c", "clientSecret": "s", "expiresAt": "garbage",
      "scopes": ["sso:account:access"]}, False),
])
def test_registration_cache_validation(home, content, usable):
    session = auth.session_by_name(home / ".aws" / "config", "acme")
    when = content.get("expiresAt")
    if isinstance(when, str) and when[0] in "+-":
        unit = {"d": timedelta(days=1), "m": timedelta(minutes=1)}[when[-1]]
        content = {**content, "expiresAt": ts(int(when[:-1]) * unit)}
    write_cache(auth.registration_path(session), json.dumps(content))
    assert (auth.load_registration(session) is not None) is usable


def test_cache_files_are_private_and_atomic(home):
    session = auth.session_by_name(home / ".aws" / "config", "acme")
    cache = auth.cache_dir()
    cache.mkdir(parents=True, mode=0o755)
    os.chmod(cache, 0o755)  # e.g. created by an old tool with the umask
    path = auth.token_path(session)
    path.write_text("{}")
    os.chmod(path, 0o644)
    auth.save_token(session, access_token="AT2", expires_at=datetime.now(timezone.utc),
                    registration=auth.Registration(
                        "c", "s", datetime(2099, 1, 1, tzinfo=timezone.utc)),
                    refresh_token=None)
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text())
    assert list(data) == ["startUrl", "region", "accessToken", "expiresAt", "clientId",
                          "clientSecret", "registrationExpiresAt"]  # no refreshToken key
    assert sorted(p.name for p in cache.iterdir()) == [path.name]  # no temp files left



KEYS = ["accessToken", "expiresAt", "startUrl", "region", "refreshToken", "clientId",
        "clientSecret", "registrationExpiresAt", "scopes", "grantTypes"]
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
    | st.sampled_from(["2099-01-01T00:00:00Z", "2000-01-01T00:00:00Z", "eu-west-1",
                       "https://acme.awsapps.com/start", "authorization_code",
                       "sso:account:access"]),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=5), children, max_size=10),
    max_leaves=20)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(token=JSON, registration=JSON)
def test_any_cache_content_is_usable_or_absent_never_a_crash(home, token, registration):
    session = auth.session_by_name(home / ".aws" / "config", "acme")
    write_cache(auth.token_path(session), json.dumps(token))
    write_cache(auth.registration_path(session), json.dumps(registration))
    entry = auth.load_token(session)
    if entry is not None:  # usable: the two required fields have the right types
        assert isinstance(entry.access_token, str) and entry.access_token
        assert entry.expires_at.tzinfo is not None
        assert entry.refreshable() == bool(  # the parts a refresh needs, typed or absent
            entry.refresh_token and entry.client_id and entry.client_secret
            and entry.registration_expires_at is not None
            and entry.registration_expires_at > datetime.now(timezone.utc))
    reg = auth.load_registration(session)
    if reg is not None:
        assert reg.client_id and reg.client_secret and reg.expires_at.tzinfo is not None
        assert "authorization_code" not in (registration.get("grantTypes") or [])


def test_cli_usage_errors_are_one_line_exit_2(sandbox):
    missing = sandbox.run("login", "--session", "acme")
    assert missing.returncode == 2 and "config file not found" in missing.stderr
    assert "Traceback" not in missing.stderr
    sandbox.aws.mkdir()
    sandbox.config.write_text(CONFIG)
    unknown = sandbox.run("list", "--session", "nope", "--no-login")
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == (
        f"ssogen: error: no [sso-session nope] in {sandbox.config} (sessions: acme, plain)")
    both = sandbox.run("login", "--session", "acme", "--profile", "dev")
    assert both.returncode == 2 and "not allowed with argument" in both.stderr
    none = sandbox.run("login")  # two sessions in the file: which one?
    assert none.returncode == 2 and "--session NAME" in none.stderr


def test_cache_records_never_show_their_secrets(home):
    """The typed cache entries keep tokens and the client secret out of their repr (what a
    traceback or a debug log would print)."""
    session = auth.session_by_name(home / ".aws" / "config", "acme")
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    registration = auth.Registration("client-id", "CLIENT-SECRET-x", later,
                                     ("sso:account:access",))
    auth.save_token(session, access_token="ACCESS-TOKEN-x", expires_at=later,
                    registration=registration, refresh_token="REFRESH-TOKEN-x")
    entry = auth.load_token(session)
    assert entry is not None and entry.refreshable()
    assert entry.registration() == auth.Registration("client-id", "CLIENT-SECRET-x",
                                                     later.replace(microsecond=0))
    shown = repr(entry) + repr(registration) + repr(entry.registration())
    for secret in ("ACCESS-TOKEN-x", "REFRESH-TOKEN-x", "CLIENT-SECRET-x"):
        assert secret not in shown, shown
    assert "client-id" in shown  # the repr is not simply empty


def test_token_and_role_credential_records_never_show_their_secrets() -> None:
    """The records carrying a usable token or role credentials leave the secret parts out
    of their repr (a debug log or a traceback's locals would print it)."""
    from ssogen.aws.credentials import RoleCredentials
    from ssogen.store.role_credentials import CachedCredentials

    when = datetime.now(timezone.utc)
    shown = (repr(auth.Token("ACCESS-TOKEN-x", when, "cache"))
             + repr(RoleCredentials("ASIAKEYID", "SECRET-KEY-x", "SESSION-TOKEN-x", when))
             + repr(CachedCredentials("ASIAKEYID", "SECRET-KEY-x", "SESSION-TOKEN-x", when)))
    for secret in ("ACCESS-TOKEN-x", "SECRET-KEY-x", "SESSION-TOKEN-x"):
        assert secret not in shown, shown
    assert "ASIAKEYID" in shown and "cache" in shown  # the repr is not simply empty
