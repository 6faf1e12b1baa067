"""Text fitted to the terminal: its width (:func:`columns`), a text cut to a width
(:func:`fit`, :func:`cut` for a drawn line) and wrapped at word boundaries (:func:`wrap`,
:func:`styled_wrap` keeping each character's style); and :func:`count` (``2 accounts``).

Used by the questions and by what is printed between them -- and :func:`wrap` by every
error message on a terminal: nothing here imports questionary or prompt_toolkit at module
level (``--help`` imports neither; ``get_cwidth`` is imported only to measure).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

#: a drawn line: prompt_toolkit's formatted text, (style, text) pairs
Line = list[tuple[str, str]]


def columns() -> int:
    """The terminal's width as ``shutil.get_terminal_size`` finds it (``COLUMNS`` first, then
    stdout's terminal, else 80), at least 20 -- without importing shutil (and bz2, lzma...):
    ``--help`` and every message on a terminal ask for it."""
    try:
        width = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        width = 0
    if width <= 0:
        try:
            # sys.__stdout__ may be None (no console): the AttributeError is caught below
            width = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            width = 0
    return max(20, width or 80)


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
    import textwrap  # here: importing this module is light (``--help``, every command)

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


def wrap_command(argv: Sequence[str], width: int | None = None, prefix: str = "  $ ",
                 indent: str = "      ") -> str:
    """``argv`` as a shell command line after ``prefix``, quoted for a POSIX shell, broken
    over lines ending in `` \\`` where it would pass the terminal's width: between arguments
    only, a flag kept with its value, continuation lines after ``indent`` (an argument too
    long for any line gets one of its own). Pasted into a shell, every form runs
    the same command. ``width=0``: never broken."""
    import shlex

    limit = (columns() if width is None else width) - 1
    room = limit - len(indent) - 2  # what a continuation line holds before its `` \\``
    units: list[str] = []
    for arg in map(shlex.quote, argv):
        last = units[-1] if units else ""
        if last.startswith("-") and " " not in last and not arg.startswith("-") \
                and (limit <= 0 or len(last) + 1 + len(arg) <= room):
            units[-1] += " " + arg  # ``--flag value`` stays together where it fits
        else:
            units.append(arg)
    lines = [prefix + (units[0] if units else "")]
    for unit in units[1:]:
        if limit > 0 and len(lines[-1]) + 1 + len(unit) + 2 > limit:
            lines[-1] += " \\"
            lines.append(indent + unit)
        else:
            lines[-1] += " " + unit
    return "\n".join(lines)


def styled_wrap(parts: Sequence[tuple[str, str]], width: int | None = None) -> Line:
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


def cut(line: Line, width: int) -> Line:
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


def count(n: int, noun: str) -> str:
    """``1 account``, ``2 accounts``: ``n`` and ``noun``, plural unless ``n`` is 1."""
    return f"{n} {noun}{'' if n == 1 else 's'}"
