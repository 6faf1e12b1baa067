"""The emulator judged by botocore's own parser: plain boto3 clients, no ssogen code.

Every operation, every error mapped to the modelled exception class, pagination through boto3
paginators, the device flow's pending / slow_down / expiry / denial / reuse, refresh rotation,
logout, the rate limit and injected faults (with botocore's retries), the control API, the
approval page and clean shutdown.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import struct
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import botocore.exceptions
import pytest
from botocore import UNSIGNED
from botocore.config import Config

from ssogen.emulator import Emulator, Organization
from ssogen.errors import InventoryError

DEVICE = "urn:ietf:params:oauth:grant-type:device_code"
START = "https://acme.awsapps.com/start"
PROD = "210987654321"


def clients(emu: Emulator, **retries: Any) -> tuple[Any, Any]:
    cfg = Config(signature_version=UNSIGNED, region_name="eu-west-1",
                 retries=retries or {"mode": "standard", "total_max_attempts": 1})
    session = boto3.session.Session()
    return (session.client("sso-oidc", endpoint_url=emu.url, config=cfg),
            session.client("sso", endpoint_url=emu.url, config=cfg))


def register(oidc: Any, scopes: list[str] | None = None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"clientName": "test", "clientType": "public"}
    if scopes is not None:
        kwargs["scopes"] = scopes
    return oidc.register_client(**kwargs)


def device(oidc: Any, reg: dict[str, Any]) -> dict[str, Any]:
    return oidc.start_device_authorization(clientId=reg["clientId"],
                                           clientSecret=reg["clientSecret"], startUrl=START)


def poll(oidc: Any, reg: dict[str, Any], da: dict[str, Any]) -> dict[str, Any]:
    return oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                             grantType=DEVICE, deviceCode=da["deviceCode"])


def refresh(oidc: Any, reg: dict[str, Any], token: str) -> dict[str, Any]:
    return oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                             grantType="refresh_token", refreshToken=token)


def login(emu: Emulator, oidc: Any, scopes: list[str] | None = None,
          ) -> tuple[dict[str, Any], dict[str, Any]]:
    reg = register(oidc, ["sso:account:access"] if scopes is None else scopes)
    da = device(oidc, reg)
    emu.approve(da["userCode"])
    return reg, poll(oidc, reg, da)


def raw(emu: Emulator, method: str, path: str, body: bytes | None = None,
        headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(emu.url + path, data=body, method=method,
                                 headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def control(emu: Emulator, method: str, path: str, data: Any = None) -> tuple[int, Any]:
    body = None if data is None else json.dumps(data).encode()
    status, _, out = raw(emu, method, "/_emulator/" + path, body,
                         {"Content-Type": "application/json"})
    return status, json.loads(out)


# -- sso-oidc -------------------------------------------------------------------------------
def test_register_client_answers_like_aws(emulator: Emulator) -> None:
    oidc, _ = clients(emulator)
    before = int(time.time())
    reg = register(oidc, ["sso:account:access"])
    assert reg["clientId"] and len(reg["clientSecret"]) > 40
    assert before - 1 <= reg["clientIdIssuedAt"] <= time.time() + 1
    assert reg["clientSecretExpiresAt"] - reg["clientIdIssuedAt"] == 90 * 86400
    assert "authorizationEndpoint" not in reg  # only for authorization_code clients


def test_register_client_errors_are_modelled(emulator: Emulator) -> None:
    oidc, _ = clients(emulator)
    with pytest.raises(oidc.exceptions.InvalidClientMetadataException) as e:
        oidc.register_client(clientName="x", clientType="confidential")
    assert e.value.response["error"] == "invalid_client_metadata"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(oidc.exceptions.UnsupportedGrantTypeException):
        oidc.register_client(clientName="x", clientType="public", grantTypes=["password"])
    with pytest.raises(oidc.exceptions.InvalidScopeException):
        oidc.register_client(clientName="x", clientType="public", scopes=["a b"])
    with pytest.raises(oidc.exceptions.InvalidRedirectUriException):
        oidc.register_client(clientName="x", clientType="public",
                             grantTypes=["authorization_code"], redirectUris=["nope"])


def test_start_device_authorization_fields(emulator: Emulator) -> None:
    oidc, _ = clients(emulator)
    da = device(oidc, register(oidc))
    assert re.fullmatch(r"[A-Z]{4}-[A-Z]{4}", da["userCode"])
    assert da["verificationUri"] == f"{emulator.url}/device"
    assert da["verificationUriComplete"] == f"{emulator.url}/device?user_code={da['userCode']}"
    assert (da["expiresIn"], da["interval"]) == (600, 1)
    assert len(da["deviceCode"]) > 40
    assert emulator.pending_user_codes() == [da["userCode"]]


def test_invalid_or_expired_client_is_401_invalid_client(emulator: Emulator) -> None:
    oidc, _ = clients(emulator)
    reg = register(oidc)
    for bad in ({**reg, "clientSecret": "wrong"}, {**reg, "clientId": "nobody"}):
        with pytest.raises(oidc.exceptions.InvalidClientException) as e:
            device(oidc, bad)
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 401
        assert e.value.response["error"] == "invalid_client"
    with pytest.raises(oidc.exceptions.InvalidRequestException):
        oidc.start_device_authorization(clientId=reg["clientId"],
                                        clientSecret=reg["clientSecret"], startUrl="not a url")
    da = device(oidc, reg)
    emulator.advance_clock(90 * 86400 + 1)  # the registration has expired
    with pytest.raises(oidc.exceptions.InvalidClientException):
        poll(oidc, reg, da)
    with pytest.raises(oidc.exceptions.InvalidClientException):
        device(oidc, reg)


def test_device_flow_pending_approve_token_then_reuse_rejected(emulator: Emulator) -> None:
    oidc, sso = clients(emulator)
    reg = register(oidc, ["sso:account:access"])
    da = device(oidc, reg)
    with pytest.raises(oidc.exceptions.AuthorizationPendingException) as e:
        poll(oidc, reg, da)
    assert e.value.response["error"] == "authorization_pending"
    assert e.value.response["error_description"]
    assert e.value.response["Error"]["Code"] == "AuthorizationPendingException"
    assert emulator.approve() == da["userCode"]  # the latest pending one
    emulator.advance_clock(1)
    tok = poll(oidc, reg, da)
    assert tok["tokenType"] == "Bearer" and tok["expiresIn"] == 3600
    assert tok["accessToken"] and tok["refreshToken"]
    assert sso.list_accounts(accessToken=tok["accessToken"])["accountList"]
    emulator.advance_clock(1)
    with pytest.raises(oidc.exceptions.InvalidGrantException) as e:
        poll(oidc, reg, da)
    assert e.value.response["error"] == "invalid_grant"
    with pytest.raises(oidc.exceptions.InvalidGrantException):  # another client's code
        poll(oidc, register(oidc), device(oidc, reg))


def test_slow_down_adds_five_seconds_for_all_later_polls(emulator: Emulator) -> None:
    oidc, _ = clients(emulator)
    reg = register(oidc)
    da = device(oidc, reg)
    with pytest.raises(oidc.exceptions.AuthorizationPendingException):
        poll(oidc, reg, da)  # first poll at once: fine (the AWS CLI does this)
    with pytest.raises(oidc.exceptions.SlowDownException) as e:
        poll(oidc, reg, da)  # no wait: too fast
    assert e.value.response["error"] == "slow_down"
    emulator.advance_clock(1.5)  # the original interval is no longer enough
    with pytest.raises(oidc.exceptions.SlowDownException):
        poll(oidc, reg, da)
    emulator.advance_clock(11.5)  # now interval is 1 + 5 + 5
    with pytest.raises(oidc.exceptions.AuthorizationPendingException):
        poll(oidc, reg, da)


def test_polling_at_the_interval_never_slows_down(make_emulator: Any) -> None:
    emu = make_emulator(interval=1)
    oidc, _ = clients(emu)
    reg = register(oidc)
    da = device(oidc, reg)
    for _ in range(2):
        with pytest.raises(oidc.exceptions.AuthorizationPendingException):
            poll(oidc, reg, da)
        time.sleep(1.0)  # real time, as a client would
    emu.approve()
    assert poll(oidc, reg, da)["accessToken"]


def test_device_code_expires(make_emulator: Any) -> None:
    emu = make_emulator(expires_in=120, interval=5)
    oidc, _ = clients(emu)
    reg = register(oidc)
    da = device(oidc, reg)
    assert (da["expiresIn"], da["interval"]) == (120, 5)
    emu.advance_clock(120)
    with pytest.raises(oidc.exceptions.ExpiredTokenException) as e:
        poll(oidc, reg, da)
    assert e.value.response["error"] == "expired_token"
    with pytest.raises(LookupError):
        emu.approve(da["userCode"])


def test_denied_is_access_denied(emulator: Emulator) -> None:
    oidc, _ = clients(emulator)
    reg = register(oidc)
    da = device(oidc, reg)
    emulator.deny(da["userCode"].lower().replace("-", ""))  # codes are forgiving
    with pytest.raises(oidc.exceptions.AccessDeniedException) as e:
        poll(oidc, reg, da)
    assert e.value.response["error"] == "access_denied"
    with pytest.raises(LookupError):
        emulator.approve(da["userCode"])


def test_auto_approve_after_k_pending_polls(make_emulator: Any) -> None:
    emu = make_emulator(auto_approve_after=2)
    oidc, _ = clients(emu)
    reg = register(oidc)
    da = device(oidc, reg)
    for _ in range(2):
        with pytest.raises(oidc.exceptions.AuthorizationPendingException):
            poll(oidc, reg, da)
        emu.advance_clock(1)
    assert poll(oidc, reg, da)["accessToken"]
    emu0 = make_emulator(auto_approve_after=0)
    oidc0, _ = clients(emu0)
    reg0 = register(oidc0)
    assert poll(oidc0, reg0, device(oidc0, reg0))["accessToken"]


def test_unsupported_and_unauthorized_grants(emulator: Emulator) -> None:
    oidc, _ = clients(emulator)
    reg = register(oidc)
    with pytest.raises(oidc.exceptions.UnsupportedGrantTypeException):
        oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                          grantType="password")
    pkce = oidc.register_client(clientName="p", clientType="public",
                                grantTypes=["authorization_code", "refresh_token"],
                                redirectUris=["http://127.0.0.1/oauth/callback"])
    assert pkce["tokenEndpoint"] == f"{emulator.url}/token"
    with pytest.raises(oidc.exceptions.UnauthorizedClientException):
        device(oidc, pkce)  # registered without the device grant


def test_refresh_only_with_account_access_scope(emulator: Emulator) -> None:
    oidc, _ = clients(emulator)
    reg, tok = login(emulator, oidc, scopes=[])
    assert "refreshToken" not in tok
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        refresh(oidc, reg, "aor-made-up")


def test_refresh_rotates_and_old_refresh_token_is_single_use(emulator: Emulator) -> None:
    oidc, sso = clients(emulator)
    reg, tok = login(emulator, oidc)
    new = refresh(oidc, reg, tok["refreshToken"])
    assert new["accessToken"] != tok["accessToken"]
    assert new["refreshToken"] != tok["refreshToken"]
    assert sso.list_accounts(accessToken=new["accessToken"])["accountList"]
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        refresh(oidc, reg, tok["refreshToken"])  # used already
    other = register(oidc, ["sso:account:access"])
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        refresh(oidc, other, new["refreshToken"])  # belongs to another client
    assert refresh(oidc, reg, new["refreshToken"])["accessToken"]


def test_refresh_stops_when_the_sign_in_session_ends(make_emulator: Any) -> None:
    emu = make_emulator(session_ttl=7200)
    oidc, _ = clients(emu)
    reg, tok = login(emu, oidc)
    emu.advance_clock(3600)
    new = refresh(oidc, reg, tok["refreshToken"])
    emu.advance_clock(3600)
    with pytest.raises(oidc.exceptions.InvalidGrantException) as e:
        refresh(oidc, reg, new["refreshToken"])
    assert "expired" in e.value.response["error_description"]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def browser(emu: Emulator, method: str, path: str, form: dict[str, str] | None = None,
            ) -> tuple[int, dict[str, str], str]:
    """A browser that shows redirects instead of following them."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    req = urllib.request.Request(emu.url + path, data=data, method=method)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def test_pkce_authorization_code_flow_like_aws_cli_v2(emulator: Emulator) -> None:
    import base64
    import hashlib
    import secrets as pysecrets

    oidc, sso = clients(emulator)
    reg = oidc.register_client(  # what AWS CLI v2 >= 2.22 registers (docs/AWS-NOW.md)
        clientName="botocore-client-acme", clientType="public",
        grantTypes=["authorization_code", "refresh_token"],
        redirectUris=["http://127.0.0.1/oauth/callback"], issuerUrl=START,
        scopes=["sso:account:access"])
    assert reg["authorizationEndpoint"] == f"{emulator.url}/authorize"
    verifier = pysecrets.token_urlsafe(48)[:64]
    challenge = base64.urlsafe_b64encode(
        hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    callback = "http://127.0.0.1:54321/oauth/callback"  # the CLI's random port
    params = {"response_type": "code", "client_id": reg["clientId"], "redirect_uri": callback,
              "state": "st-1", "code_challenge_method": "S256", "scopes": "sso:account:access",
              "code_challenge": challenge}
    status, _, page = browser(emulator, "GET", "/authorize?" + urllib.parse.urlencode(params))
    assert status == 200 and 'value="approve"' in page and 'action="/authorize"' in page
    status, headers, _ = browser(emulator, "POST", "/authorize", {**params, "action": "approve"})
    assert status == 302
    location = urllib.parse.urlsplit(headers["Location"])
    assert location.netloc == "127.0.0.1:54321" and location.path == "/oauth/callback"
    got = dict(urllib.parse.parse_qsl(location.query))
    assert got["state"] == "st-1"

    def token(code: str, redirect: str = callback, cv: str = verifier) -> dict[str, Any]:
        return oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                                 grantType="authorization_code", code=code, redirectUri=redirect,
                                 codeVerifier=cv)

    for bad in ({"cv": "x" * 64}, {"redirect": "http://127.0.0.1:1/oauth/callback"}):
        with pytest.raises(oidc.exceptions.InvalidGrantException):
            token(got["code"], **bad)
    tok = token(got["code"])
    assert tok["refreshToken"] and sso.list_accounts(accessToken=tok["accessToken"])
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        token(got["code"])  # single use
    assert refresh(oidc, reg, tok["refreshToken"])["accessToken"]
    status, headers, _ = browser(emulator, "POST", "/authorize", {**params, "action": "deny"})
    assert status == 302 and "error=access_denied" in headers["Location"]
    assert "state=st-1" in headers["Location"]
    for wrong in ({"redirect_uri": "http://evil.example/oauth/callback"},
                  {"client_id": "nobody"}, {"code_challenge_method": "plain"}):
        status, headers, page = browser(
            emulator, "GET", "/authorize?" + urllib.parse.urlencode({**params, **wrong}))
        assert status == 400 and "Location" not in headers  # never redirect a bad request
    device_client = register(oidc)
    status, _, _ = browser(emulator, "GET", "/authorize?" + urllib.parse.urlencode(
        {**params, "client_id": device_client["clientId"]}))
    assert status == 400


def test_pkce_auto_approve_redirects_at_once(make_emulator: Any) -> None:
    emu = make_emulator(auto_approve_after=0)
    oidc, _ = clients(emu)
    reg = oidc.register_client(clientName="c", clientType="public",
                               grantTypes=["authorization_code"],
                               redirectUris=["http://127.0.0.1/oauth/callback"])
    status, headers, _ = browser(emu, "GET", "/authorize?" + urllib.parse.urlencode({
        "response_type": "code", "client_id": reg["clientId"], "state": "s",
        "redirect_uri": "http://127.0.0.1:9/oauth/callback", "code_challenge": "abc",
        "code_challenge_method": "S256"}))
    assert status == 302 and "code=" in headers["Location"]


def test_oidc_error_wire_format(emulator: Emulator) -> None:
    status, headers, body = raw(emulator, "POST", "/token", b'{"clientId": "x", '
                                b'"clientSecret": "y", "grantType": "refresh_token"}',
                                {"Content-Type": "application/json"})
    assert status == 401
    assert headers["x-amzn-ErrorType"] == (
        "InvalidClientException:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/")
    assert json.loads(body) == {"error": "invalid_client",
                                "error_description": "Invalid client provided"}
    status, headers, body = raw(emulator, "POST", "/client/register", b"{not json",
                                {"Content-Type": "application/json"})
    assert status == 400 and headers["x-amzn-ErrorType"].startswith("InvalidRequestException:")


# -- sso portal -----------------------------------------------------------------------------
def test_paginators_over_250_accounts(make_emulator: Any) -> None:
    org = Organization.generate(250, seed=7)
    emu = make_emulator(org=org)
    oidc, sso = clients(emu)
    _, tok = login(emu, oidc)
    at = tok["accessToken"]
    full = sso.get_paginator("list_accounts").paginate(accessToken=at).build_full_result()
    ids = [a["accountId"] for a in full["accountList"]]
    assert ids == [a.id for a in org.accounts()]
    assert len(set(ids)) == 250
    assert emu.stats()["requests"]["ListAccounts"] == 13  # 20 a page by default
    pages = list(sso.get_paginator("list_accounts").paginate(
        accessToken=at, PaginationConfig={"PageSize": 100}))
    assert [len(p["accountList"]) for p in pages] == [100, 100, 50]
    assert "nextToken" not in pages[-1]
    one = full["accountList"][0]
    assert one["accountName"] and "@" in one["emailAddress"]
    busy = max(org.accounts(), key=lambda a: len(a.roles))
    roles = sso.get_paginator("list_account_roles").paginate(
        accessToken=at, accountId=busy.id, PaginationConfig={"PageSize": 1}).build_full_result()
    assert [r["roleName"] for r in roles["roleList"]] == sorted(busy.roles)
    assert {r["accountId"] for r in roles["roleList"]} == {busy.id}


def test_max_result_above_100_and_bad_tokens_rejected(emulator: Emulator) -> None:
    oidc, sso = clients(emulator)
    _, tok = login(emulator, oidc)
    at = tok["accessToken"]
    assert len(sso.list_accounts(accessToken=at, maxResults=100)["accountList"]) == 6
    for call in (lambda: sso.list_accounts(accessToken=at, maxResults=101),
                 lambda: sso.list_account_roles(accessToken=at, accountId=PROD, maxResults=101),
                 lambda: sso.list_accounts(accessToken=at, nextToken="garbage!")):
        with pytest.raises(sso.exceptions.InvalidRequestException) as e:
            call()
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert e.value.response["Error"]["Message"]
    status, _, _ = raw(emulator, "GET", "/assignment/accounts?max_result=0",
                       headers={"x-amz-sso_bearer_token": at})
    assert status == 400  # botocore refuses 0 itself; the server does too


def test_roles_and_credentials(emulator: Emulator) -> None:
    oidc, sso = clients(emulator)
    _, tok = login(emulator, oidc)
    at = tok["accessToken"]
    roles = sso.list_account_roles(accessToken=at, accountId=PROD)["roleList"]
    assert [r["roleName"] for r in roles] == ["AdministratorAccess", "PowerUserAccess",
                                              "ReadOnlyAccess", "ViewOnlyAccess"]
    before = time.time()
    creds = sso.get_role_credentials(accessToken=at, accountId=PROD,
                                     roleName="ReadOnlyAccess")["roleCredentials"]
    assert re.fullmatch(r"ASIA[A-Z2-7]{16}", creds["accessKeyId"])
    assert len(creds["secretAccessKey"]) == 40 and len(creds["sessionToken"]) > 100
    # epoch milliseconds, one hour ahead
    assert (before + 3600) * 1000 - 2000 <= creds["expiration"] <= (time.time() + 3600) * 1000
    with pytest.raises(sso.exceptions.ResourceNotFoundException) as e:
        sso.get_role_credentials(accessToken=at, accountId=PROD, roleName="SecurityAudit")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(sso.exceptions.ResourceNotFoundException):
        sso.list_account_roles(accessToken=at, accountId="000000000000")


def test_expiration_ms_through_botocore_sso_credential_fetcher(emulator: Emulator) -> None:
    from botocore.credentials import SSOCredentialFetcher

    oidc, _ = clients(emulator)
    _, tok = login(emulator, oidc)
    session = boto3.session.Session()
    fetcher = SSOCredentialFetcher(
        START, "eu-west-1", "AdministratorAccess", "789012345678",
        client_creator=lambda name, config: session.client(
            name, config=config, endpoint_url=emulator.url),
        token_loader=lambda _url: {"accessToken": tok["accessToken"],
                                   "expiresAt": "2999-01-01T00:00:00Z"})
    creds = fetcher.fetch_credentials()
    assert creds["access_key"].startswith("ASIA")
    assert creds["secret_key"] in emulator.issued_secrets()
    expiry = time.mktime(time.strptime(creds["expiry_time"], "%Y-%m-%dT%H:%M:%SZ"))
    expiry -= time.timezone  # strptime gave local; the string is UTC
    assert abs(expiry - (time.time() + 3600)) < 5


def test_unknown_expired_and_logged_out_tokens_are_unauthorized(make_emulator: Any) -> None:
    emu = make_emulator(token_ttl=600)
    oidc, sso = clients(emu)
    with pytest.raises(sso.exceptions.UnauthorizedException) as e:
        sso.list_accounts(accessToken="aoa-not-issued")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 401
    reg, tok = login(emu, oidc)
    assert tok["expiresIn"] == 600
    assert emu.stats()["active_tokens"] == 1
    emu.advance_clock(600)
    with pytest.raises(sso.exceptions.UnauthorizedException):
        sso.list_account_roles(accessToken=tok["accessToken"], accountId=PROD)
    assert emu.stats()["active_tokens"] == 0
    new = refresh(oidc, reg, tok["refreshToken"])  # a refresh still works after expiry
    sso.logout(accessToken=new["accessToken"])
    with pytest.raises(sso.exceptions.UnauthorizedException):
        sso.get_role_credentials(accessToken=new["accessToken"], accountId=PROD,
                                 roleName="ReadOnlyAccess")
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        refresh(oidc, reg, new["refreshToken"])  # logout ends the whole sign-in session
    with pytest.raises(sso.exceptions.UnauthorizedException):
        sso.logout(accessToken=new["accessToken"])


def test_portal_error_wire_format(emulator: Emulator) -> None:
    status, headers, body = raw(emulator, "GET", "/assignment/accounts")
    assert status == 401
    assert headers["x-amzn-ErrorType"].split(":", 1)[0] == "UnauthorizedException"
    assert json.loads(body) == {"message": "Session token not found or invalid"}
    status, _, _ = raw(emulator, "GET", "/no/such/path")
    assert status == 404


def test_runtime_org_changes_are_served(emulator: Emulator) -> None:
    oidc, sso = clients(emulator)
    _, tok = login(emulator, oidc)
    at = tok["accessToken"]
    emulator.org.add_account("999988887777", "new-team", "new@acme.example", ["Dev"])
    emulator.add_role(PROD, "Billing")  # Emulator delegates to its org
    emulator.remove_role(PROD, "ReadOnlyAccess")
    emulator.remove_account("789012345678")
    ids = [a["accountId"] for a in sso.list_accounts(accessToken=at)["accountList"]]
    assert "999988887777" in ids and "789012345678" not in ids
    roles = [r["roleName"] for r in sso.list_account_roles(accessToken=at,
                                                           accountId=PROD)["roleList"]]
    assert "Billing" in roles and "ReadOnlyAccess" not in roles
    with pytest.raises(sso.exceptions.ResourceNotFoundException):
        sso.get_role_credentials(accessToken=at, accountId=PROD, roleName="ReadOnlyAccess")
    with pytest.raises(ValueError):
        emulator.org.add_account("123", "bad id")
    with pytest.raises(KeyError):
        emulator.org.remove_account("789012345678")


# -- knobs ----------------------------------------------------------------------------------
def test_rate_limit_429_is_modelled_and_botocore_retries_through_it(make_emulator: Any,
                                                                    ) -> None:
    emu = make_emulator(rate_limit=2)
    oidc, sso = clients(emu)
    _, tok = login(emu, oidc)
    at = tok["accessToken"]

    def roles(_: int) -> Any:
        return sso.list_account_roles(accessToken=at, accountId=PROD)

    with ThreadPoolExecutor(8) as pool:  # a burst of 16 against 2/s, no retries
        futures = [pool.submit(roles, i) for i in range(16)]
    errors = [f.exception() for f in futures if f.exception() is not None]
    assert errors and all(isinstance(e, sso.exceptions.TooManyRequestsException)
                          for e in errors)
    err: Any = errors[0]
    assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert err.response["Error"]["Message"]
    assert emu.stats()["throttled"]["ListAccountRoles"] == len(errors)
    assert emu.stats()["throttled"]["ListAccounts"] == 0  # the limit is per API
    sso.list_accounts(accessToken=at)
    emu.rate_limit = 10
    _, patient = clients(emu, mode="standard", max_attempts=10)
    accounts = [a.id for a in emu.org.accounts()] * 4
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(
            lambda acc: patient.list_account_roles(accessToken=at, accountId=acc), accounts))
    assert len(results) == 24 and all(r["roleList"] for r in results)
    retried = sum(r["ResponseMetadata"]["RetryAttempts"] for r in results)
    assert retried >= 1


def test_faults_500_and_dropped_connections(make_emulator: Any) -> None:
    emu = make_emulator(fault_rate=1.0, fault_kinds=("500",), seed=1)
    oidc, sso = clients(emu)
    _, tok = login(emu, oidc)  # sso-oidc is not faulted
    at = tok["accessToken"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        sso.list_accounts(accessToken=at)
    assert e.value.response["Error"]["Code"] == "InternalServerException"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    emu.fault_kinds = ("drop",)
    with pytest.raises((botocore.exceptions.ConnectionClosedError,
                        botocore.exceptions.EndpointConnectionError)):
        sso.list_accounts(accessToken=at)
    assert emu.stats()["faults"] == {"500": 1, "drop": 1}
    emu.fault_rate, emu.fault_kinds = 0.25, ("500", "drop")
    _, patient = clients(emu, mode="standard", max_attempts=10)
    for _ in range(8):  # botocore's standard retries ride through both kinds
        assert len(patient.list_accounts(accessToken=at)["accountList"]) == 6
    assert emu.stats()["faults_total"] > 2


def test_latency_is_added_per_call(make_emulator: Any) -> None:
    emu = make_emulator(latency_ms=150)
    oidc, _ = clients(emu)
    t0 = time.monotonic()
    register(oidc)
    register(oidc)
    assert time.monotonic() - t0 >= 0.3


def test_constructor_rejects_nonsense() -> None:
    for kwargs in ({"fault_rate": 2}, {"fault_kinds": ("boom",)}, {"rate_limit": 0},
                   {"token_ttl": 0}, {"auto_approve_after": -1}):
        with pytest.raises(ValueError):
            Emulator(**kwargs)  # type: ignore[arg-type]


# -- control API, page, secrets, lifecycle --------------------------------------------------
def test_control_api_over_http(emulator: Emulator) -> None:
    oidc, sso = clients(emulator)
    reg = register(oidc, ["sso:account:access"])
    da = device(oidc, reg)
    status, state = control(emulator, "GET", "state")
    assert status == 200 and state["pending_user_codes"] == [da["userCode"]]
    assert state["accounts"] == 6 and state["knobs"]["interval"] == 1
    assert control(emulator, "POST", "approve", {"user_code": "ZZZZ-ZZZZ"})[0] == 404
    assert control(emulator, "POST", "approve", {})[1]["user_code"] == da["userCode"]
    at = poll(oidc, reg, da)["accessToken"]
    status, out = control(emulator, "POST", "accounts",
                          {"id": "111122223333", "name": "added", "roles": ["Ops"]})
    assert status == 201 and out["roles"] == ["Ops"]
    assert control(emulator, "POST", "accounts/111122223333/roles", {"role": "Dev"})[1][
        "roles"] == ["Dev", "Ops"]
    assert control(emulator, "DELETE", "accounts/111122223333/roles/Ops")[1]["roles"] == ["Dev"]
    assert [r["roleName"] for r in sso.list_account_roles(
        accessToken=at, accountId="111122223333")["roleList"]] == ["Dev"]
    assert control(emulator, "DELETE", "accounts/111122223333")[0] == 200
    assert control(emulator, "DELETE", "accounts/111122223333")[0] == 404
    assert control(emulator, "POST", "accounts", {"id": "12"})[0] == 400
    now = control(emulator, "POST", "advance_clock", {"seconds": 7200})[1]["now"]
    assert now > time.time() + 7100
    with pytest.raises(sso.exceptions.UnauthorizedException):
        sso.list_accounts(accessToken=at)
    assert control(emulator, "POST", "knobs", {"rate_limit": 3})[1]["rate_limit"] == 3
    assert emulator.rate_limit == 3
    assert control(emulator, "POST", "knobs", {"bogus": 1})[0] == 400
    stats = control(emulator, "GET", "stats")[1]
    assert stats["requests"]["ListAccountRoles"] == 1
    assert control(emulator, "GET", "secrets")[1]["secrets"] == emulator.issued_secrets()
    assert control(emulator, "GET", "nothing")[0] == 404


def test_approval_page_approve_and_deny(emulator: Emulator) -> None:
    oidc, _ = clients(emulator)
    reg = register(oidc)
    da = device(oidc, reg)
    status, headers, page = raw(emulator, "GET", "/device?user_code=" + da["userCode"])
    html = page.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert da["userCode"] in html and 'value="approve"' in html and 'value="deny"' in html
    assert 'method="post" action="/device"' in html
    status, _, page = raw(emulator, "GET", "/device")
    assert status == 200 and 'name="user_code"' in page.decode()  # a field to type it in
    form = urllib.parse.urlencode({"user_code": da["userCode"], "action": "approve"}).encode()
    status, _, page = raw(emulator, "POST", "/device", form,
                          {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and "approved" in page.decode()
    assert poll(oidc, reg, da)["accessToken"]
    da2 = device(oidc, reg)
    form = urllib.parse.urlencode({"user_code": da2["userCode"], "action": "deny"}).encode()
    assert raw(emulator, "POST", "/device", form)[0] == 200
    with pytest.raises(oidc.exceptions.AccessDeniedException):
        poll(oidc, reg, da2)
    status, _, page = raw(emulator, "POST", "/device", form)  # already denied
    assert status == 400 and "already denied" in page.decode()
    status, _, page = raw(emulator, "GET", "/device?user_code=%3Cscript%3Ealert(1)%3C/script%3E")
    assert "<script>" not in page.decode() and "&lt;script&gt;" in page.decode()


def test_index_page_lists_pending_codes(emulator: Emulator) -> None:
    oidc, _ = clients(emulator)
    da = device(oidc, register(oidc))
    status, _, page = raw(emulator, "GET", "/")
    assert status == 200
    assert f"/device?user_code={da['userCode']}" in page.decode()
    assert f"export AWS_ENDPOINT_URL_SSO_OIDC={emulator.url}" in page.decode()


def test_client_vanishing_mid_request_prints_nothing(make_emulator: Any,
                                                     capfd: pytest.CaptureFixture[str]) -> None:
    emu = make_emulator(latency_ms=200)
    sock = socket.create_connection(("127.0.0.1", emu.port))
    sock.sendall(b"POST /client/register HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()  # RST while the emulator is still "working"
    time.sleep(0.5)
    assert emu.stats()["requests"]["RegisterClient"] == 1
    assert capfd.readouterr() == ("", "")


def test_issued_secrets_lists_every_secret_and_nothing_public(emulator: Emulator) -> None:
    oidc, sso = clients(emulator)
    reg, tok = login(emulator, oidc)
    new = refresh(oidc, reg, tok["refreshToken"])
    creds = sso.get_role_credentials(accessToken=new["accessToken"], accountId=PROD,
                                     roleName="AdministratorAccess")["roleCredentials"]
    issued = set(emulator.issued_secrets())
    assert {reg["clientSecret"], tok["accessToken"], tok["refreshToken"], new["accessToken"],
            new["refreshToken"], creds["secretAccessKey"], creds["sessionToken"]} == issued
    assert reg["clientId"] not in issued and creds["accessKeyId"] not in issued


def test_nothing_logged_by_default_and_verbose_logs_method_and_path_only(
        make_emulator: Any, capfd: pytest.CaptureFixture[str],
        caplog: pytest.LogCaptureFixture) -> None:
    quiet = make_emulator()
    oidc, sso = clients(quiet)
    _, tok = login(quiet, oidc)
    sso.list_account_roles(accessToken=tok["accessToken"], accountId=PROD)
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    caplog.set_level(logging.INFO, logger="ssogen.emulator")
    loud = make_emulator(verbose=True)
    oidc, sso = clients(loud)
    reg, tok = login(loud, oidc)
    sso.list_account_roles(accessToken=tok["accessToken"], accountId=PROD)
    text = caplog.text + "".join(capfd.readouterr())
    assert "GET /assignment/roles" in text and "POST /token" in text
    for secret in [*loud.issued_secrets(), reg["clientId"], PROD]:
        assert secret not in text


def test_stop_closes_kept_alive_connections_and_threads(make_emulator: Any) -> None:
    before = set(threading.enumerate())
    emu = make_emulator()
    oidc, sso = clients(emu)
    _, tok = login(emu, oidc)  # botocore keeps its connection open
    sso.list_accounts(accessToken=tok["accessToken"])
    port = emu.port
    ours = set(threading.enumerate()) - before
    assert len(ours) >= 2  # the server loop and at least one connection handler
    emu.stop()
    emu.stop()  # idempotent
    deadline = time.monotonic() + 5
    while any(t.is_alive() for t in ours) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [t.name for t in ours if t.is_alive()]
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


def test_concurrent_logins_and_discovery_are_consistent(make_emulator: Any) -> None:
    emu = make_emulator(org=Organization.generate(60, seed=3), auto_approve_after=0)

    def one(_: int) -> int:
        oidc, sso = clients(emu, mode="standard", max_attempts=3)
        reg = register(oidc, ["sso:account:access"])
        at = poll(oidc, reg, device(oidc, reg))["accessToken"]
        accounts = sso.get_paginator("list_accounts").paginate(
            accessToken=at).build_full_result()["accountList"]
        return sum(len(sso.list_account_roles(accessToken=at, accountId=a["accountId"])
                       ["roleList"]) for a in accounts)

    with ThreadPoolExecutor(6) as pool:
        totals = list(pool.map(one, range(6)))
    assert totals == [emu.org.role_count] * 6
    assert emu.stats()["clients"] == 6 and emu.stats()["active_tokens"] == 6


# -- organisation ---------------------------------------------------------------------------
def test_sample_org_is_realistic() -> None:
    org = Organization.sample()
    names = [a.name for a in org.accounts()]
    assert {"acme-prod", "acme-staging", "acme-dev", "shared-services", "security-audit",
            "sandbox-alice"} == set(names)
    assert all(1 <= len(a.roles) <= 4 and "@" in a.email for a in org.accounts())


def test_generate_is_deterministic_and_bounded() -> None:
    a, b = Organization.generate(300, seed=5), Organization.generate(300, seed=5)
    assert a.to_dict() == b.to_dict()
    assert a.to_dict() != Organization.generate(300, seed=6).to_dict()
    accounts = a.accounts()
    assert len({x.id for x in accounts}) == 300 and len({x.name for x in accounts}) == 300
    assert all(re.fullmatch(r"\d{12}", x.id) and 1 <= len(x.roles) <= 4 for x in accounts)
    assert all(len(x.roles) == 2 for x in
               Organization.generate(20, roles_per_account=(2, 2)).accounts())


def test_load_inventory_format(tmp_path: Any) -> None:
    path = tmp_path / "inv.json"
    path.write_text(json.dumps({
        "session": "acme", "generated_at": "2026-11-26T14:00:00Z", "extra": [1],
        "accounts": [{"id": "111122223333", "name": "prod", "email": "p@x",
                      "roles": ["ReadOnly", "Admin"]},
                     {"id": "444455556666", "roles": ["Dev"]}]}))
    org = Organization.load(path)
    assert [(a.id, a.name, a.roles) for a in org.accounts()] == [
        ("111122223333", "prod", ["Admin", "ReadOnly"]), ("444455556666", "", ["Dev"])]
    path.write_text('{"session": "acme"}')
    with pytest.raises(InventoryError, match="accounts"):
        Organization.load(path)
    path.write_text('{"accounts": [{"id": "12"}]}')
    with pytest.raises(InventoryError, match="12-digit"):
        Organization.load(path)
    with pytest.raises(InventoryError, match="not found"):
        Organization.load(tmp_path / "missing.json")
