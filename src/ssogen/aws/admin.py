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
a phase to finish; they are paced and retried as :mod:`ssogen.aws.admin_calls` says. Anything
that still fails ends the run with a one-line :class:`~ssogen.errors.ApiError` (exit 5). A
partial result is never returned as if complete.

This module computes the view; the services' parts are :mod:`ssogen.aws.admin_assignments`
(``sso-admin``), :mod:`ssogen.aws.admin_identity` (``identitystore``) and
:mod:`ssogen.aws.admin_org` (``organizations``).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

from ssogen.aws.admin_assignments import Assignments, Principal, find_instance
from ssogen.aws.admin_calls import (
    AdminStats,
    Caller,
    Cancelled,
    NotFound,
    Tasks,
    Validation,
)
from ssogen.aws.admin_identity import Group, Memberships, User, find_group, find_user
from ssogen.aws.admin_org import OrgTree
from ssogen.errors import ApiError
from ssogen.model.events import NoProgress
from ssogen.model.inventory import Account
from ssogen.records import field, record

TYPE_CHECKING = False  # no typing import at run time (start-up time, memory)
if TYPE_CHECKING:
    from ssogen.model.events import ProgressSink


@record
class Subject:
    """Whose view was computed: a user (``kind="user"``) or a group, with the accounts and
    roles (permission set names) it reaches, sorted; ``members`` for a group."""

    kind: Literal["user", "group"]
    name: str
    email: str
    accounts: list[Account]
    members: int | None = None


@record
class AdminView:
    instance_arn: str
    identity_store_id: str
    subjects: list[Subject]
    warnings: list[str] = field(default_factory=list)
    groups: int = 0  # groups looked at
    org_accounts: int = 0  # accounts in the organization


@record(frozen=True)
class Target:
    """What to compute: ``user`` (a UserName or primary e-mail), ``group`` (a DisplayName),
    or every user (``all_users``)."""

    user: str | None = None
    group: str | None = None
    all_users: bool = False


@record
class _Run:
    """One discovery's parts, each filled in by the workers."""

    store: str
    org: OrgTree
    assignments: Assignments
    memberships: Memberships


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
    caller = Caller(clients, stats, bar, profile)
    pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="ssogen-admin")
    tasks = Tasks(pool, caller.stop)
    try:
        view = _discover(caller, tasks, bar, target, instance_arn)
    except BaseException as exc:
        caller.stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        if isinstance(exc, Cancelled) and tasks.error is not None:
            exc = tasks.error  # a worker failed first: that is the error to tell
        if isinstance(exc, Cancelled):
            raise ApiError("admin discovery was cancelled") from None
        if isinstance(exc, (NotFound, Validation)):
            raise ApiError(f"{exc}") from None
        raise exc from None
    finally:
        bar.close()
    pool.shutdown(wait=True)
    stats.elapsed = time.monotonic() - started
    return view


def _discover(caller: Caller, tasks: Tasks, progress: ProgressSink, target: Target,
              instance_arn: str | None) -> AdminView:
    """The view, once every task the target's principals spawned is done."""
    instance, store = find_instance(caller, instance_arn)
    org = OrgTree(caller, tasks, progress)
    assignments = Assignments(caller, tasks, org, instance)
    run = _Run(store, org, assignments, Memberships(caller, tasks, store, assignments))
    tasks.spawn(org.walk_roots)  # the organization's tree, while principals are looked up
    users, group_subject = _start(run, caller, tasks, target)
    tasks.wait()
    progress.update(total=len(org.tags), total_final=True)

    user_groups = run.memberships.user_groups
    if target.all_users:
        for group_id, members in run.memberships.members.items():
            for user_id in members:
                user_groups.setdefault(user_id, []).append(group_id)
    missing: set[str] = set()
    subjects = _subjects(run, users, group_subject, user_groups, missing)
    warnings = _warnings(run, group_subject, missing)
    if target.all_users:
        groups = len(run.memberships.members)
    elif target.user is not None:
        groups = len(user_groups.get(users[0].id, []))
    else:
        groups = 1
    return AdminView(instance, store, subjects, warnings, groups=groups,
                     org_accounts=len(org.accounts))


def _start(run: _Run, caller: Caller, tasks: Tasks,
           target: Target) -> tuple[list[User], Group | None]:
    """The target's principals looked up, and the tasks that fetch what they reach spawned:
    the users (every one, for ``all_users``, once the tasks are done) and the group."""
    users: list[User] = []
    group_subject: Group | None = None
    if target.user is not None:
        user = find_user(caller, run.store, target.user)
        users.append(user)
        run.assignments.of("USER", user.id)
        tasks.spawn(run.memberships.fetch_groups_of, user.id)
    elif target.group is not None:
        group_subject = find_group(caller, run.store, target.group)
        tasks.spawn(run.memberships.fetch_members, group_subject.id, False)
        run.assignments.of("GROUP", group_subject.id)
    else:
        tasks.spawn(run.memberships.list_groups)
        tasks.spawn(run.memberships.list_users, users)
    return users, group_subject


def _subjects(run: _Run, users: list[User], group_subject: Group | None,
              user_groups: dict[str, list[str]], missing: set[str]) -> list[Subject]:
    """Each user's view (its own assignments and its groups'), by name; then the group's."""
    subjects: list[Subject] = []
    for user in sorted(users, key=lambda u: u.user_name):
        principals: list[tuple[Principal, str]] = [("USER", user.id)]
        principals += [("GROUP", g) for g in sorted(set(user_groups.get(user.id, [])))]
        subjects.append(Subject("user", user.user_name, user.email,
                                run.assignments.accounts_for(principals, missing)))
    if group_subject is not None:
        members = run.memberships.members
        subjects.append(Subject("group", group_subject.name, "",
                                run.assignments.accounts_for([("GROUP", group_subject.id)],
                                                             missing),
                                members=len(members.get(group_subject.id, []))))
    return subjects


def _warnings(run: _Run, group_subject: Group | None, missing: set[str]) -> list[str]:
    warnings = []
    if missing:
        ids = sorted(missing)
        shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
        warnings.append(f"{len(ids)} assigned account{'s' if len(ids) != 1 else ''} not in "
                        f"the organization (closed or removed?) left out: {shown}")
    if group_subject is not None and not run.memberships.members.get(group_subject.id):
        warnings.append(f"group {group_subject.name!r} has no members: no portal lists these "
                        "accounts yet")
    return warnings
