"""``ssogen login``: device-code login for one IAM Identity Center session."""

from __future__ import annotations

import argparse

from ssogen.commands._options import add_login_options, add_session_choice

EPILOG = """\
examples:
  ssogen login --session acme              log in (reuses a valid token or refreshes it)
  ssogen login --profile dev-admin         log in through the session a profile uses
  ssogen login --session acme --no-browser print the URL and code only (SSH, containers)
  ssogen login --session acme --force      ignore the cached token and log in again

The token is cached in ~/.aws/sso/cache exactly as `aws sso login` caches it, so the AWS CLI,
boto3 and the SDKs use it (and ssogen uses theirs).
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "login", parents=[common], epilog=EPILOG,
        help="device-code login (works in WSL2 and over SSH)",
        description="Log in to AWS IAM Identity Center with the device-code flow: open the "
        "URL shown (in any browser, on any device) and approve the code. On WSL2 the Windows "
        "browser is opened and the code copied to the Windows clipboard.",
    )
    add_session_choice(p, verb="log in to")
    add_login_options(p, no_login=False)
    p.add_argument("--force", action="store_true",
                   help="log in again even if the cached token is still valid")
    return p


def run(args: argparse.Namespace) -> int:
    from ssogen.app import online, windows
    from ssogen.app.sessions import resolve_session
    from ssogen.store.snapshot import ConfigSnapshot
    from ssogen.ui import terminal as ui
    from ssogen.ui.reporter import TerminalReporter

    snapshot = ConfigSnapshot.read(args.config)
    session = resolve_session(snapshot, session=args.session, profile=args.profile)
    token = online.token(session, snapshot, TerminalReporter(), force=args.force,
                         no_browser=args.no_browser)
    until = token.expires_at.astimezone().strftime("%H:%M")
    if token.source == "cache":
        ui.info(f"Already logged in to {session.start_url} (token valid until {until}); "
                "use --force to log in again")
    else:
        ui.info(f"Logged in to {session.start_url} (token valid until {until})")
    windows.after_login(snapshot, session, TerminalReporter())  # WSL2: the Windows copy
    return 0
