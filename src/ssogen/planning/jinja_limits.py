"""Limits for rendering a name template in Jinja2's sandbox: a template can come from a shared
config file (``[ssogen NAME]``), so one that compiles must still not hang a run, fill memory or
crash it.

What a name template may do is what a name needs: variables, filters, ``{% if %}``,
``{% set %}`` and ``{% for %}`` over short things. Refused when compiled: macros, call blocks,
recursive loops, ``{% include %}``/``{% import %}``/``{% extends %}``/``{% block %}`` (and
:mod:`ssogen.planning.name_templates` refuses templates longer than 2,000 characters).
Limited while rendering, per profile named (:class:`Budget`):

* loop iterations (every ``{% for %}`` counts, ``range()`` is capped);
* the length of every string made on the way (filters, ``~``, ``+``, ``*``, ``%``, method
  calls), the size of integers made by ``*`` and ``**``, and the length of the output;
* time.

``lipsum`` is gone, and ``str.format``/``format_map`` with them (their width fields would
bypass the length check); ``%`` and the ``format`` filter refuse widths above the limit.
A breach is a :class:`TemplateLimit` (a Jinja2 ``SecurityError``), reported like any other
template error.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

MAX_PIECE = 1_024  # characters of any string made while rendering one name
MAX_ITERATIONS = 1_000  # loop iterations per name
MAX_SECONDS = 1.0  # per render call, plus MS_PER_ROW for each name in it
MS_PER_ROW = 2.0
MAX_BITS = 4_096  # of an integer made by * or **
_WIDTH = re.compile(r"%[-+ #0]*(\d+|\*)?(?:\.(\d+|\*))?")

_REFUSED_NODES: dict[type[nodes.Node], str] = {
    nodes.Macro: "macros", nodes.CallBlock: "call blocks", nodes.Include: "include",
    nodes.Import: "import", nodes.FromImport: "import", nodes.Extends: "extends",
    nodes.Block: "blocks",
}


class TemplateLimit(SecurityError):
    """A name template went past one of the limits."""


class Budget:
    """What one render call may still spend: iterations, characters of output, time."""

    def __init__(self, rows: int = 1) -> None:
        rows = max(rows, 1)
        self.iterations = MAX_ITERATIONS * rows + rows
        self.output = (MAX_PIECE + 1) * rows
        self.deadline = time.monotonic() + MAX_SECONDS + MS_PER_ROW * rows / 1000

    def tick(self, n: int = 1) -> None:
        self.iterations -= n
        if self.iterations < 0:
            raise TemplateLimit(f"loops ran more than {MAX_ITERATIONS} times for one name")
        if time.monotonic() > self.deadline:
            raise TemplateLimit(f"rendering took longer than {MAX_SECONDS:g} s")


def _is_str_format(obj: Any) -> bool:
    return getattr(obj, "__name__", None) in ("format", "format_map") and isinstance(
        getattr(obj, "__self__", None), str)


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _checked(value: Any) -> Any:
    if isinstance(value, str | list | tuple) and len(value) > MAX_PIECE:
        raise TemplateLimit(f"a value of {len(value):,} characters or items (at most "
                            f"{MAX_PIECE:,})")
    return value


def _check_args(args: Iterable[Any]) -> None:
    for arg in args:
        if isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > MAX_PIECE:
            raise TemplateLimit(f"the number {arg} is too large (at most {MAX_PIECE:,})")
        _checked(arg)


def _check_widths(fmt: Any) -> None:
    if isinstance(fmt, str):
        for m in _WIDTH.finditer(fmt):
            for width in m.groups():
                if width == "*" or (width and int(width) > MAX_PIECE):
                    raise TemplateLimit(f"the format width in {fmt!r} is too large")


def _guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)  # keeps Jinja's pass_context marker
    def filter_(*args: Any, **kwargs: Any) -> Any:
        _check_args((*args, *kwargs.values()))
        return _checked(fn(*args, **kwargs))

    return filter_


def _format_filter(value: Any, *args: Any, **kwargs: Any) -> str:
    _check_widths(value)
    _check_args((*args, *kwargs.values()))
    text: str = _checked(str(value) % (kwargs or args))
    return text


class LimitedEnvironment(SandboxedEnvironment):
    """Jinja2's sandbox with the limits above (subclass it for more hooks)."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.filters = {name: _guarded(fn) for name, fn in self.filters.items()}
        self.filters["format"] = _format_filter
        self.globals.pop("lipsum", None)
        self.globals["range"] = self._range
        self.globals["_ssogen_loop"] = self._loop
        self.globals["_ssogen_join"] = self._join
        self.budget = Budget()

    def add_filters(self, **filters: Callable[..., Any]) -> None:
        self.filters.update({name: _guarded(fn) for name, fn in filters.items()})

    # -- hooks the sandbox calls ------------------------------------------------------------
    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``str.format``/``format_map`` (which the sandbox wraps): refused, as their width
        fields would bypass the length limit."""
        if _is_str_format(value):
            def refused(*args: Any, **kwargs: Any) -> str:
                raise TemplateLimit("str.format is not allowed in a name template; use ~ or "
                                    "the format filter")
            return refused
        return None

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _check_args((*args, *kwargs.values()))
        __self.budget.tick(0)
        return _checked(super().call(__context, __obj, *args, **kwargs))

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and _int(left) and _int(right) and (
                abs(right) > 64 or abs(left).bit_length() * abs(right) > MAX_BITS):
            raise TemplateLimit(f"the power {left} ** {right} is too large")
        if operator == "*" and _int(left) and _int(right) \
                and abs(left).bit_length() + abs(right).bit_length() > MAX_BITS:
            raise TemplateLimit("the product is too large")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(n, int) \
                        and len(seq) * n > MAX_PIECE:
                    raise TemplateLimit(f"a value of {len(seq) * n:,} characters or items "
                                        f"(at most {MAX_PIECE:,})")
        if operator == "%":
            _check_widths(left)
        return _checked(super().call_binop(context, operator, left, right))

    # -- globals the compiled templates call -------------------------------------------------
    def _range(self, *args: int) -> range:
        _check_args(args)
        r = range(*args)
        self.budget.tick(len(r))
        return r

    def _loop(self, iterable: Iterable[Any]) -> Iterator[Any]:
        for item in iterable:
            self.budget.tick()
            yield item

    def _join(self, *parts: Any) -> str:
        joined: str = _checked("".join(str(p) for p in parts))
        return joined

    # -- compiling ------------------------------------------------------------------------------
    def limited_template(self, source: str) -> Any:
        """Compile ``source`` with the refused constructs refused and every loop and ``~``
        going through the budget."""
        tree = self.parse(source)
        for kind, what in _REFUSED_NODES.items():
            if any(True for _ in tree.find_all(kind)):
                raise TemplateLimit(f"{what} are not allowed in a name template")
        for loop in tree.find_all(nodes.For):
            if loop.recursive:
                raise TemplateLimit("recursive loops are not allowed in a name template")
            loop.iter = nodes.Call(nodes.Name("_ssogen_loop", "load"), [loop.iter], [],
                                   None, None, lineno=loop.lineno)
        for concat in list(tree.find_all(nodes.Concat)):
            call = nodes.Call(nodes.Name("_ssogen_join", "load"), list(concat.nodes), [],
                              None, None, lineno=concat.lineno)
            _replace_node(tree, concat, call)
        return self.from_string(tree)

    def render_limited(self, template: Any, rows: int, **context: Any) -> str:
        """``template.render(**context)`` within a fresh :class:`Budget` for ``rows`` names."""
        self.budget = budget = Budget(rows)
        out: list[str] = []
        size = 0
        for chunk in template.generate(**context):
            size += len(chunk)
            if size > budget.output:
                raise TemplateLimit(f"a name longer than {MAX_PIECE:,} characters")
            out.append(chunk)
        return "".join(out)


def check_names(names: list[str]) -> list[str]:
    """``names`` when each is at most :data:`MAX_PIECE` characters (a render of many rows
    at once has a budget for all of them; one name must not take the others' share)."""
    for name in names:
        if len(name) > MAX_PIECE:
            raise TemplateLimit(f"a name longer than {MAX_PIECE:,} characters")
    return names


def _replace_node(tree: nodes.Node, old: nodes.Node, new: nodes.Node) -> None:
    for node in tree.find_all(nodes.Node):
        for field in node.fields:
            value = getattr(node, field, None)
            if value is old:
                setattr(node, field, new)
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    if item is old:
                        value[i] = new
