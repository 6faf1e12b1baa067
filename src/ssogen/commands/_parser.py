"""The parser's parts: the options every command takes, the help formatter (wrapped to the
terminal, examples kept in their layout), one-line usage errors with the closest command or
flag. :mod:`ssogen.cli` imports this only once it needs a parser: the cached
``export-credentials`` answers without argparse."""

from __future__ import annotations

import argparse

from ssogen.errors import EXIT_USAGE
from ssogen.ui.textfit import columns

TYPE_CHECKING = False  # typing is not imported at run time: --help is measured in ms
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any, NoReturn


def common_parser() -> argparse.ArgumentParser:
    """Options accepted both before and after the command name."""
    p = argparse.ArgumentParser(add_help=False, formatter_class=HelpFormatter)
    g = p.add_argument_group("global options")
    g.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS,
                   help="AWS config file (default: $AWS_CONFIG_FILE, else ~/.aws/config)")
    g.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS,
                   help="show details (and tracebacks on internal errors)")
    g.add_argument("--no-color", action="store_true", default=argparse.SUPPRESS,
                   help="no colour (also honoured: NO_COLOR)")
    return p


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions and epilogs wrapped to the terminal (at most 100 columns), paragraph by
    paragraph; a paragraph with indented lines (examples, tables) keeps its layout. Nothing
    is broken at a hyphen: flags and names stay whole."""

    def __init__(self, prog: str, **kwargs: object) -> None:
        width = min(columns(), 100) - 2
        # kwargs are HelpFormatter's own (argparse passes only prog): typed loosely here
        super().__init__(prog, width=max(40, width), **kwargs)  # type: ignore[arg-type]

    def _split_lines(self, text: str, width: int) -> list[str]:
        """An option's help wrapped as argparse does, never inside a flag or a name
        (``--use-pkce``, ``ssogen-managed``), a URL or a `quoted` piece."""
        words = " ".join(text.split())
        return _fill(words, width).split("\n") if words else []

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        out = []
        for para in text.strip("\n").split("\n\n"):
            lines = para.split("\n")
            rest = {len(line) - len(line.lstrip(" ")) for line in lines[1:]}
            if len(lines) > 1 and not lines[0].startswith(" ") and len(rest) == 1 \
                    and min(rest) >= 4:  # a hanging paragraph ("exit codes: 0 ok, ...")
                out.append(_fill(" ".join(line.strip() for line in lines), width + 2,
                                 indent, indent + " " * min(rest)))
            elif _indented_prose(lines):  # prose under a "title:" or indented on its own
                title = [] if lines[0].startswith(" ") else [
                    _fill(lines[0], width + 2, indent, indent + "    ")]
                body = lines[1:] if title else lines
                lead = indent + " " * (len(body[0]) - len(body[0].lstrip(" ")))
                out.append("\n".join([*title, _fill(" ".join(line.strip() for line in body),
                                                    width + 2, lead, lead)]))
            elif any(line.startswith(" ") for line in lines):
                lines = _columns_joined(lines)
                out.append("\n".join(_fit_line(indent + line, width + 2, code)
                                     for line, code in zip(lines, _code_lines(lines),
                                                           strict=True)))
            else:
                out.append(_fill(" ".join(line.strip() for line in lines), width, indent,
                                 indent))
        return "\n\n".join(out) + ("\n" if text.endswith("\n") else "")


def _fill(text: str, width: int, initial: str = "", subsequent: str = "") -> str:
    """``text`` filled to ``width``, broken only between words -- never at a hyphen, never
    inside a word longer than the line, never inside a `quoted` piece (a template, a key
    line)."""
    import re
    import textwrap

    # textwrap breaks at ASCII whitespace only: a no-break space holds a quoted piece together
    held = re.sub(r"`[^`\n]*`", lambda m: m.group(0).replace(" ", "\xa0"), text)
    return textwrap.fill(held, width, initial_indent=initial, subsequent_indent=subsequent,
                         break_long_words=False, break_on_hyphens=False).replace("\xa0", " ")


#: ``what    description``: the text, the gap of two spaces or more, the description
_COLUMNS = r"(\s*\S.*?\S)(\s{2,})(\S.*)$"

#: how a line to type starts: a shell command (a line ending with ``\\`` goes on)
_COMMAND = ("ssogen ", "eval ", "aws ", "$ ")


def _code_lines(lines: list[str]) -> list[str]:
    """What each line of an example list is: ``"shell"`` (a command, or the continuation of
    one ending with ``\\``), ``"verbatim"`` (a line of a config file) or ``""`` (prose)."""
    import re

    out = []
    for n, line in enumerate(lines):
        text = line.strip()
        if text.startswith(_COMMAND) or (n > 0 and lines[n - 1].endswith("\\")):
            out.append("shell")
        elif re.fullmatch(r"\[[^\]]+\]|[#;] .*|[a-z_]+ = .*", text):
            out.append("verbatim")
        else:
            out.append("")
    return out


def _indented_prose(lines: list[str]) -> bool:
    """Lines of prose with one indent, under a title line ending with ``:`` or on their own
    (no column layout, nothing to type or paste): filled again as one paragraph."""
    titled = not lines[0].startswith(" ")
    body = lines[1:] if titled else lines
    if not body or (titled and not lines[0].endswith(":")):
        return False
    indents = {len(line) - len(line.lstrip(" ")) for line in body}
    return (len(indents) == 1 and min(indents) > 0 and not any(_code_lines(body))
            and not any("  " in line.strip() for line in body))


def _columns_joined(lines: list[str]) -> list[str]:
    """A table's description written over several lines (each further line starting at the
    description's column) as one line, for :func:`_fit_line` to wrap at the width."""
    import re

    out: list[str] = []
    col = 0  # the description column of the line before, 0: none
    for line, code in zip(lines, _code_lines(lines), strict=True):
        lead = len(line) - len(line.lstrip(" "))
        if out and col and lead == col and not code:
            out[-1] += " " + line.strip()
            continue
        m = re.match(_COLUMNS, line)
        col = len(m.group(1)) + len(m.group(2)) if m else 0
        out.append(line)
    return out


def _fit_line(line: str, width: int, code: str = "") -> str:
    """One line of an example list within ``width``: ``command    what it does`` keeps its
    two columns (the description wraps under itself, or goes under the command when the
    command leaves it too little room); prose wraps at its indent; words (flags, URLs) are
    never broken, and a line to type or paste (``code``: see :func:`_code_lines`) only as
    :func:`_fit_command` breaks it."""
    import re

    if len(line) <= width:
        return line
    lead = len(line) - len(line.lstrip(" "))
    m = re.match(_COLUMNS, line)
    if m and len(m.group(1)) + len(m.group(2)) <= width - 24:
        col = len(m.group(1)) + len(m.group(2))
        desc = _fill(m.group(3), width - col).split("\n")
        return "\n".join([m.group(1) + m.group(2) + desc[0],
                          *(" " * col + d for d in desc[1:])])
    if code and m:  # the command on its line(s), what it does under it
        under = " " * (lead + 6)
        return _fit_command(m.group(1), width, code) + "\n" + _fill(m.group(3), width, under,
                                                                    under)
    if code:
        return _fit_command(line, width, code)
    if width - lead < 24:  # a description column far to the right: under the example
        lead = min(lead, 8)
    return _fill(line.strip(), width, " " * lead, " " * lead)


def _fit_command(line: str, width: int, code: str) -> str:
    """A shell command too long for ``width``, broken between its words (never inside a
    quoted one) with a ``\\`` at each break, so that it still pastes as one command (a
    pipeline after its pipe, which PowerShell continues too); a config line, which nothing
    continues, stays whole (a comment goes on as a comment): the terminal wraps it, and it
    still copies as one line."""
    import re

    text = line.lstrip(" ")
    lead = len(line) - len(text)
    if code == "verbatim" and text[:2] in ("# ", "; ") and len(line) > width:
        mark = " " * lead + text[:2]  # a comment goes on as a comment
        return _fill(text[2:], width, mark, mark)
    if len(line) <= width or code != "shell":
        return line
    if " | " in text:  # bash and PowerShell alike go on after a line ending with the pipe
        head, _, tail = text.partition(" | ")
        return (_fit_command(" " * lead + head, width - 2, code) + " |\n"
                + _fit_command(" " * max(lead, 2 + 6) + tail, width, code))
    words = re.findall(r"(?:[^\s'\"]+|'[^']*'|\"[^\"]*\")+", text)
    # continued as the examples continue their commands: at the descriptions' indent
    more = " " * max(lead, 2 + 6)
    out, current = [], " " * lead + words[0]
    for word in words[1:]:
        if word != "\\" and len(current) + 1 + len(word) + 2 > width:
            out.append(current + " \\")
            current = more + word
        else:
            current += " " + word
    return "\n".join([*out, current])


def _closest(word: str, choices: Sequence[str]) -> str | None:
    """The choice ``word`` is likely a typo of; flags are compared without their dashes,
    which every flag shares (``--bogus`` is nothing like ``--verbose``)."""
    import difflib

    names = {c.lstrip("-"): c for c in choices}
    close = difflib.get_close_matches(word.lstrip("-"), list(names), n=1, cutoff=0.6)
    return names[close[0]] if close else None


class Parser(argparse.ArgumentParser):
    """Usage errors in one line, like every other error (argparse prints the whole usage),
    with the closest command, flag or value when something is mistyped. Every parser
    formats with :class:`HelpFormatter` from the start (argparse's default formatter, built for
    each ``add_argument``, imports shutil for the terminal's width)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        import re

        from ssogen.ui import terminal as ui

        m = re.match(r"argument (?P<arg>.+?): invalid choice: '(?P<value>.*?)' "
                     r"\(choose from (?P<choices>.*)\)$", message)
        if m:
            choices = [c.strip().strip("'\"") for c in m.group("choices").split(",")]
            value = m.group("value")
            close = _closest(value, choices)
            if m.group("arg") == "COMMAND":
                message = f"unknown command {value!r}" + (
                    f"; did you mean `{self.prog} {close}`?" if close else "")
            else:  # the same words on every Python version (3.12 stopped quoting choices)
                message = (f"argument {m.group('arg')}: invalid choice: {value!r} (choose from "
                           f"{', '.join(choices)})" + (f"; did you mean {close}?" if close else ""))
        ui.error(f"{message} (see `{self.prog} --help`)")
        raise SystemExit(EXIT_USAGE)


def unrecognized(parser: argparse.ArgumentParser, args: argparse.Namespace,
                  extras: list[str]) -> NoReturn:
    """Arguments no parser took: named with the closest flag of the command they were given
    to, and that command's --help (not the top level's)."""
    from ssogen.ui import terminal as ui

    target = parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and args.command:
            target = action.choices.get(args.command, parser)
    flags = [o for a in target._actions for o in a.option_strings if o.startswith("--")]
    first = extras[0]
    if first.startswith("-"):
        word = first.split("=", 1)[0]
        close = _closest(word, flags)
        message = f"unknown option {word}" + (f"; did you mean {close}?" if close else "")
    else:
        message = f"unexpected argument {first!r}"
    ui.error(f"{message} (see `{target.prog} --help`)")
    raise SystemExit(EXIT_USAGE)
