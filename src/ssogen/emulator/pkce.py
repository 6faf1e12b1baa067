"""The authorization code grant with PKCE (RFC 6749 §4.1, RFC 7636), as ``aws sso login`` of
AWS CLI v2 >= 2.22 uses it (AWS-NOW.md §a): ``/authorize`` checks the request and, once the
person allows it, redirects to the client's loopback callback with a code; CreateToken
redeems the code with the S256 verifier.

Rules, and the answer when one is broken:

* ``client_id`` must be a live client registered for ``authorization_code``, and
  ``redirect_uri`` one of its registered redirect URIs -- except that a loopback ``http`` URI
  may use any port (RFC 8252 §7.3: the CLI registers ``http://127.0.0.1/oauth/callback`` and
  listens on a random port). Otherwise the page shows the error and never redirects
  (RFC 6749 §4.1.2.1). ``response_type=code`` and an S256 ``code_challenge`` are required;
  a request without them is refused on the page as well (the emulator never redirects a
  request it rejects).
* Denied by the person: redirect with ``error=access_denied`` and the ``state``.
* CreateToken: a code is single use, lives 5 minutes, belongs to its client, and needs the
  same ``redirectUri`` as the ``/authorize`` request and a verifier (43-128 unreserved
  characters, RFC 7636 §4.1) whose S256 is the challenge; otherwise InvalidGrantException.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from typing import Any
from urllib.parse import urlencode, urlsplit

from ssogen.emulator.base import Host, oidc_error
from ssogen.records import record

AUTH_CODE_GRANT = "authorization_code"
AUTH_CODE_TTL = 300
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")  # RFC 7636 §4.1
_AUTHORIZE_PARAMS = ("client_id", "redirect_uri", "code_challenge", "code_challenge_method",
                     "response_type", "state", "scopes")


@record
class AuthCode:
    client_id: str
    redirect_uri: str
    challenge: str
    expires_at: float
    used: bool = False


def same_redirect(requested: str, registered: str) -> bool:
    """Exact match, except that a loopback ``http`` redirect may use any port (RFC 8252 §7.3);
    scheme, host, path and query must still be equal."""
    if requested == registered:
        return True
    a, b = urlsplit(requested), urlsplit(registered)
    try:
        a_host, b_host = a.hostname, b.hostname
        a.port, b.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError:
        return False
    return (a.scheme == b.scheme == "http" and a_host == b_host
            and a_host in _LOOPBACK and a.path == b.path and a.query == b.query)


def s256(verifier: str) -> str:
    """The S256 code challenge of a verifier: base64url(sha256), without padding."""
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


class AuthorizationCodes:
    """The codes ``/authorize`` issued. ``clients`` is the registration table of the OIDC
    service (client id -> object with ``grant_types``, ``redirect_uris``, ``expires_at``)."""

    def __init__(self, host: Host, clients: dict[str, Any]) -> None:
        self.host = host
        self.clients = clients
        self.codes: dict[str, AuthCode] = {}

    def check(self, query: dict[str, str]) -> dict[str, str]:
        """Validate an ``/authorize`` request; ValueError (shown to the person, never a
        redirect) if it is not one this emulator would accept. Returns the parameters that
        matter, for the consent form to carry."""
        with self.host.lock:
            client = self.clients.get(query.get("client_id", ""))
            if client is None or self.host.now() >= client.expires_at:
                raise ValueError("unknown or expired client_id")
            if AUTH_CODE_GRANT not in client.grant_types:
                raise ValueError("this client is not registered for authorization_code")
            redirect = query.get("redirect_uri", "")
            if not any(same_redirect(redirect, r) for r in client.redirect_uris):
                raise ValueError("redirect_uri does not match a registered redirect URI")
        if query.get("response_type") != "code":
            raise ValueError("response_type must be code")
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            raise ValueError("a code_challenge with code_challenge_method=S256 is required")
        return {k: query[k] for k in _AUTHORIZE_PARAMS if k in query}

    def client_name(self, client_id: str) -> str:
        """The registered ``clientName`` (shown on the consent page), or "" if unknown."""
        with self.host.lock:
            client = self.clients.get(client_id)
            return str(client.name) if client is not None else ""

    def authorize(self, query: dict[str, str], approve: bool) -> str:
        """The redirect (Location) answering a checked ``/authorize`` request: ``code`` and
        ``state``, or ``error=access_denied`` and ``state``."""
        params = self.check(query)
        out: dict[str, str] = {}
        if approve:
            code = self.host.issue(secrets.token_urlsafe(32))  # a secret: scanned for
            with self.host.lock:
                self.codes[code] = AuthCode(params["client_id"], params["redirect_uri"],
                                            params["code_challenge"],
                                            self.host.now() + AUTH_CODE_TTL)
            out["code"] = code
        else:
            out.update(error="access_denied", error_description="The user denied access")
        if "state" in params:
            out["state"] = params["state"]
        sep = "&" if "?" in params["redirect_uri"] else "?"
        return params["redirect_uri"] + sep + urlencode(out)

    def redeem(self, client_id: str, body: dict[str, Any]) -> None:
        """Spend the code of a CreateToken ``authorization_code`` request (caller holds the
        lock); InvalidGrantException unless every rule above holds."""
        code, redirect, verifier = (body.get("code"), body.get("redirectUri"),
                                    body.get("codeVerifier"))
        if not (isinstance(code, str) and code and isinstance(redirect, str) and redirect
                and isinstance(verifier, str) and verifier):
            raise oidc_error("InvalidRequestException",
                             "code, redirectUri and codeVerifier are required")
        if isinstance(verifier, str) and len(verifier) >= 43:
            self.host.issue(verifier)  # the client's secret half: never to be printed either
        a = self.codes.get(code)
        if (a is None or a.client_id != client_id or a.used
                or self.host.now() >= a.expires_at):
            raise oidc_error("InvalidGrantException", "Invalid authorization code provided")
        if redirect != a.redirect_uri:
            raise oidc_error("InvalidGrantException", "redirectUri does not match the request")
        if not _VERIFIER.fullmatch(verifier):
            raise oidc_error("InvalidGrantException", "Invalid code verifier")
        if not hmac.compare_digest(s256(verifier).encode(), a.challenge.encode()):
            raise oidc_error("InvalidGrantException",
                             "Code verifier does not match the challenge")
        a.used = True
