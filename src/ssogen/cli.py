"""Argument parsing and dispatch only (one module per command in ``ssogen.commands``).

Command modules must stay cheap to import: boto3, prompt_toolkit and configupdater are
imported inside ``run()``, so ``ssogen --help`` starts fast. Help text is wrapped to the
terminal (examples keep their layout); a mistyped command or flag is one line naming the
closest one and the ``--help`` of the command it belongs to.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from ssogen import __version__
from ssogen.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_USAGE, SsogenError

# Order is the order shown in --help.
COMMANDS = ["setup", "sync", "login", "logout", "list", "export_credentials",
            "import_credentials", "console", "doctor", "org", "demo", "emulator", "completion"]

EPILOG = """\
examples:
  ssogen setup                       first-time wizard: log in, discover, write profiles
  ssogen setup --yes --start-url https://acme.awsapps.com/start --sso-region eu-west-1
  ssogen sync                        regenerate profiles after role changes
  ssogen sync --check                CI gate: exit 1 when ~/.aws/config is out of date
  ssogen demo --yes                  try everything against the built-in emulator

exit codes: 0 ok, 1 --check found drift (or setup's changes declined at the prompt),
            2 usage/config error, 3 login failed, 4 not logged in (--no-login),
            5 AWS API failure, 130 interrupted
"""

#: commands that read the config file (its path is checked before they start)
READS_CONFIG = {"setup", "sync", "login", "list", "export-credentials"}
#: batch commands run without the cyclic garbage collector: they build a few objects per line
#: of the file and keep them to the end, which only makes it walk them again and again (a
#: sixth of a 20,000-section ``sync``); reference counting still frees what they drop
NO_CYCLE_GC = {"sync"}


def default_config_path() -> str:
    env = os.environ.get("AWS_CONFIG_FILE")
    if env:
        return os.path.expanduser(os.path.expandvars(env))
    return os.path.join(os.path.expanduser("~"), ".aws", "config")


def common_parser() -> argparse.ArgumentParser:
    """Options accepted both before and after the command name."""
    p = argparse.ArgumentParser(add_help=False, formatter_class=_Formatter)
    g = p.add_argument_group("global options")
    g.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS,
                   help="AWS config file (default: $AWS_CONFIG_FILE, else ~/.aws/config)")
    g.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS,
                   help="show details (and tracebacks on internal errors)")
    g.add_argument("--no-color", action="store_true", default=argparse.SUPPRESS,
                   help="no colour (also honoured: NO_COLOR)")
    return p


def _columns() -> int:
    """The terminal's width as ``shutil.get_terminal_size`` gives it (``COLUMNS`` first, then
    stdout's terminal, else 80), without importing shutil (and bz2, lzma...) for ``--help``."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions and epilogs wrapped to the terminal (at most 100 columns), paragraph by
    paragraph; a paragraph with indented lines (examples, tables) keeps its layout."""

    def __init__(self, prog: str, **kwargs: object) -> None:
        width = min(_columns(), 100) - 2
        super().__init__(prog, width=max(40, width), **kwargs)  # type: ignore[arg-type]

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


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line, like every other error (argparse prints the whole usage),
    with the closest command, flag or value when something is mistyped. Every parser
    formats with :class:`_Formatter` from the start (argparse's default formatter, built for
    each ``add_argument``, imports shutil for the terminal's width)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
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


def _unrecognized(parser: argparse.ArgumentParser, args: argparse.Namespace,
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


class _Stub:
    """Stands in for a command's parser while its ``register()`` runs, when the command is not
    the one on the command line: every argument it adds is dropped. Only the command's name and
    one-line help reach the real parser (for ``ssogen --help`` and "did you mean"), so a run
    builds the arguments of one command, not of all of them."""

    def __init__(self) -> None:
        self.name = ""
        self.options: dict[str, Any] = {}

    def add_parser(self, name: str, **options: Any) -> _Stub:
        if not self.name:  # the command itself (a nested subcommand is not recorded)
            self.name, self.options = name, options
        return self

    def __getattr__(self, attr: str) -> Any:
        return lambda *args, **kwargs: self  # add_argument, add_argument_group, set_defaults...


def _wanted(argv: Sequence[str]) -> str | None:
    """The command named on the command line (its first word that is not an option or the
    value of --config), or None."""
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif word == "--config":
            skip = True
        elif not word.startswith("-"):
            return word.replace("-", "_")
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; ``argv`` given, only the command it names gets its arguments (the others are
    a name and a line of help). ``completion`` walks every command: it gets them all."""
    common = common_parser()  # a parent only: its own parse errors never show
    parser = _Parser(
        prog="ssogen",
        description="Log in to AWS IAM Identity Center once (device code: works in WSL2 and "
        "over SSH) and write a profile for every account and role into ~/.aws/config, "
        "without touching anything else in the file.",
        epilog=EPILOG,
        formatter_class=_Formatter,
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"ssogen {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = None if argv is None else _wanted(argv)
    everything = argv is None or wanted == "completion"
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"ssogen.commands.{name}")
        except ModuleNotFoundError as exc:  # command not written yet in this checkout
            if exc.name == f"ssogen.commands.{name}":
                continue
            raise
        if not everything and name != wanted:
            stub = _Stub()
            module.register(stub, common)
            sub.add_parser(stub.name, help=stub.options.get("help"),
                           aliases=stub.options.get("aliases", ()), formatter_class=_Formatter)
            continue
        cmd = module.register(sub, common)
        cmd.formatter_class = _Formatter
        cmd.set_defaults(func=module.run, root_parser=parser)  # completion walks the parser
    return parser


def _setup_logging(verbosity: int) -> None:
    from ssogen.ui.logs import setup_logging

    setup_logging(verbosity)


def _config_problem(args: argparse.Namespace, argv: Sequence[str]) -> SsogenError | None:
    """A config path that is a directory, said before the command starts, with the file it
    probably meant and where the path came from (--config, AWS_CONFIG_FILE, the default)."""
    from pathlib import Path

    path = Path(args.config)
    if args.command not in READS_CONFIG or not path.is_dir():
        return None
    given = any(a == "--config" or a.startswith("--config=") for a in argv)
    source = ("--config" if given else
              "AWS_CONFIG_FILE" if os.environ.get("AWS_CONFIG_FILE") else "the default path")
    inside = path / "config"
    hint = (f"did you mean {inside}? (--config {inside})" if inside.is_file() else
            f"point --config (or AWS_CONFIG_FILE) at a file, e.g. {inside}")
    return SsogenError(f"{path} ({source}) is a directory, not a config file", hint=hint)


def _show_error(exc: SsogenError) -> None:
    """The error and its hint; on a terminal wrapped at word boundaries (in a pipe or a log
    one line each, for grep)."""
    from ssogen.ui import terminal as ui

    message, hint = exc.message, f"  hint: {exc.hint}" if exc.hint else ""
    if sys.stderr.isatty():
        from ssogen.ui.textfit import wrap

        message = wrap(message, indent="    ", used=len("ssogen: error: "))
        hint = wrap(hint, indent="      ") if hint else ""
    ui.error(message)
    if hint:
        ui.info(hint)


def main(argv: Sequence[str] | None = None) -> int:
    import time

    from ssogen.ui import terminal as ui

    started = time.time()
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv)
    args, extras = parser.parse_known_args(argv)
    if extras:
        _unrecognized(parser, args, extras)
    args.config = getattr(args, "config", None) or default_config_path()
    args.verbose = getattr(args, "verbose", 0) or 0
    args.no_color = getattr(args, "no_color", False)
    if args.no_color:
        ui.disable_color()
    _setup_logging(args.verbose)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    import gc

    paused = args.command in NO_CYCLE_GC and gc.isenabled()
    try:
        problem = _config_problem(args, argv)
        if problem is not None:
            raise problem
        if paused:
            gc.disable()
        return int(args.func(args) or 0)
    except SsogenError as exc:
        _show_error(exc)
        return exc.exit_code
    except (KeyboardInterrupt, EOFError):  # Ctrl-C, or Ctrl-D at a question
        from ssogen.ui.render import interrupted_text, say

        say(f"\nssogen: interrupted; {interrupted_text(args.config, started)}")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # e.g. `ssogen list | head`: not an error worth a traceback
        sys.stderr.close()
        return 0
    except Exception as exc:  # a bug: one line, details only with -v -- always exit 70
        if args.verbose:
            import traceback

            traceback.print_exc()
        ui.error(f"internal error: {type(exc).__name__}; run again with -v for details")
        return EXIT_INTERNAL
    finally:
        if paused:
            gc.enable()
        progress = sys.modules.get("ssogen.ui.progress")
        if progress is not None:
            progress.stop_live()


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
