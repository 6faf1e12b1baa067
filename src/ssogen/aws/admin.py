"""Admin-side discovery: what each user's AWS access portal lists, read with an administrator's
credentials instead of every user's login.

With credentials of the IAM Identity Center management or delegated-administrator account
(resolved by botocore the normal way: ``--profile``, ``AWS_PROFILE``, environment, SSO
profiles), three services answer what the portal computes for a user:

* ``sso-admin``: the instance (``ListInstances``), each principal's account assignments
  (``ListAccountAssignmentsForPrincipal``) and the names of the permission sets they refer to
  (``DescribePermissionSet``) -- a permission set's name is the role name the portal lists;
* ``identitystore``: users (``GetUserId``/``DescribeUser``, ``ListUsers``), groups
  (``GetGroupId``, ``ListGroups``) and memberships (``ListGroupMembershipsForMember``,
  ``ListGroupMemberships``);
* ``organizations``: every account's name, e-mail and OU path from one walk of the tree
  (``ListRoots``, ``ListOrganizationalUnitsForParent``, ``ListAccountsForParent``: a few calls
  per OU instead of ``ListParents`` per account), and the tags of the accounts that matter
  (``ListTagsForResource``).

A user's accounts and roles are the union of the assignments made to the user and to each of
the user's groups, deduplicated; accounts without an assignment are left out, and so are
accounts that are assigned but no longer in the organization (reported as warnings).

The calls run in a bounded thread pool, each task spawning the calls its answer makes possible
(a new permission set ARN -> its description; a new account -> its tags), so nothing waits for
a phase to finish. Pacing and retries follow :mod:`ssogen.aws.discovery`: botocore's retries
are off, each API has an :class:`~ssogen.aws.discovery.AdaptiveRateLimiter` shared by all
workers (these APIs are throttled per operation; :class:`_Limiter` adds a cold start for a
throttle before any success), throttles are retried through it, 5xx and
dropped connections with exponential backoff and full jitter. Anything that still fails ends
the run with a one-line :class:`~ssogen.errors.ApiError` (exit 5); an access denial names the
API and the IAM permission it needs. A partial result is never returned as if complete.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ssogen.aws.discovery import (
    THROTTLE_CODES,
    AdaptiveRateLimiter,
    Attempts,
    error_parts,
)
from ssogen.errors import ApiError, ConfigFileError, NotLoggedInError, UsageError
from ssogen.model.events import NoProgress, ProgressSink
from ssogen.model.inventory import Account

if TYPE_CHECKING:
    from ssogen.inifile.model import FileModel

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

Principal = Literal["USER", "GROUP"]


@dataclass
class AdminStats:
    """Counters for one run (for the summary line, tests and the benchmark)."""

    calls: int = 0
    throttled: int = 0
    retried: int = 0  # 5xx and connection errors
    elapsed: float = 0.0
    by_api: collections.Counter[str] = field(default_factory=collections.Counter)


@dataclass(frozen=True)
class User:
    id: str
    user_name: str
    email: str  # the primary e-mail ("" if none)


@dataclass(frozen=True)
class Group:
    id: str
    name: str  # DisplayName


@dataclass
class Subject:
    """Whose view was computed: a user (``kind="user"``) or a group, with the accounts and
    roles (permission set names) it reaches, sorted; ``members`` for a group."""

    kind: Literal["user", "group"]
    name: str
    email: str
    accounts: list[Account]
    members: int | None = None


@dataclass
class AdminView:
    instance_arn: str
    identity_store_id: str
    subjects: list[Subject]
    warnings: list[str] = field(default_factory=list)
    groups: int = 0  # groups looked at
    org_accounts: int = 0  # accounts in the organization


@dataclass(frozen=True)
class Target:
    """What to compute: ``user`` (a UserName or primary e-mail), ``group`` (a DisplayName),
    or every user (``all_users``)."""

    user: str | None = None
    group: str | None = None
    all_users: bool = False


class _Limiter(AdaptiveRateLimiter):
    """The portal discovery's limiter with a cold start: a throttle that comes before
    ``MIN_SIGNAL`` successes in the window (the first call, say, when another tool spent the
    budget) tells nothing about the sustainable rate, and cutting to that measured rate would
    pace at ``MIN_RATE`` (0.5/s) and take minutes to climb back. Then it paces at
    ``COLD_START_RATE`` instead and lets the usual rules (a cut per throttle burst, growth while
    none arrives) find the limit."""

    MIN_SIGNAL = 5
    COLD_START_RATE = 5.0

    def throttled(self) -> None:
        with self._lock:
            now = self._clock()
            if self.rate is None and self.measured_rate(now) * self.WINDOW < self.MIN_SIGNAL:
                self._last_throttle = self._last_cut = now
                self.rate = self.COLD_START_RATE
                self._next = max(self._next, now)
                log.debug("throttled at the start: pacing at %.1f req/s", self.rate)
                return
        super().throttled()


class _NotFound(Exception):
    """A lookup (``GetUserId``, ``GetGroupId``, tags of an account) found nothing."""


class _Validation(Exception):
    """The service refused the request's shape (``ValidationException``)."""


class _Cancelled(Exception):
    pass


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

    from ssogen.aws.clients import botocore_session

    session = botocore_session(model)
    if config_path:
        session.set_config_variable("config_file", config_path)
    if profile:
        try:
            available = session.available_profiles
        except bex.ConfigParseError as exc:
            raise ConfigFileError(f"cannot parse the AWS config: {_short(exc)}") from None
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
        config = Config(region_name=region, retries={"mode": "standard",
                                                     "total_max_attempts": 1},
                        max_pool_connections=max_workers + 4, connect_timeout=10,
                        read_timeout=30)
        return {name: boto.client(name, config=config) for name in SERVICES}, region
    except bex.ProfileNotFound as exc:
        raise ConfigFileError(f"{exc}", hint="unset AWS_PROFILE or create that profile") \
            from None
    except bex.BotoCoreError as exc:
        raise ConfigFileError(f"cannot set up the admin clients: {_short(exc)}") from None


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return "".join(c if c.isprintable() else "?" for c in text)[:200]


# -- calls: paced and retried ---------------------------------------------------------------
class _Caller:
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
            raise _Cancelled

    def _who(self) -> str:
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
                raise _Cancelled
            self._sleep(limiter.reserve())
            self._count("calls", api)
            try:
                resp: dict[str, Any] = method(**params)
            except bex.ClientError as exc:
                code, status, err = error_parts(exc)
                if status == 429 or code in THROTTLE_CODES:
                    attempts.throttle(limiter, code or "HTTP 429")
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
                raise UsageError(f"no AWS credentials for {self._who()}",
                                 hint="--profile NAME: a profile of the IAM Identity Center "
                                 "management or delegated-administrator account") from None
            except self._token_exc:
                name = self.profile or "default"
                raise NotLoggedInError(f"{self._who()} is an SSO profile without a usable "
                                       "token", hint=f"ssogen login --profile {name} (or aws "
                                       f"sso login --profile {name}), then try again") \
                    from None
            except bex.BotoCoreError as exc:
                raise ApiError(f"{what}: {type(exc).__name__}: {_short(exc)}") from None
            limiter.success()
            return resp

    def _refuse(self, service: str, api: str, what: str, code: str, status: int,
                err: dict[str, Any]) -> None:
        """Raise the error a refused (non-retryable) call means."""
        if code in _NOT_FOUND:
            raise _NotFound(f"{what}: {code}")
        if code == "ValidationException":
            raise _Validation(f"{what}: {_short(Exception(str(err.get('Message', ''))))}")
        if code in _ACCESS_DENIED or (status == 403 and code not in _BAD_CREDENTIALS):
            raise ApiError(f"{what}: access denied: {self._who()} needs the IAM permission "
                           f"{IAM_PREFIX[service]}:{api}",
                           hint="use credentials of the IAM Identity Center management or "
                           "delegated-administrator account, with read access to "
                           "sso, identitystore and organizations") from None
        if code in _BAD_CREDENTIALS:
            raise ApiError(f"{what}: the credentials of {self._who()} were rejected ({code})",
                           hint="renew them (expired session?) and try again") from None
        if code == "AWSOrganizationsNotInUseException":
            raise ApiError(f"{what}: the admin account is not in an organization (AWS "
                           "Organizations)",
                           hint="use the management or a delegated-administrator account") \
                from None
        message = _short(Exception(str(err.get("Message", "")))) if err.get("Message") else ""
        raise ApiError(f"{what}: {code or 'error'} (HTTP {status})"
                       + (f": {message}" if message else "")) from None

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
class _Tasks:
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
                if self._error is None or isinstance(self._error, _Cancelled):
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


# -- the run ------------------------------------------------------------------------------
class _Run:
    """The state of one discovery: what has been fetched, filled in by the workers."""

    def __init__(self, caller: _Caller, tasks: _Tasks, progress: ProgressSink) -> None:
        self.caller = caller
        self.tasks = tasks
        self.progress = progress
        self.lock = threading.Lock()
        self.instance_arn = ""
        self.store = ""
        # organizations
        self.org_accounts: dict[str, Account] = {}  # id -> name, email, ou_path (no roles)
        self.tags: dict[str, dict[str, str] | None] = {}  # None: not in the organization
        # sso-admin
        self.assignments: dict[tuple[Principal, str], set[tuple[str, str]]] = {}
        self.permission_sets: dict[str, str] = {}  # ARN -> name ("" while being described)
        # identitystore
        self.members: dict[str, list[str]] = {}  # group id -> user ids
        self.tags_done = 0
        self.user_groups: dict[str, list[str]] = {}  # user id -> group ids (one user)

    # organizations ----------------------------------------------------------------------
    def walk(self, parent_id: str, path: str) -> None:
        """One OU (or the root): its accounts and, concurrently, each child OU."""
        self.tasks.spawn(self._accounts_under, parent_id, path)
        for ou in self.caller.pages("organizations", "ListOrganizationalUnitsForParent",
                                    "OrganizationalUnits",
                                    f"ListOrganizationalUnitsForParent {parent_id}",
                                    ParentId=parent_id):
            name = str(ou.get("Name") or ou.get("Id") or "?")
            self.tasks.spawn(self.walk, str(ou["Id"]), f"{path}/{name}")

    def _accounts_under(self, parent_id: str, path: str) -> None:
        for raw in self.caller.pages("organizations", "ListAccountsForParent", "Accounts",
                                     f"ListAccountsForParent {parent_id}",
                                     ParentId=parent_id):
            acc_id = str(raw.get("Id") or "")
            if acc_id:
                with self.lock:
                    self.org_accounts[acc_id] = Account(acc_id, str(raw.get("Name") or ""),
                                                        str(raw.get("Email") or ""),
                                                        ou_path=path)

    def walk_roots(self) -> None:
        for root in self.caller.pages("organizations", "ListRoots", "Roots", "ListRoots"):
            self.tasks.spawn(self.walk, str(root["Id"]), str(root.get("Name") or "Root"))

    def fetch_tags(self, account_id: str) -> None:
        tags: dict[str, str] | None
        try:
            tags = {str(tag.get("Key")): str(tag.get("Value") or "") for tag in
                    self.caller.pages("organizations", "ListTagsForResource", "Tags",
                                      f"ListTagsForResource {account_id}",
                                      ResourceId=account_id)}
        except (_NotFound, _Validation):
            tags = None  # assigned, but not (any more) an account of the organization
        with self.lock:
            self.tags[account_id] = tags
            self.tags_done += 1
            done = self.tags_done
        self.progress.update(done=done)

    # sso-admin ----------------------------------------------------------------------------
    def fetch_assignments(self, kind: Principal, principal_id: str) -> None:
        found: set[tuple[str, str]] = set()
        for item in self.caller.pages("sso-admin", "ListAccountAssignmentsForPrincipal",
                                      "AccountAssignments",
                                      f"ListAccountAssignmentsForPrincipal {kind} "
                                      f"{principal_id}",
                                      InstanceArn=self.instance_arn, PrincipalId=principal_id,
                                      PrincipalType=kind):
            account, arn = item.get("AccountId"), item.get("PermissionSetArn")
            if isinstance(account, str) and isinstance(arn, str) and account and arn:
                found.add((account, arn))
        new_accounts, new_sets = [], []
        with self.lock:
            self.assignments[(kind, principal_id)] = found
            for account, arn in found:
                if account not in self.tags:
                    self.tags[account] = {}
                    new_accounts.append(account)
                if arn not in self.permission_sets:
                    self.permission_sets[arn] = ""
                    new_sets.append(arn)
            total = len(self.tags)
        self.progress.update(total=total)
        for account in new_accounts:
            self.tasks.spawn(self.fetch_tags, account)
        for arn in new_sets:
            self.tasks.spawn(self.describe, arn)

    def assignments_of(self, kind: Principal, principal_id: str) -> None:
        self.tasks.spawn(self.fetch_assignments, kind, principal_id)

    def describe(self, arn: str) -> None:
        try:
            resp = self.caller.call("sso-admin", "DescribePermissionSet",
                                    f"DescribePermissionSet {arn}",
                                    InstanceArn=self.instance_arn, PermissionSetArn=arn)
        except _NotFound:
            raise ApiError(f"DescribePermissionSet {arn}: the assigned permission set does "
                           "not exist (deleted during the run?)") from None
        name = str((resp.get("PermissionSet") or {}).get("Name") or "")
        if not name:
            raise ApiError(f"DescribePermissionSet {arn}: the permission set has no name")
        with self.lock:
            self.permission_sets[arn] = name

    # identitystore ------------------------------------------------------------------------
    def fetch_members(self, group_id: str, then_assignments: bool) -> None:
        users = [str((m.get("MemberId") or {}).get("UserId") or "")
                 for m in self.caller.pages("identitystore", "ListGroupMemberships",
                                            "GroupMemberships",
                                            f"ListGroupMemberships {group_id}",
                                            IdentityStoreId=self.store, GroupId=group_id)]
        with self.lock:
            self.members[group_id] = [u for u in users if u]
        if then_assignments and users:  # a group nobody is in gives nobody anything
            self.assignments_of("GROUP", group_id)

    def fetch_groups_of(self, user_id: str) -> None:
        """One user's groups, and the assignments of each."""
        ids = [str(m.get("GroupId")) for m in self.caller.pages(
            "identitystore", "ListGroupMembershipsForMember", "GroupMemberships",
            f"ListGroupMembershipsForMember {user_id}", IdentityStoreId=self.store,
            MemberId={"UserId": user_id}) if m.get("GroupId")]
        with self.lock:
            self.user_groups[user_id] = ids
        for group_id in ids:
            self.assignments_of("GROUP", group_id)

    def list_users(self, into: list[User]) -> None:
        """Every user (appended to ``into``), and the assignments of each."""
        for raw in self.caller.pages("identitystore", "ListUsers", "Users", "ListUsers",
                                     IdentityStoreId=self.store):
            user = User(str(raw["UserId"]), str(raw.get("UserName") or raw["UserId"]),
                        _primary_email(raw))
            with self.lock:
                into.append(user)
            self.assignments_of("USER", user.id)

    def list_groups(self) -> None:
        """Every group; the members of each (and then, if it has any, its assignments)."""
        for raw in self.caller.pages("identitystore", "ListGroups", "Groups", "ListGroups",
                                     IdentityStoreId=self.store):
            self.tasks.spawn(self.fetch_members, str(raw["GroupId"]), True)

    # the views ----------------------------------------------------------------------------
    def accounts_for(self, principals: list[tuple[Principal, str]],
                     missing: set[str]) -> list[Account]:
        """The union of the principals' assignments as accounts with roles, sorted;
        accounts not in the organization are left out (their ids added to ``missing``)."""
        roles: dict[str, set[str]] = collections.defaultdict(set)
        for key in principals:
            for account, arn in self.assignments.get(key, ()):
                roles[account].add(self.permission_sets[arn])
        out = []
        for account_id in sorted(roles):
            known = self.org_accounts.get(account_id)
            tags = self.tags.get(account_id)
            if known is None or tags is None:
                missing.add(account_id)
                continue
            out.append(Account(account_id, known.name, known.email, sorted(roles[account_id]),
                               ou_path=known.ou_path, tags=dict(sorted(tags.items()))))
        return out


def _instance(caller: _Caller, instance_arn: str | None) -> tuple[str, str]:
    instances = list(caller.pages("sso-admin", "ListInstances", "Instances", "ListInstances"))
    if instance_arn:
        chosen = [i for i in instances if i.get("InstanceArn") == instance_arn]
        if not chosen:
            raise UsageError(f"--instance-arn {instance_arn}: no such IAM Identity Center "
                             f"instance (visible: {_arns(instances) or 'none'})")
    else:
        chosen = instances
        if len(chosen) > 1:
            raise UsageError(f"{len(chosen)} IAM Identity Center instances: choose one with "
                             f"--instance-arn ({_arns(instances)})")
    if not chosen:
        raise UsageError(f"{caller._who()} sees no IAM Identity Center instance in this "
                         "region", hint="--sso-region: the region IAM Identity Center is "
                         "enabled in; --profile: the management or delegated-administrator "
                         "account")
    inst = chosen[0]
    arn, store = str(inst.get("InstanceArn") or ""), str(inst.get("IdentityStoreId") or "")
    if not arn or not store:
        raise ApiError("ListInstances: the instance has no InstanceArn or IdentityStoreId")
    return arn, store


def _arns(instances: list[dict[str, Any]]) -> str:
    return ", ".join(str(i.get("InstanceArn")) for i in instances)


def _primary_email(user: dict[str, Any]) -> str:
    emails = [e for e in user.get("Emails") or [] if isinstance(e, dict) and e.get("Value")]
    primary = [e for e in emails if e.get("Primary")]
    chosen = primary or emails[:1]
    return str(chosen[0]["Value"]) if chosen else ""


def _find_user(caller: _Caller, store: str, wanted: str) -> User:
    """The user whose UserName, else whose primary e-mail, is ``wanted``: ``GetUserId`` on
    each (exact); failing both, one pass over ``ListUsers`` compares without regard to case
    (e-mail addresses are not case-sensitive, and a directory may store ``Zoe.OConnor@``)."""
    for path in ("userName", "emails.value"):
        if path == "emails.value" and "@" not in wanted:
            break
        try:
            user_id = caller.call("identitystore", "GetUserId", f"GetUserId {path}",
                                  IdentityStoreId=store, AlternateIdentifier={
                                      "UniqueAttribute": {"AttributePath": path,
                                                          "AttributeValue": wanted}}
                                  )["UserId"]
        except (_NotFound, _Validation):
            continue
        raw = caller.call("identitystore", "DescribeUser", f"DescribeUser {user_id}",
                          IdentityStoreId=store, UserId=user_id)
        email = _primary_email(raw)
        if path == "emails.value" and email.lower() != wanted.lower():
            continue  # that address is the user's, but not the primary one
        return User(str(user_id), str(raw.get("UserName") or wanted), email)
    folded = wanted.casefold()
    for raw in caller.pages("identitystore", "ListUsers", "Users", "ListUsers",
                            IdentityStoreId=store):
        email = _primary_email(raw)
        if str(raw.get("UserName") or "").casefold() == folded or email.casefold() == folded:
            return User(str(raw["UserId"]), str(raw.get("UserName") or ""), email)
    raise UsageError(f"--user {wanted!r}: no such user in identity store {store} (matched on "
                     "UserName and primary e-mail)")


def _find_group(caller: _Caller, store: str, wanted: str) -> Group:
    """The group whose display name is ``wanted``: ``GetGroupId`` (exact), else one pass over
    ``ListGroups`` without regard to case."""
    try:
        group_id = caller.call("identitystore", "GetGroupId", "GetGroupId",
                               IdentityStoreId=store, AlternateIdentifier={
                                   "UniqueAttribute": {"AttributePath": "displayName",
                                                       "AttributeValue": wanted}})["GroupId"]
        return Group(str(group_id), wanted)
    except (_NotFound, _Validation):
        pass
    folded = wanted.casefold()
    for raw in caller.pages("identitystore", "ListGroups", "Groups", "ListGroups",
                            IdentityStoreId=store):
        name = str(raw.get("DisplayName") or "")
        if name.casefold() == folded:
            return Group(str(raw["GroupId"]), name)
    raise UsageError(f"--group {wanted!r}: no such group in identity store {store} "
                     "(matched on its display name)")


def discover_admin(clients: dict[str, Any], target: Target, *, instance_arn: str | None = None,
                   progress: ProgressSink | None = None, max_workers: int = 16,
                   stats: AdminStats | None = None, profile: str | None = None) -> AdminView:
    """The accounts and roles of ``target`` as its portal lists them. One-line errors:
    UsageError (2) for an unknown user or group or an ambiguous instance, ApiError (5) for a
    call that fails after retries or is denied; never a partial view."""
    if max_workers < 1:
        raise ValueError("max_workers must be at least 1")
    if sum((target.user is not None, target.group is not None, target.all_users)) != 1:
        raise ValueError("a target is exactly one of user, group, all_users")
    stats = stats if stats is not None else AdminStats()
    bar = progress if progress is not None else NoProgress()
    started = time.monotonic()
    caller = _Caller(clients, stats, bar, profile)
    pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="ssogen-admin")
    tasks = _Tasks(pool, caller.stop)
    run = _Run(caller, tasks, bar)
    try:
        view = _discover(run, caller, target, instance_arn)
    except BaseException as exc:
        caller.stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        if isinstance(exc, _Cancelled) and tasks.error is not None:
            exc = tasks.error  # a worker failed first: that is the error to tell
        if isinstance(exc, _Cancelled):
            raise ApiError("admin discovery was cancelled") from None
        if isinstance(exc, (_NotFound, _Validation)):
            raise ApiError(f"{exc}") from None
        raise exc from None
    finally:
        bar.close()
    pool.shutdown(wait=True)
    stats.elapsed = time.monotonic() - started
    return view


def _discover(run: _Run, caller: _Caller, target: Target,
              instance_arn: str | None) -> AdminView:
    run.instance_arn, run.store = _instance(caller, instance_arn)
    store = run.store
    run.tasks.spawn(run.walk_roots)  # the organization's tree, while principals are looked up
    users: list[User] = []
    group_subject: Group | None = None
    if target.user is not None:
        user = _find_user(caller, store, target.user)
        users.append(user)
        run.assignments_of("USER", user.id)
        run.tasks.spawn(run.fetch_groups_of, user.id)
    elif target.group is not None:
        group_subject = _find_group(caller, store, target.group)
        run.tasks.spawn(run.fetch_members, group_subject.id, False)
        run.assignments_of("GROUP", group_subject.id)
    else:
        run.tasks.spawn(run.list_groups)
        run.tasks.spawn(run.list_users, users)
    run.tasks.wait()
    run.progress.update(total=len(run.tags), total_final=True)

    user_groups = run.user_groups
    if target.all_users:
        for group_id, members in run.members.items():
            for user_id in members:
                user_groups.setdefault(user_id, []).append(group_id)
    missing: set[str] = set()
    subjects: list[Subject] = []
    for user in sorted(users, key=lambda u: u.user_name):
        principals: list[tuple[Principal, str]] = [("USER", user.id)]
        principals += [("GROUP", g) for g in sorted(set(user_groups.get(user.id, [])))]
        subjects.append(Subject("user", user.user_name, user.email,
                                run.accounts_for(principals, missing)))
    if group_subject is not None:
        subjects.append(Subject("group", group_subject.name, "",
                                run.accounts_for([("GROUP", group_subject.id)], missing),
                                members=len(run.members.get(group_subject.id, []))))
    warnings = []
    if missing:
        ids = sorted(missing)
        shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
        warnings.append(f"{len(ids)} assigned account{'s' if len(ids) != 1 else ''} not in "
                        f"the organization (closed or removed?) left out: {shown}")
    if group_subject is not None and not run.members.get(group_subject.id):
        warnings.append(f"group {group_subject.name!r} has no members: no portal lists these "
                        "accounts yet")
    if target.all_users:
        groups = len(run.members)
    elif target.user is not None:
        groups = len(user_groups.get(users[0].id, []))
    else:
        groups = 1
    return AdminView(run.instance_arn, store, subjects, warnings, groups=groups,
                     org_accounts=len(run.org_accounts))
