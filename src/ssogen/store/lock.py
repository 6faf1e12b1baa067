"""One ssogen writer per config file at a time.

An ``fcntl.flock`` on ``<config>.ssogen.lock`` (next to the real file, symlinks followed, so two
paths to one file share a lock). The kernel drops the lock when its holder exits or dies, so a
stale lock file never blocks anyone; the file itself is left in place (deleting a lock file
races with the next locker). While another run holds it we say so on stderr and wait: Ctrl-C
interrupts the wait and nothing is written.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from ssogen.errors import ConfigFileError
from ssogen.store.fileio import resolve_target

LOCK_SUFFIX = ".ssogen.lock"


def lock_path(config_path: Path) -> Path:
    target = resolve_target(Path(config_path))
    return target.with_name(target.name + LOCK_SUFFIX)


class ConfigLock:
    """``with ConfigLock(path):`` -- exclusive, blocking, released by the kernel on exit."""

    def __init__(self, config_path: Path, *, dir_mode: int = 0o700,
                 on_wait: Callable[[str], None] | None = None) -> None:
        """``on_wait(message)``: told when another run holds the lock (we wait for it)."""
        self.path = lock_path(config_path)
        self.dir_mode = dir_mode
        self.on_wait = on_wait
        self._fd: int | None = None

    def acquire(self) -> None:
        import fcntl

        parent = self.path.parent
        try:
            if not parent.exists():
                parent.mkdir(parents=True, mode=self.dir_mode, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            raise ConfigFileError(
                f"{self.path}: cannot create lock file ({exc.strerror or exc})") from None
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
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing drops the flock
            self._fd = None

    def __enter__(self) -> ConfigLock:
        self.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()


def _read_pid(fd: int) -> int | None:
    try:
        data = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        return int(data) if data.isdigit() else None
    except (OSError, ValueError):
        return None
