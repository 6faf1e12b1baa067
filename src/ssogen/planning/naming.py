"""Profile names: templates -> names, sanitising, deterministic collision handling.

Templates are Jinja2 in a :class:`~jinja2.sandbox.SandboxedEnvironment` (a template can come
from a shared config file, so it must not reach Python internals). Variables:

``account_name``  the account's name (its id when the name is empty or has no usable character)
``account_id``    the 12-digit account id
``account_email`` the account's e-mail address
``role_name``     the permission set (role) name as AWS reports it
``role``          ``role_name`` mapped through ``role_aliases`` and without ``AWSReservedSSO_``
``session``       the sso-session name

Filters besides Jinja's own (``lower``, ``upper``, ``replace``, ``trim``, ...): ``kebab``,
``snake``, ``strip_prefix(p)``, ``strip_suffix(s)``, ``alias`` (through ``role_aliases``) and
``truncate_to(n)``. Named presets live in ``templates/presets.json`` (data, not code).

Whatever the template yields is then sanitised so every AWS tool, shell and the INI header
``[profile NAME]`` accept it as one token: only ``A-Z a-z 0-9 . _ - + @`` survive (accents are
folded: ``Zoë`` -> ``Zoe``), other runs become ``-``, separators are trimmed at both ends and
the length is bounded (a name too long is cut in the middle, where a short hash of the whole
name takes the place of what is cut, so the role and any suffix stay). An empty result falls
back to the account id.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ssogen.errors import UsageError
from ssogen.resources import read_template

if TYPE_CHECKING:
    from ssogen.model.inventory import Account, Inventory
    from ssogen.model.settings import Settings

MAX_NAME_LENGTH = 100
RESERVED_ROLE_PREFIX = "AWSReservedSSO_"
#: Names a generated profile never takes: ``[profile default]`` would override ``[default]``.
RESERVED_NAMES = frozenset({"default"})

_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]+")
_DASHES = re.compile(r"-{2,}")
_EDGE = "-._"
_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_WORD = re.compile(r"[^A-Za-z0-9]+")
_RESERVED_SUFFIX = re.compile(r"_[0-9a-f]{16}$")
_ROW_SEP = "\x1e"  # ASCII record separator: cannot survive sanitising, so never in a name


# -- filters --------------------------------------------------------------------------------
def _words(text: str) -> list[str]:
    text = _fold(str(text))
    return [w for w in _NON_WORD.split(_WORD_BOUNDARY.sub(" ", text)) if w]


@functools.lru_cache(maxsize=4096)
def kebab(text: str) -> str:
    """``AdministratorAccess`` -> ``administrator-access``; ``ACME Prod_1`` -> ``acme-prod-1``."""
    return "-".join(w.lower() for w in _words(text))


@functools.lru_cache(maxsize=4096)
def snake(text: str) -> str:
    return "_".join(w.lower() for w in _words(text))


def strip_prefix(text: str, prefix: str) -> str:
    text = str(text)
    return text[len(prefix):] if prefix and text.startswith(prefix) else text


def strip_suffix(text: str, suffix: str) -> str:
    text = str(text)
    return text[: -len(suffix)] if suffix and text.endswith(suffix) else text


def truncate_to(text: str, length: int) -> str:
    return str(text)[: max(0, int(length))]


def strip_reserved(role_name: str) -> str:
    """``AWSReservedSSO_ReadOnly_0123456789abcdef`` -> ``ReadOnly`` (IAM names of SSO roles)."""
    if role_name.startswith(RESERVED_ROLE_PREFIX):
        return _RESERVED_SUFFIX.sub("", role_name[len(RESERVED_ROLE_PREFIX):]) or role_name
    return role_name


def short_role(role_name: str, aliases: Mapping[str, str]) -> str:
    if role_name in aliases:
        return aliases[role_name]
    stripped = strip_reserved(role_name)
    return aliases.get(stripped, stripped)


# -- sanitising -----------------------------------------------------------------------------
def _fold(text: str) -> str:
    """Fold accents (``é`` -> ``e``) and compatibility forms; other letters stay as they are."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _clean(name: str) -> str:
    """Only safe characters, separators trimmed at both ends; no length bound."""
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


# -- templates ------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def presets() -> dict[str, str]:
    data = json.loads(read_template("presets.json"))
    return {name: p["template"] for name, p in data["presets"].items()}


def resolve_template(value: str) -> str:
    """A preset name or a template -> template text.

    UsageError for an unknown preset, and for a template that does not compile or cannot
    render a sample account (unknown variable, sandbox violation...): checked here, so a flag
    or a remembered setting fails before any login, question or file access."""
    value = (value or "").strip()
    if "{{" in value or "{%" in value:
        _check_template(value)
        return value
    table = presets()
    if value in table:
        return table[value]
    raise UsageError(
        f"unknown name template {value!r}; use a preset ({', '.join(sorted(table))}) "
        "or a Jinja2 template such as '{{ account_name | kebab }}-{{ role | kebab }}'"
    )


#: what a template is tried on before anything else happens (see :func:`resolve_template`)
_SAMPLE_ROW = ("Example Account", "123456789012", "aws@example.com",
               "AWSReservedSSO_ReadOnlyAccess_0123456789abcdef", "ReadOnlyAccess")


@functools.lru_cache(maxsize=32)
def _check_template(template: str) -> None:
    if compile_simple(template, "session", {}) is not None:
        return  # only variables and plain filters: it renders (no Jinja2 import needed)
    render_jinja(template, [_SAMPLE_ROW], "session", {})


@functools.lru_cache(maxsize=1)
def _environment() -> Any:
    from jinja2 import StrictUndefined, pass_context
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined,
                               keep_trailing_newline=False)

    @pass_context
    def alias(ctx: Any, text: str) -> str:
        return short_role(str(text), ctx.get("_aliases") or {})

    env.filters.update(kebab=kebab, snake=snake, strip_prefix=strip_prefix,
                       strip_suffix=strip_suffix, truncate_to=truncate_to, alias=alias)
    return env


@functools.lru_cache(maxsize=32)
def _compile(template: str, batch: bool) -> Any:
    from jinja2 import TemplateError

    env = _environment()
    source = template
    if batch:  # one render for every row: far cheaper than one render() per profile
        source = ("{% for account_name, account_id, account_email, role_name, role in _rows %}"
                  + template + _ROW_SEP + "{% endfor %}")
    try:
        return env.from_string(source)
    except TemplateError as exc:
        raise UsageError(f"invalid name template {template!r}: {exc}") from None


_VARIABLES = ("account_name", "account_id", "account_email", "role_name", "role")
_SIMPLE_EXPR = re.compile(r"\{\{\s*([a-z_]+)((?:\s*\|\s*[a-z_]+)*)\s*\}\}")


def _simple_filters(aliases: Mapping[str, str]) -> dict[str, Any]:
    return {"lower": str.lower, "upper": str.upper, "trim": str.strip, "kebab": kebab,
            "snake": snake, "alias": lambda text: short_role(text, aliases)}


def compile_simple(template: str, session: str, aliases: Mapping[str, str]) -> Any:
    """A plain-Python renderer for templates that are only literal text and ``{{ variable |
    filter | ... }}`` with argument-less filters (every preset is); None for anything else.

    Same output as Jinja2 (a test holds them equal), without importing or compiling Jinja2:
    that costs more than the whole planning of a 1,000-profile file.
    """
    filters = _simple_filters(aliases)
    template = template.replace("\r\n", "\n").replace("\r", "\n")  # as Jinja's lexer does
    parts: list[Any] = []
    pos = 0
    for m in _SIMPLE_EXPR.finditer(template):
        literal = template[pos:m.start()]
        if "{" in literal or "}" in literal:
            return None
        names = [f.strip() for f in m.group(2).split("|") if f.strip()]
        var = m.group(1)
        if var not in (*_VARIABLES, "session") or any(f not in filters for f in names):
            return None
        parts += [literal, (var, [filters[f] for f in names])]
        pos = m.end()
    tail = template[pos:]
    if "{" in tail or "}" in tail:
        return None
    parts.append(tail)
    parts = [p for p in parts if p != ""]

    def render(row: tuple[str, ...]) -> str:
        values = dict(zip(_VARIABLES, row, strict=True), session=session)
        out = []
        for part in parts:
            if isinstance(part, str):
                out.append(part)
                continue
            value = values[part[0]]
            for fn in part[1]:
                value = fn(value)
            out.append(value)
        return "".join(out)

    return render


def render_names(template_value: str, rows: list[tuple[str, str, str, str, str]],
                 session: str, aliases: Mapping[str, str]) -> list[str]:
    """Raw (unsanitised) template output for each ``(name, id, email, role_name, role)``."""
    template = resolve_template(template_value)
    simple = compile_simple(template, session, aliases)
    if simple is not None:
        return [simple(row) for row in rows]
    return render_jinja(template, rows, session, aliases, label=template_value)


def render_jinja(template: str, rows: list[tuple[str, str, str, str, str]], session: str,
                 aliases: Mapping[str, str], *, label: str | None = None) -> list[str]:
    """:func:`render_names` through Jinja2's sandbox (any template)."""
    from jinja2 import TemplateError
    from jinja2.exceptions import SecurityError

    template_value = label or template
    if not rows:
        _compile(template, False)  # still report a broken template
        return []
    context = {"session": session, "_aliases": dict(aliases)}
    try:
        out = _compile(template, True).render(_rows=rows, **context)
        names = out.split(_ROW_SEP)
        if len(names) == len(rows) + 1 and names[-1] == "":
            return names[:-1]
        # the template itself printed the separator: fall back to one render per row
        single = _compile(template, False)
        return [single.render(account_name=r[0], account_id=r[1], account_email=r[2],
                              role_name=r[3], role=r[4], **context) for r in rows]
    except SecurityError as exc:
        raise UsageError(f"name template {template_value!r} is not allowed: {exc}") from None
    except TemplateError as exc:
        raise UsageError(f"name template {template_value!r} failed: {exc}") from None


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
    from fnmatch import fnmatchcase

    fields: set[str] = set()
    for account, role in inventory.pairs():
        fields.update((account.name.lower(), account.id, role.lower()))
    return [p for p in settings.include if not any(fnmatchcase(f, p.lower()) for f in fields)]


def base_names(settings: Settings, pairs: list[tuple[Account, str]]) -> list[str]:
    """Template output, sanitised (empty -> account id), one per pair, no collision handling."""
    rows = []
    for account, role in pairs:
        account_name = account.name if sanitize(account.name) else account.id
        rows.append((account_name, account.id, account.email, role,
                     short_role(role, settings.role_aliases)))
    raw = render_names(settings.name_template, rows, settings.session, settings.role_aliases)
    return [_bounded(n, account.id) for n, (account, _) in zip(raw, pairs, strict=True)]


def _bounded(raw: str, fallback: str) -> str:
    """Sanitised template output; a name too long loses the middle (not the role at the
    end or the start), see :func:`shorten`."""
    text = _clean(raw)
    if not text:
        return sanitize(fallback)
    return shorten(text) if len(text) > MAX_NAME_LENGTH else text


@dataclass(frozen=True)
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
    holders: dict[str, NameHolder] = (
        dict(taken) if isinstance(taken, Mapping)
        else {n: NameHolder("a profile ssogen does not manage") for n in taken})
    for name in chosen:  # names the user gave managed profiles (kept as they are)
        holders.setdefault(name, NameHolder("the name you gave another profile"))
    for name in RESERVED_NAMES:
        holders.setdefault(name, NameHolder("reserved"))
    final = list(names)
    keys = [(a.id, r) for a, r in pairs]
    for i, key in enumerate(keys):
        if key in current:
            final[i] = current[key]
            holders.setdefault(final[i], NameHolder(f"profile {final[i]} of {key[0]}/{key[1]}",
                                                    key[0]))
    todo = sorted((i for i, key in enumerate(keys) if key not in current), key=lambda i: keys[i])
    losers: list[int] = []
    for i in todo:
        base = names[i]
        if base in holders:
            losers.append(i)
        else:
            holders[base] = NameHolder(f"generated for {keys[i][0]}/{keys[i][1]}", keys[i][0])
    messages = []
    for i in losers:
        account, role = pairs[i]
        base = names[i]
        holder = holders[base]
        suffixes = [f"-{account.id}", f"-{account.id}-{role}"]
        if holder.account_id == account.id:
            suffixes.insert(0, f"-{role}")
        choice = next((c for c in (_suffixed(base, x) for x in suffixes) if c not in holders),
                      "")
        n = 2
        while not choice:
            cand = _suffixed(base, f"-{account.id}-{n}")
            if cand not in holders:
                choice = cand
            n += 1
        holders[choice] = NameHolder(f"generated for {account.id}/{role}", account.id)
        final[i] = choice
        why = "is reserved" if holder.what == "reserved" else (
            f"is taken by {holder.what}" if not holder.what.startswith("the name you gave")
            else f"is {holder.what}")
        messages.append(f"profile name {base!r} {why}; {account.id}/{role} gets {choice!r}")
    return final, messages


def is_generated(name: str, base: str, account_id: str, role: str) -> bool:
    """Is ``name`` what :func:`resolve_collisions` makes of ``base`` for this account/role
    (the base itself, or one of its collision suffixes)?"""
    if name == base:
        return True
    if name == _suffixed(base, f"-{role}"):
        return True
    if account_id not in name:
        return False
    if name in (_suffixed(base, f"-{account_id}"), _suffixed(base, f"-{account_id}-{role}")):
        return True
    at = name.rfind(f"-{account_id}-")
    number = name[at + len(account_id) + 2:] if at >= 0 else ""
    return number.isdigit() and name == _suffixed(base, f"-{account_id}-{number}")


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
    from ssogen.model.inventory import Account as _Account

    fake = [(_Account(a.id, _PLACEHOLDER, a.email, [role]), role) for a, role in pairs]
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


def preview_names(settings: Settings, inventory: Inventory) -> list[tuple[Account, str, str]]:
    """(account, role, profile name) for every wanted pair, collisions among them resolved."""
    pairs = wanted_pairs(settings, inventory)
    names, _ = resolve_collisions(pairs, base_names(settings, pairs))
    return [(a, r, n) for (a, r), n in zip(pairs, names, strict=True)]
