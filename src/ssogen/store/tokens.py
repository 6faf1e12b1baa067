"""The AWS CLI v2's SSO cache (``~/.aws/sso/cache``), shared with botocore and every SDK.

Files (directory 0700, files 0600, always replaced atomically, never through a symlink, read
only when they are regular files of at most 1 MiB -- :mod:`ssogen.store.cachefile`):

* token: ``sha1(session name).json`` (legacy profiles: ``sha1(start URL).json``) with
  ``startUrl, region, accessToken, expiresAt, clientId, clientSecret, registrationExpiresAt``
  and ``refreshToken`` when the service returned one -- the same for both login flows;
* registration: ``sha1(json.dumps({"tool": "botocore", "startUrl", "region", "scopes",
  "session_name"}, sort_keys=True)).json`` with ``clientId, clientSecret, expiresAt`` and
  ``scopes``, plus ``grantTypes`` for an authorization-code (PKCE) client -- one file for both
  flows, as the AWS CLI keys it. Each flow refuses the other's registration (docs/AWS-NOW.md
  §a), so switching flows registers anew and overwrites that one file, as the CLI does;
* ``<token file>.ssogen.lock`` while one process refreshes that token (refresh tokens are
  single use: two refreshing at once would log one of them out).

Timestamps are UTC ``%Y-%m-%dT%H:%M:%SZ``. A cache file that is not JSON, lacks keys, holds
wrong types or unparsable/past dates is treated as absent and replaced. Nothing here ever
prints or logs a token or a secret.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from ssogen import logs
from ssogen.model.events import DEVICE_CODE, PKCE
from ssogen.model.session import SsoSession
from ssogen.records import field, record
from ssogen.store.cachefile import CacheLock, json_files, read_json, remove, write_json

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
#: A cached registration is replaced when it expires within this (as the AWS CLI v2 does).
REGISTRATION_MARGIN = timedelta(minutes=15)


def cache_dir() -> Path:
    """``~/.aws/sso/cache`` (evaluated at call time; no variable relocates it)."""
    return Path(os.path.expanduser(os.path.join("~", ".aws", "sso", "cache")))


def token_path(session: SsoSession) -> Path:
    return cache_dir() / f"{session.token_cache_key}.json"


def registration_path(session: SsoSession) -> Path:
    return cache_dir() / f"{session.registration_cache_key}.json"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def format_time(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime(TIME_FORMAT)


def parse_time(value: Any) -> datetime | None:
    """A cache timestamp as an aware UTC datetime, or None when it is not one."""
    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        return None
    text = value.strip()
    for fmt in (TIME_FORMAT, "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%SUTC"):
        try:
            dt = datetime.strptime(text, fmt)
            break
        except ValueError:
            continue
    else:
        try:
            from dateutil import parser as dateparser  # botocore's own dependency

            dt = dateparser.parse(text)
        except (ValueError, OverflowError, TypeError, ImportError):
            return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    try:
        return dt.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        return None


def _nonempty_str(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _write_json(path: Path, data: dict[str, Any], what: str = "the token") -> None:
    write_json(path, data, what=what, folder="token cache")


@record
class Token:
    """A usable access token (kept out of ``repr``), its expiry, and where it came from (what
    ``login`` says)."""

    access_token: str = field(repr=False)
    expires_at: datetime
    source: str  # "cache" | "refresh" | "login"

    def remaining(self, now: datetime | None = None) -> timedelta:
        return self.expires_at - (now or utcnow())


@record(frozen=True)
class Registration:
    """A client registration (RegisterClient's answer) as the cache keeps it: reused by the
    next login of the same flow, and repeated in the token file for its refreshes."""

    client_id: str
    client_secret: str = field(repr=False)
    expires_at: datetime
    scopes: tuple[str, ...] = ()
    grant_types: tuple[str, ...] | None = None  # an authorization-code (PKCE) client's

    def to_json(self) -> dict[str, Any]:
        """The registration file's content, as the AWS CLI v2 writes it."""
        out: dict[str, Any] = {"clientId": self.client_id, "clientSecret": self.client_secret,
                               "expiresAt": format_time(self.expires_at),
                               "scopes": list(self.scopes)}
        if self.grant_types is not None:
            out["grantTypes"] = list(self.grant_types)
        return out


@record(frozen=True)
class CachedToken:
    """A token file, validated: the access token and its expiry, and what a refresh needs
    (each part present only when the file has it well formed)."""

    access_token: str = field(repr=False)
    expires_at: datetime
    refresh_token: str | None = field(default=None, repr=False)
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    registration_expires_at: datetime | None = None

    def refreshable(self, now: datetime | None = None) -> bool:
        """Can the token be refreshed: a refresh token, the client that got it, and that
        client's registration still valid."""
        return bool(self.refresh_token and self.client_id and self.client_secret
                    and self.registration_expires_at is not None
                    and self.registration_expires_at > (now or utcnow()))

    def registration(self) -> Registration | None:
        """The registration the token file repeats (None without all of it)."""
        if not (self.client_id and self.client_secret and self.registration_expires_at):
            return None
        return Registration(self.client_id, self.client_secret, self.registration_expires_at)


def load_token(session: SsoSession) -> CachedToken | None:
    """The cached token entry, validated; None when absent or unusable. Optional fields with
    the wrong type are dropped (the entry stays usable as a plain access token)."""
    data = read_json(token_path(session))
    if data is None:
        return None
    if not _nonempty_str(data.get("accessToken")):
        return None
    expires = parse_time(data.get("expiresAt"))
    if expires is None:
        return None
    start_url = data.get("startUrl")
    if start_url is not None and start_url != session.start_url:
        logs.info(__name__, "cached token is for another start URL; ignoring it")
        return None
    region = data.get("region")
    if region is not None and region != session.sso_region:
        logs.info(__name__, "cached token is for another region; ignoring it")
        return None
    def text(key: str) -> str | None:
        value = data.get(key)
        return value if _nonempty_str(value) else None

    return CachedToken(data["accessToken"], expires, text("refreshToken"), text("clientId"),
                       text("clientSecret"), parse_time(data.get("registrationExpiresAt")))


def save_token(session: SsoSession, *, access_token: str, expires_at: datetime,
               registration: Registration, refresh_token: str | None) -> None:
    data: dict[str, Any] = {
        "startUrl": session.start_url,
        "region": session.sso_region,
        "accessToken": access_token,
        "expiresAt": format_time(expires_at),
        "clientId": registration.client_id,
        "clientSecret": registration.client_secret,
        "registrationExpiresAt": format_time(registration.expires_at),
    }
    if refresh_token:
        data["refreshToken"] = refresh_token
    _write_json(token_path(session), data)
    from ssogen.store.mirror import token_saved  # WSL2: the Windows copy, when armed

    token_saved(session)


def load_registration(session: SsoSession, now: datetime | None = None, *,
                      flow: str = DEVICE_CODE) -> Registration | None:
    """The cached client registration when ``flow`` may reuse it: well-formed, with our
    scopes, valid for more than 15 minutes, and registered for that flow -- the device flow
    refuses a registration with ``authorization_code`` in ``grantTypes``, PKCE one without it
    (as the AWS CLI v2 does, docs/AWS-NOW.md §a)."""
    data = read_json(registration_path(session))
    if data is None:
        return None
    if not (_nonempty_str(data.get("clientId")) and _nonempty_str(data.get("clientSecret"))):
        return None
    expires = parse_time(data.get("expiresAt"))
    if expires is None or expires - (now or utcnow()) <= REGISTRATION_MARGIN:
        return None
    grants = data.get("grantTypes")
    if grants is not None and not isinstance(grants, list):
        return None
    auth_code = grants is not None and "authorization_code" in grants
    if auth_code != (flow == PKCE):
        return None
    scopes = data.get("scopes")
    if not isinstance(scopes, list) or not set(session.scopes) <= set(scopes):
        # e.g. registered by `aws sso login` without scopes: no refresh tokens; replace it
        return None
    return Registration(data["clientId"], data["clientSecret"], expires,
                        tuple(str(s) for s in scopes),
                        tuple(str(g) for g in grants) if flow == PKCE and grants else None)


def save_registration(session: SsoSession, registration: Registration) -> None:
    _write_json(registration_path(session), registration.to_json(), "the client registration")


def token_lock(session: SsoSession) -> CacheLock:
    """The lock that serialises refreshing this session's token across processes."""
    return CacheLock(token_path(session), folder="token cache")


def remove_token(session: SsoSession) -> Path | None:
    """Remove the session's token file (never the registration); its path if there was one."""
    path = token_path(session)
    return path if remove(path) else None


def cache_entries() -> list[tuple[Path, dict[str, Any]]]:
    """Every ``*.json`` file of the cache folder that is a JSON object, by name."""
    return json_files(cache_dir())


def is_token_entry(data: dict[str, Any]) -> bool:
    """A token file, by the rule ``aws sso logout`` deletes by: it holds ``accessToken``."""
    return "accessToken" in data


def is_registration_entry(data: dict[str, Any]) -> bool:
    """A client registration (``clientId``, ``clientSecret`` and ``expiresAt``, no token)."""
    return (not is_token_entry(data) and _nonempty_str(data.get("clientId"))
            and _nonempty_str(data.get("clientSecret")) and "expiresAt" in data)
