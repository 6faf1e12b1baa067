"""Login end to end against the emulator, reached only through AWS_ENDPOINT_URL_SSO(_OIDC).

ssogen runs as a subprocess (``sandbox.run``) or, where timing matters, in-process with the
test's HOME; botocore's own credential resolution runs in a subprocess with the same HOME.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import signal
import stat
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

START_URL = "https://acme.awsapps.com/start"
ACCOUNT, ROLE = "210987654321", "ReadOnlyAccess"
TOKEN_FILE = hashlib.sha1(b"acme").hexdigest() + ".json"
REG_FILE = hashlib.sha1(json.dumps(
    {"tool": "botocore", "startUrl": START_URL, "region": "eu-west-1",
     "scopes": ["sso:account:access"], "session_name": "acme"}, sort_keys=True).encode()
).hexdigest() + ".json"
TOKEN_KEYS = {"startUrl", "region", "accessToken", "expiresAt", "clientId", "clientSecret",
              "registrationExpiresAt", "refreshToken"}
TS_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

# botocore's own resolution; prints the method and a digest of the secret key (not the key)
BOTOCORE_CREDS = (
    "import boto3, hashlib\n"
    "c = boto3.Session(profile_name='acme-ro').get_credentials().get_frozen_credentials()\n"
    "print(c.access_key[:4], hashlib.sha256(c.secret_key.encode()).hexdigest())\n"
)


def setup_config(sandbox, emu) -> None:
    sandbox.use_emulator(emu, start_url=START_URL, profile=(ACCOUNT, ROLE))


def cache_files(sandbox) -> list[str]:
    return sorted(p.name for p in sandbox.cache.iterdir()) if sandbox.cache.exists() else []


def token(sandbox) -> dict:
    return json.loads((sandbox.cache / TOKEN_FILE).read_text())


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issued_digests(emu) -> set[str]:
    return {digest(s) for s in emu.issued_secrets()}


def api_counts(emu) -> dict[str, int]:
    return dict(emu.stats()["requests"])


def act_when_pending(emu, action: str, delay: float = 0.0) -> threading.Thread:
    """In a thread: once a device code is pending, approve or deny it (after ``delay``)."""
    def run() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if emu.pending_user_codes():
                time.sleep(delay)
                getattr(emu, action)()
                return
            time.sleep(0.05)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def write_cli_token(sandbox, emu, *, expires_in: timedelta, with_client: bool = True,
                    ) -> dict:
    """Log in with plain boto3 and write the cache file as `aws sso login` (CLI v2) does."""
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    oidc = boto3.session.Session().client(
        "sso-oidc", region_name="eu-west-1", endpoint_url=emu.url,
        config=Config(signature_version=UNSIGNED))
    reg = oidc.register_client(clientName="botocore-client-acme", clientType="public",
                               scopes=["sso:account:access"])
    dev = oidc.start_device_authorization(clientId=reg["clientId"],
                                          clientSecret=reg["clientSecret"], startUrl=START_URL)
    emu.approve(dev["userCode"])
    tok = oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                            grantType="urn:ietf:params:oauth:grant-type:device_code",
                            deviceCode=dev["deviceCode"])
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    data = {"startUrl": START_URL, "region": "eu-west-1", "accessToken": tok["accessToken"],
            "expiresAt": (datetime.now(timezone.utc) + expires_in).strftime(fmt)}
    if with_client:
        data.update({
            "clientId": reg["clientId"], "clientSecret": reg["clientSecret"],
            "registrationExpiresAt": datetime.fromtimestamp(
                reg["clientSecretExpiresAt"], timezone.utc).strftime(fmt),
            "refreshToken": tok["refreshToken"]})
    sandbox.cache.mkdir(parents=True, exist_ok=True)
    (sandbox.cache / TOKEN_FILE).write_text(json.dumps(data))
    return data


# ---------------------------------------------------------------------------------------------
def test_login_cache_and_botocore_resolution(sandbox, make_emulator):
    emu = make_emulator(auto_approve_after=1)
    setup_config(sandbox, emu)
    proc = sandbox.run("login", "--session", "acme", "--no-browser")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    # each URL and the code alone on its line, nothing glued to them
    assert f"{emu.url}/device" in lines
    complete = [ln for ln in lines if "user_code=" in ln]
    assert len(complete) == 1 and re.fullmatch(re.escape(emu.url) + r"/device\?user_code="
                                               r"[A-Z]{4}-[A-Z]{4}", complete[0])
    assert complete[0].rsplit("=", 1)[1] in lines  # the code itself
    assert re.fullmatch(r"Logged in to https://acme\.awsapps\.com/start "
                        r"\(token valid until (\d{4}-\d\d-\d\d )?\d\d:\d\d\)", lines[-1])

    # cache files: names, modes, keys, formats
    assert stat.S_IMODE(sandbox.cache.stat().st_mode) == 0o700
    assert cache_files(sandbox) == sorted([TOKEN_FILE, REG_FILE])
    for name in cache_files(sandbox):
        assert stat.S_IMODE((sandbox.cache / name).stat().st_mode) == 0o600
    tok = token(sandbox)
    assert set(tok) == TOKEN_KEYS
    assert tok["startUrl"] == START_URL and tok["region"] == "eu-west-1"
    assert TS_RE.match(tok["expiresAt"]) and TS_RE.match(tok["registrationExpiresAt"])
    reg = json.loads((sandbox.cache / REG_FILE).read_text())
    assert set(reg) == {"clientId", "clientSecret", "expiresAt", "scopes"}
    assert reg["scopes"] == ["sso:account:access"] and TS_RE.match(reg["expiresAt"])
    assert (reg["clientId"], reg["clientSecret"]) == (tok["clientId"], tok["clientSecret"])

    # botocore's own SSO credential resolution uses ssogen's token
    out = sandbox.python(BOTOCORE_CREDS)
    assert out.returncode == 0, out.stderr
    prefix, key_digest = out.stdout.split()
    assert prefix == "ASIA" and key_digest in issued_digests(emu)

    # a second login reuses the token; --force logs in again
    before = api_counts(emu)
    again = sandbox.run("login", "--session", "acme", "--no-browser")
    assert again.returncode == 0 and "Already logged in" in again.stderr
    assert api_counts(emu)["CreateToken"] == before["CreateToken"]
    forced = sandbox.run("login", "--profile", "acme-ro", "--no-browser", "--force")
    assert forced.returncode == 0, forced.stderr
    assert api_counts(emu)["StartDeviceAuthorization"] == before["StartDeviceAuthorization"] + 1
    assert api_counts(emu)["RegisterClient"] == before["RegisterClient"]  # registration reused
    assert token(sandbox)["accessToken"] != tok["accessToken"]


def test_botocore_refreshes_with_ssogen_refresh_token(sandbox, make_emulator):
    # token_ttl inside botocore's 15-minute refresh window: botocore refreshes at once
    emu = make_emulator(auto_approve_after=0, token_ttl=600)
    setup_config(sandbox, emu)
    assert sandbox.run("login", "--session", "acme").returncode == 0
    old = token(sandbox)
    before = api_counts(emu)["CreateToken"]
    out = sandbox.python(BOTOCORE_CREDS)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[1] in issued_digests(emu)
    new = token(sandbox)
    assert api_counts(emu)["CreateToken"] == before + 1  # the refresh_token grant
    assert new["accessToken"] != old["accessToken"]
    assert new["refreshToken"] != old["refreshToken"]  # rotated by the emulator
    assert (new["clientId"], new["registrationExpiresAt"]) == (old["clientId"],
                                                               old["registrationExpiresAt"])
    assert stat.S_IMODE((sandbox.cache / TOKEN_FILE).stat().st_mode) == 0o600


def _on_the_emulator_clock(offset: float) -> str:
    """Prefix for a botocore snippet whose token clock reads the emulator's clock (real time +
    ``offset``). botocore decides to refresh from the cache file's expiresAt against its own
    clock, so moving only the emulator's clock would change nothing on botocore's side; this
    moves time for both ends, as if the user ran it ``offset`` seconds later. Only botocore's
    token clock (botocore.tokens) is shifted, nothing of ssogen's, and no file is edited."""
    return (
        "import datetime as _dt, botocore.tokens\n"
        "class _Later(_dt.datetime):\n"
        "    @classmethod\n"
        "    def now(cls, tz=None):\n"
        f"        return super().now(tz) + _dt.timedelta(seconds={offset!r})\n"
        "botocore.tokens.datetime = _Later\n"
    )


def test_botocore_refreshes_when_the_emulator_clock_nears_expiry(sandbox, make_emulator):
    """Issue 3: "with the emulator clock advanced to near expiry, botocore refreshes the token
    with ssogen's stored refresh token and registration" -- with the normal token lifetime
    (1 h), and the emulator's clock moved (``advance_clock``), not a short TTL."""
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    emu = make_emulator(auto_approve_after=0)
    assert emu.token_ttl == 3600  # the normal lifetime, well outside botocore's 15-min window
    setup_config(sandbox, emu)
    assert sandbox.run("login", "--session", "acme").returncode == 0
    old = token(sandbox)
    before = api_counts(emu)["CreateToken"]

    # now: botocore uses ssogen's token as it is (nothing to refresh yet)
    out = sandbox.python(BOTOCORE_CREDS)
    assert out.returncode == 0, out.stderr
    assert api_counts(emu)["CreateToken"] == before and token(sandbox) == old

    # 5 minutes before the token expires, on the emulator's clock (and botocore's)
    offset = emu.token_ttl - 300
    emu.advance_clock(offset)
    out = sandbox.python(_on_the_emulator_clock(offset) + BOTOCORE_CREDS)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[1] in issued_digests(emu)
    assert api_counts(emu)["CreateToken"] == before + 1  # botocore's refresh_token grant
    new = token(sandbox)
    assert new["accessToken"] != old["accessToken"]
    assert new["refreshToken"] != old["refreshToken"]  # rotated by the emulator
    for key in ("clientId", "clientSecret", "registrationExpiresAt", "startUrl", "region"):
        assert new[key] == old[key], key  # ssogen's registration, used and kept
    assert stat.S_IMODE((sandbox.cache / TOKEN_FILE).stat().st_mode) == 0o600
    # the refresh spent ssogen's stored refresh token: it cannot be used again
    cfg = Config(signature_version=UNSIGNED, region_name="eu-west-1")
    oidc = boto3.client("sso-oidc", endpoint_url=emu.url, config=cfg)
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        oidc.create_token(clientId=old["clientId"], clientSecret=old["clientSecret"],
                          grantType="refresh_token", refreshToken=old["refreshToken"])
    # and the clock really matters: 10 minutes on, the old access token is expired (401)
    # while the refreshed one works
    emu.advance_clock(600)
    sso = boto3.client("sso", endpoint_url=emu.url, config=cfg)
    with pytest.raises(sso.exceptions.UnauthorizedException):
        sso.get_role_credentials(accessToken=old["accessToken"], accountId=ACCOUNT,
                                 roleName=ROLE)
    key_id = sso.get_role_credentials(accessToken=new["accessToken"], accountId=ACCOUNT,
                                      roleName=ROLE)["roleCredentials"]["accessKeyId"]
    assert key_id.startswith("ASIA")


def test_aws_cli_token_is_reused_without_login(sandbox, make_emulator):
    emu = make_emulator()
    setup_config(sandbox, emu)
    written = write_cli_token(sandbox, emu, expires_in=timedelta(hours=1), with_client=False)
    before = api_counts(emu)
    proc = sandbox.run("list", "--session", "acme", "--json", "--no-login")
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)["accounts"]) == len(emu.org)
    after = api_counts(emu)
    for api in ("RegisterClient", "StartDeviceAuthorization", "CreateToken"):
        assert after[api] == before[api], api
    assert token(sandbox) == written  # untouched


def test_expired_aws_cli_token_is_refreshed(sandbox, make_emulator):
    emu = make_emulator()
    setup_config(sandbox, emu)
    written = write_cli_token(sandbox, emu, expires_in=timedelta(minutes=-5))
    before = api_counts(emu)
    proc = sandbox.run("login", "--session", "acme")
    assert proc.returncode == 0, proc.stderr
    assert "Logged in to" in proc.stderr and "enter the code" not in proc.stderr
    after = api_counts(emu)
    assert after["StartDeviceAuthorization"] == before["StartDeviceAuthorization"]
    assert after["CreateToken"] == before["CreateToken"] + 1
    new = token(sandbox)
    assert new["accessToken"] != written["accessToken"] and new["clientId"] == written["clientId"]


@pytest.mark.parametrize("variant", ["no-refresh-fields", "refresh-token-revoked"])
def test_unrefreshable_token_starts_device_flow(sandbox, make_emulator, variant):
    emu = make_emulator(auto_approve_after=0)
    setup_config(sandbox, emu)
    write_cli_token(sandbox, emu, expires_in=timedelta(minutes=-5),
                    with_client=variant != "no-refresh-fields")
    if variant == "refresh-token-revoked":
        data = token(sandbox)
        data["refreshToken"] = "aor-not-a-token-the-emulator-issued"
        (sandbox.cache / TOKEN_FILE).write_text(json.dumps(data))
    no_login = sandbox.run("list", "--session", "acme", "--no-login")
    assert no_login.returncode == 4 and no_login.stdout == ""
    assert "ssogen login --session acme" in no_login.stderr
    before = api_counts(emu)["StartDeviceAuthorization"]
    proc = sandbox.run("login", "--session", "acme", "--no-browser")
    assert proc.returncode == 0, proc.stderr
    assert api_counts(emu)["StartDeviceAuthorization"] == before + 1
    assert set(token(sandbox)) == TOKEN_KEYS


def assert_no_token_written(sandbox, registration_expected: bool = True) -> None:
    files = cache_files(sandbox)
    assert TOKEN_FILE not in files
    assert not [f for f in files if f.endswith(".tmp") or f.startswith(".")]
    assert files == ([REG_FILE] if registration_expected else [])


def test_denied_login_exits_3_and_writes_no_token(sandbox, make_emulator):
    emu = make_emulator()
    setup_config(sandbox, emu)
    act_when_pending(emu, "deny", delay=0.3)
    proc = sandbox.run("login", "--session", "acme", "--no-browser")
    assert proc.returncode == 3, proc.stderr
    assert "denied" in proc.stderr.splitlines()[-1]
    assert "Traceback" not in proc.stderr
    assert_no_token_written(sandbox)


def test_expired_device_code_exits_3(sandbox, make_emulator):
    emu = make_emulator(expires_in=2)  # nobody approves: pending, pending, ... expired
    setup_config(sandbox, emu)
    started = time.monotonic()
    proc = sandbox.run("login", "--session", "acme", "--no-browser")
    assert proc.returncode == 3, proc.stderr
    assert "expired" in proc.stderr.splitlines()[-1]
    assert time.monotonic() - started < 15
    assert emu.stats()["requests"]["CreateToken"] >= 2  # it polled while pending
    assert_no_token_written(sandbox)


def test_pending_then_approved_from_another_thread(sandbox, make_emulator):
    emu = make_emulator()
    setup_config(sandbox, emu)
    act_when_pending(emu, "approve", delay=1.5)
    proc = sandbox.run("login", "--session", "acme", "--no-browser")
    assert proc.returncode == 0, proc.stderr
    assert emu.stats()["requests"]["CreateToken"] >= 2
    assert set(token(sandbox)) == TOKEN_KEYS


def test_invalid_client_registration_is_replaced(sandbox, make_emulator):
    emu = make_emulator(auto_approve_after=0)
    setup_config(sandbox, emu)
    sandbox.cache.mkdir(parents=True)
    stale = {"clientId": "unknown-client", "clientSecret": "not-issued-by-the-emulator",
             "expiresAt": "2099-01-01T00:00:00Z", "scopes": ["sso:account:access"]}
    (sandbox.cache / REG_FILE).write_text(json.dumps(stale))
    proc = sandbox.run("login", "--session", "acme", "--no-browser")
    assert proc.returncode == 0, proc.stderr
    reg = json.loads((sandbox.cache / REG_FILE).read_text())
    assert reg["clientId"] != "unknown-client"
    assert token(sandbox)["clientId"] == reg["clientId"]
    assert emu.stats()["requests"]["RegisterClient"] == 1


def test_corrupt_caches_are_replaced(sandbox, make_emulator):
    emu = make_emulator(auto_approve_after=0)
    setup_config(sandbox, emu)
    sandbox.cache.mkdir(parents=True)
    (sandbox.cache / TOKEN_FILE).write_text('{"accessToken": ')
    (sandbox.cache / REG_FILE).write_bytes(b"\x00\x01not json")
    proc = sandbox.run("login", "--session", "acme", "--no-browser")
    assert proc.returncode == 0, proc.stderr
    # approved at the first CreateToken attempt, made before any prompt (pre-authorised)
    assert "enter the code" not in proc.stderr
    assert emu.stats()["requests"]["CreateToken"] == 1
    assert set(token(sandbox)) == TOKEN_KEYS
    assert json.loads((sandbox.cache / REG_FILE).read_text())["clientId"]
    assert cache_files(sandbox) == sorted([TOKEN_FILE, REG_FILE])


def test_slow_down_grows_the_polling_interval(sandbox, make_emulator, monkeypatch):
    """The emulator answers slow_down when two polls come less than ``interval`` apart. A
    second poller (this test) sneaks one poll in just before ssogen's second one; ssogen must
    then add 5 s to its interval (RFC 8628 §3.5) -- otherwise every later poll is too fast too
    and the login can never complete."""
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    import loginkit as auth

    # latency 0.5 s: a poll is judged 0.5 s after it is sent, which gives the sneaked-in poll
    # a wide window: judged >= 0.95 s after ssogen's first poll, < 0.95 s before its second.
    emu = make_emulator(interval=1, latency_ms=500, expires_in=30)
    setup_config(sandbox, emu)
    for key, value in sandbox.env.items():
        monkeypatch.setenv(key, value)
    session = auth.session_by_name(sandbox.config, "acme")

    def sneak() -> None:
        while not emu._devices:
            time.sleep(0.01)
        device = next(iter(emu._devices.values()))
        while device.last_poll is None:  # ssogen's immediate first attempt
            time.sleep(0.01)
        first = device.last_poll
        reg = json.loads((sandbox.cache / REG_FILE).read_text())
        oidc = boto3.session.Session().client("sso-oidc", region_name="eu-west-1",
                                              config=Config(signature_version=UNSIGNED))
        time.sleep(max(0.0, first + 0.7 - emu.now()))
        with contextlib.suppress(oidc.exceptions.AuthorizationPendingException):
            oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                              grantType="urn:ietf:params:oauth:grant-type:device_code",
                              deviceCode=device.device_code)
        while device.interval < 6:  # ssogen's second poll got slow_down
            time.sleep(0.01)
        emu.approve()

    t = threading.Thread(target=sneak, daemon=True)
    t.start()
    started = time.monotonic()
    got = auth.obtain_token(session, no_browser=True)
    elapsed = time.monotonic() - started
    t.join(5)
    assert got.source == "login"
    device = next(iter(emu._devices.values()))
    assert device.interval == 6  # exactly one slow_down: ssogen waited 6 s afterwards
    assert elapsed >= 6
    assert set(token(sandbox)) == TOKEN_KEYS


def test_ctrl_c_while_polling_exits_130_without_cache(sandbox, make_emulator):
    emu = make_emulator()
    setup_config(sandbox, emu)
    # -X faulthandler: should it not end, SIGABRT makes it print where it is
    proc = subprocess.Popen([sys.executable, "-X", "faulthandler", "-m", "ssogen", "login",
                             "--session", "acme", "--no-browser"], env=sandbox.env,
                            cwd=sandbox.home, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        deadline = time.monotonic() + 30
        while not emu.pending_user_codes() or emu.stats()["requests"]["CreateToken"] < 2:
            assert time.monotonic() < deadline, "never started polling"
            assert proc.poll() is None
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGABRT)
            out, err = proc.communicate(timeout=10)
            pytest.fail(f"still running 20 s after Ctrl-C:\n{err}")
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert out == ""
    assert not any(s in err for s in emu.issued_secrets())
    assert_no_token_written(sandbox)


def test_legacy_profile_login_is_usable_by_botocore(sandbox, make_emulator):
    emu = make_emulator(auto_approve_after=0)
    sandbox.env.update(emu.endpoint_env())
    sandbox.aws.mkdir()
    legacy_url = "https://legacy.awsapps.com/start#/"
    sandbox.config.write_text(
        "[profile acme-ro]\n"
        f"sso_start_url = {legacy_url}\nsso_region = eu-west-1\n"
        f"sso_account_id = {ACCOUNT}\nsso_role_name = {ROLE}\n")
    proc = sandbox.run("login", "--profile", "acme-ro", "--no-browser")
    assert proc.returncode == 0, proc.stderr
    key = hashlib.sha1(legacy_url.encode()).hexdigest()
    assert (sandbox.cache / f"{key}.json").exists()
    out = sandbox.python(BOTOCORE_CREDS)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[1] in issued_digests(emu)


def test_no_secret_in_any_output(sandbox, make_emulator):
    """Belt and braces next to the suite-wide scan: run with -vv (ssogen's debug logging on)."""
    emu = make_emulator(auto_approve_after=1)
    setup_config(sandbox, emu)
    outputs = []
    for args in (["-vv", "login", "--session", "acme", "--no-browser"],
                 ["-vv", "list", "--session", "acme", "--json"]):
        proc = sandbox.run(*args)
        assert proc.returncode == 0, proc.stderr
        outputs += [proc.stdout, proc.stderr]
    assert emu.issued_secrets()
    for secret in emu.issued_secrets():
        assert not any(secret in text for text in outputs)
    assert os.environ.get("AWS_ENDPOINT_URL_SSO") is None  # the test process is untouched
    assert Path(sandbox.cache / TOKEN_FILE).exists()


@pytest.mark.parametrize("no_browser", [False, True])
def test_wsl_login_opens_windows_browser_and_copies_code(sandbox, make_emulator, tmp_path,
                                                         no_browser):
    """WSL simulated by WSL_DISTRO_NAME, with fake ``wslview`` and ``clip.exe`` on PATH that
    record what they get."""
    emu = make_emulator(auto_approve_after=1)
    setup_config(sandbox, emu)
    fake = tmp_path / "winbin"
    fake.mkdir()
    (fake / "wslview").write_text(f'#!/bin/sh\nprintf "%s" "$*" > {fake}/opened\n')
    (fake / "clip.exe").write_text(f"#!/bin/sh\ncat > {fake}/clipboard\n")
    for f in fake.iterdir():
        f.chmod(0o755)
    env = {"WSL_DISTRO_NAME": "Ubuntu", "PATH": f"{fake}:{os.environ['PATH']}"}
    args = ["login", "--session", "acme"] + (["--no-browser"] if no_browser else [])
    proc = sandbox.run(*args, env=env)
    assert proc.returncode == 0, proc.stderr
    complete = next(ln for ln in proc.stderr.splitlines() if "user_code=" in ln)
    code = complete.rsplit("=", 1)[1]
    assert (fake / "clipboard").read_bytes() == code.encode()  # no trailing newline
    if no_browser:
        assert not (fake / "opened").exists()
        assert "Opened the login page" not in proc.stderr
    else:
        deadline = time.monotonic() + 5
        while not (fake / "opened").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert (fake / "opened").read_text() == complete
        assert "Opened the login page in your browser." in proc.stderr
    # the prompt came before the browser, and the URL lines are untouched
    lines = proc.stderr.splitlines()
    assert lines.index(complete) < lines.index("Waiting for approval (Ctrl-C to cancel)...")


def test_unreachable_endpoint_exits_5_in_one_line(sandbox):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sandbox.aws.mkdir()
    sandbox.config.write_text(f"[sso-session acme]\nsso_start_url = {START_URL}\n"
                              "sso_region = eu-west-1\n")
    url = f"http://127.0.0.1:{port}"
    proc = sandbox.run("login", "--session", "acme", "--no-browser",
                       env={"AWS_ENDPOINT_URL_SSO": url, "AWS_ENDPOINT_URL_SSO_OIDC": url})
    assert proc.returncode == 5, proc.stderr
    lines = proc.stderr.splitlines()  # the error's one line, and its hint
    assert len(lines) == 2 and url in lines[0] and "Traceback" not in proc.stderr, proc.stderr
    assert lines[1] == "  hint: check the network (or AWS_ENDPOINT_URL_SSO_OIDC)"
    assert not sandbox.cache.exists() or cache_files(sandbox) == []
