"""The token side of a WSL2 mirror (:mod:`ssogen.app.windows`): every login copied into the
Windows user's token cache. A run arms the sessions that remember a folder
(:func:`arm_remembered`), and :func:`ssogen.store.mirror.token_saved` copies each token the
moment it is saved (a login, a refresh); ``setup``, ``sync`` and ``login`` copy the current one
at the end as well (a login made by ``aws sso login``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ssogen.app.windows_target import Target, problem_of
from ssogen.errors import SsogenError
from ssogen.model.windows import is_folder

if TYPE_CHECKING:
    from ssogen.app.ports import Reporter
    from ssogen.model.session import SsoSession
    from ssogen.store.snapshot import ConfigSnapshot


def push(session: SsoSession, target: Target, reporter: Reporter) -> None:
    """Copy the session's login to Windows now, and say what happened (one line)."""
    from ssogen.store.mirror import push_tokens

    pushed = push_tokens(session, target.folder)
    if pushed.problem is not None:
        reporter.warn(f"the login was not copied to Windows: {pushed.problem}")
    elif pushed.kept_newer is not None:
        reporter.info(f"ssogen: {session.label}: the Windows login ({pushed.kept_newer}) is "
                      "newer than this one (refreshed on Windows); kept")
    elif pushed.copied:  # named as the summary names the Windows config: the path here
        reporter.info(f"ssogen: {session.label}: login copied to {target.folder}")


def remembered_targets(snapshot: ConfigSnapshot) -> dict[str, Target]:
    """Session name → its remembered Windows folder."""
    from ssogen.app.generate import managed_settings

    try:
        remembered = managed_settings(snapshot)
    except SsogenError:
        return {}
    return {s.session: Target(Path(s.windows_mirror or "")) for s in remembered
            if is_folder(s.windows_mirror)}


def arm_remembered(snapshot: ConfigSnapshot, reporter: Reporter) -> None:
    """Every token saved from now on for a session that remembers a usable Windows folder is
    copied there at once (problems are said by the flows, not here)."""
    from ssogen.app.sessions import session_by_name
    from ssogen.store.mirror import arm, same_file
    from ssogen.store.tokens import cache_dir

    for name, target in remembered_targets(snapshot).items():
        if problem_of(target) is not None or same_file(cache_dir(), target.folder / "sso"
                                                       / "cache"):
            continue
        try:
            session = session_by_name(snapshot, name)
        except SsogenError:
            continue
        arm(session, target.folder, reporter.warn)


def after_login(snapshot: ConfigSnapshot, session: SsoSession, reporter: Reporter) -> None:
    """``ssogen login``: the session's login copied to Windows when it remembers a folder
    (also a login that was valid already: it may be missing or older there)."""
    target = None if session.legacy else remembered_targets(snapshot).get(session.name)
    if target is None:
        return
    problem = problem_of(target)
    if problem is not None:
        reporter.warn(f"the login was not copied to Windows: {problem}")
        if problem.hint:
            reporter.info(f"  hint: {problem.hint}")
        return
    push(session, target, reporter)
