"""The organization's side of an admin-side discovery (:mod:`ssogen.aws.admin`): every
account's name, e-mail and OU path from one walk of the tree (``ListRoots``,
``ListOrganizationalUnitsForParent``, ``ListAccountsForParent``: a few calls per OU instead of
``ListParents`` per account), and the tags of the accounts that matter
(``ListTagsForResource``), fetched as soon as an assignment names them."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from ssogen.aws.admin_calls import Caller, NotFound, Tasks, Validation
from ssogen.model.inventory import Account

TYPE_CHECKING = False  # no typing import at run time (start-up time, memory)
if TYPE_CHECKING:
    from ssogen.model.events import ProgressSink


class OrgTree:
    """What the organization tells, filled in by the workers: ``accounts`` (id -> name, e-mail,
    OU path; no roles) and ``tags`` of the assigned accounts (None: not in the organization)."""

    def __init__(self, caller: Caller, tasks: Tasks, progress: ProgressSink) -> None:
        self.caller = caller
        self.tasks = tasks
        self.progress = progress
        self.lock = threading.Lock()
        self.accounts: dict[str, Account] = {}
        self.tags: dict[str, dict[str, str] | None] = {}
        self.tags_done = 0

    def walk_roots(self) -> None:
        """The whole tree, each root's OUs walked concurrently."""
        for root in self.caller.pages("organizations", "ListRoots", "Roots", "ListRoots"):
            self.tasks.spawn(self.walk, str(root["Id"]), str(root.get("Name") or "Root"))

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
                    self.accounts[acc_id] = Account(acc_id, str(raw.get("Name") or ""),
                                                    str(raw.get("Email") or ""),
                                                    ou_path=path)

    def want_tags(self, account_ids: Iterable[str]) -> None:
        """The tags of each of these accounts not asked for yet, fetched concurrently (the
        progress total: every account asked for)."""
        new_accounts = []
        with self.lock:
            for account in account_ids:
                if account not in self.tags:
                    self.tags[account] = {}
                    new_accounts.append(account)
            total = len(self.tags)
        self.progress.update(total=total)
        for account in new_accounts:
            self.tasks.spawn(self.fetch_tags, account)

    def fetch_tags(self, account_id: str) -> None:
        tags: dict[str, str] | None
        try:
            tags = {str(tag.get("Key")): str(tag.get("Value") or "") for tag in
                    self.caller.pages("organizations", "ListTagsForResource", "Tags",
                                      f"ListTagsForResource {account_id}",
                                      ResourceId=account_id)}
        except (NotFound, Validation):
            tags = None  # assigned, but not (any more) an account of the organization
        with self.lock:
            self.tags[account_id] = tags
            self.tags_done += 1
            done = self.tags_done
        self.progress.update(done=done)
