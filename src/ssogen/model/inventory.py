"""Accounts and roles reachable through one IAM Identity Center start URL.

The JSON form (``ssogen list --json``, ``--inventory FILE``) is::

    {"session": "acme", "start_url": "https://acme.awsapps.com/start",
     "sso_region": "eu-west-1", "generated_at": "2026-11-26T14:00:00Z",
     "accounts": [{"id": "111122223333", "name": "prod", "email": "p@x",
                   "roles": ["AdministratorAccess", "ReadOnly"]}]}

Accounts are sorted by id and roles by name, so the file is stable and diffs well in git.

Two optional fields per account are known only on the admin side (``ssogen org inventory``,
from AWS Organizations): ``ou_path`` (``"Root/Workloads/Prod"``) and ``tags`` (an object, sorted
by key). They are omitted when unknown -- the portal a user signs in to tells neither -- so a
per-user inventory is written exactly as before.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from ssogen.errors import InventoryError
from ssogen.model.validate import is_account_id, session_name_problem, unwritable
from ssogen.records import field, record

TYPE_CHECKING = False  # no typing import at run time (start-up time, memory)
if TYPE_CHECKING:
    from typing import Any


def utcnow_iso() -> str:
    from datetime import datetime, timezone  # here: reading an inventory needs no clock

    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@record(slots=True)
class Account:
    """One account and the role (permission set) names a user may assume in it.

    ``ou_path`` and ``tags`` are None when unknown (per-user discovery), else what AWS
    Organizations says: the path of OU names from the root, ``/``-separated, and the
    account's tags."""

    id: str
    name: str = ""
    email: str = ""
    roles: list[str] = field(default_factory=list)
    ou_path: str | None = None
    tags: dict[str, str] | None = None

    @property
    def ou(self) -> str:
        """The last element of ``ou_path`` (the account's own OU); empty when unknown."""
        return (self.ou_path or "").rsplit("/", 1)[-1]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "email": self.email,
            "roles": sorted(set(self.roles)),
        }
        if self.ou_path is not None:
            out["ou_path"] = self.ou_path
        if self.tags is not None:
            out["tags"] = {k: self.tags[k] for k in sorted(self.tags)}
        return out


@record
class Inventory:
    session: str
    start_url: str
    sso_region: str
    accounts: list[Account] = field(default_factory=list)
    generated_at: str = field(default_factory=utcnow_iso)

    # -- queries ---------------------------------------------------------------------------
    def pairs(self) -> Iterable[tuple[Account, str]]:
        """Every (account, role name) pair, in stable order."""
        for account in sorted(self.accounts, key=lambda a: a.id):
            for role in sorted(set(account.roles)):
                yield account, role

    @property
    def role_count(self) -> int:
        return sum(len(set(a.roles)) for a in self.accounts)

    def validate(self, source: str = "<inventory>", *, session: bool = True) -> Inventory:
        """Refuse data that would be written into the config file (session name, start URL,
        SSO region, role names) but cannot be written safely: a newline there would inject
        sections or keys. Account names and e-mails are only used through the sanitised
        profile names, so anything goes there. ``session=False``: the caller checks the session
        name it actually writes. Returns ``self``; raises InventoryError."""
        def bad(what: str, value: object) -> InventoryError:
            return InventoryError(f"{source}: {what} {str(value)[:80]!r} cannot be written to "
                                  "a config file (line breaks, control characters or spaces)")

        if session and session_name_problem(self.session):
            raise bad("session name", self.session)
        if unwritable(self.start_url, spaces=False):
            raise bad("start URL", self.start_url)
        if unwritable(self.sso_region, spaces=False):
            raise bad("sso_region", self.sso_region)
        fine: set[str] = set()  # role names already checked (the same roles recur)
        for account in self.accounts:
            if not is_account_id(account.id):
                raise InventoryError(f"{source}: account id {account.id[:40]!r} is not a "
                                     "12-digit account id")
            for role in account.roles:
                if role not in fine:
                    if unwritable(role):
                        raise bad(f"account {account.id}: role name", role)
                    fine.add(role)
        return self

    # -- JSON ------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "session": self.session,
            "start_url": self.start_url,
            "sso_region": self.sso_region,
            "generated_at": self.generated_at,
            "accounts": [a.to_dict() for a in sorted(self.accounts, key=lambda a: a.id)],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_dict(cls, data: Any, source: str = "<inventory>") -> Inventory:
        def bad(what: str) -> InventoryError:
            return InventoryError(f"{source}: {what}")

        if not isinstance(data, dict):
            raise bad("expected a JSON object at the top level")
        for key in ("session", "start_url", "sso_region"):
            if not isinstance(data.get(key), str) or not data[key].strip():
                raise bad(f"missing or empty string field {key!r}")
        generated_at = data.get("generated_at", "")
        if not isinstance(generated_at, str):
            raise bad("field 'generated_at' must be a string")
        raw_accounts = data.get("accounts")
        if not isinstance(raw_accounts, list):
            raise bad("field 'accounts' must be a list")
        accounts: dict[str, Account] = {}
        for i, raw in enumerate(raw_accounts):
            where = f"accounts[{i}]"
            if not isinstance(raw, dict):
                raise bad(f"{where} must be an object")
            acc_id = raw.get("id")
            if isinstance(acc_id, int) and not isinstance(acc_id, bool):
                acc_id = f"{acc_id:012d}"
            if not isinstance(acc_id, str) or not is_account_id(acc_id):
                raise bad(f"{where}.id must be a 12-digit account id, got {acc_id!r:.40}")
            name = raw.get("name", "")
            email = raw.get("email", "")
            if name is None:
                name = ""
            if email is None:
                email = ""
            if not isinstance(name, str) or not isinstance(email, str):
                raise bad(f"{where}: 'name' and 'email' must be strings")
            roles = raw.get("roles", [])
            if not isinstance(roles, list) or not all(
                isinstance(r, str) and r.strip() for r in roles
            ):
                raise bad(f"{where}.roles must be a list of non-empty strings")
            if acc_id in accounts:
                raise bad(f"{where}: account {acc_id} listed twice")
            ou_path = raw.get("ou_path")
            if ou_path is not None and not isinstance(ou_path, str):
                raise bad(f"{where}.ou_path must be a string")
            tags = raw.get("tags")
            if tags is not None and not (isinstance(tags, dict) and all(
                    isinstance(k, str) and isinstance(v, str) for k, v in tags.items())):
                raise bad(f"{where}.tags must be an object of string values")
            accounts[acc_id] = Account(acc_id, name, email, sorted(set(roles)), ou_path,
                                       None if tags is None else dict(sorted(tags.items())))
        return cls(
            session=data["session"],
            start_url=data["start_url"],
            sso_region=data["sso_region"],
            accounts=sorted(accounts.values(), key=lambda a: a.id),
            generated_at=generated_at or utcnow_iso(),
        ).validate(source)

    @classmethod
    def from_json(cls, text: str, source: str = "<inventory>") -> Inventory:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InventoryError(
                f"{source}:{exc.lineno}: not valid JSON ({exc.msg})"
            ) from None
        except RecursionError:
            raise InventoryError(f"{source}: JSON nested too deeply to be an inventory") \
                from None
        except ValueError as exc:  # e.g. an integer of more than 4,300 digits
            raise InventoryError(f"{source}: not an inventory ({str(exc)[:80]})") from None
        return cls.from_dict(data, source)
