"""Profile-name templates: presets or Jinja2 (in a sandbox: a template can come from a shared
config file, so it must not reach Python internals), the filters they use, and a plain-Python
fast path for the common ones.

Variables: ``account_name`` (its id when empty or without a usable character), ``account_id``,
``account_email``, ``role_name`` (the permission set as AWS reports it), ``role``
(``role_name`` through ``role_aliases``, without ``AWSReservedSSO_``) and ``session``.
Filters besides Jinja's own: ``kebab``, ``snake``, ``strip_prefix(p)``, ``strip_suffix(s)``,
``alias`` and ``truncate_to(n)``. Presets are data (``templates/presets.json``).
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from ssogen.errors import UsageError
from ssogen.resources import read_template

RESERVED_ROLE_PREFIX = "AWSReservedSSO_"
_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_WORD = re.compile(r"[^A-Za-z0-9]+")
_RESERVED_SUFFIX = re.compile(r"_[0-9a-f]{16}$")
_ROW_SEP = "\x1e"  # ASCII record separator: cannot survive sanitising, so never in a name


def _fold(text: str) -> str:
    """Fold accents (``é`` -> ``e``) and compatibility forms; other letters stay as they are."""
    if text.isascii():
        return text
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


def compile_simple(template: str, session: str, aliases: Mapping[str, str],
                   variables: tuple[str, ...] = _VARIABLES) -> Any:
    """A plain-Python renderer for templates that are only literal text and ``{{ variable |
    filter | ... }}`` with argument-less filters (every preset is); None for anything else.
    ``variables`` names the fields of the rows it renders (``session`` besides).

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
        if var not in (*variables, "session") or any(f not in filters for f in names):
            return None
        parts += [literal, (var, [filters[f] for f in names])]
        pos = m.end()
    tail = template[pos:]
    if "{" in tail or "}" in tail:
        return None
    parts.append(tail)
    parts = [p for p in parts if p != ""]

    def render(row: tuple[str, ...]) -> str:
        values = dict(zip(variables, row, strict=True), session=session)
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
        out: str = _compile(template, True).render(_rows=rows, **context)
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


def render_rows(template: str, variables: tuple[str, ...], rows: list[tuple[str, ...]],
                session: str, aliases: Mapping[str, str], *, label: str) -> list[str]:
    """Raw output of a template (not a preset) over rows of ``variables``: the plain-Python
    renderer when it can, else Jinja2's sandbox, one render per row. UsageError (naming
    ``label``) for a template that does not compile or render."""
    simple = compile_simple(template, session, aliases, variables)
    if simple is not None:
        return [simple(row) for row in rows]
    from jinja2 import TemplateError
    from jinja2.exceptions import SecurityError

    try:
        compiled = _environment().from_string(template)
        return [compiled.render(dict(zip(variables, row, strict=True)), session=session,
                                _aliases=dict(aliases)) for row in rows]
    except SecurityError as exc:
        raise UsageError(f"{label} is not allowed: {exc}") from None
    except TemplateError as exc:
        raise UsageError(f"{label} failed: {exc}") from None
