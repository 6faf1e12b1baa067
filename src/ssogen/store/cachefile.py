"""Private JSON cache files in folders other tools share (``~/.aws/sso/cache``,
``~/.aws/cli/cache``): read without ever blocking, written atomically and never through a
symlink, and locked one writer at a time.

* Reading: only a regular file is read (a named pipe would block the read, a device never
  ends), at most :data:`MAX_BYTES`; anything else -- missing, not a file, too big, not a JSON
  object -- is ``None``, i.e. absent. Symlinks are followed for reading, as botocore does.
* Writing: folder 0700, file 0600 (both enforced, even when they existed), atomic replace
  (:func:`ssogen.store.fileio.atomic_write_bytes`, ``follow_symlinks=False``). A symlink at
  the file's name is refused in one line: whoever can plant it could otherwise redirect a
  token or credentials into a file of their choosing.
* Locking: :class:`CacheLock` is an ``fcntl.flock`` on ``<file>.ssogen.lock`` beside the file,
  opened with ``O_NOFOLLOW``. The holder removes the lock file before releasing it; a waiter
  that then gets the lock on the removed file notices (the name no longer leads to its file)
  and locks again, so two processes never both hold it. A lock file a killed holder left
  behind is harmless: the kernel dropped its lock.

Nothing here logs a file's content.
"""

from __future__ import annotations

import errno
import json
import os
import stat

from ssogen import logs
from ssogen.errors import ConfigFileError

TYPE_CHECKING = False  # typing itself is not imported: this module is on a fast path
if TYPE_CHECKING:
    from pathlib import Path
    from types import TracebackType
    from typing import Any

#: a cache file larger than this is not one the AWS tools wrote (theirs are < 10 KiB)
MAX_BYTES = 1 << 20
LOCK_SUFFIX = ".ssogen.lock"


def read_json(path: str | Path, max_bytes: int = MAX_BYTES) -> dict[str, Any] | None:
    """The JSON object in ``path``; None when it is missing, not a regular file, larger than
    ``max_bytes``, unreadable or not a JSON object (each said at info level, by name only)."""
    raw = read_bytes(path, max_bytes)
    if raw is None:
        return None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        logs.info(__name__, "%s is not valid JSON; ignoring it", os.path.basename(path))
        return None
    return data if isinstance(data, dict) else None


def json_files(folder: Path) -> list[tuple[Path, dict[str, Any]]]:
    """Every ``*.json`` file of ``folder`` that holds a JSON object (:func:`read_json`), by
    name; none when the folder cannot be listed."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    out = []
    for name in names:
        if name.endswith(".json"):
            data = read_json(folder / name)
            if data is not None:
                out.append((folder / name, data))
    return out


def read_bytes(path: str | Path, max_bytes: int = MAX_BYTES) -> bytes | None:
    """At most ``max_bytes`` of a regular file, without blocking on a FIFO or a device."""
    name = os.path.basename(path)  # what the info lines say: the name, never the content
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            logs.info(__name__, "%s is not a regular file; ignoring it", name)
            return None
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        logs.info(__name__, "cannot read %s (%s); ignoring it", name, exc.strerror)
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped between stat and open
            logs.info(__name__, "%s is not a regular file; ignoring it", name)
            return None
        chunks: list[bytes] = []
        size = 0
        while size <= max_bytes:
            chunk = os.read(fd, min(65536, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        logs.info(__name__, "cannot read %s (%s); ignoring it", name, exc.strerror)
        return None
    finally:
        os.close(fd)
    if size > max_bytes:
        logs.info(__name__, "%s is larger than %d bytes; ignoring it", name, max_bytes)
        return None
    return b"".join(chunks)


def refuse_symlink(path: Path, what: str) -> None:
    """ConfigFileError when ``path`` itself is a symlink (``what``: "the token", ...)."""
    if os.path.islink(path):
        raise ConfigFileError(f"{path} is a symlink; ssogen does not write {what} through it "
                              "(remove it)")


def private_dir(directory: Path, what: str) -> None:
    """Create ``directory`` (and missing parents) 0700, or make it 0700."""
    from ssogen.store.access import access_hint, first_existing
    from ssogen.store.fileio import make_dirs

    try:
        make_dirs(directory, 0o700)
        if not directory.is_dir():
            raise FileExistsError(directory)
    except FileExistsError:  # e.g. ~/.aws/sso/cache is a file
        raise ConfigFileError(f"{directory}: cannot create the {what} folder (not a folder); "
                              "fix or remove it and log in again") from None
    except OSError as exc:  # e.g. a folder on the way that belongs to another user
        blocker = first_existing(directory)
        if blocker == os.fspath(directory):
            why = f"cannot use the {what} folder ({exc.strerror or exc})"
        elif os.access(blocker, os.X_OK):
            why = f"cannot create the {what} folder in {blocker} ({exc.strerror or exc})"
        else:
            why = f"cannot reach the {what} folder: {blocker} cannot be entered"
        raise ConfigFileError(f"{directory}: {why}",
                              hint=access_hint(blocker, "u+rwx", recursive=True)) from None
    try:
        os.chmod(directory, 0o700)
    except OSError as exc:  # e.g. a directory owned by someone else
        logs.info(__name__, "cannot make %s private (%s)", directory, exc.strerror)


def write_json(path: Path, data: dict[str, Any], *, what: str, folder: str) -> None:
    """Atomic replace with plain ``json.dumps`` (the AWS CLI's format); file 0600 and folder
    0700. ``what`` names the content in errors ("the token"), ``folder`` the folder ("token
    cache"). Never through a symlink."""
    import contextlib

    from ssogen.store.fileio import atomic_write_bytes

    refuse_symlink(path, what)
    private_dir(path.parent, folder)
    with contextlib.suppress(OSError):
        if stat.S_ISREG(os.lstat(path).st_mode):
            os.chmod(path, 0o600)  # so the replacement is created 0600 too
    try:
        written = atomic_write_bytes(path, json.dumps(data).encode("utf-8"), new_mode=0o600,
                                     dir_mode=0o700, follow_symlinks=False)
    except OSError as exc:  # e.g. the cache file is a directory or a named pipe
        if exc.errno == errno.ELOOP:  # a symlink planted between the check and the write
            raise ConfigFileError(f"{path} is a symlink; ssogen does not write {what} "
                                  "through it (remove it)") from None
        if exc.errno in (errno.EACCES, errno.EPERM) and not os.access(path.parent,
                                                                       os.W_OK | os.X_OK):
            from ssogen.store.access import access_hint

            raise ConfigFileError(f"{path.parent}: cannot write the {folder} folder "
                                  f"({exc.strerror})", hint=access_hint(
                                      path.parent, "u+rwx", recursive=True)) from None
        raise ConfigFileError(f"{path}: cannot write the {folder} ({exc.strerror or exc})"
                              "; fix or remove it and log in again") from None
    with contextlib.suppress(OSError):  # e.g. a Windows drive (drvfs without metadata)
        os.chmod(written, 0o600)


def unwritable_folder(directory: Path, what: str) -> ConfigFileError | None:
    """Why a file could not be saved in ``directory`` (created if missing), found without
    writing: for a login to say before it starts that its token would be lost."""
    from ssogen.store.access import access_hint, first_existing

    folder = first_existing(directory)
    if os.path.isdir(folder) and os.access(folder, os.W_OK | os.X_OK):
        return None
    if not os.path.isdir(folder):
        inside = "" if folder == os.fspath(directory) else f" in {directory}"
        return ConfigFileError(f"{folder}: is not a folder, so the {what} would not be saved"
                               f"{inside}", hint=f"fix or remove it: {folder}")
    return ConfigFileError(f"{folder}: ssogen cannot write there, so the {what} would not be "
                           "saved", hint=access_hint(folder, "u+rwx", recursive=True))


def remove(path: Path) -> bool:
    """Remove ``path`` (a symlink itself, never its target); True when something was removed.
    A directory in its place is left alone."""
    try:
        if stat.S_ISDIR(os.lstat(path).st_mode):
            return False
        os.unlink(path)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise ConfigFileError(f"{path}: cannot remove it ({exc.strerror or exc})") from None
    return True


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + LOCK_SUFFIX)


class CacheLock:
    """``with CacheLock(cache_file):`` -- exclusive, blocking (Ctrl-C interrupts the wait),
    released by the kernel if the holder dies. Where locks cannot be taken at all (no
    ``fcntl``, a read-only folder) it does nothing: the writes that follow fail on their own,
    in one line."""

    def __init__(self, path: Path, *, folder: str) -> None:
        self.path = lock_path(path)
        self.folder = folder
        self._fd: int | None = None

    def acquire(self) -> None:
        try:
            import fcntl
        except ImportError:  # pragma: no cover (not a POSIX system)
            return
        private_dir(self.path.parent, self.folder)
        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(
            os, "O_CLOEXEC", 0) | os.O_NONBLOCK
        while True:
            try:
                fd = os.open(self.path, flags, 0o600)
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    raise ConfigFileError(f"{self.path} is a symlink; ssogen does not lock "
                                          "through it (remove it)") from None
                logs.info(__name__, "cannot create the lock %s (%s); going on without it",
                         self.path.name, exc.strerror)
                return
            try:
                st = os.fstat(fd)
                if not stat.S_ISREG(st.st_mode):
                    raise ConfigFileError(f"{self.path}: is not a regular file; ssogen does "
                                          "not use it as a lock (remove it)")
                fcntl.flock(fd, fcntl.LOCK_EX)
                try:
                    now = os.stat(self.path, follow_symlinks=False)
                except FileNotFoundError:
                    now = None
                if now is not None and (now.st_ino, now.st_dev) == (st.st_ino, st.st_dev):
                    self._fd = fd
                    return
            except BaseException:
                os.close(fd)
                raise
            os.close(fd)  # the holder removed that file before releasing it: lock again

    def release(self) -> None:
        import contextlib

        fd, self._fd = self._fd, None
        if fd is None:
            return
        with contextlib.suppress(OSError):
            os.unlink(self.path)  # still holding it: waiters notice and lock anew
        os.close(fd)

    def __enter__(self) -> CacheLock:
        self.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()
