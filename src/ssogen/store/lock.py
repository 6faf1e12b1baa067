"""One ssogen writer per config file at a time.

An ``fcntl.flock`` on ``<config>.ssogen.lock`` next to the real file (symlinks followed for
the config, so two paths to one file share a lock). The lock file itself is never followed:
it is opened with ``O_NOFOLLOW`` and must be a regular file -- a symlink planted there cannot
make ssogen truncate another file. It is removed when released (while still held), and a
locker that finds the name re-pointed to another inode after waiting starts over, so removal
never lets two runs in at once. The kernel drops the lock when its holder dies: a file left
by a killed run never blocks anyone. While another run holds it ssogen says so and waits;
Ctrl-C interrupts the wait and nothing is written.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from ssogen.errors import ConfigFileError
from ssogen.store.access import access_hint, user_name
from ssogen.store.fileio import resolve_target

LOCK_SUFFIX = ".ssogen.lock"


def lock_path(config_path: str | os.PathLike[str]) -> Path:
    target = Path(resolve_target(config_path))
    return target.with_name(target.name + LOCK_SUFFIX)


class ConfigLock:
    """``with ConfigLock(path):`` -- exclusive, blocking, released by the kernel on exit."""

    def __init__(self, config_path: str | os.PathLike[str], *, dir_mode: int = 0o700,
                 on_wait: Callable[[str], None] | None = None) -> None:
        """``on_wait(message)``: told when another run holds the lock (we wait for it)."""
        self.path = lock_path(config_path)
        self.dir_mode = dir_mode
        self.on_wait = on_wait
        self._fd: int | None = None

    def acquire(self) -> None:
        import fcntl

        parent = self.path.parent
        if not parent.exists():
            try:
                parent.mkdir(parents=True, mode=self.dir_mode, exist_ok=True)
            except OSError as exc:
                raise _cannot(self.path, exc) from None
        while True:
            fd = self._open()
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError as exc:
                    if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                        raise
                    holder = _read_pid(fd)
                    who = f" (pid {holder})" if holder else ""
                    if self.on_wait is not None:
                        self.on_wait(f"ssogen: waiting for another ssogen run{who} to finish "
                                     f"(lock: {self.path})…")
                    fcntl.flock(fd, fcntl.LOCK_EX)
                if not _same_file(fd, self.path):  # the holder removed it: start over
                    os.close(fd)
                    continue
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            except BaseException:
                os.close(fd)
                raise
            self._fd = fd
            return

    def _open(self) -> int:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW
                         | os.O_NONBLOCK, 0o600)
        except OSError as exc:
            raise _cannot(self.path, exc) from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise ConfigFileError(f"{self.path}: is not a regular file; ssogen uses this name "
                                  "for its lock", hint=f"remove it: rm {self.path}")
        return fd

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):  # removed while held: the next locker
                if _same_file(self._fd, self.path):  # re-checks and starts over
                    os.unlink(self.path)
            os.close(self._fd)  # closing drops the flock
            self._fd = None

    def __enter__(self) -> ConfigLock:
        self.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()


def _same_file(fd: int, path: Path) -> bool:
    try:
        st = os.lstat(path)
    except OSError:
        return False
    mine = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (mine.st_dev, mine.st_ino)


def _cannot(path: Path, exc: OSError) -> ConfigFileError:
    """One line for a lock file ssogen cannot create, with the next step."""
    if exc.errno == errno.ELOOP:
        return ConfigFileError(f"{path}: is a symlink; ssogen does not follow it for its "
                               "lock file", hint=f"remove it: rm {path}")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        directory = path.parent
        try:
            owner_uid: int | None = os.stat(path).st_uid
        except OSError:
            owner_uid = None
        if owner_uid is not None and not os.access(path, os.W_OK):
            return ConfigFileError(
                f"{path}: a lock file you may not write (owned by {user_name(owner_uid)}; left by "
                "an earlier `sudo ssogen ...`?)", hint=f"sudo chown $USER {path}  (or remove it)")
        if exc.errno == errno.EROFS:
            return ConfigFileError(
                f"{directory}: a read-only file system; ssogen writes the new config next to "
                "the old one and renames it, and keeps its lock there",
                hint="use --config with a file on a writable file system, or remount this "
                "one read-write")
        if not os.access(directory, os.W_OK):
            return ConfigFileError(
                f"{directory}: the folder is read-only; ssogen writes the new config next to "
                "the old one and renames it, and keeps its lock there",
                hint=access_hint(directory, "u+w", ", or use --config with a file in a "
                                 "writable folder"))
    return ConfigFileError(f"{path}: cannot create the lock file ({exc.strerror or exc})")


def _read_pid(fd: int) -> int | None:
    try:
        data = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        return int(data) if data.isdigit() else None
    except (OSError, ValueError):
        return None
