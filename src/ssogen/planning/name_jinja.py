"""The Jinja2 side of profile-name templates (:mod:`ssogen.planning.name_templates`): what
the plain-Python fast path cannot render goes through here.

Templates run in a sandbox within :mod:`ssogen.planning.jinja_limits`' limits, because a
template can come from a shared config file: it must not reach Python internals nor run
without bounds. An unknown variable fails (``StrictUndefined``), a missing tag renders empty;
ssogen's filters are added to Jinja's own. One compiled template renders every row at once
(far cheaper than one render per profile). Every failure is one UsageError that quotes the
template, and for a misspelt variable or filter names the closest one. Jinja2 itself is
imported only when a template gets here.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ssogen.errors import UsageError
from ssogen.planning.name_templates import (
    ROW_FIELDS,
    TEMPLATE_VARIABLES,
    Tags,
    full_row,
    kebab,
    quote_template,
    short_role,
    snake,
    strip_prefix,
    strip_suffix,
    truncate_to,
)

if TYPE_CHECKING:
    from ssogen.planning.name_templates import NameRow

_ROW_SEP = "\x1e"  # ASCII record separator: cannot survive sanitising, so never in a name


#: what a template that compiles can still raise while rendering (a filter given the wrong
#: arguments, a division by zero, too deep a nesting of expressions)
_RENDER_ERRORS = (TypeError, ValueError, ArithmeticError, LookupError, RecursionError,
                  MemoryError)


def _render_error(exc: BaseException) -> str:
    """One of :data:`_RENDER_ERRORS` in a few words (its first line, 200 characters at most)."""
    if isinstance(exc, RecursionError):
        return "it nests too deeply"
    if isinstance(exc, MemoryError):
        return "it needs too much memory"
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


@functools.lru_cache(maxsize=1)
def _environment() -> Any:
    """The one sandboxed environment: ssogen's filters, tags looked up leniently."""
    from jinja2 import StrictUndefined, Undefined, pass_context

    from ssogen.planning.jinja_limits import LimitedEnvironment

    class _Environment(LimitedEnvironment):
        """Unknown variables fail (StrictUndefined); a missing tag is lenient Undefined."""

        def getattr(self, obj: Any, attribute: str) -> Any:
            if isinstance(obj, Tags):
                return _tag(obj, attribute)
            return super().getattr(obj, attribute)

        def getitem(self, obj: Any, argument: Any) -> Any:
            if isinstance(obj, Tags):
                return _tag(obj, argument)
            return super().getitem(obj, argument)

    def _tag(tags: Tags, key: Any) -> Any:
        if isinstance(key, str) and key in tags:
            return tags[key]
        return Undefined(name=f"tags.{key}")

    env = _Environment(autoescape=False, undefined=StrictUndefined,
                       keep_trailing_newline=False)

    @pass_context
    def alias(ctx: Any, text: str) -> str:
        return short_role(str(text), ctx.get("_aliases") or {})

    env.add_filters(kebab=kebab, snake=snake, strip_prefix=strip_prefix,
                    strip_suffix=strip_suffix, truncate_to=truncate_to, alias=alias)
    return env


#: the filters ssogen adds to Jinja's (named in an error about an unknown filter)
SSOGEN_FILTERS = ("kebab", "snake", "lower", "upper", "strip_prefix", "strip_suffix", "alias",
                  "replace", "truncate_to")


def _unknown_name_hint(message: str) -> str:
    """For Jinja's ``'x' is undefined`` and ``No filter named 'x'``: what there is instead and
    the closest match (``did you mean role_name?``); empty for any other message."""
    m = re.match(r"'([^']+)' is undefined$", message)
    known: tuple[str, ...]
    if m:
        wanted, known, what = m.group(1), TEMPLATE_VARIABLES, "variables"
    else:
        m = re.match(r"No filter named '([^']+)'", message)
        if not m:
            return ""
        wanted, what = m.group(1), "filters"
        known = tuple(sorted(set(SSOGEN_FILTERS) | set(_environment().filters)))
    close = difflib.get_close_matches(wanted, known, n=1, cutoff=0.6)
    listed = ", ".join(SSOGEN_FILTERS if what == "filters" else known)
    more = " and Jinja's built-in ones" if what == "filters" else ""
    guess = f"; did you mean {close[0]}?" if close else ""
    return f"{guess} ({what}: {listed}{more})"


def _explained(exc: Exception) -> str:
    """Jinja's message, with :func:`_unknown_name_hint` when it names something unknown."""
    message = str(exc)
    hint = _unknown_name_hint(message)
    return message.rstrip(".") + hint if hint else message


@functools.lru_cache(maxsize=32)
def _compile(template: str, batch: bool) -> Any:
    """``template`` compiled within the limits; ``batch``: wrapped in a loop over ``_rows``
    that ends each row's name with the record separator."""
    from jinja2 import TemplateError

    env = _environment()
    source = template
    if batch:  # one render for every row: far cheaper than one render() per profile
        source = ("{% for " + ", ".join(ROW_FIELDS) + " in _rows %}"
                  + template + _ROW_SEP + "{% endfor %}")
    try:
        return env.limited_template(source)
    except TemplateError as exc:
        raise UsageError(f"invalid name template {quote_template(template)}: "
                         f"{_explained(exc)}") from None
    except _RENDER_ERRORS as exc:  # a parser overwhelmed by nesting
        raise UsageError(f"invalid name template {quote_template(template)}: "
                         f"{_render_error(exc)}") from None


def render_jinja(template: str, rows: Sequence[NameRow], session: str,
                 aliases: Mapping[str, str], *, label: str | None = None) -> list[str]:
    """:func:`~ssogen.planning.name_templates.render_names` through Jinja2's sandbox (any
    template), every row in one render when the output splits back into one name a row."""
    from jinja2 import TemplateError
    from jinja2.exceptions import SecurityError

    from ssogen.planning.jinja_limits import check_names

    template_value = label or template
    if not rows:
        _compile(template, False)  # still report a broken template
        return []
    context = {"session": session, "_aliases": dict(aliases)}
    rows = [full_row(r) for r in rows]
    env = _environment()
    try:
        out: str = env.render_limited(_compile(template, True), len(rows), _rows=rows,
                                      **context)
        names = out.split(_ROW_SEP)
        if len(names) == len(rows) + 1 and names[-1] == "":
            return check_names(names[:-1])
        # the template itself printed the separator: fall back to one render per row
        single = _compile(template, False)
        names = [str(env.render_limited(single, 1, **dict(zip(ROW_FIELDS, r, strict=True)),
                                        **context)) for r in rows]
        return names
    except SecurityError as exc:
        raise UsageError(f"name template {quote_template(template_value)} is not allowed: "
                         f"{exc}") from None
    except TemplateError as exc:
        raise UsageError(f"name template {quote_template(template_value)} failed: "
                         f"{_explained(exc)}") from None
    except _RENDER_ERRORS as exc:  # the template's own arithmetic or a filter's arguments
        raise UsageError(f"name template {quote_template(template_value)} failed: "
                         f"{_render_error(exc)}") from None


def render_jinja_rows(template: str, variables: tuple[str, ...], rows: list[tuple[str, ...]],
                      session: str, aliases: Mapping[str, str], *, label: str) -> list[str]:
    """:func:`~ssogen.planning.name_templates.render_rows` through Jinja2's sandbox, one render
    per row; UsageError naming ``label``."""
    from jinja2 import TemplateError
    from jinja2.exceptions import SecurityError

    env = _environment()
    try:
        compiled = env.limited_template(template)
        return [str(env.render_limited(compiled, 1, **dict(zip(variables, row, strict=True)),
                                       session=session, _aliases=dict(aliases)))
                for row in rows]
    except SecurityError as exc:
        raise UsageError(f"{label} is not allowed: {exc}") from None
    except TemplateError as exc:
        raise UsageError(f"{label} failed: {exc}") from None
    except _RENDER_ERRORS as exc:
        raise UsageError(f"{label} failed: {_render_error(exc)}") from None
