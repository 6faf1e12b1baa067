"""``sso-oidc``: RegisterClient, StartDeviceAuthorization and CreateToken with
its three grants -- device code (``ssogen.emulator.device``), authorization code + PKCE
(``ssogen.emulator.pkce``) and refresh token -- and the sign-in sessions their tokens belong
to.

A sign-in (an approved device code or a redeemed authorization code) starts a *session*.
Access tokens live ``token_ttl``; refresh tokens (only for clients registered with the
``sso:account:access`` scope) are single use, rotate on every refresh, and keep working for
``session_ttl`` after the sign-in; Logout ends the session with all its tokens.
"""

from __future__ import annotations

import hmac
import itertools
import secrets
from typing import Any
from urllib.parse import urlsplit

from ssogen.emulator.base import Host, oidc_error
from ssogen.emulator.device import DeviceAuthorizations
from ssogen.emulator.pkce import AUTH_CODE_GRANT, AuthorizationCodes
from ssogen.records import record

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
REFRESH_GRANT = "refresh_token"
KNOWN_GRANTS = {
    DEVICE_GRANT, REFRESH_GRANT, AUTH_CODE_GRANT,
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
    "urn:ietf:params:oauth:grant-type:token-exchange",
}
ACCOUNT_ACCESS_SCOPE = "sso:account:access"
CLIENT_SECRET_LIFETIME = 90 * 86400


@record
class Client:
    client_id: str
    secret: str
    name: str
    scopes: list[str]
    grant_types: list[str]
    redirect_uris: list[str]
    issued_at: int
    expires_at: int


@record
class AccessToken:
    session: int
    client_id: str
    expires_at: float
    start_url: str


@record
class RefreshToken:
    session: int
    client_id: str
    start_url: str
    used: bool = False


class OidcService:
    """The ``sso-oidc`` API of one emulator; its tables are read by the portal (bearer
    tokens) and by the test suite's secret scan (which secrets are login secrets)."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self.clients: dict[str, Client] = {}
        self.tokens: dict[str, AccessToken] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.devices = DeviceAuthorizations(host)
        self.codes = AuthorizationCodes(host, self.clients)
        self._revoked_sessions: set[int] = set()
        self._session_started: dict[int, float] = {}
        self._session_ids = itertools.count(1)

    # -- RegisterClient ----------------------------------------------------------------------
    def register_client(self, body: dict[str, Any]) -> dict[str, Any]:
        name = body.get("clientName")
        ctype = body.get("clientType")
        if not isinstance(name, str) or not name.strip():
            raise oidc_error("InvalidRequestException", "clientName is required")
        if not isinstance(ctype, str) or not ctype:
            raise oidc_error("InvalidRequestException", "clientType is required")
        if ctype != "public":
            raise oidc_error("InvalidClientMetadataException",
                             f"Invalid client type: {ctype:.40}")
        scopes = body.get("scopes") or []
        if not isinstance(scopes, list) or not all(
                isinstance(s, str) and s and not any(c.isspace() for c in s) for s in scopes):
            raise oidc_error("InvalidScopeException", "Invalid scope requested")
        grants = body.get("grantTypes") or []
        if not isinstance(grants, list) or not all(isinstance(g, str) for g in grants):
            raise oidc_error("InvalidRequestException", "grantTypes must be a list of strings")
        unknown = [g for g in grants if g not in KNOWN_GRANTS]
        if unknown:
            raise oidc_error("UnsupportedGrantTypeException",
                             f"Unsupported grant type: {unknown[0]:.60}")
        redirects = body.get("redirectUris") or []
        if not isinstance(redirects, list) or not all(
                isinstance(u, str) and urlsplit(u).scheme in ("http", "https")
                and urlsplit(u).netloc for u in redirects):
            raise oidc_error("InvalidRedirectUriException", "Invalid redirect URI")
        host = self.host
        with host.lock:
            issued = int(host.now())
            client = Client(
                client_id=secrets.token_urlsafe(16),
                secret=host.issue("eyJraWQiOiJrZXktMSIsImFsZyI6IkhTMzg0In0."
                                  + secrets.token_urlsafe(96)),
                name=name, scopes=list(scopes), grant_types=list(grants),
                redirect_uris=list(redirects), issued_at=issued,
                expires_at=issued + CLIENT_SECRET_LIFETIME)
            self.clients[client.client_id] = client
        out: dict[str, Any] = {
            "clientId": client.client_id, "clientSecret": client.secret,
            "clientIdIssuedAt": client.issued_at, "clientSecretExpiresAt": client.expires_at,
        }
        if AUTH_CODE_GRANT in grants:
            out["authorizationEndpoint"] = f"{host.url}/authorize"
            out["tokenEndpoint"] = f"{host.url}/token"
        return out

    def _client(self, body: dict[str, Any]) -> Client:
        cid, secret = body.get("clientId"), body.get("clientSecret")
        if not isinstance(cid, str) or not cid:
            raise oidc_error("InvalidRequestException", "clientId is required")
        if not isinstance(secret, str) or not secret:
            raise oidc_error("InvalidRequestException", "clientSecret is required")
        client = self.clients.get(cid)
        if client is None or not hmac.compare_digest(client.secret.encode(), secret.encode()):
            raise oidc_error("InvalidClientException", "Invalid client provided")
        if self.host.now() >= client.expires_at:
            raise oidc_error("InvalidClientException", "Client secret has expired")
        return client

    # -- StartDeviceAuthorization ------------------------------------------------------------
    def start_device_authorization(self, body: dict[str, Any]) -> dict[str, Any]:
        start_url = body.get("startUrl")
        with self.host.lock:
            client = self._client(body)
            if not isinstance(start_url, str) or not start_url:
                raise oidc_error("InvalidRequestException", "startUrl is required")
            parts = urlsplit(start_url)
            if parts.scheme not in ("https", "http") or not parts.netloc:
                raise oidc_error("InvalidRequestException", "Invalid start URL")
            if client.grant_types and DEVICE_GRANT not in client.grant_types:
                raise oidc_error("UnauthorizedClientException",
                                 "Client is not authorized to use the device code grant")
            return self.devices.start(client.client_id, start_url)

    # -- CreateToken -------------------------------------------------------------------------
    def create_token(self, body: dict[str, Any]) -> dict[str, Any]:
        grant = body.get("grantType")
        with self.host.lock:
            client = self._client(body)
            if not isinstance(grant, str) or not grant:
                raise oidc_error("InvalidRequestException", "grantType is required")
            if grant not in (DEVICE_GRANT, REFRESH_GRANT, AUTH_CODE_GRANT):
                raise oidc_error("UnsupportedGrantTypeException",
                                 f"Unsupported grant type: {grant:.60}")
            if client.grant_types and grant not in client.grant_types:
                raise oidc_error("UnauthorizedClientException",
                                 "Client is not authorized to use this grant type")
            if grant == DEVICE_GRANT:
                d = self.devices.poll(client.client_id, body.get("deviceCode"))
                return self._new_token(client, self._new_session(), d.start_url)
            if grant == AUTH_CODE_GRANT:
                self.codes.redeem(client.client_id, body)
                return self._new_token(client, self._new_session(), "")
            return self._refresh(client, body.get("refreshToken"))

    def _new_session(self) -> int:
        session = next(self._session_ids)
        self._session_started[session] = self.host.now()
        return session

    def _refresh(self, client: Client, token: Any) -> dict[str, Any]:
        if not isinstance(token, str) or not token:
            raise oidc_error("InvalidRequestException", "refreshToken is required")
        r = self.refresh_tokens.get(token)
        if (r is None or r.client_id != client.client_id or r.used
                or r.session in self._revoked_sessions):
            raise oidc_error("InvalidGrantException", "Invalid refresh token provided")
        started = self._session_started.get(r.session, 0.0)
        if self.host.now() >= started + self.host.session_ttl:
            raise oidc_error("InvalidGrantException", "The sign-in session has expired")
        r.used = True  # rotation: a refresh token works once
        return self._new_token(client, r.session, r.start_url)

    def _new_token(self, client: Client, session: int, start_url: str) -> dict[str, Any]:
        host = self.host
        access = host.issue("aoa" + secrets.token_urlsafe(96))
        self.tokens[access] = AccessToken(session, client.client_id,
                                          host.now() + host.token_ttl, start_url)
        out: dict[str, Any] = {"accessToken": access, "tokenType": "Bearer",
                               "expiresIn": host.token_ttl}
        if ACCOUNT_ACCESS_SCOPE in client.scopes:
            refresh = host.issue("aor" + secrets.token_urlsafe(96))
            self.refresh_tokens[refresh] = RefreshToken(session, client.client_id, start_url)
            out["refreshToken"] = refresh
        return out

    # -- what the portal asks ----------------------------------------------------------------
    def valid_token(self, token: str | None) -> AccessToken | None:
        """The live access token (issued, not expired, its session not ended), else None."""
        with self.host.lock:
            t = self.tokens.get(token or "")
            if (t is None or t.session in self._revoked_sessions
                    or self.host.now() >= t.expires_at):
                return None
            return t

    def end_session(self, session: int) -> None:
        """Logout: every token of this sign-in stops working, refresh tokens included."""
        with self.host.lock:
            self._revoked_sessions.add(session)

    def active_tokens(self) -> int:
        with self.host.lock:
            now = self.host.now()
            return sum(1 for t in self.tokens.values()
                       if t.session not in self._revoked_sessions and now < t.expires_at)
