"""Terminal output: colour only on a terminal (``NO_COLOR`` / ``--no-color`` honoured),
one-line errors on stderr, progress on stderr. No secrets ever pass through here.

Every string that comes from outside (an error code from an endpoint, an account name, a
line of the user's file in a diff) reaches the terminal through :func:`printable_text` -- in
one place: :func:`info`, :func:`warn` and :func:`error` apply it to whole messages, the
renderer to diffs -- so that no escape sequence, bell, carriage return or bidi control from
outside can change the title, clear the screen or hide text.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing itself is not imported: every command starts here
if TYPE_CHECKING:
    from typing import TextIO

_color_disabled = False


def disable_color() -> None:
    global _color_disabled
    _color_disabled = True


def use_color(stream: TextIO | None = None) -> bool:
    stream = stream or sys.stdout
    if _color_disabled or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


_CODES = {"red": "31", "green": "32", "yellow": "33", "blue": "34", "cyan": "36", "bold": "1",
          "dim": "2"}


def style(text: str, color: str, stream: TextIO | None = None) -> str:
    if not use_color(stream):
        return text
    return f"\033[{_CODES[color]}m{text}\033[0m"


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 \
        else f"\\U{code:08x}"


def printable(text: str) -> str:
    """``text`` for one line of the terminal: every character that is not printable (control
    and format characters, line and paragraph separators, non-ASCII spaces) as a visible
    ``\\x..``/``\\u....`` escape."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else _escape(ch) for ch in text)


def printable_text(text: str) -> str:
    """Like :func:`printable`, keeping line feeds and tabs (a CRLF line ending is shown as
    a line feed)."""
    text = text.replace("\r\n", "\n")
    if text.replace("\n", " ").isprintable():  # one copy, not a string per line (a big diff)
        return text
    lines = text.split("\n")
    return "\n".join("".join(ch if ch.isprintable() or ch == "\t" else _escape(ch)
                             for ch in line) for line in lines)


def _end_live_lines() -> None:
    """A countdown or progress line on stderr (:mod:`ssogen.ui.progress`) ends before any
    message, so no message is glued to it."""
    progress = sys.modules.get("ssogen.ui.progress")
    if progress is not None:
        progress.stop_live()


def fitted(text: str, *, indent: str = "    ", used: int = 0) -> str:
    """``text`` for stderr: on a terminal wrapped at word boundaries (``indent`` before each
    continued line, ``used`` columns already taken by a prefix such as ``ssogen: error:``),
    where the terminal would cut it mid-word; in a pipe or a log as it is, one line per
    message, for grep. URLs, paths and names are never broken."""
    if not sys.stderr.isatty():
        return text
    from ssogen.ui.textfit import wrap

    return wrap(text, indent=indent, used=used)


def info(message: str) -> None:
    _end_live_lines()
    print(printable_text(message), file=sys.stderr)


def warn(message: str) -> None:
    _end_live_lines()
    print(f"{style('ssogen: warning:', 'yellow', sys.stderr)} {printable_text(message)}",
          file=sys.stderr)


def error(message: str) -> None:
    _end_live_lines()
    print(f"{style('ssogen: error:', 'red', sys.stderr)} {printable_text(message)}",
          file=sys.stderr)


def color_diff(diff: str, stream: TextIO | None = None) -> str:
    """Colour a unified diff for the terminal (no-op when colour is off)."""
    if not use_color(stream):
        return diff
    out = []
    for line in diff.splitlines(keepends=True):
        if line.startswith(("+++", "---")):
            out.append(style(line.rstrip("\n"), "bold", stream) + "\n")
        elif line.startswith("+"):
            out.append(style(line.rstrip("\n"), "green", stream) + "\n")
        elif line.startswith("-"):
            out.append(style(line.rstrip("\n"), "red", stream) + "\n")
        elif line.startswith("@@"):
            out.append(style(line.rstrip("\n"), "cyan", stream) + "\n")
        else:
            out.append(line)
    return "".join(out)
