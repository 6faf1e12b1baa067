"""The text a person pastes for ``import-credentials``: stdin -- on a terminal read with echo
off, so the secrets do not land in the scrollback -- or, on WSL2, the Windows clipboard
(``powershell.exe -NoProfile -Command Get-Clipboard``). At most 1 MiB either way; bytes are
decoded as UTF-8, or UTF-16 when PowerShell answers so.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # no typing import at run time (start-up time, memory)
if TYPE_CHECKING:
    from collections.abc import Callable

#: the most text read (the dialog is a few kilobytes; this stops a runaway pipe)
MAX_INPUT = 1 << 20
CLIPBOARD_TIMEOUT = 20.0


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
