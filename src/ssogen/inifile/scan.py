"""One pass over the text of a config file: where each section starts, and what botocore reads
in it -- the line index the rest of the engine works on.

The rules are Python's ``configparser.RawConfigParser`` (strict, ``#``/``;`` full-line
comments, no inline comments, values continued on deeper-indented lines, blank lines kept
inside values) followed by botocore's ``raw_config_parse`` (a value starting with a line break
is a nested block whose lines need ``=``). A file botocore refuses is refused here with the
same finding and its line number: duplicate sections or keys (keys are case-insensitive), a
line that is neither a comment, a ``[section]``, ``key = value`` nor a continuation, content
before the first section, a nested line without ``=``. Beyond botocore, two headers it maps to
one name (``[profile x]`` and ``[profile  x]``: botocore silently keeps the last) are refused
too, so that ssogen never edits one while AWS tools read the other.

Scanning is linear and builds no per-line objects that outlive it: a section is its header
line's offset in the text and its keys. Values are kept only for the kinds the planner reads
(profiles, sso-sessions, ssogen's own sections); other sections are checked, not stored.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable
from sys import intern

from ssogen.inifile.layout import DEFAULT_SECTION, KEEP_VALUES, Layout, Span
from ssogen.inifile.linescan import scan_lines
from ssogen.inifile.model import FileModel, SectionInfo, classify

__all__ = ["Layout", "Span", "scan", "scan_lines"]  # Layout, Span, scan_lines: re-exported


def scan(text: str, source: str = "config") -> Layout:
    """Scan ``text`` (LF or CRLF lines, no BOM, ending with a line break).

    The common file -- headers, ``key = value`` lines, comments, blank lines, values
    continued on indented lines -- is read by :func:`_fast_scan` (regular expressions, Python
    per section, and per line only in sections with continued values); anything else, and
    every file with a finding, by :func:`scan_lines`, which follows configparser line by line
    and says what botocore would say."""
    try:
        layout = _fast_scan(text)
    except _Unusual:
        layout = scan_lines(text, source)
    layout.model.reader = functools.partial(_values_of, layout)
    return layout


def _values_of(layout: Layout, index: int) -> dict[str, str]:
    """Every value of section ``index``, whatever its kind (its text read again alone)."""
    return scan_lines(layout.chunk(index), keep_all=True).model.sections[0].options


class _Unusual(Exception):
    """The fast path does not handle this file (or finds a problem): read it line by line."""


#: every line that is not blank and not a comment, in the fast path's four shapes (greedy
#: only: lazy quantifiers would cost more than the rest of the scan; Python strips the ends)
_LINE = re.compile(
    r"^(?:\[(?P<h>[^\n]+)\][^\n]*"  # a section header (the name up to the last "]")
    r"|(?P<k>[^\s#;=:\[][^=:\n]*)[=:](?P<v>[^\n]*)"  # key = value (the first = or :)
    r"|(?P<i>[^\S\n]+[^\s#;][^\n]*)"  # an indented line (a continued value)
    r"|(?P<bad>[^\s#;][^\n]*))$", re.M)


#: a header line (the name up to the last "]"), its line break included
_HEAD = re.compile(r"\[([^\n]+)\][^\n]*\n")
#: lines that are blank or comments only (what may come before the first section)
_QUIET = re.compile(r"(?:[^\S\n]*(?:[#;][^\n]*)?\n)*")
#: a line that is not blank, a comment, a header or ``key = value``: indented (a continued
#: value), starting with ``=`` or ``:``, or without either (a stray line); found by the line
#: break before it (a literal first character lets the engine skip ahead: ``^`` with
#: ``re.M`` tries every position). The run up to the first ``=``/``:`` is possessive where
#: Python has it (3.11): the same matches -- giving characters back cannot reach a line break
#: -- without trying each of them again on every ``key = value`` line.
_ODD = re.compile(r"\n(?=[^\S\n]+[^\s#;]|[=:]|[^\s#;=:\[][^=:\n]*%s(?:\n|\Z))"
                  % ("+" if sys.version_info >= (3, 11) else ""))
#: the ``key = value`` lines of a body without odd lines (the first = or :), each found by
#: the line break before it
_KEY_VALUE = re.compile(r"\n([^\s#;=:\[][^=:\n]*)[=:]([^\n]*)")
#: a line break before a header
_NEXT_HEADER = re.compile(r"\n\[")


def _fast_scan(text: str) -> Layout:
    """The headers (the lines that start with ``[``) and the odd lines (:data:`_ODD`) found
    in one pass each, then each section read with regular expressions: a section without odd
    lines (the common one) is one ``findall`` made into its dict by a comprehension -- no
    Python work per line, no list of the whole file's lines; any other section goes through
    :func:`_rows` line by line. A kept section whose value goes on over indented lines is
    read again alone by :func:`scan_lines`, for its exact value."""
    from bisect import bisect_right

    offsets = [0] if text.startswith("[") else []
    offsets += [m.start() + 1 for m in _NEXT_HEADER.finditer(text)]
    if not _QUIET.fullmatch(text, 0, offsets[0] if offsets else len(text)):
        raise _Unusual  # content before the first section (or no line break at the end)
    odd = {bisect_right(offsets, m.start()) - 1 for m in _ODD.finditer(text)}  # sections
    sections: list[SectionInfo] = []
    seen_headers: set[str] = set()
    seen_names: set[tuple[str, str, bool]] = set()
    continued: list[int] = []  # kept sections with continued values: read again
    key_values, head = _KEY_VALUE.findall, _HEAD.match
    norm_key, norm_value = _Interned(_key), _Interned(_value)  # each raw text done once
    ends = [*offsets[1:], len(text)] if offsets else []
    lineno, pos = 1, 0
    for start, end in zip(offsets, ends, strict=True):
        m = head(text, start, end)
        if m is None:
            raise _Unusual  # a line starting with "[" that is not a header
        header = m.group(1)
        if header in seen_headers or header == DEFAULT_SECTION:
            raise _Unusual
        seen_headers.add(header)
        kind, name = classify(header)
        if name is not None:
            ident = (kind, name, header == "default")
            if ident in seen_names:
                raise _Unusual
            seen_names.add(ident)
        keep = kind in KEEP_VALUES
        body = m.end()
        if len(sections) not in odd:
            pairs = key_values(text, body - 1, end)  # from the header's line break
            if keep:  # interned: the same keys and values (session, region...) recur
                values = {norm_key[k]: norm_value[v] for k, v in pairs}
                count = len(values)
            else:
                values = {}
                count = len({k.rstrip().lower() for k, _ in pairs})
            if count != len(pairs):
                raise _Unusual  # a duplicate key: said line by line
        else:
            values, has_continued = _rows(_LINE.findall(text, body, end), keep)
            if has_continued:
                continued.append(len(sections))
        lineno += text.count("\n", pos, start)
        pos = start
        sections.append(SectionInfo(len(sections), header, kind, name, values, lineno))
    layout = Layout(text, offsets, FileModel(sections))
    for index in continued:
        sections[index].options = scan_lines(layout.chunk(index)).model.sections[0].options
    return layout


def _key(raw: str) -> str:
    return intern(raw.rstrip().lower())


def _value(raw: str) -> str:
    return intern(raw.strip())


class _Interned(dict[str, str]):
    """raw text -> its normalised, interned form, computed on the first lookup only (keys
    and most values recur from section to section: a dict hit costs less than the strip,
    the case fold and the intern)."""

    __slots__ = ("_fn",)

    def __init__(self, fn: Callable[[str], str]) -> None:
        super().__init__()
        self._fn = fn

    def __missing__(self, raw: str) -> str:
        done = self[raw] = self._fn(raw)
        return done


def _rows(rows: list[tuple[str, str, str, str, str]], keep: bool,
          ) -> tuple[dict[str, str], bool]:
    """The values of a section body that is not plain (rows of :data:`_LINE`), and whether a
    kept value goes on over indented lines."""
    keys: set[str] = set()
    values: dict[str, str] = {}
    option = ""  # the option an indented line continues ("": none)
    nested = False
    continued = False
    for _header, key, value, indented, _bad in rows:
        if key:
            key = key.rstrip().lower()
            if key in keys:
                raise _Unusual  # a duplicate key
            keys.add(key)
            value = value.strip()
            if keep:
                values[key] = value
            option, nested = key, not value
        elif indented and option:
            line = indented.strip()
            if nested and ("=" not in line or len(line.splitlines()) > 1):
                raise _Unusual  # botocore's nested-value check: said line by line
            continued = continued or keep
        else:
            raise _Unusual  # a stray line, an indented line that continues nothing
    return values, continued
