"""The online path shared by ``setup`` and ``sync``: what the config already knows, and
login + discovery for one session.

Glue only: the login is :mod:`ssogen.auth` (cached token → refresh → device code), discovery is
:mod:`ssogen.discover`; both go through normally created boto3 clients, so
``AWS_ENDPOINT_URL_SSO`` / ``AWS_ENDPOINT_URL_SSO_OIDC`` apply.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ssogen.model.validate import DEFAULT_SCOPES
from ssogen.ui import terminal as ui

if TYPE_CHECKING:
    from ssogen.aws.auth import SsoSession
    from ssogen.model.inventory import Inventory
    from ssogen.ui.wizard import Known



def known_identities(config_path: str | Path) -> list[Known]:
    """``[sso-session]`` sections, then legacy profiles carrying ``sso_start_url`` (grouped by
    start URL and region), for the wizard to offer."""
    from ssogen.app import generate as engine
    from ssogen.inifile.document import ConfigDocument, read_config
    from ssogen.ui.wizard import Known

    path = Path(config_path)
    out = [Known(s.name, s.start_url, s.sso_region, managed=s.managed)
           for s in engine.existing_sessions(path) if s.name and s.start_url and s.sso_region]
    model = ConfigDocument(read_config(path), str(path)).model
    legacy: dict[tuple[str, str], list[str]] = {}
    for s in model.of_kind("profile"):
        url = s.options.get("sso_start_url", "").strip()
        region = s.options.get("sso_region", "").strip()
        if url and region and not s.options.get("sso_session") and s.name:
            legacy.setdefault((url, region), []).append(s.name)
    for (url, region), names in legacy.items():
        if any(k.start_url == url for k in out):
            continue  # a session for this URL exists already: reuse that one
        out.append(Known(names[0], url, region, legacy=True, profiles=tuple(names)))
    return out


def sso_session(config_path: str | Path, name: str, start_url: str, sso_region: str,
                ) -> SsoSession:
    """The login identity for session ``name``: as the file defines it when it has the section
    (its scopes key the registration cache), else as ssogen is about to write it."""
    from ssogen.aws import auth
    from ssogen.errors import SsogenError

    try:
        existing = auth.session_by_name(config_path, name)
    except SsogenError:
        existing = None
    if existing is not None and existing.start_url == start_url:
        return existing
    return auth.SsoSession(name=name, start_url=start_url, sso_region=sso_region,
                           scopes=list(DEFAULT_SCOPES), scopes_configured=True)


def login_and_discover(session: SsoSession, *, allow_login: bool = True,
                       no_browser: bool = False, progress: bool | None = None) -> Inventory:
    """A usable token (login only when the cache cannot be used or refreshed), then every
    account and role. NotLoggedInError (4) when a login is needed and not allowed."""
    from ssogen.aws import auth
    from ssogen.aws.discovery import discover

    token = auth.get_access_token(session, allow_login=allow_login, no_browser=no_browser)

    def renew(rejected: str) -> str:
        return auth.get_access_token(session, allow_login=allow_login, no_browser=no_browser,
                                     rejected=rejected)

    inventory = discover(session, access_token=token, token_provider=renew, progress=progress)
    ui.info(f"ssogen: {session.name}: found {len(inventory.accounts)} accounts, "
            f"{inventory.role_count} roles")
    return inventory
