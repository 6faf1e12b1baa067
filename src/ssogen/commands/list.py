"""``ssogen list``: the accounts and roles a session can reach."""

from __future__ import annotations

import argparse
import sys

from ssogen.commands import SUMMARY
from ssogen.commands._options import add_login_options, add_session_choice

TYPE_CHECKING = False  # typing itself is not imported: `ssogen COMMAND --help` stays light
if TYPE_CHECKING:
    from ssogen.model.inventory import Inventory

EPILOG = """\
examples:
  ssogen list --session acme               table of account id, name and roles
  ssogen list --session acme --json        the inventory JSON (input for --inventory)
  ssogen list --profile dev-admin --no-login   fail (exit 4) instead of logging in
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "list", parents=[common], epilog=EPILOG,
        help=SUMMARY["list"],
        description="Discover every account and role behind an IAM Identity Center start URL "
        "(logging in first if needed) and print them as a table or as inventory JSON.",
    )
    add_session_choice(p, verb="use")
    p.add_argument("--json", action="store_true", help="print the inventory JSON")
    add_login_options(p)
    return p


def _printable(text: str) -> str:
    """Control characters (newlines, escapes, bidi controls) from account data shown as ``?``."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def format_table(inventory: Inventory, width: int | None = None) -> str:
    """One row per account: id, name (cut at 40 characters), roles. ``width`` (a terminal's):
    the roles wrap under their column between two role names, never inside one, and long
    names are cut further (down to 12 characters) where the longest role needs the room;
    without it (a pipe, a file) each account is one line, for grep."""
    rows = [(a.id, _printable(a.name), [_printable(r) for r in sorted(set(a.roles))] or ["-"])
            for a in sorted(inventory.accounts, key=lambda a: a.id)]
    header = ("ACCOUNT", "NAME", "ROLES")
    name_width = min(40, max([len(header[1])] + [len(r[1]) for r in rows]))

    def column_of(names: int) -> int:  # where the roles start
        return 12 + 2 + names + 2

    if width:  # on a terminal, names give way (down to 12) so that the longest role fits
        longest = max((len(r) + 1 for *_, roles in rows for r in roles), default=0)
        narrower = min(name_width, max(12, width - 1 - column_of(0) - longest))
        if width - 1 - column_of(narrower) >= 20:  # only where the roles wrap (below)
            name_width = narrower
    column = column_of(name_width)
    room = (width - 1 - column) if width else 0  # the last column left free, as in wrap()
    lines = [f"{header[0]:<12}  {header[1]:<{name_width}}  {header[2]}"]
    for acc_id, name, roles in rows:
        if len(name) > name_width:
            name = name[: name_width - 1] + "…"
        text = ", ".join(roles)
        if room >= 20 and len(text) > room:  # narrower than that: a role a line helps nobody
            text = ("\n" + " " * column).join(_packed(roles, room))
        lines.append(f"{acc_id:<12}  {name:<{name_width}}  {text}")
    return "\n".join(lines) + "\n"


def _packed(roles: list[str], room: int) -> list[str]:
    """``role, role,`` lines of at most ``room`` characters, broken only between two roles
    (a role longer than that has a line of its own)."""
    lines: list[str] = []
    line = ""
    for n, role in enumerate(roles):
        piece = role + ("," if n < len(roles) - 1 else "")
        if line and len(line) + 1 + len(piece) > room:
            lines.append(line)
            line = piece
        else:
            line = f"{line} {piece}" if line else piece
    return [*lines, line]


def run(args: argparse.Namespace) -> int:
    from ssogen.app.portal import SessionRequest, list_accounts
    from ssogen.ui import terminal as ui
    from ssogen.ui.reporter import TerminalReporter

    request = SessionRequest(config=args.config, session=args.session, profile=args.profile,
                             allow_login=not args.no_login, no_browser=args.no_browser)
    outcome = list_accounts(request, TerminalReporter())
    inventory, stats = outcome.inventory, outcome.stats
    if args.json:
        sys.stdout.write(inventory.to_json())
    else:
        from ssogen.ui.textfit import columns

        sys.stdout.write(format_table(inventory, columns() if sys.stdout.isatty() else None))
    if args.verbose or not args.json:
        extra = f", {stats.throttled} throttled requests retried" if stats.throttled else ""
        from ssogen.ui.render import count

        ui.info(f"{count(len(inventory.accounts), 'account')}, "
                f"{count(inventory.role_count, 'role')} ({stats.elapsed:.1f} s{extra})")
    return 0
