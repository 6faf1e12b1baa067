"""Role credentials for ``export-credentials``, fast enough for ``credential_process`` (which
every SDK runs at start-up).

Fast path, for an IAM Identity Center profile: the config snapshot (one read, one scan), the
profile's session (:func:`ssogen.app.sessions.session_for_profile`), the AWS CLI's role
credential cache (:mod:`ssogen.store.role_credentials`) -- and, when that holds credentials
with more than 15 minutes left, nothing else: no network, no botocore, no boto3.

Otherwise: the session's token is refreshed if it has less than :data:`TOKEN_WINDOW` left,
under the session's lock (so parallel runs refresh once, and botocore, whose own refresh
takes no lock, finds nothing to refresh), then botocore resolves the credentials
(:func:`ssogen.aws.credentials.resolve`) and SSO credentials are cached where the AWS CLI
caches them. Profiles of other kinds (static keys, assume-role, credential_process) go to
botocore directly and are never cached here.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from ssogen.errors import SsogenError
from ssogen.records import record

if TYPE_CHECKING:
    from collections.abc import Callable

    from ssogen.aws.credentials import RoleCredentials
    from ssogen.model.events import LoginPrompt
    from ssogen.model.session import SsoSession
    from ssogen.store.snapshot import ConfigSnapshot

#: refresh the token first when less than this is left: more than botocore's 15-minute
#: refresh window, so that botocore never refreshes it itself, unlocked
TOKEN_WINDOW = timedelta(minutes=16)
#: profile keys that make botocore use another provider before the SSO one
_BEFORE_SSO = ("role_arn", "web_identity_token_file")


@record(frozen=True)
class ExportRequest:
    """``export-credentials``: the credentials of ``profile`` in the config at ``config``."""

    profile: str
    config: str  # the path as given


@record(frozen=True)
class SsoProfile:
    session: SsoSession
    account_id: str
    role_name: str


def sso_profile(snapshot: ConfigSnapshot, profile: str) -> SsoProfile | None:
    """The session, account and role whose credentials botocore would fetch for ``profile``
    through IAM Identity Center; None for any other kind of profile (or a broken one:
    botocore then says what is wrong with it)."""
    from ssogen.app.sessions import session_for_profile

    if snapshot.raw is None:
        return None
    sections = {s.name: s.options for s in snapshot.model.of_kind("profile") if s.name}
    options = sections.get(profile)
    if options is None or any(options.get(k) for k in _BEFORE_SSO):
        return None
    account, role = options.get("sso_account_id", "").strip(), options.get(
        "sso_role_name", "").strip()
    if not account or not role:
        return None
    try:
        session = session_for_profile(snapshot, profile)
    except SsogenError:
        return None
    return SsoProfile(session, account, role)


def cached(target: SsoProfile) -> RoleCredentials | None:
    """Credentials the AWS CLI's cache holds for this profile, with more than 15 min left."""
    from ssogen.aws.credentials import RoleCredentials
    from ssogen.store import role_credentials

    entry = role_credentials.load(role_credentials.entry_path(
        target.session, target.account_id, target.role_name))
    if entry is None:
        return None
    return RoleCredentials(entry.access_key_id, entry.secret_access_key, entry.session_token,
                           entry.expiration, "cache")


def _never_prompt(prompt: LoginPrompt) -> None:  # pragma: no cover (allow_login=False)
    raise AssertionError("export-credentials never logs in")


def _refresh_token(target: SsoProfile, snapshot: ConfigSnapshot) -> None:
    """Refresh the session's token now if botocore would (locked); say nothing when it
    cannot be -- botocore then reports the missing login in its words."""
    import contextlib

    from ssogen.aws.login import obtain_token
    from ssogen.errors import NotLoggedInError

    with contextlib.suppress(NotLoggedInError):
        obtain_token(target.session, prompt=_never_prompt, allow_login=False,
                     model=snapshot.model, min_validity=TOKEN_WINDOW)


def export(request: ExportRequest, warn: Callable[[str], None]) -> RoleCredentials:
    """Role credentials for the request's profile of its config file (see the module). A
    cache that cannot be written is said (``warn``, one line), not fatal: the credentials are
    good. (A callable rather than a Reporter: nothing else is ever said here, and the fast
    path imports no more than it needs.)"""
    from ssogen.store.snapshot import ConfigSnapshot

    profile, config = request.profile, request.config
    snapshot = ConfigSnapshot.read(config)
    target = sso_profile(snapshot, profile)
    if target is not None:
        hit = cached(target)
        if hit is not None:
            _remember(snapshot, profile, target)
            return hit
        _refresh_token(target, snapshot)
    from ssogen.aws.credentials import resolve

    creds = resolve(profile, config, snapshot.model)
    if (target is not None and creds.method == "sso" and creds.session_token
            and creds.expiration is not None):
        from ssogen.store import role_credentials

        try:
            role_credentials.save(
                role_credentials.entry_path(target.session, target.account_id,
                                            target.role_name),
                role_credentials.CachedCredentials(creds.access_key_id,
                                                   creds.secret_access_key,
                                                   creds.session_token, creds.expiration),
                target.account_id)
        except SsogenError as exc:
            warn(f"{exc.message} (the credentials are not cached)")
        else:
            _remember(snapshot, profile, target)
    return creds


def _remember(snapshot: ConfigSnapshot, profile: str, target: SsoProfile) -> None:
    """Tell the quick path (:mod:`ssogen.app.quick_export`) which cache entry answers
    ``profile`` for these exact bytes of the config. An index that cannot be written only
    costs the next call its speed: said at info level."""
    from ssogen import logs
    from ssogen.store import export_index, role_credentials

    if snapshot.raw is None:
        return
    entry = role_credentials.entry_path(target.session, target.account_id, target.role_name)
    try:
        export_index.remember(str(entry.parent), export_index.config_key(snapshot.path),
                              snapshot.raw, profile, entry.name)
    except Exception as exc:  # the credentials are good: an index only saves the next call time
        logs.info(__name__, "the export index is not written (%s)",
                  exc.message if isinstance(exc, SsogenError) else type(exc).__name__)
