"""The scanned file by place: the text, the offset of each section header, the sections
(:class:`Layout`), and a section's text not copied until asked for (:class:`Span`).
"""

from __future__ import annotations

from ssogen.inifile.model import FileModel
from ssogen.records import record

__all__ = ["DEFAULT_SECTION", "KEEP_VALUES", "Layout", "Span"]

#: configparser's special section: its keys are defaults for every other section
DEFAULT_SECTION = "DEFAULT"
#: kinds whose values the scan keeps (what the planner reads); any other section's are read
#: again on demand (:meth:`ssogen.inifile.model.FileModel.values`)
KEEP_VALUES = ("profile", "sso-session", "ssogen")


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
