"""``ssogen login``: log in to one IAM Identity Center session (PKCE or device code)."""

from __future__ import annotations

import argparse

from ssogen.commands import SUMMARY
from ssogen.commands._options import add_login_options, add_session_choice

EPILOG = """\
examples:
  ssogen login --session acme              log in (reuses a valid token or refreshes it)
  ssogen login --profile dev-admin         log in through the session a profile uses
  ssogen login --session acme --use-pkce   log in through this machine's browser
  ssogen login --session acme --use-device-code   a URL and a code, for any device
  ssogen login --session acme --no-browser  print the URL and code only (SSH, containers)
  ssogen login --session acme --force      ignore the cached token and log in again

Which login? Without a flag ssogen says which flow it picked and why, in one line: the
browser (authorization code with PKCE) on a desktop, a device code over SSH, in a container,
on WSL, without a display, with --no-browser and for legacy profiles. A PKCE login waits 10
minutes for the browser (SSOGEN_PKCE_TIMEOUT=SECONDS changes that), then exits 3.

The token is cached in ~/.aws/sso/cache exactly as `aws sso login` caches it (for both
flows), so the AWS CLI, boto3 and the SDKs use and refresh it (and ssogen theirs).
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "login", parents=[common], epilog=EPILOG,
        help=SUMMARY["login"],
        description="Log in to AWS IAM Identity Center: through the browser on this machine "
        "(authorization code with PKCE), or with a device code -- open the URL shown in any "
        "browser, on any device, and approve the code. On WSL2 the Windows browser is "
        "opened and a device code copied to the Windows clipboard.",
    )
    add_session_choice(p, verb="log in to")
    add_login_options(p, no_login=False)
    p.add_argument("--force", action="store_true",
                   help="log in again even if the cached token is still valid")
    return p


def run(args: argparse.Namespace) -> int:
    from ssogen.app.portal import SessionRequest, log_in
    from ssogen.ui.reporter import TerminalReporter

    log_in(SessionRequest(config=args.config, session=args.session, profile=args.profile,
                          no_browser=args.no_browser, force=args.force,
                          flow=getattr(args, "login_flow", None)), TerminalReporter())
    return 0
