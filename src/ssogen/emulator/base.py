"""What every emulated service shares: the request and response the HTTP handler passes them,
the rest-json error answer of ``sso-oidc`` and the ``sso`` portal (:class:`ServiceError`), and
:class:`Host`, the few things a service needs from the emulator that composes it (one lock,
one clock, the secrets registry, the knobs).

Services never see the socket: the handler (``ssogen.emulator.handler``) turns HTTP into a
:class:`Request` and a :class:`Response` back into HTTP, so each service is plain Python that
tests can also call directly.
"""

from __future__ import annotations

import json
import threading
from typing import Any, Protocol
from urllib.parse import parse_qs

from ssogen.emulator.org import Organization
from ssogen.records import field, record

OIDC_NAMESPACE = "http://internal.amazon.com/coral/com.amazonaws.sso.oidc/"
PORTAL_NAMESPACE = "http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/"

#: OAuth error codes of the sso-oidc exception shapes (body member ``error``).
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


class ServiceError(Exception):
    """An error answer of ``sso-oidc`` (service ``"oidc"``) or the ``sso`` portal (any other
    service name), in their rest-json wire format: botocore picks the modelled exception class
    from the ``x-amzn-ErrorType`` header (botocore's rest-json error parsing)."""

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


def oidc_error(name: str, message: str) -> ServiceError:
    return ServiceError("oidc", name, message)


def portal_error(name: str, message: str) -> ServiceError:
    return ServiceError("portal", name, message)


class Drop(Exception):
    """Injected fault: the handler closes the connection without answering."""


@record(frozen=True)
class Request:
    """One HTTP request as a service sees it: header names lower-cased, the query string and
    (for ``application/x-www-form-urlencoded`` bodies) the form parsed, last value winning."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes = b""

    @property
    def form(self) -> dict[str, str]:
        if "x-www-form-urlencoded" not in self.headers.get("content-type", "").lower():
            return {}
        return parse_form(self.body)


def parse_form(raw: bytes) -> dict[str, str]:
    """A urlencoded body as a dict (last value wins; undecodable bytes replaced)."""
    text = raw.decode("utf-8", "replace")
    return {k: v[-1] for k, v in parse_qs(text, keep_blank_values=True).items()}


@record
class Response:
    """What the handler sends back: status, body, content type and extra headers."""

    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, data: Any, headers: dict[str, str] | None = None) -> Response:
        return cls(status, json.dumps(data).encode("utf-8"), "application/json",
                   dict(headers or {}))

    @classmethod
    def html(cls, status: int, page: str, headers: dict[str, str] | None = None) -> Response:
        return cls(status, page.encode("utf-8"), "text/html; charset=utf-8",
                   dict(headers or {}))

    @classmethod
    def text(cls, status: int, message: str) -> Response:
        return cls(status, message.encode("utf-8"), "text/plain; charset=utf-8")


class Host(Protocol):
    """What a service reads from the emulator composing it. The knobs are plain attributes
    there (tests and the control API change them while it runs), so services read them on
    every call instead of copying them."""

    lock: threading.RLock
    org: Organization
    latency_ms: float
    rate_limit: float | None
    fault_rate: float
    fault_kinds: tuple[str, ...]
    auto_approve_after: int | None
    token_ttl: int
    expires_in: int
    interval: int
    credential_ttl: int
    session_ttl: int
    user_name: str

    @property
    def url(self) -> str: ...

    @property
    def verification_style(self) -> str: ...

    def now(self) -> float: ...

    def issue(self, value: str) -> str: ...

    def before_call(self, api: str, service: str) -> None: ...
