"""PKCE ``/authorize`` and the authorization_code grant, rule by rule: the consent page, the
loopback redirect rule (registered without a port, used with one), errors shown on the page
and never redirected, denial redirected with ``error=access_denied`` and the state, and
CreateToken's S256 check, single use and 5-minute life -- judged by botocore's parser."""

from __future__ import annotations

import base64
import hashlib
import secrets
import urllib.parse
from typing import Any

import pytest

from ssogen.emulator import Emulator
from ssogen.emulator.pkce import same_redirect
from test_emulator import browser, clients, refresh

REGISTERED = "http://127.0.0.1/oauth/callback"  # what AWS CLI v2 registers (AWS-NOW.md §a)


def pkce_client(oidc: Any, name: str = "botocore-client-acme",
                redirect: str = REGISTERED) -> dict[str, Any]:
    return oidc.register_client(clientName=name, clientType="public",
                                grantTypes=["authorization_code", "refresh_token"],
                                redirectUris=[redirect], scopes=["sso:account:access"],
                                issuerUrl="https://acme.awsapps.com/start")


def pair() -> tuple[str, str]:
    """A verifier as the AWS CLI makes it (64 unreserved characters) and its S256."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
    verifier = "".join(secrets.choice(alphabet) for _ in range(64))
    challenge = base64.urlsafe_b64encode(
        hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


def authorize_params(reg: dict[str, Any], challenge: str,
                     redirect: str = "http://127.0.0.1:54321/oauth/callback",
                     **changes: str) -> dict[str, str]:
    return {"response_type": "code", "client_id": reg["clientId"], "redirect_uri": redirect,
            "state": "st-9", "code_challenge_method": "S256", "scopes": "sso:account:access",
            "code_challenge": challenge, **changes}


def approved_code(emu: Emulator, params: dict[str, str]) -> str:
    status, headers, _ = browser(emu, "POST", "/authorize", {**params, "action": "approve"})
    assert status == 302, headers
    got = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(headers["Location"]).query))
    assert got["state"] == params["state"]
    return got["code"]


def create_token(oidc: Any, reg: dict[str, Any], code: str, verifier: str,
                 redirect: str = "http://127.0.0.1:54321/oauth/callback") -> dict[str, Any]:
    return oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                             grantType="authorization_code", code=code, redirectUri=redirect,
                             codeVerifier=verifier)


def test_consent_page_names_the_client_and_carries_the_request(emulator: Emulator) -> None:
    oidc, _ = clients(emulator)
    reg = pkce_client(oidc, name="botocore-client-<acme>")
    _, challenge = pair()
    params = authorize_params(reg, challenge)
    status, headers, page = browser(emulator, "GET",
                                    "/authorize?" + urllib.parse.urlencode(params))
    assert status == 200 and "Location" not in headers
    assert '<code id="client-name">botocore-client-&lt;acme&gt;</code>' in page
    assert "Scopes: sso:account:access" in page
    for key, value in params.items():  # the form posts the checked request back
        assert f'name="{key}" value="{value}"' in page.replace("&amp;", "&")
    assert 'value="approve"' in page and 'value="deny"' in page


@pytest.mark.parametrize("used", [
    "http://127.0.0.1:54321/oauth/callback", "http://127.0.0.1:1/oauth/callback",
    "http://127.0.0.1/oauth/callback",
])
def test_loopback_redirect_may_use_any_port(emulator: Emulator, used: str) -> None:
    oidc, sso = clients(emulator)
    reg = pkce_client(oidc)
    verifier, challenge = pair()
    code = approved_code(emulator, authorize_params(reg, challenge, used))
    tok = create_token(oidc, reg, code, verifier, used)
    assert sso.list_accounts(accessToken=tok["accessToken"])["accountList"]


@pytest.mark.parametrize("used", [
    "http://localhost:5/oauth/callback",          # another host name, though loopback too
    "https://127.0.0.1:5/oauth/callback",         # another scheme
    "http://127.0.0.1:5/oauth/other",             # another path
    "http://127.0.0.1:5/oauth/callback?next=/x",  # another query
    "http://127.0.0.1:99999/oauth/callback",      # not a port
    "http://evil.example/oauth/callback",
])
def test_wrong_redirect_is_shown_on_the_page_never_redirected(emulator: Emulator,
                                                               used: str) -> None:
    oidc, _ = clients(emulator)
    reg = pkce_client(oidc)
    _, challenge = pair()
    params = authorize_params(reg, challenge, used)
    for method, path, form in (("GET", "/authorize?" + urllib.parse.urlencode(params), None),
                               ("POST", "/authorize", {**params, "action": "approve"}),
                               ("POST", "/authorize", {**params, "action": "deny"})):
        status, headers, page = browser(emulator, method, path, form)
        assert status == 400 and "Location" not in headers, (method, used)
        assert "redirect_uri does not match a registered redirect URI" in page


def test_the_port_exception_is_for_loopback_only() -> None:
    assert same_redirect("http://127.0.0.1:8/cb", "http://127.0.0.1/cb")
    assert same_redirect("http://[::1]:8/cb", "http://[::1]/cb")
    assert same_redirect("https://app.example/cb", "https://app.example/cb")
    assert not same_redirect("https://app.example:8443/cb", "https://app.example/cb")
    assert not same_redirect("http://app.example:8/cb", "http://app.example/cb")


def test_denied_redirects_with_access_denied_and_the_state(emulator: Emulator) -> None:
    oidc, _ = clients(emulator)
    reg = pkce_client(oidc)
    _, challenge = pair()
    params = authorize_params(reg, challenge, state="d6c1-state")
    status, headers, _ = browser(emulator, "POST", "/authorize", {**params, "action": "deny"})
    assert status == 302
    where = urllib.parse.urlsplit(headers["Location"])
    assert (where.netloc, where.path) == ("127.0.0.1:54321", "/oauth/callback")
    got = dict(urllib.parse.parse_qsl(where.query))
    assert got["error"] == "access_denied" and got["state"] == "d6c1-state"
    assert "code" not in got


def test_create_token_checks_the_verifier_and_the_redirect(emulator: Emulator) -> None:
    oidc, _ = clients(emulator)
    reg = pkce_client(oidc)
    verifier, challenge = pair()
    code = approved_code(emulator, authorize_params(reg, challenge))
    other_verifier, _ = pair()
    for bad in ({"verifier": other_verifier}, {"verifier": "short"},
                {"verifier": verifier + " "},
                {"verifier": verifier, "redirect": "http://127.0.0.1:1/oauth/callback"}):
        with pytest.raises(oidc.exceptions.InvalidGrantException) as e:
            create_token(oidc, reg, code, **bad)
        assert e.value.response["error"] == "invalid_grant"
    other = pkce_client(oidc)  # another client's code, even with the right verifier
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        create_token(oidc, other, code, verifier)
    tok = create_token(oidc, reg, code, verifier)  # the failures did not spend the code
    assert tok["accessToken"] and tok["refreshToken"]
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        create_token(oidc, reg, code, verifier)  # used
    assert refresh(oidc, reg, tok["refreshToken"])["accessToken"]


@pytest.mark.parametrize("verifier", ["x" * 42, "x" * 129, "é" * 50, "a b" * 20])
def test_a_verifier_must_be_43_to_128_unreserved_characters(emulator: Emulator,
                                                            verifier: str) -> None:
    """RFC 7636 §4.1, even when its S256 is the challenge."""
    oidc, _ = clients(emulator)
    reg = pkce_client(oidc)
    challenge = base64.urlsafe_b64encode(
        hashlib.sha256(verifier.encode("ascii", "replace")).digest()).decode().rstrip("=")
    code = approved_code(emulator, authorize_params(reg, challenge))
    with pytest.raises(oidc.exceptions.InvalidGrantException) as e:
        create_token(oidc, reg, code, verifier)
    assert e.value.response["error_description"] == "Invalid code verifier"


def test_a_code_lives_five_minutes(emulator: Emulator) -> None:
    oidc, _ = clients(emulator)
    reg = pkce_client(oidc)
    verifier, challenge = pair()
    fresh = approved_code(emulator, authorize_params(reg, challenge))
    stale = approved_code(emulator, authorize_params(reg, challenge))
    emulator.advance_clock(299)
    assert create_token(oidc, reg, fresh, verifier)["accessToken"]
    emulator.advance_clock(1)
    with pytest.raises(oidc.exceptions.InvalidGrantException) as e:
        create_token(oidc, reg, stale, verifier)
    assert "Invalid authorization code" in e.value.response["error_description"]


def test_device_clients_and_bad_requests_get_no_code(emulator: Emulator) -> None:
    oidc, _ = clients(emulator)
    reg = pkce_client(oidc)
    _, challenge = pair()
    device_client = oidc.register_client(clientName="d", clientType="public")
    for changes in ({"client_id": device_client["clientId"]}, {"response_type": "token"},
                    {"code_challenge": ""}, {"code_challenge_method": "plain"}):
        params = authorize_params(reg, challenge, **changes)
        status, headers, _ = browser(emulator, "GET",
                                     "/authorize?" + urllib.parse.urlencode(params))
        assert status == 400 and "Location" not in headers, changes
    emulator.advance_clock(90 * 86400)  # the registration expired
    status, _, page = browser(emulator, "GET", "/authorize?" + urllib.parse.urlencode(
        authorize_params(reg, challenge)))
    assert status == 400 and "unknown or expired client_id" in page
