"""The calls of an admin-side discovery (:mod:`ssogen.aws.admin`): the signed clients, every
call paced, retried and counted, the error each refusal means, and the tasks that make them.

Pacing and retries follow :mod:`ssogen.aws.discovery`: botocore's retries are off, each API has
an :class:`~ssogen.aws.pacing.AdaptiveRateLimiter` shared by all workers (these APIs are
throttled per operation; :class:`_Limiter` adds a cold start for a throttle before any
success), throttles are retried through it, 5xx and dropped connections with exponential
backoff and full jitter. Anything that still fails is a one-line :class:`~ssogen.errors.ApiError`
(exit 5); an access denial names the API and the IAM permission it needs.

The calls run in a bounded thread pool (:class:`Tasks`), each task spawning the calls its
answer makes possible, so nothing waits for a phase to finish.
"""

from __future__ import annotations

import collections
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from ssogen.aws.discovery import THROTTLE_CODES, Attempts, error_parts
from ssogen.aws.pacing import AdaptiveRateLimiter
from ssogen.errors import ApiError, ConfigFileError, NotLoggedInError, UsageError
from ssogen.records import field, record

if TYPE_CHECKING:
    from ssogen.inifile.model import FileModel
    from ssogen.model.events import ProgressSink

log = logging.getLogger(__name__)

SERVICES = ("sso-admin", "identitystore", "organizations")
#: the IAM service prefix of each API's actions (``sso-admin`` calls are ``sso:...``)
IAM_PREFIX = {"sso-admin": "sso", "identitystore": "identitystore",
              "organizations": "organizations"}
#: the largest page each paged API accepts (Organizations: 20)
PAGE_SIZES = {"ListInstances": 100, "ListAccountAssignmentsForPrincipal": 100,
              "ListUsers": 100, "ListGroups": 100, "ListGroupMemberships": 100,
              "ListGroupMembershipsForMember": 100, "ListOrganizationalUnitsForParent": 20,
              "ListAccountsForParent": 20, "ListRoots": 20}
_ACCESS_DENIED = {"AccessDeniedException", "AccessDenied", "UnauthorizedOperation",
                  "AuthorizationErrorException"}
_BAD_CREDENTIALS = {"UnrecognizedClientException", "InvalidClientTokenId", "ExpiredToken",
                    "ExpiredTokenException", "InvalidSignatureException",
                    "SignatureDoesNotMatch", "IncompleteSignature"}
_TRANSIENT_CODES = {"InternalServerException", "ServiceUnavailable", "ServiceException",
                    "InternalFailure", "InternalError"}
_NOT_FOUND = {"ResourceNotFoundException", "TargetNotFoundException",
              "AccountNotFoundException"}


@record
class AdminStats:
    """Counters for one run (for the summary line, tests and the benchmark)."""

    calls: int = 0
    throttled: int = 0
    retried: int = 0  # 5xx and connection errors
    elapsed: float = 0.0
    by_api: collections.Counter[str] = field(default_factory=collections.Counter)


class _Limiter(AdaptiveRateLimiter):
    """The portal discovery's limiter with a cold start: a throttle that comes before
    ``MIN_SIGNAL`` successes in the window (the first call, say, when another tool spent the
    budget) tells nothing about the sustainable rate, and cutting to that measured rate (or to
    half of one call's send rate) would pace near ``MIN_RATE`` (0.5/s) and take a while to
    climb back. Then the first cut goes no lower than ``COLD_START_RATE`` and the usual rules
    (a cut per round trip, growth while no throttle arrives) find the limit."""

    MIN_SIGNAL = 5
    COLD_START_RATE = 5.0

    def _floor(self, now: float) -> float:
        if self.rate is None and self.measured_rate(now) * self.WINDOW < self.MIN_SIGNAL:
            return self.COLD_START_RATE
        return self.MIN_RATE


class NotFound(Exception):
    """A lookup (``GetUserId``, ``GetGroupId``, tags of an account) found nothing."""


class Validation(Exception):
    """The service refused the request's shape (``ValidationException``)."""


class Cancelled(Exception):
    """The run is stopping (a task failed): a call or a wait gives up."""


# -- clients --------------------------------------------------------------------------------
def admin_clients(*, profile: str | None, region: str | None, config_path: str | None,
                  model: FileModel | None, max_workers: int) -> tuple[dict[str, Any], str]:
    """Signed ``sso-admin``, ``identitystore`` and ``organizations`` clients from the admin
    profile, created the normal way (so ``AWS_ENDPOINT_URL_SSO_ADMIN`` and the others apply)
    with botocore's retries off (this module paces and retries); and the region they use:
    ``region``, else the profile's. One-line errors: unknown profile (2), no region (2)."""
    import boto3
    import botocore.exceptions as bex
    from botocore.config import Config

    from ssogen.aws.clients import botocore_session, feed_credential_chain

    session = botocore_session(model)
    if config_path:
        session.set_config_variable("config_file", config_path)
    if profile:
        try:
            available = session.available_profiles
        except bex.ConfigParseError as exc:
            raise ConfigFileError(f"cannot parse the AWS config: {short(exc)}") from None
        if profile not in available:
            raise UsageError(f"profile {profile!r} not found in the AWS config or "
                             "credentials file",
                             hint="--profile names a profile with credentials of the IAM "
                             "Identity Center management or delegated-administrator account")
        session.set_config_variable("profile", profile)
    try:
        boto = boto3.session.Session(botocore_session=session)
        region = region or boto.region_name
        if not region:
            raise UsageError("no IAM Identity Center region: give --sso-region (or a region "
                             "in the admin profile)")
        feed_credential_chain(session, model, region=region)  # STS in the clients' region
        config = Config(region_name=region, retries={"mode": "standard",
                                                     "total_max_attempts": 1},
                        max_pool_connections=max_workers + 4, connect_timeout=10,
                        read_timeout=30)
        clients = {name: boto.client(name, config=config) for name in SERVICES}
        _resolve_credentials(boto, profile)
        return clients, region
    except bex.ProfileNotFound as exc:
        raise ConfigFileError(f"{exc}", hint="unset AWS_PROFILE or create that profile") \
            from None
    except bex.BotoCoreError as exc:
        raise ConfigFileError(f"cannot set up the admin clients: {short(exc)}") from None
    except ValueError as exc:  # a number botocore reads from the profile is not one
        raise ConfigFileError("cannot set up the admin clients: botocore cannot use a value "
                              f"of the admin profile ({str(exc).split(':')[0][:80]})",
                              hint="check the profile's settings in the config: numbers "
                              "where botocore expects numbers") from None


def _resolve_credentials(boto: Any, profile: str | None) -> None:
    """The admin credentials, resolved before the first call: an SSO admin profile's role
    credentials come from the portal (GetRoleCredentials), an assumed role's from STS, and a
    failure there is said as such -- resolved lazily it would read as a refusal of whatever
    call came first."""
    import botocore.exceptions as bex

    name = profile or boto.profile_name  # --profile, else AWS_PROFILE, else "default"
    who = f"profile {name!r}"
    try:
        credentials = boto.get_credentials()
        if credentials is not None:
            credentials.get_frozen_credentials()
    except (bex.SSOTokenLoadError, bex.TokenRetrievalError, bex.UnauthorizedSSOTokenError,
            bex.SSOError):
        raise NotLoggedInError(f"{who} is an SSO profile without a usable token",
                               hint=f"ssogen login --profile {name} (or aws sso login "
                               f"--profile {name}), then try again") from None
    except bex.ClientError as exc:  # the portal or STS refused the profile's role
        code, status, err = error_parts(exc)
        operation = getattr(exc, "operation_name", "") or "the credentials"
        hint = ("check sso_account_id and sso_role_name against `ssogen list`"
                if operation == "GetRoleCredentials" else
                "check the profile's role_arn and the credentials it starts from")
        raise ApiError(f"{who}: its credentials could not be obtained ({operation}: "
                       f"{_described(code, status, err)})", hint=hint) from None
    except (bex.ConnectionError, bex.HTTPClientError) as exc:
        raise ApiError(f"{who}: its credentials could not be obtained "
                       f"({type(exc).__name__})", hint="check the network (or the "
                       "AWS_ENDPOINT_URL_* variables)") from None
    if credentials is None:
        raise UsageError("no AWS credentials found" + (f" for {who}" if profile else
                                                       " (no --profile, no AWS_PROFILE)"),
                         hint="--profile NAME: a profile of the IAM Identity Center "
                         "management or delegated-administrator account")


def _described(code: str, status: int, err: dict[str, Any]) -> str:
    """A refused call as ``Code (HTTP n): message``, the message one short line."""
    message = short(Exception(str(err.get("Message", "")))) if err.get("Message") else ""
    return f"{code or 'error'} (HTTP {status})" + (f": {message}" if message else "")


def short(exc: BaseException) -> str:
    """An exception as one printable line of at most 200 characters."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return "".join(c if c.isprintable() else "?" for c in text)[:200]


# -- calls: paced and retried ---------------------------------------------------------------
class Caller:
    """Every API call of a run: paced per API, retried, counted, cancellable."""

    def __init__(self, clients: dict[str, Any], stats: AdminStats, progress: ProgressSink,
                 profile: str | None) -> None:
        import botocore
        import botocore.exceptions as bex
        from botocore.parsers import ResponseParserError

        self.clients = clients
        self.stats = stats
        self.progress = progress
        self.profile = profile
        self.stop = threading.Event()
        self._limiters: dict[str, _Limiter] = {}
        self._lock = threading.Lock()
        self._methods: dict[tuple[str, str], Any] = {}
        self._xform = botocore.xform_name
        self._bex = bex
        self._transient_exc = (bex.ConnectionError, bex.HTTPClientError, ResponseParserError)
        self._token_exc = (bex.SSOTokenLoadError, bex.TokenRetrievalError,
                           bex.UnauthorizedSSOTokenError, bex.SSOError)

    def _limiter(self, api: str) -> _Limiter:
        with self._lock:
            return self._limiters.setdefault(api, _Limiter())

    def _count(self, what: str, api: str = "") -> None:
        with self._lock:
            setattr(self.stats, what, getattr(self.stats, what) + 1)
            if api:
                self.stats.by_api[api] += 1
        if what in ("throttled", "retried"):
            self.progress.update(throttled=self.stats.throttled, retried=self.stats.retried)

    def _sleep(self, seconds: float) -> None:
        if seconds > 0 and self.stop.wait(seconds):
            raise Cancelled

    def who(self) -> str:
        """The credentials as the errors name them."""
        return f"profile {self.profile!r}" if self.profile else "the admin credentials"

    def call(self, service: str, api: str, what: str, **params: Any) -> dict[str, Any]:
        key = (service, api)
        method = self._methods.get(key)
        if method is None:
            method = getattr(self.clients[service], self._xform(api))
            self._methods[key] = method
        limiter = self._limiter(api)
        attempts = Attempts(what, self._sleep, self._count)
        bex = self._bex
        while True:
            if self.stop.is_set():
                raise Cancelled
            sent = limiter.acquire(self._sleep)
            self._count("calls", api)
            try:
                resp: dict[str, Any] = method(**params)
            except bex.ClientError as exc:
                code, status, err = error_parts(exc)
                if status == 429 or code in THROTTLE_CODES:
                    attempts.throttle(limiter, code or "HTTP 429", sent)
                    continue
                if status >= 500 or code in _TRANSIENT_CODES:
                    attempts.retry(f"HTTP {status or '5xx'} {code}".rstrip())
                    continue
                self._refuse(service, api, what, code, status, err)
            except self._transient_exc as exc:
                attempts.retry(type(exc).__name__, hint="check the network (or the "
                               "AWS_ENDPOINT_URL_* variables)")
                continue
            except bex.NoCredentialsError:
                raise UsageError(f"no AWS credentials for {self.who()}",
                                 hint="--profile NAME: a profile of the IAM Identity Center "
                                 "management or delegated-administrator account") from None
            except self._token_exc:
                name = self.profile or "default"
                raise NotLoggedInError(f"{self.who()} is an SSO profile without a usable "
                                       "token", hint=f"ssogen login --profile {name} (or aws "
                                       f"sso login --profile {name}), then try again") \
                    from None
            except bex.BotoCoreError as exc:
                raise ApiError(f"{what}: {type(exc).__name__}: {short(exc)}") from None
            limiter.success()
            return resp

    def _refuse(self, service: str, api: str, what: str, code: str, status: int,
                err: dict[str, Any]) -> None:
        """Raise the error a refused (non-retryable) call means."""
        if code in _NOT_FOUND:
            raise NotFound(f"{what}: {code}")
        if code == "ValidationException":
            raise Validation(f"{what}: {short(Exception(str(err.get('Message', ''))))}")
        if code in _ACCESS_DENIED or (status == 403 and code not in _BAD_CREDENTIALS):
            raise ApiError(f"{what}: access denied: {self.who()} needs the IAM permission "
                           f"{IAM_PREFIX[service]}:{api}",
                           hint="use credentials of the IAM Identity Center management or "
                           "delegated-administrator account, with read access to "
                           "sso, identitystore and organizations") from None
        if code in _BAD_CREDENTIALS:
            raise ApiError(f"{what}: the credentials of {self.who()} were rejected ({code})",
                           hint="renew them (expired session?) and try again") from None
        if code == "AWSOrganizationsNotInUseException":
            raise ApiError(f"{what}: the admin account is not in an organization (AWS "
                           "Organizations)",
                           hint="use the management or a delegated-administrator account") \
                from None
        raise ApiError(f"{what}: {_described(code, status, err)}") from None

    def pages(self, service: str, api: str, key: str, what: str,
              **params: Any) -> Iterator[dict[str, Any]]:
        """Every item under ``key`` of every page (``NextToken`` followed, loops refused)."""
        size = PAGE_SIZES.get(api)
        if size:
            params["MaxResults"] = size
        token: str | None = None
        seen: set[str] = set()
        while True:
            page = self.call(service, api, what, **({**params, "NextToken": token}
                                                     if token else params))
            yield from page.get(key) or []
            token = page.get("NextToken") or None
            if not token:
                return
            if token in seen:
                raise ApiError(f"{what}: the service repeated a page token (pagination loop)")
            seen.add(token)


# -- tasks that spawn tasks -----------------------------------------------------------------
class Tasks:
    """Tasks on a bounded pool; a task may spawn others (never wait for them). ``wait``
    returns when none is left, or raises the first failure."""

    def __init__(self, pool: ThreadPoolExecutor, stop: threading.Event) -> None:
        self._pool = pool
        self._stop = stop
        self._cond = threading.Condition()
        self._pending = 0
        self._error: BaseException | None = None

    def spawn(self, fn: Callable[..., None], *args: Any) -> None:
        if self._stop.is_set():
            return
        with self._cond:
            self._pending += 1
        try:
            self._pool.submit(self._run, fn, args)
        except RuntimeError:  # the pool is shutting down: the run is failing anyway
            with self._cond:
                self._pending -= 1
                self._cond.notify_all()

    def _run(self, fn: Callable[..., None], args: tuple[Any, ...]) -> None:
        try:
            fn(*args)
        except BaseException as exc:
            with self._cond:
                if self._error is None or isinstance(self._error, Cancelled):
                    self._error = exc
            self._stop.set()
        finally:
            with self._cond:
                self._pending -= 1
                self._cond.notify_all()

    @property
    def error(self) -> BaseException | None:
        """The first failure of a task (None while there is none)."""
        with self._cond:
            return self._error

    def wait(self) -> None:
        with self._cond:
            while self._pending and self._error is None:
                self._cond.wait(0.25)
            if self._error is not None:
                raise self._error

