"""Opening the verification URL in a browser, and the user code on the clipboard.

Inside WSL2 Python's ``webbrowser`` usually finds no browser (or launches a console one in the
terminal), so on WSL the *Windows* browser is opened instead, in this order:

1. ``BROWSER`` when set (through ``webbrowser``, which honours it first);
2. ``wslview`` (package wslu);
3. ``powershell.exe -NoProfile -Command "Start-Process '<url>'"`` (URL single-quoted, embedded
   ``'`` doubled: an unquoted ``&`` is a PowerShell parse error);
4. ``cmd.exe /c start "" <url>`` run from ``/mnt/c`` (a UNC working directory makes cmd
   complain) with cmd's metacharacters (``&`` above all) escaped with ``^``.

The user code goes to the Windows clipboard through ``clip.exe`` (ASCII, no trailing newline).
Elsewhere ``webbrowser.open_new_tab`` is used, but only with a display (``DISPLAY`` /
``WAYLAND_DISPLAY``, macOS, Windows) or an explicit ``BROWSER``: without a display
``webbrowser`` would start a console browser (lynx, w3m) inside the terminal that shows the
prompt. The URL and code are always printed as well; opening a browser is a convenience.

The command lines are built by pure functions so they can be tested without Windows.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from ssogen.store.machine import is_wsl

# Where Windows executables live when PATH lacks them (appendWindowsPath=false, sudo, env -i).
_WINDOWS_DIRS = (
    "/mnt/c/Windows/System32",
    "/mnt/c/Windows/System32/WindowsPowerShell/v1.0",
    "/mnt/c/Windows",
)

Which = Callable[[str], "str | None"]
__all__ = ["is_wsl"]  # re-exported: where WSL is told from lives in ssogen.store.machine


def has_display(environ: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    env = os.environ if environ is None else environ
    plat = sys.platform if platform is None else platform
    if plat == "darwin" or plat.startswith("win"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def find_windows_exe(name: str, which: Which = shutil.which,
                     exists: Callable[[str], bool] = os.path.exists) -> str | None:
    """``name`` on PATH, else in the usual Windows directories under /mnt/c."""
    found = which(name)
    if found:
        return found
    for d in _WINDOWS_DIRS:
        candidate = f"{d}/{name}"
        if exists(candidate):
            return candidate
    return None


#: every character PowerShell takes for a single quote: ' and the typographic ones
POWERSHELL_QUOTES = "'\u2018\u2019\u201a\u201b"


def powershell_command(url: str, exe: str = "powershell.exe") -> list[str]:
    """``Start-Process '<url>'`` with the URL in a PowerShell single-quoted string (literal:
    ``&``, ``$`` and backticks are inert). Only quote characters need escaping -- by doubling
    each, and PowerShell ends a single-quoted string at any of five of them, not only at
    ``'`` -- a URL from the service cannot break out of the string. Double quotes and control
    characters (invalid in a URL anyway) are percent-encoded."""
    out = []
    for ch in url:
        if ch in POWERSHELL_QUOTES:
            out.append(ch * 2)
        elif ch == '"' or (not ch.isprintable() and ch != " "):
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8")))
        else:
            out.append(ch)
    return [exe, "-NoProfile", "-Command", f"Start-Process '{''.join(out)}'"]


_CMD_META = "^&|<>()"


def cmd_escape(url: str) -> str:
    """Escape a URL for an unquoted cmd.exe argument: ``^`` first, then ``& | < > ( )``; spaces
    and ``"`` (invalid in a URL anyway) are percent-encoded so the URL stays one token."""
    out = []
    for ch in url:
        if ch in _CMD_META:
            out.append("^" + ch)
        elif ch == " ":
            out.append("%20")
        elif ch == '"':
            out.append("%22")
        else:
            out.append(ch)
    return "".join(out)


def cmd_command(url: str, exe: str = "cmd.exe") -> list[str]:
    """``cmd.exe /c start "" <url>``: the empty argument is the window title (``start`` would
    otherwise take a quoted URL as the title). WSL interop turns the empty argv element into
    ``""`` and passes the rest unquoted, so ``&`` must be ``^&`` (microsoft/WSL#4981)."""
    return [exe, "/c", "start", "", cmd_escape(url)]


def wsl_open_command(url: str, environ: Mapping[str, str] | None = None,
                     which: Which = shutil.which,
                     exists: Callable[[str], bool] = os.path.exists) -> list[str] | None:
    """The command that opens ``url`` in the Windows browser, or None (nothing found)."""
    wslview = which("wslview")
    if wslview:
        return [wslview, url]
    ps = find_windows_exe("powershell.exe", which, exists)
    if ps:
        return powershell_command(url, ps)
    cmd = find_windows_exe("cmd.exe", which, exists)
    if cmd:
        return cmd_command(url, cmd)
    return None


def plan_open(url: str, *, environ: Mapping[str, str] | None = None, wsl: bool | None = None,
              platform: str | None = None, which: Which = shutil.which,
              exists: Callable[[str], bool] = os.path.exists) -> list[str] | str | None:
    """How to open ``url``: an argv list, ``"webbrowser"`` (Python's module), or None."""
    env = os.environ if environ is None else environ
    if env.get("BROWSER"):
        return "webbrowser"
    if wsl is None:
        wsl = is_wsl(env)
    if wsl:
        argv = wsl_open_command(url, env, which, exists)
        if argv:
            return argv
    if has_display(env, platform):
        return "webbrowser"
    return None


def _spawn(argv: list[str], *, cwd: str | None = None, stdin_data: bytes | None = None,
           timeout: float = 10.0) -> bool:
    try:
        proc = subprocess.Popen(
            argv, cwd=cwd, stdin=subprocess.PIPE if stdin_data is not None else subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
    except OSError:
        return False
    if stdin_data is not None:
        try:
            proc.communicate(stdin_data, timeout=timeout)
        except (subprocess.TimeoutExpired, OSError):
            with contextlib.suppress(OSError):
                proc.kill()
            return False
        return proc.returncode == 0
    return True


def _open_with_webbrowser(url: str) -> bool:
    """Python's ``webbrowser``, first choice only (``BROWSER`` when set): ``webbrowser.open``
    falls back to the next browser it knows when one fails, and on a machine without a display
    that is a console browser (lynx, w3m) that would take over this terminal and show the URL
    in it. A console browser (``webbrowser.GenericBrowser`` itself: graphical ones are
    subclasses) is used only when ``BROWSER`` names it."""
    import webbrowser

    try:
        chosen = webbrowser.get()
        if type(chosen) is webbrowser.GenericBrowser and not os.environ.get("BROWSER"):
            return False
        return bool(chosen.open_new_tab(url))
    except Exception:  # webbrowser.Error, or a broken BROWSER entry: must not break a login
        return False


def open_url(url: str) -> bool:
    """Try to open ``url`` in the user's browser; True if something was launched."""
    plan = plan_open(url)
    if plan is None:
        return False
    if plan == "webbrowser":
        return _open_with_webbrowser(url)
    assert isinstance(plan, list)
    cwd = None
    if Path(plan[0]).name.lower() == "cmd.exe" and os.path.isdir("/mnt/c"):
        cwd = "/mnt/c"
    return _spawn(plan, cwd=cwd)


def clipboard_command(environ: Mapping[str, str] | None = None, wsl: bool | None = None,
                      which: Which = shutil.which,
                      exists: Callable[[str], bool] = os.path.exists) -> list[str] | None:
    if wsl is None:
        wsl = is_wsl(environ)
    if not wsl:
        return None
    clip = find_windows_exe("clip.exe", which, exists)
    return [clip] if clip else None


def copy_to_clipboard(text: str) -> bool:
    """Copy ``text`` to the Windows clipboard (WSL only); True on success. No newline is added.
    Only ASCII is sent: clip.exe mangles non-ASCII input (microsoft/WSL#10095)."""
    argv = clipboard_command()
    if not argv or not text.isascii():
        return False
    cwd = "/mnt/c" if os.path.isdir("/mnt/c") else None
    return _spawn(argv, cwd=cwd, stdin_data=text.encode("ascii"))
