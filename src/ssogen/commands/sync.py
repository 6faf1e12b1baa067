"""``ssogen sync``: the flags as a :class:`~ssogen.app.sync.SyncRequest`, the flow in
:mod:`ssogen.app.sync`, the report printed."""

from __future__ import annotations

import argparse

from ssogen.commands import SUMMARY
from ssogen.commands._options import (
    CHAIN_HELP,
    add_chain_options,
    add_login_options,
    add_ownership_options,
    chain_specs,
)
from ssogen.commands._windows import add_sync_options

TYPE_CHECKING = False  # no typing import at run time (start-up time, memory)
if TYPE_CHECKING:
    from ssogen.app.generate import Mode

EPILOG = """\
examples:
  ssogen sync                                  regenerate every session ssogen set up
  ssogen sync acme --dry-run                   show the diff for session acme, write nothing
  ssogen sync --inventory acme.json --check    CI gate: exit 1 when the file is out of date
  ssogen sync --inventory acme.json --prune    also remove profiles whose role is gone
  ssogen sync --migrate-legacy                 also move legacy profiles (sso_start_url in the
                                               profile) to their [sso-session]
  ssogen sync --no-windows                     WSL2: leave the Windows copy (`setup --windows`)
                                               alone this once
  ssogen sync acme --chain 'prod-*=arn:aws:iam::{{account_id}}:role/OrganizationAccountAccessRole'
                                               set session acme's chained profiles (remembered)

Profiles ssogen manages carry `ssogen_managed = true`; everything else in the file is left
byte for byte as it is. A `region`/`output` you changed by hand in a managed profile is kept,
as are keys and comments you added, and a name you gave it. Stale profiles (role gone) are
reported and kept unless --prune (their comments stay in the file). Before writing, the
previous file is saved as <config>.ssogen.bak.

exit codes: 0 ok (or in sync), 1 --check found differences, 2 usage or config file error,
            3 login failed, 4 not logged in and --no-login, 5 AWS API failure
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "sync", parents=[common],
        help=SUMMARY["sync"],
        description="Bring the profiles of every ssogen-managed session (or those named) in "
        "line with the accounts and roles you can reach, using the settings `ssogen setup` "
        "remembered in the config file. No questions asked.",
        epilog=EPILOG + "\n" + CHAIN_HELP,
    )
    p.add_argument("sessions", nargs="*", metavar="SESSION",
                   help="sso-session names to regenerate (default: all ssogen-managed ones)")
    p.add_argument("--session", action="append", default=[], dest="session_flags",
                   metavar="NAME", help="a SESSION named as `login` and `list` take it; "
                   "repeatable")
    p.add_argument("--inventory", action="append", default=[], metavar="FILE",
                   help="take accounts and roles from a saved inventory (`ssogen list --json`) "
                   "instead of calling AWS; repeat for several sessions")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--dry-run", action="store_true",
                      help="print the unified diff, write nothing (exit 0)")
    mode.add_argument("--check", action="store_true",
                      help="print the diff, write nothing; exit 1 if the file is out of date")
    p.add_argument("--prune", action="store_true",
                   help="remove managed profiles whose account or role is gone")
    add_chain_options(p)
    add_ownership_options(p)
    add_login_options(p)
    add_sync_options(p)
    p.add_argument("--json", action="store_true",
                   help="print the outcome as one JSON object on stdout (every change by "
                   "name, the diff, the warnings), e.g. for a bot commenting on a pull request")
    return p


def run(args: argparse.Namespace) -> int:
    from ssogen.app import sync
    from ssogen.ui.render import report
    from ssogen.ui.reporter import TerminalReporter

    mode: Mode = "check" if args.check else "dry-run" if args.dry_run else "write"
    request = sync.SyncRequest(
        config=args.config,
        sessions=(*args.sessions, *args.session_flags),
        inventories=tuple(args.inventory), mode=mode, prune=args.prune,
        adopt=args.adopt, migrate_legacy=args.migrate_legacy, allow_login=not args.no_login,
        no_browser=args.no_browser, windows=not args.no_windows, chains=chain_specs(args))
    results = sync.run(request, TerminalReporter())
    return report(results, mode, verbose=args.verbose, as_json=args.json)
