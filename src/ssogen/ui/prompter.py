"""How a question is asked: :class:`TerminalPrompter` (the terminal: questionary questions,
:mod:`ssogen.ui.picker`) or :class:`DefaultsPrompter` (``--yes``: every question takes its
default, no terminal). A question without a usable default under ``--yes`` is a one-line
UsageError naming the flag that answers it."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from ssogen.errors import UsageError
from ssogen.records import record

if TYPE_CHECKING:
    from ssogen.model.regions import Region


@record(frozen=True)
class Option:
    title: str
    value: Any
    description: str | None = None
    checked: bool = True
    key: str = ""  # typed exactly into a filter, it puts the cursor on this option
    short: str = ""  # the answer line's text for this option (default: the title)


class Prompter(Protocol):
    interactive: bool

    def text(self, message: str, *, default: str, flag: str,
             validate: Callable[[str], str | None] | None = None,
             preview: Callable[[str], str] | None = None,
             answer: Callable[[str], str] | None = None) -> str: ...

    def select(self, message: str, options: Sequence[Option], *, default: Any, flag: str,
               search: bool = False, header: str = "") -> Any: ...

    def region(self, message: str, choices: Sequence[Region], *, default: str, flag: str,
               what: str, none: str = "") -> str:
        """A region (``what``: "IAM Identity Center region", "AWS region") from
        ``choices``: type to filter; a typo is refused with the closest regions; an unlisted,
        well-formed name is taken only after a y. ``none``: the title of a "no region"
        entry (answered ``""``), offered when given."""

    def checkbox(self, message: str, options: Sequence[Option], *, flag: str,
                 validate: Callable[[list[Any]], str | None] | None = None,
                 summary: Callable[[list[Any]], str] | None = None,
                 header: str = "") -> list[Any]: ...

    def confirm(self, message: str, *, default: bool, flag: str) -> bool: ...

    def keys(self, message: str, choices: Sequence[tuple[str, str]], *, default: str,
             flag: str) -> str:
        """One key of ``choices`` ((key, what it does)); Enter takes ``default``."""

    def say(self, message: str) -> None: ...


class DefaultsPrompter:
    """``--yes``: every question takes its default; no terminal needed."""

    interactive = False

    def text(self, message: str, *, default: str, flag: str,
             validate: Callable[[str], str | None] | None = None,
             preview: Callable[[str], str] | None = None,
             answer: Callable[[str], str] | None = None) -> str:
        if not default:
            raise UsageError(f"{flag} is required with --yes ({message.rstrip(':? ')})")
        problem = validate(default) if validate else None
        if problem:
            raise UsageError(problem)
        return default

    def select(self, message: str, options: Sequence[Option], *, default: Any, flag: str,
               search: bool = False, header: str = "") -> Any:
        if default is None:
            raise UsageError(f"{flag} is required with --yes ({message.rstrip(':? ')})")
        return default

    def region(self, message: str, choices: Sequence[Region], *, default: str, flag: str,
               what: str, none: str = "") -> str:
        if not default and not none:
            raise UsageError(f"{flag} is required with --yes ({message.rstrip(':? ')})")
        return default

    def checkbox(self, message: str, options: Sequence[Option], *, flag: str,
                 validate: Callable[[list[Any]], str | None] | None = None,
                 summary: Callable[[list[Any]], str] | None = None,
                 header: str = "") -> list[Any]:
        return [o.value for o in options if o.checked]

    def confirm(self, message: str, *, default: bool, flag: str) -> bool:
        return True  # --yes: the answer to "write it?" is yes

    def keys(self, message: str, choices: Sequence[tuple[str, str]], *, default: str,
             flag: str) -> str:
        return default

    def say(self, message: str) -> None:
        print(message, file=sys.stderr)


class TerminalPrompter:
    """The questions on the terminal, each a ``questionary.Question`` (:mod:`ssogen.ui.picker`:
    questionary.text and questionary.confirm, and ssogen's one-key question and list question,
    :mod:`ssogen.ui.list_question`, built on questionary's Question); each leaves one answer
    line. Ctrl-C (or Ctrl-D on an empty line) raises KeyboardInterrupt (exit 130, nothing
    written)."""

    interactive = True

    def __init__(self) -> None:
        from ssogen.ui import terminal as ui

        if not ui.use_color(sys.stdout):
            os.environ["NO_COLOR"] = "1"  # prompt_toolkit honours it

    @staticmethod
    def _before() -> None:
        from ssogen.ui.progress import stop_live

        stop_live()  # a countdown or progress line never runs under a question

    def text(self, message: str, *, default: str, flag: str,
             validate: Callable[[str], str | None] | None = None,
             preview: Callable[[str], str] | None = None,
             answer: Callable[[str], str] | None = None) -> str:
        from ssogen.ui import picker

        self._before()
        value = picker.ask_text(message, default=default, validate=validate, preview=preview)
        picker.answer_line(message, answer(value) if answer is not None else value)
        return value

    def select(self, message: str, options: Sequence[Option], *, default: Any, flag: str,
               search: bool = False, header: str = "") -> Any:
        from ssogen.ui import list_question, listing, picker

        self._before()
        rows = [listing.Row(o.title, o.value, key=o.key, detail=o.description or "")
                for o in options]
        q = list_question.ListQuestion(
            message, listing.ListState.of(rows, start=default), header=header,
            placeholder="(type to filter)" if search else "",
            keys_help="↑↓ move · type to filter · enter chooses")
        value = list_question.ask_list(q)
        chosen = next((o for o in options if o.value == value), None)
        picker.answer_line(message, (chosen.short or chosen.title) if chosen else "")
        return value

    def region(self, message: str, choices: Sequence[Region], *, default: str, flag: str,
               what: str, none: str = "") -> str:
        from ssogen.model import regions
        from ssogen.model.validate import region_shape_problem
        from ssogen.ui import list_question, listing, picker

        self._before()
        width = max((len(r.name) for r in choices), default=9)
        rows = [listing.Row(f"{r.name:<{width}}  {r.description}", r.name, key=r.name,
                            search=r.partition) for r in choices]
        if none:
            rows.append(listing.Row(none, "", key="none"))
        names = [r.name for r in choices]
        descriptions = {r.name: r.description for r in choices}

        def closest(text: str) -> list[str]:
            return regions.closest(text, names, descriptions=descriptions)

        def unlisted(text: str) -> str | None:
            value = text.strip().lower()
            if not value or region_shape_problem(value) or value in names:
                return None
            near = closest(value)
            also = f" ({regions.did_you_mean(near)})" if near else ""
            return (f"{value} is not in {regions.source()}'s list of {what}s{also}. "
                    f"Take {value} as typed? y = yes, any other key = no")

        q = list_question.ListQuestion(
            message, listing.ListState.of(rows, start=default),
            keys_help="↑↓ move · type to filter · Tab completes · enter chooses",
            no_match=closest, unlisted=unlisted)
        value = str(list_question.ask_list(q))
        found = next((r for r in choices if r.name == value), None)
        shown = (found.label if found else value) if value else (none or "none")
        if value and not found:
            shown += " (as typed: not in the list)"
        picker.answer_line(message, shown)
        return value

    def checkbox(self, message: str, options: Sequence[Option], *, flag: str,
                 validate: Callable[[list[Any]], str | None] | None = None,
                 summary: Callable[[list[Any]], str] | None = None,
                 header: str = "") -> list[Any]:
        from ssogen.ui import list_question, listing, picker

        self._before()
        rows = [listing.Row(o.title, o.value, checked=o.checked, key=o.key,
                            detail=o.description or "") for o in options]
        q = list_question.ListQuestion(
            message, listing.ListState.of(rows, multi=True), header=header,
            keys_help="space toggle · ctrl-a all · ctrl-n none · ctrl-t invert · "
                      "enter done",
            summary=(lambda st: "→ " + summary(st.values())) if summary is not None else None,
            validate=(lambda st: validate(st.values())) if validate is not None else None)
        values = list(list_question.ask_list(q))
        picker.answer_line(message, summary(values) if summary is not None
                           else f"{len(values)} of {len(options)}")
        return values

    def confirm(self, message: str, *, default: bool, flag: str) -> bool:
        from ssogen.ui import picker

        self._before()
        from questionary.constants import NO, YES

        yes = picker.ask_confirm(message, default=default)
        picker.answer_line(message, YES if yes else NO)
        return yes

    def keys(self, message: str, choices: Sequence[tuple[str, str]], *, default: str,
             flag: str) -> str:
        from ssogen.ui import picker

        self._before()
        key = picker.ask_keys(message, choices, default=default)
        picker.answer_line(message, dict(choices)[key])
        return key

    def say(self, message: str) -> None:
        from ssogen.ui import textfit

        self._before()
        print(textfit.wrap(message), flush=True)


def make_prompter(*, yes: bool) -> Prompter:
    """``--yes`` → defaults; a terminal → the terminal; otherwise a one-line exit-2 error."""
    if yes:
        return DefaultsPrompter()
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(
            "setup asks questions and needs a terminal",
            hint="run it in a terminal, or add --yes (with --start-url and --sso-region) to "
            "take every default",
        )
    return TerminalPrompter()
