"""Option edits inside one section, with configupdater: the only module that imports it.

:class:`~ssogen.inifile.document.ConfigDocument` imports this module only when an edit
changes, adds or removes keys (or needs the comment lines at the end of the section new
sections go after), so a run that only adds sections, renames or removes them, or changes
nothing never pays for importing configupdater.

configupdater's documented-private API is used here and nowhere else, each use named as such:
``Block.add_line`` (to build a comment block line by line), ``Section.structure`` as a mutable
list (to splice options, to pop the trailing comments), ``Block.lines``, and ``Section``
rendering each block with ``str()`` (what :class:`_Line` overrides).
"""

from __future__ import annotations

import re
from typing import Any

from configupdater import ConfigUpdater
from configupdater.block import Comment
from configupdater.option import Option
from configupdater.section import Section

from ssogen.errors import ConfigFileError

_PREFIX = re.compile(r"^([^=:]*?[=:][ \t]*)")
_COMPACT = re.compile(r"^\S+[=:]")


class _Line(Option):
    """An option rendered exactly as the given line (original prefix, new value): a section
    renders its blocks with ``str()`` (configupdater private API, see the module)."""

    def __init__(self, key: str, value: str, line: str, container: Section) -> None:
        super().__init__(key, value, container=container)
        self._line = line

    def __str__(self) -> str:
        return self._line


def key_line(key: str, sep: str, value: str) -> str:
    """``key = value``; an empty value as ``key =`` (no trailing blank: botocore reads '')."""
    return f"{key}{sep}{value}\n" if value else f"{key}{sep.rstrip()}\n"


def _is_comment_or_blank(line: str) -> bool:
    text = line.strip()
    return not text or text.startswith(("#", ";"))


def parse_section(chunk: str, source: str, line: int, header: str) -> Section:
    """One section's text (header to the next header) as a configupdater section that renders
    back to exactly ``chunk``."""
    updater = ConfigUpdater()
    try:
        updater.read_string(chunk, source)
    except Exception as exc:  # configupdater is stricter than botocore in odd corners
        raise ConfigFileError(
            f"{source}:{line}: ssogen cannot edit [{header}] ({type(exc).__name__}); "
            "ssogen left the file untouched") from None
    blocks = list(updater.structure)
    if len(blocks) != 1 or not isinstance(blocks[0], Section) or str(blocks[0]) != chunk:
        raise RuntimeError(f"ssogen bug: [{header}] does not round-trip")
    return blocks[0]


def rename(section: Section, header: str) -> None:
    section.name = header


def pop_heading(section: Section) -> str | None:
    """The comment lines that end the section (the heading of the next one, where
    configupdater stores it), taken out of it; None when it does not end with comments."""
    if section.structure and isinstance(section.structure[-1], Comment):
        return str(section.structure.pop())  # the mutable structure (private API)
    return None


def option_keys(section: Section) -> list[str]:
    return [b.raw_key.lower() for b in section.structure if isinstance(b, Option)]


def _option(block: object) -> Option:
    assert isinstance(block, Option)
    return block


def edit_options(section: Section, to_set: list[tuple[str, str]], to_delete: list[str],
                 to_replace: list[tuple[str, str, str]] | None = None) -> None:
    """Set, delete and rename keys of ``section``. Changed options keep their original
    spelling up to the value (``region=x`` stays ``region=y``); new keys go after the last
    option, in the section's own style; a removed key's indented comments stay."""
    structure = section.structure
    drop = {k.lower() for k in to_delete}
    if drop:
        kept: list[Any] = []
        for b in structure:
            if not (isinstance(b, Option) and b.raw_key.lower() in drop):
                kept.append(b)
                continue
            # the key goes; indented comment lines after it (the user's) stay in place
            notes = [ln for ln in b.lines[1:] if ln.strip().startswith(("#", ";"))]
            if notes:
                comment = Comment(container=section)
                for line in notes:
                    comment.add_line(line)  # configupdater private API: Block.add_line
                kept.append(comment)
        structure[:] = kept  # configupdater private API: a mutable structure
    where = {b.raw_key.lower(): i for i, b in enumerate(structure) if isinstance(b, Option)}
    first = next((b for b in structure if isinstance(b, Option)), None)
    sep = "=" if first is not None and _COMPACT.match(first.lines[0]) else " = "

    def rewrite(i: int, key: str, value: str) -> None:
        """The option at ``i`` becomes ``key`` = ``value`` on the same line, spelled the
        way the old line was (delimiter, spacing, line ending, indented comments)."""
        old = structure[i]
        assert isinstance(old, Option)
        first_line = old.lines[0] if old.lines else f"{old.raw_key} = "
        m = _PREFIX.match(first_line)
        prefix = m.group(1) if m else f"{old.raw_key}{sep}"
        if key != old.raw_key:
            prefix = key + prefix[len(old.raw_key):]
        ending = "\r\n" if first_line.endswith("\r\n") else "\n"
        kept = old.lines[1:]  # indented comments after a one-line value stay
        if not all(_is_comment_or_blank(line) for line in kept):
            kept = []
        line = f"{prefix}{value}" if value else prefix.rstrip(" \t")
        structure[i] = _Line(key, value, "".join([f"{line}{ending}", *kept]), section)

    for old_key, new_key, value in to_replace or ():
        i = where.pop(old_key.lower(), None)
        if i is None:
            raise RuntimeError(f"ssogen bug: no {old_key} in [{section.name}] to replace")
        rewrite(i, new_key, value)
        where[new_key.lower()] = i
    appended: list[Option] = []
    for key, value in to_set:
        i = where.get(key.lower())
        if i is not None:
            rewrite(i, _option(structure[i]).raw_key, value)
        else:
            appended.append(_Line(key, value, key_line(key, sep, value), section))
    if appended:
        last = max(where.values(), default=-1) if where else -1
        structure[last + 1:last + 1] = appended


