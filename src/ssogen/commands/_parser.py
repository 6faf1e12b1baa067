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
        super().__init__(prog, width=max(40, width), **kwargs)  # type: ignore[arg-type]

    def _split_lines(self, text: str, width: int) -> list[str]:
        """An option's help wrapped as argparse does, never inside a flag or a name
        (``--use-pkce``, ``ssogen-managed``) or a URL."""
        import textwrap

        return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False,
                             break_long_words=False)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        import textwrap

        out = []
        for para in text.strip("\n").split("\n\n"):
            lines = para.split("\n")
            rest = {len(line) - len(line.lstrip(" ")) for line in lines[1:]}
            if len(lines) > 1 and not lines[0].startswith(" ") and len(rest) == 1 \
                    and min(rest) >= 4:  # a hanging paragraph ("exit codes: 0 ok, ...")
                out.append(textwrap.fill(" ".join(line.strip() for line in lines), width + 2,
                                         initial_indent=indent,
                                         subsequent_indent=indent + " " * min(rest),
                                         break_long_words=False, break_on_hyphens=False))
            elif any(line.startswith(" ") for line in lines):
                out.append("\n".join(_fit_line(indent + line, width + 2) for line in lines))
            else:
                out.append(textwrap.fill(" ".join(line.strip() for line in lines), width,
                                         initial_indent=indent, subsequent_indent=indent,
                                         break_on_hyphens=False))
        return "\n\n".join(out) + ("\n" if text.endswith("\n") else "")


def _fit_line(line: str, width: int) -> str:
    """One line of an example list within ``width``: ``command    what it does`` keeps its
    two columns (the description wraps under itself), other lines wrap with a hanging
    indent; words (flags, URLs) are never broken."""
    import re
    import textwrap

    if len(line) <= width:
        return line
    lead = len(line) - len(line.lstrip(" "))
    m = re.match(r"(\s*\S.*?\S)(\s{2,})(\S.*)$", line)
    if m and len(m.group(1)) + len(m.group(2)) <= width - 24:
        col = len(m.group(1)) + len(m.group(2))
        desc = textwrap.wrap(m.group(3), width - col, break_long_words=False,
                             break_on_hyphens=False)
        return "\n".join([m.group(1) + m.group(2) + desc[0],
                          *(" " * col + d for d in desc[1:])])
    return textwrap.fill(line.strip(), width, initial_indent=" " * lead,
                         subsequent_indent=" " * (lead + 4), break_long_words=False,
                         break_on_hyphens=False)


def _closest(word: str, choices: Sequence[str]) -> str | None:
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


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
