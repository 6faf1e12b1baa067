"""Profile names: the template's output (:mod:`ssogen.planning.name_templates`) made safe,
and collisions resolved so that a name never comes to mean another account/role.

Whatever the template yields is then sanitised so every AWS tool, shell and the INI header
``[profile NAME]`` accept it as one token: only ``A-Z a-z 0-9 . _ - + @`` survive (accents are
folded: ``Zoë`` -> ``Zoe``), other runs become ``-``, separators are trimmed at both ends and
the length is bounded (a name too long is cut in the middle, where a short hash of the whole
name takes the place of what is cut, so the role and any suffix stay). An empty result falls
back to the account id.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping

from ssogen.inifile.model import is_chain
from ssogen.planning.name_templates import (  # re-exported: the names' vocabulary
    _fold,
    kebab,
    render_names,
    resolve_template,
    short_role,
    snake,
    strip_reserved,
)
from ssogen.records import record

TYPE_CHECKING = False  # no typing import at run time (start-up time, memory)
if TYPE_CHECKING:
    from ssogen.inifile.model import SectionInfo
    from ssogen.model.inventory import Account, Inventory
    from ssogen.model.settings import Settings

MAX_NAME_LENGTH = 100
#: Names a generated profile never takes: ``[profile default]`` would override ``[default]``.
RESERVED_NAMES = frozenset({"default"})

__all__ = ["MAX_NAME_LENGTH", "RESERVED_NAMES", "Holders", "NameHolder", "base_names",
           "is_generated", "kebab", "names_chosen_by_user", "preview_names",
           "resolve_collisions", "resolve_template", "sanitize", "shorten", "snake",
           "strip_reserved", "unmatched_includes", "wanted_pairs"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]+")
_DASHES = re.compile(r"-{2,}")
_EDGE = "-._"


# -- sanitising -----------------------------------------------------------------------------
#: a name that is already clean (the common case: one regex call instead of four steps)
_CLEAN = re.compile(r"[A-Za-z0-9@+](?:[A-Za-z0-9._@+-]*[A-Za-z0-9@+])?")


def _clean(name: str) -> str:
    """Only safe characters, separators trimmed at both ends; no length bound."""
    if _CLEAN.fullmatch(name) and "--" not in name:
        return name
    text = _UNSAFE.sub("-", _fold(str(name)))
    return _DASHES.sub("-", text).strip(_EDGE)


def sanitize(name: str, fallback: str = "") -> str:
    """A profile name every AWS tool, shell and INI header accepts as one token."""
    text = _clean(name)
    if len(text) > MAX_NAME_LENGTH:
        text = text[:MAX_NAME_LENGTH].rstrip(_EDGE)
    if not text and fallback:
        return sanitize(fallback)
    return text


_HASH_LENGTH = 6


def shorten(name: str, limit: int = MAX_NAME_LENGTH) -> str:
    """A safe ``name`` cut to ``limit`` characters in the middle: both ends stay (the role,
    wherever the template puts it, and any distinguishing suffix), the cut part is replaced by
    a short hash of the whole name, so names that differ only there stay different.
    Deterministic; names within the limit are returned as they are."""
    if len(name) <= limit:
        return name
    room = limit - _HASH_LENGTH - 2
    if room < 2:
        return name[:limit].rstrip(_EDGE)
    import hashlib

    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:_HASH_LENGTH]
    head_length = room // 2
    head = name[:head_length].rstrip(_EDGE)
    tail = name[len(name) - (room - head_length):].lstrip(_EDGE)
    return "-".join(p for p in (head, digest, tail) if p)


# -- names for an inventory -----------------------------------------------------------------
def wanted_pairs(settings: Settings, inventory: Inventory) -> list[tuple[Account, str]]:
    """(account, role) pairs passing ``include``/``exclude`` (case-insensitive globs on the
    account name, the account id and the role name)."""
    from fnmatch import fnmatchcase

    include = [p.lower() for p in settings.include]
    exclude = [p.lower() for p in settings.exclude]

    def hit(patterns: list[str], account: Account, role: str) -> bool:
        fields = (account.name.lower(), account.id, role.lower())
        return any(fnmatchcase(f, p) for p in patterns for f in fields)

    return [(a, r) for a, r in inventory.pairs()
            if (not include or hit(include, a, r)) and not (exclude and hit(exclude, a, r))]


def unmatched_includes(settings: Settings, inventory: Inventory) -> list[str]:
    """The ``include`` globs that match no account name, account id or role name at all
    (a typo, or accounts/roles that are gone): reported, not silently ignored."""
    if not settings.include:
        return []
    from fnmatch import fnmatchcase

    fields: set[str] = set()
    for account, role in inventory.pairs():
        fields.update((account.name.lower(), account.id, role.lower()))
    return [p for p in settings.include if not any(fnmatchcase(f, p.lower()) for f in fields)]


def base_names(settings: Settings, pairs: list[tuple[Account, str]]) -> list[str]:
    """Template output, sanitised (empty -> account id), one per pair, no collision handling."""
    rows = []
    usable: dict[str, str] = {}  # account id -> the name templates see (once per account)
    shorts: dict[str, str] = {}  # role -> its short form (once per role)
    for account, role in pairs:
        account_name = usable.get(account.id)
        if account_name is None:
            account_name = usable[account.id] = (account.name if sanitize(account.name)
                                                  else account.id)
        short = shorts.get(role)
        if short is None:
            short = shorts[role] = short_role(role, settings.role_aliases)
        rows.append((account_name, account.id, account.email, role, short,
                     account.ou_path or "", account.ou, account.tags))
    raw = render_names(settings.name_template, rows, settings.session, settings.role_aliases)
    return [_bounded(n, account.id) for n, (account, _) in zip(raw, pairs, strict=True)]


def _bounded(raw: str, fallback: str) -> str:
    """Sanitised template output; a name too long loses the middle (not the role at the
    end or the start), see :func:`shorten`."""
    text = _clean(raw)
    if not text:
        return sanitize(fallback)
    return shorten(text) if len(text) > MAX_NAME_LENGTH else text


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
        candidate = _suffixed(base, suffix)
        if candidate not in holders:
            return candidate
    n = 2
    while _suffixed(base, f"-{account_id}-{n}") in holders:
        n += 1
    return _suffixed(base, f"-{account_id}-{n}")


def is_generated(name: str, base: str, account_id: str, role: str) -> bool:
    """Is ``name`` what :func:`resolve_collisions` makes of ``base`` for this account/role
    (the base itself, or one of its collision suffixes)?"""
    if name == base:
        return True
    tail = _role_tail(role)
    # ``base-<role>`` of a clean base (what base_names gives) ends with ``-<role>`` (a cut, if
    # any, is in the base): built only then; any other base is built and compared
    if (tail is None or name.endswith(tail) or _clean(base) != base or not base) \
            and name == _suffixed(base, f"-{role}"):
        return True
    if account_id not in name:
        return False
    if name in (_suffixed(base, f"-{account_id}"), _suffixed(base, f"-{account_id}-{role}")):
        return True
    at = name.rfind(f"-{account_id}-")
    number = name[at + len(account_id) + 2:] if at >= 0 else ""
    return number.isdigit() and name == _suffixed(base, f"-{account_id}-{number}")


@functools.lru_cache(maxsize=1024)
def _role_tail(role: str) -> str | None:
    """How ``base-<role>`` ends (``-`` and the sanitised role), None when that is not sure:
    the role sanitises to nothing, or is so long that the length bound may cut into it."""
    safe = sanitize(f"-{role}")
    return f"-{safe}" if safe and len(safe) < MAX_NAME_LENGTH // 2 else None


_PLACEHOLDER = "Qqzqxqzq"  # survives every case filter as one word; no real account name


def _fits(name: str, parts: list[str]) -> bool:
    """``name`` is ``parts`` joined by non-empty pieces (the placeholder's places)."""
    if not name.startswith(parts[0]):
        return False
    pos = len(parts[0])
    for part in parts[1:-1]:
        found = name.find(part, pos + 1) if part else pos + 1
        if found < 0:
            return False
        pos = found + len(part)
    last = parts[-1]
    return len(name) - len(last) > pos and name.endswith(last)


def any_account_name_matches(settings: Settings, pairs: list[tuple[Account, str]],
                             names: list[str]) -> list[bool]:
    """Per pair, is its ``name`` one the template gives it under *some* account name (the
    account may have been renamed in AWS since its profile was generated), collision suffix
    allowed? False when the name does not depend on the account name, or is nothing but it.
    Linear: one render per pair, string comparisons only."""
    from ssogen.records import replace

    renamed: dict[int, Account] = {}  # one stand-in per account (its roles share it)
    fake = []
    for a, role in pairs:
        stand_in = renamed.get(id(a))
        if stand_in is None:
            stand_in = renamed[id(a)] = replace(a, name=_PLACEHOLDER, roles=[])
        fake.append((stand_in, role))
    out = []
    lower = _PLACEHOLDER.lower()
    for shape, (account, role), name in zip(base_names(settings, fake), pairs, names,
                                            strict=True):
        parts = shape.replace(_PLACEHOLDER.upper(), lower).replace(_PLACEHOLDER, lower) \
            .split(lower)
        if len(parts) == 1 or not "".join(parts):
            out.append(False)
            continue
        stems = [name]
        at = name.rfind(f"-{account.id}")
        if at > 0:
            tail = name[at + len(account.id) + 1:]
            role_part = f"-{sanitize(role)}"
            if tail.startswith(role_part):
                tail = tail[len(role_part):]
            if not tail or (tail[:1] == "-" and tail[1:].isdigit()):
                stems.append(name[:at])
        out.append(any(_fits(stem, parts) for stem in stems))
    return out


def _suffixed(base: str, suffix: str) -> str:
    """``base + suffix`` sanitised, shortening the base (not the distinguishing suffix)."""
    suffix = sanitize(suffix)
    base = shorten(base, max(1, MAX_NAME_LENGTH - len(suffix) - 1))
    return sanitize(f"{base}-{suffix}")


def names_chosen_by_user(pairs: list[tuple[Account, str]], bases: list[str],
                         managed: Mapping[tuple[str, str], SectionInfo], settings: Settings,
                         previous: Settings | None) -> dict[tuple[str, str], str]:
    """(account id, role) -> name of each managed profile whose name ssogen did not give it.

    ssogen renames a managed profile only when its name is one ssogen generates: under the new
    settings, or under the settings remembered from the last run (a template changed through
    ssogen) -- for the account as it is called now or as it may have been called before (an
    account renamed in AWS). Any other name was chosen by the user and stays: renaming it
    would break ``--profile NAME``. Linear; the extra renders only for names that differ.
    """
    odd = [i for i, (a, r) in enumerate(pairs)
           if (s := managed.get((a.id, r.strip()))) is not None and s.name is not None
           and not is_generated(s.name, bases[i], a.id, r)]
    if not odd:
        return {}
    odd_pairs = [pairs[i] for i in odd]
    if previous is not None and _same_names(previous, settings):
        previous = None  # the same names as now: nothing to render twice
    olds = [settings] if previous is None else [previous, settings]
    chosen: dict[tuple[str, str], str] = {}
    left = odd_pairs  # not generated under the current settings (``odd``)
    if previous is not None:
        old_bases = base_names(previous, odd_pairs)
        left = [(a, r) for (a, r), old in zip(odd_pairs, old_bases, strict=True)
                if not is_generated(managed[(a.id, r.strip())].name or "", old, a.id, r)]
    for tpl in olds:
        if not left:
            break
        fits = any_account_name_matches(
            tpl, left, [managed[(a.id, r.strip())].name or "" for a, r in left])
        left = [pair for pair, fit in zip(left, fits, strict=True) if not fit]
    for a, r in left:
        chosen[(a.id, r.strip())] = managed[(a.id, r.strip())].name or ""
    return chosen


def _same_names(a: Settings, b: Settings) -> bool:
    """Do ``a`` and ``b`` give every pair the same base name (what :func:`base_names` reads
    of them is the same)?"""
    return (a.name_template == b.name_template and a.session == b.session
            and a.role_aliases == b.role_aliases)


def preview_names(settings: Settings, inventory: Inventory) -> list[tuple[Account, str, str]]:
    """(account, role, profile name) for every wanted pair, collisions among them resolved."""
    pairs = wanted_pairs(settings, inventory)
    names, _ = resolve_collisions(pairs, base_names(settings, pairs))
    return [(a, r, n) for (a, r), n in zip(pairs, names, strict=True)]
