"""How a question is asked: :class:`TerminalPrompter` (questionary, needs a terminal) or
:class:`DefaultsPrompter` (``--yes``: every question takes its default, no terminal). A
question without a usable default under ``--yes`` is a one-line UsageError naming the flag
that answers it."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ssogen.errors import UsageError


@dataclass(frozen=True)
class Option:
    title: str
    value: Any
    description: str | None = None
    checked: bool = True


class Prompter(Protocol):
    interactive: bool

    def text(self, message: str, *, default: str, flag: str,
             validate: Callable[[str], str | None] | None = None,
             preview: Callable[[str], str] | None = None,
             choices: Sequence[str] = ()) -> str: ...

    def select(self, message: str, options: Sequence[Option], *, default: Any, flag: str,
               search: bool = False) -> Any: ...

    def checkbox(self, message: str, options: Sequence[Option], *, flag: str,
                 validate: Callable[[list[Any]], str | None] | None = None) -> list[Any]: ...

    def confirm(self, message: str, *, default: bool, flag: str) -> bool: ...

    def say(self, message: str) -> None: ...


class DefaultsPrompter:
    """``--yes``: every question takes its default; no terminal needed."""

    interactive = False

    def text(self, message: str, *, default: str, flag: str,
             validate: Callable[[str], str | None] | None = None,
             preview: Callable[[str], str] | None = None,
             choices: Sequence[str] = ()) -> str:
        if not default:
            raise UsageError(f"{flag} is required with --yes ({message.rstrip(':? ')})")
        problem = validate(default) if validate else None
        if problem:
            raise UsageError(problem)
        return default

    def select(self, message: str, options: Sequence[Option], *, default: Any, flag: str,
               search: bool = False) -> Any:
        if default is None:
            raise UsageError(f"{flag} is required with --yes ({message.rstrip(':? ')})")
        return default

    def checkbox(self, message: str, options: Sequence[Option], *, flag: str,
                 validate: Callable[[list[Any]], str | None] | None = None) -> list[Any]:
        return [o.value for o in options if o.checked]

    def confirm(self, message: str, *, default: bool, flag: str) -> bool:
        return True  # --yes: the answer to "write it?" is yes

    def say(self, message: str) -> None:
        print(message, file=sys.stderr)


class TerminalPrompter:
    """questionary on the terminal. Ctrl-C raises KeyboardInterrupt (exit 130, nothing written)."""

    interactive = True

    def __init__(self) -> None:
        from ssogen.ui import terminal as ui

        if not ui.use_color(sys.stdout):
            os.environ["NO_COLOR"] = "1"  # prompt_toolkit honours it
        import questionary

        self.q = questionary

    def _ask(self, question: Any) -> Any:
        answer = question.unsafe_ask()
        if answer is None:  # questionary returns None on EOF
            raise KeyboardInterrupt
        return answer

    def text(self, message: str, *, default: str, flag: str,
             validate: Callable[[str], str | None] | None = None,
             preview: Callable[[str], str] | None = None,
             choices: Sequence[str] = ()) -> str:
        def check(value: str) -> bool | str:
            problem = validate(value) if validate else None
            return problem or True

        if preview is not None:
            q = self._preview_text(message, default, check, preview)
        elif choices:
            q = self.q.autocomplete(message, choices=list(choices), default=default,
                                    validate=check)
        else:
            q = self.q.text(message, default=default, validate=check)
        return str(self._ask(q)).strip()

    def _preview_text(self, message: str, default: str, check: Callable[[str], bool | str],
                      preview: Callable[[str], str]) -> Any:
        """A text question with a live preview line above it, redrawn on every key (the
        prompt itself, not a bottom toolbar: that one needs cursor-position reports)."""
        from prompt_toolkit import PromptSession
        from prompt_toolkit.document import Document
        from questionary.prompts.common import build_validator
        from questionary.question import Question
        from questionary.styles import merge_styles_default

        holder: list[Any] = []

        def tokens() -> Any:  # prompt_toolkit's formatted text: (style, text) pairs
            text = holder[0].default_buffer.text if holder else default
            try:
                shown = preview(text)
            except Exception:  # the preview must never kill the prompt
                shown = ""
            return [("class:instruction", f"  {shown}\n"), ("class:qmark", "?"),
                    ("class:question", f" {message} ")]

        session: Any = PromptSession(tokens, style=merge_styles_default([None]),
                                     validator=build_validator(check))
        holder.append(session)
        session.default_buffer.reset(Document(default))
        return Question(session.app)

    def select(self, message: str, options: Sequence[Option], *, default: Any, flag: str,
               search: bool = False) -> Any:
        choices = [self.q.Choice(o.title, value=o.value, description=o.description)
                   for o in options]
        start = next((c for c in choices if c.value == default), None)
        q = self.q.select(message, choices=choices, default=start,
                          use_search_filter=search, use_jk_keys=not search,
                          instruction="(type to filter, arrows to move, enter)" if search
                          else "(arrows to move, enter)")
        return self._ask(q)

    def checkbox(self, message: str, options: Sequence[Option], *, flag: str,
                 validate: Callable[[list[Any]], str | None] | None = None) -> list[Any]:
        choices = [self.q.Choice(o.title, value=o.value, checked=o.checked,
                                 description=o.description) for o in options]

        def check(values: list[Any]) -> bool | str:
            problem = validate(values) if validate else None
            return problem or True

        q = self.q.checkbox(message, choices=choices, use_search_filter=True, validate=check,
                            use_jk_keys=False,
                            instruction="(type to filter, space toggles, enter when done)")
        return list(self._ask(q))

    def confirm(self, message: str, *, default: bool, flag: str) -> bool:
        return bool(self._ask(self.q.confirm(message, default=default)))

    def say(self, message: str) -> None:
        print(message, flush=True)


def make_prompter(*, yes: bool) -> Prompter:
    """``--yes`` → defaults; a terminal → questionary; otherwise a one-line exit-2 error."""
    if yes:
        return DefaultsPrompter()
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(
            "setup asks questions and needs a terminal",
            hint="run it in a terminal, or add --yes (with --start-url and --sso-region) to "
            "take every default",
        )
    return TerminalPrompter()
