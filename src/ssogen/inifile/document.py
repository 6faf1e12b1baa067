"""The config file as an editable document: untouched bytes copied verbatim, the sections
ssogen edits parsed and edited with configupdater, comments owned by the section they head.

The file is cut at its section headers (:mod:`ssogen.inifile.scan`): the preamble, then one
*chunk* per section -- its header line up to the next header, as configupdater groups lines
(comments and blank lines between two sections belong to the one above). A chunk ssogen does
not touch is never parsed again: it is copied as the string it was. Only the sections an edit
names (and a neighbour whose layout decides where a blank line goes) are parsed with
configupdater, alone, so the cost of an edit grows with what changes, not with the file.

Layout rules (what a user sees):

* comment ownership: comment lines directly above a section header are that section's
  heading, although configupdater stores them at the end of the section above: they stay above
  it when new sections are inserted in between. No comment is ever removed: when a (managed)
  section is removed only its header and key lines go; its heading and the comments inside it
  stay in place, without adding blank lines;
* new sections go after the anchor section, each preceded by one blank line, and a blank line
  separates them from what follows;
* changed options keep their original spelling up to the value (``region=x`` stays
  ``region=y``); new keys go after a section's last option, in the section's own style.

configupdater's documented-private API is used here and nowhere else, each use named as such:
``Block.add_line`` (to build comment/space blocks line by line), ``Section.structure`` as a
mutable list (to splice options), ``Block.lines``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from configupdater import ConfigUpdater
from configupdater.block import Comment, Space
from configupdater.option import Option
from configupdater.section import Section

from ssogen.errors import ConfigFileError
from ssogen.inifile import diff as _diff
from ssogen.inifile.codec import Decoded, decode, finish
from ssogen.inifile.model import FileModel, NewSection, SectionEdit
from ssogen.inifile.scan import Layout, scan


class EditsLike(Protocol):
    """What :meth:`ConfigDocument.apply` needs (an :class:`~ssogen.inifile.model.Edits`, or a
    plan that carries the same three fields)."""

    edits: list[SectionEdit]
    new_sections: list[NewSection]
    anchor: int | None


_PREFIX = re.compile(r"^([^=:]*?[=:][ \t]*)")
_COMPACT = re.compile(r"^\S+[=:]")
Key = tuple[str, int] | tuple[str]  # ("pre",), ("s", section index), ("new", n)


class _Line(Option):
    """An option rendered exactly as the given line (original prefix, new value)."""

    def __init__(self, key: str, value: str, line: str, container: Section) -> None:
        super().__init__(key, value, container=container)
        self._line = line

    def __str__(self) -> str:
        return self._line


def key_line(key: str, sep: str, value: str) -> str:
    """``key = value``; an empty value as ``key =`` (no trailing blank: botocore reads '')."""
    return f"{key}{sep}{value}\n" if value else f"{key}{sep.rstrip()}\n"


#: a header line as configupdater reads it: the name up to the last ``]``, then its note
_HEADER = re.compile(r"\[(?P<header>.+)\](?P<note>.*)")


def _split_lines(text: str) -> list[str]:
    """Lines with their endings; only ``\\n`` ends a line (as in the INI parsers)."""
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _last_line_blank(text: str) -> bool:
    """Is the last line of ``text`` (a section: it ends with a line break) blank?"""
    body = text[:-1] if text.endswith("\n") else text
    return not body.rsplit("\n", 1)[-1].strip()


def _without_trailing_blank_lines(text: str) -> str:
    lines = _split_lines(text)
    while len(lines) > 1 and not lines[-1].strip():
        lines.pop()
    return "".join(lines)


def _renamed(chunk: str, header: str) -> str:
    """``chunk`` with a new header, rendered the way configupdater renders a renamed section
    (``[name]`` and the header line's note, a plain line feed)."""
    first, _, rest = chunk.partition("\n")
    m = _HEADER.match(first.strip())
    note = m.group("note") if m else ""
    return f"[{header}]{note}\n{rest}"


def _option(block: object) -> Option:
    assert isinstance(block, Option)
    return block


def _is_comment_or_blank(line: str) -> bool:
    text = line.strip()
    return not text or text.startswith(("#", ";"))


class ConfigDocument:
    """A scanned config file plus everything needed to write it back without collateral
    damage. ``model`` is the pure view the planner works on; :meth:`apply` edits the
    document; :meth:`render` gives the new text and :meth:`diff` the unified diff."""

    def __init__(self, raw: bytes | None, source: str = "config", *,
                 scanned: tuple[Decoded, Layout] | None = None) -> None:
        """``scanned``: ``raw`` already decoded and scanned (a document only ever reads the
        layout, so one scan can serve several documents)."""
        self.source = source
        self.raw = raw
        if scanned is None:
            decoded = decode(raw, source)
            scanned = decoded, scan(decoded.text, source)
        self.decoded: Decoded = scanned[0]
        self.layout: Layout = scanned[1]
        self.model: FileModel = self.layout.model
        self.notes: list[str] = []
        if self.decoded.bom:
            self.notes.append(
                f"{source} starts with a UTF-8 byte-order mark, which botocore and the AWS CLI "
                "cannot read; ssogen removes it (--dry-run shows the change)")
        self._scratch = ConfigUpdater()  # the container of blocks ssogen creates
        self._parsed: dict[int, Section] = {}  # sections parsed by configupdater
        self._texts: dict[int, str] = {}  # sections edited as text (a new header)
        self._preamble_blocks: list[Any] | None = None
        self._out: list[tuple[Key, Any]] | None = None
        self._lifted: set[int] = set()  # ids of blocks left by removed sections
        self._appended_at_end = False
        self._applied = False
        self._changed = False
        self._rendered: str | None = None
        self._fresh = 0

    # -- the parts of the file ---------------------------------------------------------------
    def _section(self, index: int) -> Section:
        """Section ``index`` parsed by configupdater (once, on first use)."""
        section = self._parsed.get(index)
        if section is not None:
            return section
        chunk = self._text(index)
        updater = ConfigUpdater()
        try:
            updater.read_string(chunk, self.source)
        except Exception as exc:  # configupdater is stricter than botocore in odd corners
            line = self.model.sections[index].line
            raise ConfigFileError(
                f"{self.source}:{line}: ssogen cannot edit [{self.model.sections[index].header}]"
                f" ({type(exc).__name__}); ssogen left the file untouched") from None
        blocks = list(updater.structure)
        if len(blocks) != 1 or not isinstance(blocks[0], Section) or str(blocks[0]) != chunk:
            raise RuntimeError(f"ssogen bug: section {index} does not round-trip")
        self._parsed[index] = blocks[0]
        return blocks[0]

    def _preamble(self) -> list[Any]:
        """The comment and blank lines before the first section, as configupdater blocks
        (only needed to decide about blank lines next to them)."""
        if self._preamble_blocks is None:
            blocks: list[Any] = []
            for line in self.layout.preamble.splitlines(keepends=True):
                kind = Space if not line.strip() else Comment
                if not blocks or type(blocks[-1]) is not kind:
                    blocks.append(kind(container=self._scratch))
                blocks[-1].add_line(line)  # configupdater private API: Block.add_line
            self._preamble_blocks = blocks
        return self._preamble_blocks

    def _text(self, index: int) -> str:
        """Section ``index``'s text as it is now, unless configupdater holds it."""
        return self._texts.get(index) or self.layout.chunk(index)

    def _last_is_space(self, entry: tuple[Key, Any]) -> bool:
        """Is the last block of an output entry a Space (blank lines)? Told from the text
        for a section that is not parsed: configupdater keeps trailing blank lines of a
        section in a Space block, never in an option."""
        key, obj = entry
        if isinstance(obj, str) and key != ("pre",):
            return _last_line_blank(obj)
        block = self._preamble()[-1] if isinstance(obj, str) else obj
        if isinstance(block, Space):
            return True
        if isinstance(block, Section) and block.structure:
            return isinstance(block.structure[-1], Space) and bool(block.structure[-1].lines)
        return False

    def _new_key(self) -> Key:
        self._fresh += 1
        return ("new", self._fresh)

    # -- editing ------------------------------------------------------------------------------
    def apply(self, edits: EditsLike) -> None:
        """Edit the document as ``edits`` say (cost grows with the edits, not the file)."""
        assert not self._applied, "apply() runs once per document"
        self._applied = True
        self._changed = bool(edits.edits or edits.new_sections)
        removed: set[int] = set()
        for e in edits.edits:
            if e.remove:
                removed.add(e.index)
                continue
            if not (e.set or e.delete or e.replace) and e.index != edits.anchor:
                if e.header is not None:  # a new header only: no need to parse the section
                    self._texts[e.index] = _renamed(self._text(e.index), e.header)
                continue
            section = self._section(e.index)
            if e.header is not None:
                section.name = e.header
            if e.set or e.delete or e.replace:
                self._edit_options(section, e.set, e.delete, e.replace)
        self._rebuild(removed, edits.new_sections, edits.anchor)
        self._verify(edits, removed)

    def _verify(self, edits: EditsLike, removed: set[int]) -> None:
        """Last line of defence before anything is written: botocore refuses a whole file with
        a duplicate section or key, so a bug here must never produce one."""
        renamed = {e.index: e.header for e in edits.edits if e.header}
        seen: set[str] = set()
        headers = [renamed.get(s.index, s.header) for s in self.model.sections
                   if s.index not in removed]
        for header in [*headers, *(spec.header for spec in edits.new_sections)]:
            if header in seen and header != "DEFAULT":
                raise RuntimeError(f"ssogen bug: would write [{header}] twice")
            seen.add(header)
        touched = [self._parsed[i] for i in self._parsed if i not in removed]
        touched += [obj for key, obj in self._out or () if key[0] == "new"
                    and isinstance(obj, Section)]
        for section in touched:
            keys = [b.raw_key.lower() for b in section.structure if isinstance(b, Option)]
            if len(keys) != len(set(keys)):
                raise RuntimeError(f"ssogen bug: duplicate key in [{section.name}]")

    def _edit_options(self, section: Section, to_set: list[tuple[str, str]],
                      to_delete: list[str],
                      to_replace: list[tuple[str, str, str]] | None = None) -> None:
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
                        comment.add_line(line)
                    kept.append(comment)
            structure[:] = kept
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

    def _new_section(self, spec: NewSection) -> Section:
        section = Section(spec.header, container=self._scratch)
        section.add_line(f"[{spec.header}]\n")  # configupdater private API: Block.add_line
        for key, value in spec.keys:
            section.structure.append(_Line(key, value, key_line(key, " = ", value), section))
        return section

    def _space(self) -> tuple[Key, Space]:
        space = Space(container=self._scratch)
        space.add_line("\n")  # configupdater private API: Block.add_line
        return self._new_key(), space

    def _leftover(self, index: int, after_blank: bool) -> list[Any]:
        """What stays of a removed section: its comment lines (also indented ones inside a
        value), with the blank lines between them, as top-level blocks at its place.

        Only the header and the ``key = value`` lines go. Blank lines are never added: the
        leading ones are dropped after a blank line (``after_blank``), so repeated runs
        cannot grow a run of blank lines; inner and trailing ones stay as they were."""
        header, *body = _split_lines(self._text(index))
        lines: list[str] = []
        m = _HEADER.match(header.strip())
        note = m.group("note").strip() if m else ""
        if note.startswith(("#", ";")):  # [profile x] ; a note on the header
            lines.append(note + ("\r\n" if header.endswith("\r\n") else "\n"))
        lines += [ln for ln in body if _is_comment_or_blank(ln)]
        if not any(ln.strip() for ln in lines):
            lines = [ln for ln in lines if not ln.strip()][:1] if not after_blank else []
        elif after_blank:
            while lines and not lines[0].strip():
                lines.pop(0)
        blocks: list[Any] = []
        for line in lines:
            kind = Space if not line.strip() else Comment
            if not blocks or type(blocks[-1]) is not kind:
                blocks.append(kind(container=self._scratch))
                self._lifted.add(id(blocks[-1]))
            blocks[-1].add_line(line)  # configupdater private API: Block.add_line
        return blocks

    def _ends_with_blank_line(self, out: list[tuple[Key, Any]]) -> bool:
        """Does the text so far end with a blank line (or is there no text yet)?"""
        for key, obj in reversed(out):
            if isinstance(obj, str) and key != ("pre",):
                return _last_line_blank(obj)  # a section: never empty
            for block in reversed(self._preamble() if isinstance(obj, str) else [obj]):
                parts = block.structure if isinstance(block, Section) else []
                text = next((t for t in (str(c) for c in reversed(parts)) if t), "") or (
                    "".join(block.lines) if isinstance(block, Section) else str(block))
                if text:
                    return not text.rstrip("\r\n").rsplit("\n", 1)[-1].strip() \
                        if text.endswith("\n") else False
        return True

    def _rebuild(self, removed: set[int], new_sections: list[NewSection],
                 anchor: int | None) -> None:
        out: list[tuple[Key, Any]] = []
        if self.layout.preamble:
            out.append((("pre",), self.layout.preamble))
        last_section = len(self.model.sections) - 1
        for idx in range(len(self.model.sections)):
            key: Key = ("s", idx)
            if idx in removed:
                # its heading (comment lines directly above it, stored in the section above)
                # stays; so do its own comments: nobody but the user wrote them
                after_blank = self._ends_with_blank_line(out)
                out.extend((self._new_key(), b) for b in self._leftover(idx, after_blank))
                continue
            if idx != anchor:
                out.append((key, self._parsed.get(idx) or self._text(idx)))
                continue
            section = self._section(idx)
            out.append((key, section))
            heading = None
            if (idx < last_section and section.structure
                    and isinstance(section.structure[-1], Comment)):
                heading = section.structure.pop()
            self._emit(out, new_sections)
            if idx < last_section or heading is not None:
                out.append(self._space())
            if heading is not None:
                out.append((self._new_key(), heading))
        if anchor is None and new_sections:
            self._emit(out, new_sections)
            self._appended_at_end = True
        elif anchor is not None and anchor == last_section:
            self._appended_at_end = True
        if removed and last_section in removed:
            # the file now ends where a removed section began: no dangling blank lines
            while out and isinstance(out[-1][1], Space) and id(out[-1][1]) in self._lifted:
                out.pop()
            if out and out[-1][0][0] == "s":
                key, obj = out[-1]
                if isinstance(obj, str):
                    text = _without_trailing_blank_lines(obj)
                    out[-1] = (key, text)
                    self._texts[int(key[-1])] = text
                elif obj.structure and isinstance(obj.structure[-1], Space):
                    obj.structure.pop()  # configupdater private API: a mutable structure
        self._out = out

    def _emit(self, out: list[tuple[Key, Any]], new_sections: list[NewSection]) -> None:
        for spec in new_sections:
            if out and not self._last_is_space(out[-1]):
                out.append(self._space())
            out.append((self._new_key(), self._new_section(spec)))

    # -- output -------------------------------------------------------------------------------
    def render(self) -> str:
        """The new file text (after :meth:`apply`; the old text when nothing was applied)."""
        if self._rendered is None:
            if not self._changed or self._out is None:
                self._rendered = self.decoded.without_bom
            else:
                text = "".join(obj if isinstance(obj, str) else str(obj)
                               for _, obj in self._out)
                self._rendered = finish(text, self.decoded,
                                        appended_at_end=self._appended_at_end)
        return self._rendered

    def encode(self) -> bytes:
        return self.render().encode("utf-8")

    def diff(self, label: str | None = None) -> str:
        """Unified diff of the file before and after :meth:`apply` (linear: aligned by part)."""
        old_parts: list[tuple[Key, str]] = []
        if self.layout.preamble:
            old_parts.append((("pre",), self.layout.preamble))
        old_parts += [(("s", i), self.layout.chunk(i)) for i in range(len(self.model.sections))]
        if not self._changed or self._out is None:
            new_parts = old_parts
        else:
            new_parts = [(k, obj if isinstance(obj, str) else str(obj)) for k, obj in self._out]
        return _diff.unified(self.decoded.original, self.render(), old_parts, new_parts,
                             label=label or self.source, bom=self.decoded.bom)


@dataclass
class ExistingSession:
    name: str
    start_url: str
    sso_region: str
    scopes: list[str] = field(default_factory=list)
    managed: bool = False
    line: int = 0


def sessions_of(model: FileModel) -> list[ExistingSession]:
    out = []
    for s in model.of_kind("sso-session"):
        scopes = [x.strip() for x in s.options.get("sso_registration_scopes", "").split(",")
                  if x.strip()]
        out.append(ExistingSession(s.name or "", s.options.get("sso_start_url", ""),
                                   s.options.get("sso_region", ""), scopes, s.managed, s.line))
    return out
