"""Unified diffs of a config file before and after an edit, linear in the file's size.

The editor knows which parts of the file it changed (sections, by key), so the diff aligns
the two texts part by part and runs :mod:`difflib` only inside the changed regions: a
20,000-section file with three changed profiles is diffed in the time it takes to walk it.
Neither text is split into lines as a whole: each hunk reads its lines from the two texts
as one block per side, and each run of lines in it is prefixed at once. A section whose
header alone changed (a renamed profile) is aligned without splitting it into lines.
The output is exactly ``difflib.unified_diff``'s format (3 lines of context), with two
additions a config file needs: a removed byte-order mark shows as ``<U+FEFF>`` on line 1, and
a missing final line break is marked ``\\ No newline at end of file``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ssogen.inifile.codec import BOM
from ssogen.inifile.partlines import Part, PartLines, split_lines

__all__ = ["DIFF_CONTEXT", "Part", "unified", "unified_chunks"]  # Part: re-exported

DIFF_CONTEXT = 3
_MAX_REFINE = 4_000_000  # len(a) * len(b) above which a region is not fed to SequenceMatcher

Opcode = tuple[str, int, int, int, int]


def unified(old_text: str, new_text: str, old_parts: Sequence[Part],
            new_parts: Sequence[Part], *, label: str, bom: bool, crlf: bool = False) -> str:
    """The diff of ``old_text`` (the file as read, BOM included when ``bom``) and
    ``new_text``; ``old_parts``/``new_parts`` are the same texts cut into identified parts
    (the old ones without the BOM and with a final line break; the new ones before
    :func:`ssogen.inifile.codec.finish`: ``crlf`` says it gave every line a CRLF).

    Neither text is split into lines as a whole: the lines of a part are read (from the
    texts themselves) only where the diff shows them -- changed regions and their context."""
    return "".join(unified_chunks(old_text, new_text, old_parts, new_parts, label=label,
                                  bom=bom, crlf=crlf))


def unified_chunks(old_text: str, new_text: str, old_parts: Sequence[Part],
                   new_parts: Sequence[Part], *, label: str, bom: bool,
                   crlf: bool = False) -> Iterator[str]:
    """:func:`unified`'s text in pieces of whole lines (the two header lines, then one piece
    per hunk), made as they are taken: a diff printed as it is made is never all in memory.
    Nothing when the texts are equal."""
    if new_text == old_text:
        return iter(())
    old_lines = PartLines(old_text[1:] if bom else old_text, old_parts, crlf=False)
    new_lines = PartLines(new_text, new_parts, crlf=crlf)
    ops = _opcodes(old_parts, new_parts, old_lines, new_lines)
    old_seq: PartLines | list[str] = old_lines
    if bom:
        ops = _force_first_line(ops, len(old_lines), len(new_lines))
        if len(old_lines):
            old_lines.prefix = BOM
        else:
            old_seq = [BOM]
            ops = [("replace", 0, 1, 0, len(new_lines))] if len(new_lines) else [
                ("delete", 0, 1, 0, 0)]
    return _format(ops, old_seq, new_lines, label,
                   old_missing_nl=not old_text.endswith("\n") and bool(old_text),
                   new_missing_nl=not new_text.endswith("\n") and bool(new_text))


def _opcodes(old_parts: Sequence[Part], new_parts: Sequence[Part], old_lines: PartLines,
             new_lines: PartLines) -> list[Opcode]:
    """Equal parts are equal lines; everything between two equal parts is refined -- except a
    part rewritten in place (the same section, as many lines, a few of them changed: a
    renamed header), which is aligned line by line on its own. Such a section is where
    :mod:`difflib` would align it too; left in a region with its neighbours (a run of renamed
    sections, a removed one beside them) it would cost difflib the square of the region's
    lines to find that out."""
    old_keys = {k for k, _ in old_parts}
    new_keys = {k for k, _ in new_parts}
    walk = _Walk(old_lines, new_lines)
    n_old, n_new = len(old_parts), len(new_parts)
    while walk.p < n_old or walk.q < n_new:
        p, q = walk.p, walk.q
        if q < n_new and new_parts[q][0] not in old_keys:
            walk.changed(0, 1)
        elif p < n_old and old_parts[p][0] not in new_keys:
            walk.changed(1, 0)
        elif old_parts[p][1] == new_parts[q][1]:
            walk.equal()
        elif walk.by_part and old_lines.counts[p] == new_lines.counts[q] and (
                pair := _in_place(old_lines.part_text(p, p + 1),
                                  new_lines.part_text(q, q + 1), walk.i, walk.j)):
            walk.rewritten(pair)  # a section with a few lines rewritten (a renamed header)
        else:
            walk.changed(1, 1)
    return walk.opcodes()


class _Walk:
    """:func:`_opcodes`' way through both files, a part (section) at a time: the line
    positions ``i``/``j`` and part positions ``p``/``q`` in old/new, the pending changed
    region (from line ``pi``/``pj``, part ``pp``/``pq``; -1: none) and the pending run of
    equal parts (from line ``ei``/``ej``; -1: none), which becomes one opcode."""

    __slots__ = ("by_part", "ei", "ej", "i", "j", "new", "old", "ops", "p", "pi", "pj",
                 "pp", "pq", "q")

    def __init__(self, old: PartLines, new: PartLines) -> None:
        self.old, self.new = old, new
        self.by_part = old.by_part and new.by_part
        self.ops: list[Opcode] = []
        self.i = self.j = self.p = self.q = 0
        self.pi = self.pj = self.ei = self.ej = -1
        self.pp = self.pq = 0

    def changed(self, dp: int, dq: int) -> None:
        """The next ``dp`` old and ``dq`` new parts (0 or 1) join the changed region."""
        if self.pi < 0:
            self._close_equal()
            self.pi, self.pj, self.pp, self.pq = self.i, self.j, self.p, self.q
        if dp:
            self.i += self.old.counts[self.p]
            self.p += 1
        if dq:
            self.j += self.new.counts[self.q]
            self.q += 1

    def equal(self) -> None:
        """The next old and new parts are the same text."""
        self._flush()
        if self.ei < 0:
            self.ei, self.ej = self.i, self.j
        n = self.new.counts[self.q]
        self.i += n
        self.j += n
        self.p += 1
        self.q += 1

    def rewritten(self, pair: list[Opcode]) -> None:
        """The next old and new parts are one section rewritten in place (``pair``: its
        opcodes), aligned on its own."""
        self._flush()
        self._close_equal()
        self.ops.extend(pair)
        self.i += self.old.counts[self.p]
        self.j += self.new.counts[self.q]
        self.p += 1
        self.q += 1

    def opcodes(self) -> list[Opcode]:
        self._flush()
        self._close_equal()
        return _split_last_line(_merge_equal(self.ops), self.old, self.new)

    def _flush(self) -> None:
        """The pending changed region refined into opcodes."""
        pi, pj, i, j = self.pi, self.pj, self.i, self.j
        if pi >= 0 and (i > pi or j > pj):
            if self.by_part:  # the region's text is its parts' text: no line to look for
                a = split_lines(self.old.part_text(self.pp, self.p))
                b = split_lines(self.new.part_text(self.pq, self.q))
            else:
                a, b = self.old.slice(pi, i), self.new.slice(pj, j)
            self.ops.extend(_refine(a, b, pi, pj))
        self.pi = self.pj = -1

    def _close_equal(self) -> None:
        if self.ei >= 0:
            self.ops.append(("equal", self.ei, self.i, self.ej, self.j))
            self.ei = -1


def _refine(a: list[str], b: list[str], i: int, j: int) -> list[Opcode]:
    if not a:
        return [("insert", i, i, j, j + len(b))]
    if not b:
        return [("delete", i, i + len(a), j, j)]
    if len(a) * len(b) > _MAX_REFINE:
        return [("replace", i, i + len(a), j, j + len(b))]
    if len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) * 4 <= len(a):
        return _positional(a, b, i, j)  # a few lines rewritten in place (renamed headers)
    import difflib  # only here: most diffs are aligned part by part, never by difflib

    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [(t, i + a1, i + a2, j + b1, j + b2) for t, a1, a2, b1, b2 in sm.get_opcodes()]


def _in_place(old: str, new: str, i: int, j: int) -> list[Opcode] | None:
    """The opcodes of a part rewritten in place (:func:`_positional`), or None when more
    than a quarter of its lines changed."""
    head, new_head = old.find("\n") + 1, new.find("\n") + 1
    if head and new_head and old[head:] == new[new_head:]:  # only its first line: renamed
        rest = old.count("\n", head) + (not old.endswith("\n"))
        if rest >= 3:  # (a quarter of its lines at most)
            return [("replace", i, i + 1, j, j + 1), ("equal", i + 1, i + 1 + rest, j + 1,
                                                       j + 1 + rest)]
    a, b = split_lines(old), split_lines(new)
    if len(a) != len(b) or sum(x != y for x, y in zip(a, b, strict=True)) * 4 > len(a):
        return None
    return _positional(a, b, i, j)


def _positional(a: list[str], b: list[str], i: int, j: int) -> list[Opcode]:
    """Line k of ``a`` against line k of ``b``: equal runs and replaced runs (what
    SequenceMatcher finds too when lines are only rewritten, not moved -- at a fraction of
    its cost)."""
    ops: list[Opcode] = []
    start = 0
    same = a[0] == b[0]
    for k in range(1, len(a) + 1):
        now = k < len(a) and a[k] == b[k]
        if k == len(a) or now != same:
            ops.append(("equal" if same else "replace", i + start, i + k, j + start, j + k))
            start, same = k, now
    return ops


def _merge_equal(ops: list[Opcode]) -> list[Opcode]:
    out: list[Opcode] = []
    for op in ops:
        if op[1] == op[2] and op[3] == op[4]:
            continue
        if out and op[0] == "equal" and out[-1][0] == "equal":
            _, a1, _, b1, _ = out[-1]
            out[-1] = ("equal", a1, op[2], b1, op[4])
        else:
            out.append(op)
    return out


def _split_last_line(ops: list[Opcode], a: PartLines, b: PartLines) -> list[Opcode]:
    """Lines "equal" except for a final newline (the old or new last line) are changes."""
    start = len(ops)  # only the last opcodes can hold a last line
    while start and (ops[start - 1][2] >= len(a) or ops[start - 1][4] >= len(b)):
        start -= 1
    for n in range(start, len(ops)):
        tag, a1, a2, b1, b2 = ops[n]
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


def _force_first_line(ops: list[Opcode], n_old: int, n_new: int,
                      ) -> list[Opcode]:
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


def _grouped(ops: list[Opcode], n: int) -> list[list[Opcode]]:
    """Hunks of changes with ``n`` lines of context, as ``SequenceMatcher.get_grouped_opcodes``
    makes them (for opcodes that did not come from a SequenceMatcher)."""
    codes = list(ops) or [("equal", 0, 1, 0, 1)]
    if codes[0][0] == "equal":  # fix up leading and trailing context
        tag, i1, i2, j1, j2 = codes[0]
        codes[0] = tag, max(i1, i2 - n), i2, max(j1, j2 - n), j2
    if codes[-1][0] == "equal":
        tag, i1, i2, j1, j2 = codes[-1]
        codes[-1] = tag, i1, min(i2, i1 + n), j1, min(j2, j1 + n)
    groups: list[list[Opcode]] = []
    group: list[Opcode] = []
    for tag, i1, i2, j1, j2 in codes:
        if tag == "equal" and i2 - i1 > n + n:  # end the hunk at a long equal run
            group.append((tag, i1, min(i2, i1 + n), j1, min(j2, j1 + n)))
            groups.append(group)
            group = []
            i1, j1 = max(i1, i2 - n), max(j1, j2 - n)
        group.append((tag, i1, i2, j1, j2))
    if group and not (len(group) == 1 and group[0][0] == "equal"):
        groups.append(group)
    return groups


def _format(ops: list[Opcode], a: PartLines | list[str], b: PartLines, label: str,
            *, old_missing_nl: bool, new_missing_nl: bool) -> Iterator[str]:
    groups = _grouped(ops, DIFF_CONTEXT)
    if not groups:
        return iter(())
    return _hunks(groups, a, b, label, old_end=len(a) if old_missing_nl else -1,
                  new_end=len(b) if new_missing_nl else -1)


def _hunks(groups: list[list[Opcode]], a: PartLines | list[str], b: PartLines, label: str, *,
           old_end: int, new_end: int) -> Iterator[str]:
    """The header, then each hunk's text; ``old_end``/``new_end``: the line after which the
    side's no-newline marker goes (-1: none)."""
    yield f"--- {label}\n+++ {label} (ssogen)\n"
    for group in groups:
        first, last = group[0], group[-1]
        a1, a2, b1, b2 = first[1], last[2], first[3], last[4]
        out = [f"@@ -{_range(a1, a2)} +{_range(b1, b2)} @@\n"]
        # each side's lines are read once per hunk, as one block, then dealt out to its runs
        old = _shown(a.block(a1, a2) if isinstance(a, PartLines) else "".join(a[a1:a2]))
        new = _shown(b.block(b1, b2))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                _put(out, " ", old, i1 - a1, i2 - a1, i2 == old_end)
                continue
            _put(out, "-", old, i1 - a1, i2 - a1, i2 == old_end)
            _put(out, "+", new, j1 - b1, j2 - b1, j2 == new_end)
        yield "".join(out)


def _shown(text: str) -> list[str]:
    """The lines of ``text`` as the diff shows them, without their line feeds: CRLF as LF,
    a missing final line feed added, a BOM as ``<U+FEFF>`` (done on the block at once: no
    replacement spans a line break)."""
    if BOM in text:
        text = text.replace(BOM, "<U+FEFF>")
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    if not text.endswith("\n"):
        text += "\n"
    return text.split("\n")[:-1]


_NO_NEWLINE = "\\ No newline at end of file\n"


def _put(out: list[str], prefix: str, lines: list[str], lo: int, hi: int, last: bool) -> None:
    """Lines ``lo`` to ``hi`` of a hunk side, each after ``prefix``; the no-newline marker
    after them when they end the side's file and it has no final line break (``last``)."""
    if hi > lo:
        out.append(prefix + ("\n" + prefix).join(lines[lo:hi]) + "\n")
        if last:
            out.append(_NO_NEWLINE)


def _range(start: int, stop: int) -> str:
    length = stop - start
    beginning = start + 1
    if length == 1:
        return f"{beginning}"
    if not length:
        beginning -= 1
    return f"{beginning},{length}"
