"""``ssogen import-credentials``: the access portal's copy-paste credentials into
``~/.aws/credentials``, checked, without touching anything else in the file.

The text comes from stdin -- typed into the terminal with echo off, so the pasted secrets do
not land in the terminal's scrollback -- or, on WSL2 with ``--from-clipboard``, from the
Windows clipboard (``powershell.exe -NoProfile -Command Get-Clipboard``). What is printed names
the profile, the file and, when the text carries them, the account, the role and the
expiration: never a secret, not even a part of one.
"""

from __future__ import annotations

import argparse
import os

from ssogen.commands import SUMMARY

TYPE_CHECKING = False  # typing itself is not imported: `ssogen COMMAND --help` stays light
if TYPE_CHECKING:
    from ssogen.app.import_credentials import ImportResult

EPILOG = """\
examples:
  ssogen import-credentials --profile acme-prod < pasted.txt
  ssogen import-credentials                 paste the dialog's text, then Enter and Ctrl-D
  ssogen import-credentials --from-clipboard    WSL2: read the Windows clipboard
  ssogen import-credentials --profile ci --credentials ./ci-credentials

In the AWS access portal choose "Command line or programmatic access" (newer portal: "Access
keys") next to a role and copy any tab: the macOS and Linux `export AWS_...="..."` lines, the
PowerShell `$Env:AWS_...="..."` lines, the Windows `SET AWS_...=...` lines, or the "add a
profile to your AWS credentials file" block ([123456789012_RoleName] and aws_..._key=...
lines, whose header is the default profile name). The dialog's other text may come along;
CRLF line endings are fine. Anything that is not one complete credential set (a missing key,
a broken value, two different sets) is refused and the file left untouched.

[NAME] in the credentials file ($AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials) gets
aws_access_key_id, aws_secret_access_key and aws_session_token: replaced in place if it
exists (its other keys and comments stay), appended otherwise. Every other byte of the file
stays as it was; the write is atomic, locked, with one backup (<file>.ssogen.bak), 0600 for a
new file, and never through a symlink. Then: aws sts get-caller-identity --profile NAME

exit codes: 0 written (or already there), 2 text or file refused (nothing written),
            130 interrupted
"""


def default_credentials_path() -> str:
    """``$AWS_SHARED_CREDENTIALS_FILE`` (as botocore expands it), else ~/.aws/credentials."""
    env = os.environ.get("AWS_SHARED_CREDENTIALS_FILE")
    if env:
        return os.path.expanduser(os.path.expandvars(env))
    return os.path.join(os.path.expanduser("~"), ".aws", "credentials")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "import-credentials", parents=[common], epilog=EPILOG,
        help=SUMMARY["import-credentials"],
        description="Read the access portal's \"Command line or programmatic access\" text "
        "(any tab) from stdin or the Windows clipboard, check that it is one complete "
        "credential set, and write it as [NAME] into the shared credentials file without "
        "changing anything else there.",
    )
    p.add_argument("--profile", metavar="NAME",
                   help="[NAME] to write (default: the name of the pasted credentials-file "
                   "block, e.g. 123456789012_AdministratorAccess; required for the other "
                   "forms)")
    p.add_argument("--from-clipboard", action="store_true",
                   help="WSL2: read the Windows clipboard instead of stdin")
    p.add_argument("--credentials", metavar="FILE",
                   help="credentials file (default: $AWS_SHARED_CREDENTIALS_FILE, else "
                   "~/.aws/credentials)")
    return p


def _summary(result: ImportResult) -> list[str]:
    """What happened, in words that hold no secret."""
    from ssogen.model.clock import shown
    from ssogen.ui.terminal import printable

    who = ", ".join(p for p in (f"account {result.account_id}" if result.account_id else "",
                                f"role {result.role_name}" if result.role_name else "") if p)
    if result.expiration is not None:
        until = shown(result.expiration)
        who = f"{who}; valid until {until}" if who else f"valid until {until}"
    what = ("already holds these credentials; nothing written" if not result.written
            else "replaced its keys" if result.replaced else "added")
    name = printable(result.profile)
    lines = [f"ssogen: [{name}] in {result.path}: {what}" + (f" ({who})" if who else "")]
    if result.backup is not None:
        lines.append(f"previous version: {result.backup}")
    lines.append(f"next: aws sts get-caller-identity --profile {name}")
    return lines


def run(args: argparse.Namespace) -> int:
    from ssogen.app.import_credentials import ImportRequest, import_credentials
    from ssogen.ui import terminal as ui
    from ssogen.ui.pasted import read_clipboard, read_stdin
    from ssogen.ui.reporter import TerminalReporter

    text = read_clipboard() if args.from_clipboard else read_stdin()
    request = ImportRequest(text=text,
                            credentials_path=args.credentials or default_credentials_path(),
                            profile=args.profile, config_path=args.config)
    result = import_credentials(request, TerminalReporter(progress=False))
    if result.shadowed_by:
        ui.warn(f"[profile {result.profile}] in {args.config} has "
                f"{', '.join(result.shadowed_by)}: AWS tools use that, not these keys; "
                "pick another --profile name")
    for line in _summary(result):
        ui.info(line)
    return 0
