"""The wizard's questions on the terminal: questionary questions, drawn inline (never full
screen) -- and what they share: questionary's style with ssogen's classes, asking, the
answer line, and the inline Application ssogen's own questions are built on.

What is questionary's and what is ssogen's:

* **stock questionary prompts** -- ``questionary.text`` (the start URL, the session name, a
  template: its ``validate``, ``default``, the ``?`` prefix, the typed text in the answer
  style) and ``questionary.confirm`` (yes/no: y, n, or Enter for the default). The text question
  gets one addition through its Application's layout: the lines under the input (the live
  preview, e.g. the URL that will be used, and the validation problem wrapped at word
  boundaries, in place of prompt_toolkit's one-line validation toolbar, which cuts it).
* **ssogen's own questions, built as questionary questions** -- ``questionary.Question`` around
  a prompt_toolkit ``Application`` (:func:`question_app`), the way questionary builds its own
  select and checkbox (``questionary/prompts/select.py``), with questionary's default style
  (``merge_styles_default``) and ``DEFAULT_QUESTION_PREFIX``: the one-key question here
  (``Write these changes? (Y)es, (n)o, (d) view diff``; questionary has no one-key question
  with its own keys), and the list question (select, region, checkbox) in
  :mod:`ssogen.ui.list_question`, which says what questionary's ``select``/``checkbox`` lack.

Every question keeps four promises:

* it is never taller than the terminal: a long list scrolls inside its own window (``↑ 12
  more`` / ``↓ 250 more``), so nothing it draws is pushed into the scrollback;
* a filter is typed on the question line itself, where the eyes are;
* Enter never answers something the person cannot see: a filter that matches nothing is
  refused (with the closest entries to take with Tab), never answered with the first entry;
* once answered, the question erases itself and leaves one answer line in questionary's
  convention (``? message answer``, in its qmark/question/answer styles), wrapped at word
  boundaries to the terminal's width.

Nothing here imports questionary or prompt_toolkit at module level (the text helpers, which
every error message on a terminal uses, are :mod:`ssogen.ui.textfit`). :func:`ask` asks with
``Question.unsafe_ask()``: Ctrl-C raises KeyboardInterrupt, and so does Ctrl-D on an empty line
or the end of the input (EOFError): exit 130, nothing written.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Sequence
from typing import Any

from ssogen.ui.textfit import Line, cut, styled_wrap, wrap


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
    print_formatted_text(FormattedText(styled_wrap(parts)), style=style())


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


def size() -> tuple[int, int]:
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


def question_app(lines: Callable[[], list[Line]], bindings: Any) -> Any:
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


def abort_bindings() -> Any:
    from prompt_toolkit.key_binding import KeyBindings

    kb = KeyBindings()

    @kb.add("c-c", eager=True)
    @kb.add("c-q", eager=True)  # questionary's prompts abort on both
    def _(event: Any) -> None:
        event.app.exit(exception=KeyboardInterrupt, style="class:aborting")

    return kb


def question_line(message: str) -> Line:
    from questionary.constants import DEFAULT_QUESTION_PREFIX

    return [("class:qmark", DEFAULT_QUESTION_PREFIX), ("class:question", f" {message} ")]


def _wrap_message(message: str, tail: str) -> str:
    """``message`` with line breaks such that questionary's ``? message tail`` (its prompt
    puts the prefix and a space before the message, a space and ``tail`` after it) wraps at
    word boundaries to the terminal's width. ``tail`` is one word, e.g. ``(y/N)``."""
    from questionary.constants import DEFAULT_QUESTION_PREFIX

    lead = f"{DEFAULT_QUESTION_PREFIX} "
    full = wrap(f"{lead}{message} {tail}", size()[1])
    body = full[len(lead):len(full) - len(tail)]  # ends in " " or in a break and its indent
    return body[:-1] if body.endswith(" ") else body


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
        cols = size()[1]
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
                out.append(cut([(kind, f"  {part}")], cols - 1))
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
        return [*styled_wrap([*question_line(message), ("class:instruction", legend)],
                             size()[1]), ("", " ")]

    kb = KeyBindings()

    @kb.add("enter", eager=True)
    def _(event: Any) -> None:
        event.app.exit(result=default)

    @kb.add(Keys.Any)
    def _(event: Any) -> None:
        key = (event.data or "").lower()
        if key in keys:
            event.app.exit(result=keys[key])

    session: Any = PromptSession(tokens, key_bindings=merge_key_bindings([abort_bindings(), kb]),
                                 style=style(), erase_when_done=True)
    return questionary.Question(session.app)


def ask_keys(message: str, choices: Sequence[tuple[str, str]], *, default: str,
             legend: str = "") -> str:
    return str(ask(keys_question(message, choices, default=default, legend=legend)))
