"""The authorization code flow with PKCE end to end against the emulator, reached only through
AWS_ENDPOINT_URL_SSO(_OIDC): ssogen runs as a subprocess and waits on its loopback callback
while the test, as the person in the browser, opens the printed URL on the emulator's consent
page, presses Allow or Deny and follows the redirect back to ssogen."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import stat
import time
import urllib.parse
import uuid
from pathlib import Path

import pytest

import loginkit as kit

START_URL = "https://acme.awsapps.com/start"
ACCOUNT, ROLE = "210987654321", "ReadOnlyAccess"
TOKEN_FILE = hashlib.sha1(b"acme").hexdigest() + ".json"
REG_FILE = hashlib.sha1(json.dumps(  # the same key as the device flow's (docs/AWS-NOW.md §a)
    {"tool": "botocore", "startUrl": START_URL, "region": "eu-west-1",
     "scopes": ["sso:account:access"], "session_name": "acme"}, sort_keys=True).encode()
).hexdigest() + ".json"
TOKEN_KEYS = ["startUrl", "region", "accessToken", "expiresAt", "clientId", "clientSecret",
              "registrationExpiresAt", "refreshToken"]
PKCE_LOGIN = ("login", "--session", "acme", "--use-pkce", "--no-browser")


@pytest.fixture
def online(sandbox, make_emulator):  # type: ignore[no-untyped-def]
    emu = make_emulator()
    sandbox.use_emulator(emu, start_url=START_URL, profile=(ACCOUNT, ROLE))
    return sandbox, emu


def cache_files(sandbox) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(os.listdir(sandbox.cache)) if sandbox.cache.exists() else []


def api(emu, name: str) -> int:  # type: ignore[no-untyped-def]
    return int(emu.stats()["requests"][name])


def query(url: str) -> list[tuple[str, str]]:
    return urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query, keep_blank_values=True)


def pkce_login(sandbox, emu, *args: str, action: str = "approve",  # type: ignore[no-untyped-def]
               ) -> tuple[int, str, str, str]:
    """Run a PKCE login, answer the consent page, follow the redirect; (exit status, stderr,
    the callback page, the redirect Location)."""
    run = kit.LoginProcess(sandbox, *(args or PKCE_LOGIN))
    url = run.authorize_url()
    location = kit.consent(url, action)
    _, headers, page = kit.http("GET", location)
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Cache-Control"] == "no-store"
    assert headers["Referrer-Policy"] == "no-referrer"
    rc, _out, err = run.finish()
    return rc, err, page, location


def test_pkce_login_caches_token_and_registration_like_the_aws_cli(online) -> None:  # type: ignore[no-untyped-def]
    sandbox, emu = online
    run = kit.LoginProcess(sandbox, *PKCE_LOGIN)
    url = run.authorize_url()

    # the URL: the sso-oidc endpoint's origin, the AWS CLI's parameters in its order
    assert url.startswith(f"{emu.url}/authorize?response_type=code&client_id=")
    params = query(url)
    assert [k for k, _ in params] == ["response_type", "client_id", "redirect_uri", "state",
                                      "code_challenge_method", "scopes", "code_challenge"]
    got = dict(params)
    redirect = urllib.parse.urlsplit(got["redirect_uri"])
    assert (redirect.scheme, redirect.hostname, redirect.path) == (
        "http", "127.0.0.1", "/oauth/callback")
    assert redirect.port and str(uuid.UUID(got["state"])) == got["state"]
    assert got["code_challenge_method"] == "S256" and got["scopes"] == "sso:account:access"
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", got["code_challenge"])
    assert "scopes=sso%3Aaccount%3Aaccess" in url
    # the callback listens on 127.0.0.1 only (the AWS CLI binds every interface)
    assert kit.listening_on(redirect.port) == ["0100007F"]

    location = kit.consent(url)
    assert location.startswith(got["redirect_uri"] + "?code=")
    code = dict(query(location))["code"]
    status, headers, page = kit.http("GET", location)
    assert status == 200 and "<h1 class=\"ok\">Logged in</h1>" in page
    assert code not in page and "<script" not in page
    assert headers["Content-Security-Policy"].startswith("default-src 'none'")
    rc, out, err = run.finish()
    assert rc == 0, err
    assert out == "" and code not in err  # the authorization code is never shown
    assert url in err.splitlines()  # the URL alone on its line
    assert re.fullmatch(r"Logged in to https://acme\.awsapps\.com/start "
                        r"\(token valid until (\d{4}-\d\d-\d\d )?\d\d:\d\d\)", err.splitlines()[-1])
    assert not kit.listening_on(redirect.port)  # the callback is closed

    # the AWS CLI's files: the one registration key, grantTypes recorded; the same token file
    assert cache_files(sandbox) == sorted([TOKEN_FILE, REG_FILE])
    assert stat.S_IMODE(sandbox.cache.stat().st_mode) == 0o700
    for name in cache_files(sandbox):
        assert stat.S_IMODE((sandbox.cache / name).stat().st_mode) == 0o600
    reg = json.loads((sandbox.cache / REG_FILE).read_text())
    assert list(reg) == ["clientId", "clientSecret", "expiresAt", "scopes", "grantTypes"]
    assert reg["grantTypes"] == ["authorization_code", "refresh_token"]
    assert reg["scopes"] == ["sso:account:access"] and reg["clientId"] == got["client_id"]
    tok = json.loads((sandbox.cache / TOKEN_FILE).read_text())
    assert list(tok) == TOKEN_KEYS
    assert (tok["startUrl"], tok["region"], tok["clientId"]) == (START_URL, "eu-west-1",
                                                                  reg["clientId"])
    client = emu.oidc.clients[reg["clientId"]]  # registered as the AWS CLI registers
    assert (client.name, client.grant_types, client.redirect_uris) == (
        "botocore-client-acme", ["authorization_code", "refresh_token"],
        ["http://127.0.0.1/oauth/callback"])

    # the token works, and the next login reuses it
    listed = sandbox.run("list", "--session", "acme", "--json", "--no-login")
    assert listed.returncode == 0 and len(json.loads(listed.stdout)["accounts"]) == len(emu.org)
    again = sandbox.run(*PKCE_LOGIN)
    assert again.returncode == 0 and "Already logged in" in again.stderr


def test_registration_reused_by_pkce_and_replaced_when_switching_flows(online) -> None:  # type: ignore[no-untyped-def]
    """As observed with the AWS CLI: PKCE, PKCE (reused), device (re-registers, same file,
    no grantTypes), PKCE (registers again)."""
    sandbox, emu = online
    assert pkce_login(sandbox, emu)[0] == 0
    assert pkce_login(sandbox, emu, *PKCE_LOGIN, "--force")[0] == 0
    assert api(emu, "RegisterClient") == 1
    emu.auto_approve_after = 0
    device = sandbox.run("login", "--session", "acme", "--use-device-code", "--no-browser",
                         "--force")
    assert device.returncode == 0, device.stderr
    assert api(emu, "RegisterClient") == 2
    reg = json.loads((sandbox.cache / REG_FILE).read_text())
    assert "grantTypes" not in reg
    emu.auto_approve_after = None
    assert pkce_login(sandbox, emu, *PKCE_LOGIN, "--force")[0] == 0
    assert api(emu, "RegisterClient") == 3
    assert cache_files(sandbox) == sorted([TOKEN_FILE, REG_FILE])


def test_denied_in_the_browser_exits_3_without_a_token(online) -> None:  # type: ignore[no-untyped-def]
    sandbox, emu = online
    rc, err, page, location = pkce_login(sandbox, emu, action="deny")
    assert dict(query(location))["error"] == "access_denied"
    assert rc == 3, err
    assert "Login failed" in page and "You denied access." in page
    assert err.splitlines()[-1] == "ssogen: error: the login was denied in the browser"
    assert "Traceback" not in err
    assert cache_files(sandbox) == [REG_FILE]  # no token, no temp or lock file


def test_a_redirect_with_another_state_is_refused(online) -> None:  # type: ignore[no-untyped-def]
    sandbox, emu = online
    run = kit.LoginProcess(sandbox, *PKCE_LOGIN)
    url = run.authorize_url()
    location = kit.consent(url)
    base, _, qs = location.partition("?")
    forged = dict(urllib.parse.parse_qsl(qs))
    forged["state"] = str(uuid.uuid4())
    status, _, page = kit.http("GET", base + "?" + urllib.parse.urlencode(forged))
    assert status == 200 and "does not belong to the login" in page
    rc, _, err = run.finish()
    assert rc == 3, err
    assert "state mismatch" in err.splitlines()[-1]
    assert "ssogen login --session acme" in err.splitlines()[-1]
    assert api(emu, "CreateToken") == 0  # the code was never redeemed
    assert cache_files(sandbox) == [REG_FILE]


def test_other_requests_to_the_callback_do_not_end_the_wait(online) -> None:  # type: ignore[no-untyped-def]
    sandbox, _ = online
    run = kit.LoginProcess(sandbox, *PKCE_LOGIN)
    url = run.authorize_url()
    callback = dict(query(url))["redirect_uri"]
    origin = callback.rsplit("/oauth/", 1)[0]
    assert kit.http("GET", origin + "/favicon.ico")[0] == 404
    assert kit.http("GET", callback)[0] == 400  # neither code nor error
    assert kit.http("POST", callback, {"code": "x"})[0] == 405
    location = kit.consent(url)
    assert kit.http("GET", location)[0] == 200
    rc, _, err = run.finish()
    assert rc == 0, err


def test_no_answer_from_the_browser_times_out_with_exit_3(online) -> None:  # type: ignore[no-untyped-def]
    sandbox, _ = online
    started = time.monotonic()
    run = kit.LoginProcess(sandbox, *PKCE_LOGIN, env={"SSOGEN_PKCE_TIMEOUT": "2"})
    port = urllib.parse.urlsplit(dict(query(run.authorize_url()))["redirect_uri"]).port
    rc, _, err = run.finish()
    assert rc == 3, err
    assert time.monotonic() - started < 30
    assert err.splitlines()[-1] == (
        "ssogen: error: no answer from the browser within 2 s; run `ssogen login --session "
        "acme` again (or add --use-device-code if no browser here can open the URL)")
    assert port and not kit.listening_on(port)
    assert cache_files(sandbox) == [REG_FILE]


@pytest.mark.parametrize("value", ["0", "soon", "-5", "nan"])
def test_a_bad_timeout_variable_is_a_usage_error(online, value: str) -> None:  # type: ignore[no-untyped-def]
    sandbox, _ = online
    proc = sandbox.run(*PKCE_LOGIN, env={"SSOGEN_PKCE_TIMEOUT": value})
    assert proc.returncode == 2
    assert proc.stderr.startswith("ssogen: error: SSOGEN_PKCE_TIMEOUT=")


def test_ctrl_c_while_waiting_exits_130_without_a_token(online) -> None:  # type: ignore[no-untyped-def]
    sandbox, _ = online
    run = kit.LoginProcess(sandbox, *PKCE_LOGIN)
    run.authorize_url()
    run.expect("Waiting for the browser")
    run.interrupt()
    rc, out, err = run.finish()
    assert rc == 130, err
    assert "interrupted" in err and "Traceback" not in err and out == ""
    assert cache_files(sandbox) == [REG_FILE]


def test_the_browser_is_opened_with_the_url(online, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """BROWSER names a fake browser that, like a person, allows access and follows the
    redirect. Python's webbrowser waits for a BROWSER command to exit: ssogen must already
    be listening, and must not wait for the browser to exit before it stops waiting."""
    sandbox, emu = online
    import sys

    tests, status = str(Path(kit.__file__).parent), str(tmp_path / "status")
    fake = tmp_path / "browser.py"
    fake.write_text(
        f"import sys\nsys.path.insert(0, {tests!r})\nimport loginkit\n"
        "loc = loginkit.consent(sys.argv[1])\nstatus, _, page = loginkit.http('GET', loc)\n"
        f"open({status!r}, 'w').write(str(status))\n")

    run = kit.LoginProcess(sandbox, "login", "--session", "acme", "--use-pkce",
                           env={"BROWSER": f"{sys.executable} {fake} %s"})
    rc, _, err = run.finish()
    assert rc == 0, err
    assert (tmp_path / "status").read_text() == "200"
    lines = err.splitlines()
    assert "Opened the login page in your browser." in lines
    assert api(emu, "CreateToken") == 1


def test_list_and_sync_take_the_flow_flags(online) -> None:  # type: ignore[no-untyped-def]
    sandbox, emu = online
    rc, err, _, _ = pkce_login(sandbox, emu, "list", "--session", "acme", "--json",
                               "--use-pkce", "--no-browser")
    assert rc == 0, err
    for cmd in ("setup", "sync", "list", "login"):
        both = sandbox.run(cmd, "--use-pkce", "--use-device-code")
        assert both.returncode == 2 and "not allowed with argument" in both.stderr, cmd
        assert "--use-pkce" in sandbox.run(cmd, "--help").stdout


def test_the_default_flow_is_said_in_one_line(online) -> None:  # type: ignore[no-untyped-def]
    """The suite runs without DISPLAY (conftest): the default is the device code, said in
    the line after why a login starts -- and not at all when a flag chose."""
    sandbox, emu = online
    emu.auto_approve_after = 1
    proc = sandbox.run("login", "--session", "acme", "--no-browser")
    assert proc.returncode == 0, proc.stderr
    why, flow = proc.stderr.splitlines()[:2]
    assert why == "ssogen: no login cached for session acme: logging in"
    # --no-browser says there is no browser to use: the browser flow is not offered
    assert flow == "ssogen: logging in with a device code (--no-browser)"
    chosen = sandbox.run("login", "--session", "acme", "--use-device-code", "--force")
    assert chosen.returncode == 0
    assert chosen.stderr.splitlines()[0] == "ssogen: logging in to session acme again (--force)"
    assert "with a device code" not in chosen.stderr and "--use-pkce" not in chosen.stderr
    default = sandbox.run("login", "--session", "acme", "--force",
                          env={"SSH_CONNECTION": "10.0.0.1 5000 10.0.0.2 22"})
    assert default.returncode == 0
    assert default.stderr.splitlines()[1] == (
        "ssogen: logging in with a device code (no local browser: SSH session) — --use-pkce "
        "to use the browser flow")


def test_legacy_profile_refuses_pkce(sandbox, make_emulator) -> None:  # type: ignore[no-untyped-def]
    emu = make_emulator()
    sandbox.env.update(emu.endpoint_env())
    sandbox.aws.mkdir()
    sandbox.config.write_text("[profile old]\nsso_start_url = https://old.awsapps.com/start\n"
                              f"sso_region = eu-west-1\nsso_account_id = {ACCOUNT}\n"
                              f"sso_role_name = {ROLE}\n")
    proc = sandbox.run("login", "--profile", "old", "--use-pkce")
    assert proc.returncode == 2
    assert proc.stderr.startswith("ssogen: error: --use-pkce needs an [sso-session]")
    assert api(emu, "RegisterClient") == 0


def test_the_verifier_matches_the_challenge_sent(online) -> None:  # type: ignore[no-untyped-def]
    """The emulator redeems the code only with the verifier whose S256 is the challenge in
    the URL, and only with the redirect URI (port included) of the request."""
    sandbox, emu = online
    rc, err, _, location = pkce_login(sandbox, emu)
    assert rc == 0, err
    code = dict(query(location))["code"]
    spent = emu.oidc.codes.codes[code]
    assert spent.used and spent.redirect_uri == location.split("?", 1)[0]
    assert len(spent.challenge) == 43
    assert base64.urlsafe_b64decode(spent.challenge + "=")  # a base64url SHA-256


def test_setup_logs_in_with_pkce_when_asked(sandbox, make_emulator) -> None:  # type: ignore[no-untyped-def]
    """setup (like sync) builds its request without knowing the flag: the run's preference
    (recorded while parsing) reaches the login."""
    emu = make_emulator()
    sandbox.env.update(emu.endpoint_env())
    rc, err, _, _ = pkce_login(sandbox, emu, "setup", "--yes", "--use-pkce", "--no-browser",
                               "--start-url", START_URL, "--sso-region", "eu-west-1",
                               "--session", "acme")
    assert rc == 0, err
    assert api(emu, "StartDeviceAuthorization") == 0 and api(emu, "CreateToken") == 1
    assert "[sso-session acme]" in sandbox.config.read_text()
    sync = sandbox.run("sync", "--no-login", "--check")
    assert sync.returncode == 0, sync.stderr


def test_wsl_opens_the_windows_browser(online, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """WSL simulated by WSL_DISTRO_NAME, with a fake ``wslview`` on PATH that, like the
    Windows browser (which reaches 127.0.0.1 through WSL2's localhost forwarding), allows
    access and follows the redirect."""
    import sys

    sandbox, emu = online
    fake = tmp_path / "winbin"
    fake.mkdir()
    tests = str(Path(kit.__file__).parent)
    wslview = fake / "wslview"
    wslview.write_text(
        f"#!{sys.executable}\nimport sys\nsys.path.insert(0, {tests!r})\nimport loginkit\n"
        f"open({str(fake / 'opened')!r}, 'w').write(sys.argv[1])\n"
        "loginkit.http('GET', loginkit.consent(sys.argv[1]))\n")
    wslview.chmod(0o755)
    env = {"WSL_DISTRO_NAME": "Ubuntu", "PATH": f"{fake}:{os.environ['PATH']}"}
    run = kit.LoginProcess(sandbox, "login", "--session", "acme", "--use-pkce", env=env)
    url = run.authorize_url()
    rc, _, err = run.finish()
    assert rc == 0, err
    assert (fake / "opened").read_text() == url
    assert "Opened the login page in your browser." in err.splitlines()
    assert api(emu, "CreateToken") == 1
    # without the flag, WSL logs in with a device code, and says why (WSL, or what this
    # machine has that outranks it: SSH, a container)
    emu.auto_approve_after = 1
    device = sandbox.run("login", "--session", "acme", "--force", env=env)
    assert device.returncode == 0, device.stderr
    why, note = device.stderr.splitlines()[:2]
    assert why == "ssogen: logging in to session acme again (--force)"
    assert note.startswith("ssogen: logging in with a device code (")
    assert note.endswith(" — --use-pkce to use the browser flow")
    assert api(emu, "StartDeviceAuthorization") == 1
