"""Terminal output: colour only on a terminal (``NO_COLOR`` / ``--no-color`` honoured),
one-line errors on stderr, progress on stderr. No secrets ever pass through here."""

from __future__ import annotations

import os
import sys
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


def info(message: str) -> None:
    print(message, file=sys.stderr)


def warn(message: str) -> None:
    print(f"{style('ssogen: warning:', 'yellow', sys.stderr)} {message}", file=sys.stderr)


def error(message: str) -> None:
    print(f"{style('ssogen: error:', 'red', sys.stderr)} {message}", file=sys.stderr)


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
