"""The Windows mirror on WSL2, as data: what ``[ssogen NAME]`` remembers and what the flags say.

On WSL2 one login can serve both sides: the profiles are written into the Windows user's
``.aws\\config`` as well, and every token ssogen saves is copied into the Windows user's
``.aws\\sso\\cache`` under the same name, so ``aws`` in PowerShell needs no second login. The
choice is remembered per session in its ``[ssogen NAME]`` section::

    [ssogen acme]
    windows_mirror = /mnt/c/Users/me/.aws

* an absolute path: the Windows user's ``.aws`` folder, as WSL sees it; ``sync`` and every
  login keep the Windows side up to date;
* ``off``: the user said no (``--no-windows``, or no in the wizard): never offered again as
  the default;
* no key: never decided; the wizard offers it when it finds a Windows user folder, ``--yes``
  never turns it on silently.

This module is pure: no file access, no processes.
"""

from __future__ import annotations

import posixpath

from ssogen.model.validate import unwritable

#: the key in ``[ssogen NAME]``
KEY = "windows_mirror"
#: its value when the user declined
OFF = "off"
#: the flag value of ``--windows`` without a folder: find the Windows user's ``.aws`` folder
AUTO = "auto"


def is_folder(value: str | None) -> bool:
    """A remembered (or given) Windows ``.aws`` folder, not ``off``/``auto``/nothing."""
    return bool(value) and value not in (OFF, AUTO)


def value_problem(value: str) -> str | None:
    """Why ``value`` cannot be remembered as ``windows_mirror``, or None."""
    if value == OFF:
        return None
    if unwritable(value):
        return "must be `off` or a folder path on one line, without surrounding spaces"
    if not posixpath.isabs(value):
        return (f"must be `{OFF}` or an absolute folder path as WSL sees it (e.g. "
                f"/mnt/c/Users/me/.aws), not {value!r:.60}")
    return None


def normalized(value: str) -> str:
    """A folder path as it is remembered: absolute, no trailing slash, no ``..``."""
    return posixpath.normpath(value)


def crlf(data: bytes) -> bytes:
    """Every line break as CRLF (a new Windows config, written for Notepad and the AWS CLI
    on Windows alike)."""
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
