"""Profile-name collisions: a name someone already holds is never taken over, and a pair
that has a name keeps it, so a profile name never comes to mean another account/role.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping

from ssogen.inifile.model import is_chain
from ssogen.planning.name_text import (
    MAX_NAME_LENGTH,
    RESERVED_NAMES,
    clean,
    sanitize,
    with_suffix,
)
from ssogen.records import record

TYPE_CHECKING = False  # no typing import at run time (start-up time, memory)
if TYPE_CHECKING:
    from ssogen.inifile.model import SectionInfo
    from ssogen.model.inventory import Account

__all__ = ["Holders", "NameHolder", "is_generated", "resolve_collisions"]


class _Claims:
    """The names of the file (looked up lazily) plus the ones given in this run. A name kept
    by its (account id, role) is stored as that key and described only when asked."""

    def __init__(self, outside: Mapping[str, NameHolder]) -> None:
        self.outside = outside
        self.own: dict[str, NameHolder | tuple[str, str]] = {}

    def __contains__(self, name: object) -> bool:
        return name in self.own or name in self.outside

    def __getitem__(self, name: str) -> NameHolder:
        if name not in self.own:
            return self.outside[name]
        holder = self.own[name]
        if isinstance(holder, tuple):
            return NameHolder(f"profile {name} of {holder[0]}/{holder[1]}", holder[0])
        return holder

    def keep(self, names: Iterable[tuple[str, tuple[str, str]]]) -> None:
        """(name, (account id, role)): each name is held by its pair unless already held."""
        own = self.own
        outside = self.outside.sections if isinstance(self.outside, Holders) else self.outside
        for name, key in names:
            if name not in own and name not in outside:
                own[name] = key

    def __setitem__(self, name: str, holder: NameHolder) -> None:
        self.own[name] = holder

    def setdefault(self, name: str, holder: NameHolder) -> None:
        if name not in self:
            self.own[name] = holder


class Holders(Mapping[str, "NameHolder"]):
    """The profile names of a file, each described (as a collision message says who holds
    it) only when asked: building a description per profile would cost more than the
    planning of a 20,000-section file. ``state``: id(section) -> what happens to a managed
    profile of the session in this run ("renamed", "pruned", "stale")."""

    def __init__(self, sections: Mapping[str, SectionInfo], state: Mapping[int, str],
                 source: str) -> None:
        self.sections, self.state, self.source = sections, state, source

    def __getitem__(self, name: str) -> NameHolder:
        s = self.sections[name]
        account = s.options.get("sso_account_id") or None
        where = f"profile {s.name} ({self.source}:{s.line})"
        state = self.state.get(id(s), "")
        if state in ("renamed", "pruned"):
            return NameHolder(f"{where}, {state} in this run (a name is not reused in the run "
                              "that frees it)", account)
        if state == "stale":
            return NameHolder(f"{where}, whose account/role is gone (stale; --prune removes "
                              "it)", account)
        if s.managed and is_chain(s):
            return NameHolder(f"the chained {where} (managed by ssogen)", account)
        if s.managed:
            other = s.options.get("sso_session") or "no session"
            return NameHolder(f"{where} of [sso-session {other}] (managed by ssogen)", account)
        return NameHolder(f"your {where} (not managed by ssogen)", account)

    def __contains__(self, name: object) -> bool:
        return name in self.sections

    def __iter__(self) -> Iterator[str]:
        return iter(self.sections)

    def __len__(self) -> int:
        return len(self.sections)


@record(frozen=True)
class NameHolder:
    """Who already holds a profile name: said in the collision message, and it decides the
    suffix (the role when the holder is the same account, the account id otherwise)."""

    what: str  # e.g. "a hand-written profile", "a profile of [sso-session x] (managed by ssogen)"
    account_id: str | None = None


def resolve_collisions(
    pairs: list[tuple[Account, str]],
    names: list[str],
    taken: Iterable[str] | Mapping[str, NameHolder] = (),
    current: Mapping[tuple[str, str], str] | None = None,
    chosen: Iterable[str] = (),
) -> tuple[list[str], list[str]]:
    """Make ``names`` unique and disjoint from ``taken`` (names someone else holds).

    A profile name is part of a profile's identity, so collision handling only ever names
    pairs that have no name yet: a pair in ``current`` ((account id, role) -> name, decided
    by the caller: its name in the file while that is still one ssogen gives it) keeps that
    name, whatever its base name is now. Among the others, in a group sharing a base name the
    first by account id and role gets the base name if nobody holds it; the rest get a suffix
    that tells them apart: the role when the account is the same as the holder's, else
    ``-<account id>`` (then ``-<account id>-<role>``, then a number). Deterministic. Returns
    the final names and one message per suffixed pair, saying who holds the name.
    """
    current = current or {}
    outside: Mapping[str, NameHolder] = (
        taken if isinstance(taken, Mapping)
        else {n: NameHolder("a profile ssogen does not manage") for n in taken})
    holders = _Claims(outside)  # who holds each name: the file's, then this run's
    for name in chosen:  # names the user gave managed profiles (kept as they are)
        holders.setdefault(name, NameHolder("the name you gave another profile"))
    for name in RESERVED_NAMES:
        holders.setdefault(name, NameHolder("reserved"))
    final = list(names)
    keys = [(a.id, r) for a, r in pairs]
    kept = []
    for i, key in enumerate(keys):
        held = current.get(key)
        if held is not None:
            final[i] = held
            kept.append((held, key))
    holders.keep(kept)
    todo = sorted((i for i, key in enumerate(keys) if key not in current), key=lambda i: keys[i])
    losers: list[int] = []
    for i in todo:
        base = names[i]
        if base in holders:
            losers.append(i)
        else:
            holders[base] = NameHolder(f"the profile generated for {keys[i][0]}/{keys[i][1]}",
                                     keys[i][0])
    messages = []
    for i in losers:
        account, role = pairs[i]
        base = names[i]
        holder = holders[base]
        choice = _suffixed_name(base, account.id, role, holder, holders)
        holders[choice] = NameHolder(f"the profile generated for {account.id}/{role}",
                                     account.id)
        final[i] = choice
        why = "is reserved" if holder.what == "reserved" else (
            f"is taken by {holder.what}" if not holder.what.startswith("the name you gave")
            else f"is {holder.what}")
        messages.append(f"profile name {base!r} {why}; {account.id}/{role} gets {choice!r}")
    return final, messages


def _suffixed_name(base: str, account_id: str, role: str, holder: NameHolder,
                   holders: _Claims) -> str:
    """The first free name of: ``base-<role>`` (only when ``holder`` is of the same
    account), ``base-<account id>``, ``base-<account id>-<role>``, then
    ``base-<account id>-2``, ``-3``, ..."""
    suffixes = [f"-{account_id}", f"-{account_id}-{role}"]
    if holder.account_id == account_id:
        suffixes.insert(0, f"-{role}")
    for suffix in suffixes:
        candidate = with_suffix(base, suffix)
        if candidate not in holders:
            return candidate
    n = 2
    while with_suffix(base, f"-{account_id}-{n}") in holders:
        n += 1
    return with_suffix(base, f"-{account_id}-{n}")


def is_generated(name: str, base: str, account_id: str, role: str) -> bool:
    """Is ``name`` what :func:`resolve_collisions` makes of ``base`` for this account/role
    (the base itself, or one of its collision suffixes)?"""
    if name == base:
        return True
    tail = _role_tail(role)
    # ``base-<role>`` of a clean base (what base_names gives) ends with ``-<role>`` (a cut, if
    # any, is in the base): built only then; any other base is built and compared
    if (tail is None or name.endswith(tail) or clean(base) != base or not base) \
            and name == with_suffix(base, f"-{role}"):
        return True
    if account_id not in name:
        return False
    if name in (with_suffix(base, f"-{account_id}"), with_suffix(base, f"-{account_id}-{role}")):
        return True
    at = name.rfind(f"-{account_id}-")
    number = name[at + len(account_id) + 2:] if at >= 0 else ""
    return number.isdigit() and name == with_suffix(base, f"-{account_id}-{number}")


@functools.lru_cache(maxsize=1024)
def _role_tail(role: str) -> str | None:
    """How ``base-<role>`` ends (``-`` and the sanitised role), None when that is not sure:
    the role sanitises to nothing, or is so long that the length bound may cut into it."""
    safe = sanitize(f"-{role}")
    return f"-{safe}" if safe and len(safe) < MAX_NAME_LENGTH // 2 else None
