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

import re
import sys
from collections.abc import Callable, Sequence
from sys import intern

from ssogen.errors import ConfigFileError
from ssogen.inifile.model import FileModel, SectionInfo, classify
from ssogen.records import record

_SECTCRE = re.compile(r"\[(?P<header>.+)\]")
#: configparser's special section: its keys are defaults for every other section
DEFAULT_SECTION = "DEFAULT"
#: kinds whose values the planner reads
_KEEP_VALUES = ("profile", "sso-session", "ssogen")

REJECT = ("botocore and the AWS CLI cannot read this file either; fix it by hand (ssogen "
          "left it untouched)")


class Span:
    """Characters ``start`` to ``end`` of ``text``, by place: nothing is copied until the
    text is asked for (``str(span)``). A section no edit touches is one, in the edited
    document and in its diff: the new file is made by copying it once, and the diff needs
    only its size (``len``, ``count``). Two spans are equal when they are the same object."""

    __slots__ = ("end", "start", "text")

    def __init__(self, text: str, start: int, end: int) -> None:
        self.text, self.start, self.end = text, start, end

    def __len__(self) -> int:
        return self.end - self.start

    def count(self, sub: str) -> int:
        return self.text.count(sub, self.start, self.end)

    def __str__(self) -> str:
        return self.text[self.start:self.end]


@record
class Layout:
    """The scanned file: ``text`` (as parsed: no BOM, ends with a line break), the character
    offset of every section header (``offsets[i]`` for ``model.sections[i]``), and the model."""

    text: str
    offsets: list[int]
    model: FileModel

    def chunk(self, index: int) -> str:
        """Section ``index``'s text: its header line up to the next header (comments and
        blank lines between two sections belong to the one above, as in configupdater)."""
        end = self.offsets[index + 1] if index + 1 < len(self.offsets) else len(self.text)
        return self.text[self.offsets[index]:end]

    def span(self, index: int) -> Span:
        """Section ``index``'s text (:meth:`chunk`) by place, not copied."""
        end = self.offsets[index + 1] if index + 1 < len(self.offsets) else len(self.text)
        return Span(self.text, self.offsets[index], end)

    @property
    def preamble(self) -> str:
        return self.text[: self.offsets[0]] if self.offsets else self.text


#: how many further problems the hint line names (the rest are counted)
_MORE_SHOWN = 3

Problem = tuple[int, str, str]  # (line, what, the whole message, when it is the error)


class _Scan:
    """State across sections: the duplicate checks, and the section being read."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.sections: list[SectionInfo] = []
        self.header_lines: list[int] = []  # 0-based line of each header
        self.seen_headers: set[str] = set()  # configparser's duplicate check: exact header
        # botocore's name -> (line, header); [default] and [profile default] are botocore's
        # documented override, not a clash (the plain-default flag keeps them apart)
        self.seen_names: dict[tuple[str, str, bool], tuple[int, str]] = {}
        self.default_keys: set[str] = set()
        self.values: dict[str, str] | None = None  # the current section's, for kinds kept
        self.multi: dict[str, list[str]] = {}  # values continued over several lines
        # what botocore would refuse, in the order configparser meets it: the first is the
        # error, the others its hint (a file is fixed in one go, not one run per line)
        self.problems: list[Problem] = []

    def problem(self, lineno: int, what: str, message: str = "") -> None:
        """Record a problem; ``message`` (default: ``<file>:<line>: what; REJECT``) is the
        error's text should it be the first."""
        self.problems.append(
            (lineno, what, message or f"{self.source}:{lineno}: {what}; {REJECT}"))

    def close(self) -> None:
        """Store the current section's values (configparser joins continued values with
        line breaks and strips the end)."""
        if self.values is not None and self.sections:
            for key, parts in self.multi.items():
                self.values[key] = "\n".join(parts).rstrip()
            self.sections[-1].options = self.values
        self.multi = {}

    def header(self, header: str, lineno: int) -> set[str]:
        """A new section; returns the set its keys are checked against."""
        self.close()
        keys = self.default_keys
        repeated = False
        if header != DEFAULT_SECTION:
            repeated = header in self.seen_headers
            if repeated:
                self.problem(lineno, f"duplicate section [{header}]")
            self.seen_headers.add(header)
            keys = set()
        kind, name = classify(header)
        if name is not None and header != DEFAULT_SECTION and not repeated:
            ident = (kind, name, header == "default")
            other = self.seen_names.get(ident)
            if other is not None:
                what = (f"[{header}] and [{other[1]}] (line {other[0]}) are the same {kind} "
                        f"{name!r}")
                self.problem(lineno, what, f"{self.source}:{lineno}: {what} to botocore, "
                             "which silently uses the last one; merge them or rename one "
                             "(ssogen left the file untouched)")
            self.seen_names[ident] = (lineno, header)
        self.values = {} if kind in _KEEP_VALUES else None
        self.sections.append(SectionInfo(len(self.sections), header, kind, name, {}, lineno))
        self.header_lines.append(lineno - 1)
        return keys


def scan(text: str, source: str = "config") -> Layout:
    """Scan ``text`` (LF or CRLF lines, no BOM, ending with a line break).

    The common file -- headers, ``key = value`` lines, comments, blank lines, values
    continued on indented lines -- is read by :func:`_fast_scan` (regular expressions, Python
    per section, and per line only in sections with continued values); anything else, and
    every file with a finding, by :func:`scan_lines`, which follows configparser line by line
    and says what botocore would say."""
    try:
        return _fast_scan(text)
    except _Unusual:
        return scan_lines(text, source)


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
        keep = kind in _KEEP_VALUES
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


def scan_lines(text: str, source: str = "config") -> Layout:
    """:func:`scan`, one line at a time, exactly as configparser reads (then botocore).

    One loop over the lines, kept flat on purpose (a call per line would cost more than the
    work); a section header is handled by :class:`_Scan`."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    st = _Scan(source)
    keys: set[str] | None = None  # of the current section (None: before the first one)
    values: dict[str, str] | None = None  # the current section's values (kinds kept)
    multi = st.multi
    option = ""  # the option continuation lines belong to ("": none)
    nested = False  # that option's value began empty: its continuation lines need "="
    indent_level = 0
    bad_lines: list[int] = []  # lines configparser cannot parse (it says so at the end)
    nested_error: tuple[int, str] | None = None  # botocore's check, after configparser's
    lineno = 0
    sectcre = _SECTCRE.match
    for line in lines:
        lineno += 1
        stripped = line.strip()
        if not stripped:
            if option and values is not None:
                if option not in multi:
                    multi[option] = [values[option]]
                multi[option].append("")
            continue
        first = stripped[0]
        if first == "#" or first == ";":
            continue
        if line[0].isspace():
            indent = len(line) - len(line.lstrip())
            if option and indent > indent_level:  # a continuation line
                if values is not None:
                    if option not in multi:
                        multi[option] = [values[option]]
                    multi[option].append(stripped)
                if nested and nested_error is None:
                    nested_error = _nested_problem(stripped, lineno, st.sections[-1].header)
                continue
            indent_level = indent
        else:
            indent_level = 0
        if first == "[":
            m = sectcre(stripped)
            if m:
                keys = st.header(m.group("header"), lineno)
                values, multi = st.values, st.multi
                option, nested = "", False
                continue
        if keys is None:  # configparser stops here; the rest is still worth reading
            if not st.problems:
                st.problem(lineno, f"{stripped[:60]!r} comes before any [section] header")
            continue
        eq = stripped.find("=")
        colon = stripped.find(":", 0, eq) if eq > 0 else stripped.find(":")
        at = eq if colon < 0 else colon
        if at < 0:  # configparser goes on (and says so at the end); the option stays open
            bad_lines.append(lineno)
            continue
        key = stripped[:at].rstrip().lower()
        if not key:
            bad_lines.append(lineno)
        if key in keys:
            st.problem(lineno, f"duplicate key {key!r} in [{st.sections[-1].header}] (keys "
                       "are case-insensitive)")
        keys.add(key)
        value = stripped[at + 1:].strip()
        option, nested = key, not value
        if values is not None:
            values[key] = value
    st.close()
    _raise_problems(st, lines, bad_lines, nested_error)
    return Layout(text, _offsets(lines, st.header_lines), FileModel(st.sections))


def _raise_problems(st: _Scan, lines: list[str], bad_lines: list[int],
                    nested_error: tuple[int, str] | None) -> None:
    """One error for everything botocore would refuse: its message is the problem
    configparser meets first (then the first line that is not ``key = value``, then a
    nested value's line without ``=``: what configparser and botocore report only once the
    whole file is read); its hint names the others by line."""
    for lineno in bad_lines:
        raw = lines[lineno - 1].strip()
        st.problem(lineno, f"cannot parse {raw[:60]!r} (not 'key = value', a comment or a "
                           "[section])")
    if nested_error is not None:  # a bad nested [DEFAULT] value matters only if inherited
        in_default = nested_error[1].endswith(f"in [{DEFAULT_SECTION}] has no '='")
        if not in_default or any(s.header != DEFAULT_SECTION for s in st.sections):
            st.problem(*nested_error)
    if not st.problems:
        return
    first, *others = st.problems
    more = tuple((n, w) for n, w, _ in sorted(others))
    raise ConfigFileError(first[2], hint=also_hint(more), more=more)


def also_hint(more: Sequence[tuple[int, str]]) -> str | None:
    """The hint line naming a file's other problems (``(line, what)``), None without any."""
    if not more:
        return None
    shown = "; ".join(f"line {n}: {w}" for n, w in more[:_MORE_SHOWN])
    rest = len(more) - _MORE_SHOWN
    return f"also {shown}" + (f"; and {rest} more" if rest > 0 else "")


def _nested_problem(stripped: str, lineno: int, header: str) -> tuple[int, str] | None:
    """botocore parses a value that starts with a line break as ``k = v`` lines (split like
    ``str.splitlines``)."""
    for sub in stripped.splitlines():
        if sub.strip() and "=" not in sub:
            return lineno, f"nested value line {sub.strip()[:40]!r} in [{header}] has no '='"
    return None


def _offsets(lines: list[str], header_lines: list[int]) -> list[int]:
    """The character offset of each header line (the line lengths summed in C)."""
    from itertools import accumulate

    ends = list(accumulate(map(len, lines)))
    return [ends[i - 1] + i if i else 0 for i in header_lines]
