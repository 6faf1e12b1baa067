"""ssogen's list question (select, region, checkbox): a ``questionary.Question`` around a
prompt_toolkit ``Application``, the way questionary builds its own select and checkbox
(``questionary/prompts/select.py``), with questionary's default style
(``merge_styles_default``), ``DEFAULT_QUESTION_PREFIX`` and ``DEFAULT_SELECTED_POINTER``
(the Application, the style and asking: :mod:`ssogen.ui.picker`; the pure part, the filter,
cursor, window and checks: :mod:`ssogen.ui.listing`).

questionary 2.1's ``select``/``checkbox`` lack what this one keeps: they draw every choice (a
300-account checkbox is 300 lines, pushed into the scrollback); their search filter matches
the title only and is drawn under the list, not on the question line; a filter that matches
nothing shows every choice again, and Enter then answers the first one; the checkbox's
toggle-all/invert act on every choice, not on the filtered ones. Here:

* a long list scrolls inside its own window (``↑ 12 more`` / ``↓ 250 more``), never taller
  than the terminal;
* the filter is typed on the question line itself and matches every word of a row (its text
  and its ``search``);
* a filter that matches nothing is refused on Enter (with the closest entries to take with
  Tab), never answered with the first entry;
* ctrl-a/n/t (all, none, invert) act on the rows the filter shows -- only those.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ssogen.records import record
from ssogen.ui.listing import KEEP_ABOVE, MAX_ROWS, ListState
from ssogen.ui.picker import abort_bindings, ask, question_app, question_line, size
from ssogen.ui.textfit import Line, cut, wrap


@record
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
        top = self._top_line()
        tail = self._tail_lines(cols)
        # over the rows' text: past the pointer, and the check box of a multi-select
        pad = "      " if self.state.multi else "  "
        head: list[Line] = [[("class:hint", pad + self.header)]] if self.header else []
        budget = max(1, min(MAX_ROWS, rows - KEEP_ABOVE - 1 - len(head) - len(tail) - 1))
        body = self._body_lines(budget)
        return [cut(line, cols - 1) for line in [top, *head, *body, *tail]]

    def _top_line(self) -> Line:
        """``? message`` and the filter typed (the cursor after it), or the placeholder."""
        st = self.state
        top: Line = question_line(self.message)
        if st.filter:
            top.append(("class:search_success" if st.visible() else "class:search_none",
                        st.filter))
        top.append(("[SetCursorPosition]", ""))
        if not st.filter and self.placeholder:
            top.append(("class:instruction", self.placeholder))
        if st.multi and st.filtered and st.visible():
            top.append(("class:instruction", f"  ({len(st.visible())} of {len(st.rows)} "
                                             "shown; ctrl-a/n/t act on these)"))
        return top

    def _tail_lines(self, cols: int) -> list[Line]:
        """Under the rows: the current row's detail, the notice or problem (wrapped), the
        live summary and the keys."""
        st = self.state
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
        return tail

    def _body_lines(self, budget: int) -> list[Line]:
        """The rows shown, in at most ``budget`` lines; or why there are none."""
        if not self.state.visible():
            return self._no_match_lines()
        return self._row_lines(budget)

    def _no_match_lines(self) -> list[Line]:
        st = self.state
        body: list[Line] = [[("class:notice", f"  nothing matches {st.filter.strip()!r}")]]
        close = self.no_match(st.filter) if self.no_match else []
        if close:
            body.append([("class:hint", "  closest: "), ("", ", ".join(close)),
                         ("class:hint", "  (Tab takes the first)")])
        return body

    def _row_lines(self, budget: int) -> list[Line]:
        """The window of rows around the cursor, with ``↑ N more`` / ``↓ N more``."""
        from questionary.constants import DEFAULT_SELECTED_POINTER

        st = self.state
        shown = st.visible()
        if len(shown) <= budget:
            start, end = st.window(len(shown))
        else:  # room for "↓ N more", and for "↑ N more" once scrolled
            start, end = st.window(max(1, budget - 1))
            if start > 0:
                start, end = st.window(max(1, budget - 2))
        body: list[Line] = [[("class:hint", f"  ↑ {start} more")]] if start > 0 else []
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
        return body


# ---------------------------------------------------------------------------------------------
# the keys, in groups: moving, editing the filter, checking (multi), answering
# ---------------------------------------------------------------------------------------------
def _movement_bindings(q: ListQuestion) -> Any:
    from prompt_toolkit.key_binding import KeyBindings

    kb = KeyBindings()
    st = q.state

    def page() -> int:
        return max(1, min(MAX_ROWS, size()[0] - 8))

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

    return kb


def _filter_bindings(q: ListQuestion) -> Any:
    from prompt_toolkit.key_binding import KeyBindings
    from prompt_toolkit.keys import Keys

    kb = KeyBindings()
    st = q.state

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
        _complete(q)

    @kb.add(Keys.BracketedPaste)
    def _(event: Any) -> None:
        text = " ".join(event.data.split())
        if text:
            st.type(text)

    return kb


def _complete(q: ListQuestion) -> None:
    """Tab: the first closest entry when nothing matches, else (select) the row's key."""
    st = q.state
    if not st.visible() and q.no_match is not None:
        close = q.no_match(st.filter)
        if close:
            st.set_filter(close[0])
    elif st.visible() and not st.multi:
        i = st.current()
        if i is not None and st.rows[i].key:
            st.set_filter(st.rows[i].key)


def _check_bindings(st: ListState) -> Any:
    from prompt_toolkit.key_binding import KeyBindings

    kb = KeyBindings()

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

    return kb


def _answer_bindings(q: ListQuestion, done: Callable[[Any], None]) -> Any:
    from prompt_toolkit.key_binding import KeyBindings
    from prompt_toolkit.keys import Keys

    kb = KeyBindings()
    st = q.state

    @kb.add("enter")
    def _(event: Any) -> None:
        _enter(q, done)

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

    return kb


def _enter(q: ListQuestion, done: Callable[[Any], None]) -> None:
    """Enter: the checked values (multi, once valid) or the row under the cursor; a text
    that matches nothing is refused, or (unlisted) asked about."""
    st = q.state
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


def _list_bindings(q: ListQuestion, done: Callable[[Any], None]) -> Any:
    from prompt_toolkit.key_binding import merge_key_bindings

    groups = [abort_bindings(), _movement_bindings(q), _filter_bindings(q)]
    if q.state.multi:
        groups.append(_check_bindings(q.state))
    groups.append(_answer_bindings(q, done))
    return merge_key_bindings(groups)


def list_question(q: ListQuestion) -> Any:
    """``q`` as a ``questionary.Question``; its answer is the chosen value (multi: the checked
    values)."""
    from prompt_toolkit.application import get_app

    def done(value: Any) -> None:
        get_app().exit(result=value)

    return question_app(lambda: q.draw(*size()), _list_bindings(q, done))


def ask_list(q: ListQuestion) -> Any:
    """Ask a list question; returns the chosen value (multi: the checked values)."""
    return ask(list_question(q))
