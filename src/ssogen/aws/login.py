"""A usable access token for a session, the way the AWS CLI v2 finds one: the cached token
(also one ``aws sso login`` wrote), else its refresh token, else a new login -- with the
device code or the authorization code with PKCE -- and the portal's Logout.

Refresh tokens are single use: of two processes refreshing one token at once, one would get
``InvalidGrantException`` and fail. So a refresh takes the session's lock
(:func:`ssogen.store.tokens.token_lock`), reads the cache again once it holds it (another
process may have refreshed meanwhile) and, when the refresh is refused, reads it once more
before giving up (botocore and the AWS CLI refresh without our lock).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from ssogen.aws.oidc import device_login, error_code, network_error, oidc_client, refresh
from ssogen.aws.pkce import DEFAULT_TIMEOUT, pkce_login, register_pkce_client
from ssogen.errors import ConfigFileError, NotLoggedInError, UsageError
from ssogen.model.events import DEVICE_CODE, PKCE, LoginPrompt
from ssogen.model.login_flow import FlowChoice
from ssogen.model.session import SsoSession
from ssogen.store.cachefile import unwritable_folder
from ssogen.store.tokens import (
    CachedToken,
    Token,
    cache_dir,
    load_registration,
    load_token,
    token_lock,
    utcnow,
)

log = logging.getLogger(__name__)

#: A cached token is reused while at least this much validity is left (discovery takes seconds).
MIN_TOKEN_VALIDITY = timedelta(minutes=5)
#: after a refused refresh, how long to look for the token another tool may be writing
_REREAD_DELAYS = (0.0, 0.3, 0.7)


def _usable(entry: CachedToken | None, rejected: str | None,
            min_validity: timedelta) -> bool:
    return (entry is not None and entry.access_token != rejected
            and entry.expires_at - utcnow() >= min_validity)


def refresh_locked(session: SsoSession, client: Any, *, rejected: str | None = None,
                   min_validity: timedelta = MIN_TOKEN_VALIDITY) -> Token | None:
    """Refresh the cached token under the session's lock; the token another process cached
    meanwhile when there is one; None when no usable token can be had without a login."""
    with token_lock(session):
        current = load_token(session)
        if current is None:
            return None  # gone meanwhile (a logout): nothing to refresh
        if _usable(current, rejected, min_validity):
            log.info("another process refreshed the token meanwhile; using it")
            return Token(current.access_token, current.expires_at, "cache")
        token = refresh(session, current, client)
        if token is not None:
            return token
        for delay in _REREAD_DELAYS:  # refused: did another tool spend it and cache a new one?
            time.sleep(delay)
            again = load_token(session)
            if (again is not None and again.access_token != current.access_token
                    and _usable(again, rejected, min_validity)):
                log.info("the token was refreshed by another program; using it")
                return Token(again.access_token, again.expires_at, "cache")
    return None


def obtain_token(session: SsoSession, *, prompt: Callable[[LoginPrompt], None],
                 allow_login: bool = True, force: bool = False, no_browser: bool = False,
                 rejected: str | None = None, model: Any = None,
                 flow: FlowChoice | None = None,
                 min_validity: timedelta = MIN_TOKEN_VALIDITY,
                 pkce_timeout: float = DEFAULT_TIMEOUT) -> Token:
    """Cache → refresh → login. ``rejected`` is a token the service just refused (401):
    it is not reused even if its cached expiry says it is valid. ``min_validity``: how much
    validity a cached token must have left to be used as it is. ``flow``: how to log in
    (None: the device code, no note). NotLoggedInError (exit 4) when a login is needed and
    not allowed; LoginError (exit 3) on denial, expiry, timeout or an invalid client;
    KeyboardInterrupt passes up and leaves the token cache as it was. ``model``: the config
    the sso-oidc client reads (None: botocore reads the file)."""
    cached = None if force else load_token(session)
    client = None
    if cached is not None:
        if _usable(cached, rejected, min_validity):
            return Token(cached.access_token, cached.expires_at, "cache")
        client = oidc_client(session, model)
        token = refresh_locked(session, client, rejected=rejected, min_validity=min_validity)
        if token is not None:
            return token
    if not allow_login:
        what = "has expired" if cached is not None else "is missing"
        raise NotLoggedInError(f"the login for {session.label} {what}",
                               hint=f"run `ssogen login {session.login_flag}`")
    blocker = unwritable_folder(cache_dir(), "login")  # said before the user approves it
    if blocker is not None:
        raise ConfigFileError(f"{blocker.message}; not logging in", hint=blocker.hint)
    choice = flow or FlowChoice(DEVICE_CODE, "", explicit=True)
    client = client or oidc_client(session, model)
    if choice.flow == PKCE:
        if session.legacy:
            raise UsageError(
                f"--use-pkce needs an [sso-session]; profile {session.name} carries its own "
                "sso_start_url (the AWS CLI logs those in with a device code too)",
                hint="`ssogen sync --migrate-legacy` moves such profiles to an "
                "[sso-session]; or leave out --use-pkce")
        registration = (load_registration(session, flow=PKCE)
                        or register_pkce_client(session, client))
        return pkce_login(session, client, registration, prompt=prompt,
                          no_browser=no_browser, note=choice.note, timeout=pkce_timeout)
    return device_login(session, client, prompt=prompt, no_browser=no_browser,
                        note=choice.note)


def portal_logout(region: str, access_token: str, model: Any = None) -> bool:
    """The portal's Logout (``POST /logout`` with the token): True when the portal ended the
    sign-in session, False when it no longer knew the token (expired, or logged out already).
    ApiError (exit 5) when the portal cannot be reached or fails."""
    from botocore.exceptions import BotoCoreError, ClientError

    from ssogen.aws.clients import client as make_client
    from ssogen.errors import ApiError

    sso = make_client("sso", model, region=region,
                      retries={"mode": "standard", "max_attempts": 3}, connect_timeout=10,
                      read_timeout=30)
    try:
        sso.logout(accessToken=access_token)
    except ClientError as exc:
        code = error_code(exc)
        if code in ("UnauthorizedException", "InvalidRequestException"):
            return False
        raise ApiError(f"the portal's Logout failed ({code or 'error'})") from None
    except BotoCoreError as exc:
        raise network_error(exc, sso, "portal") from None
    return True
