"""The login API as the tests call it: the functions of ``ssogen.store.tokens``,
``ssogen.aws.login`` and ``ssogen.app.sessions`` under one name, with the two conveniences a
test wants -- sessions looked up by config *path* (a fresh snapshot each time, as each command
run reads one) and the device-code prompt printed by the terminal reporter (as the CLI does).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ssogen.app import sessions as _sessions
from ssogen.aws import login as _login
from ssogen.errors import NotLoggedInError  # noqa: F401  (tests name it through here)
from ssogen.model.session import SsoSession
from ssogen.store.snapshot import ConfigSnapshot
from ssogen.store.tokens import (  # noqa: F401
    Token,
    cache_dir,
    format_time,
    load_registration,
    load_token,
    parse_time,
    registration_path,
    save_token,
    token_path,
)
from ssogen.ui.reporter import TerminalReporter


def session_by_name(config: str | Path, name: str) -> SsoSession:
    return _sessions.session_by_name(ConfigSnapshot.read(config), name)


def session_for_profile(config: str | Path, profile: str) -> SsoSession:
    return _sessions.session_for_profile(ConfigSnapshot.read(config), profile)


def resolve_session(config: str | Path, **kwargs: Any) -> SsoSession:
    return _sessions.resolve_session(ConfigSnapshot.read(config), **kwargs)


def obtain_token(session: SsoSession, **kwargs: Any) -> Token:
    kwargs.setdefault("prompt", TerminalReporter().login_prompt)
    return _login.obtain_token(session, **kwargs)


def get_access_token(session: SsoSession, **kwargs: Any) -> str:
    return obtain_token(session, **kwargs).access_token
