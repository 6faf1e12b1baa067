"""The config file as an editable document: untouched bytes copied verbatim, the sections
ssogen edits changed as text, or with configupdater where keys change, comments owned by the
section they head.

The file is cut at its section headers (:mod:`ssogen.inifile.scan`): the preamble, then one
*chunk* per section -- its header line up to the next header, as configupdater groups lines
(comments and blank lines between two sections belong to the one above). A chunk ssogen does
not touch is never parsed again: it is copied as the string it was. New sections, new headers,
removed sections and blank lines are text; only a section whose keys change (or whose closing
comment lines must move) is parsed with configupdater (:mod:`ssogen.inifile.section_edit`,
imported on first use), alone, so the cost of an edit grows with what changes, not with the
file.

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
"""

from __future__ import annotations

import re

from ssogen.inifile import diff as _diff
from ssogen.inifile.codec import Decoded, decode, finish
from ssogen.inifile.model import FileModel, NewSection, SectionEdit
from ssogen.inifile.scan import Layout, Span, scan
from ssogen.records import field, record

TYPE_CHECKING = False  # no typing import at run time (start-up time, memory)
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Protocol

    from configupdater.section import Section

    class EditsLike(Protocol):
        """What :meth:`ConfigDocument.apply` needs (an :class:`~ssogen.inifile.model.Edits`,
        or a plan that carries the same three fields)."""

        edits: list[SectionEdit]
        new_sections: list[NewSection]
        anchor: int | None


#: ("pre",) the preamble, ("s", i) section i, ("new", n) text ssogen adds, ("lift", n) what
#: stays of a removed section
Key = tuple[str, int] | tuple[str]
#: a section no edit touched is a :class:`~ssogen.inifile.scan.Span` of the file's text (not
#: a copy of it); one configupdater edits is its Section; the rest is text
Part = tuple[Key, "str | Span | Section"]


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


def _last_line(text: str) -> str:
    body = text[:-1] if text.endswith("\n") else text
    return body.rsplit("\n", 1)[-1]


def _last_line_blank(text: str) -> bool:
    """Is the last line of ``text`` (a section: it ends with a line break) blank?"""
    return not _last_line(text).strip()


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


def _is_comment_or_blank(line: str) -> bool:
    text = line.strip()
    return not text or text.startswith(("#", ";"))


def _text_part(part: Part) -> tuple[Key, str | Span]:
    """``part`` as the diff takes it: the very tuple when it holds text or a span (no copy
    per section of a large file), else a new one with the section rendered."""
    if isinstance(part[1], (str, Span)):
        return part  # type: ignore[return-value]  # mypy does not narrow a tuple's item
    return part[0], str(part[1])


def _text_of(obj: str | Span | Section) -> str:
    return obj if isinstance(obj, str) else str(obj)


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
        self._parsed: dict[int, Section] = {}  # sections parsed by configupdater
        self._texts: dict[int, str] = {}  # sections edited as text (a new header)
        self._out: list[Part] | None = None
        self._appended_at_end = False
        self._applied = False
        self._changed = False
        self._rendered: str | None = None
        self._fresh = 0

    # -- the parts of the file ---------------------------------------------------------------
    def _section(self, index: int) -> Section:
        """Section ``index`` parsed by configupdater (once, on first use)."""
        section = self._parsed.get(index)
        if section is None:
            from ssogen.inifile import section_edit

            info = self.model.sections[index]
            section = section_edit.parse_section(self._text(index), self.source, info.line,
                                                 info.header)
            self._parsed[index] = section
        return section

    def _text(self, index: int) -> str:
        """Section ``index``'s text as it is now, unless configupdater holds it."""
        return self._texts.get(index) or self.layout.chunk(index)

    def _current(self, index: int) -> str | Span | Section:
        """Section ``index`` as the new file has it: configupdater's, a new text, or the
        span of the file it still is (not copied: see :meth:`render`)."""
        return self._parsed.get(index) or self._texts.get(index) or self.layout.span(index)

    def _new_key(self, kind: str = "new") -> Key:
        self._fresh += 1
        return (kind, self._fresh)

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
            if not (e.set or e.delete or e.replace):
                if e.header is not None:  # a new header only: no need to parse the section
                    self._texts[e.index] = _renamed(self._text(e.index), e.header)
                continue
            from ssogen.inifile import section_edit

            section = self._section(e.index)
            if e.header is not None:
                section_edit.rename(section, e.header)
            section_edit.edit_options(section, e.set, e.delete, e.replace)
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
        keyed = [(spec.header, [k.lower() for k, _ in spec.keys]) for spec in edits.new_sections]
        if self._parsed:
            from ssogen.inifile import section_edit

            keyed += [(str(self._parsed[i].name), section_edit.option_keys(self._parsed[i]))
                      for i in self._parsed if i not in removed]
        for name, keys in keyed:
            if len(keys) != len(set(keys)):
                raise RuntimeError(f"ssogen bug: duplicate key in [{name}]")

    def _new_section(self, spec: NewSection) -> str:
        return "".join([f"[{spec.header}]\n",
                        *(key_line(key, " = ", value) for key, value in spec.keys)])

    def _space(self) -> Part:
        return self._new_key(), "\n"

    def _leftover(self, index: int, after_blank: bool) -> str:
        """What stays of a removed section: its comment lines (also indented ones inside a
        value), with the blank lines between them, at its place.

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
        return "".join(lines)

    @staticmethod
    def _ends_with_blank_line(out: list[Part]) -> bool:
        """Does the text so far end with a blank line (or is there no text yet)?"""
        for _, obj in reversed(out):
            text = _text_of(obj)
            if text:
                return text.endswith("\n") and _last_line_blank(text)
        return True

    def _heading(self, index: int) -> str | None:
        """Take the comment lines that end section ``index`` (the heading of the section
        after it) out of it. Only a section whose last line is a comment can have one, and
        only then does configupdater decide which lines belong to a value."""
        if index not in self._parsed and not _last_line(self._text(index)).strip().startswith(
                ("#", ";")):
            return None
        from ssogen.inifile import section_edit

        return section_edit.pop_heading(self._section(index))

    def _rebuild(self, removed: set[int], new_sections: list[NewSection],
                 anchor: int | None) -> None:
        out: list[Part] = []
        if self.layout.preamble:
            out.append((("pre",), self.layout.preamble))
        last_section = len(self.model.sections) - 1
        for idx in range(len(self.model.sections)):
            if idx in removed:
                # its heading (comment lines directly above it, stored in the section above)
                # stays; so do its own comments: nobody but the user wrote them
                leftover = self._leftover(idx, self._ends_with_blank_line(out))
                if leftover:
                    out.append((self._new_key("lift"), leftover))
                continue
            if idx != anchor:
                out.append((("s", idx), self._current(idx)))
                continue
            heading = self._heading(idx) if idx < last_section else None
            out.append((("s", idx), self._current(idx)))
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
            self._trim_end(out)
        self._out = out

    def _trim_end(self, out: list[Part]) -> None:
        """The file now ends where a removed section began: no dangling blank lines."""
        while out and out[-1][0][0] == "lift":
            rest = _without_trailing_blank_lines(_text_of(out[-1][1]))
            if rest.strip():
                out[-1] = (out[-1][0], rest)
                return
            out.pop()
        if out and out[-1][0][0] == "s":
            key, obj = out[-1]
            text = _without_trailing_blank_lines(_text_of(obj))
            out[-1] = (key, text)
            self._texts[int(key[-1])] = text

    def _emit(self, out: list[Part], new_sections: list[NewSection]) -> None:
        for spec in new_sections:
            if out and not _last_line_blank(_text_of(out[-1][1])):
                out.append(self._space())
            out.append((self._new_key(), self._new_section(spec)))

    # -- output -------------------------------------------------------------------------------
    def render(self) -> str:
        """The new file text (after :meth:`apply`; the old text when nothing was applied)."""
        if self._rendered is None:
            if not self._changed or self._out is None:
                self._rendered = self.decoded.without_bom
            else:
                text = "".join(_text_of(obj) for _, obj in self._out)
                self._rendered = finish(text, self.decoded,
                                        appended_at_end=self._appended_at_end)
        return self._rendered

    def encode(self) -> bytes:
        return self.render().encode("utf-8")

    def diff(self, label: str | None = None) -> str:
        """Unified diff of the file before and after :meth:`apply` (linear: aligned by part)."""
        return "".join(self.diff_chunks(label))

    def diff_chunks(self, label: str | None = None) -> Iterator[str]:
        """:meth:`diff` in pieces of whole lines, made as they are taken (to print a diff
        without holding all of it)."""
        old_parts: list[tuple[Key, str | Span]] = []
        if self.layout.preamble:
            old_parts.append((("pre",), self.layout.preamble))
        layout = self.layout
        if not self._changed or self._out is None:
            old_parts += [(("s", i), layout.span(i)) for i in range(len(self.model.sections))]
            new_parts = old_parts
        else:
            new_parts = [_text_part(part) for part in self._out]
            # a section the edits left as it was is the very span on both sides: equal by
            # being the same object, its lines read only where the diff shows them
            kept = {int(part[0][-1]): part for part in new_parts
                    if part[0][0] == "s" and isinstance(part[1], Span)}
            old_parts += [kept.get(i) or (("s", i), layout.chunk(i))
                          for i in range(len(self.model.sections))]
        return _diff.unified_chunks(self.decoded.original, self.render(), old_parts,
                                    new_parts, label=label or self.source,
                                    bom=self.decoded.bom, crlf=self.decoded.crlf)


@record
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
