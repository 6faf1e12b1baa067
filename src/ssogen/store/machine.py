"""What this machine is, as far as files tell: WSL (1 or 2).

One place for the signals, used by the login-flow rule (``app.login``: a device code on WSL)
and by the browser launcher (``ui.browser``: the Windows browser on WSL). No single signal is
authoritative: ``sudo`` and ``env -i`` strip the variables, custom kernels drop the
``microsoft`` string.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def is_wsl(environ: Mapping[str, str] | None = None,
           proc_root: str | os.PathLike[str] = "/proc") -> bool:
    """True when running inside WSL: the variables WSL sets, the ``microsoft`` kernel string,
    or the WSL interop handler."""
    env = os.environ if environ is None else environ
    if env.get("WSL_DISTRO_NAME") or env.get("WSL_INTEROP"):
        return True
    root = Path(proc_root)
    for rel in ("sys/kernel/osrelease", "version"):
        try:
            with open(root / rel, encoding="utf-8", errors="replace") as fh:
                text = fh.read(4096)
        except OSError:
            continue
        if "microsoft" in text.lower():
            return True
    try:
        return (root / "sys" / "fs" / "binfmt_misc" / "WSLInterop").exists()
    except OSError:
        return False
