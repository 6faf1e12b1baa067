"""A local IAM Identity Center: the ``sso-oidc`` and ``sso`` portal wire protocol as botocore
sends and parses it (docs/PROTOCOL.md §1–2), on 127.0.0.1, for the demo and for tests.

One threaded HTTP/1.1 server (botocore keeps connections alive) serves both services; their
paths do not overlap. Errors carry ``x-amzn-ErrorType`` so botocore raises the modelled
exception classes. Nothing a client sends is ever logged: with ``verbose`` only the method and
the path (without query string) of each request are.

sso-oidc   POST /client/register, POST /device_authorization, POST /token (device code,
           refresh token, authorization code + PKCE)
sso        GET /assignment/accounts, GET /assignment/roles, GET /federation/credentials,
           POST /logout (token in ``x-amz-sso_bearer_token``)
sts        POST / with form body ``Action=GetCallerIdentity`` (SigV4-identified caller)
s3         GET / with SigV4 (``Authorization``): ListBuckets (see ``ssogen.emulator.aws``)
people     GET/POST /device (verification page), GET/POST /authorize (PKCE consent), GET /
           without SigV4 (index page)
tests      /_emulator/... (see ``ssogen.emulator.control``)

STS and S3 accept only role credentials the portal issued (GetRoleCredentials), so that an
unmodified AWS CLI can run ``aws sts get-caller-identity`` / ``aws s3 ls`` with a profile
ssogen generated, end to end, without AWS.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import itertools
import json
import logging
import random
import secrets
import socket
import string
import struct
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from ssogen.emulator import aws
from ssogen.emulator.org import Organization

log = logging.getLogger("ssogen.emulator")

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
AUTH_CODE_GRANT = "authorization_code"
AUTH_CODE_TTL = 300
REFRESH_GRANT = "refresh_token"
KNOWN_GRANTS = {
    DEVICE_GRANT, REFRESH_GRANT, "authorization_code",
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
    "urn:ietf:params:oauth:grant-type:token-exchange",
}
ACCOUNT_ACCESS_SCOPE = "sso:account:access"
CLIENT_SECRET_LIFETIME = 90 * 86400
FAULT_KINDS = ("500", "drop")

OIDC_NAMESPACE = "http://internal.amazon.com/coral/com.amazonaws.sso.oidc/"
PORTAL_NAMESPACE = "http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/"

# OAuth error codes of the sso-oidc exception shapes (body member ``error``).
OIDC_ERRORS = {
    "AccessDeniedException": "access_denied",
    "AuthorizationPendingException": "authorization_pending",
    "ExpiredTokenException": "expired_token",
    "InternalServerException": "server_error",
    "InvalidClientException": "invalid_client",
    "InvalidClientMetadataException": "invalid_client_metadata",
    "InvalidGrantException": "invalid_grant",
    "InvalidRedirectUriException": "invalid_redirect_uri",
    "InvalidRequestException": "invalid_request",
    "InvalidScopeException": "invalid_scope",
    "SlowDownException": "slow_down",
    "UnauthorizedClientException": "unauthorized_client",
    "UnsupportedGrantTypeException": "unsupported_grant_type",
}
PORTAL_STATUS = {
    "InvalidRequestException": 400,
    "UnauthorizedException": 401,
    "ResourceNotFoundException": 404,
    "TooManyRequestsException": 429,
    "InternalServerException": 500,
}

# (method, path) -> (API name, service)
ROUTES: dict[tuple[str, str], tuple[str, str]] = {
    ("POST", "/client/register"): ("RegisterClient", "oidc"),
    ("POST", "/device_authorization"): ("StartDeviceAuthorization", "oidc"),
    ("POST", "/token"): ("CreateToken", "oidc"),
    ("GET", "/assignment/accounts"): ("ListAccounts", "portal"),
    ("GET", "/assignment/roles"): ("ListAccountRoles", "portal"),
    ("GET", "/federation/credentials"): ("GetRoleCredentials", "portal"),
    ("POST", "/logout"): ("Logout", "portal"),
}
#: APIs of the two small extra services (routed by method, path and body: see _Handler)
AWS_APIS = {"GetCallerIdentity": "sts", "ListBuckets": "s3"}
API_NAMES = [api for api, _ in ROUTES.values()] + list(AWS_APIS)

#: service-specific endpoint variables (PROTOCOL.md §5) for the four services served here
ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_SSO", "AWS_ENDPOINT_URL_SSO_OIDC",
                      "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_S3")

_USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"  # no vowels (no words), no look-alikes
_DEFAULT_PAGE = 20


class ServiceError(Exception):
    """An error answer in the wire format of one of the two services."""

    def __init__(self, service: str, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.service = service
        self.name = name
        self.message = message

    @property
    def status(self) -> int:
        if self.service == "oidc":
            return {"InvalidClientException": 401, "InternalServerException": 500}.get(
                self.name, 400)
        return PORTAL_STATUS.get(self.name, 400)

    def headers(self) -> dict[str, str]:
        ns = OIDC_NAMESPACE if self.service == "oidc" else PORTAL_NAMESPACE
        return {"x-amzn-ErrorType": f"{self.name}:{ns}"}

    def body(self) -> dict[str, str]:
        if self.service == "oidc":
            return {"error": OIDC_ERRORS.get(self.name, "invalid_request"),
                    "error_description": self.message}
        return {"message": self.message}


def _oidc(name: str, message: str) -> ServiceError:
    return ServiceError("oidc", name, message)


def _portal(name: str, message: str) -> ServiceError:
    return ServiceError("portal", name, message)


class _Drop(Exception):
    """Injected fault: close the connection without answering."""


@dataclass
class _Client:
    client_id: str
    secret: str
    name: str
    scopes: list[str]
    grant_types: list[str]
    redirect_uris: list[str]
    issued_at: int
    expires_at: int


@dataclass
class _DeviceAuth:
    device_code: str
    user_code: str
    client_id: str
    start_url: str
    created: float
    expires_at: float
    interval: float
    status: str = "pending"  # pending | approved | denied | consumed
    last_poll: float | None = None
    pending_polls: int = 0


@dataclass
class _Token:
    session: int
    client_id: str
    expires_at: float
    start_url: str


@dataclass
class _Refresh:
    session: int
    client_id: str
    start_url: str
    used: bool = False


@dataclass
class _AuthCode:
    client_id: str
    redirect_uri: str
    challenge: str
    expires_at: float
    used: bool = False


class _TokenBucket:
    """``rate`` requests per second with a burst of one second's worth (monotonic time)."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self.tokens = self.capacity
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


@dataclass
class _Stats:
    requests: Counter[str] = field(default_factory=Counter)
    throttled: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)


class Emulator:
    """IAM Identity Center on ``http://127.0.0.1:<port>``.

    Knobs: ``latency_ms`` (added to every API call), ``rate_limit`` (requests per second per
    portal API, answering 429 TooManyRequestsException), ``fault_rate`` (fraction of portal
    calls that fail with one of ``fault_kinds``: ``"500"`` InternalServerException or
    ``"drop"`` an abruptly closed connection), ``auto_approve_after`` (a device authorization is
    approved once K CreateToken polls have been answered ``authorization_pending``; 0 = at the
    first poll), ``token_ttl`` (access token lifetime, s), ``expires_in`` / ``interval`` (device
    authorization), ``credential_ttl`` (role credentials, s), ``session_ttl`` (how long refresh
    tokens of one sign-in keep working, default 8 h like IAM Identity Center's default session
    duration), ``seed`` (fault randomness). With ``auto_approve_after`` set, a PKCE
    ``/authorize`` request is approved at once as well. ``user_name`` is the signed-in
    person: the role session name STS GetCallerIdentity reports.

    The emulator's clock is real time plus an offset (:meth:`advance_clock`); every expiry is
    computed from it.
    """

    def __init__(self, org: Organization | None = None, *, latency_ms: float = 0,
                 rate_limit: float | None = None, fault_rate: float = 0.0,
                 fault_kinds: tuple[str, ...] | list[str] = FAULT_KINDS,
                 auto_approve_after: int | None = None, token_ttl: int = 3600,
                 expires_in: int = 600, interval: int = 1, credential_ttl: int = 3600,
                 session_ttl: int = 8 * 3600, port: int = 0, host: str = "127.0.0.1",
                 seed: int | None = None, verbose: bool = False,
                 user_name: str = "sso-user@example.com") -> None:
        if not 0.0 <= fault_rate <= 1.0:
            raise ValueError("fault_rate must be between 0 and 1")
        bad = [k for k in fault_kinds if k not in FAULT_KINDS]
        if bad or not fault_kinds:
            raise ValueError(f"fault_kinds must be a non-empty subset of {FAULT_KINDS}")
        if rate_limit is not None and rate_limit <= 0:
            raise ValueError("rate_limit must be > 0 (or None for no limit)")
        if auto_approve_after is not None and auto_approve_after < 0:
            raise ValueError("auto_approve_after must be >= 0")
        for name, value in (("token_ttl", token_ttl), ("expires_in", expires_in),
                            ("credential_ttl", credential_ttl), ("session_ttl", session_ttl)):
            if value <= 0:
                raise ValueError(f"{name} must be > 0")
        if interval < 0 or latency_ms < 0:
            raise ValueError("interval and latency_ms must be >= 0")
        self.org = org if org is not None else Organization.sample()
        self.latency_ms = latency_ms
        self.rate_limit = rate_limit
        self.fault_rate = fault_rate
        self.fault_kinds = tuple(fault_kinds)
        self.auto_approve_after = auto_approve_after
        self.token_ttl = token_ttl
        self.expires_in = expires_in
        self.interval = interval
        self.credential_ttl = credential_ttl
        self.session_ttl = session_ttl
        self.host = host
        self.verbose = verbose
        self.user_name = user_name
        self._requested_port = port
        self._lock = threading.RLock()
        self._rng = random.Random(seed)
        self._clock_offset = 0.0
        self._clients: dict[str, _Client] = {}
        self._devices: dict[str, _DeviceAuth] = {}
        self._user_codes: dict[str, str] = {}  # user code -> device code
        self._tokens: dict[str, _Token] = {}
        self._refresh: dict[str, _Refresh] = {}
        self._revoked_sessions: set[int] = set()
        self._session_started: dict[int, float] = {}
        self._codes: dict[str, _AuthCode] = {}  # PKCE authorization codes
        self._role_credentials: dict[str, aws.RoleCredential] = {}  # access key id -> owner
        self._session_ids = itertools.count(1)
        self._secrets: list[str] = []
        self._buckets: dict[str, _TokenBucket] = {}
        self._stats = _Stats()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> Emulator:
        if self._server is not None:
            return self
        server = _Server((self.host, self._requested_port), _Handler, self)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name="ssogen-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("emulator is not running")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def endpoint_env(self) -> dict[str, str]:
        """The environment variables that send botocore's (botocore >= 1.31, AWS CLI >= 2.13)
        sso, sso-oidc, sts and s3 clients here."""
        return {name: self.url for name in ENDPOINT_VARIABLES}

    # -- clock -----------------------------------------------------------------------------
    def now(self) -> float:
        return time.time() + self._clock_offset

    def advance_clock(self, seconds: float) -> float:
        """Move the emulator's notion of now forward; returns the new now (epoch seconds)."""
        with self._lock:
            self._clock_offset += seconds
            return self.now()

    # -- control ---------------------------------------------------------------------------
    def _find_device(self, user_code: str | None) -> _DeviceAuth:
        if user_code is None:
            pending = [d for d in self._devices.values()
                       if d.status == "pending" and self.now() < d.expires_at]
            if not pending:
                raise LookupError("no pending device authorization")
            return max(pending, key=lambda d: d.created)
        code = _normalize_user_code(user_code)
        dc = self._user_codes.get(code)
        if dc is None:
            raise LookupError("unknown user code")
        d = self._devices[dc]
        if d.status != "pending":
            done = "approved" if d.status == "consumed" else d.status
            raise LookupError(f"this code was already {done}")
        if self.now() >= d.expires_at:
            raise LookupError("this code has expired")
        return d

    def approve(self, user_code: str | None = None) -> str:
        """Approve a pending device authorization (the latest one if no code is given).
        Returns its user code; LookupError if there is none to approve."""
        with self._lock:
            d = self._find_device(user_code)
            d.status = "approved"
            return d.user_code

    def deny(self, user_code: str | None = None) -> str:
        with self._lock:
            d = self._find_device(user_code)
            d.status = "denied"
            return d.user_code

    def pending_user_codes(self) -> list[str]:
        with self._lock:
            now = self.now()
            return [d.user_code for d in sorted(self._devices.values(), key=lambda d: d.created)
                    if d.status == "pending" and now < d.expires_at]

    def issued_secrets(self) -> list[str]:
        """Every access token, refresh token, client secret, secret access key and session
        token issued so far (to scan captured output for leaks)."""
        with self._lock:
            return list(self._secrets)

    def stats(self) -> dict[str, Any]:
        with self._lock:
            now = self.now()
            active = sum(1 for t in self._tokens.values()
                         if t.session not in self._revoked_sessions and now < t.expires_at)
            return {
                "requests": {api: self._stats.requests[api] for api in API_NAMES},
                "throttled": {api: self._stats.throttled[api] for api in API_NAMES},
                "faults": dict(self._stats.faults),
                "requests_total": sum(self._stats.requests.values()),
                "throttled_total": sum(self._stats.throttled.values()),
                "faults_total": sum(self._stats.faults.values()),
                "active_tokens": active,
                "clients": len(self._clients),
            }

    def state(self) -> dict[str, Any]:
        """stats() plus pending codes, the clock and the knobs (no secrets)."""
        with self._lock:
            return {
                **self.stats(),
                "now": self.now(),
                "clock_offset": self._clock_offset,
                "pending_user_codes": self.pending_user_codes(),
                "accounts": len(self.org),
                "roles": self.org.role_count,
                "knobs": {
                    "latency_ms": self.latency_ms, "rate_limit": self.rate_limit,
                    "fault_rate": self.fault_rate, "fault_kinds": list(self.fault_kinds),
                    "auto_approve_after": self.auto_approve_after,
                    "token_ttl": self.token_ttl, "expires_in": self.expires_in,
                    "interval": self.interval, "credential_ttl": self.credential_ttl,
                    "session_ttl": self.session_ttl,
                },
            }

    # The organisation can change while the emulator runs (same as ``emu.org.<method>``).
    def add_account(self, account_id: str, name: str = "", email: str = "",
                    roles: list[str] | tuple[str, ...] = ()) -> None:
        self.org.add_account(account_id, name, email, roles)

    def remove_account(self, account_id: str) -> None:
        self.org.remove_account(account_id)

    def add_role(self, account_id: str, role: str) -> None:
        self.org.add_role(account_id, role)

    def remove_role(self, account_id: str, role: str) -> None:
        self.org.remove_role(account_id, role)

    # -- request pipeline (called by the handler) ------------------------------------------
    def _before_call(self, api: str, service: str) -> None:
        """Latency, rate limit and fault injection; raises ServiceError or _Drop."""
        if self.latency_ms:
            time.sleep(self.latency_ms / 1000.0)
        with self._lock:
            self._stats.requests[api] += 1
            if service != "portal":
                return
            if self.rate_limit is not None:
                bucket = self._buckets.get(api)
                if bucket is None or bucket.rate != self.rate_limit:
                    bucket = self._buckets[api] = _TokenBucket(self.rate_limit)
                if not bucket.take():
                    self._stats.throttled[api] += 1
                    raise _portal("TooManyRequestsException", "Too many requests")
            if self.fault_rate and self._rng.random() < self.fault_rate:
                kind = self._rng.choice(self.fault_kinds)
                self._stats.faults[kind] += 1
                if kind == "drop":
                    raise _Drop()
                raise _portal("InternalServerException", "An internal error occurred")

    def _issue(self, value: str) -> str:
        self._secrets.append(value)
        return value

    # -- sso-oidc --------------------------------------------------------------------------
    def register_client(self, body: dict[str, Any]) -> dict[str, Any]:
        name = body.get("clientName")
        ctype = body.get("clientType")
        if not isinstance(name, str) or not name.strip():
            raise _oidc("InvalidRequestException", "clientName is required")
        if not isinstance(ctype, str) or not ctype:
            raise _oidc("InvalidRequestException", "clientType is required")
        if ctype != "public":
            raise _oidc("InvalidClientMetadataException", f"Invalid client type: {ctype:.40}")
        scopes = body.get("scopes") or []
        if not isinstance(scopes, list) or not all(
                isinstance(s, str) and s and not any(c.isspace() for c in s) for s in scopes):
            raise _oidc("InvalidScopeException", "Invalid scope requested")
        grants = body.get("grantTypes") or []
        if not isinstance(grants, list) or not all(isinstance(g, str) for g in grants):
            raise _oidc("InvalidRequestException", "grantTypes must be a list of strings")
        unknown = [g for g in grants if g not in KNOWN_GRANTS]
        if unknown:
            raise _oidc("UnsupportedGrantTypeException",
                        f"Unsupported grant type: {unknown[0]:.60}")
        redirects = body.get("redirectUris") or []
        if not isinstance(redirects, list) or not all(
                isinstance(u, str) and urlsplit(u).scheme in ("http", "https")
                and urlsplit(u).netloc for u in redirects):
            raise _oidc("InvalidRedirectUriException", "Invalid redirect URI")
        with self._lock:
            issued = int(self.now())
            client = _Client(
                client_id=secrets.token_urlsafe(16),
                secret=self._issue("eyJraWQiOiJrZXktMSIsImFsZyI6IkhTMzg0In0."
                                   + secrets.token_urlsafe(96)),
                name=name, scopes=list(scopes), grant_types=list(grants),
                redirect_uris=list(redirects), issued_at=issued,
                expires_at=issued + CLIENT_SECRET_LIFETIME)
            self._clients[client.client_id] = client
        out: dict[str, Any] = {
            "clientId": client.client_id, "clientSecret": client.secret,
            "clientIdIssuedAt": client.issued_at, "clientSecretExpiresAt": client.expires_at,
        }
        if "authorization_code" in grants:
            out["authorizationEndpoint"] = f"{self.url}/authorize"
            out["tokenEndpoint"] = f"{self.url}/token"
        return out

    def _client(self, body: dict[str, Any]) -> _Client:
        cid, secret = body.get("clientId"), body.get("clientSecret")
        if not isinstance(cid, str) or not cid:
            raise _oidc("InvalidRequestException", "clientId is required")
        if not isinstance(secret, str) or not secret:
            raise _oidc("InvalidRequestException", "clientSecret is required")
        client = self._clients.get(cid)
        if client is None or not hmac.compare_digest(client.secret.encode(), secret.encode()):
            raise _oidc("InvalidClientException", "Invalid client provided")
        if self.now() >= client.expires_at:
            raise _oidc("InvalidClientException", "Client secret has expired")
        return client

    def start_device_authorization(self, body: dict[str, Any]) -> dict[str, Any]:
        start_url = body.get("startUrl")
        with self._lock:
            client = self._client(body)
            if not isinstance(start_url, str) or not start_url:
                raise _oidc("InvalidRequestException", "startUrl is required")
            parts = urlsplit(start_url)
            if parts.scheme not in ("https", "http") or not parts.netloc:
                raise _oidc("InvalidRequestException", "Invalid start URL")
            if client.grant_types and DEVICE_GRANT not in client.grant_types:
                raise _oidc("UnauthorizedClientException",
                            "Client is not authorized to use the device code grant")
            while True:
                raw = "".join(secrets.choice(_USER_CODE_ALPHABET) for _ in range(8))
                user_code = f"{raw[:4]}-{raw[4:]}"
                if user_code not in self._user_codes:
                    break
            now = self.now()
            d = _DeviceAuth(
                device_code=secrets.token_urlsafe(48), user_code=user_code,
                client_id=client.client_id, start_url=start_url, created=now,
                expires_at=now + self.expires_in, interval=float(self.interval))
            self._devices[d.device_code] = d
            self._user_codes[user_code] = d.device_code
        return {
            "deviceCode": d.device_code,
            "userCode": user_code,
            "verificationUri": f"{self.url}/device",
            "verificationUriComplete": f"{self.url}/device?user_code={user_code}",
            "expiresIn": self.expires_in,
            "interval": self.interval,
        }

    def create_token(self, body: dict[str, Any]) -> dict[str, Any]:
        grant = body.get("grantType")
        with self._lock:
            client = self._client(body)
            if not isinstance(grant, str) or not grant:
                raise _oidc("InvalidRequestException", "grantType is required")
            if grant not in (DEVICE_GRANT, REFRESH_GRANT, AUTH_CODE_GRANT):
                raise _oidc("UnsupportedGrantTypeException",
                            f"Unsupported grant type: {grant:.60}")
            if client.grant_types and grant not in client.grant_types:
                raise _oidc("UnauthorizedClientException",
                            "Client is not authorized to use this grant type")
            if grant == DEVICE_GRANT:
                return self._device_token(client, body.get("deviceCode"))
            if grant == AUTH_CODE_GRANT:
                return self._code_token(client, body)
            return self._refresh_token(client, body.get("refreshToken"))

    def _device_token(self, client: _Client, device_code: Any) -> dict[str, Any]:
        if not isinstance(device_code, str) or not device_code:
            raise _oidc("InvalidRequestException", "deviceCode is required")
        d = self._devices.get(device_code)
        if d is None or d.client_id != client.client_id:
            raise _oidc("InvalidGrantException", "Invalid device code provided")
        now = self.now()
        if d.status == "consumed":
            raise _oidc("InvalidGrantException", "Device code has already been used")
        if now >= d.expires_at:
            raise _oidc("ExpiredTokenException", "Device code has expired")
        if d.status == "denied":
            raise _oidc("AccessDeniedException", "Access denied by the user")
        if d.status == "pending":
            too_fast = d.last_poll is not None and now - d.last_poll < d.interval - 0.05
            d.last_poll = now
            if too_fast:  # RFC 8628 §3.5: +5 s for this and all later requests
                d.interval += 5
                raise _oidc("SlowDownException", "Client is polling too quickly")
            if self.auto_approve_after is not None and d.pending_polls >= self.auto_approve_after:
                d.status = "approved"
            else:
                d.pending_polls += 1
                raise _oidc("AuthorizationPendingException", "Authorization is still pending")
        d.status = "consumed"
        session = next(self._session_ids)
        self._session_started[session] = now
        return self._new_token(client, session, d.start_url)

    # -- PKCE authorization code (what `aws sso login` of AWS CLI v2 >= 2.22 uses) ----------
    def check_authorize(self, query: dict[str, str]) -> dict[str, str]:
        """Validate a ``/authorize`` request; ValueError (shown to the person, never a
        redirect to an unverified URI) if it is not one this emulator would accept."""
        with self._lock:
            client = self._clients.get(query.get("client_id", ""))
            if client is None or self.now() >= client.expires_at:
                raise ValueError("unknown or expired client_id")
            if AUTH_CODE_GRANT not in client.grant_types:
                raise ValueError("this client is not registered for authorization_code")
            redirect = query.get("redirect_uri", "")
            if not any(_same_redirect(redirect, r) for r in client.redirect_uris):
                raise ValueError("redirect_uri does not match a registered redirect URI")
        if query.get("response_type") != "code":
            raise ValueError("response_type must be code")
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            raise ValueError("a code_challenge with code_challenge_method=S256 is required")
        return {k: query[k] for k in ("client_id", "redirect_uri", "code_challenge",
                                      "code_challenge_method", "response_type", "state",
                                      "scopes") if k in query}

    def authorize(self, query: dict[str, str], approve: bool) -> str:
        """The redirect (Location) answering a checked ``/authorize`` request."""
        params = self.check_authorize(query)
        out: dict[str, str] = {}
        if approve:
            code = secrets.token_urlsafe(32)
            with self._lock:
                self._codes[code] = _AuthCode(params["client_id"], params["redirect_uri"],
                                              params["code_challenge"],
                                              self.now() + AUTH_CODE_TTL)
            out["code"] = code
        else:
            out.update(error="access_denied", error_description="The user denied access")
        if "state" in params:
            out["state"] = params["state"]
        sep = "&" if "?" in params["redirect_uri"] else "?"
        return params["redirect_uri"] + sep + urlencode(out)

    def _code_token(self, client: _Client, body: dict[str, Any]) -> dict[str, Any]:
        code, redirect, verifier = (body.get("code"), body.get("redirectUri"),
                                    body.get("codeVerifier"))
        if not all(isinstance(v, str) and v for v in (code, redirect, verifier)):
            raise _oidc("InvalidRequestException",
                        "code, redirectUri and codeVerifier are required")
        a = self._codes.get(code)  # type: ignore[arg-type]
        if (a is None or a.client_id != client.client_id or a.used
                or self.now() >= a.expires_at):
            raise _oidc("InvalidGrantException", "Invalid authorization code provided")
        if redirect != a.redirect_uri:
            raise _oidc("InvalidGrantException", "redirectUri does not match the request")
        digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()  # type: ignore[union-attr]
        if base64.urlsafe_b64encode(digest).decode().rstrip("=") != a.challenge:
            raise _oidc("InvalidGrantException", "Code verifier does not match the challenge")
        a.used = True
        session = next(self._session_ids)
        self._session_started[session] = self.now()
        return self._new_token(client, session, "")

    def _refresh_token(self, client: _Client, token: Any) -> dict[str, Any]:
        if not isinstance(token, str) or not token:
            raise _oidc("InvalidRequestException", "refreshToken is required")
        r = self._refresh.get(token)
        if (r is None or r.client_id != client.client_id or r.used
                or r.session in self._revoked_sessions):
            raise _oidc("InvalidGrantException", "Invalid refresh token provided")
        if self.now() >= self._session_started.get(r.session, 0.0) + self.session_ttl:
            raise _oidc("InvalidGrantException", "The sign-in session has expired")
        r.used = True  # rotation: a refresh token works once
        return self._new_token(client, r.session, r.start_url)

    def _new_token(self, client: _Client, session: int, start_url: str) -> dict[str, Any]:
        access = self._issue("aoa" + secrets.token_urlsafe(96))
        self._tokens[access] = _Token(session, client.client_id,
                                      self.now() + self.token_ttl, start_url)
        out: dict[str, Any] = {"accessToken": access, "tokenType": "Bearer",
                               "expiresIn": self.token_ttl}
        if ACCOUNT_ACCESS_SCOPE in client.scopes:
            refresh = self._issue("aor" + secrets.token_urlsafe(96))
            self._refresh[refresh] = _Refresh(session, client.client_id, start_url)
            out["refreshToken"] = refresh
        return out

    # -- sso portal ------------------------------------------------------------------------
    def _token(self, token: str | None) -> _Token:
        t = self._tokens.get(token or "")
        if t is None or t.session in self._revoked_sessions or self.now() >= t.expires_at:
            raise _portal("UnauthorizedException", "Session token not found or invalid")
        return t

    @staticmethod
    def _page_size(query: dict[str, str]) -> int:
        raw = query.get("max_result")
        if raw is None:
            return _DEFAULT_PAGE
        try:
            n = int(raw)
        except ValueError:
            raise _portal("InvalidRequestException", "Invalid max_result") from None
        if not 1 <= n <= 100:
            raise _portal("InvalidRequestException",
                          "max_result must be between 1 and 100") from None
        return n

    @staticmethod
    def _after(query: dict[str, str], kind: str) -> str | None:
        raw = query.get("next_token")
        if raw is None:
            return None
        try:
            decoded = base64.urlsafe_b64decode(raw.encode("ascii")).decode("utf-8")
            prefix, _, last = decoded.partition("|")
            if prefix != kind or not last:
                raise ValueError(decoded)
        except (ValueError, UnicodeError):
            raise _portal("InvalidRequestException", "Invalid next token") from None
        return last

    @staticmethod
    def _next_token(kind: str, last: str) -> str:
        return base64.urlsafe_b64encode(f"{kind}|{last}".encode()).decode("ascii")

    def list_accounts(self, token: str | None, query: dict[str, str]) -> dict[str, Any]:
        with self._lock:
            self._token(token)
        size = self._page_size(query)
        after = self._after(query, "accounts")
        page, more = self.org.page(after, size)
        out: dict[str, Any] = {"accountList": [
            {"accountId": a.id, "accountName": a.name, "emailAddress": a.email} for a in page]}
        if more and page:
            out["nextToken"] = self._next_token("accounts", page[-1].id)
        return out

    def list_account_roles(self, token: str | None, query: dict[str, str]) -> dict[str, Any]:
        with self._lock:
            self._token(token)
        account_id = query.get("account_id")
        if not account_id:
            raise _portal("InvalidRequestException", "account_id is required")
        size = self._page_size(query)
        kind = f"roles:{account_id}"
        after = self._after(query, kind)
        roles = self.org.roles(account_id)
        if roles is None:
            raise _portal("ResourceNotFoundException", "Account not found")
        remaining = [r for r in roles if after is None or r > after]
        page = remaining[:size]
        out: dict[str, Any] = {"roleList": [{"roleName": r, "accountId": account_id}
                                            for r in page]}
        if len(remaining) > size:
            out["nextToken"] = self._next_token(kind, page[-1])
        return out

    def get_role_credentials(self, token: str | None, query: dict[str, str]) -> dict[str, Any]:
        with self._lock:
            self._token(token)
        role, account_id = query.get("role_name"), query.get("account_id")
        if not role or not account_id:
            raise _portal("InvalidRequestException", "role_name and account_id are required")
        if not self.org.has_role(account_id, role):
            raise _portal("ResourceNotFoundException", "No access")
        upper = string.ascii_uppercase + "234567"
        with self._lock:
            key_id = "ASIA" + "".join(secrets.choice(upper) for _ in range(16))
            secret = self._issue(base64.b64encode(secrets.token_bytes(30)).decode("ascii"))
            session = self._issue(
                "IQoJb3JpZ2luX2VjE" + base64.b64encode(secrets.token_bytes(300)).decode("ascii"))
            expires_at = self.now() + self.credential_ttl
            expiration = int(expires_at * 1000)
            self._role_credentials[key_id] = aws.RoleCredential(
                account_id, role, session, expires_at, self.user_name)
        return {"roleCredentials": {"accessKeyId": key_id, "secretAccessKey": secret,
                                    "sessionToken": session, "expiration": expiration}}

    def logout(self, token: str | None) -> dict[str, Any]:
        with self._lock:
            t = self._token(token)
            self._revoked_sessions.add(t.session)
        return {}

    # -- sts and s3 (callers identified by role credentials the portal issued) -------------
    def role_credential(self, service: str, scope: aws.SigV4Scope | None,
                        session_token: str | None) -> aws.RoleCredential:
        """Whose role credentials signed a request (``service`` is ``sts`` or ``s3``);
        raises aws.AwsError as that service would."""
        if scope is None:
            if service == "sts":
                raise aws.AwsError("sts", "MissingAuthenticationToken",
                                   "Request is missing Authentication Token")
            raise aws.AwsError("s3", "AccessDenied", "Access Denied")
        key = scope.access_key_id
        with self._lock:
            cred = self._role_credentials.get(key)
            now = self.now()
        if cred is None:
            if service == "sts":
                raise aws.AwsError("sts", "InvalidClientTokenId",
                                   "The security token included in the request is invalid.")
            raise aws.AwsError("s3", "InvalidAccessKeyId", "The AWS Access Key Id you "
                               "provided does not exist in our records.", key)
        if not session_token or not hmac.compare_digest(session_token.encode(),
                                                        cred.session_token.encode()):
            if service == "sts":
                raise aws.AwsError("sts", "InvalidClientTokenId",
                                   "The security token included in the request is invalid.")
            raise aws.AwsError("s3", "InvalidToken",
                               "The provided token is malformed or otherwise invalid.")
        if now >= cred.expires_at:
            if service == "sts":
                raise aws.AwsError("sts", "ExpiredToken",
                                   "The security token included in the request is expired")
            raise aws.AwsError("s3", "ExpiredToken", "The provided token has expired.")
        return cred

    def buckets(self, cred: aws.RoleCredential) -> list[tuple[str, Any]]:
        """S3 ListBuckets for these role credentials: the account's buckets."""
        return self.org.buckets(cred.account_id) or []


def _same_redirect(requested: str, registered: str) -> bool:
    """Exact match, except that a loopback redirect may use any port (RFC 8252 §7.3): the AWS
    CLI registers ``http://127.0.0.1/oauth/callback`` and then listens on a random port."""
    if requested == registered:
        return True
    a, b = urlsplit(requested), urlsplit(registered)
    try:
        a_host, b_host = a.hostname, b.hostname
        a.port, b.port  # noqa: B018 (raises ValueError on a bad port)
    except ValueError:
        return False
    return (a.scheme == b.scheme == "http" and a_host == b_host
            and a_host in ("127.0.0.1", "localhost", "::1") and a.path == b.path
            and a.query == b.query)


def _normalize_user_code(code: str) -> str:
    raw = "".join(c for c in code.upper() if c.isalnum())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else code.strip().upper()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler],
                 emulator: Emulator) -> None:
        self.emulator = emulator
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-answer is normal (timeouts, Ctrl-C): no traceback on
        stderr. Details only at debug level, and never a request's content."""
        log.debug("emulator: connection from %s ended abruptly", client_address[0],
                  exc_info=self.emulator.verbose)

    def close_connections(self) -> None:
        """Wake every handler thread idling on a kept-alive connection, so it ends."""
        with self._connections_lock:
            conns = list(self._connections)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as botocore expects
    server_version = "ssogen-emulator"
    sys_version = ""
    timeout = 120  # an idle kept-alive connection is closed after this
    server: _Server

    # Never log what clients send: only method and path, and only when verbose.
    def log_message(self, format: str, *args: Any) -> None:
        return

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if self.server.emulator.verbose:
            log.info("%s %s -> %s", self.command, urlsplit(self.path).path, code)

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    # -- plumbing --------------------------------------------------------------------------
    def _read_body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if not length:
            return b""
        try:
            n = int(length)
        except ValueError:
            return b""
        return self.rfile.read(n) if n > 0 else b""

    def _send(self, status: int, body: bytes, content_type: str = "application/json",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _send_json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(data).encode("utf-8"), headers=headers)

    def _send_error(self, err: ServiceError) -> None:
        self._send_json(err.status, err.body(), err.headers())

    def _drop(self) -> None:
        """Close the connection abruptly (RST), without an answer."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def _dispatch(self) -> None:
        emu = self.server.emulator
        parts = urlsplit(self.path)
        path = parts.path.rstrip("/") or "/"
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        raw = self._read_body()
        if path == "/":
            service = self._aws_service(query, raw)
            if service is not None:
                self._aws(emu, service, query, raw)
                return
        if path.startswith("/_emulator") or path in ("/device", "/", "/authorize"):
            self._local(emu, path, query, raw)
            return
        route = ROUTES.get((self.command, path))
        if route is None:
            self._send_json(404, {"message": f"No route for {self.command} {path}"},
                            {"x-amzn-ErrorType": "UnknownOperationException"})
            return
        api, service = route
        try:
            emu._before_call(api, service)
            result = self._call(emu, api, service, query, raw)
        except _Drop:
            self._drop()
            return
        except ServiceError as err:
            self._send_error(err)
            return
        except Exception:  # a bug in the emulator: answer like AWS, log without payloads
            log.exception("emulator: internal error in %s", api)
            ns = "oidc" if service == "oidc" else "portal"
            self._send_error(ServiceError(ns, "InternalServerException", "Internal error"))
            return
        self._send_json(200, result)

    def _form(self, raw: bytes) -> dict[str, str]:
        if "x-www-form-urlencoded" not in (self.headers.get("Content-Type") or "").lower():
            return {}
        text = raw.decode("utf-8", "replace")
        return {k: v[-1] for k, v in parse_qs(text, keep_blank_values=True).items()}

    def _aws_service(self, query: dict[str, str], raw: bytes) -> str | None:
        """``/`` is shared: STS (query protocol: ``Action`` in the form body or the query
        string), S3 (a ``GET`` carrying SigV4), or else the index page for people."""
        if "Action" in query or (self.command == "POST" and "Action" in self._form(raw)):
            return "sts"
        if self.command == "GET" and ("Authorization" in self.headers
                                      or "X-Amz-Credential" in query):
            return "s3"
        return None

    def _aws(self, emu: Emulator, service: str, query: dict[str, str], raw: bytes) -> None:
        """STS GetCallerIdentity or S3 ListBuckets, answered in XML."""
        request_id = aws.new_request_id(service)
        xml_type = "text/xml" if service == "sts" else "application/xml"
        extra = ({"x-amz-request-id": request_id, "x-amz-id-2": aws.host_id(request_id)}
                 if service == "s3" else {})
        try:
            api = "ListBuckets"
            if service == "sts":
                params = {**query, **self._form(raw)}
                api = params.get("Action", "")
                if api != "GetCallerIdentity":
                    raise aws.AwsError("sts", "InvalidAction", f"Could not find operation "
                                       f"{api[:60]} for version {params.get('Version', '')[:20]}")
            emu._before_call(api, service)
            headers = {k.lower(): v for k, v in self.headers.items()}
            try:
                scope = aws.request_scope(headers, query)
            except ValueError as exc:
                code = "IncompleteSignature" if service == "sts" else \
                    "AuthorizationHeaderMalformed"
                raise aws.AwsError(service, code, str(exc)) from None
            if scope is not None and scope.service != service:
                raise aws.AwsError(service, "SignatureDoesNotMatch", f"Credential should be "
                                   f"scoped to correct service: '{service}'.")
            token = headers.get("x-amz-security-token") or query.get("X-Amz-Security-Token")
            cred = emu.role_credential(service, scope, token)
            if service == "sts":
                body = aws.caller_identity_xml(cred, request_id)
            else:
                body = aws.list_buckets_xml(cred, emu.buckets(cred))
        except aws.AwsError as err:
            self._send(err.status, err.xml(request_id), xml_type, extra)
            return
        except Exception:  # a bug in the emulator: answer like AWS, log without payloads
            log.exception("emulator: internal error in %s", service)
            err = aws.AwsError(service, "InternalFailure" if service == "sts"
                               else "InternalError", "Internal error")
            self._send(err.status, err.xml(request_id), xml_type, extra)
            return
        self._send(200, body, xml_type, extra)

    def _local(self, emu: Emulator, path: str, query: dict[str, str], raw: bytes) -> None:
        """The emulator's own pages: control API, approval page, index."""
        from ssogen.emulator.control import handle_control
        from ssogen.emulator.page import handle_authorize, handle_index, handle_page

        try:
            if path.startswith("/_emulator"):
                status, data = handle_control(emu, self.command, path, query, raw)
                self._send_json(status, data)
                return
            if path == "/authorize":
                status, html, location = handle_authorize(emu, self.command, query, raw)
                if location:
                    self._send(status, html.encode("utf-8"), "text/html; charset=utf-8",
                               {"Location": location})
                    return
            elif path == "/device":
                status, html = handle_page(emu, self.command, query, raw)
            else:
                status, html = handle_index(emu, self.command)
        except OSError:
            raise
        except Exception:
            log.exception("emulator: internal error in %s", path)
            self._send_json(500, {"message": "internal error"})
            return
        self._send(status, html.encode("utf-8"), "text/html; charset=utf-8")

    def _call(self, emu: Emulator, api: str, service: str, query: dict[str, str],
              raw: bytes) -> dict[str, Any]:
        if service == "oidc":
            try:
                body = json.loads(raw.decode("utf-8")) if raw.strip() else {}
            except (ValueError, UnicodeDecodeError):
                raise _oidc("InvalidRequestException", "Request body is not valid JSON") from None
            if not isinstance(body, dict):
                raise _oidc("InvalidRequestException", "Request body must be a JSON object")
            if api == "RegisterClient":
                return emu.register_client(body)
            if api == "StartDeviceAuthorization":
                return emu.start_device_authorization(body)
            return emu.create_token(body)
        token = self.headers.get("x-amz-sso_bearer_token")
        if api == "ListAccounts":
            return emu.list_accounts(token, query)
        if api == "ListAccountRoles":
            return emu.list_account_roles(token, query)
        if api == "GetRoleCredentials":
            return emu.get_role_credentials(token, query)
        return emu.logout(token)
