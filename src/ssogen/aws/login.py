"""A usable access token for a session, the way the AWS CLI v2 finds one: the cached token
(also one ``aws sso login`` wrote), else its refresh token, else a new login."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from ssogen.aws.oidc import device_login, oidc_client, refresh
from ssogen.errors import NotLoggedInError
from ssogen.model.events import LoginPrompt
from ssogen.model.session import SsoSession
from ssogen.store.tokens import Token, load_token, utcnow

#: A cached token is reused while at least this much validity is left (discovery takes seconds).
MIN_TOKEN_VALIDITY = timedelta(minutes=5)


def obtain_token(session: SsoSession, *, prompt: Callable[[LoginPrompt], None],
                 allow_login: bool = True, force: bool = False, no_browser: bool = False,
                 rejected: str | None = None, model: Any = None) -> Token:
    """Cache → refresh → device flow. ``rejected`` is a token the service just refused (401):
    it is not reused even if its cached expiry says it is valid. NotLoggedInError (exit 4)
    when a login is needed and not allowed; LoginError (exit 3) on denial, expiry or an
    invalid client; KeyboardInterrupt passes up and leaves the token cache as it was.
    ``model``: the config the sso-oidc client reads (None: botocore reads the file)."""
    cached = None if force else load_token(session)
    now = utcnow()
    client = None
    if cached is not None:
        if (cached["accessToken"] != rejected
                and cached["_expires"] - now >= MIN_TOKEN_VALIDITY):
            return Token(cached["accessToken"], cached["_expires"], "cache")
        client = oidc_client(session, model)
        token = refresh(session, cached, client)
        if token is not None:
            return token
    if not allow_login:
        what = "has expired" if cached is not None else "is missing"
        raise NotLoggedInError(f"the login for {session.label} {what}",
                               hint=f"run `ssogen login {session.login_flag}`")
    return device_login(session, client or oidc_client(session, model), prompt=prompt,
                        no_browser=no_browser)
