"""``ssogen export-credentials``: role credentials for a profile, for a shell or credential_process.

The only command that prints secrets, and only on stdout. The work is
:func:`ssogen.app.credentials.export` (the AWS CLI's role-credential cache first, botocore
when it has nothing usable).
"""

from __future__ import annotations

import argparse
import sys

from ssogen.aws.credential_formats import FORMATS
from ssogen.commands import SUMMARY

EPILOG = """\
examples:
  eval "$(ssogen export-credentials --profile prod-admin)"        bash / zsh
  ssogen export-credentials --profile prod-admin --format powershell | Invoke-Expression
  ssogen export-credentials --profile prod-admin --format json

  # in ~/.aws/config, for tools that only understand credential_process:
  [profile ci-process]
  credential_process = ssogen export-credentials --profile ci --format process

Credentials come from the cached SSO token (refreshed when possible); nothing logs in here.
IAM Identity Center role credentials are cached in ~/.aws/cli/cache, where and as the AWS CLI
caches them, and reused while more than 15 minutes remain: a cached answer needs no network
(fast enough for credential_process). `ssogen logout` and `aws sso logout` remove them.
Not logged in: exit 4, run `ssogen login --profile NAME`. Unknown profile: exit 2.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "export-credentials", parents=[common],
        help=SUMMARY["export-credentials"],
        description="Print temporary role credentials for a profile, using the cached SSO "
        "token\n(refreshed when it can be). Secrets go to stdout, and only here.",
        epilog=EPILOG,
    )
    p.add_argument("--profile", required=True, metavar="NAME",
                   help="profile in the config file (e.g. one ssogen generated)")
    p.add_argument("--format", choices=FORMATS, default="env",
                   help="env (default: export lines for bash/zsh), powershell, json, "
                   "or process (credential_process JSON, Version 1)")
    return p


def run(args: argparse.Namespace) -> int:
    from ssogen.app.credentials import ExportRequest, export
    from ssogen.aws.credentials import render
    from ssogen.ui import terminal as ui

    creds = export(ExportRequest(profile=args.profile, config=args.config), ui.warn)
    sys.stdout.write(render(creds, args.format))
    sys.stdout.flush()
    return 0
