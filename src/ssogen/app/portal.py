"""The ``login`` and ``list`` flows: one session of the config (named, or the one a profile
uses), a usable token for it, and -- for ``list`` -- every account and role behind it.

On WSL2 a login made here is copied to the Windows side when ssogen mirrors the config there
(:mod:`ssogen.app.windows_tokens`), and a refresh during ``list`` reaches it too.
"""

from __future__ import annotations

from ssogen.records import record

TYPE_CHECKING = False  # no typing import at run time (start-up time, memory)
if TYPE_CHECKING:
    from ssogen.app.ports import Reporter
    from ssogen.aws.discovery import DiscoveryStats
    from ssogen.model.inventory import Inventory
    from ssogen.model.session import SsoSession
    from ssogen.store.tokens import Token


@record(frozen=True)
class SessionRequest:
    """Which session (``session`` by name, else the one ``profile`` uses, else the only one)
    of the config at ``config``, and how a login may go."""

    config: str
    session: str | None = None
    profile: str | None = None
    allow_login: bool = True
    no_browser: bool = False
    force: bool = False  # login: ignore a valid cached token
    flow: str | None = None  # "pkce" / "device-code"; None: the run's choice


@record(frozen=True)
class LoginOutcome:
    session: SsoSession
    token: Token


@record(frozen=True)
class ListOutcome:
    session: SsoSession
    inventory: Inventory
    stats: DiscoveryStats


def log_in(request: SessionRequest, reporter: Reporter) -> LoginOutcome:
    """A usable token for the session (a login only when the cache cannot be used or
    refreshed, or ``force``); said in one line, with how long it is valid."""
    from ssogen.app import online, windows_tokens
    from ssogen.app.sessions import resolve_session
    from ssogen.model.clock import shown
    from ssogen.store.snapshot import ConfigSnapshot

    snapshot = ConfigSnapshot.read(request.config)
    session = resolve_session(snapshot, session=request.session, profile=request.profile)
    token = online.token(session, snapshot, reporter, force=request.force,
                         no_browser=request.no_browser, flow=request.flow)
    until = shown(token.expires_at)
    if token.source == "cache":
        reporter.info(f"Already logged in to {session.start_url} (token valid until {until}); "
                      "use --force to log in again")
    else:
        reporter.info(f"Logged in to {session.start_url} (token valid until {until})")
    windows_tokens.after_login(snapshot, session, reporter)  # WSL2: the Windows copy
    return LoginOutcome(session, token)


def list_accounts(request: SessionRequest, reporter: Reporter) -> ListOutcome:
    """Every account and role the session reaches (logging in first when needed and
    allowed; NotLoggedInError, exit 4, when not allowed)."""
    from ssogen.app import online, windows_tokens
    from ssogen.app.sessions import resolve_session
    from ssogen.aws.discovery import DiscoveryStats
    from ssogen.store.snapshot import ConfigSnapshot

    snapshot = ConfigSnapshot.read(request.config)
    session = resolve_session(snapshot, session=request.session, profile=request.profile)
    windows_tokens.arm_remembered(snapshot, reporter)  # WSL2: a refresh reaches Windows
    stats = DiscoveryStats()
    inventory = online.login_and_discover(session, snapshot, reporter,
                                          allow_login=request.allow_login,
                                          no_browser=request.no_browser, stats=stats,
                                          say_found=False, flow=request.flow)
    return ListOutcome(session, inventory, stats)
