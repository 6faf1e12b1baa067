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
from dataclasses import dataclass

from ssogen.errors import ConfigFileError
from ssogen.inifile.model import FileModel, SectionInfo, classify

_SECTCRE = re.compile(r"\[(?P<header>.+)\]")
#: configparser's special section: its keys are defaults for every other section
DEFAULT_SECTION = "DEFAULT"
#: kinds whose values the planner reads
_KEEP_VALUES = ("profile", "sso-session", "ssogen")

REJECT = ("botocore and the AWS CLI cannot read this file either; fix it by hand (ssogen "
          "left it untouched)")


@dataclass
class Layout:
    """The scanned file: ``text`` (as parsed: no BOM, ends with a line break), the character
    offset of every section header (``offsets[i]`` for ``model.sections[i]``), the offset
    where the first section starts (``len(text)`` when there is none), and the model."""

    text: str
    offsets: list[int]
    model: FileModel

    def chunk(self, index: int) -> str:
        """Section ``index``'s text: its header line up to the next header (comments and
        blank lines between two sections belong to the one above, as in configupdater)."""
        end = self.offsets[index + 1] if index + 1 < len(self.offsets) else len(self.text)
        return self.text[self.offsets[index]:end]

    @property
    def preamble(self) -> str:
        return self.text[: self.offsets[0]] if self.offsets else self.text


def _error(source: str, lineno: int, what: str) -> ConfigFileError:
    return ConfigFileError(f"{source}:{lineno}: {what}; {REJECT}")


def scan(text: str, source: str = "config") -> Layout:
    """Scan ``text`` (LF or CRLF lines, no BOM, ending with a line break)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    sections: list[SectionInfo] = []
    offsets: list[int] = []
    seen_headers: set[str] = set()  # configparser's duplicate check: the exact header
    # botocore's name -> line, header; [default] and [profile default] are botocore's
    # documented override, not a clash (the plain-default flag keeps them apart)
    seen_names: dict[tuple[str, str, bool], tuple[int, str]] = {}
    default_keys: set[str] = set()
    keys: set[str] = set()  # of the current section ([DEFAULT]: shared by all its headers)
    values: dict[str, list[str]] | None = None  # value parts, for the kinds kept
    current: SectionInfo | None = None
    option = ""  # the option continuation lines belong to ("": none)
    nested = False  # that option's value began empty: its continuation lines need "="
    indent_level = 0
    bad_line = 0  # first line configparser cannot parse (reported after the whole file)
    nested_error: tuple[int, str] | None = None  # botocore's check, after configparser's
    nested_in_default = False
    offset = 0

    def keep(section: SectionInfo | None, parts: dict[str, list[str]] | None) -> None:
        if section is not None and parts is not None:
            section.options = {k: "\n".join(v).rstrip() for k, v in parts.items()}

    for lineno, line in enumerate(lines, start=1):
        start = offset
        offset += len(line) + 1
        stripped = line.strip()
        if not stripped:
            if values is not None and option:
                values[option].append("")
            continue
        first = stripped[0]
        if first == "#" or first == ";":
            continue
        indent = len(line) - len(line.lstrip()) if line[0].isspace() else 0
        if option and indent > indent_level:  # a continuation line
            if values is not None:
                values[option].append(stripped)
            if nested and nested_error is None:
                for sub in stripped.splitlines():
                    if sub.strip() and "=" not in sub:
                        assert current is not None
                        nested_error = (lineno, f"nested value line {sub.strip()[:40]!r} in "
                                        f"[{current.header}] has no '='")
                        nested_in_default = current.header == DEFAULT_SECTION
                        break
            continue
        indent_level = indent
        if first == "[":
            m = _SECTCRE.match(stripped)
            if m:
                keep(current, values)
                header = m.group("header")
                option, nested = "", False
                if header == DEFAULT_SECTION:
                    keys = default_keys
                elif header in seen_headers:
                    raise _error(source, lineno, f"duplicate section [{header}]")
                else:
                    seen_headers.add(header)
                    keys = set()
                kind, name = classify(header)
                if name is not None and header != DEFAULT_SECTION:
                    ident = (kind, name, header == "default")
                    other = seen_names.get(ident)
                    if other is not None:
                        raise ConfigFileError(
                            f"{source}:{lineno}: [{header}] and [{other[1]}] (line {other[0]})"
                            f" are the same {kind} {name!r} to botocore, which silently uses "
                            "the last one; merge them or rename one (ssogen left the file "
                            "untouched)")
                    seen_names[ident] = (lineno, header)
                values = {} if kind in _KEEP_VALUES else None
                current = SectionInfo(len(sections), header, kind, name, {}, lineno)
                sections.append(current)
                offsets.append(start)
                continue
        if current is None:
            raise _error(source, lineno, f"{stripped[:60]!r} comes before any [section] "
                         "header")
        eq, colon = stripped.find("="), stripped.find(":")
        at = eq if colon < 0 or 0 <= eq < colon else colon
        if at < 0:  # configparser goes on (and says so at the end); the option stays open
            bad_line = bad_line or lineno
            continue
        key = stripped[:at].rstrip().lower()
        if not key:
            bad_line = bad_line or lineno
        if key in keys:
            raise _error(source, lineno, f"duplicate key {key!r} in [{current.header}] "
                         "(keys are case-insensitive)")
        keys.add(key)
        value = stripped[at + 1:].strip()
        option, nested = key, not value
        if values is not None:
            values[key] = [value]
    keep(current, values)
    if bad_line:
        raw = lines[bad_line - 1].strip()
        raise _error(source, bad_line, f"cannot parse {raw[:60]!r} (not 'key = value', a "
                     "comment or a [section])")
    real_sections = any(s.header != DEFAULT_SECTION for s in sections)
    if nested_error is not None and (real_sections or not nested_in_default):
        raise _error(source, *nested_error)
    return Layout(text, offsets, FileModel(sections))
