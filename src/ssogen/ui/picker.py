"""The wizard's questions on the terminal, drawn inline (never full screen) with prompt_toolkit.

Every question here keeps four promises, which questionary's prompts could not:

* it is never taller than the terminal: a long list scrolls inside its own window (``↑ 12
  more`` / ``↓ 250 more``), so nothing it draws is pushed into the scrollback;
* a filter is typed on the question line itself, where the eyes are;
* Enter never answers something the person cannot see: a filter that matches nothing is
  refused (with the closest entries to take with Tab), never answered with the first entry;
* once answered, the question erases itself and leaves one answer line, wrapped at word
  boundaries to the terminal's width.

:class:`ListState` is the pure part (filter, cursor, window, checks): tested without a
terminal. The ``ask_*`` functions are the prompt_toolkit glue. Ctrl-C (and Ctrl-D on an empty
line) raises KeyboardInterrupt: exit 130, nothing written.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

#: a list shows at most this many rows at once (fewer on a short terminal)
MAX_ROWS = 15
#: lines kept free above a question on a short terminal (the previous answers stay in view)
KEEP_ABOVE = 2

Line = list[tuple[str, str]]


@dataclass
class Row:
    """One entry of a list question."""

    text: str  # as shown, columns aligned by the caller
    value: Any
    checked: bool = False
    key: str = ""  # what the filter must equal to be an exact hit (e.g. the region name)
    search: str = ""  # matched by the filter besides ``text``
    detail: str = ""  # drawn under the list while the cursor is on this row


@dataclass
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


# ---------------------------------------------------------------------------------------------
# text helpers (also used for what the wizard prints between questions)
# ---------------------------------------------------------------------------------------------
def columns() -> int:
    return max(20, shutil.get_terminal_size((80, 24)).columns)


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal cells, ending in ``…`` when cut."""
    from prompt_toolkit.utils import get_cwidth

    if get_cwidth(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = get_cwidth(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def wrap(text: str, width: int | None = None, indent: str = "  ", used: int = 0) -> str:
    """``text`` wrapped at word boundaries to the terminal's width (continuation lines
    indented), each of its own lines separately; URLs and names are never broken.
    ``used``: columns the first line already has (a prefix printed before it)."""
    width = max(20, (width or columns()) - 1)
    out = []
    for n, line in enumerate(text.split("\n")):
        if not line.strip():
            out.append(line)
            continue
        lead = line[:len(line) - len(line.lstrip(" "))]
        first = " " * used if n == 0 else ""
        filled = textwrap.fill(line, width=width, initial_indent=first,
                               subsequent_indent=lead + indent, break_long_words=False,
                               break_on_hyphens=False)
        out.append(filled[len(first):])
    return "\n".join(out)


def answer_line(message: str, answer: str) -> None:
    """What stays of an answered question: ``? message answer``, wrapped."""
    from ssogen.ui import terminal as ui

    mark = ui.style("?", "cyan", sys.stdout)
    text = wrap(f"? {message} {answer}".rstrip())
    sys.stdout.write(mark + text[1:] + "\n")
    sys.stdout.flush()


# ---------------------------------------------------------------------------------------------
# prompt_toolkit glue
# ---------------------------------------------------------------------------------------------
def _style() -> Any:
    from prompt_toolkit.styles import Style

    return Style.from_dict({
        "qmark": "fg:ansicyan bold", "question": "bold", "pointer": "fg:ansicyan bold",
        "current": "bold", "checked": "fg:ansigreen", "dim": "fg:ansibrightblack",
        "error": "fg:ansired", "notice": "fg:ansiyellow", "filter": "fg:ansicyan",
        "summary": "fg:ansicyan",
    })


def _size() -> tuple[int, int]:
    """(rows, columns) of the terminal the question is drawn on."""
    from prompt_toolkit.application import get_app

    try:
        size = get_app().output.get_size()
        return max(6, size.rows), max(20, size.columns)
    except Exception:  # no running application (tests of the drawing)
        c, r = shutil.get_terminal_size((80, 24))
        return max(6, r), max(20, c)


def _run(lines: Callable[[], list[Line]], bindings: Any, *, focus: Any = None,
         above: Any = None) -> Any:
    """One inline application: ``lines`` drawn (after the optional ``above`` window, e.g. a
    text input), never taller than the terminal, erased when done."""
    from prompt_toolkit.application import Application
    from prompt_toolkit.layout import HSplit, Layout, Window
    from prompt_toolkit.layout.controls import FormattedTextControl
    from prompt_toolkit.layout.dimension import Dimension

    def fragments() -> Any:  # prompt_toolkit's formatted text: (style, text) pairs
        out: list[tuple[str, str]] = []
        for n, line in enumerate(lines()):
            if n:
                out.append(("", "\n"))
            out.extend(line)
        return out

    def height() -> Dimension:  # asked before each drawing: the lines as they are now
        return Dimension.exact(len(lines()))

    body = Window(FormattedTextControl(fragments, show_cursor=above is None,
                                       focusable=above is None),
                  height=height, dont_extend_height=True, wrap_lines=False,
                  always_hide_cursor=above is not None)
    parts = [above, body] if above is not None else [body]
    app: Any = Application(layout=Layout(HSplit(parts), focused_element=focus or body),
                           key_bindings=bindings, style=_style(), erase_when_done=True,
                           full_screen=False, mouse_support=False)
    return app.run()


def _abort_bindings() -> Any:
    from prompt_toolkit.key_binding import KeyBindings

    kb = KeyBindings()

    @kb.add("c-c")
    def _(event: Any) -> None:
        event.app.exit(exception=KeyboardInterrupt())

    return kb


def _question(message: str) -> Line:
    return [("class:qmark", "?"), ("class:question", f" {message} ")]


def _cut(line: Line, width: int) -> Line:
    """A drawn line cut to ``width`` cells (no terminal wrap can add a line)."""
    from prompt_toolkit.utils import get_cwidth

    out: Line = []
    left = width
    for style, text in line:
        if style == "[SetCursorPosition]":
            out.append((style, text))
            continue
        w = get_cwidth(text)
        if w <= left:
            out.append((style, text))
            left -= w
        else:
            out.append((style, fit(text, max(1, left))))
            break
    return out


# ---------------------------------------------------------------------------------------------
# list questions: select, region, checkbox
# ---------------------------------------------------------------------------------------------
@dataclass
class ListQuestion:
    """What a list question shows around its rows and how it answers."""

    message: str
    state: ListState
    header: str = ""  # a dim column header above the rows
    keys_help: str = ""
    summary: Callable[[ListState], str] | None = None  # live, under the list
    validate: Callable[[ListState], str | None] | None = None  # on Enter (multi)
    no_match: Callable[[str], list[str]] | None = None  # closest keys when nothing matches
    unlisted: Callable[[str], str | None] | None = None  # question to take the text as is
    confirming: str = ""  # the text waiting for y (unlisted), else ""
    placeholder: str = "(type to filter)"

    def draw(self, rows: int, cols: int) -> list[Line]:
        st = self.state
        width = cols - 1
        top: Line = _question(self.message)
        if st.filter:
            top.append(("class:filter", st.filter))
        top.append(("[SetCursorPosition]", ""))
        if not st.filter and self.placeholder:
            top.append(("class:dim", self.placeholder))
        if st.multi and st.filtered and st.visible():
            top.append(("class:dim", f"  ({len(st.visible())} of {len(st.rows)} shown; "
                                     "ctrl-a/n/t act on these)"))
        tail: list[Line] = []
        here = st.current()
        if here is not None and st.rows[here].detail:
            tail.append([("class:dim", f"  {st.rows[here].detail}")])
        notice = ""
        if self.confirming and self.unlisted is not None:
            notice, kind = self.unlisted(self.confirming) or "", "class:notice"
        elif st.message:
            notice, kind = st.message, "class:error"
        for text in wrap(notice, cols - 2, indent="").split("\n") if notice else []:
            tail.append([(kind, f"  {text}")])
        if self.summary is not None:
            tail.append([("class:summary", f"  {self.summary(st)}")])
        if self.keys_help:
            tail.append([("class:dim", f"  {self.keys_help}")])
        head: list[Line] = [[("class:dim", f"  {self.header}")]] if self.header else []
        budget = max(1, min(MAX_ROWS, rows - KEEP_ABOVE - 1 - len(head) - len(tail) - 1))
        body: list[Line] = []
        shown = st.visible()
        if not shown:
            body.append([("class:notice", f"  nothing matches {st.filter.strip()!r}")])
            close = self.no_match(st.filter) if self.no_match else []
            if close:
                body.append([("class:dim", "  closest: "), ("", ", ".join(close)),
                             ("class:dim", "  (Tab takes the first)")])
        else:
            if len(shown) <= budget:
                start, end = st.window(len(shown))
            else:  # room for "↓ N more", and for "↑ N more" once scrolled
                start, end = st.window(max(1, budget - 1))
                if start > 0:
                    start, end = st.window(max(1, budget - 2))
            if start > 0:
                body.append([("class:dim", f"  ↑ {start} more")])
            for k in range(start, end):
                i = shown[k]
                cursor = k == st.cursor
                line: Line = [("class:pointer", "» ") if cursor else ("", "  ")]
                if st.multi:
                    on = i in st.checked
                    line.append(("class:checked" if on else "", "[x] " if on else "[ ] "))
                line.append(("class:current" if cursor else "", st.rows[i].text))
                body.append(line)
            if end < len(shown):
                body.append([("class:dim", f"  ↓ {len(shown) - end} more")])
        return [_cut(line, width) for line in [top, *head, *body, *tail]]


def _list_bindings(q: ListQuestion, done: Callable[[Any], None]) -> Any:
    from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
    from prompt_toolkit.keys import Keys

    kb = KeyBindings()
    st = q.state

    def page() -> int:
        return max(1, min(MAX_ROWS, _size()[0] - 8))

    @kb.add("up")
    @kb.add("c-p")
    def _(event: Any) -> None:
        q.confirming = ""
        st.move(-1)

    @kb.add("down")
    def _(event: Any) -> None:
        q.confirming = ""
        st.move(1)

    @kb.add("pageup")
    def _(event: Any) -> None:
        st.move(-page())

    @kb.add("pagedown")
    def _(event: Any) -> None:
        st.move(page())

    @kb.add("home")
    def _(event: Any) -> None:
        st.home()

    @kb.add("end")
    def _(event: Any) -> None:
        st.end()

    @kb.add("backspace")
    @kb.add("c-h")
    def _(event: Any) -> None:
        q.confirming = ""
        st.backspace()

    @kb.add("c-u")
    def _(event: Any) -> None:
        q.confirming = ""
        st.set_filter("")

    @kb.add("c-w")
    def _(event: Any) -> None:
        words = st.filter.rstrip().rsplit(" ", 1)
        st.set_filter(words[0] + " " if len(words) > 1 else "")

    @kb.add("tab")
    def _(event: Any) -> None:
        q.confirming = ""
        if not st.visible() and q.no_match is not None:
            close = q.no_match(st.filter)
            if close:
                st.set_filter(close[0])
        elif st.visible() and not st.multi:
            i = st.current()
            if i is not None and st.rows[i].key:
                st.set_filter(st.rows[i].key)

    if st.multi:
        @kb.add(" ")
        def _(event: Any) -> None:
            st.toggle()

        @kb.add("c-a")
        def _(event: Any) -> None:
            st.set_all(True)

        @kb.add("c-n")
        def _(event: Any) -> None:
            st.set_all(False)

        @kb.add("c-t")
        def _(event: Any) -> None:
            st.invert()

    @kb.add("enter")
    def _(event: Any) -> None:
        if q.confirming:  # Enter is the default answer to "take it as typed?": no
            q.confirming = ""
            return
        if st.multi:
            problem = q.validate(st) if q.validate is not None else None
            if problem:
                st.message = problem
                return
            done(st.values())
            return
        i = st.current()
        if i is not None:
            done(st.rows[i].value)
            return
        text = st.filter.strip()
        if q.unlisted is not None and text and q.unlisted(text):
            q.confirming = text
            return
        close = q.no_match(text) if q.no_match is not None else []
        st.message = ("nothing to choose: fix the text"
                      + (f", or press Tab for {close[0]}" if close else "")
                      + " (Ctrl-U clears it)")

    @kb.add(Keys.Any)
    def _(event: Any) -> None:
        data = event.data
        if q.confirming:
            if data in ("y", "Y"):
                done(q.confirming.lower())
            else:
                q.confirming = ""
            return
        if data and data.isprintable() and not (st.multi and data == " "):
            st.type(data)

    @kb.add(Keys.BracketedPaste)
    def _(event: Any) -> None:
        text = " ".join(event.data.split())
        if text:
            st.type(text)

    return merge_key_bindings([_abort_bindings(), kb])


def ask_list(q: ListQuestion) -> Any:
    """Run a list question; returns the chosen value (multi: the checked values)."""
    result: list[Any] = []

    def done(value: Any) -> None:
        from prompt_toolkit.application import get_app

        result.append(value)
        get_app().exit()

    bindings = _list_bindings(q, done)
    _run(lambda: q.draw(*_size()), bindings)
    if not result:
        raise KeyboardInterrupt
    return result[0]


# ---------------------------------------------------------------------------------------------
# text, confirm, keys
# ---------------------------------------------------------------------------------------------
def ask_text(message: str, *, default: str = "",
             validate: Callable[[str], str | None] | None = None,
             preview: Callable[[str], str] | None = None) -> str:
    """A line of text; ``preview`` is drawn live under it (e.g. the URL that will be used),
    ``validate``'s problem under it on Enter (the question stays open)."""
    from prompt_toolkit.buffer import Buffer
    from prompt_toolkit.document import Document
    from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
    from prompt_toolkit.key_binding.defaults import load_key_bindings
    from prompt_toolkit.layout import Window
    from prompt_toolkit.layout.controls import BufferControl
    from prompt_toolkit.layout.processors import BeforeInput

    problem: list[str] = [""]
    result: list[str] = []
    buffer = Buffer(document=Document(default, len(default)), multiline=False,
                    on_text_changed=lambda _: problem.__setitem__(0, ""))
    field_window = Window(BufferControl(buffer, input_processors=[
        BeforeInput(lambda: cast(Any, _question(message)))]), dont_extend_height=True,
        wrap_lines=True)

    def lines() -> list[Line]:
        out: list[Line] = []
        cols = _size()[1]
        shown = ""
        if preview is not None:
            try:
                shown = preview(buffer.text)
            except Exception:  # the preview must never kill the question
                shown = ""
        for style, text in (("class:dim", shown),
                            ("class:error", f"✗ {problem[0]}" if problem[0] else "")):
            for part in wrap(text, cols - 2, indent="  ").split("\n") if text else []:
                out.append(_cut([(style, f"  {part}")], cols - 1))
        return out

    kb = KeyBindings()

    @kb.add("enter")
    def _(event: Any) -> None:
        text = buffer.text.strip()
        found = validate(text) if validate is not None else None
        if found:
            problem[0] = found
            return
        result.append(text)
        event.app.exit()

    @kb.add("c-d")
    def _(event: Any) -> None:
        if not buffer.text:
            event.app.exit(exception=KeyboardInterrupt())
        else:
            buffer.delete()

    bindings = merge_key_bindings([load_key_bindings(), _abort_bindings(), kb])
    _run(lines, bindings, focus=field_window, above=field_window)
    if not result:
        raise KeyboardInterrupt
    return result[0]


def ask_keys(message: str, choices: Sequence[tuple[str, str]], *, default: str,
             legend: str = "") -> str:
    """One key answers: ``choices`` are (key, what it does), e.g. ``("d", "view the diff")``
    shown as ``(d) view the diff``; Enter takes ``default`` (shown in capitals)."""
    from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
    from prompt_toolkit.keys import Keys

    result: list[str] = []
    keys = {k.lower(): k for k, _ in choices}

    def label(key: str, words: str) -> str:
        shown = key.upper() if key == default else key
        if words.lower().startswith(key.lower()):
            return f"({shown}){words[len(key):]}"
        return f"({shown}) {words}"

    legend = legend or ", ".join(label(k, w) for k, w in choices)

    def lines() -> list[Line]:
        # a long question wraps at word boundaries; the legend and the cursor end it
        text = wrap(f"? {message} {legend}", _size()[1], indent="  ").split("\n")
        out: list[Line] = []
        for n, part in enumerate(text):
            line: Line = [("class:qmark", "?"), ("class:question", part[1:])] if n == 0 \
                else [("class:question", part)]
            if n == len(text) - 1:
                line += [("", " "), ("[SetCursorPosition]", "")]
            out.append(line)
        return out

    kb = KeyBindings()

    @kb.add("enter")
    def _(event: Any) -> None:
        result.append(default)
        event.app.exit()

    @kb.add(Keys.Any)
    def _(event: Any) -> None:
        key = (event.data or "").lower()
        if key in keys:
            result.append(keys[key])
            event.app.exit()

    _run(lines, merge_key_bindings([_abort_bindings(), kb]))
    if not result:
        raise KeyboardInterrupt
    return result[0]


def ask_confirm(message: str, *, default: bool) -> bool:
    """Yes or no: y, n, or Enter for the default (``(Y/n)`` / ``(y/N)``)."""
    key = ask_keys(message, [("y", "yes"), ("n", "no")], default="y" if default else "n",
                   legend="(Y/n)" if default else "(y/N)")
    return key == "y"
