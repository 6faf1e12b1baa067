"""Profile names for an inventory: which (account, role) pairs are wanted, the name the
template gives each (:mod:`ssogen.planning.name_templates`, made safe by
:mod:`ssogen.planning.name_text`), and which names of the file the user chose. Collisions are
resolved by :mod:`ssogen.planning.collisions`; this module is the names' one entry point and
re-exports what callers need of the other three.
"""

from __future__ import annotations

from collections.abc import Mapping

from ssogen.planning.collisions import (  # re-exported
    Holders,
    NameHolder,
    is_generated,
    resolve_collisions,
)
from ssogen.planning.name_templates import (  # re-exported: the names' vocabulary
    kebab,
    render_names,
    resolve_template,
    short_role,
    snake,
    strip_reserved,
)
from ssogen.planning.name_text import (  # re-exported: the text rules
    MAX_NAME_LENGTH,
    RESERVED_NAMES,
    bounded,
    sanitize,
    shorten,
    with_suffix,
)

TYPE_CHECKING = False  # no typing import at run time (start-up time, memory)
if TYPE_CHECKING:
    from ssogen.inifile.model import SectionInfo
    from ssogen.model.inventory import Account, Inventory
    from ssogen.model.settings import Settings

__all__ = ["MAX_NAME_LENGTH", "RESERVED_NAMES", "Holders", "NameHolder", "base_names",
           "bounded", "is_generated", "kebab", "names_chosen_by_user", "preview_names",
           "resolve_collisions", "resolve_template", "sanitize", "shorten", "snake",
           "strip_reserved", "unmatched_includes", "wanted_pairs", "with_suffix"]


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
    return [bounded(n, account.id) for n, (account, _) in zip(raw, pairs, strict=True)]


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
