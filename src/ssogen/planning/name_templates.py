"""Profile-name templates: presets or Jinja2, the filters they use, the rows they name, and a
plain-Python fast path for the common ones (every preset). A template the fast path cannot
render goes through Jinja2's sandbox, :mod:`ssogen.planning.name_jinja` (imported only then: a
template can come from a shared config file, so it must not reach Python internals).

Variables: ``account_name`` (its id when empty or without a usable character), ``account_id``,
``account_email``, ``role_name`` (the permission set as AWS reports it), ``role``
(``role_name`` through ``role_aliases``, without ``AWSReservedSSO_``), ``session``, and what
an admin-side inventory (``ssogen org inventory``) knows from AWS Organizations: ``ou_path``
(``Root/Workloads/Prod``), ``ou`` (its last element, ``Prod``) and ``tags`` (the account's
tags: ``{{ tags.Team }}`` or ``{{ tags["cost-center"] }}``). A per-user inventory knows none of
them: ``ou_path`` and ``ou`` are empty and ``tags`` has no entry.

A tag the account does not carry renders **empty** rather than failing: one untagged account
must not stop the profiles of a thousand others, and the same template must work on per-user
inventories. ``{{ tags.Team | default('shared') }}`` names the fallback; ``tags.Team is
defined`` tests for it. Empty parts collapse when the name is sanitised. A misspelt variable
(``role_nme``) still fails, naming the variables there are and the closest one.

Filters besides Jinja's own: ``kebab``, ``snake``, ``strip_prefix(p)``, ``strip_suffix(s)``,
``alias`` and ``truncate_to(n)``. Presets are data (``templates/presets.json``).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Mapping, Sequence

from ssogen.errors import UsageError
from ssogen.resources import read_template

TYPE_CHECKING = False  # no typing import at run time (start-up time, memory)
if TYPE_CHECKING:
    from typing import Any

RESERVED_ROLE_PREFIX = "AWSReservedSSO_"
_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_WORD = re.compile(r"[^A-Za-z0-9]+")
_RESERVED_SUFFIX = re.compile(r"_[0-9a-f]{16}$")
MAX_TEMPLATE = 2_000  # characters: a name template longer than this is refused


def _fold(text: str) -> str:
    """Fold accents (``é`` -> ``e``) and compatibility forms; other letters stay as they are."""
    if text.isascii():
        return text
    import unicodedata  # only for names that are not ASCII

    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


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


# -- templates ------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def presets() -> dict[str, str]:
    data = json.loads(read_template("presets.json"))
    return {name: p["template"] for name, p in data["presets"].items()}


def quote_template(template: str, limit: int = 80) -> str:
    """``template`` quoted for an error line, its middle elided when long."""
    if len(template) <= limit:
        return repr(template)
    half = (limit - 1) // 2
    return repr(template[:half] + "…" + template[-half:])


def resolve_template(value: str) -> str:
    """A preset name or a template -> template text.

    UsageError for an unknown preset, and for a template that does not compile or cannot
    render a sample account (unknown variable, sandbox violation...): checked here, so a flag
    or a remembered setting fails before any login, question or file access."""
    value = (value or "").strip()
    if len(value) > MAX_TEMPLATE:
        raise UsageError(f"the name template is {len(value):,} characters long (at most "
                         f"{MAX_TEMPLATE:,}): {quote_template(value)}")
    if "{{" in value or "{%" in value:
        _check_template(value)
        return value
    table = presets()
    if value in table:
        return table[value]
    raise UsageError(
        f"unknown name template {quote_template(value)}; use a preset ({', '.join(sorted(table))}) "
        "or a Jinja2 template such as '{{ account_name | kebab }}-{{ role | kebab }}'"
    )


#: One row to name: ``(account_name, account_id, account_email, role_name, role)``, optionally
#: followed by ``(ou_path, ou, tags)`` (rows of five have none of those: empty, empty, no tag).
if TYPE_CHECKING:
    NameRow = tuple[Any, ...]

#: every variable a template can use, in the order the rows carry them (``session`` aside)
ROW_FIELDS = ("account_name", "account_id", "account_email", "role_name", "role", "ou_path",
              "ou", "tags")
TEMPLATE_VARIABLES = (*ROW_FIELDS, "session")

#: what a template is tried on before anything else happens (see :func:`resolve_template`);
#: no tags: a template using one still renders (empty), as it would on a per-user inventory
_SAMPLE_ROW: NameRow = ("Example Account", "123456789012", "aws@example.com",
               "AWSReservedSSO_ReadOnlyAccess_0123456789abcdef", "ReadOnlyAccess",
               "Root/Workloads/Prod", "Prod", {})


class Tags(Mapping[str, str]):
    """An account's tags as a template sees them: ``tags.X`` and ``tags["X"]`` look up the tag
    ``X`` only (never a method: a tag may be called ``items``), and a missing tag is Jinja's
    lenient ``Undefined`` (renders empty, ``default(...)`` replaces it)."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, str] | None = None) -> None:
        self._data = dict(data or {})

    def __getitem__(self, key: str) -> str:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._data))

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return repr(dict(sorted(self._data.items())))


def full_row(row: NameRow) -> NameRow:
    """``row`` with all of :data:`ROW_FIELDS` (missing OU fields empty, tags as :class:`Tags`)."""
    if len(row) < 5 or len(row) > len(ROW_FIELDS):
        raise ValueError(f"a name row has 5 to {len(ROW_FIELDS)} fields, not {len(row)}")
    padded = (*row, "", "", None)[:len(ROW_FIELDS)] if len(row) < len(ROW_FIELDS) else row
    tags = padded[7]
    return (*padded[:7], tags if isinstance(tags, Tags) else Tags(tags))


@functools.lru_cache(maxsize=32)
def _check_template(template: str) -> None:
    if compile_simple(template, "session", {}) is not None:
        return  # only variables and plain filters: it renders (no Jinja2 import needed)
    from ssogen.planning.name_jinja import render_jinja

    render_jinja(template, [_SAMPLE_ROW], "session", {})


_VARIABLES = ("account_name", "account_id", "account_email", "role_name", "role")
#: the string variables the fast path renders besides ``_VARIABLES`` and ``session``
_SIMPLE_EXTRA = ("ou_path", "ou")
_SIMPLE_EXPR = re.compile(r"\{\{\s*([a-z_]+)((?:\s*\|\s*[a-z_]+)*)\s*\}\}")


def _simple_filters(aliases: Mapping[str, str]) -> dict[str, Any]:
    return {"lower": str.lower, "upper": str.upper, "trim": str.strip, "kebab": kebab,
            "snake": snake, "alias": lambda text: short_role(text, aliases)}


def compile_simple(template: str, session: str, aliases: Mapping[str, str],
                   variables: tuple[str, ...] | None = None) -> Any:
    """A plain-Python renderer for templates that are only literal text and ``{{ variable |
    filter | ... }}`` with argument-less filters (every preset is); None for anything else.
    ``variables``: the fields of the rows it renders (``session`` besides); None for
    :data:`NameRow` rows.

    Same output as Jinja2 (a test holds them equal), without importing or compiling Jinja2:
    that costs more than the whole planning of a 1,000-profile file.
    """
    filters = _simple_filters(aliases)
    template = template.replace("\r\n", "\n").replace("\r", "\n")  # as Jinja's lexer does
    known = (*_VARIABLES, *_SIMPLE_EXTRA) if variables is None else variables
    # each variable by its place in a row (-1: ``session``), so a render builds no dict
    where = {name: i for i, name in enumerate(known)}
    where["session"] = -1
    parts: list[Any] = []
    pos = 0
    for m in _SIMPLE_EXPR.finditer(template):
        literal = template[pos:m.start()]
        if "{" in literal or "}" in literal:
            return None
        names = [f.strip() for f in m.group(2).split("|") if f.strip()]
        var = m.group(1)
        if var not in where or any(f not in filters for f in names):
            return None
        parts += [literal, (where[var], tuple(filters[f] for f in names), {})]
        pos = m.end()
    tail = template[pos:]
    if "{" in tail or "}" in tail:
        return None
    parts.append(tail)
    parts = [p for p in parts if p != ""]
    width = None if variables is None else len(variables)
    n_base = len(_VARIABLES)

    def render(row: NameRow) -> str:
        if width is not None and len(row) != width:
            raise ValueError(f"a row of {len(row)} fields for {width} variables")
        short = width is None and len(row) <= n_base  # no ou_path, ou: empty
        out = []
        for part in parts:
            if isinstance(part, str):
                out.append(part)
                continue
            at, fns, done = part
            value = session if at < 0 else "" if short and at >= n_base else row[at]
            if fns:  # filters are pure: each distinct value is filtered once per renderer
                filtered = done.get(value)
                if filtered is None:
                    filtered = value
                    for fn in fns:
                        filtered = fn(filtered)
                    done[value] = filtered
                value = filtered
            out.append(value)
        return "".join(out)

    return render


def render_names(template_value: str, rows: Sequence[NameRow], session: str,
                 aliases: Mapping[str, str]) -> list[str]:
    """Raw (unsanitised) template output for each row (:data:`NameRow`)."""
    template = resolve_template(template_value)
    simple = compile_simple(template, session, aliases)
    if simple is not None:
        return [simple(row) for row in rows]
    from ssogen.planning.name_jinja import render_jinja

    return render_jinja(template, rows, session, aliases, label=template_value)


def render_rows(template: str, variables: tuple[str, ...], rows: list[tuple[str, ...]],
                session: str, aliases: Mapping[str, str], *, label: str) -> list[str]:
    """Raw output of a template (not a preset) over rows of ``variables`` (chained profiles'
    names and role ARNs): the plain-Python renderer when it can, else Jinja2's sandbox within
    its limits, one render per row. UsageError (naming ``label``) for a template that does
    not compile or render."""
    simple = compile_simple(template, session, aliases, variables)
    if simple is not None:
        return [simple(row) for row in rows]
    from ssogen.planning.name_jinja import render_jinja_rows

    return render_jinja_rows(template, variables, rows, session, aliases, label=label)
