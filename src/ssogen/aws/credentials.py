"""Role credentials for a profile, and their shell / process formats (``export-credentials``).

The fast path -- role credentials the AWS CLI's cache still holds -- is
:mod:`ssogen.app.credentials`; this module is what it falls back to. Credentials are
resolved by botocore itself (``Session(profile=NAME).get_credentials()``): for an
SSO profile that reads the AWS CLI v2 token cache, refreshes the token when it can, and calls
``GetRoleCredentials`` through a normally created ``sso`` client, so ``AWS_ENDPOINT_URL_SSO`` /
``AWS_ENDPOINT_URL_SSO_OIDC`` apply. Non-SSO profiles (static keys, assume-role) work too.

This is the only module whose output contains secrets, and only :mod:`ssogen.commands.
export_credentials` prints it (on stdout). Error messages never contain a secret.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ssogen.aws.credential_formats import render_fields
from ssogen.errors import ApiError, ConfigFileError, NotLoggedInError, SsogenError, UsageError
from ssogen.records import field, record

if TYPE_CHECKING:
    from ssogen.inifile.model import FileModel



@record(frozen=True)
class RoleCredentials:
    """Role credentials (the secret and the session token kept out of ``repr``)."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str | None = field(repr=False)
    expiration: datetime | None  # UTC
    # botocore's provider name ("sso", "assume-role", ...); "cache" from ~/.aws/cli/cache
    method: str | None = None

    @property
    def expiration_iso(self) -> str | None:
        if self.expiration is None:
            return None
        return self.expiration.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def resolve(profile: str, config_path: str, model: FileModel | None = None) -> RoleCredentials:
    """Credentials for ``profile`` from ``config_path`` (``model``: that file as ssogen
    already read it, handed to botocore instead of a second parse); one-line SsogenErrors on
    failure."""
    _quiet_botocore()
    session = _profile_session(profile, config_path, model)
    creds, frozen = _credentials(session, profile, model)
    expiry = getattr(creds, "_expiry_time", None)
    if isinstance(expiry, datetime) and expiry.tzinfo is None:
        expiry = expiry.replace(tzinfo=timezone.utc)
    method = getattr(creds, "method", None)
    return RoleCredentials(frozen.access_key, frozen.secret_key, frozen.token,
                           expiry if isinstance(expiry, datetime) else None,
                           method if isinstance(method, str) else None)


def _quiet_botocore() -> None:
    """botocore logs a failed token refresh as a WARNING with a traceback: ssogen reports it
    itself, in one line, so those loggers say errors only (-vvv shows botocore's own log)."""
    import logging

    if logging.getLogger("botocore").getEffectiveLevel() >= logging.WARNING:
        for name in ("botocore.tokens", "botocore.credentials", "botocore.utils"):
            logging.getLogger(name).setLevel(logging.ERROR)


def _profile_session(profile: str, config_path: str, model: FileModel | None) -> Any:
    """A botocore session on ``config_path`` with ``profile`` selected; a config botocore
    cannot parse, or a profile it does not have, is an error."""
    import botocore.exceptions as bex

    from ssogen.aws.clients import botocore_session

    session = botocore_session(model)
    session.set_config_variable("config_file", config_path)
    try:
        available = session.available_profiles
    except bex.ConfigParseError as exc:
        raise ConfigFileError(f"{config_path}: cannot parse ({_short(exc)})") from None
    if profile not in available:
        raise UsageError(
            f"profile {profile!r} not found in {config_path}",
            hint="`ssogen list` shows accounts and roles; `ssogen setup` or `ssogen sync` "
            "writes their profiles",
        )
    session.set_config_variable("profile", profile)
    return session


def _credentials(session: Any, profile: str, model: FileModel | None) -> tuple[Any, Any]:
    """botocore's credentials for the session's profile (its chain handed ``model``), and
    their frozen values; every failure as one SsogenError (:func:`_botocore_failure`,
    :func:`_malformed`) -- building the chain reads the profile's values too."""
    import botocore.exceptions as bex

    from ssogen.aws.clients import feed_credential_chain

    try:
        feed_credential_chain(session, model)
        creds = session.get_credentials()
        if creds is None:
            raise UsageError(f"profile {profile!r} has no credentials configured",
                             hint="a profile written by ssogen has sso_session, "
                             "sso_account_id and sso_role_name")
        return creds, creds.get_frozen_credentials()
    except (bex.BotoCoreError, bex.ClientError) as exc:
        raise _botocore_failure(exc, profile) from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        failure = _malformed(exc, session, profile)
        if failure is None:
            raise
        raise failure from None


def _login_hint(profile: str) -> str:
    return f"run `ssogen login --profile {profile}` (or `ssogen setup`), then try again"


def _botocore_failure(exc: Exception, profile: str) -> SsogenError:
    """What a botocore error getting the profile's credentials means, in one line: not
    logged in, a profile botocore cannot use, a role gone, AWS unreachable."""
    import botocore.exceptions as bex

    if isinstance(exc, (bex.SSOTokenLoadError, bex.TokenRetrievalError,
                        bex.UnauthorizedSSOTokenError, bex.SSOError)):
        why = ("no cached token" if isinstance(exc, bex.SSOTokenLoadError)
               else "the token has expired and could not be refreshed"
               if isinstance(exc, bex.TokenRetrievalError)
               else "the token was rejected" if isinstance(exc, bex.UnauthorizedSSOTokenError)
               else "the SSO configuration could not be used")
        return NotLoggedInError(f"not logged in for profile {profile!r}: {why}",
                                hint=_login_hint(profile))
    if isinstance(exc, bex.NoRegionError):  # STS, for a role_arn profile: the config's gap
        return ConfigFileError(f"profile {profile!r}: no region to call STS in (its role is "
                               "assumed through STS, which botocore calls in the profile's "
                               "region)", hint="add `region = <region>` to ["
                               f"{'default' if profile == 'default' else 'profile ' + profile}"
                               "] (or set AWS_REGION)")
    if isinstance(exc, (bex.InvalidConfigError, bex.ProfileNotFound,
                        bex.PartialCredentialsError)):
        return ConfigFileError(f"profile {profile!r}: {_short(exc)}")
    if isinstance(exc, bex.ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        if code in ("UnauthorizedException", "ForbiddenException"):
            return NotLoggedInError(f"the SSO token for profile {profile!r} was rejected",
                                    hint=_login_hint(profile))
        if code in ("ResourceNotFoundException",):
            return ApiError(f"role of profile {profile!r} is not assigned to you (any more)",
                            hint="`ssogen sync --prune` removes profiles whose role is gone")
        return ApiError(f"GetRoleCredentials failed for profile {profile!r}: {code}")
    if isinstance(exc, (bex.EndpointConnectionError, bex.ConnectTimeoutError,
                        bex.ReadTimeoutError)):
        endpoint = str((getattr(exc, "kwargs", None) or {}).get("endpoint_url") or "")
        host = "/".join(endpoint.split("/", 3)[:3])  # scheme://host: the path says nothing
        at = f" at {host}" if host else ""  # the portal, or STS for a role chain
        return ApiError(f"cannot reach AWS{at} ({type(exc).__name__})",
                        hint="check the network (or AWS_ENDPOINT_URL_SSO)")
    return ApiError(f"cannot get credentials for profile {profile!r}: {type(exc).__name__}")


def _malformed(exc: Exception, session: Any, profile: str) -> SsogenError | None:
    """botocore reads the SSO token cache and a credential_process's output itself and does
    not check their shape: an empty or hand-edited token file, ``"expiresAt": null``, or a
    process printing no JSON surfaces as a KeyError, TypeError, ValueError or AttributeError.
    What that means in one line; None when it is none of these (a bug, raised as it is)."""
    if _uses_sso(session):
        return NotLoggedInError(f"not logged in for profile {profile!r}: the cached SSO "
                                f"token cannot be used ({type(exc).__name__})",
                                hint=_login_hint(profile))
    if isinstance(exc, ValueError) and _scoped(session).get("credential_process"):
        return ConfigFileError(
            f"profile {profile!r}: its credential_process did not print JSON credentials",
            hint="run that command by hand: it must print {\"Version\": 1, "
            "\"AccessKeyId\": ...} on stdout")
    if isinstance(exc, ValueError):  # a number botocore reads (a timeout, attempts) is not one
        why = str(exc).split(":")[0][:80]  # not the value itself: it may be pasted by mistake
        return ConfigFileError(f"profile {profile!r}: botocore cannot use one of its values "
                               f"({why})", hint="check the profile's settings in the config: "
                               "numbers where botocore expects numbers")
    return None


def _scoped(session: Any) -> dict[str, Any]:
    """The profile's values as botocore has them ({} when even that fails: only asked while
    explaining another failure)."""
    try:
        scoped = session.get_scoped_config()
    except Exception:
        return {}
    return scoped if isinstance(scoped, dict) else {}


def _uses_sso(session: Any) -> bool:
    """Does the session's profile get its credentials through IAM Identity Center?"""
    scoped = _scoped(session)
    return bool(scoped.get("sso_session") or scoped.get("sso_start_url"))


def _short(exc: Exception) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


def render(creds: RoleCredentials, fmt: str) -> str:
    """The text ``export-credentials`` prints (ends with a newline)."""
    return render_fields(creds.access_key_id, creds.secret_access_key, creds.session_token,
                         creds.expiration_iso, fmt)
