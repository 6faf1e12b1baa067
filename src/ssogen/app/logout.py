"""``logout``: end the sign-in session at the portal and remove what the login left on disk.

For one session (``--session`` / ``--profile``, or the file's only ``[sso-session]``):

1. the portal's Logout (``POST /logout`` with the cached access token), which ends the sign-in
   session with every token of it, refresh tokens included. An access token that has
   expired is refreshed first when it can be: its refresh token would otherwise keep the
   session open;
2. the session's token file in ``~/.aws/sso/cache`` -- not another session's, and not the
   client registration (a later login reuses it, as after ``aws sso logout``);
3. the role credentials cached for the session's profiles in ``~/.aws/cli/cache`` (the
   entries of the profiles the config file has: the cache is keyed by a hash, so entries of
   profiles since deleted cannot be told apart -- ``--all`` removes those).

``--all`` does what ``aws sso logout`` does (docs/AWS-NOW.md §c) and a little more: Logout
and removal for every file of ``~/.aws/sso/cache`` holding an ``accessToken``, every client
registration there, and every ``ProviderType: sso`` entry of ``~/.aws/cli/cache``.

Each removal is said in one line (file names and start URLs only, never a secret). Logging
out twice is fine (exit 0). When the portal cannot be reached the files are removed anyway
and the run ends with ApiError (exit 5): the session then stays valid at AWS until it expires.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ssogen.errors import ApiError, SsogenError
from ssogen.records import record

if TYPE_CHECKING:
    from ssogen.app.ports import Reporter
    from ssogen.inifile.model import FileModel
    from ssogen.model.session import SsoSession
    from ssogen.store.snapshot import ConfigSnapshot


@record(frozen=True)
class LogoutRequest:
    config: Path
    session: str | None = None
    profile: str | None = None
    all: bool = False


def show(path: Path) -> str:
    """``path`` with the home folder as ``~`` (shorter, and what the user knows)."""
    home = os.path.expanduser("~")
    text = str(path)
    return "~" + text[len(home):] if home not in ("", "/") and text.startswith(
        home + os.sep) else text


def run(request: LogoutRequest, reporter: Reporter) -> int:
    """Log out as the module says; 0 also when there was nothing to log out of."""
    from ssogen.store.snapshot import ConfigSnapshot

    snapshot = ConfigSnapshot.read(request.config)
    if request.all:
        return _logout_all(snapshot, reporter)
    from ssogen.app.sessions import resolve_session

    session = resolve_session(snapshot, session=request.session, profile=request.profile)
    return _logout_session(session, snapshot, reporter)


class _Portal:
    """The Logout calls of one run; the first failure is kept and raised at the end."""

    def __init__(self, snapshot: ConfigSnapshot, reporter: Reporter) -> None:
        self.model = snapshot.model if snapshot.raw is not None else None
        self.reporter = reporter
        self.failure: ApiError | None = None

    def logout(self, region: str, access_token: str, what: str) -> None:
        from ssogen.aws.login import portal_logout

        try:
            ended = portal_logout(region, access_token, self.model)
        except ApiError as exc:
            self.failure = self.failure or exc
            return
        if ended:
            self.reporter.info(f"ssogen: ended the sign-in session of {what} at the portal")
        else:
            self.reporter.info(f"ssogen: the portal no longer knew the token of {what} "
                               "(expired or logged out already)")

    def finish(self) -> None:
        if self.failure is not None:
            raise ApiError(f"{self.failure.message}; the files were removed, but the sign-in "
                           "session stays valid at AWS until it expires",
                           hint="run `ssogen logout` again when the portal can be reached "
                           "after logging in, or sign out in the access portal")


def _live_token(session: SsoSession, raw: dict[str, Any], model: FileModel | None,
                ) -> str | None:
    """The access token to end the session with: the cached one, or -- when it has expired --
    a refreshed one (None when neither exists)."""
    from ssogen.store.tokens import load_token, parse_time, utcnow

    token = raw.get("accessToken")
    if not isinstance(token, str) or not token:
        return None
    expires = parse_time(raw.get("expiresAt"))
    if expires is not None and expires > utcnow():
        return token
    entry = load_token(session)
    if entry is None:
        return token
    try:
        from ssogen.aws.oidc import oidc_client, refresh

        fresh = refresh(session, entry, oidc_client(session, model))
    except SsogenError:
        fresh = None
    return fresh.access_token if fresh is not None else token


def _logout_session(session: SsoSession, snapshot: ConfigSnapshot,
                    reporter: Reporter) -> int:
    from ssogen.store import export_index, role_credentials
    from ssogen.store.cachefile import read_json
    from ssogen.store.tokens import remove_token, token_lock, token_path

    portal = _Portal(snapshot, reporter)
    said = False
    with token_lock(session):
        raw = read_json(token_path(session))
        if raw is not None:
            token = _live_token(session, raw, portal.model)
            if token is not None:
                region = raw.get("region") if isinstance(raw.get("region"), str) else None
                portal.logout(region or session.sso_region, token, session.label)
        removed = remove_token(session)
        if removed is not None:
            reporter.info(f"ssogen: removed the token of {session.label} ({show(removed)})")
            said = True
    said = _forget_windows_copy(snapshot, session, reporter) or said
    export_index.forget(str(role_credentials.cache_dir()))
    for profile, account, role in _profiles_of(snapshot, session):
        path = role_credentials.entry_path(session, account, role)
        if role_credentials.remove_entry(path):
            reporter.info(f"ssogen: removed the cached role credentials of profile {profile} "
                          f"({show(path)})")
            said = True
    if not said:
        reporter.info(f"ssogen: {session.label}: already logged out (no cached token or "
                      "role credentials)")
    portal.finish()
    return 0


def _forget_windows_copy(snapshot: ConfigSnapshot, session: SsoSession,
                        reporter: Reporter) -> bool:
    """WSL2: the copy of the session's token in its remembered Windows folder removed too."""
    from ssogen.app.windows_tokens import remembered_targets
    from ssogen.store.mirror import remove_token

    target = None if session.legacy else remembered_targets(snapshot).get(session.name)
    try:
        removed = remove_token(session, target.folder) if target is not None else None
    except OSError as exc:
        reporter.warn(f"the Windows copy of the token of {session.label} could not be removed: "
                      f"{exc.filename}: {exc.strerror}; Windows tools will find it revoked")
        return False
    if removed is not None:
        reporter.info(f"ssogen: removed the Windows copy of the token of {session.label} "
                      f"({removed})")
    return removed is not None


def _profiles_of(snapshot: ConfigSnapshot, session: SsoSession,
                 ) -> list[tuple[str, str, str]]:
    """(profile, account id, role) of every profile that logs in through ``session``."""
    from ssogen.app.sessions import session_for_profile

    out = []
    for s in snapshot.model.of_kind("profile"):
        account = s.options.get("sso_account_id", "").strip()
        role = s.options.get("sso_role_name", "").strip()
        if not (s.name and account and role):
            continue
        try:
            uses = session_for_profile(snapshot, s.name)
        except SsogenError:
            continue
        if (uses.legacy, uses.name, uses.start_url) == (session.legacy, session.name,
                                                         session.start_url):
            out.append((s.name, account, role))
    return out


def _logout_all(snapshot: ConfigSnapshot, reporter: Reporter) -> int:
    from ssogen.store import export_index, role_credentials
    from ssogen.store.cachefile import CacheLock, read_json, remove
    from ssogen.store.tokens import cache_entries, is_registration_entry, is_token_entry

    portal = _Portal(snapshot, reporter)
    said = False
    for path, data in cache_entries():
        if is_token_entry(data):
            with CacheLock(path, folder="token cache"):
                data = read_json(path) or data
                url = data.get("startUrl")
                what = f"{url}" if isinstance(url, str) and url else path.name
                token, region = data.get("accessToken"), data.get("region")
                if isinstance(token, str) and token and isinstance(region, str) and region:
                    portal.logout(region, token, what)
                if remove(path):
                    reporter.info(f"ssogen: removed the token for {what} ({show(path)})")
                    said = True
        elif is_registration_entry(data) and remove(path):
            reporter.info(f"ssogen: removed the client registration {show(path)}")
            said = True
    from ssogen.app.sessions import usable_sessions

    for session in usable_sessions(snapshot):
        said = _forget_windows_copy(snapshot, session, reporter) or said
    export_index.forget(str(role_credentials.cache_dir()))
    for path in role_credentials.sso_entries():
        if role_credentials.remove_entry(path):
            reporter.info(f"ssogen: removed cached role credentials ({show(path)})")
            said = True
    if not said:
        reporter.info("ssogen: already logged out (no cached token, registration or role "
                      "credentials)")
    portal.finish()
    return 0
