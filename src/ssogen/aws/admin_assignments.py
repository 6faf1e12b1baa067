"""The ``sso-admin`` side of an admin-side discovery (:mod:`ssogen.aws.admin`): the instance
(``ListInstances``), each principal's account assignments
(``ListAccountAssignmentsForPrincipal``) and the names of the permission sets they refer to
(``DescribePermissionSet``) -- a permission set's name is the role name the portal lists.

Each new account an assignment names has its tags fetched (:class:`~ssogen.aws.admin_org.
OrgTree`), each new permission set its description, as soon as the assignment is read."""

from __future__ import annotations

import collections
import threading
from typing import Any, Literal

from ssogen.aws.admin_calls import Caller, NotFound, Tasks
from ssogen.aws.admin_org import OrgTree
from ssogen.errors import ApiError, UsageError
from ssogen.model.inventory import Account

Principal = Literal["USER", "GROUP"]


def find_instance(caller: Caller, instance_arn: str | None) -> tuple[str, str]:
    """The ARN and identity store id of the instance: the one ``instance_arn`` names, else
    the only one visible (several, or none: a one-line UsageError)."""
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
        raise UsageError(f"{caller.who()} sees no IAM Identity Center instance in this "
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


class Assignments:
    """Who is assigned what, filled in by the workers: each principal's (account, permission
    set ARN) pairs and each permission set's name."""

    def __init__(self, caller: Caller, tasks: Tasks, org: OrgTree, instance_arn: str) -> None:
        self.caller = caller
        self.tasks = tasks
        self.org = org
        self.instance_arn = instance_arn
        self.lock = threading.Lock()
        self.assignments: dict[tuple[Principal, str], set[tuple[str, str]]] = {}
        self.permission_sets: dict[str, str] = {}  # ARN -> name ("" while being described)

    def of(self, kind: Principal, principal_id: str) -> None:
        """The principal's assignments, fetched concurrently."""
        self.tasks.spawn(self.fetch, kind, principal_id)

    def fetch(self, kind: Principal, principal_id: str) -> None:
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
        new_sets = []
        with self.lock:
            self.assignments[(kind, principal_id)] = found
            for _, arn in found:
                if arn not in self.permission_sets:
                    self.permission_sets[arn] = ""
                    new_sets.append(arn)
        self.org.want_tags(account for account, _ in found)
        for arn in new_sets:
            self.tasks.spawn(self.describe, arn)

    def describe(self, arn: str) -> None:
        try:
            resp = self.caller.call("sso-admin", "DescribePermissionSet",
                                    f"DescribePermissionSet {arn}",
                                    InstanceArn=self.instance_arn, PermissionSetArn=arn)
        except NotFound:
            raise ApiError(f"DescribePermissionSet {arn}: the assigned permission set does "
                           "not exist (deleted during the run?)") from None
        name = str((resp.get("PermissionSet") or {}).get("Name") or "")
        if not name:
            raise ApiError(f"DescribePermissionSet {arn}: the permission set has no name")
        with self.lock:
            self.permission_sets[arn] = name

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
            known = self.org.accounts.get(account_id)
            tags = self.org.tags.get(account_id)
            if known is None or tags is None:
                missing.add(account_id)
                continue
            out.append(Account(account_id, known.name, known.email, sorted(roles[account_id]),
                               ou_path=known.ou_path, tags=dict(sorted(tags.items()))))
        return out
