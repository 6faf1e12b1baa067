"""The OAuth flows of IAM Identity Center's ``sso-oidc`` service, as the AWS CLI v2 runs them:
client registration (cached, see :mod:`ssogen.store.tokens`), the device-code flow and the
refresh of a cached token (the authorization-code flow with PKCE is :mod:`ssogen.aws.pkce`).

Device code (RFC 8628): StartDeviceAuthorization; one CreateToken attempt at once (a
pre-authorised client needs no person), then the prompt -- handed to a callback, never printed
here -- then polling at ``interval``, +5 s on ``slow_down``, until ``expiresIn``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from ssogen.errors import ApiError, LoginError
from ssogen.model.events import LoginPrompt
from ssogen.model.session import SsoSession
from ssogen.store.tokens import (
    CachedToken,
    Registration,
    Token,
    load_registration,
    save_registration,
    save_token,
    utcnow,
)

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 5
SLOW_DOWN_DELAY = 5
DEFAULT_DEVICE_EXPIRY = 600
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def oidc_client(session: SsoSession, model: Any = None) -> Any:
    """An unsigned ``sso-oidc`` client in the session's region (endpoint overrides apply)."""
    from ssogen.aws.clients import client

    return client("sso-oidc", model, region=session.sso_region,
                  retries={"mode": "standard", "max_attempts": 3}, connect_timeout=10,
                  read_timeout=30)


def error_code(exc: Exception) -> str:
    """The service's error code of a botocore ClientError ("" for anything else)."""
    try:
        return str(getattr(exc, "response")["Error"]["Code"])  # noqa: B009 (a ClientError)
    except (AttributeError, KeyError, TypeError):
        return ""


def network_error(exc: Exception, client: Any, what: str = "login endpoint") -> ApiError:
    """A one-line ApiError (exit 5) naming the endpoint that could not be reached, and the
    variable that points ssogen (and the AWS CLI) at another one."""
    try:
        endpoint = client.meta.endpoint_url
    except AttributeError:
        endpoint = "sso-oidc"
    variable = "AWS_ENDPOINT_URL_SSO" if what == "portal" else "AWS_ENDPOINT_URL_SSO_OIDC"
    return ApiError(f"cannot reach the IAM Identity Center {what} {endpoint} "
                    f"({type(exc).__name__})", hint=f"check the network (or {variable})")


def register_client(session: SsoSession, client: Any) -> Registration:
    """RegisterClient for the device flow (no grantTypes, as the AWS CLI sends it) and cache
    the registration."""
    client_name = (f"botocore-client-{int(time.time())}" if session.legacy
                   else f"botocore-client-{session.name}")
    return register(session, client, clientName=client_name, clientType="public",
                    scopes=list(session.scopes))


def register(session: SsoSession, client: Any, **request: Any) -> Registration:
    """RegisterClient with ``request`` (the body each flow sends), the registration cached as
    the AWS CLI caches it: its ``grantTypes`` too when the request names them."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        resp = client.register_client(**request)
    except ClientError as exc:
        raise LoginError(f"client registration refused ({error_code(exc) or 'error'})") from None
    except BotoCoreError as exc:
        raise network_error(exc, client) from None
    try:
        expires = datetime.fromtimestamp(int(resp["clientSecretExpiresAt"]), timezone.utc)
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        expires = utcnow() + timedelta(days=90)
    grants = request.get("grantTypes")
    registration = Registration(resp["clientId"], resp["clientSecret"], expires,
                                tuple(session.scopes),
                                tuple(grants) if grants is not None else None)
    save_registration(session, registration)
    return registration


def refresh(session: SsoSession, cached: CachedToken, client: Any) -> Token | None:
    """CreateToken with the refresh token (as botocore does) and cache the new token; None
    when not possible (no refresh token, expired registration) or refused (e.g.
    InvalidGrantException: another process spent the single-use refresh token first)."""
    from botocore.exceptions import BotoCoreError, ClientError

    registration = cached.registration()
    if not cached.refreshable() or registration is None:
        return None
    try:
        resp = client.create_token(grantType="refresh_token", clientId=registration.client_id,
                                   clientSecret=registration.client_secret,
                                   refreshToken=cached.refresh_token)
    except ClientError as exc:
        log.info("token refresh refused (%s)", error_code(exc))
        return None
    except BotoCoreError as exc:
        raise network_error(exc, client) from None
    expires = utcnow() + timedelta(seconds=int(resp.get("expiresIn") or 3600))
    save_token(session, access_token=resp["accessToken"], expires_at=expires,
               registration=registration, refresh_token=resp.get("refreshToken"))
    return Token(resp["accessToken"], expires, "refresh")


class _InvalidClient(Exception):
    """The registration was rejected: :func:`device_login` registers again, once."""


def _start(session: SsoSession, client: Any, registration: Registration) -> dict[str, Any]:
    """StartDeviceAuthorization: the device code, the user code and where to enter it."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        auth: dict[str, Any] = client.start_device_authorization(
            clientId=registration.client_id, clientSecret=registration.client_secret,
            startUrl=session.start_url)
        return auth
    except ClientError as exc:
        code = error_code(exc)
        if code == "InvalidClientException":
            raise _InvalidClient from None
        raise LoginError(f"the login could not start ({code or 'error'})") from None
    except BotoCoreError as exc:
        raise network_error(exc, client) from None


def _timing(auth: dict[str, Any]) -> tuple[int, int]:
    """The polling interval (RFC 8628: 5 s when absent; never a busy loop) and how long the
    code is valid, both in seconds, from the service's answer."""
    try:
        raw_interval = auth.get("interval")
        interval = DEFAULT_INTERVAL if raw_interval is None else max(int(raw_interval), 1)
    except (TypeError, ValueError):
        interval = DEFAULT_INTERVAL
    try:
        expires_in = int(auth.get("expiresIn") or DEFAULT_DEVICE_EXPIRY)
    except (TypeError, ValueError):
        expires_in = DEFAULT_DEVICE_EXPIRY
    return interval, expires_in


class _Poll:
    """CreateToken with the device code, one attempt at a time, at ``interval`` seconds
    (longer after each ``slow_down``)."""

    def __init__(self, client: Any, registration: Registration, auth: dict[str, Any],
                 interval: int) -> None:
        self.client = client
        self.registration = registration
        self.device_code = auth["deviceCode"]
        self.interval = interval

    def attempt(self) -> dict[str, Any] | None:
        """The token response; None while the person has not approved yet."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            resp: dict[str, Any] = self.client.create_token(
                grantType=DEVICE_GRANT, clientId=self.registration.client_id,
                clientSecret=self.registration.client_secret, deviceCode=self.device_code)
            return resp
        except ClientError as exc:
            code = error_code(exc)
            if code == "AuthorizationPendingException":
                return None
            if code == "SlowDownException":
                self.interval += SLOW_DOWN_DELAY
                log.info("slow_down: polling every %d s now", self.interval)
                return None
            if code == "ExpiredTokenException":
                raise LoginError("the login code expired before it was approved; run "
                                 "`ssogen login` again") from None
            if code == "AccessDeniedException":
                raise LoginError("the login was denied in the browser") from None
            if code == "InvalidClientException":
                raise _InvalidClient from None
            raise LoginError(f"the login failed ({code or 'error'})") from None
        except BotoCoreError as exc:
            raise network_error(exc, self.client) from None


def _device_flow_once(session: SsoSession, client: Any, registration: Registration, *,
                      prompt: Callable[[LoginPrompt], None], no_browser: bool,
                      note: str) -> Token:
    """One device-code login with ``registration``: started, tried once, the prompt shown
    when a person must approve, polled until approved or expired; the token cached."""
    auth = _start(session, client, registration)
    interval, expires_in = _timing(auth)
    deadline = time.monotonic() + expires_in
    poll = _Poll(client, registration, auth, interval)

    # One attempt before any prompt: pre-authorised clients need no user action.
    resp = poll.attempt()
    if resp is None:
        prompt(LoginPrompt(session.label, str(auth.get("verificationUri") or ""),
                           str(auth.get("userCode") or ""),
                           str(auth.get("verificationUriComplete") or ""), expires_in,
                           open_browser=not no_browser, note=note))
    while resp is None:
        left = deadline - time.monotonic()
        if left <= 0:
            raise LoginError("the login code expired before it was approved; run "
                             "`ssogen login` again")
        time.sleep(min(poll.interval, left))
        resp = poll.attempt()

    expires = utcnow() + timedelta(seconds=int(resp.get("expiresIn") or 3600))
    save_token(session, access_token=resp["accessToken"], expires_at=expires,
               registration=registration, refresh_token=resp.get("refreshToken"))
    return Token(resp["accessToken"], expires, "login")


def device_login(session: SsoSession, client: Any, *, prompt: Callable[[LoginPrompt], None],
                 no_browser: bool = False, note: str = "") -> Token:
    """The device-code flow; re-registers once when the registration is rejected. ``note``:
    the line saying why this flow was chosen, shown with the prompt."""
    registration = load_registration(session) or register_client(session, client)
    for attempt in range(2):
        try:
            return _device_flow_once(session, client, registration, prompt=prompt,
                                     no_browser=no_browser, note=note)
        except _InvalidClient:
            if attempt:
                break
            log.info("client registration rejected; registering again")
            registration = register_client(session, client)
    raise LoginError("IAM Identity Center rejected the client registration (invalid client)")
