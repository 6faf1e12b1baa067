"""Device-code login to IAM Identity Center, with the token and client registration cached
exactly as the AWS CLI v2 caches them (PROTOCOL.md §1, §3), so ``aws``, boto3 and every SDK use
ssogen's login and ssogen uses theirs.

Order of preference in :func:`get_access_token`: a valid cached token (also one ``aws sso
login`` wrote) → the refresh token → the device-code flow (RegisterClient, cached;
StartDeviceAuthorization; one CreateToken attempt at once, then the prompt, then polling at
``interval``, +5 s on slow_down, until ``expiresIn``).

Files (``~/.aws/sso/cache``, directory 0700, files 0600, always replaced atomically):

* token: ``sha1(session name).json`` (legacy profiles: ``sha1(start URL).json``) with
  ``startUrl, region, accessToken, expiresAt, clientId, clientSecret, registrationExpiresAt``
  and ``refreshToken`` when the service returned one;
* registration: ``sha1(json.dumps({"tool": "botocore", "startUrl", "region", "scopes",
  "session_name"}, sort_keys=True)).json`` with ``clientId, clientSecret, expiresAt, scopes``.

A cache file that is not JSON, lacks keys, holds wrong types or unparsable/past dates is treated
as absent and replaced. Nothing here ever prints or logs a token or a secret.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from ssogen.errors import ApiError, ConfigFileError, LoginError, NotLoggedInError, UsageError
from ssogen.model.validate import DEFAULT_SCOPES
from ssogen.ui import terminal as ui

log = logging.getLogger(__name__)

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# A cached token is reused while at least this much validity is left (discovery takes seconds).
MIN_TOKEN_VALIDITY = timedelta(minutes=5)
# A cached registration is replaced when it expires within this (as the AWS CLI v2 does).
REGISTRATION_MARGIN = timedelta(minutes=15)
DEFAULT_INTERVAL = 5
SLOW_DOWN_DELAY = 5
DEFAULT_DEVICE_EXPIRY = 600
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


# ---------------------------------------------------------------------------------------------
# sessions from the config file
# ---------------------------------------------------------------------------------------------
@dataclass
class SsoSession:
    """What a login needs: an ``[sso-session]`` (or a legacy profile's SSO keys)."""

    name: str
    start_url: str
    sso_region: str
    scopes: list[str] = field(default_factory=lambda: list(DEFAULT_SCOPES))
    # True when ``sso_registration_scopes`` is set: the AWS CLI then keys the registration
    # cache with the scopes, otherwise with null.
    scopes_configured: bool = False
    # A profile with sso_start_url/sso_region and no sso_session: the token cache key is the
    # start URL, and there is no session name in the registration key.
    legacy: bool = False

    @property
    def token_cache_key(self) -> str:
        source = self.start_url if self.legacy else self.name
        return hashlib.sha1(source.encode("utf-8")).hexdigest()

    @property
    def registration_cache_key(self) -> str:
        data = {
            "tool": "botocore",
            "startUrl": self.start_url,
            "region": self.sso_region,
            "scopes": list(self.scopes) if self.scopes_configured else None,
            "session_name": None if self.legacy else self.name,
        }
        return hashlib.sha1(json.dumps(data, sort_keys=True).encode("utf-8")).hexdigest()

    @property
    def label(self) -> str:
        return f"profile {self.name}" if self.legacy else f"session {self.name}"


def _load_config(config_path: str | os.PathLike[str]) -> dict[str, Any]:
    import botocore.configloader
    import botocore.exceptions

    from ssogen.store.fileio import not_regular

    kind = not_regular(Path(config_path))
    if kind:  # botocore would call a directory "not found", and block on a named pipe
        raise ConfigFileError(f"{config_path}: is {kind}, not a config file")
    try:
        return botocore.configloader.load_config(str(config_path))
    except botocore.exceptions.ConfigNotFound:
        raise ConfigFileError(f"{config_path}: config file not found",
                              hint="run `ssogen setup` to create it") from None
    except botocore.exceptions.ConfigParseError as exc:
        raise ConfigFileError(f"{config_path}: cannot parse ({exc})") from None
    except UnicodeDecodeError:
        raise ConfigFileError(f"{config_path}: not UTF-8 text") from None
    except OSError as exc:
        raise ConfigFileError(f"{config_path}: cannot read ({exc.strerror})") from None


def _scopes(raw: Any) -> tuple[list[str], bool]:
    if isinstance(raw, str) and raw.strip():
        scopes = [s.strip() for s in raw.split(",") if s.strip()]
        if scopes:
            return scopes, True
    return list(DEFAULT_SCOPES), False


def _session_from_section(config_path: Any, name: str, section: Any) -> SsoSession:
    if not isinstance(section, dict):
        raise ConfigFileError(f"{config_path}: [sso-session {name}] is not a section")
    missing = [k for k in ("sso_start_url", "sso_region") if not section.get(k)]
    if missing:
        raise ConfigFileError(
            f"{config_path}: [sso-session {name}] lacks {' and '.join(missing)}")
    scopes, configured = _scopes(section.get("sso_registration_scopes"))
    return SsoSession(name=name, start_url=str(section["sso_start_url"]).strip(),
                      sso_region=str(section["sso_region"]).strip(), scopes=scopes,
                      scopes_configured=configured)


def session_by_name(config_path: str | os.PathLike[str], name: str) -> SsoSession:
    sessions = _load_config(config_path).get("sso_sessions", {})
    if name not in sessions:
        known = ", ".join(sorted(sessions)) or "none"
        raise UsageError(f"no [sso-session {name}] in {config_path} (sessions: {known})")
    return _session_from_section(config_path, name, sessions[name])


def session_for_profile(config_path: str | os.PathLike[str], profile: str) -> SsoSession:
    """The SSO session a profile logs in through: its ``sso_session``, or (legacy) its own
    ``sso_start_url`` / ``sso_region``."""
    config = _load_config(config_path)
    profiles = config.get("profiles", {})
    if profile not in profiles:
        raise UsageError(f"no profile {profile!r} in {config_path}")
    prof = profiles[profile]
    session_name = prof.get("sso_session")
    if session_name:
        sessions = config.get("sso_sessions", {})
        if session_name not in sessions:
            raise ConfigFileError(
                f"{config_path}: profile {profile} uses sso_session {session_name}, "
                f"but there is no [sso-session {session_name}]")
        sess = _session_from_section(config_path, session_name, sessions[session_name])
        for key, value in (("sso_start_url", sess.start_url), ("sso_region", sess.sso_region)):
            if prof.get(key) and str(prof[key]).strip() != value:
                raise ConfigFileError(
                    f"{config_path}: profile {profile} sets {key} differently from "
                    f"[sso-session {session_name}]")
        return sess
    if prof.get("sso_start_url") and prof.get("sso_region"):
        return SsoSession(name=profile, start_url=str(prof["sso_start_url"]).strip(),
                          sso_region=str(prof["sso_region"]).strip(), legacy=True)
    raise UsageError(f"profile {profile!r} in {config_path} is not an IAM Identity Center "
                     "profile (no sso_session, no sso_start_url)")


def resolve_session(config_path: str | os.PathLike[str], *, session: str | None = None,
                    profile: str | None = None) -> SsoSession:
    """``--session`` / ``--profile``; with neither, the only ``[sso-session]`` in the file."""
    if session and profile:
        raise UsageError("give either --session or --profile, not both")
    if session:
        return session_by_name(config_path, session)
    if profile:
        return session_for_profile(config_path, profile)
    sessions = _load_config(config_path).get("sso_sessions", {})
    if len(sessions) == 1:
        name = next(iter(sessions))
        return _session_from_section(config_path, name, sessions[name])
    known = ", ".join(sorted(sessions)) or "none"
    raise UsageError(f"name the session with --session NAME (sessions in {config_path}: "
                     f"{known})")


# ---------------------------------------------------------------------------------------------
# cache files
# ---------------------------------------------------------------------------------------------
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


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        raw = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    except OSError as exc:
        log.info("cannot read %s (%s); ignoring it", path.name, exc.strerror)
        return None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        log.info("%s is not valid JSON; ignoring it", path.name)
        return None
    return data if isinstance(data, dict) else None


def _nonempty_str(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _write_json(path: Path, data: dict[str, Any]) -> None:
    """Atomic replace; file 0600, directory 0700 (both enforced, even when they existed)."""
    from ssogen.store.fileio import atomic_write_bytes, make_dirs

    directory = path.parent
    try:
        make_dirs(directory, 0o700)
        if not directory.is_dir():
            raise FileExistsError(directory)
    except OSError as exc:  # e.g. ~/.aws/sso/cache is a file
        why = "not a folder" if isinstance(exc, FileExistsError) else exc.strerror or exc
        raise ConfigFileError(f"{directory}: cannot create the token cache folder ({why}); "
                              "fix or remove it and log in again") from None
    try:
        os.chmod(directory, 0o700)
    except OSError as exc:  # e.g. a directory owned by someone else
        log.info("cannot make %s private (%s)", directory, exc.strerror)
    with contextlib.suppress(OSError):
        if path.is_file():
            os.chmod(path, 0o600)  # so the replacement is created 0600 too
    try:
        written = atomic_write_bytes(path, json.dumps(data).encode("utf-8"), new_mode=0o600,
                                     dir_mode=0o700)
    except OSError as exc:  # e.g. the cache file is a directory
        raise ConfigFileError(f"{path}: cannot write the token cache ({exc.strerror or exc})"
                              "; fix or remove it and log in again") from None
    with contextlib.suppress(OSError):  # e.g. a Windows drive (drvfs without metadata)
        os.chmod(written, 0o600)


@dataclass
class Token:
    access_token: str
    expires_at: datetime
    source: str  # "cache" | "refresh" | "login"

    def remaining(self, now: datetime | None = None) -> timedelta:
        return self.expires_at - (now or utcnow())


def load_token(session: SsoSession) -> dict[str, Any] | None:
    """The cached token entry, validated; None when absent or unusable. Optional fields with
    the wrong type are dropped (the entry stays usable as a plain access token)."""
    data = _read_json(token_path(session))
    if data is None:
        return None
    if not _nonempty_str(data.get("accessToken")):
        return None
    expires = parse_time(data.get("expiresAt"))
    if expires is None:
        return None
    start_url = data.get("startUrl")
    if start_url is not None and start_url != session.start_url:
        log.info("cached token is for another start URL; ignoring it")
        return None
    region = data.get("region")
    if region is not None and region != session.sso_region:
        log.info("cached token is for another region; ignoring it")
        return None
    entry = {"accessToken": data["accessToken"], "_expires": expires}
    for key in ("refreshToken", "clientId", "clientSecret"):
        if _nonempty_str(data.get(key)):
            entry[key] = data[key]
    reg_expires = parse_time(data.get("registrationExpiresAt"))
    if reg_expires is not None:
        entry["registrationExpiresAt"] = data["registrationExpiresAt"]
        entry["_reg_expires"] = reg_expires
    return entry


def save_token(session: SsoSession, *, access_token: str, expires_at: datetime,
               registration: dict[str, Any], refresh_token: str | None) -> None:
    data: dict[str, Any] = {
        "startUrl": session.start_url,
        "region": session.sso_region,
        "accessToken": access_token,
        "expiresAt": format_time(expires_at),
        "clientId": registration["clientId"],
        "clientSecret": registration["clientSecret"],
        "registrationExpiresAt": registration["expiresAt"],
    }
    if refresh_token:
        data["refreshToken"] = refresh_token
    _write_json(token_path(session), data)


def load_registration(session: SsoSession, now: datetime | None = None) -> dict[str, Any] | None:
    """The cached client registration when reusable: well-formed, not for the PKCE flow, with
    our scopes, and valid for more than 15 minutes."""
    data = _read_json(registration_path(session))
    if data is None:
        return None
    if not (_nonempty_str(data.get("clientId")) and _nonempty_str(data.get("clientSecret"))):
        return None
    expires = parse_time(data.get("expiresAt"))
    if expires is None or expires - (now or utcnow()) <= REGISTRATION_MARGIN:
        return None
    grants = data.get("grantTypes")
    if grants is not None and (not isinstance(grants, list) or "authorization_code" in grants):
        return None
    scopes = data.get("scopes")
    if not isinstance(scopes, list) or not set(session.scopes) <= set(scopes):
        # e.g. registered by `aws sso login` without scopes: no refresh tokens; replace it
        return None
    return {"clientId": data["clientId"], "clientSecret": data["clientSecret"],
            "expiresAt": format_time(expires), "scopes": scopes}


# ---------------------------------------------------------------------------------------------
# AWS calls
# ---------------------------------------------------------------------------------------------
def oidc_client(session: SsoSession) -> Any:
    """An unsigned ``sso-oidc`` client created the normal way (endpoint overrides apply)."""
    import boto3
    import botocore.exceptions
    from botocore import UNSIGNED
    from botocore.config import Config

    config = Config(signature_version=UNSIGNED, region_name=session.sso_region,
                    retries={"mode": "standard", "max_attempts": 3},
                    connect_timeout=10, read_timeout=30)
    try:
        return boto3.session.Session().client("sso-oidc", config=config)
    except botocore.exceptions.ProfileNotFound as exc:
        raise ConfigFileError(f"{exc}") from None
    except botocore.exceptions.BotoCoreError as exc:
        raise ConfigFileError(f"cannot set up the sso-oidc client: {exc}") from None


def _error_code(exc: Exception) -> str:
    try:
        return str(exc.response["Error"]["Code"])  # type: ignore[attr-defined]
    except (AttributeError, KeyError, TypeError):
        return ""


def _network_error(exc: Exception, client: Any) -> ApiError:
    try:
        endpoint = client.meta.endpoint_url
    except AttributeError:
        endpoint = "sso-oidc"
    return ApiError(f"cannot reach the IAM Identity Center login endpoint {endpoint} "
                    f"({type(exc).__name__})")


def register_client(session: SsoSession, client: Any) -> dict[str, Any]:
    """RegisterClient (device flow: no grantTypes) and cache the registration."""
    from botocore.exceptions import BotoCoreError, ClientError

    client_name = (f"botocore-client-{int(time.time())}" if session.legacy
                   else f"botocore-client-{session.name}")
    try:
        resp = client.register_client(clientName=client_name, clientType="public",
                                      scopes=list(session.scopes))
    except ClientError as exc:
        raise LoginError(f"client registration refused ({_error_code(exc) or 'error'})") from None
    except BotoCoreError as exc:
        raise _network_error(exc, client) from None
    try:
        expires = datetime.fromtimestamp(int(resp["clientSecretExpiresAt"]), timezone.utc)
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        expires = utcnow() + timedelta(days=90)
    registration = {"clientId": resp["clientId"], "clientSecret": resp["clientSecret"],
                    "expiresAt": format_time(expires), "scopes": list(session.scopes)}
    _write_json(registration_path(session), registration)
    return registration


def _refresh(session: SsoSession, cached: dict[str, Any], client: Any) -> Token | None:
    """CreateToken with the refresh token (as botocore does); None when not possible."""
    from botocore.exceptions import BotoCoreError, ClientError

    needed = ("refreshToken", "clientId", "clientSecret", "_reg_expires")
    if any(k not in cached for k in needed) or cached["_reg_expires"] <= utcnow():
        return None
    try:
        resp = client.create_token(grantType="refresh_token", clientId=cached["clientId"],
                                   clientSecret=cached["clientSecret"],
                                   refreshToken=cached["refreshToken"])
    except ClientError as exc:
        log.info("token refresh refused (%s); a new login is needed", _error_code(exc))
        return None
    except BotoCoreError as exc:
        raise _network_error(exc, client) from None
    expires = utcnow() + timedelta(seconds=int(resp.get("expiresIn") or 3600))
    registration = {"clientId": cached["clientId"], "clientSecret": cached["clientSecret"],
                    "expiresAt": cached["registrationExpiresAt"]}
    save_token(session, access_token=resp["accessToken"], expires_at=expires,
               registration=registration, refresh_token=resp.get("refreshToken"))
    return Token(resp["accessToken"], expires, "refresh")


class _InvalidClient(Exception):
    pass


def _show_prompt(auth: dict[str, Any], *, no_browser: bool) -> None:
    """The URL and code first (each alone on its line, nothing glued to it), then the
    conveniences: the Windows clipboard, the browser. The prompt is printed before a browser
    is launched, so a console browser from ``BROWSER`` cannot hide it."""
    from ssogen.ui import browser

    uri = str(auth.get("verificationUri") or "")
    code = str(auth.get("userCode") or "")
    complete = str(auth.get("verificationUriComplete") or "")
    lines = ["To log in, open this URL in any browser, on any device:", "", uri, "",
             "and enter the code:", "", code, ""]
    if complete and complete != uri:
        lines += ["Or open this URL, which fills in the code for you:", "", complete, ""]
    for line in lines:
        ui.info(line)
    if code and browser.copy_to_clipboard(code):
        ui.info("The code is on the Windows clipboard.")
    if not no_browser and browser.open_url(complete or uri):
        ui.info("Opened the login page in your browser.")
    ui.info("Waiting for approval (Ctrl-C to cancel)...")


def _device_flow_once(session: SsoSession, client: Any, registration: dict[str, Any], *,
                      no_browser: bool) -> Token:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        auth = client.start_device_authorization(clientId=registration["clientId"],
                                                 clientSecret=registration["clientSecret"],
                                                 startUrl=session.start_url)
    except ClientError as exc:
        code = _error_code(exc)
        if code == "InvalidClientException":
            raise _InvalidClient from None
        raise LoginError(f"the login could not start ({code or 'error'})") from None
    except BotoCoreError as exc:
        raise _network_error(exc, client) from None

    try:  # RFC 8628: 5 s when absent; never a busy loop
        raw_interval = auth.get("interval")
        interval = DEFAULT_INTERVAL if raw_interval is None else max(int(raw_interval), 1)
    except (TypeError, ValueError):
        interval = DEFAULT_INTERVAL
    try:
        expires_in = int(auth.get("expiresIn") or DEFAULT_DEVICE_EXPIRY)
    except (TypeError, ValueError):
        expires_in = DEFAULT_DEVICE_EXPIRY
    deadline = time.monotonic() + expires_in

    def attempt() -> dict[str, Any] | None:
        nonlocal interval
        try:
            return client.create_token(grantType=DEVICE_GRANT, clientId=registration["clientId"],
                                       clientSecret=registration["clientSecret"],
                                       deviceCode=auth["deviceCode"])
        except ClientError as exc:
            code = _error_code(exc)
            if code == "AuthorizationPendingException":
                return None
            if code == "SlowDownException":
                interval += SLOW_DOWN_DELAY
                log.info("slow_down: polling every %d s now", interval)
                return None
            if code == "ExpiredTokenException":
                raise LoginError("the login code expired before it was approved; run "
                                 "`ssogen login` again") from None
            if code == "AccessDeniedException":
                raise LoginError("the login was denied in the browser") from None
            if code == "InvalidClientException":
                raise _InvalidClient from None
            raise LoginError(f"the login failed ({code or 'error'})") from None
        except BotoCoreError as exc:
            raise _network_error(exc, client) from None

    # One attempt before any prompt: pre-authorised clients need no user action.
    resp = attempt()
    if resp is None:
        _show_prompt(auth, no_browser=no_browser)
    while resp is None:
        left = deadline - time.monotonic()
        if left <= 0:
            raise LoginError("the login code expired before it was approved; run "
                             "`ssogen login` again")
        time.sleep(min(interval, left))
        resp = attempt()

    expires = utcnow() + timedelta(seconds=int(resp.get("expiresIn") or 3600))
    save_token(session, access_token=resp["accessToken"], expires_at=expires,
               registration=registration, refresh_token=resp.get("refreshToken"))
    return Token(resp["accessToken"], expires, "login")


def device_login(session: SsoSession, client: Any | None = None, *,
                 no_browser: bool = False) -> Token:
    """The device-code flow; re-registers once when the registration is rejected."""
    client = client or oidc_client(session)
    registration = load_registration(session) or register_client(session, client)
    for attempt in range(2):
        try:
            return _device_flow_once(session, client, registration, no_browser=no_browser)
        except _InvalidClient:
            if attempt:
                break
            log.info("client registration rejected; registering again")
            registration = register_client(session, client)
    raise LoginError("IAM Identity Center rejected the client registration (invalid client)")


def obtain_token(session: SsoSession, *, allow_login: bool = True, force: bool = False,
                 no_browser: bool = False, rejected: str | None = None) -> Token:
    """A usable access token: cache → refresh → device flow. ``rejected`` is a token the
    service just refused (401): it is not reused even if its cached expiry says it is valid."""
    cached = None if force else load_token(session)
    now = utcnow()
    client = None
    if cached is not None:
        if (cached["accessToken"] != rejected
                and cached["_expires"] - now >= MIN_TOKEN_VALIDITY):
            return Token(cached["accessToken"], cached["_expires"], "cache")
        client = oidc_client(session)
        token = _refresh(session, cached, client)
        if token is not None:
            return token
    if not allow_login:
        what = "has expired" if cached is not None else "is missing"
        flag = f"--profile {session.name}" if session.legacy else f"--session {session.name}"
        raise NotLoggedInError(f"the login for {session.label} {what}",
                               hint=f"run `ssogen login {flag}`")
    return device_login(session, client, no_browser=no_browser)


def get_access_token(session: SsoSession, *, allow_login: bool = True, force: bool = False,
                     no_browser: bool = False, rejected: str | None = None) -> str:
    """See :func:`obtain_token`. NotLoggedInError (exit 4) when a login is needed and not
    allowed; LoginError (exit 3) on denial/expiry/invalid client; KeyboardInterrupt passes up
    and leaves the token cache as it was."""
    return obtain_token(session, allow_login=allow_login, force=force, no_browser=no_browser,
                        rejected=rejected).access_token
