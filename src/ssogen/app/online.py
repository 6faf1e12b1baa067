"""The online part shared by ``setup``, ``sync``, ``list`` and ``login``: a usable token for a
session, then every account and role behind it.

The login is :mod:`ssogen.aws.login` (cached token → refresh → device code or PKCE, the flow
chosen by :mod:`ssogen.app.login`) and discovery :mod:`ssogen.aws.discovery`; both use
clients built from the run's config snapshot, created the normal way, so
``AWS_ENDPOINT_URL_SSO`` / ``AWS_ENDPOINT_URL_SSO_OIDC`` apply.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import timedelta

    from ssogen.app.ports import Reporter
    from ssogen.aws.discovery import DiscoveryStats
    from ssogen.model.events import LoginPrompt
    from ssogen.model.inventory import Inventory
    from ssogen.model.session import SsoSession
    from ssogen.store.snapshot import ConfigSnapshot
    from ssogen.store.tokens import Token


def token(session: SsoSession, snapshot: ConfigSnapshot | None, reporter: Reporter, *,
          allow_login: bool = True, force: bool = False, no_browser: bool = False,
          rejected: str | None = None, flow: str | None = None,
          min_validity: timedelta | None = None) -> Token:
    """A usable access token (see :func:`ssogen.aws.login.obtain_token`). ``flow``:
    ``"pkce"`` or ``"device-code"`` (None: what the command line asked for, else the
    machine's default -- :func:`ssogen.app.login.choose`). When a login has to start, why is
    said first (``the login for session acme expired at 14:02``): a browser page should never
    open without a reason."""
    from ssogen.app.login import choose, pkce_timeout
    from ssogen.aws.login import MIN_TOKEN_VALIDITY, obtain_token
    from ssogen.model.events import PKCE

    choice = choose(flow=flow, legacy=session.legacy, no_browser=no_browser)
    wait = pkce_timeout() if allow_login and choice.flow == PKCE else 0.0
    why = login_reason(session, force=force, rejected=rejected)

    def prompt(p: LoginPrompt) -> None:
        reporter.info(f"ssogen: {why}")
        reporter.login_prompt(p)

    return obtain_token(session, prompt=prompt, allow_login=allow_login,
                        force=force, no_browser=no_browser, rejected=rejected,
                        model=snapshot.model if snapshot is not None else None,
                        flow=choice, min_validity=min_validity or MIN_TOKEN_VALIDITY,
                        pkce_timeout=wait)


def login_reason(session: SsoSession, *, force: bool = False, rejected: str | None = None,
                 ) -> str:
    """Why a login would start now, from the token cache as it is before the run (read
    once, nothing secret in the text)."""
    from ssogen.aws.login import MIN_TOKEN_VALIDITY
    from ssogen.model.clock import shown
    from ssogen.store.tokens import load_token, utcnow

    label = session.label
    if force:
        return f"logging in to {label} again (--force)"
    cached = load_token(session)
    if cached is None:
        return f"no login cached for {label}: logging in"
    if rejected is not None and cached.access_token == rejected:
        return f"the service refused the cached login for {label}: logging in again"
    expires = cached.expires_at
    refresh = " and could not be refreshed" if cached.refresh_token else ""
    if expires <= utcnow():
        return f"the login for {label} expired at {shown(expires)}{refresh}: logging in again"
    if expires - utcnow() < MIN_TOKEN_VALIDITY:
        return (f"the login for {label} expires at {shown(expires)}, too soon for this run"
                f"{refresh}: logging in again")
    return f"logging in to {label}"


def login_and_discover(session: SsoSession, snapshot: ConfigSnapshot | None,
                       reporter: Reporter, *, allow_login: bool = True,
                       no_browser: bool = False, stats: DiscoveryStats | None = None,
                       say_found: bool = True, flow: str | None = None) -> Inventory:
    """A usable token (a login only when the cache cannot be used or refreshed), then every
    account and role. NotLoggedInError (4) when a login is needed and not allowed.
    ``say_found``: report how many accounts and roles were found."""
    from ssogen.aws.discovery import discover

    first = token(session, snapshot, reporter, allow_login=allow_login, no_browser=no_browser,
                  flow=flow)

    def renew(rejected: str) -> str:
        return token(session, snapshot, reporter, allow_login=allow_login,
                     no_browser=no_browser, rejected=rejected, flow=flow).access_token

    progress = reporter.progress("discovering")
    try:
        inventory = discover(session, access_token=first.access_token, token_provider=renew,
                             progress=progress, stats=stats,
                             model=snapshot.model if snapshot is not None else None)
    finally:
        progress.close()
    if say_found:
        accounts = _count(len(inventory.accounts), "account")
        reporter.info(f"ssogen: {session.name}: found {accounts}, "
                      f"{_count(inventory.role_count, 'role')}")
    return inventory


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
