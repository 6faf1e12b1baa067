"""The exact reader of :func:`ssogen.inifile.scan.scan`: a config file one line at a time, as
configparser reads it (then botocore), with every finding and its line number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ssogen.errors import ConfigFileError
from ssogen.inifile.layout import DEFAULT_SECTION, KEEP_VALUES, Layout
from ssogen.inifile.model import FileModel, SectionInfo, classify

__all__ = ["REJECT", "also_hint", "scan_lines"]

_SECTCRE = re.compile(r"\[(?P<header>.+)\]")

REJECT = ("botocore and the AWS CLI cannot read this file either; fix it by hand (ssogen "
          "left it untouched)")


#: how many further problems the hint line names (the rest are counted)
_MORE_SHOWN = 3

Problem = tuple[int, str, str]  # (line, what, the whole message, when it is the error)


class _Scan:
    """State across sections: the duplicate checks, and the section being read."""

    def __init__(self, source: str, keep_all: bool = False) -> None:
        self.source, self.keep_all = source, keep_all
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
        self.bad_lines: list[int] = []  # lines configparser cannot parse (said at the end)

    def problem(self, lineno: int, what: str, message: str = "") -> None:
        """Record a problem; ``message`` (default: ``<file>:<line>: what; REJECT``) is the
        error's text should it be the first."""
        self.problems.append(
            (lineno, what, message or f"{self.source}:{lineno}: {what}; {REJECT}"))

    def option(self, stripped: str, lineno: int, keys: set[str]) -> tuple[str, bool] | None:
        """A ``key = value`` line: (the key, whether its value is empty), so that the lines
        continuing it are known; None for a line without ``=`` or ``:`` (the open option
        stays open, as in configparser)."""
        eq = stripped.find("=")
        colon = stripped.find(":", 0, eq) if eq > 0 else stripped.find(":")
        at = eq if colon < 0 else colon
        if at < 0:
            self.bad_lines.append(lineno)
            return None
        key = stripped[:at].rstrip().lower()
        if not key:
            self.bad_lines.append(lineno)
        if key in keys:
            self.problem(lineno, f"duplicate key {key!r} in [{self.sections[-1].header}] "
                         "(keys are case-insensitive)")
        keys.add(key)
        value = stripped[at + 1:].strip()
        if self.values is not None:
            self.values[key] = value
        return key, not value

    def more(self, option: str, text: str) -> None:
        """A line continuing ``option``'s value ("" for a blank line within it)."""
        if self.values is not None:
            multi = self.multi
            if option not in multi:
                multi[option] = [self.values[option]]
            multi[option].append(text)

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
        # [DEFAULT]'s keys are every section's to botocore: kept for the clients' config
        keep = self.keep_all or kind in KEEP_VALUES or header == DEFAULT_SECTION
        self.values = {} if keep else None
        self.sections.append(SectionInfo(len(self.sections), header, kind, name, {}, lineno))
        self.header_lines.append(lineno - 1)
        return keys


def scan_lines(text: str, source: str = "config", *, keep_all: bool = False) -> Layout:
    """:func:`scan`, one line at a time, exactly as configparser reads (then botocore);
    ``keep_all``: the values of every kind of section, not only :data:`KEEP_VALUES`'.

    One loop over the lines, kept flat on purpose (a call per line would cost more than the
    work); a section header, an option and a continued value are handled by :class:`_Scan`."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    st = _Scan(source, keep_all)
    keys: set[str] | None = None  # of the current section (None: before the first one)
    option = ""  # the option continuation lines belong to ("": none)
    nested = False  # that option's value began empty: its continuation lines need "="
    indent_level = 0
    nested_error: tuple[int, str] | None = None  # botocore's check, after configparser's
    lineno = 0
    sectcre = _SECTCRE.match
    for line in lines:
        lineno += 1
        stripped = line.strip()
        if not stripped:
            if option:
                st.more(option, "")
            continue
        first = stripped[0]
        if first == "#" or first == ";":
            continue
        if line[0].isspace():
            indent = len(line) - len(line.lstrip())
            if option and indent > indent_level:  # a continuation line
                st.more(option, stripped)
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
                option, nested = "", False
                continue
        if keys is None:  # configparser stops here; the rest is still worth reading
            if not st.problems:
                st.problem(lineno, f"{stripped[:60]!r} comes before any [section] header")
            continue
        read = st.option(stripped, lineno, keys)
        if read is not None:  # else configparser goes on (and says so at the end)
            option, nested = read
    st.close()
    _raise_problems(st, lines, st.bad_lines, nested_error)
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
