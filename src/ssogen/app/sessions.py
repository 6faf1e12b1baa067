"""Which IAM Identity Center a command works with, read from the config snapshot: the
``[sso-session]`` sections, the legacy profiles that carry their own start URL, and the
session a profile logs in through -- by botocore's rules (``[default]`` and
``[profile NAME]`` routing, the last of two same-named sections wins)."""

from __future__ import annotations

from collections.abc import Mapping

from ssogen.errors import ConfigFileError, SsogenError, UsageError
from ssogen.model.session import SsoSession
from ssogen.model.validate import DEFAULT_SCOPES
from ssogen.records import field, record
from ssogen.store.snapshot import ConfigSnapshot


@record
class ExistingSession:
    name: str
    start_url: str
    sso_region: str
    scopes: list[str] = field(default_factory=list)
    managed: bool = False
    line: int = 0


@record(frozen=True)
class Known:
    """An SSO identity the config already has: an ``[sso-session]`` or a legacy profile."""

    name: str  # session name, or the legacy profile's name
    start_url: str
    sso_region: str
    legacy: bool = False
    managed: bool = False  # ssogen already generates this session
    profiles: tuple[str, ...] = ()  # legacy: every profile carrying this start URL


def existing_sessions(snapshot: ConfigSnapshot) -> list[ExistingSession]:
    """The ``[sso-session]`` sections of the file, in file order."""
    out = []
    for s in snapshot.model.of_kind("sso-session"):
        scopes = [x.strip() for x in s.options.get("sso_registration_scopes", "").split(",")
                  if x.strip()]
        out.append(ExistingSession(s.name or "", s.options.get("sso_start_url", ""),
                                   s.options.get("sso_region", ""), scopes, s.managed, s.line))
    return out


def known_identities(snapshot: ConfigSnapshot) -> list[Known]:
    """``[sso-session]`` sections, then legacy profiles carrying ``sso_start_url`` (grouped by
    start URL and region), for the wizard to offer."""
    out = [Known(s.name, s.start_url, s.sso_region, managed=s.managed)
           for s in existing_sessions(snapshot) if s.name and s.start_url and s.sso_region]
    legacy: dict[tuple[str, str], list[str]] = {}
    for s in snapshot.model.of_kind("profile"):
        url = s.options.get("sso_start_url", "").strip()
        region = s.options.get("sso_region", "").strip()
        if url and region and not s.options.get("sso_session") and s.name:
            legacy.setdefault((url, region), []).append(s.name)
    for (url, region), names in legacy.items():
        if any(k.start_url == url for k in out):
            continue  # a session for this URL exists already: reuse that one
        out.append(Known(names[0], url, region, legacy=True, profiles=tuple(names)))
    return out


def _sections(snapshot: ConfigSnapshot, kind: str) -> dict[str, Mapping[str, str]]:
    return {s.name: s.options for s in snapshot.model.of_kind(kind) if s.name}


def _require_file(snapshot: ConfigSnapshot) -> None:
    if snapshot.raw is None:
        raise ConfigFileError(f"{snapshot.path}: config file not found",
                              hint="run `ssogen setup` to create it")


def _scopes(raw: str | None) -> tuple[list[str], bool]:
    if raw and raw.strip():
        scopes = [s.strip() for s in raw.split(",") if s.strip()]
        if scopes:
            return scopes, True
    return list(DEFAULT_SCOPES), False


def _session_from(snapshot: ConfigSnapshot, name: str, section: Mapping[str, str],
                  ) -> SsoSession:
    missing = [k for k in ("sso_start_url", "sso_region") if not section.get(k)]
    if missing:
        raise ConfigFileError(
            f"{snapshot.path}: [sso-session {name}] lacks {' and '.join(missing)}")
    scopes, configured = _scopes(section.get("sso_registration_scopes"))
    return SsoSession(name=name, start_url=section["sso_start_url"].strip(),
                      sso_region=section["sso_region"].strip(), scopes=scopes,
                      scopes_configured=configured)


def session_by_name(snapshot: ConfigSnapshot, name: str) -> SsoSession:
    _require_file(snapshot)
    sessions = _sections(snapshot, "sso-session")
    if name not in sessions:
        known = ", ".join(sorted(sessions)) or "none"
        raise UsageError(f"no [sso-session {name}] in {snapshot.path} (sessions: {known})")
    return _session_from(snapshot, name, sessions[name])


def usable_sessions(snapshot: ConfigSnapshot) -> list[SsoSession]:
    """Every ``[sso-session]`` of the file that is complete enough to log in with (the others
    are the config checks' to report)."""
    out = []
    for name in _sections(snapshot, "sso-session") if snapshot.raw is not None else {}:
        try:
            out.append(session_by_name(snapshot, name))
        except SsogenError:
            continue
    return out


def session_for_profile(snapshot: ConfigSnapshot, profile: str) -> SsoSession:
    """The SSO session a profile logs in through: its ``sso_session``, or (legacy) its own
    ``sso_start_url`` / ``sso_region``."""
    _require_file(snapshot)
    profiles = _sections(snapshot, "profile")
    if profile not in profiles:
        raise UsageError(f"no profile {profile!r} in {snapshot.path}")
    prof = profiles[profile]
    session_name = prof.get("sso_session")
    if session_name:
        sessions = _sections(snapshot, "sso-session")
        if session_name not in sessions:
            raise ConfigFileError(
                f"{snapshot.path}: profile {profile} uses sso_session {session_name}, "
                f"but there is no [sso-session {session_name}]")
        sess = _session_from(snapshot, session_name, sessions[session_name])
        for key, value in (("sso_start_url", sess.start_url), ("sso_region", sess.sso_region)):
            if prof.get(key) and prof[key].strip() != value:
                raise ConfigFileError(
                    f"{snapshot.path}: profile {profile} sets {key} differently from "
                    f"[sso-session {session_name}]")
        return sess
    if prof.get("sso_start_url") and prof.get("sso_region"):
        return SsoSession(name=profile, start_url=prof["sso_start_url"].strip(),
                          sso_region=prof["sso_region"].strip(), legacy=True)
    raise UsageError(f"profile {profile!r} in {snapshot.path} is not an IAM Identity Center "
                     "profile (no sso_session, no sso_start_url)")


def resolve_session(snapshot: ConfigSnapshot, *, session: str | None = None,
                    profile: str | None = None) -> SsoSession:
    """``--session`` / ``--profile``; with neither, the only ``[sso-session]`` in the file."""
    if session and profile:
        raise UsageError("give either --session or --profile, not both")
    if session:
        return session_by_name(snapshot, session)
    if profile:
        return session_for_profile(snapshot, profile)
    _require_file(snapshot)
    sessions = _sections(snapshot, "sso-session")
    if len(sessions) == 1:
        name = next(iter(sessions))
        return _session_from(snapshot, name, sessions[name])
    known = ", ".join(sorted(sessions)) or "none"
    raise UsageError(f"name the session with --session NAME (sessions in {snapshot.path}: "
                     f"{known})")


def login_session(snapshot: ConfigSnapshot, name: str, start_url: str, sso_region: str,
                  ) -> SsoSession:
    """The login identity for session ``name``: as the file defines it when it has the section
    (its scopes key the registration cache), else as ssogen is about to write it."""
    sessions = _sections(snapshot, "sso-session")
    if name in sessions:
        try:
            existing = _session_from(snapshot, name, sessions[name])
        except ConfigFileError:
            existing = None
        if existing is not None and existing.start_url == start_url:
            return existing
    return SsoSession(name=name, start_url=start_url, sso_region=sso_region,
                      scopes=list(DEFAULT_SCOPES), scopes_configured=True)
