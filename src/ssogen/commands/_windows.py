"""The WSL2 Windows-mirror flags (:mod:`ssogen.app.windows`), defined once."""

from __future__ import annotations

import argparse

from ssogen.errors import UsageError
from ssogen.model.windows import AUTO, OFF


def add_setup_options(p: argparse.ArgumentParser) -> None:
    """``--windows [DIR]`` / ``--no-windows`` for ``setup`` (remembered for sync)."""
    g = p.add_mutually_exclusive_group()
    g.add_argument("--windows", nargs="?", const=AUTO, default=None, metavar="DIR",
                   help="WSL2: also write the profiles into the Windows user's .aws\\config "
                   "and copy each login into its token cache (DIR: that .aws folder as WSL "
                   "sees it; default: found with cmd.exe); a problem there is an error "
                   "(exit 2, nothing written); remembered for sync")
    g.add_argument("--no-windows", dest="windows", action="store_const", const=OFF,
                   help="WSL2: do not mirror to Windows (remembered: not offered again as "
                   "the default)")


def add_sync_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-windows", action="store_true",
                   help="WSL2: leave the Windows config and token cache alone this once "
                   "(the remembered choice stays)")


def setup_choice(args: argparse.Namespace) -> str | None:
    """The flags as ``SetupRequest.windows``: None, ``auto``, ``off`` or an absolute folder."""
    import os

    from ssogen.model.windows import normalized, value_problem

    value: str | None = getattr(args, "windows", None)
    if value in (None, AUTO, OFF):
        return value
    assert value is not None
    if not value.strip():  # e.g. --windows "$UNSET": not the current folder
        raise UsageError("--windows '': no folder given", hint="give the Windows user's .aws "
                         "folder as WSL sees it (e.g. --windows /mnt/c/Users/you/.aws), or "
                         "--windows alone to find it")
    folder = normalized(os.path.abspath(os.path.expanduser(value)))
    problem = value_problem(folder)
    if problem:
        raise UsageError(f"--windows {value!r:.60}: the folder {problem}")
    inner = os.path.join(folder, ".aws")
    if os.path.basename(folder) != ".aws" and os.path.isdir(inner):
        raise UsageError(f"--windows {folder}: the user folder, not its .aws folder (the "
                         f"AWS CLI on Windows reads {inner}{os.sep}config)",
                         hint=f"ssogen setup --windows {inner}")
    return folder
