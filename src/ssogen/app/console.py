"""``ssogen console``'s flow: the login URL that opens the AWS console as a profile's role.

Role credentials for the profile (:func:`ssogen.aws.credentials.resolve`: for an SSO profile
that is GetRoleCredentials with the cached token, refreshed when it can be; nothing logs in
here) -> a sign-in token from the partition's federation endpoint -> the login URL
(:mod:`ssogen.aws.federation`). The partition is decided by the profile's ``region``, else by
the ``sso_region`` it logs in through (its own, or its ``[sso-session]``'s).

Everything that can be refused without a network call (the duration, the destination, the
region) is refused first. The login URL is a secret: it is returned to the caller, which
either prints it (``--print``) or hands it to the browser; it is never logged and never part of
an error message or a ``repr``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from ssogen.errors import UsageError
from ssogen.records import field, record

if TYPE_CHECKING:
    from ssogen.aws.credentials import RoleCredentials
    from ssogen.aws.federation import Partition
    from ssogen.inifile.model import SectionInfo
    from ssogen.store.snapshot import ConfigSnapshot

#: (federation endpoint, credentials, SessionDuration) -> sign-in token
TokenGetter = Callable[[str, "RoleCredentials", "int | None"], str]


@record(frozen=True)
class ConsoleRequest:
    profile: str
    config_path: str
    destination: str | None = None  # None: the partition's console home
    duration: int | None = None  # SessionDuration in seconds; None: as long as the credentials


@record(frozen=True)
class ConsoleSignin:
    """A console sign-in ready to be opened. ``url`` is a secret (kept out of ``repr``)."""

    url: str = field(repr=False)
    profile: str
    partition: str
    destination: str
    federation_host: str
    account_id: str = ""  # from the profile, when it names them
    role: str = ""
    #: the partition's endpoint is not confirmed by AWS documentation (aws-eusc)
    unconfirmed_endpoint: bool = False

    @property
    def who(self) -> str:
        """``account 123456789012, role ReadOnlyAccess`` (what the profile names), or ''."""
        parts = [f"account {self.account_id}" if self.account_id else "",
                 f"role {self.role}" if self.role else ""]
        return ", ".join(p for p in parts if p)


def _profile_section(snapshot: ConfigSnapshot, profile: str) -> SectionInfo | None:
    """The ``[profile NAME]`` (or ``[default]``) botocore uses: the last of that name."""
    found = None
    for s in snapshot.model.of_kind("profile"):
        if s.name == profile:
            found = s
    return found


def _regions(snapshot: ConfigSnapshot, section: SectionInfo | None) -> tuple[str, str]:
    """The profile's ``region`` and the ``sso_region`` it logs in through ('' when absent)."""
    if section is None:
        return "", ""
    options = section.options
    sso_region = options.get("sso_region", "")
    session_name = options.get("sso_session", "").strip()
    if session_name and not sso_region:
        for s in snapshot.model.of_kind("sso-session"):
            if s.name == session_name:
                sso_region = s.options.get("sso_region", "")
    return options.get("region", ""), sso_region


def plan_partition(snapshot: ConfigSnapshot, profile: str) -> Partition:
    """The partition the profile's console sign-in goes to (see the module docstring)."""
    from ssogen.aws.federation import partition_for

    return partition_for(*_regions(snapshot, _profile_section(snapshot, profile)))


def sign_in(request: ConsoleRequest, snapshot: ConfigSnapshot, *,
            environ: Mapping[str, str] | None = None,
            get_token: TokenGetter | None = None) -> ConsoleSignin:
    """The login URL for ``request.profile`` (one-line SsogenErrors: 2 for a bad request or
    profile, 4 when not logged in, 5 when AWS refuses or cannot be reached)."""
    from urllib.parse import urlsplit

    from ssogen.aws import credentials, federation

    duration = federation.check_duration(request.duration)
    section = _profile_section(snapshot, request.profile)
    partition = federation.partition_for(*_regions(snapshot, section))
    destination = federation.destination_url(partition, request.destination)
    endpoint = federation.federation_endpoint(partition, environ)
    creds = credentials.resolve(request.profile, request.config_path, snapshot.model)
    if not creds.session_token:
        raise UsageError(
            f"profile {request.profile!r} has long-term access keys; the console sign-in "
            "works with temporary role credentials only",
            hint="use a profile of an IAM Identity Center role (or one with role_arn)")
    if get_token is None:
        def get_token(url: str, c: RoleCredentials, d: int | None) -> str:
            return federation.get_signin_token(url, c, d, environ=environ)
    token = get_token(endpoint, creds, duration)
    options = section.options if section is not None else {}
    return ConsoleSignin(
        url=federation.login_url(endpoint, token, destination),
        profile=request.profile, partition=partition.name, destination=destination,
        federation_host=urlsplit(endpoint).netloc,
        account_id=options.get("sso_account_id", ""), role=options.get("sso_role_name", ""),
        unconfirmed_endpoint=(not partition.endpoint.confirmed
                              and federation.endpoint_override(environ) is None))
