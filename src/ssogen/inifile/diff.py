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

from array import array
from bisect import bisect_right
from collections.abc import Hashable, Iterator, Sequence
from itertools import accumulate

from ssogen.inifile.codec import BOM

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ssogen.inifile.scan import Span

DIFF_CONTEXT = 3
_MAX_REFINE = 4_000_000  # len(a) * len(b) above which a region is not fed to SequenceMatcher

Opcode = tuple[str, int, int, int, int]
#: (identity, text): the same identity on both sides is one part; a part both texts share
#: unchanged may be a Span of it (its size is all the diff needs, equal when the same object)
Part = tuple[Hashable, "str | Span"]


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
    old_lines = _Lines(old_text[1:] if bom else old_text, old_parts, crlf=False)
    new_lines = _Lines(new_text, new_parts, crlf=crlf)
    ops = _opcodes(old_parts, new_parts, old_lines, new_lines)
    old_seq: _Lines | list[str] = old_lines
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


class _Lines:
    """The lines of ``text`` (with their endings; only ``\\n`` breaks a line), found through
    the parts it is made of: each part's place in the text is known from its length, so the
    text of lines ``lo`` to ``hi`` is found with a few ``str.find`` from the nearest part
    boundary, never by splitting the whole text.

    A part's length in ``text`` is its own, plus a carriage return per bare line feed when
    ``crlf`` (what :func:`~ssogen.inifile.codec.finish` does), and the final line break is
    off when ``text`` has none. When the lengths do not add up to the text (never expected),
    every line is a part, as a plain diff would split it."""

    __slots__ = ("_at", "_n", "by_part", "counts", "offsets", "prefix", "starts", "text")

    def __init__(self, text: str, parts: Sequence[Part], *, crlf: bool) -> None:
        self.text = text
        self.prefix = ""  # put before line 0 (the BOM of the old text)
        counts = [part.count("\n") for _, part in parts]  # lines per part
        lengths = [len(part) for _, part in parts]
        if crlf:
            lengths = [n + c - part.count("\r\n")
                       for n, c, (_, part) in zip(lengths, counts, parts, strict=True)]
        # machine integers: a list of int objects would cost 36 bytes per part, not 8
        offsets = array("q", accumulate(lengths, initial=0))
        starts = array("q", accumulate(counts, initial=0))
        pos, line = offsets.pop(), starts.pop()
        excess = pos - len(text)
        if 0 < excess <= 2 and not text.endswith("\n"):  # its final line break is off
            pos -= excess
        self.by_part = True  # offsets[p] is where part p starts
        if pos != len(text) or any(text[o - 1] != "\n" for o in offsets[1:] if o):
            lengths = [len(x) for x in _split(text)]
            offsets = array("q", [0, *accumulate(lengths)][:len(lengths)])
            starts = array("q", range(len(lengths)))
            line = len(lengths)
            self.by_part = False
        self.counts, self.offsets, self.starts, self._n = counts, offsets, starts, line
        self._at = (0, 0)  # (line, its offset) last found: the diff reads lines in order

    def __len__(self) -> int:
        return self._n

    def part_text(self, p: int, q: int) -> str:
        """The text of parts ``p`` up to ``q`` (only when :attr:`by_part`)."""
        n = len(self.offsets)
        return self.text[self.offsets[p] if p < n else len(self.text):
                         self.offsets[q] if q < n else len(self.text)]

    def offset(self, k: int) -> int:
        """Where line ``k`` starts in the text (the text's length for ``k == len(self)``)."""
        if k >= self._n:
            return len(self.text)
        line, pos = self._at
        if 0 <= k - line <= 8:  # a few lines on from the last one asked for: walk there
            for _ in range(k - line):
                pos = self.text.index("\n", pos) + 1
            self._at = (k, pos)
            return pos
        pos = self._find(k)
        self._at = (k, pos)
        return pos

    def _find(self, k: int) -> int:
        p = bisect_right(self.starts, k) - 1
        pos, ahead = self.offsets[p], k - self.starts[p]
        nxt = p + 1
        if nxt < len(self.starts) and self.starts[nxt] - k < ahead:  # nearer the next part
            pos = self.offsets[nxt]
            for _ in range(self.starts[nxt] - k):
                pos = self.text.rindex("\n", 0, pos - 1) + 1
            return pos
        for _ in range(ahead):
            pos = self.text.index("\n", pos) + 1
        return pos

    def block(self, lo: int, hi: int) -> str:
        """The text of lines ``lo`` up to ``hi``."""
        if hi <= lo:
            return ""
        text = self.text[self.offset(lo):self.offset(hi)]
        return self.prefix + text if lo == 0 and self.prefix else text

    def slice(self, lo: int, hi: int) -> list[str]:
        return _split(self.block(lo, hi))

    def __getitem__(self, k: int) -> str:
        return self.block(k, k + 1)


def _opcodes(old_parts: Sequence[Part], new_parts: Sequence[Part], old_lines: _Lines,
             new_lines: _Lines) -> list[Opcode]:
    """Equal parts are equal lines; everything between two equal parts is refined -- except a
    part rewritten in place (the same section, as many lines, a few of them changed: a
    renamed header), which is aligned line by line on its own. Such a section is where
    :mod:`difflib` would align it too; left in a region with its neighbours (a run of renamed
    sections, a removed one beside them) it would cost difflib the square of the region's
    lines to find that out."""
    old_keys = {k for k, _ in old_parts}
    new_keys = {k for k, _ in new_parts}
    old_counts, new_counts = old_lines.counts, new_lines.counts
    ops: list[Opcode] = []
    i = j = 0  # line positions in old / new
    p = q = 0
    pi = pj = -1  # where the pending (changed) region starts; -1: none
    pp = pq = 0  # ... and its first part, old and new
    ei = ej = -1  # where the pending run of equal parts starts; -1: none
    by_part = old_lines.by_part and new_lines.by_part

    def flush() -> None:
        nonlocal pi, pj
        if pi >= 0 and (i > pi or j > pj):
            if by_part:  # the region's text is its parts' text: no line to look for
                a, b = _split(old_lines.part_text(pp, p)), _split(new_lines.part_text(pq, q))
            else:
                a, b = old_lines.slice(pi, i), new_lines.slice(pj, j)
            ops.extend(_refine(a, b, pi, pj))
        pi = pj = -1

    def close_equal() -> None:  # one opcode for a run of equal parts, not one per part
        nonlocal ei
        if ei >= 0:
            ops.append(("equal", ei, i, ej, j))
            ei = -1

    n_old, n_new = len(old_parts), len(new_parts)
    while p < n_old or q < n_new:
        if q < n_new and new_parts[q][0] not in old_keys:
            if pi < 0:
                close_equal()
                pi, pj, pp, pq = i, j, p, q
            j += new_counts[q]
            q += 1
            continue
        if p < n_old and old_parts[p][0] not in new_keys:
            if pi < 0:
                close_equal()
                pi, pj, pp, pq = i, j, p, q
            i += old_counts[p]
            p += 1
            continue
        if old_parts[p][1] == new_parts[q][1]:
            if pi >= 0:
                flush()
            if ei < 0:
                ei, ej = i, j
            n = new_counts[q]
            i += n
            j += n
        elif by_part and old_counts[p] == new_counts[q] and (
                pair := _in_place(old_lines.part_text(p, p + 1),
                                  new_lines.part_text(q, q + 1), i, j)):
            flush()  # a section with a few lines rewritten (a renamed header): on its own
            close_equal()
            ops.extend(pair)
            i += old_counts[p]
            j += new_counts[q]
        else:
            if pi < 0:
                close_equal()
                pi, pj, pp, pq = i, j, p, q
            i += old_counts[p]
            j += new_counts[q]
        p += 1
        q += 1
    flush()
    close_equal()
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
    a, b = _split(old), _split(new)
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


def _split_last_line(ops: list[Opcode], a: _Lines, b: _Lines) -> list[Opcode]:
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


def _format(ops: list[Opcode], a: _Lines | list[str], b: _Lines, label: str,
            *, old_missing_nl: bool, new_missing_nl: bool) -> Iterator[str]:
    groups = _grouped(ops, DIFF_CONTEXT)
    if not groups:
        return iter(())
    return _hunks(groups, a, b, label, old_end=len(a) if old_missing_nl else -1,
                  new_end=len(b) if new_missing_nl else -1)


def _hunks(groups: list[list[Opcode]], a: _Lines | list[str], b: _Lines, label: str, *,
           old_end: int, new_end: int) -> Iterator[str]:
    """The header, then each hunk's text; ``old_end``/``new_end``: the line after which the
    side's no-newline marker goes (-1: none)."""
    yield f"--- {label}\n+++ {label} (ssogen)\n"
    for group in groups:
        first, last = group[0], group[-1]
        a1, a2, b1, b2 = first[1], last[2], first[3], last[4]
        out = [f"@@ -{_range(a1, a2)} +{_range(b1, b2)} @@\n"]
        # each side's lines are read once per hunk, as one block, then dealt out to its runs
        old = _shown(a.block(a1, a2) if isinstance(a, _Lines) else "".join(a[a1:a2]))
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
