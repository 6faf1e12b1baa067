"""Legacy SSO profiles (``sso_start_url`` and ``sso_region`` in the profile itself, the form
before ``[sso-session]``): which may move to a session, and the notes that say so. They never
refresh their token; migrated, they use the session's login."""

from __future__ import annotations

from ssogen.inifile.model import SectionInfo
from ssogen.model.digest import sha1_hex
from ssogen.model.starturl import portal_url, same_start_url


def legacy_matches(profile_url: str, session_url: str) -> bool:
    """May a legacy profile with ``profile_url`` be migrated to a session with ``session_url``?

    Stricter than :func:`~ssogen.model.starturl.same_start_url` (which decides reusing a
    session): a migration changes which login a profile uses, so anything beyond the trailing
    ``/`` / ``#/`` that browsers add -- another host spelling, another path, a query -- may be
    another IAM Identity Center instance and is left alone. The legacy token cache is keyed by
    the exact URL string, so after a migration the profile simply uses the session's login.
    """
    return profile_url.strip() == session_url.strip() or (
        bool(portal_url(profile_url)) and portal_url(profile_url) == portal_url(session_url))


def is_legacy(s: SectionInfo) -> bool:
    """A profile in the pre-``[sso-session]`` form."""
    o = s.options
    return (s.kind == "profile" and s.name is not None and "sso_session" not in o
            and bool(o.get("sso_start_url", "").strip()) and bool(o.get("sso_region", "").strip()))


def legacy_to_migrate(profiles: list[SectionInfo], session: str, session_url: str,
                       session_region: str, migrate: bool, notes: list[str], source: str,
                       ) -> list[SectionInfo]:
    """Legacy profiles that may move to ``[sso-session session]`` (all of them when
    ``migrate``; otherwise they are reported)."""
    fit: list[SectionInfo] = []
    for s in profiles:
        if "sso_session" in s.options or "sso_start_url" not in s.options:
            continue  # the common case first: one dict lookup per profile
        if not is_legacy(s) or s.managed:
            continue
        url = s.options.get("sso_start_url", "")
        if not legacy_matches(url, session_url):
            if same_start_url(url, session_url):
                notes.append(f"legacy profile {s.name!r} ({source}:{s.line}) is not migrated: "
                             f"its start URL {url.strip()!r} is not spelled like the session's "
                             f"{session_url.strip()!r}")
            continue
        region = s.options.get("sso_region", "").strip()
        if session_region and region != session_region:
            notes.append(f"legacy profile {s.name!r} ({source}:{s.line}) is not migrated: its "
                         f"sso_region {region} differs from [sso-session {session}]'s "
                         f"{session_region}")
            continue
        fit.append(s)
    if not fit:
        return []
    names = ", ".join(s.name or "" for s in fit)
    if not migrate:
        notes.append(f"legacy profiles with this start URL ({names}) are left as they are; "
                     f"--migrate-legacy moves them to [sso-session {session}]")
        return []
    sha = sha1_hex(session)
    notes.append(f"legacy profile(s) {names} move to [sso-session {session}] and use its login "
                 f"from then on (token cache ~/.aws/sso/cache/{sha}.json, filled by ssogen's "
                 f"login; renew it with `ssogen login --session {session}` or `aws sso login "
                 f"--sso-session {session}`)")
    return fit
