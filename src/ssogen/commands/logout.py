"""``ssogen logout``: end an IAM Identity Center sign-in session and remove its cached token
and role credentials (:mod:`ssogen.app.logout`)."""

from __future__ import annotations

import argparse

from ssogen.commands import SUMMARY

EPILOG = """\
examples:
  ssogen logout --session acme       log out of session acme (the portal, then the files)
  ssogen logout --profile dev-admin  log out of the session a profile uses
  ssogen logout --all                every cached token, registration and SSO role
                                     credential, like `aws sso logout`

Removed: the session's token file in ~/.aws/sso/cache and the role credentials its profiles
cached in ~/.aws/cli/cache; the client registration stays (a later login reuses it) unless
--all. Each removal is said in one line. Already logged out: exit 0. Portal unreachable: the
files are removed anyway, exit 5. Afterwards `ssogen sync --no-login` exits 4.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "logout", parents=[common], epilog=EPILOG,
        help=SUMMARY["logout"],
        description="Log out of AWS IAM Identity Center: the portal ends the sign-in session "
        "(all its tokens stop working), then the cached token and the role credentials "
        "cached for the session are removed.",
    )
    who = p.add_mutually_exclusive_group()
    who.add_argument("--session", metavar="NAME", help="[sso-session NAME] to log out of")
    who.add_argument("--profile", metavar="NAME",
                     help="log out of the session this profile uses (legacy profiles too)")
    who.add_argument("--all", action="store_true",
                     help="every cached token, client registration and SSO role credential "
                     "(what `aws sso logout` removes, plus the registrations)")
    return p


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ssogen.app import logout
    from ssogen.ui.reporter import TerminalReporter

    request = logout.LogoutRequest(config=Path(args.config), session=args.session,
                                   profile=args.profile, all=args.all)
    return logout.run(request, TerminalReporter(progress=False))
