"""The ``identitystore`` side of an admin-side discovery (:mod:`ssogen.aws.admin`): users
(``GetUserId``/``DescribeUser``, ``ListUsers``), groups (``GetGroupId``, ``ListGroups``) and
memberships (``ListGroupMembershipsForMember``, ``ListGroupMemberships``). Each principal found
has its assignments fetched (:class:`~ssogen.aws.admin_assignments.Assignments`) as soon as it
is known."""

from __future__ import annotations

import threading
from typing import Any

from ssogen.aws.admin_assignments import Assignments
from ssogen.aws.admin_calls import Caller, NotFound, Tasks, Validation
from ssogen.errors import UsageError
from ssogen.records import record


@record(frozen=True)
class User:
    id: str
    user_name: str
    email: str  # the primary e-mail ("" if none)


@record(frozen=True)
class Group:
    id: str
    name: str  # DisplayName


def primary_email(user: dict[str, Any]) -> str:
    """The user's primary e-mail, else the first one ("" if none)."""
    emails = [e for e in user.get("Emails") or [] if isinstance(e, dict) and e.get("Value")]
    primary = [e for e in emails if e.get("Primary")]
    chosen = primary or emails[:1]
    return str(chosen[0]["Value"]) if chosen else ""


def find_user(caller: Caller, store: str, wanted: str) -> User:
    """The user whose UserName, else whose primary e-mail, is ``wanted``: ``GetUserId`` on
    each (exact); failing both, one pass over ``ListUsers`` compares without regard to case
    (e-mail addresses are not case-sensitive, and a directory may store ``Zoe.OConnor@``).
    That pass refuses an e-mail two users share, naming them."""
    for path in ("userName", "emails.value"):
        if path == "emails.value" and "@" not in wanted:
            break
        try:
            user_id = caller.call("identitystore", "GetUserId", f"GetUserId {path}",
                                  IdentityStoreId=store, AlternateIdentifier={
                                      "UniqueAttribute": {"AttributePath": path,
                                                          "AttributeValue": wanted}}
                                  )["UserId"]
        except (NotFound, Validation):
            continue
        raw = caller.call("identitystore", "DescribeUser", f"DescribeUser {user_id}",
                          IdentityStoreId=store, UserId=user_id)
        email = primary_email(raw)
        if path == "emails.value" and email.lower() != wanted.lower():
            continue  # that address is the user's, but not the primary one
        return User(str(user_id), str(raw.get("UserName") or wanted), email)
    folded = wanted.casefold()
    by_email: list[User] = []
    for raw in caller.pages("identitystore", "ListUsers", "Users", "ListUsers",
                            IdentityStoreId=store):
        user = User(str(raw["UserId"]), str(raw.get("UserName") or ""), primary_email(raw))
        if user.user_name.casefold() == folded:
            return user  # a UserName is one user's
        if user.email.casefold() == folded:
            by_email.append(user)
    if len(by_email) == 1:
        return by_email[0]
    if by_email:  # an e-mail address need not be one user's: never pick one of them
        names = ", ".join(sorted(u.user_name or u.id for u in by_email))
        raise UsageError(f"--user {wanted!r}: {len(by_email)} users of identity store {store} "
                         f"have this primary e-mail ({names})",
                         hint="give the UserName of the one you mean")
    raise UsageError(f"--user {wanted!r}: no such user in identity store {store} (matched on "
                     "UserName and primary e-mail)")


def find_group(caller: Caller, store: str, wanted: str) -> Group:
    """The group whose display name is ``wanted``: ``GetGroupId`` (exact), else one pass over
    ``ListGroups`` without regard to case."""
    try:
        group_id = caller.call("identitystore", "GetGroupId", "GetGroupId",
                               IdentityStoreId=store, AlternateIdentifier={
                                   "UniqueAttribute": {"AttributePath": "displayName",
                                                       "AttributeValue": wanted}})["GroupId"]
        return Group(str(group_id), wanted)
    except (NotFound, Validation):
        pass
    folded = wanted.casefold()
    for raw in caller.pages("identitystore", "ListGroups", "Groups", "ListGroups",
                            IdentityStoreId=store):
        name = str(raw.get("DisplayName") or "")
        if name.casefold() == folded:
            return Group(str(raw["GroupId"]), name)
    raise UsageError(f"--group {wanted!r}: no such group in identity store {store} "
                     "(matched on its display name)")


class Memberships:
    """Who is in which group, filled in by the workers: ``members`` (group id -> user ids)
    and ``user_groups`` (user id -> group ids, for one user looked up)."""

    def __init__(self, caller: Caller, tasks: Tasks, store: str,
                 assignments: Assignments) -> None:
        self.caller = caller
        self.tasks = tasks
        self.store = store
        self.assignments = assignments
        self.lock = threading.Lock()
        self.members: dict[str, list[str]] = {}
        self.user_groups: dict[str, list[str]] = {}

    def fetch_members(self, group_id: str, then_assignments: bool) -> None:
        users = [str((m.get("MemberId") or {}).get("UserId") or "")
                 for m in self.caller.pages("identitystore", "ListGroupMemberships",
                                            "GroupMemberships",
                                            f"ListGroupMemberships {group_id}",
                                            IdentityStoreId=self.store, GroupId=group_id)]
        with self.lock:
            self.members[group_id] = [u for u in users if u]
        if then_assignments and users:  # a group nobody is in gives nobody anything
            self.assignments.of("GROUP", group_id)

    def fetch_groups_of(self, user_id: str) -> None:
        """One user's groups, and the assignments of each."""
        ids = [str(m.get("GroupId")) for m in self.caller.pages(
            "identitystore", "ListGroupMembershipsForMember", "GroupMemberships",
            f"ListGroupMembershipsForMember {user_id}", IdentityStoreId=self.store,
            MemberId={"UserId": user_id}) if m.get("GroupId")]
        with self.lock:
            self.user_groups[user_id] = ids
        for group_id in ids:
            self.assignments.of("GROUP", group_id)

    def list_users(self, into: list[User]) -> None:
        """Every user (appended to ``into``), and the assignments of each."""
        for raw in self.caller.pages("identitystore", "ListUsers", "Users", "ListUsers",
                                     IdentityStoreId=self.store):
            user = User(str(raw["UserId"]), str(raw.get("UserName") or raw["UserId"]),
                        primary_email(raw))
            with self.lock:
                into.append(user)
            self.assignments.of("USER", user.id)

    def list_groups(self) -> None:
        """Every group; the members of each (and then, if it has any, its assignments)."""
        for raw in self.caller.pages("identitystore", "ListGroups", "Groups", "ListGroups",
                                     IdentityStoreId=self.store):
            self.tasks.spawn(self.fetch_members, str(raw["GroupId"]), True)
