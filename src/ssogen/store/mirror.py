"""The Windows side of the WSL2 mirror: its ``.aws`` folder, checked before anything is
written there; its config replaced atomically; the token cache copied file for file.

The Windows folder lives on drvfs (``/mnt/c``): no Unix permissions (a ``chmod`` there does
nothing, or fails, and must not fail the run) and no protection but the Windows user
profile's ACL. ssogen never follows the Windows side through a symlink (the folder, ``config``,
``sso``, ``sso/cache``, a cache file), never writes into a folder or over a file that is
read-only, and never invents the user folder: only ``.aws`` and ``.aws/sso/cache`` are created
in it.

Token copies (:func:`push_tokens`): the session's token file and its client registration, the
same names and the same bytes as in ``~/.aws/sso/cache``, so the AWS CLI on Windows finds the
login the AWS CLI v2 way. A Windows token that expires *later* than the Linux one (refreshed by
the AWS CLI on Windows: refresh tokens are single use) is never overwritten.

:func:`token_saved` is the hook :func:`ssogen.store.tokens.save_token` calls: it copies the
token of a session the flow :func:`arm`\\ed (the app layer knows which sessions remember a
Windows folder; this layer only keeps the list for the run).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ssogen.records import field, record
from ssogen.store.fileio import TMP_SUFFIX, make_dirs, not_regular, remove_stale_temps, tmp_prefix

if TYPE_CHECKING:
    from ssogen.model.session import SsoSession

#: the largest cache file copied (they are well under 4 KiB)
MAX_CACHE_BYTES = 1 << 20
BACKUP_SUFFIX = ".ssogen.bak"


@record(frozen=True)
class Problem:
    """Why the Windows side is skipped: the path in the way, why, and what to do."""

    path: Path
    why: str
    hint: str | None = None
    text: str = ""  # the whole line, when it came as one (an error message naming the path)

    def __str__(self) -> str:
        return self.text or f"{self.path}: {self.why}"

    @classmethod
    def of_error(cls, path: Path, message: str, hint: str | None = None) -> Problem:
        """A one-line error message (``<path>[:line]: why``) as a problem."""
        why = message.split(": ", 1)[-1] if message.startswith(str(path)) else message
        text = message if message.startswith(str(path)) else f"{path}: {message}"
        return cls(path, why, hint, text)


def folder_problem(folder: Path) -> Problem | None:
    """Why ssogen must not write into the Windows ``.aws`` folder ``folder`` (its config and
    its token cache), or None. A folder ssogen cannot even look into is such a problem too,
    not an error of the run."""
    try:
        return _folder_problem(folder)
    except OSError as exc:  # name the folder that could not be entered
        where = next((p for p in (folder.parent, folder, folder / "sso")
                      if os.path.isdir(p) and not os.access(p, os.X_OK)),
                     Path(exc.filename) if exc.filename else folder)
        return Problem(where, f"cannot be read ({exc.strerror or exc})", "give your user "
                       "access to it (it may have been created by another user, e.g. with "
                       "sudo), or run with --no-windows")


def _folder_problem(folder: Path) -> Problem | None:
    for path in (folder, folder / "config", folder / "sso", folder / "sso" / "cache"):
        if path.is_symlink():
            return Problem(path, f"is a symlink (to {os.readlink(path)}); ssogen does not "
                           "follow links on the Windows side", "replace it with the real "
                           "folder or file, or run with --no-windows")
    if not folder.exists():
        parent = folder.parent
        if not parent.is_dir():
            return Problem(parent, "the Windows user folder does not exist",
                           "check the path (ssogen setup --windows DIR)")
        return _writable(parent)
    if not folder.is_dir():
        return Problem(folder, "is not a folder", "remove or rename it")
    problem = _writable(folder)
    cache = cache_folder(folder)  # where the logins go: the deepest folder there is
    for inner in (cache, cache.parent):
        if problem is None and inner.is_dir():
            problem = _writable(inner)
            break
    if problem is None and (folder / "config").exists():
        config = folder / "config"
        kind = not_regular(config)
        if kind:
            return Problem(config, f"is {kind}, not a config file")
        if not os.access(config, os.W_OK):
            return Problem(config, "the file is read-only; ssogen never replaces a file you "
                           "made read-only", "clear its read-only attribute in Windows")
    return problem


def _writable(folder: Path) -> Problem | None:
    if os.access(folder, os.W_OK | os.X_OK):
        return None
    # (no ownership hint: on a Windows drive chown changes nothing; WSL maps the owner)
    return Problem(folder, "the folder is read-only (ssogen writes a new file next to the "
                   "old one and renames it)", "make it writable, or run with --no-windows")


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Do two paths name one file (``~/.aws`` a symlink to the Windows folder)?"""
    return os.path.realpath(a) == os.path.realpath(b)


# -- writing ---------------------------------------------------------------------------------
def write_file(path: Path, data: bytes, *, backup: bool = False) -> None:
    """Replace ``path`` atomically (temp file in its folder, fsync, rename), never through a
    symlink, never over a read-only file; ``backup``: the old content to
    ``<path>.ssogen.bak`` first. Modes are asked for (0600) but not required (drvfs)."""
    _check_replaceable(path)
    if backup and path.exists():
        spare = path.with_name(path.name + BACKUP_SUFFIX)
        if spare.is_symlink():
            raise OSError(errno.ELOOP, "it is a symlink; ssogen does not write through it",
                          str(spare))
        _replace(spare, path.read_bytes())
    _replace(path, data)


def _check_replaceable(path: Path) -> None:
    if path.is_symlink():
        raise OSError(errno.ELOOP, "it is a symlink; ssogen does not write through it",
                      str(path))
    kind = not_regular(path)
    if kind:
        raise OSError(errno.EINVAL, f"it is {kind}, not a regular file", str(path))
    if path.exists() and not os.access(path, os.W_OK):
        raise PermissionError(errno.EACCES, "the file is read-only", str(path))


def _replace(path: Path, data: bytes) -> None:
    fd, name = tempfile.mkstemp(prefix=f"{tmp_prefix(path)}{os.getpid()}-", suffix=TMP_SUFFIX,
                                dir=path.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(OSError):  # drvfs: no Unix permissions
            os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    remove_stale_temps(path)


# -- the token cache -------------------------------------------------------------------------
@record
class Pushed:
    """What :func:`push_tokens` did."""

    copied: list[Path] = field(default_factory=list)
    kept_newer: Path | None = None  # the Windows token expires later: left as it is
    problem: Problem | None = None


def cache_folder(folder: Path) -> Path:
    return folder / "sso" / "cache"


def read_cache_file(path: Path) -> bytes | None:
    """A cache file's bytes; None when missing, not a regular file, a symlink or too big."""
    from ssogen.store.fileio import ReadRefused, read_regular

    if path.is_symlink():
        return None
    try:
        return read_regular(path, MAX_CACHE_BYTES)
    except (OSError, ReadRefused):
        return None


def expires_at(data: bytes | None) -> str | None:
    """``expiresAt`` of a token file's bytes, normalised (None: not a token)."""
    from ssogen.store.tokens import format_time, parse_time

    try:
        value = json.loads(data.decode("utf-8-sig")) if data else None
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    when = parse_time(value.get("expiresAt")) if isinstance(value, dict) else None
    return format_time(when) if when else None


def push_tokens(session: SsoSession, folder: Path) -> Pushed:
    """Copy the session's token file and client registration into ``folder``'s token cache
    (see the module docstring). Never raises for the Windows side: a problem is returned."""
    from ssogen.store.tokens import cache_dir, registration_path, token_path

    out = Pushed()
    source = token_path(session)
    token = read_cache_file(source)
    target = cache_folder(folder)
    if token is None or same_file(cache_dir(), target):
        return out
    out.problem = folder_problem(folder)
    if out.problem is not None:
        return out
    there = read_cache_file(target / source.name)
    mine, theirs = expires_at(token), expires_at(there)
    if theirs is not None and mine is not None and theirs > mine:
        out.kept_newer = target / source.name
        return out
    files = [(source.name, token)]
    registration = read_cache_file(registration_path(session))
    if registration is not None:
        files.append((registration_path(session).name, registration))
    try:
        make_dirs(target, 0o700)
        for name, data in files:
            if read_cache_file(target / name) != data:
                write_file(target / name, data)
                out.copied.append(target / name)
    except OSError as exc:
        out.problem = Problem(Path(exc.filename or target), exc.strerror or str(exc))
    return out


def remove_token(session: SsoSession, folder: Path) -> Path | None:
    """The session's token file in ``folder``'s token cache removed (``logout``: a copy left
    there would be revoked at the portal, and Windows tools would say "unauthorized" instead
    of asking for a login); the path removed, or None. The client registration stays, as
    on Linux. OSError (naming the file) when it is there but cannot be removed."""
    from ssogen.store.tokens import cache_dir, token_path

    target = cache_folder(folder) / token_path(session).name
    if same_file(cache_dir(), cache_folder(folder)) or any(  # never through a link
            os.path.islink(p) for p in (folder, folder / "sso", cache_folder(folder), target)):
        return None
    try:
        os.unlink(target)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(target)) from None
    return target


# -- the hook after every saved token ----------------------------------------------------------
Warn = Callable[[str], None]
_armed: dict[str, tuple[Path, Warn]] = {}


def arm(session: SsoSession, folder: Path, warn: Warn) -> None:
    """From now on, every token saved for ``session`` is copied into ``folder`` (a problem
    goes to ``warn``, one line)."""
    _armed[session.token_cache_key] = (folder, warn)


def disarm_all() -> None:
    _armed.clear()


def token_saved(session: SsoSession) -> None:
    """Called by :func:`ssogen.store.tokens.save_token` after each write."""
    armed = _armed.get(session.token_cache_key)
    if armed is None:
        return
    folder, warn = armed
    pushed = push_tokens(session, folder)
    if pushed.problem is not None:
        warn(f"the login was not copied to Windows: {pushed.problem}")
