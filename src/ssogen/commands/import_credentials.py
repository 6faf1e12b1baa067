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
import sys

from ssogen.commands import SUMMARY

TYPE_CHECKING = False  # typing itself is not imported: `ssogen COMMAND --help` stays light
if TYPE_CHECKING:
    from collections.abc import Callable

    from ssogen.app.import_credentials import ImportResult

#: the most text read (the dialog is a few kilobytes; this stops a runaway pipe)
MAX_INPUT = 1 << 20
CLIPBOARD_TIMEOUT = 20.0

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


def _decode(data: bytes) -> str:
    """Clipboard or pipe bytes as text: UTF-8 (a BOM dropped), UTF-16 when it has a BOM or
    NULs (PowerShell may answer so); undecodable bytes become U+FFFD and, being no part of a
    credential, only ever make a line unreadable."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (data and b"\x00" in data[:64]):
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8-sig", errors="replace")


def read_clipboard() -> str:
    """The Windows clipboard's text (WSL2), through ``Get-Clipboard``."""
    import subprocess

    from ssogen.errors import UsageError
    from ssogen.ui import browser

    if not browser.is_wsl():
        raise UsageError("--from-clipboard reads the Windows clipboard and works on WSL2 only; "
                         "pipe the text into stdin instead")
    exe = browser.find_windows_exe("powershell.exe")
    if exe is None:
        raise UsageError("powershell.exe not found, so the Windows clipboard cannot be read; "
                         "pipe the text into stdin instead")
    cwd = "/mnt/c" if os.path.isdir("/mnt/c") else None  # cmd/powershell dislike UNC paths
    try:
        proc = subprocess.run([exe, "-NoProfile", "-Command", "Get-Clipboard"],
                              capture_output=True, timeout=CLIPBOARD_TIMEOUT, cwd=cwd,
                              stdin=subprocess.DEVNULL, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UsageError(f"cannot read the Windows clipboard ({type(exc).__name__}); pipe the "
                         "text into stdin instead") from None
    if proc.returncode != 0:
        raise UsageError(f"cannot read the Windows clipboard (powershell.exe exited "
                         f"{proc.returncode}); pipe the text into stdin instead")
    if len(proc.stdout) > MAX_INPUT:
        raise UsageError("the clipboard holds more than 1 MiB; copy just the credentials")
    return _decode(proc.stdout)


def read_stdin() -> str:
    """All of stdin. On a terminal: a prompt on stderr, and echo off while reading, so the
    pasted secrets are not shown (and restored even on Ctrl-C)."""
    from ssogen.errors import UsageError
    from ssogen.ui import terminal as ui

    if sys.stdin is None:  # started with stdin closed
        raise UsageError("no stdin to read the credentials from; pipe the text in")
    stream = sys.stdin.buffer
    restore = None
    if sys.stdin.isatty():
        ui.info("Paste the text from the access portal (it is not shown), then press Enter "
                "and Ctrl-D:")
        restore = _echo_off(sys.stdin.fileno())
    try:
        data = stream.read(MAX_INPUT + 1)
    finally:
        if restore is not None:
            restore()
    if len(data) > MAX_INPUT:
        raise UsageError("more than 1 MiB on stdin; paste just the credentials")
    return _decode(data)


def _echo_off(fd: int) -> Callable[[], None] | None:
    """Turn terminal echo off on ``fd``; returns the function that turns it back on (None
    when the terminal cannot be changed)."""
    try:
        import termios
    except ImportError:  # not a POSIX terminal
        return None
    try:
        old = termios.tcgetattr(fd)
    except termios.error:
        return None
    new = list(old)
    new[3] = new[3] & ~termios.ECHO
    termios.tcsetattr(fd, termios.TCSADRAIN, new)

    def restore() -> None:
        termios.tcsetattr(fd, termios.TCSADRAIN, old)
        print(file=sys.stderr)  # the line the hidden paste ended on

    return restore


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
