"""Why a file cannot be written or read, said with the next step: whose it is (a file left by
an earlier ``sudo``: ``chown``, not ``chmod``), what is in the way of a write.
"""

from __future__ import annotations

import errno
import os

from ssogen.store.fileio import resolve_target

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ssogen.store.fileio import StrPath

__all__ = ["access_hint", "first_existing", "owner_of", "user_name", "write_problem"]


def owner_of(path: StrPath) -> str | None:
    """The user who owns ``path`` when that is not the user running ssogen (a file or folder
    left by an earlier ``sudo``: ``chmod`` cannot help, ``chown`` can), else None."""
    try:
        uid = os.stat(path).st_uid
    except OSError:
        return None
    if uid == os.geteuid() or _overrides_permissions():
        return None  # (root may write another user's file: the owner is not the problem)
    return user_name(uid)


def user_name(uid: int) -> str:
    """The account name of ``uid`` (``uid N`` when the machine has none)."""
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return f"uid {uid}"


def _overrides_permissions() -> bool:
    """Root with its capabilities (``CAP_DAC_OVERRIDE``): mode bits do not stop it."""
    if os.geteuid() != 0:
        return False
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as fh:
            caps = next(int(line.split()[1], 16) for line in fh if line.startswith("CapEff:"))
    except (OSError, StopIteration, ValueError, IndexError):
        return True
    return bool(caps & (1 << 1))


def access_hint(path: StrPath, chmod: str, then: str = "", *,
                recursive: bool = False) -> str:
    """The next step for a file or folder ssogen may not write or read: ``chmod`` (e.g.
    ``u+w``) when it is the user's own, ``sudo chown`` (``-R``: a folder whose content is
    likely the other user's too) when another user owns it."""
    owner = owner_of(path)
    if owner is not None:
        flag = "-R " if recursive else ""
        return (f"it belongs to {owner} (left by an earlier sudo?): sudo chown {flag}$USER "
                f"{path}")
    return f"make it {'writable' if 'w' in chmod else 'readable'} (chmod {chmod} {path})" + then


def first_existing(path: StrPath) -> str:
    """``path`` or its nearest ancestor that exists (as far as this user can tell)."""
    found = os.fspath(path)
    while not os.path.lexists(found) and found != os.path.dirname(found):
        found = os.path.dirname(found)
    return found


def write_problem(path: StrPath, exc: OSError) -> tuple[str, str | None]:
    """(one line, hint) for a file ssogen could not replace, naming what is in the way."""
    target = resolve_target(path)
    directory = os.path.dirname(target)
    if exc.filename and os.path.isdir(exc.filename):  # the folder said (a missing one's parent)
        directory = os.fspath(exc.filename)
    if exc.errno == errno.ELOOP:
        return (f"{exc.filename or path}: {exc.strerror}",
                f"remove the symlink: rm {exc.filename or path}")
    if exc.errno == errno.EMLINK:
        return (f"{target}: {exc.strerror}; replacing it would split them (the other names "
                "would keep the old content), so ssogen writes nothing",
                "make the other names symlinks to this file, or give ssogen the file with "
                "--config")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        if exc.strerror == "the file is read-only":
            if owner_of(target) is not None:
                return (f"{target}: the file belongs to another user; ssogen replaces only "
                        "your own files", access_hint(target, "u+w"))
            return (f"{target}: the file is read-only; ssogen never replaces a file you made "
                    "read-only", access_hint(target, "u+w", " to let ssogen update it"))
        if exc.errno == errno.EROFS:
            return (f"{directory}: a read-only file system (ssogen writes "
                    "the new file next to the old one and renames it)", "use --config with a "
                    "file on a writable file system, or remount this one read-write")
        if not os.access(directory, os.W_OK):
            return (f"{directory}: the folder is read-only (ssogen writes the new file next "
                    "to the old one and renames it)", access_hint(
                        directory, "u+w", ", or use --config with a file in a writable folder"))
    return f"{path}: cannot write ({exc.strerror or exc})", None
