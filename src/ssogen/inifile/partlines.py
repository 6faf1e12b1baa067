"""The lines of a text found through the parts (sections) it is made of, for the diff: a
part's place in the text follows from its length, so the lines a hunk shows are found from
the nearest part boundary, never by splitting the whole text.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Hashable, Sequence
from itertools import accumulate

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ssogen.inifile.layout import Span

__all__ = ["Part", "PartLines", "split_lines"]

#: (identity, text): the same identity on both sides is one part; a part both texts share
#: unchanged may be a Span of it (its size is all the diff needs, equal when the same object)
Part = tuple[Hashable, "str | Span"]


class PartLines:
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
            lengths = [len(x) for x in split_lines(text)]
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
        return split_lines(self.block(lo, hi))

    def __getitem__(self, k: int) -> str:
        return self.block(k, k + 1)


def split_lines(text: str) -> list[str]:
    """Lines with their endings; only ``\\n`` breaks a line (as in the INI parsers)."""
    if not text:
        return []
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines
