"""The wizard's questions on the terminal: questionary questions, drawn inline (never full
screen).

What is questionary's and what is ssogen's:

* **stock questionary prompts** -- ``questionary.text`` (the start URL, the session name, a
  template: its ``validate``, ``default``, the ``?`` prefix, the typed text in the answer
  style) and ``questionary.confirm`` (yes/no: y, n, or Enter for the default). The text question
  gets one addition through its Application's layout: the lines under the input (the live
  preview, e.g. the URL that will be used, and the validation problem wrapped at word
  boundaries, in place of prompt_toolkit's one-line validation toolbar, which cuts it).
* **ssogen's own questions, built as questionary questions** -- ``questionary.Question`` around
  a prompt_toolkit ``Application``, the way questionary builds its own select and checkbox
  (``questionary/prompts/select.py``), with questionary's default style
  (``merge_styles_default``), ``DEFAULT_QUESTION_PREFIX`` and ``DEFAULT_SELECTED_POINTER``: the
  list question (select, region, checkbox) and the one-key question (``Write these
  changes? (Y)es, (n)o, (d) view diff``). questionary 2.1's ``select``/``checkbox`` lack what
  these keep: they draw every choice (a 300-account checkbox is 300 lines, pushed into the
  scrollback); their search filter matches the title only and is drawn under the list, not on
  the question line; a filter that matches nothing shows every choice again, and Enter then
  answers the first one; the checkbox's toggle-all/invert act on every choice, not on the
  filtered ones. questionary has no one-key question with its own keys.

Every question keeps four promises:

* it is never taller than the terminal: a long list scrolls inside its own window (``↑ 12
  more`` / ``↓ 250 more``), so nothing it draws is pushed into the scrollback;
* a filter is typed on the question line itself, where the eyes are;
* Enter never answers something the person cannot see: a filter that matches nothing is
  refused (with the closest entries to take with Tab), never answered with the first entry;
* once answered, the question erases itself and leaves one answer line in questionary's
  convention (``? message answer``, in its qmark/question/answer styles), wrapped at word
  boundaries to the terminal's width.

:class:`ListState` is the pure part (filter, cursor, window, checks): tested without a
terminal. Nothing here imports questionary or prompt_toolkit at module level (``wrap`` runs
for every error message on a terminal, ``--help`` imports neither). :func:`ask` asks with
``Question.unsafe_ask()``: Ctrl-C raises KeyboardInterrupt, and so does Ctrl-D on an empty line
or the end of the input (EOFError): exit 130, nothing written.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

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


def _styled_wrap(parts: Sequence[tuple[str, str]], width: int | None = None) -> Line:
    """``parts`` ((style, text) pairs) wrapped like :func:`wrap` as one text, each character
    keeping its part's style (the line breaks and indents wrap adds are unstyled)."""
    plain = "".join(text for _, text in parts)
    kinds = [kind for kind, text in parts for _ in text]
    out: Line = []
    j = 0
    for ch in wrap(plain, width):
        if j < len(plain) and ch != plain[j] and plain[j] == " ":
            while j < len(plain) and plain[j] == " ":  # the space wrap turned into a break
                j += 1
        if j < len(plain) and ch == plain[j]:
            kind, j = kinds[j], j + 1
        else:
            kind = ""
        if out and out[-1][0] == kind:
            out[-1] = (kind, out[-1][1] + ch)
        else:
            out.append((kind, ch))
    return out


def answer_line(message: str, answer: str) -> None:
    """What stays of an answered question, in questionary's convention: ``? message answer``
    (its qmark, question and answer styles), wrapped."""
    from prompt_toolkit import print_formatted_text
    from prompt_toolkit.formatted_text import FormattedText
    from questionary.constants import DEFAULT_QUESTION_PREFIX

    sys.stdout.flush()
    parts = [("class:qmark", DEFAULT_QUESTION_PREFIX), ("class:question", f" {message} "),
             ("class:answer", answer)]
    if not answer:
        parts[1] = ("class:question", f" {message}")
    print_formatted_text(FormattedText(_styled_wrap(parts)), style=style())


# ---------------------------------------------------------------------------------------------
# questionary's style, questions and asking
# ---------------------------------------------------------------------------------------------
#: the classes ssogen adds to questionary's default style; questionary's own classes (qmark,
#: question, answer, pointer, highlighted, selected, instruction, search_success,
#: search_none) keep questionary's look
EXTRA_STYLE = [
    ("hint", "fg:ansibrightblack"),  # column headers, the row's detail, "↓ 12 more"
    ("notice", "fg:ansiyellow"),  # nothing matches; take it as typed?
    ("error", "fg:ansired"),  # a refused Enter, a validation problem
]


def extra_style() -> Any:
    """ssogen's classes as a ``questionary.Style`` (questionary's prompts merge it with their
    default style themselves)."""
    import questionary

    return questionary.Style(EXTRA_STYLE)


def style() -> Any:
    """questionary's default style with ssogen's classes: for the questions built here."""
    from questionary.styles import merge_styles_default

    return merge_styles_default([extra_style()])


def ask(question: Any) -> Any:
    """``question.unsafe_ask()``: Ctrl-C raises KeyboardInterrupt; Ctrl-D on an empty line and
    the end of the input (prompt_toolkit's EOFError) raise it too."""
    try:
        return question.unsafe_ask()
    except EOFError:
        raise KeyboardInterrupt from None


def _size() -> tuple[int, int]:
    """(rows, columns) of the terminal the question is drawn on: the running question's
    output, else (a question being built, tests of the drawing) the terminal's size."""
    from prompt_toolkit.application import get_app_or_none

    app = get_app_or_none()  # (get_app() would be a dummy application, always 80x24)
    if app is not None and app.is_running:
        size = app.output.get_size()
        return max(6, size.rows), max(20, size.columns)
    c, r = shutil.get_terminal_size((80, 24))
    return max(6, r), max(20, c)


def _lines_window(lines: Callable[[], list[Line]], *, focusable: bool = False) -> Any:
    """A window showing ``lines``, exactly as tall as they are at each drawing."""
    from prompt_toolkit.layout import Window
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

    return Window(FormattedTextControl(fragments, show_cursor=focusable, focusable=focusable),
                  height=height, dont_extend_height=True, wrap_lines=False,
                  always_hide_cursor=not focusable)


def _question_app(lines: Callable[[], list[Line]], bindings: Any) -> Any:
    """A ``questionary.Question`` around one inline Application drawing ``lines`` (never
    taller than the terminal, erased when done), as questionary builds its select."""
    import questionary
    from prompt_toolkit.application import Application
    from prompt_toolkit.layout import HSplit, Layout

    body = _lines_window(lines, focusable=True)
    app: Any = Application(layout=Layout(HSplit([body]), focused_element=body),
                           key_bindings=bindings, style=style(), erase_when_done=True,
                           full_screen=False, mouse_support=False)
    return questionary.Question(app)


def _abort_bindings() -> Any:
    from prompt_toolkit.key_binding import KeyBindings

    kb = KeyBindings()

    @kb.add("c-c", eager=True)
    @kb.add("c-q", eager=True)  # questionary's prompts abort on both
    def _(event: Any) -> None:
        event.app.exit(exception=KeyboardInterrupt, style="class:aborting")

    return kb


def _question(message: str) -> Line:
    from questionary.constants import DEFAULT_QUESTION_PREFIX

    return [("class:qmark", DEFAULT_QUESTION_PREFIX), ("class:question", f" {message} ")]


def _wrap_message(message: str, tail: str) -> str:
    """``message`` with line breaks such that questionary's ``? message tail`` (its prompt
    puts the prefix and a space before the message, a space and ``tail`` after it) wraps at
    word boundaries to the terminal's width. ``tail`` is one word, e.g. ``(y/N)``."""
    from questionary.constants import DEFAULT_QUESTION_PREFIX

    lead = f"{DEFAULT_QUESTION_PREFIX} "
    full = wrap(f"{lead}{message} {tail}", _size()[1])
    body = full[len(lead):len(full) - len(tail)]  # ends in " " or in a break and its indent
    return body[:-1] if body.endswith(" ") else body


def _cut(line: Line, width: int) -> Line:
    """A drawn line cut to ``width`` cells (no terminal wrap can add a line)."""
    from prompt_toolkit.utils import get_cwidth

    out: Line = []
    left = width
    for kind, text in line:
        if kind == "[SetCursorPosition]":
            out.append((kind, text))
            continue
        w = get_cwidth(text)
        if w <= left:
            out.append((kind, text))
            left -= w
        else:
            out.append((kind, fit(text, max(1, left))))
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
        """The question's lines for a ``rows`` x ``cols`` terminal, in questionary's classes
        (qmark, question, search_success/search_none for the filter, pointer, highlighted,
        selected, instruction, answer) and ssogen's (hint, notice, error)."""
        from questionary.constants import DEFAULT_SELECTED_POINTER

        st = self.state
        width = cols - 1
        top: Line = _question(self.message)
        if st.filter:
            top.append(("class:search_success" if st.visible() else "class:search_none",
                        st.filter))
        top.append(("[SetCursorPosition]", ""))
        if not st.filter and self.placeholder:
            top.append(("class:instruction", self.placeholder))
        if st.multi and st.filtered and st.visible():
            top.append(("class:instruction", f"  ({len(st.visible())} of {len(st.rows)} "
                                             "shown; ctrl-a/n/t act on these)"))
        tail: list[Line] = []
        here = st.current()
        if here is not None and st.rows[here].detail:
            tail.append([("class:hint", f"  {st.rows[here].detail}")])
        notice = ""
        if self.confirming and self.unlisted is not None:
            notice, kind = self.unlisted(self.confirming) or "", "class:notice"
        elif st.message:
            notice, kind = st.message, "class:error"
        for text in wrap(notice, cols - 2, indent="").split("\n") if notice else []:
            tail.append([(kind, f"  {text}")])
        if self.summary is not None:  # what the answer line will say
            tail.append([("class:answer", f"  {self.summary(st)}")])
        if self.keys_help:
            tail.append([("class:instruction", f"  {self.keys_help}")])
        head: list[Line] = [[("class:hint", f"  {self.header}")]] if self.header else []
        budget = max(1, min(MAX_ROWS, rows - KEEP_ABOVE - 1 - len(head) - len(tail) - 1))
        body: list[Line] = []
        shown = st.visible()
        if not shown:
            body.append([("class:notice", f"  nothing matches {st.filter.strip()!r}")])
            close = self.no_match(st.filter) if self.no_match else []
            if close:
                body.append([("class:hint", "  closest: "), ("", ", ".join(close)),
                             ("class:hint", "  (Tab takes the first)")])
        else:
            if len(shown) <= budget:
                start, end = st.window(len(shown))
            else:  # room for "↓ N more", and for "↑ N more" once scrolled
                start, end = st.window(max(1, budget - 1))
                if start > 0:
                    start, end = st.window(max(1, budget - 2))
            if start > 0:
                body.append([("class:hint", f"  ↑ {start} more")])
            for k in range(start, end):
                i = shown[k]
                cursor = k == st.cursor
                line: Line = [("class:pointer", f"{DEFAULT_SELECTED_POINTER} ") if cursor
                              else ("class:text", "  ")]
                if st.multi:
                    on = i in st.checked
                    line.append(("class:selected" if on else "class:text",
                                 "[x] " if on else "[ ] "))
                line.append(("class:highlighted" if cursor else "class:text", st.rows[i].text))
                body.append(line)
            if end < len(shown):
                body.append([("class:hint", f"  ↓ {len(shown) - end} more")])
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

    @kb.add("c-d")  # as in questionary.text (prompt_toolkit's prompt): on an empty line, EOF
    def _(event: Any) -> None:
        if not st.filter:
            event.app.exit(exception=EOFError)

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


def list_question(q: ListQuestion) -> Any:
    """``q`` as a ``questionary.Question``; its answer is the chosen value (multi: the checked
    values)."""
    from prompt_toolkit.application import get_app

    def done(value: Any) -> None:
        get_app().exit(result=value)

    return _question_app(lambda: q.draw(*_size()), _list_bindings(q, done))


def ask_list(q: ListQuestion) -> Any:
    """Ask a list question; returns the chosen value (multi: the checked values)."""
    return ask(list_question(q))


# ---------------------------------------------------------------------------------------------
# text (questionary.text), confirm (questionary.confirm), keys
# ---------------------------------------------------------------------------------------------
def text_question(message: str, *, default: str = "",
                  validate: Callable[[str], str | None] | None = None,
                  preview: Callable[[str], str] | None = None) -> Any:
    """``questionary.text`` with ``validate`` (on Enter: the problem under the input, the
    question stays open) and ``preview``, drawn live under the input (e.g. the URL that will
    be used). The answer is the text typed, stripped.

    The lines under the input are added to the Application questionary.text builds: its
    layout becomes the input line (questionary's ``? message`` and what is typed) above
    ssogen's lines window, which also draws the validation problem, wrapped -- instead of
    prompt_toolkit's validation toolbar, one line that cuts what does not fit."""
    import questionary
    from prompt_toolkit.filters import to_filter
    from prompt_toolkit.key_binding import KeyBindings
    from prompt_toolkit.layout import HSplit, Layout

    def check(text: str) -> bool | str:
        problem = validate(text.strip()) if validate is not None else None
        return problem or True

    kb = KeyBindings()

    @kb.add("c-r")  # a one-line answer has no history to search (and the layout below no
    @kb.add("c-s")  # search field)
    def _(event: Any) -> None:
        pass

    question = questionary.text(message, default=default, validate=check,
                                style=extra_style(), erase_when_done=True,
                                validate_while_typing=False, key_bindings=kb)
    app = question.application
    field = app.layout.current_window  # the input line questionary's prompt focuses
    buffer: Any = app.layout.current_buffer  # questionary's default buffer (focused)
    field.dont_extend_height = to_filter(True)  # as questionary does for its lists

    def lines() -> list[Line]:
        out: list[Line] = []
        cols = _size()[1]
        shown = ""
        if preview is not None:
            try:
                shown = preview(buffer.text)
            except Exception:  # the preview must never kill the question
                shown = ""
        problem = buffer.validation_error.message if buffer.validation_error else ""
        if problem and shown == f"✗ {problem}":  # the preview said it already: once, as a problem
            shown = ""
        for kind, text in (("class:hint", shown),
                           ("class:error", f"✗ {problem}" if problem else "")):
            for part in wrap(text, cols - 2, indent="  ").split("\n") if text else []:
                out.append(_cut([(kind, f"  {part}")], cols - 1))
        return out

    app.layout = Layout(HSplit([field, _lines_window(lines)]), focused_element=field)
    return question


def ask_text(message: str, *, default: str = "",
             validate: Callable[[str], str | None] | None = None,
             preview: Callable[[str], str] | None = None) -> str:
    """Ask :func:`text_question`; the text typed, stripped."""
    return str(ask(text_question(message, default=default, validate=validate,
                                 preview=preview))).strip()


def confirm_question(message: str, *, default: bool) -> Any:
    """``questionary.confirm``: y, n, or Enter for the default (``(Y/n)`` / ``(y/N)``); a long
    question wraps at word boundaries."""
    import questionary
    from questionary.constants import NO_OR_YES, YES_OR_NO

    return questionary.confirm(_wrap_message(message, YES_OR_NO if default else NO_OR_YES),
                               default=default, style=extra_style(), erase_when_done=True)


def ask_confirm(message: str, *, default: bool) -> bool:
    return bool(ask(confirm_question(message, default=default)))


def keys_question(message: str, choices: Sequence[tuple[str, str]], *, default: str,
                  legend: str = "") -> Any:
    """One key answers: ``choices`` are (key, what it does), e.g. ``("d", "view the diff")``
    shown as ``(d) view the diff``; Enter takes ``default`` (shown in capitals). Built as
    questionary builds its confirm: a prompt_toolkit PromptSession with its own keys, in a
    ``questionary.Question``."""
    import questionary
    from prompt_toolkit import PromptSession
    from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings
    from prompt_toolkit.keys import Keys

    keys = {k.lower(): k for k, _ in choices}

    def label(key: str, words: str) -> str:
        shown = key.upper() if key == default else key
        if words.lower().startswith(key.lower()):
            return f"({shown}){words[len(key):]}"
        return f"({shown}) {words}"

    legend = legend or ", ".join(label(k, w) for k, w in choices)

    def tokens() -> Any:  # a long question wraps at word boundaries; the legend ends it
        return [*_styled_wrap([*_question(message), ("class:instruction", legend)], _size()[1]),
                ("", " ")]

    kb = KeyBindings()

    @kb.add("enter", eager=True)
    def _(event: Any) -> None:
        event.app.exit(result=default)

    @kb.add(Keys.Any)
    def _(event: Any) -> None:
        key = (event.data or "").lower()
        if key in keys:
            event.app.exit(result=keys[key])

    session: Any = PromptSession(tokens, key_bindings=merge_key_bindings([_abort_bindings(), kb]),
                                 style=style(), erase_when_done=True)
    return questionary.Question(session.app)


def ask_keys(message: str, choices: Sequence[tuple[str, str]], *, default: str,
             legend: str = "") -> str:
    return str(ask(keys_question(message, choices, default=default, legend=legend)))
