"""The pure part of a list question (select, region, checkbox): its rows and
:class:`ListState` -- the filter, which rows it shows, the cursor, the window drawn and the
checks. No terminal: every key of a list question is one method here, tested without one
(:mod:`ssogen.ui.list_question` draws it and binds the keys)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ssogen.records import field, record

#: a list shows at most this many rows at once (fewer on a short terminal)
MAX_ROWS = 15
#: lines kept free above a question on a short terminal (the previous answers stay in view)
KEEP_ABOVE = 2


@record
class Row:
    """One entry of a list question."""

    text: str  # as shown, columns aligned by the caller
    value: Any
    checked: bool = False
    key: str = ""  # what the filter must equal to be an exact hit (e.g. the region name)
    search: str = ""  # matched by the filter besides ``text``
    detail: str = ""  # drawn under the list while the cursor is on this row


@record
class ListState:
    """A list question's state: the filter, which rows it shows, the cursor and the checks.
    Pure (no terminal): every key of a list question is one method here."""

    rows: list[Row]
    multi: bool = False
    filter: str = ""
    checked: set[int] = field(default_factory=set)
    cursor: int = 0  # index into visible()
    top: int = 0  # first visible() index drawn
    message: str = ""  # a one-line problem or notice under the list
    _visible: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.checked = {i for i, r in enumerate(self.rows) if r.checked}
        self._visible = list(range(len(self.rows)))

    @classmethod
    def of(cls, rows: Sequence[Row], *, multi: bool = False, start: Any = None) -> ListState:
        state = cls(list(rows), multi=multi)
        at = next((k for k, r in enumerate(state.rows) if start is not None
                   and r.value == start), None)
        if at is not None:
            state.cursor = at
        return state

    # -- filtering -----------------------------------------------------------------------
    def _hit(self, i: int, words: list[str]) -> bool:
        row = self.rows[i]
        hay = f"{row.text}\n{row.search}".lower()
        return all(w in hay for w in words)

    def set_filter(self, text: str) -> None:
        """Show the rows containing every word of ``text`` (case-insensitive); the cursor goes
        to an exact hit (``key`` equal to the text), else to the first row shown."""
        self.filter = text
        words = text.lower().split()
        self._visible = [i for i in range(len(self.rows)) if self._hit(i, words)]
        want = text.strip().lower()
        self.cursor = next((k for k, i in enumerate(self._visible)
                            if want and self.rows[i].key.lower() == want), 0)
        self.top = 0
        self.message = ""

    def type(self, text: str) -> None:
        self.set_filter(self.filter + text)

    def backspace(self) -> None:
        if self.filter:
            self.set_filter(self.filter[:-1])

    def visible(self) -> list[int]:
        return self._visible

    def current(self) -> int | None:
        return self._visible[self.cursor] if self._visible else None

    # -- moving --------------------------------------------------------------------------
    def move(self, delta: int) -> None:
        if self._visible:
            self.cursor = max(0, min(len(self._visible) - 1, self.cursor + delta))
            self.message = ""

    def home(self) -> None:
        self.cursor = 0

    def end(self) -> None:
        self.cursor = max(0, len(self._visible) - 1)

    def window(self, height: int) -> tuple[int, int]:
        """The slice of visible() to draw in ``height`` rows, keeping the cursor inside."""
        n = len(self._visible)
        height = max(1, height)
        if self.cursor < self.top:
            self.top = self.cursor
        elif self.cursor >= self.top + height:
            self.top = self.cursor - height + 1
        self.top = max(0, min(self.top, max(0, n - height)))
        return self.top, min(n, self.top + height)

    # -- checking (multi) ----------------------------------------------------------------
    def toggle(self) -> None:
        i = self.current()
        if i is not None:
            self.checked ^= {i}
            self.message = ""

    def set_all(self, on: bool) -> None:
        """Check (or uncheck) every row the filter shows -- only those."""
        shown = set(self._visible)
        self.checked = (self.checked | shown) if on else (self.checked - shown)
        self.message = ""

    def invert(self) -> None:
        """Invert the checks of the rows the filter shows -- only those."""
        self.checked ^= set(self._visible)
        self.message = ""

    def values(self) -> list[Any]:
        return [self.rows[i].value for i in sorted(self.checked)]

    @property
    def filtered(self) -> bool:
        return bool(self.filter.strip())
