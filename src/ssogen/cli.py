"""Argument parsing and dispatch only (one module per command in ``ssogen.commands``).

Command modules must stay cheap to import: boto3, questionary and configupdater are imported
inside ``run()``, so ``ssogen --help`` starts fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

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

exit codes: 0 ok, 1 --check found drift, 2 usage/config error, 3 login failed,
            4 not logged in (--no-login), 5 AWS API failure, 130 interrupted
"""


def default_config_path() -> str:
    env = os.environ.get("AWS_CONFIG_FILE")
    if env:
        return os.path.expanduser(os.path.expandvars(env))
    return os.path.join(os.path.expanduser("~"), ".aws", "config")


def common_parser() -> argparse.ArgumentParser:
    """Options accepted both before and after the command name."""
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("global options")
    g.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS,
                   help="AWS config file (default: $AWS_CONFIG_FILE, else ~/.aws/config)")
    g.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS,
                   help="show details (and tracebacks on internal errors)")
    g.add_argument("--no-color", action="store_true", default=argparse.SUPPRESS,
                   help="no colour (also honoured: NO_COLOR)")
    return p


class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line, like every other error (argparse prints the whole usage)."""

    def error(self, message: str) -> NoReturn:
        from ssogen.ui import terminal as ui

        ui.error(f"{message} (see `{self.prog} --help`)")
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
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
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"ssogen.commands.{name}")
        except ModuleNotFoundError as exc:  # command not written yet in this checkout
            if exc.name == f"ssogen.commands.{name}":
                continue
            raise
        cmd = module.register(sub, common)
        cmd.formatter_class = _Formatter
        cmd.set_defaults(func=module.run, root_parser=parser)  # completion walks the parser
    return parser


def _setup_logging(verbosity: int) -> None:
    from ssogen.ui.logs import setup_logging

    setup_logging(verbosity)


def main(argv: Sequence[str] | None = None) -> int:
    from ssogen.ui import terminal as ui

    parser = build_parser()
    args = parser.parse_args(argv)
    args.config = getattr(args, "config", None) or default_config_path()
    args.verbose = getattr(args, "verbose", 0) or 0
    args.no_color = getattr(args, "no_color", False)
    if args.no_color:
        ui.disable_color()
    _setup_logging(args.verbose)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args) or 0)
    except SsogenError as exc:
        ui.error(exc.message)
        if exc.hint:
            ui.info(f"  hint: {exc.hint}")
        return exc.exit_code
    except (KeyboardInterrupt, EOFError):  # Ctrl-C, or Ctrl-D at a question
        ui.info("\nssogen: interrupted; the config file was not changed.")
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


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
