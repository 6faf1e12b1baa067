"""The organisation an emulator serves: accounts, their names and emails, and the roles
(permission sets) the signed-in user may assume in each.

Thread-safe: the emulator reads it from many request threads while a test may change it
(``emu.org.add_role(...)``) at the same time.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import random
import re
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from ssogen.errors import InventoryError
from ssogen.model.inventory import Account, Inventory

_ROLE_POOL = [
    "AdministratorAccess",
    "ReadOnlyAccess",
    "PowerUserAccess",
    "ViewOnlyAccess",
    "Billing",
    "SecurityAudit",
    "DatabaseAdministrator",
    "NetworkAdministrator",
    "DataScientist",
    "SupportUser",
]
_TEAMS = ["payments", "search", "identity", "data", "platform", "mobile", "web", "ml",
          "billing", "growth", "infra", "edge"]
_ENVS = ["prod", "staging", "dev", "test", "sandbox"]
#: Every account owns one S3 bucket per purpose (``<account-name>-<purpose>-<account-id>``).
BUCKET_PURPOSES = ("app-data", "logs")
_BUCKET_EPOCH = datetime(2021, 1, 1, tzinfo=timezone.utc)


class Organization:
    """Accounts (12-digit id -> :class:`~ssogen.model.inventory.Account`) behind one start URL."""

    def __init__(self, accounts: list[Account] | None = None) -> None:
        self._lock = threading.RLock()
        self._accounts: dict[str, Account] = {}
        self._sorted_ids: list[str] | None = None  # cache for paging; None = stale
        for acc in accounts or []:
            self.add_account(acc.id, acc.name, acc.email, acc.roles)

    # -- constructors ----------------------------------------------------------------------
    @classmethod
    def sample(cls) -> Organization:
        """A small, realistic organisation for the demo and for tests."""
        return cls([
            Account("210987654321", "acme-prod", "aws+prod@acme.example",
                    ["AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess",
                     "ViewOnlyAccess"]),
            Account("345678901234", "acme-staging", "aws+staging@acme.example",
                    ["AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess"]),
            Account("456789012345", "acme-dev", "aws+dev@acme.example",
                    ["AdministratorAccess", "PowerUserAccess"]),
            Account("567890123456", "shared-services", "aws+shared@acme.example",
                    ["AdministratorAccess", "NetworkAdministrator", "ReadOnlyAccess"]),
            Account("678901234567", "security-audit", "aws+security@acme.example",
                    ["AWSReservedSSO_IncidentResponse_5f1c2e9a7b3d4c60", "ReadOnlyAccess",
                     "SecurityAudit"]),
            Account("789012345678", "sandbox-alice", "alice@acme.example",
                    ["AdministratorAccess"]),
        ])

    @classmethod
    def generate(cls, n: int, seed: int = 0,
                 roles_per_account: tuple[int, int] = (1, 4)) -> Organization:
        """``n`` accounts with deterministic ids, names and 1–4 roles each (by ``seed``)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        lo, hi = roles_per_account
        if not 0 <= lo <= hi <= len(_ROLE_POOL):
            raise ValueError(f"roles_per_account must be within 0..{len(_ROLE_POOL)}")
        rng = random.Random(seed)
        ids: set[str] = set()
        accounts = []
        for i in range(n):
            while True:
                acc_id = f"{rng.randrange(100_000_000_000, 1_000_000_000_000)}"
                if acc_id not in ids:
                    ids.add(acc_id)
                    break
            team = _TEAMS[i % len(_TEAMS)]
            env = _ENVS[(i // len(_TEAMS)) % len(_ENVS)]
            name = f"{team}-{env}-{i:04d}"
            roles = rng.sample(_ROLE_POOL, rng.randint(lo, hi))
            accounts.append(Account(acc_id, name, f"aws+{name}@example.com", roles))
        return cls(accounts)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Organization:
        """Read the inventory JSON format; only ``accounts`` is required."""
        p = Path(path)
        try:
            text = p.read_bytes().decode("utf-8-sig")
        except FileNotFoundError:
            raise InventoryError(f"{p}: organisation file not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InventoryError(f"{p}: cannot read organisation file ({exc})") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InventoryError(f"{p}:{exc.lineno}: not valid JSON ({exc.msg})") from None
        return cls.from_dict(data, str(p))

    @classmethod
    def from_dict(cls, data: Any, source: str = "<organisation>") -> Organization:
        if not isinstance(data, dict):
            raise InventoryError(f"{source}: expected a JSON object at the top level")
        filled = {"session": "emulator", "start_url": "https://emulator.invalid/start",
                  "sso_region": "us-east-1", **data}
        for key in ("session", "start_url", "sso_region"):  # not needed here: never fail on them
            if not isinstance(filled[key], str) or not filled[key].strip():
                filled[key] = "emulator"
        if "accounts" not in data:
            raise InventoryError(f"{source}: missing field 'accounts'")
        return cls(Inventory.from_dict(filled, source).accounts)

    # -- queries ---------------------------------------------------------------------------
    def accounts(self) -> list[Account]:
        """A snapshot (copies), sorted by account id."""
        with self._lock:
            return [Account(a.id, a.name, a.email, list(a.roles))
                    for a in sorted(self._accounts.values(), key=lambda a: a.id)]

    def page(self, after: str | None, size: int) -> tuple[list[Account], bool]:
        """Up to ``size`` accounts with an id greater than ``after`` (copies, by id), and
        whether more follow. Keyed by id, not offset: accounts added or removed between two
        pages never make another account appear twice or go missing."""
        with self._lock:
            if self._sorted_ids is None:
                self._sorted_ids = sorted(self._accounts)
            ids = self._sorted_ids
            start = 0 if after is None else bisect.bisect_right(ids, after)
            chosen = ids[start:start + size]
            page = [Account(a.id, a.name, a.email, list(a.roles))
                    for a in (self._accounts[i] for i in chosen)]
            return page, start + size < len(ids)

    def account(self, account_id: str) -> Account | None:
        with self._lock:
            a = self._accounts.get(account_id)
            return None if a is None else Account(a.id, a.name, a.email, list(a.roles))

    def roles(self, account_id: str) -> list[str] | None:
        """Sorted role names of an account, or None if there is no such account."""
        with self._lock:
            a = self._accounts.get(account_id)
            return None if a is None else sorted(a.roles)

    def has_role(self, account_id: str, role: str) -> bool:
        with self._lock:
            a = self._accounts.get(account_id)
            return a is not None and role in a.roles

    def buckets(self, account_id: str) -> list[tuple[str, datetime]] | None:
        """The S3 buckets of an account (name, creation date), sorted by name; deterministic
        (from the account's id and name). None if there is no such account."""
        acc = self.account(account_id)
        if acc is None:
            return None
        suffix_len = max(len(p) for p in BUCKET_PURPOSES) + len(account_id) + 2
        label = re.sub(r"[^a-z0-9]+", "-", acc.name.lower()).strip("-")
        label = label[:63 - suffix_len].rstrip("-") or "account"
        out = []
        for purpose in BUCKET_PURPOSES:
            digest = hashlib.sha256(f"{account_id}/{purpose}".encode()).digest()
            seconds = int.from_bytes(digest[:4], "big") % (4 * 365 * 86400)
            out.append((f"{label}-{purpose}-{account_id}",
                        _BUCKET_EPOCH + timedelta(seconds=seconds)))
        return sorted(out)

    def __len__(self) -> int:
        with self._lock:
            return len(self._accounts)

    @property
    def role_count(self) -> int:
        with self._lock:
            return sum(len(a.roles) for a in self._accounts.values())

    def to_dict(self) -> dict[str, Any]:
        return {"accounts": [a.to_dict() for a in self.accounts()]}

    def _get(self, account_id: str) -> Account:
        acc = self._accounts.get(account_id)
        if acc is None:
            raise KeyError(f"no account {account_id}")
        return acc

    # -- changes (at runtime, e.g. from a test) --------------------------------------------
    def add_account(self, account_id: str, name: str = "", email: str = "",
                    roles: list[str] | tuple[str, ...] = ()) -> None:
        if not (isinstance(account_id, str) and len(account_id) == 12 and account_id.isdigit()):
            raise ValueError(f"account id must be 12 digits, got {account_id!r}")
        with self._lock:
            if account_id in self._accounts:
                raise ValueError(f"account {account_id} already exists")
            self._accounts[account_id] = Account(account_id, name, email, sorted(set(roles)))
            self._sorted_ids = None

    def remove_account(self, account_id: str) -> None:
        with self._lock:
            if self._accounts.pop(account_id, None) is None:
                raise KeyError(f"no account {account_id}")
            self._sorted_ids = None

    def add_role(self, account_id: str, role: str) -> None:
        if not role or not isinstance(role, str):
            raise ValueError("role name must be a non-empty string")
        with self._lock:
            acc = self._get(account_id)
            if role not in acc.roles:
                acc.roles = sorted([*acc.roles, role])

    def remove_role(self, account_id: str, role: str) -> None:
        with self._lock:
            acc = self._get(account_id)
            if role not in acc.roles:
                raise KeyError(f"account {account_id} has no role {role}")
            acc.roles = [r for r in acc.roles if r != role]
