"""``ssogen console``: role credentials -> getSigninToken -> the login URL, with the sign-in
host of the profile's partition (a table), the emulator's ``/federation`` reached through
AWS_ENDPOINT_URL_SIGNIN, and the login URL treated as the secret it is.

The login URL carries a sign-in token, which the suite-wide secret scan (conftest.py) treats
as strictly as an access token: no test may capture it. ``--print`` writes it to stdout, so the
tests that need it send ssogen's stdout to a file (never captured, never scanned) and keep
stderr captured -- and scanned -- as usual."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from conftest import Sandbox
from ssogen.aws import federation
from ssogen.aws.credentials import RoleCredentials
from ssogen.emulator import Emulator
from ssogen.errors import UsageError
from test_emulator_aws import role_credentials

START_URL = "https://acme.awsapps.com/start"
PROD, ROLE = "210987654321", "ReadOnlyAccess"

# region -> (partition, federation endpoint, console) as AWS-NOW.md §f has them
PARTITIONS = {
    "eu-west-1": ("aws", "https://signin.aws.amazon.com/federation",
                  "https://console.aws.amazon.com/"),
    "cn-north-1": ("aws-cn", "https://signin.amazonaws.cn/federation",
                   "https://console.amazonaws.cn/"),
    "us-gov-west-1": ("aws-us-gov", "https://signin.amazonaws-us-gov.com/federation",
                      "https://console.amazonaws-us-gov.com/"),
    "eusc-de-east-1": ("aws-eusc", "https://eusc-de-east-1.signin.amazonaws-eusc.eu/federation",
                       "https://console.amazonaws-eusc.eu/"),
}


# -- the table and the URLs (pure) -------------------------------------------------------------
@pytest.mark.parametrize("region", sorted(PARTITIONS))
def test_each_partition_has_its_sign_in_host_and_console(region: str) -> None:
    name, endpoint, console = PARTITIONS[region]
    partition = federation.partition_for(region)
    assert (partition.name, partition.region) == (name, region)
    assert federation.federation_endpoint(partition, environ={}) == endpoint
    assert federation.destination_url(partition, None) == console
    assert partition.endpoint.confirmed == (name != "aws-eusc")


def test_partition_from_region_then_sso_region() -> None:
    assert federation.partition_for("cn-northwest-1", "eu-west-1").name == "aws-cn"
    assert federation.partition_for("", "us-gov-east-1").name == "aws-us-gov"
    assert federation.partition_for(None, None) == federation.Partition("aws", "")
    # a region ssogen does not know cannot decide; the next one can
    assert federation.partition_for("xx-nowhere-1", "cn-north-1").name == "aws-cn"
    with pytest.raises(UsageError, match="partition"):
        federation.partition_for("xx-nowhere-1")
    # no region at all: the commercial partition, whose endpoint is global
    assert federation.federation_endpoint(federation.partition_for(), environ={}) == (
        "https://signin.aws.amazon.com/federation")


def test_the_partition_table_covers_every_partition_of_the_region_data() -> None:
    from ssogen.model.regions import partitions

    assert set(partitions()) == set(federation.SIGNIN_ENDPOINTS)


@pytest.mark.parametrize(("value", "expected"), [
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080/federation"),
    ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/federation"),
    ("https://proxy.example/federation", "https://proxy.example/federation"),
    ("https://proxy.example/aws/", "https://proxy.example/aws/federation"),
])
def test_aws_endpoint_url_signin_replaces_the_endpoint(value: str, expected: str) -> None:
    partition = federation.partition_for("cn-north-1")
    assert federation.federation_endpoint(
        partition, environ={"AWS_ENDPOINT_URL_SIGNIN": value}) == expected
    assert federation.federation_endpoint(partition, environ={
        "AWS_ENDPOINT_URL_SIGNIN": value,
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}) == PARTITIONS["cn-north-1"][1]


@pytest.mark.parametrize("value", ["127.0.0.1:8080", "ftp://x/", "http://x/?a=b"])
def test_a_bad_aws_endpoint_url_signin_is_a_usage_error(value: str) -> None:
    with pytest.raises(UsageError, match="AWS_ENDPOINT_URL_SIGNIN"):
        federation.endpoint_override({"AWS_ENDPOINT_URL_SIGNIN": value})


def test_destination_and_duration_rules() -> None:
    cn = federation.partition_for("cn-north-1")
    assert federation.destination_url(cn, "/ec2/home?region=cn-north-1") == (
        "https://console.amazonaws.cn/ec2/home?region=cn-north-1")
    url = "https://console.aws.amazon.com/s3/home"
    assert federation.destination_url(cn, url) == url
    for bad in ("http://console.aws.amazon.com/", "javascript:alert(1)", "ec2/home",
                "https://console.aws.amazon.com/ x", "https://x/\x1b[2J"):
        with pytest.raises(UsageError, match="--destination"):
            federation.destination_url(cn, bad)
    assert federation.check_duration(None) is None
    assert federation.check_duration(900) == 900 and federation.check_duration(43200) == 43200
    for bad_seconds in (899, 43201, 0, -1):
        with pytest.raises(UsageError, match="--duration"):
            federation.check_duration(bad_seconds)


def test_the_requests_follow_the_federation_protocol() -> None:
    creds = RoleCredentials("ASIAEXAMPLEEXAMPLE12", "sec/ret+key", "to+ken/=", None)
    url = federation.signin_token_url("https://signin.aws.amazon.com/federation", creds, None)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query["Action"] == ["getSigninToken"] and "SessionDuration" not in query
    assert json.loads(query["Session"][0]) == {
        "sessionId": "ASIAEXAMPLEEXAMPLE12", "sessionKey": "sec/ret+key",
        "sessionToken": "to+ken/="}
    with_duration = federation.signin_token_url("https://x/federation", creds, 3600)
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(with_duration).query)[
        "SessionDuration"] == ["3600"]
    login = federation.login_url("https://signin.amazonaws.cn/federation", "tok+/=",
                                 "https://console.amazonaws.cn/ec2/home?region=cn-north-1#x")
    parts = urllib.parse.urlsplit(login)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "signin.amazonaws.cn",
                                                        "/federation")
    assert [k for k, _ in urllib.parse.parse_qsl(parts.query)] == [
        "Action", "Issuer", "Destination", "SigninToken"]
    assert dict(urllib.parse.parse_qsl(parts.query)) == {
        "Action": "login", "Issuer": "ssogen", "SigninToken": "tok+/=",
        "Destination": "https://console.amazonaws.cn/ec2/home?region=cn-north-1#x"}


# -- the flow in this process: the real hosts, with a stand-in for the HTTP call --------------
@pytest.mark.parametrize("region", sorted(PARTITIONS))
def test_the_flow_builds_the_login_url_on_the_partitions_host(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, region: str) -> None:
    """Static temporary credentials in the credentials file, the region in the config: no
    network, so the real endpoint of each partition is what the flow asks and links to."""
    from ssogen.app.console import ConsoleRequest, sign_in
    from ssogen.store.snapshot import ConfigSnapshot

    config, creds_file = tmp_path / "config", tmp_path / "credentials"
    config.write_text(f"[profile p]\nregion = {region}\n")
    creds_file.write_text("[p]\naws_access_key_id = ASIAEXAMPLEEXAMPLE12\n"
                          "aws_secret_access_key = secret\naws_session_token = token\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(creds_file))
    asked: list[tuple[str, str | None, int | None]] = []

    def get_token(endpoint: str, creds: RoleCredentials, duration: int | None) -> str:
        asked.append((endpoint, creds.session_token, duration))
        return "signin-token"

    signin = sign_in(ConsoleRequest("p", str(config), duration=3600),
                     ConfigSnapshot.read(config), environ={}, get_token=get_token)
    name, endpoint, console = PARTITIONS[region]
    assert asked == [(endpoint, "token", 3600)]
    assert signin.url.startswith(endpoint + "?Action=login&")
    assert dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(signin.url).query))[
        "Destination"] == console
    assert (signin.partition, signin.destination) == (name, console)
    assert signin.unconfirmed_endpoint == (name == "aws-eusc")
    assert "signin-token" not in repr(signin)  # the URL stays out of reprs (and tracebacks)


# -- against the emulator ---------------------------------------------------------------------
def _fmt(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _write_token_cache(sandbox: Sandbox, emu: Emulator, sso_region: str) -> None:
    """An approved device-code login, cached the way the AWS CLI v2 caches it."""
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    oidc = boto3.session.Session().client("sso-oidc", region_name="eu-west-1",
                                          endpoint_url=emu.url,
                                          config=Config(signature_version=UNSIGNED))
    reg = oidc.register_client(clientName="test", clientType="public")
    auth = oidc.start_device_authorization(clientId=reg["clientId"],
                                           clientSecret=reg["clientSecret"],
                                           startUrl=START_URL)
    emu.approve(auth["userCode"])
    tok = oidc.create_token(grantType="urn:ietf:params:oauth:grant-type:device_code",
                            clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                            deviceCode=auth["deviceCode"])
    now = datetime.now(timezone.utc)
    sandbox.cache.mkdir(parents=True, exist_ok=True)
    (sandbox.cache / (hashlib.sha1(b"acme").hexdigest() + ".json")).write_text(json.dumps({
        "startUrl": START_URL, "region": sso_region, "accessToken": tok["accessToken"],
        "expiresAt": _fmt(now + timedelta(hours=1)), "clientId": reg["clientId"],
        "clientSecret": reg["clientSecret"],
        "registrationExpiresAt": _fmt(now + timedelta(days=80))}))


def _configure(sandbox: Sandbox, emu: Emulator, *, region: str = "eu-west-1",
               sso_region: str = "eu-west-1", account: str = PROD, role: str = ROLE,
               login: bool = True) -> None:
    """``[sso-session acme]`` in ``sso_region`` and ``[profile p]`` for account/role with
    ``region`` ('' for none); logged in when ``login``."""
    sandbox.env.update(emu.endpoint_env())
    sandbox.aws.mkdir(exist_ok=True)
    region_line = f"region = {region}\n" if region else ""
    sandbox.config.write_text(
        f"[sso-session acme]\nsso_start_url = {START_URL}\nsso_region = {sso_region}\n"
        "sso_registration_scopes = sso:account:access\n\n"
        f"[profile p]\nsso_session = acme\nsso_account_id = {account}\n"
        f"sso_role_name = {role}\n{region_line}")
    if login:
        _write_token_cache(sandbox, emu, sso_region)


def _console_print(sandbox: Sandbox, *args: str) -> tuple[int, str, str]:
    """``ssogen console ARGS --print``: (exit code, stdout read from a file, stderr)."""
    out = sandbox.home / "console-stdout"
    with open(out, "w", encoding="utf-8") as fh:
        os.chmod(out, 0o600)
        proc = subprocess.run([sys.executable, "-m", "ssogen", "console", *args, "--print"],
                              stdout=fh, stderr=subprocess.PIPE, text=True, env=sandbox.env,
                              cwd=str(sandbox.home), timeout=120, check=False)
    text = out.read_text(encoding="utf-8")
    out.unlink()
    return proc.returncode, text, proc.stderr


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _follow(url: str) -> tuple[int, str]:
    """Open a login URL as a browser would, up to the redirect: (status, Location)."""
    try:
        with urllib.request.build_opener(_NoRedirect).open(url, timeout=10) as resp:
            return resp.status, resp.headers.get("Location", "")
    except urllib.error.HTTPError as exc:
        location = exc.headers.get("Location", "")
        exc.close()
        return exc.code, location


def _signed_in_for(emu: Emulator, account: str, role: str) -> dict[str, Any]:
    (entry,) = emu.state()["console_logins"]
    assert entry["account_id"] == account
    assert entry["role"].startswith(f"AWSReservedSSO_{role}_")
    assert entry["issuer"] == "ssogen"
    return entry


@pytest.mark.parametrize("region", sorted(PARTITIONS))
def test_print_gives_a_login_url_that_signs_in_as_the_profiles_role(
        sandbox: Sandbox, make_emulator: Any, region: str) -> None:
    emu = make_emulator()
    _configure(sandbox, emu, region=region, sso_region=region, account="345678901234",
               role="AdministratorAccess")
    code, stdout, stderr = _console_print(sandbox, "--profile", "p")
    assert code == 0, stderr
    url = stdout.strip()
    assert stdout == url + "\n" and "\n" not in url  # one line: the URL, nothing else
    parts = urllib.parse.urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == emu.url and parts.path == "/federation"
    query = dict(urllib.parse.parse_qsl(parts.query))
    assert (query["Action"], query["Issuer"]) == ("login", "ssogen")
    assert query["Destination"] == PARTITIONS[region][2]
    assert query["SigninToken"] in emu.federation.signin_tokens
    # stderr: the one-line warning (nothing about a secret in it: the scan checks that)
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("ssogen: warning: this URL signs anyone")
    assert "15 minutes" in lines[0] and "account 345678901234, role AdministratorAccess" in lines[0]
    assert not emu.state()["console_logins"]  # printing signs nobody in
    assert _follow(url) == (302, PARTITIONS[region][2])
    entry = _signed_in_for(emu, "345678901234", "AdministratorAccess")
    assert entry["destination"] == PARTITIONS[region][2]
    calls = emu.stats()["requests"]
    assert (calls["GetRoleCredentials"], calls["GetSigninToken"]) == (1, 1)


def test_destination_and_duration_reach_the_sign_in(sandbox: Sandbox, emulator: Emulator,
                                                   ) -> None:
    _configure(sandbox, emulator, region="eu-west-1")
    code, stdout, stderr = _console_print(
        sandbox, "--profile", "p", "--destination", "/ec2/home?region=eu-west-1#Instances:",
        "--duration", "900")
    assert code == 0, stderr
    wanted = "https://console.aws.amazon.com/ec2/home?region=eu-west-1#Instances:"
    assert _follow(stdout.strip()) == (302, wanted)
    entry = _signed_in_for(emulator, PROD, ROLE)
    assert entry["destination"] == wanted
    assert abs(entry["session_expires_at"] - (emulator.now() + 900)) < 10


def _browser(sandbox: Sandbox, *, fails: bool = False) -> Path:
    """A stand-in browser for BROWSER: opens the URL it is given (without following the
    console redirect) and records only the HTTP status, never the URL."""
    script = sandbox.home / "fake-browser"
    status = sandbox.home / "browser-status"
    script.write_text(
        f"#!{sys.executable}\n"
        "import sys, urllib.error, urllib.request\n"
        "class NoRedirect(urllib.request.HTTPRedirectHandler):\n"
        "    def redirect_request(self, *a, **k): return None\n"
        "try:\n"
        "    with urllib.request.build_opener(NoRedirect).open(sys.argv[1], timeout=10) as r:\n"
        "        code = r.status\n"
        "except urllib.error.HTTPError as exc:\n"
        "    code = exc.code\n"
        f"open({str(status)!r}, 'w').write(str(code))\n"
        f"sys.exit({1 if fails else 0})\n")
    script.chmod(0o700)
    sandbox.env["BROWSER"] = str(script)
    return status


def test_without_print_the_browser_opens_the_url_and_nothing_shows_it(
        sandbox: Sandbox, emulator: Emulator) -> None:
    _configure(sandbox, emulator)
    status = _browser(sandbox)
    proc = sandbox.run("console", "--profile", "p")
    assert proc.returncode == 0, proc.stderr
    assert status.read_text() == "302"  # the browser was signed in
    _signed_in_for(emulator, PROD, ROLE)
    assert proc.stdout == ""
    assert proc.stderr.strip() == (f"Opened the AWS console for profile p (account {PROD}, "
                                   f"role {ROLE}) in your browser.")
    for text in (proc.stdout, proc.stderr):  # no part of the URL (the scan checks the token)
        assert "federation" not in text and "SigninToken" not in text and "http" not in text


def test_the_debug_log_holds_neither_the_url_nor_the_credentials(sandbox: Sandbox,
                                                                 emulator: Emulator) -> None:
    _configure(sandbox, emulator)
    _browser(sandbox)
    proc = sandbox.run("console", "--profile", "p", "-vvv")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "botocore" in proc.stderr and "<redacted>" in proc.stderr  # the debug log is there
    assert proc.stderr.splitlines()[-1].startswith("Opened the AWS console for profile p")
    assert "SigninToken" not in proc.stderr and "Action=login" not in proc.stderr
    assert "getSigninToken" not in proc.stderr and "sessionKey" not in proc.stderr


def test_no_browser_says_use_print_before_asking_for_a_token(sandbox: Sandbox,
                                                             emulator: Emulator) -> None:
    _configure(sandbox, emulator)  # no BROWSER, no DISPLAY, not WSL (the sandbox scrubs them)
    proc = sandbox.run("console", "--profile", "p")
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "ssogen: error: no browser can be opened here; run again with --print to get the "
        "sign-in URL"]
    assert emulator.stats()["requests"].get("GetSigninToken", 0) == 0
    assert emulator.stats()["requests"].get("GetRoleCredentials", 0) == 0


def test_a_browser_that_fails_to_start_says_use_print(sandbox: Sandbox,
                                                      emulator: Emulator) -> None:
    _configure(sandbox, emulator)
    _browser(sandbox, fails=True)
    proc = sandbox.run("console", "--profile", "p")
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[-1].endswith("run again with --print to get the sign-in URL")
    assert len(proc.stderr.splitlines()) == 1 and proc.stdout == ""


def test_not_logged_in_is_exit_4(sandbox: Sandbox, emulator: Emulator) -> None:
    _configure(sandbox, emulator, login=False)
    code, stdout, stderr = _console_print(sandbox, "--profile", "p")
    assert code == 4 and stdout == ""
    assert stderr.startswith("ssogen: error: not logged in for profile 'p'")
    assert "ssogen login --profile p" in stderr and "Traceback" not in stderr


def test_an_expired_login_is_exit_4(sandbox: Sandbox, make_emulator: Any) -> None:
    emu = make_emulator(token_ttl=600)
    _configure(sandbox, emu)
    emu.advance_clock(3 * 3600)  # the emulator's token (and its refresh window) is gone
    code, stdout, stderr = _console_print(sandbox, "--profile", "p")
    assert code == 4 and stdout == "", stderr
    assert "Traceback" not in stderr


def _imported(sandbox: Sandbox, emu: Emulator, creds: dict[str, str]) -> None:
    """A profile with temporary credentials in the credentials file (as import-credentials
    writes them) and no config entry at all: the commercial partition."""
    sandbox.env.update(emu.endpoint_env())
    sandbox.aws.mkdir(exist_ok=True)
    (sandbox.aws / "credentials").write_text(
        "[pasted]\n" + "".join(f"{k} = {v}\n" for k, v in creds.items()))


def test_expired_credentials_are_refused_by_the_endpoint_exit_5(sandbox: Sandbox,
                                                                make_emulator: Any) -> None:
    emu = make_emulator(credential_ttl=900)
    _imported(sandbox, emu, role_credentials(emu))
    emu.advance_clock(901)
    code, stdout, stderr = _console_print(sandbox, "--profile", "pasted")
    assert code == 5 and stdout == ""
    lines = stderr.splitlines()
    assert lines[0].startswith("ssogen: error: the sign-in endpoint 127.0.0.1:")
    assert "refused the credentials (HTTP 400: the session credentials have expired)" in lines[0]
    assert "ssogen import-credentials" in stderr and len(lines) == 2
    assert not emu.state()["console_logins"]


def test_credentials_the_endpoint_does_not_know_are_exit_5(sandbox: Sandbox,
                                                           emulator: Emulator) -> None:
    _imported(sandbox, emulator, {"aws_access_key_id": "ASIAMADEUPMADEUP1234",
                                  "aws_secret_access_key": "made-up",
                                  "aws_session_token": "made-up-token"})
    code, stdout, stderr = _console_print(sandbox, "--profile", "pasted")
    assert code == 5 and stdout == ""
    assert "refused the credentials (HTTP 400" in stderr
    assert "made-up" not in stderr


def test_an_unreachable_endpoint_is_exit_5(sandbox: Sandbox, emulator: Emulator) -> None:
    _configure(sandbox, emulator)
    sandbox.env["AWS_ENDPOINT_URL_SIGNIN"] = "http://127.0.0.1:9"  # discard: nothing listens
    code, stdout, stderr = _console_print(sandbox, "--profile", "p")
    assert code == 5 and stdout == ""
    assert stderr.startswith("ssogen: error: cannot reach the sign-in endpoint 127.0.0.1:9")


def test_long_term_keys_cannot_sign_in(sandbox: Sandbox, emulator: Emulator) -> None:
    sandbox.env.update(emulator.endpoint_env())
    sandbox.aws.mkdir()
    (sandbox.aws / "credentials").write_text(
        "[iam-user]\naws_access_key_id = AKIAEXAMPLEEXAMPLE12\naws_secret_access_key = x\n")
    code, stdout, stderr = _console_print(sandbox, "--profile", "iam-user")
    assert code == 2 and stdout == ""
    assert "long-term access keys" in stderr.splitlines()[0]
    assert emulator.stats()["requests"].get("GetSigninToken", 0) == 0


@pytest.mark.parametrize(("args", "needle"), [
    (["--duration", "60"], "--duration must be between 900 and 43200"),
    (["--destination", "ftp://x/"], "--destination must be an https URL"),
    (["--profile", "nope"], "profile 'nope' not found"),
])
def test_bad_requests_are_one_line_exit_2_without_a_network_call(
        sandbox: Sandbox, emulator: Emulator, args: list[str], needle: str) -> None:
    _configure(sandbox, emulator)
    full = ["--profile", "p", *args] if args[0] != "--profile" else args
    code, stdout, stderr = _console_print(sandbox, *full)
    assert code == 2 and stdout == ""
    assert stderr.startswith("ssogen: error: ") and needle in stderr.splitlines()[0]
    assert emulator.stats()["requests"].get("GetSigninToken", 0) == 0


def test_an_unknown_region_is_exit_2(sandbox: Sandbox, emulator: Emulator) -> None:
    _configure(sandbox, emulator, region="xx-nowhere-1", sso_region="xx-nowhere-2",
               login=False)
    code, _, stderr = _console_print(sandbox, "--profile", "p")
    assert code == 2
    assert "cannot tell which AWS partition region 'xx-nowhere-1' is in" in stderr


def test_help_documents_the_endpoint_variable(run_ssogen: Any) -> None:
    proc = run_ssogen("console", "--help")
    assert proc.returncode == 0
    assert "AWS_ENDPOINT_URL_SIGNIN" in proc.stdout and "--print" in proc.stdout
    assert "examples:" in proc.stdout and "not confirmed" in proc.stdout


# -- answers that are not a sign-in token ------------------------------------------------------
@pytest.fixture
def odd_server() -> Any:
    """A local HTTP server whose answer to every GET the test sets: (status, headers, body);
    ``None`` answers bytes that are not HTTP at all."""
    import http.server
    import socketserver
    import threading

    answer: dict[str, Any] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if answer["reply"] is None:
                self.wfile.write(b"garbage\r\n\r\n")
                return
            status, headers, body = answer["reply"]
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:  # the request carries the credentials
            return None

    server = socketserver.TCPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    answer["url"] = f"http://127.0.0.1:{server.server_address[1]}/federation"
    yield answer
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(("reply", "needle"), [
    (None, "cannot reach the sign-in endpoint"),
    ((200, {"Content-Type": "text/html"}, b"<html>sign in</html>"), "without a sign-in token"),
    ((200, {"Content-Type": "application/json"}, b'{"SigninToken": ""}'),
     "without a sign-in token"),
    ((302, {"Location": "https://elsewhere.example/"}, b""), "refused the credentials (HTTP 302)"),
    ((400, {"Content-Type": "text/html"}, b"<h1>Bad Request</h1>"),
     "refused the credentials (HTTP 400)"),
    ((500, {"Content-Type": "text/plain"}, b"x" * 500), "refused the credentials (HTTP 500)"),
])
def test_an_endpoint_that_gives_no_token_is_an_api_error(odd_server: Any, reply: Any,
                                                         needle: str) -> None:
    from ssogen.errors import ApiError

    odd_server["reply"] = reply
    creds = RoleCredentials("ASIAEXAMPLEEXAMPLE12", "the-secret", "the-token", None)
    with pytest.raises(ApiError) as info:
        federation.get_signin_token(odd_server["url"], creds, None, environ={}, timeout=5)
    assert needle in info.value.message and info.value.exit_code == 5
    assert "\n" not in info.value.message
    assert "the-secret" not in info.value.message and "the-token" not in info.value.message
    assert "xxxx" not in info.value.message  # a long body is no reason
