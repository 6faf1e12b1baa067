"""Where the Windows user's ``.aws`` folder is, seen from WSL2.

``cmd.exe /c echo %USERPROFILE%`` (run from the drive's mount point, ``/mnt/c``: from a Linux
folder cmd.exe starts in a UNC path and complains) prints ``C:\\Users\\me`` with a CRLF;
``wslpath -u`` turns that into ``/mnt/c/Users/me``; the folder is ``/mnt/c/Users/me/.aws``.

There is no guess at ``/mnt/c/Users/$USER``: the Linux and the Windows user names differ
often enough (WSL asks for a new one), and a wrong guess on a shared PC would copy logins into
another person's profile. When the folder cannot be found, the reason is said and
``--windows DIR`` names it.

``SSOGEN_WSL_ROOT`` replaces ``/mnt/c`` (tests; a custom ``[automount] root``); the real
default is ``/mnt/c``. WSL itself is recognised by the same signals as
:func:`ssogen.ui.browser.is_wsl` (this layer cannot import the terminal's module).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path

from ssogen.records import record

#: replaces the mount point of drive C: (default ``/mnt/c``)
ROOT_VARIABLE = "SSOGEN_WSL_ROOT"
DEFAULT_ROOT = "/mnt/c"
#: seconds cmd.exe and wslpath may take (the first interop call of a boot is slow)
TIMEOUT = 20.0

Run = Callable[..., "subprocess.CompletedProcess[bytes]"]
Which = Callable[[str], "str | None"]


@record(frozen=True)
class Located:
    """The Windows user's ``.aws`` folder (``folder``, and ``shown`` as Windows names it), or
    why it was not found (``problem``, with a ``hint``)."""

    folder: Path | None = None
    shown: str = ""
    problem: str | None = None
    hint: str | None = None


def drive_root(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    return Path(env.get(ROOT_VARIABLE) or DEFAULT_ROOT)


def is_wsl(environ: Mapping[str, str] | None = None, proc_root: str = "/proc") -> bool:
    """WSL 1 or 2: the variables WSL sets, the ``microsoft`` kernel string, its interop."""
    env = os.environ if environ is None else environ
    if env.get("WSL_DISTRO_NAME") or env.get("WSL_INTEROP"):
        return True
    for rel in ("sys/kernel/osrelease", "version"):
        try:
            with open(os.path.join(proc_root, rel), encoding="utf-8", errors="replace") as fh:
                if "microsoft" in fh.read(4096).lower():
                    return True
        except OSError:
            continue
    return os.path.exists(os.path.join(proc_root, "sys", "fs", "binfmt_misc", "WSLInterop"))


def automount_problem(root: Path) -> Located:
    """The one line for a missing drive mount (WSL's automount switched off)."""
    return Located(problem=f"{root} does not exist: WSL does not mount the Windows drive "
                   "(automount off: [automount] enabled=false in /etc/wsl.conf?), so the "
                   "Windows user's .aws folder cannot be reached",
                   hint="set [automount] enabled=true in /etc/wsl.conf and run `wsl "
                   "--shutdown` in Windows, or mount it: sudo mount -t drvfs C: "
                   f"{root}")


def locate(environ: Mapping[str, str] | None = None, *, run: Run = subprocess.run,
           which: Which = shutil.which) -> Located:
    """The Windows user's ``.aws`` folder on this WSL machine (see the module docstring)."""
    env = os.environ if environ is None else environ
    hint = "give the folder: --windows /mnt/c/Users/<you>/.aws"
    if not is_wsl(env):
        return Located(problem="this is not WSL (no Windows user folder to find)", hint=hint)
    root = drive_root(env)
    if not root.is_dir():
        return automount_problem(root)
    cmd = which("cmd.exe") or _existing(root / "Windows" / "System32" / "cmd.exe")
    if cmd is None:
        return Located(problem="cmd.exe is not on PATH nor under "
                       f"{root}/Windows/System32 (WSL interop off?)", hint=hint)
    profile = _output(run, [cmd, "/c", "echo %USERPROFILE%"], root)
    if profile is None or not re.fullmatch(r"[A-Za-z]:\\[^%\r\n]*", profile):
        return Located(problem="cmd.exe did not say where the Windows user folder is "
                       f"(%USERPROFILE% gave {profile!r:.80})", hint=hint)
    linux = _to_linux(run, which, profile, root)
    if linux is None or not linux.is_dir():
        return Located(problem=f"the Windows user folder {profile} is not a folder here "
                       f"({linux or 'wslpath failed'})", hint=hint)
    return Located(folder=linux / ".aws", shown=profile.rstrip("\\") + "\\.aws")


def _existing(path: Path) -> str | None:
    return str(path) if path.is_file() else None


def _output(run: Run, argv: list[str], cwd: Path) -> str | None:
    """The first line a command prints (CRLF stripped), None when it fails."""
    try:
        proc = run(argv, cwd=str(cwd), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                   stderr=subprocess.DEVNULL, timeout=TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    try:
        text = proc.stdout.decode("utf-8")
    except UnicodeDecodeError:  # cmd.exe speaks the console code page: a non-ASCII name
        return None
    lines = text.replace("\r\n", "\n").split("\n")
    return lines[0].strip() if lines and lines[0].strip() else None


def _to_linux(run: Run, which: Which, windows_path: str, root: Path) -> Path | None:
    """``wslpath -u``; without wslpath, drive letter D: is ``<root's parent>/d``."""
    wslpath = which("wslpath")
    if wslpath:
        out = _output(run, [wslpath, "-u", windows_path], root)
        return Path(out) if out and out.startswith("/") else None
    drive, rest = windows_path[0].lower(), windows_path[3:].replace("\\", "/")
    return root.parent / drive / rest if rest else root.parent / drive
