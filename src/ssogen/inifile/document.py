"""The config file as configupdater sees it: parse, check, apply a Plan, render text and diff.

Follows the measured recipe of CONFIGUPDATER.md §6:

* the bytes are read by us: a UTF-8 BOM (which botocore and the AWS CLI cannot read) is
  stripped and reported; lines keep their own endings (the text is parsed as it is, so a CRLF
  line stays CRLF); new and changed lines get CRLF when every line of the file has it; a
  missing final newline stays missing unless something is appended after that last line;
* files botocore rejects (duplicate sections, duplicate keys also when they differ only in
  case, stray lines, nested values without ``=``) raise :class:`ConfigFileError` naming the
  line: nothing is written;
* everything is linear: one walk builds the name index, removals and insertions are one
  rebuild of the document's ``structure`` (configupdater's name-based API is O(n) per call);
* comment ownership: configupdater stores the comment lines directly above a section header at
  the end of the previous section. Those lines are treated as the heading of the section below
  them: they stay above it when new sections are inserted in between. No comment is ever
  removed: when a (managed) section is removed only its header and key lines go; its heading
  and the comments inside it stay in place as top-level comments, without adding blank lines;
* changed options keep their original spelling up to the value (``region=x`` stays
  ``region=y``); new keys go after a section's last option, in the section's own style.
"""

from __future__ import annotations

import difflib
import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from configupdater import ConfigUpdater
from configupdater.block import Comment, Space
from configupdater.option import Option
from configupdater.section import Section

from ssogen.errors import ConfigFileError
from ssogen.planning.plan import FileModel, NewSection, Plan, SectionInfo, classify

BOM = "\ufeff"
_PREFIX = re.compile(r"^([^=:]*?[=:][ \t]*)")
_COMPACT = re.compile(r"^\S+[=:]")
DIFF_CONTEXT = 3
_FREEZE_ABOVE = 50_000  # objects allocated while the GC was off (about 5,000 lines)
_MAX_REFINE = 4_000_000  # len(a) * len(b) above which a region is not fed to SequenceMatcher


@contextmanager
def _no_gc() -> Iterator[None]:
    """Parsing builds ~10 objects per line; CPython's cyclic GC then dominates (measured ~2x at
    20,000 sections). Nothing here creates garbage cycles worth collecting mid-way, and the
    document lives as long as the (short) command: its objects are moved out of the GC's
    sight (``gc.freeze``) instead of being traversed again by the next full collection."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_count()[0] > _FREEZE_ABOVE:
            gc.freeze()
        if enabled:
            gc.enable()


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


@dataclass
class Decoded:
    text: str  # what is parsed: no BOM, a final newline added when missing
    original: str  # the decoded file as it is (BOM included), for the diff
    bom: bool
    crlf: bool  # every line ends in CRLF: new lines get CRLF too
    final_newline: bool
    eol: str


def decode(raw: bytes | None, source: str) -> Decoded:
    if raw is None:
        return Decoded("", "", False, False, True, "\n")
    try:
        original = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigFileError(
            f"{source}:{line}: not UTF-8 text (bad byte at offset {exc.start}); "
            "ssogen left the file untouched") from None
    text = original
    bom = text.startswith(BOM)
    if bom:
        text = text[1:]
    lf = text.count("\n")
    crlf = lf > 0 and text.count("\r\n") == lf
    cr_alone = text.count("\r") - text.count("\r\n")
    if cr_alone:
        pos = re.search(r"\r(?!\n)", text)
        line = text[: pos.start() if pos else 0].count("\n") + 1
        raise ConfigFileError(
            f"{source}:{line}: carriage return without a newline (old Mac line ending) is "
            "not supported; ssogen left the file untouched")
    eol = "\r\n" if crlf else "\n"
    final_newline = not text or text.endswith("\n")
    if not final_newline:
        text += eol
    return Decoded(text, original, bom, crlf, final_newline, eol)


def _dedent_preamble(text: str) -> tuple[str, dict[int, str]]:
    """configupdater rejects indented comment lines before the first section, configparser
    (botocore) accepts them: parse them dedented, put the original lines back afterwards."""
    if not text or (text[0] not in " \t" and "\n " not in text and "\n\t" not in text):
        return text, {}
    lines = text.split("\n")
    indented: dict[int, str] = {}
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("["):
            break
        if not stripped or not stripped.startswith(("#", ";")):
            if stripped:
                break
            continue
        if line[:1] in (" ", "\t"):
            indented[i] = line
            lines[i] = line.lstrip(" \t")
    if not indented:
        return text, {}
    return "\n".join(lines), indented


def _restore_preamble(updater: ConfigUpdater, indented: dict[int, str]) -> None:
    line = 0
    for block in updater.structure:
        if isinstance(block, Section):
            break
        for k in range(len(block.lines)):
            if line in indented:
                ending = "\n" if block.lines[k].endswith("\n") else ""
                block.lines[k] = indented[line] + ending
            line += 1


_REJECT = "botocore and the AWS CLI cannot read this file either; fix it by hand (ssogen " \
          "left it untouched)"


def _parse_error(exc: Exception, source: str) -> ConfigFileError:
    import configparser

    if isinstance(exc, configparser.DuplicateSectionError):
        return ConfigFileError(f"{source}:{exc.lineno}: duplicate section [{exc.section}]; "
                               + _REJECT)
    if isinstance(exc, configparser.DuplicateOptionError):
        return ConfigFileError(f"{source}:{exc.lineno}: duplicate key {exc.option!r} in "
                               f"[{exc.section}]; " + _REJECT)
    if isinstance(exc, configparser.MissingSectionHeaderError):
        return ConfigFileError(f"{source}:{exc.lineno}: {exc.line.strip()!r:.60} comes before "
                               "any [section] header; " + _REJECT)
    if isinstance(exc, configparser.ParsingError) and exc.errors:
        lineno, line = exc.errors[0]
        return ConfigFileError(f"{source}:{lineno}: cannot parse {line:.60} (not "
                               "'key = value', a comment or a [section]); " + _REJECT)
    return ConfigFileError(f"{source}: cannot parse ({exc}); " + _REJECT)


def _lines_in(block: Any) -> int:
    return len(block.lines)


def _is_comment_or_blank(line: str) -> bool:
    text = line.strip()
    return not text or text.startswith(("#", ";"))


def option_value(option: Option) -> str:
    """The value as configparser (so botocore) reads it: configupdater keeps indented comment
    lines inside a value, configparser skips them."""
    lines = option.lines
    if len(lines) <= 1:
        return option.value or ""
    parts = [option.value.split("\n", 1)[0] if option.value else ""]
    for line in lines[1:]:
        text = line.strip()
        if not text.startswith(("#", ";")):
            parts.append(text)
    return "\n".join(parts).rstrip()


class ConfigDocument:
    """A parsed config file plus everything needed to write it back without collateral damage.

    ``model`` is the pure view the planner works on; :meth:`apply` then edits the configupdater
    document; :meth:`render` gives the new text and :meth:`diff` the unified diff.
    """

    def __init__(self, raw: bytes | None, source: str = "config") -> None:
        import configparser

        self.source = source
        self.raw = raw
        self.decoded = decode(raw, source)
        self.notes: list[str] = []
        if self.decoded.bom:
            self.notes.append(
                f"{source} starts with a UTF-8 byte-order mark, which botocore and the AWS CLI "
                "cannot read; ssogen removes it (--dry-run shows the change)")
        self.updater = ConfigUpdater()
        text, indented = _dedent_preamble(self.decoded.text)
        with _no_gc():
            try:
                self.updater.read_string(text, source)
            except configparser.Error as exc:
                raise _parse_error(exc, source) from None
            if indented:
                _restore_preamble(self.updater, indented)
            self.sections: list[Section] = []
            self.model = self._index()
        self._orig_blocks: list[Any] = list(self.updater.structure)
        self._index_ids = {id(s) for s in self.sections}
        self._old_text: dict[int, str] = {}  # id(block) -> text before the first change
        self._appended_at_end = False
        self._lifted: set[int] = set()  # ids of blocks left by removed sections
        self._applied = False
        self._changed = False
        self._rendered: str | None = None

    # -- reading ------------------------------------------------------------------------------
    def _index(self) -> FileModel:
        """One walk: SectionInfo per section, duplicate-key check the way botocore does it."""
        model = FileModel()
        line = 1
        for block in self.updater.structure:
            if not isinstance(block, Section):
                line += _lines_in(block)
                continue
            header_line = line
            line += len(block.lines) or 1
            options: dict[str, str] = {}
            for child in block.structure:
                if isinstance(child, Option):
                    key = child.raw_key.lower()
                    value = option_value(child)
                    if key in options:
                        raise ConfigFileError(
                            f"{self.source}:{line}: duplicate key {key!r} in [{block.name}] "
                            "(keys are case-insensitive); " + _REJECT)
                    if value.startswith("\n"):
                        self._check_nested(child, line, block.name)
                    options[key] = value
                line += _lines_in(child)
            kind, name = classify(block.name)
            model.sections.append(SectionInfo(len(self.sections), block.name, kind, name,
                                              options, header_line))
            self.sections.append(block)
        return model

    def _check_nested(self, option: Option, line: int, section: str) -> None:
        """botocore parses a value starting with a newline as ``key = value`` lines."""
        for offset, sub in enumerate(option.lines[1:], start=1):
            sub = sub.strip()
            if sub and not sub.startswith(("#", ";")) and "=" not in sub:
                raise ConfigFileError(
                    f"{self.source}:{line + offset}: nested value line {sub!r:.40} in "
                    f"[{section}] has no '='; " + _REJECT)

    # -- editing ------------------------------------------------------------------------------
    def _remember(self, block: Any) -> None:
        if id(block) not in self._old_text:
            self._old_text[id(block)] = str(block)

    def apply(self, plan: Plan) -> None:
        """Edit the document as ``plan`` says (linear in the size of the file)."""
        assert not self._applied, "apply() runs once per document"
        self._applied = True
        self._changed = bool(plan.edits or plan.new_sections)
        with _no_gc():
            removed: set[int] = set()
            for e in plan.edits:
                section = self.sections[e.index]
                if e.remove:
                    removed.add(e.index)
                    continue
                self._remember(section)
                if e.header is not None:
                    section.name = e.header
                if e.set or e.delete or e.replace:
                    self._edit_options(section, e.set, e.delete, e.replace)
            if removed or plan.new_sections:
                self._rebuild(removed, plan.new_sections, plan.anchor)
            self._verify(plan)

    def _verify(self, plan: Plan) -> None:
        """Last line of defence before anything is written: botocore refuses a whole file with
        a duplicate section or key, so a bug here must never produce one."""
        seen: set[str] = set()
        for block in self.updater.structure:
            if isinstance(block, Section):
                if block.name in seen:
                    raise RuntimeError(f"ssogen bug: would write [{block.name}] twice")
                seen.add(block.name)
        touched = [self.sections[e.index] for e in plan.edits if not e.remove]
        touched += [b for b in self.updater.structure
                    if isinstance(b, Section) and id(b) not in self._index_ids]
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
                rewrite(i, structure[i].raw_key, value)
            else:
                appended.append(_Line(key, value, key_line(key, sep, value), section))
        if appended:
            last = max(where.values(), default=-1) if where else -1
            structure[last + 1:last + 1] = appended

    def _new_section(self, spec: NewSection) -> Section:
        section = Section(spec.header, container=self.updater)
        section.add_line(f"[{spec.header}]\n")
        for key, value in spec.keys:
            section.structure.append(_Line(key, value, key_line(key, " = ", value), section))
        return section

    def _space(self, container: Any) -> Space:
        space = Space(container=container)
        space.add_line("\n")
        return space

    @staticmethod
    def _ends_blank(block: Any) -> bool:
        if isinstance(block, Space):
            return True
        if isinstance(block, Section) and block.structure:
            return isinstance(block.structure[-1], Space) and bool(block.structure[-1].lines)
        return False

    def _leftover(self, section: Section, after_blank: bool) -> list[Any]:
        """What stays of a removed section: its comment lines (also indented ones inside a
        value), with the blank lines between them, as top-level blocks at its place.

        Only the header and the ``key = value`` lines go. Blank lines are never added: the
        leading ones are dropped after a blank line (``after_blank``), so repeated runs
        cannot grow a run of blank lines; inner and trailing ones stay as they were."""
        lines: list[str] = []
        note = (section.raw_comment or "").strip()
        if note.startswith(("#", ";")) and section.lines:  # [profile x] ; a note on the header
            header = section.lines[0]
            lines.append(note + ("\r\n" if header.endswith("\r\n") else "\n"))
        for child in section.structure:
            if isinstance(child, Option):
                lines += [ln for ln in child.lines[1:] if _is_comment_or_blank(ln)]
            else:
                lines += child.lines
        if not any(ln.strip() for ln in lines):
            lines = [ln for ln in lines if not ln.strip()][:1] if not after_blank else []
        elif after_blank:
            while lines and not lines[0].strip():
                lines.pop(0)
        blocks: list[Any] = []
        for line in lines:
            kind = Space if not line.strip() else Comment
            if not blocks or type(blocks[-1]) is not kind:
                blocks.append(kind(container=self.updater))
                self._lifted.add(id(blocks[-1]))
            blocks[-1].add_line(line)
        return blocks

    @staticmethod
    def _ends_with_blank_line(out: list[Any]) -> bool:
        """Does the text so far end with a blank line (or is there no text yet)?"""
        for block in reversed(out):
            parts = block.structure if isinstance(block, Section) else []
            text = next((t for t in (str(c) for c in reversed(parts)) if t), "") or (
                "".join(block.lines) if isinstance(block, Section) else str(block))
            if text:
                return not text.rstrip("\r\n").rsplit("\n", 1)[-1].strip() \
                    if text.endswith("\n") else False
        return True

    def _rebuild(self, removed: set[int], new_sections: list[NewSection],
                 anchor: int | None) -> None:
        out: list[Any] = []
        index_of = {id(s): i for i, s in enumerate(self.sections)}
        last_section = len(self.sections) - 1
        for block in self.updater.structure:
            idx = index_of.get(id(block)) if isinstance(block, Section) else None
            if idx is None:
                out.append(block)
                continue
            if idx in removed:
                # its heading (comment lines directly above it, stored in the section above)
                # stays; so do its own comments: nobody but the user wrote them
                out.extend(self._leftover(block, self._ends_with_blank_line(out)))
                self._remember(block)
                continue
            out.append(block)
            if idx == anchor:
                heading = None
                if (idx < last_section and block.structure
                        and isinstance(block.structure[-1], Comment)):
                    self._remember(block)
                    heading = block.structure.pop()
                    heading._container = self.updater
                self._emit(out, new_sections)
                trailer = [heading] if heading is not None else []
                if idx < last_section or trailer:
                    out.append(self._space(self.updater))
                out.extend(trailer)
        if anchor is None and new_sections:
            self._emit(out, new_sections)
            self._appended_at_end = True
        elif anchor is not None and anchor == last_section:
            self._appended_at_end = True
        if removed and last_section in removed:
            # the file now ends where a removed section began: no dangling blank lines
            while out and isinstance(out[-1], Space) and id(out[-1]) in self._lifted:
                out.pop()
            while out and isinstance(out[-1], Section) and out[-1].structure \
                    and isinstance(out[-1].structure[-1], Space):
                self._remember(out[-1])
                out[-1].structure.pop()
        self.updater.structure[:] = out

    def _emit(self, out: list[Any], new_sections: list[NewSection]) -> None:
        for spec in new_sections:
            if out and not self._ends_blank(out[-1]):
                out.append(self._space(self.updater))
            out.append(self._new_section(spec))

    # -- output -------------------------------------------------------------------------------
    def render(self) -> str:
        """The new file text (after :meth:`apply`; the old text when nothing was applied)."""
        if self._rendered is None:
            self._rendered = self._render()
        return self._rendered

    def _render(self) -> str:
        if not self._changed:
            return self.decoded.original[1:] if self.decoded.bom else self.decoded.original
        d = self.decoded
        with _no_gc():
            self._new_blocks = list(self.updater.structure)
            self._new_texts = [str(b) for b in self._new_blocks]
        text = "".join(self._new_texts)
        if d.crlf:
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")
        if not d.final_newline and not self._appended_at_end and text.endswith(d.eol):
            text = text[: -len(d.eol)]
        return text

    def encode(self) -> bytes:
        return self.render().encode("utf-8")

    def diff(self, label: str | None = None) -> str:
        """Unified diff of the file before and after :meth:`apply` (linear: aligned by block)."""
        new_text = self.render()
        old_text = self.decoded.original
        if new_text == old_text:
            return ""
        label = label or self.source
        old_lines = _split(old_text[1:] if self.decoded.bom else old_text)
        new_lines = _split(new_text)
        if not self._changed:
            ops = [("equal", 0, len(old_lines), 0, len(new_lines))]
        else:
            ops = self._opcodes(old_lines, new_lines)
        if self.decoded.bom:
            ops = _force_first_line(ops, len(old_lines), len(new_lines))
            if old_lines:
                old_lines[0] = BOM + old_lines[0]
            else:
                old_lines = [BOM]
                ops = [("replace", 0, 1, 0, len(new_lines))] if new_lines else [
                    ("delete", 0, 1, 0, 0)]
        return _format(ops, old_lines, new_lines, label,
                       old_missing_nl=not old_text.endswith("\n") and bool(old_text),
                       new_missing_nl=not new_text.endswith("\n") and bool(new_text))

    def _opcodes(self, old_lines: list[str], new_lines: list[str],
                 ) -> list[tuple[str, int, int, int, int]]:
        new_ids = {id(b) for b in self._new_blocks}
        orig_ids = {id(b) for b in self._orig_blocks}
        old_seq = [(id(b), self._old_text.get(id(b))) for b in self._orig_blocks]
        ops: list[tuple[str, int, int, int, int]] = []
        i = j = 0  # line positions in old / new
        p = q = 0
        pend_a: list[str] = []
        pend_b: list[str] = []
        pi = pj = 0

        def flush() -> None:
            nonlocal pend_a, pend_b
            if pend_a or pend_b:
                ops.extend(_refine(pend_a, pend_b, pi, pj))
            pend_a, pend_b = [], []

        while p < len(old_seq) or q < len(self._new_blocks):
            if q < len(self._new_blocks) and id(self._new_blocks[q]) not in orig_ids:
                if not pend_a and not pend_b:
                    pi, pj = i, j
                n = self._new_texts[q].count("\n")
                pend_b += new_lines[j:j + n]
                j += n
                q += 1
                continue
            if p < len(old_seq) and old_seq[p][0] not in new_ids:
                if not pend_a and not pend_b:
                    pi, pj = i, j
                n = (old_seq[p][1] or "").count("\n")
                pend_a += old_lines[i:i + n]
                i += n
                p += 1
                continue
            # the same block on both sides
            before = old_seq[p][1]
            after = self._new_texts[q]
            if before is None or before == after:
                flush()
                n = after.count("\n")
                ops.append(("equal", i, i + n, j, j + n))
                i += n
                j += n
            else:
                if not pend_a and not pend_b:
                    pi, pj = i, j
                na, nb = before.count("\n"), after.count("\n")
                pend_a += old_lines[i:i + na]
                pend_b += new_lines[j:j + nb]
                i += na
                j += nb
            p += 1
            q += 1
        flush()
        return _split_last_line(_merge_equal(ops), old_lines, new_lines)


def _split(text: str) -> list[str]:
    """Lines with their endings; only ``\\n`` breaks a line (as in the INI parsers)."""
    if not text:
        return []
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _refine(a: list[str], b: list[str], i: int, j: int) -> list[tuple[str, int, int, int, int]]:
    if not a:
        return [("insert", i, i, j, j + len(b))]
    if not b:
        return [("delete", i, i + len(a), j, j)]
    if len(a) * len(b) > _MAX_REFINE:
        return [("replace", i, i + len(a), j, j + len(b))]
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [(t, i + a1, i + a2, j + b1, j + b2) for t, a1, a2, b1, b2 in sm.get_opcodes()]


def _merge_equal(ops: list[tuple[str, int, int, int, int]]) -> list[tuple[str, int, int, int, int]]:
    out: list[tuple[str, int, int, int, int]] = []
    for op in ops:
        if op[1] == op[2] and op[3] == op[4]:
            continue
        if out and op[0] == "equal" and out[-1][0] == "equal":
            _, a1, _, b1, _ = out[-1]
            out[-1] = ("equal", a1, op[2], b1, op[4])
        else:
            out.append(op)
    return out


def _split_last_line(ops: list[tuple[str, int, int, int, int]], a: list[str], b: list[str],
                     ) -> list[tuple[str, int, int, int, int]]:
    """Lines "equal" except for a final newline (the old or new last line) are changes."""
    for n, (tag, a1, a2, b1, b2) in enumerate(ops):
        if tag != "equal":
            continue
        cut = [k for k in (len(a) - 1 - a1, len(b) - 1 - b1) if 0 <= k < a2 - a1
               and a[a1 + k] != b[b1 + k]]
        if cut:
            k = cut[0]
            parts = [("equal", a1, a1 + k, b1, b1 + k), ("replace", a1 + k, a1 + k + 1,
                     b1 + k, b1 + k + 1), ("equal", a1 + k + 1, a2, b1 + k + 1, b2)]
            ops[n:n + 1] = [p for p in parts if p[1] != p[2]]
            break
    return ops


def _force_first_line(ops: list[tuple[str, int, int, int, int]], n_old: int, n_new: int,
                      ) -> list[tuple[str, int, int, int, int]]:
    """Show line 1 as changed (the removed BOM) even when its text is otherwise equal."""
    if not ops or not n_old or not n_new:
        return ops
    tag, a1, a2, b1, b2 = ops[0]
    if tag != "equal" or a1 != 0 or b1 != 0:
        return ops
    head = [("replace", 0, 1, 0, 1)]
    if a2 > 1:
        head.append(("equal", 1, a2, 1, b2))
    return head + ops[1:]


class _Opcodes:
    def __init__(self, ops: list[tuple[str, int, int, int, int]]) -> None:
        self.ops = ops

    def get_opcodes(self) -> list[tuple[str, int, int, int, int]]:
        return self.ops


def _show(line: str) -> str:
    line = line.replace(BOM, "<U+FEFF>")
    if line.endswith("\r\n"):
        line = line[:-2] + "\n"
    return line


def _format(ops: list[tuple[str, int, int, int, int]], a: list[str], b: list[str], label: str,
            *, old_missing_nl: bool, new_missing_nl: bool) -> str:
    out = [f"--- {label}\n", f"+++ {label} (ssogen)\n"]

    def emit(prefix: str, line: str, last: bool, missing: bool) -> None:
        text = _show(line)
        out.append(prefix + text if text.endswith("\n") else prefix + text + "\n")
        if last and missing:
            out.append("\\ No newline at end of file\n")

    grouped = difflib.SequenceMatcher.get_grouped_opcodes(_Opcodes(ops), DIFF_CONTEXT)  # type: ignore[arg-type]
    for group in grouped:
        first, last = group[0], group[-1]
        a1, a2, b1, b2 = first[1], last[2], first[3], last[4]
        out.append(f"@@ -{_range(a1, a2)} +{_range(b1, b2)} @@\n")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for k in range(i1, i2):
                    emit(" ", a[k], k == len(a) - 1, old_missing_nl)
                continue
            for k in range(i1, i2):
                emit("-", a[k], k == len(a) - 1, old_missing_nl)
            for k in range(j1, j2):
                emit("+", b[k], k == len(b) - 1, new_missing_nl)
    return "".join(out) if len(out) > 2 else ""


def _range(start: int, stop: int) -> str:
    length = stop - start
    beginning = start + 1
    if length == 1:
        return f"{beginning}"
    if not length:
        beginning -= 1
    return f"{beginning},{length}"


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


def read_config(path: Path) -> bytes | None:
    """The file's bytes; None if it does not exist. One-line errors otherwise."""
    from ssogen.store.fileio import not_regular

    kind = not_regular(Path(path))
    if kind == "a directory":
        raise ConfigFileError(f"{path}: is a directory, not a config file")
    if kind:  # e.g. AWS_CONFIG_FILE=/dev/null, or a named pipe that would block the read
        raise ConfigFileError(f"{path}: is {kind}, not a regular file; point --config (or "
                              "AWS_CONFIG_FILE) at a regular file")
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise ConfigFileError(f"{path}: is a directory, not a config file") from None
    except PermissionError:
        raise ConfigFileError(f"{path}: permission denied") from None
    except OSError as exc:
        raise ConfigFileError(f"{path}: cannot read ({exc.strerror or exc})") from None
