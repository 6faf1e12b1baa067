"""The console sign-in federation endpoint (``/federation``): getSigninToken for role
credentials the emulator issued, then a single-use, 15-minute login redirect, recorded in
``state()["console_logins"]``; every bad request a bare 400 that names no secret."""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import boto3
import pytest
from botocore.config import Config

from conftest import _login_secrets
from ssogen.emulator import Emulator
from test_emulator_aws import role_credentials

PROD, STAGING = "210987654321", "345678901234"
CONSOLE = "https://console.aws.amazon.com/ec2/home?region=eu-west-1#Instances:"
ISSUER = "https://tools.example/ssogen"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def get(emu: Emulator, params: dict[str, str], method: str = "GET",
        ) -> tuple[int, dict[str, str], str]:
    """A request to /federation that shows redirects instead of following them."""
    query = urllib.parse.urlencode(params)  # quote_plus, as the IAM guide's Python sample
    if method == "GET":
        req = urllib.request.Request(f"{emu.url}/federation?{query}")
    else:
        req = urllib.request.Request(f"{emu.url}/federation", data=query.encode(),
                                     method="POST", headers={
                                         "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.build_opener(_NoRedirect).open(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def session(creds: dict[str, str], **changes: str) -> str:
    doc = {"sessionId": creds["aws_access_key_id"],
           "sessionKey": creds["aws_secret_access_key"],
           "sessionToken": creds["aws_session_token"], **changes}
    return json.dumps(doc)


def signin_token(emu: Emulator, creds: dict[str, str], **extra: str) -> str:
    status, headers, body = get(emu, {"Action": "getSigninToken", "Session": session(creds),
                                      **extra})
    assert status == 200 and headers["Content-Type"] == "application/json", body
    return str(json.loads(body)["SigninToken"])


def login(emu: Emulator, token: str, destination: str = CONSOLE,
          ) -> tuple[int, dict[str, str], str]:
    return get(emu, {"Action": "login", "Issuer": ISSUER, "Destination": destination,
                     "SigninToken": token})


def test_sign_in_with_portal_credentials_redirects_to_the_console(emulator: Emulator) -> None:
    creds = role_credentials(emulator, PROD, "ReadOnlyAccess")
    token = signin_token(emulator, creds)
    assert len(token) > 200 and token in emulator.issued_secrets()
    assert token in _login_secrets(emulator)  # the secret scan treats it like a token
    status, headers, page = login(emulator, token)
    assert status == 302 and headers["Location"] == CONSOLE
    assert headers["Content-Type"].startswith("text/html")
    assert 'id="account">210987654321</b> (acme-prod)' in page
    assert 'id="role">AWSReservedSSO_ReadOnlyAccess_' in page
    (entry,) = emulator.state()["console_logins"]
    assert entry["account_id"] == PROD and entry["account_name"] == "acme-prod"
    assert entry["role"].startswith("AWSReservedSSO_ReadOnlyAccess_")
    assert entry["session_name"] == "sso-user@example.com"
    assert entry["arn"].startswith(f"arn:aws:sts::{PROD}:assumed-role/AWSReservedSSO_")
    assert (entry["destination"], entry["issuer"]) == (CONSOLE, ISSUER)
    # no SessionDuration: the console session lasts as long as the credentials (1 h)
    assert abs(entry["session_expires_at"] - (emulator.now() + 3600)) < 10
    assert token not in json.dumps(emulator.state())
    calls = emulator.stats()["requests"]
    assert (calls["GetSigninToken"], calls["ConsoleLogin"]) == (1, 1)


def test_session_duration_and_the_post_form(emulator: Emulator) -> None:
    creds = role_credentials(emulator, STAGING, "AdministratorAccess")
    status, _, body = get(emulator, {"Action": "getSigninToken", "SessionDuration": "43200",
                                     "Session": session(creds)}, method="POST")
    assert status == 200
    token = json.loads(body)["SigninToken"]
    status, headers, _ = get(emulator, {"Action": "login", "Destination": CONSOLE,
                                        "SigninToken": token}, method="POST")
    assert status == 302 and headers["Location"] == CONSOLE
    (entry,) = emulator.state()["console_logins"]
    assert entry["account_id"] == STAGING and entry["issuer"] == ""
    assert abs(entry["session_expires_at"] - (emulator.now() + 43200)) < 10
    for bad in ("899", "43201", "an hour", ""):
        status, headers, text = get(emulator, {"Action": "getSigninToken",
                                               "SessionDuration": bad,
                                               "Session": session(creds)})
        assert status == 400 and headers["Content-Type"].startswith("text/plain"), bad
        assert "SessionDuration" in text


def test_a_sign_in_token_is_single_use_and_lives_15_minutes(emulator: Emulator) -> None:
    creds = role_credentials(emulator)
    token = signin_token(emulator, creds)
    assert login(emulator, token)[0] == 302
    status, headers, text = login(emulator, token)
    assert status == 400 and "Location" not in headers and "not valid" in text
    late = signin_token(emulator, creds)
    emulator.advance_clock(15 * 60)
    status, _, text = login(emulator, late)
    assert status == 400 and "expired" in text
    assert len(emulator.state()["console_logins"]) == 1
    status, _, _ = login(emulator, "made-up-token")
    assert status == 400


def test_only_live_credentials_issued_here_get_a_token(make_emulator: Any) -> None:
    emu = make_emulator(credential_ttl=900)
    creds, other = role_credentials(emu), role_credentials(emu, STAGING)
    cases = {
        "unknown key": session(creds, sessionId="ASIAZZZZZZZZZZZZZZZZ"),
        "wrong secret": session(creds, sessionKey=other["aws_secret_access_key"]),
        "wrong token": session(creds, sessionToken=other["aws_session_token"]),
        "no token": json.dumps({"sessionId": creds["aws_access_key_id"],
                                "sessionKey": creds["aws_secret_access_key"]}),
        "not JSON": "{sessionId: x}",
        "a list": "[1, 2]",
    }
    for name, doc in cases.items():
        status, headers, text = get(emu, {"Action": "getSigninToken", "Session": doc})
        assert status == 400 and headers["Content-Type"].startswith("text/plain"), name
        for secret in (*creds.values(), *other.values()):
            assert secret not in text  # the answer never echoes what was sent
    assert get(emu, {"Action": "getSigninToken"})[0] == 400
    emu.advance_clock(600)
    token = signin_token(emu, creds)
    emu.advance_clock(301)  # the credentials expire; a token already issued still works
    status, _, text = get(emu, {"Action": "getSigninToken", "Session": session(creds)})
    assert status == 400 and "expired" in text
    assert login(emu, token)[0] == 302


def test_assumed_role_credentials_sign_in_as_that_role(emulator: Emulator) -> None:
    sts = boto3.session.Session().client(
        "sts", endpoint_url=emulator.url, region_name="eu-west-1",
        config=Config(retries={"total_max_attempts": 1}), **role_credentials(emulator))
    c = sts.assume_role(RoleArn=f"arn:aws:iam::{STAGING}:role/Deploy",
                        RoleSessionName="console-user")["Credentials"]
    token = signin_token(emulator, {"aws_access_key_id": c["AccessKeyId"],
                                    "aws_secret_access_key": c["SecretAccessKey"],
                                    "aws_session_token": c["SessionToken"]})
    status, _, page = login(emulator, token)
    assert status == 302
    assert 'id="role">Deploy</b>' in page and 'id="session-name">console-user<' in page
    (entry,) = emulator.state()["console_logins"]
    assert (entry["account_id"], entry["role"], entry["session_name"]) == (
        STAGING, "Deploy", "console-user")
    assert entry["arn"] == f"arn:aws:sts::{STAGING}:assumed-role/Deploy/console-user"


@pytest.mark.parametrize("params", [
    {"Action": "login", "SigninToken": "x"},                       # no destination
    {"Action": "login", "Destination": "javascript:alert(1)", "SigninToken": "x"},
    {"Action": "login", "Destination": "/relative", "SigninToken": "x"},
    {"Action": "getFederationToken"},
    {},
])
def test_bad_requests_are_a_bare_400(emulator: Emulator, params: dict[str, str]) -> None:
    status, headers, text = get(emulator, params)
    assert status == 400 and "Location" not in headers
    assert headers["Content-Type"].startswith("text/plain") and text.startswith("Bad Request")


def test_a_valid_token_to_a_bad_destination_stays_unspent(emulator: Emulator) -> None:
    token = signin_token(emulator, role_credentials(emulator))
    assert login(emulator, token, destination="ftp://console.example/")[0] == 400
    assert login(emulator, token)[0] == 302


def test_federation_is_routed_by_exact_path(emulator: Emulator) -> None:
    """``/federation/credentials`` stays the portal's GetRoleCredentials (rest-json errors)."""
    req = urllib.request.Request(f"{emulator.url}/federation/credentials?role_name=R"
                                 f"&account_id={PROD}")
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(req, timeout=10)
    assert info.value.code == 401
    assert info.value.headers["x-amzn-ErrorType"].startswith("UnauthorizedException:")
    assert get(emulator, {"Action": "login"})[1]["Content-Type"].startswith("text/plain")
    with pytest.raises(urllib.error.HTTPError) as info:  # a trailing slash: the same endpoint
        urllib.request.urlopen(f"{emulator.url}/federation/?Action=login", timeout=10)
    assert info.value.code == 400 and info.value.read().startswith(b"Bad Request")


def test_sign_in_tokens_are_never_logged(make_emulator: Any, caplog: pytest.LogCaptureFixture,
                                         capfd: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG, logger="ssogen.emulator")
    emu = make_emulator(verbose=True)
    creds = role_credentials(emu)
    token = signin_token(emu, creds)
    login(emu, token)
    time.sleep(0.1)
    text = caplog.text + "".join(capfd.readouterr())
    assert "GET /federation" in text
    for secret in (token, *creds.values()):
        assert secret not in text
