"""Dispatch: the parser (its parts in :mod:`ssogen.commands._parser`, one module per command
in ``ssogen.commands``), the command's ``run()``, and the exception -> exit code mapping.

Nothing heavy is imported before the command is known: a plain ``export-credentials`` that the
cache answers (:mod:`ssogen.app.quick_export`) needs no parser at all, and the parser imports
only the command on the command line. Command modules must stay cheap to import: boto3,
prompt_toolkit and configupdater are imported inside ``run()``, so ``ssogen --help`` starts
fast.
"""

from __future__ import annotations

import os
import sys

from ssogen import __version__
from ssogen.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_USAGE, SsogenError

TYPE_CHECKING = False  # not even typing is imported before the command is known
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from typing import Any


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


def _wanted(argv: Sequence[str]) -> str | None:
    """The command named on the command line (its first word that is not an option or the
    value of --config), or None."""
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif word.startswith("--c") and "--config".startswith(word):
            skip = True  # --config, or a prefix argparse takes for it (--conf)
        elif not word.startswith("-"):
            return word.replace("-", "_")
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; ``argv`` given, only the command it names is imported and gets its
    arguments (the others are a name and their line of help from
    :data:`ssogen.commands.SUMMARY`). ``completion`` walks every command: it gets them all."""
    from ssogen.commands import SUMMARY
    from ssogen.commands._parser import HelpFormatter, Parser, common_parser

    common = common_parser()  # a parent only: its own parse errors never show
    parser = Parser(
        prog="ssogen",
        description="Log in to AWS IAM Identity Center once (device code: works in WSL2 and "
        "over SSH) and write a profile for every account and role into ~/.aws/config, "
        "without touching anything else in the file.",
        epilog=EPILOG,
        formatter_class=HelpFormatter,
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"ssogen {__version__}")
    wanted = None if argv is None else _wanted(argv)
    everything = argv is None or wanted == "completion"
    # the commands only listed share one parser that takes nothing (an ArgumentParser each
    # cost a quarter of building the parser of ``ssogen --help``)
    listed = None if everything else Parser(prog="ssogen", add_help=False)

    def subparser(*, listed_only: bool = False, **kwargs: Any) -> argparse.ArgumentParser:
        return listed if listed_only and listed is not None else Parser(**kwargs)

    # argparse only calls parser_class(**kwargs): a factory does (typeshed asks for a class)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND",
                                parser_class=subparser)  # type: ignore[call-overload]
    for name, summary in SUMMARY.items():
        module_name = name.replace("-", "_")
        if not everything and module_name != wanted:
            sub.add_parser(name, help=summary, listed_only=True)  # listed, never parsed
            continue
        # __import__ with a fromlist gives the module itself (importlib's import costs a ms)
        module = __import__(f"ssogen.commands.{module_name}", fromlist=["run"])
        cmd = module.register(sub, common)
        cmd.formatter_class = HelpFormatter
        cmd.set_defaults(func=module.run, root_parser=parser)  # completion walks the parser
    return parser


def _setup_logging(verbosity: int) -> None:
    from ssogen import logs

    logs.setup(verbosity)


def _config_problem(args: argparse.Namespace, argv: Sequence[str]) -> SsogenError | None:
    """A config path that is a directory, said before the command starts, with the file it
    probably meant and where the path came from (--config, AWS_CONFIG_FILE, the default)."""
    path = args.config
    if args.command not in READS_CONFIG or not os.path.isdir(path):
        return None
    given = any(a == "--config" or a.startswith("--config=") for a in argv)
    source = ("--config" if given else
              "AWS_CONFIG_FILE" if os.environ.get("AWS_CONFIG_FILE") else "the default path")
    inside = os.path.join(path, "config")
    hint = (f"did you mean {inside}? (--config {inside})" if os.path.isfile(inside) else
            f"point --config (or AWS_CONFIG_FILE) at a file, e.g. {inside}")
    return SsogenError(f"{path} ({source}) is a directory, not a config file", hint=hint)


def _show_error(exc: SsogenError) -> None:
    """The error and its hint; on a terminal wrapped at word boundaries (in a pipe or a log
    one line each, for grep)."""
    from ssogen.ui import terminal as ui

    ui.error(ui.fitted(exc.message, used=len("ssogen: error: ")))
    if exc.hint:
        ui.info(ui.fitted(f"  hint: {exc.hint}", indent="      "))  # under the hint text


def _quick_export(words: list[str]) -> bool:
    """``export-credentials`` answered from the cache (:mod:`ssogen.app.quick_export`); False
    when the full path must run. Anything unexpected here is a miss, never an error: the full
    path then answers, or says what is wrong."""
    try:
        from ssogen.app.quick_export import answer

        text = answer(words, default_config_path())
    except Exception:  # a miss: the full path has the whole truth and every error message
        return False
    if text is None:
        return False
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        sys.stderr.close()
    return True


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["export-credentials"] and _quick_export(argv[1:]):
        return 0
    if argv == ["--version"]:  # what the parser's version action prints, without argparse
        sys.stdout.write(f"ssogen {__version__}\n")
        return 0
    import gc

    paused = _wanted(argv) in NO_CYCLE_GC and gc.isenabled()  # from the start: imports too
    if paused:
        gc.disable()
    try:
        return _run(argv)
    finally:
        if paused:
            gc.enable()


def _run(argv: list[str]) -> int:
    import time

    started = time.time()
    parser = build_parser(argv)
    args, extras = parser.parse_known_args(argv)
    if extras:
        from ssogen.commands._parser import unrecognized

        unrecognized(parser, args, extras)
    args.config = getattr(args, "config", None) or default_config_path()
    args.verbose = getattr(args, "verbose", 0) or 0
    args.no_color = getattr(args, "no_color", False)
    if args.no_color:
        from ssogen.ui import terminal as ui

        ui.disable_color()
    _setup_logging(args.verbose)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        problem = _config_problem(args, argv)
        if problem is not None:
            raise problem
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
        from ssogen.ui import terminal as ui

        ui.error(f"internal error: {type(exc).__name__}; run again with -v for details")
        return EXIT_INTERNAL
    finally:
        progress = sys.modules.get("ssogen.ui.progress")
        if progress is not None:
            progress.stop_live()


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
