"""Crash-safe file writing shared by the config writer and the token cache.

``atomic_write_bytes`` writes a temp file in the target's own directory, fsyncs it, renames it
over the target and fsyncs the directory: a reader (or a crash) sees the old file or the new
one, never a mix. Through a symlink the *target* is replaced and the link kept. An existing
file keeps its mode; a new one gets ``new_mode``. Temp files are named
``.<name>.ssogen-<pid>-<random>.tmp`` and removed on any failure. Only a writer killed outright
(SIGKILL, power loss) can leave one behind: the next successful write to the same file removes
those whose writer is gone (:func:`remove_stale_temps`).

Paths are taken as ``str`` or ``os.PathLike`` and given back as ``str``, worked on with
:mod:`os.path` as botocore does: :mod:`pathlib` imports :mod:`urllib.parse` and
:mod:`ipaddress`, 0.7 MiB of every ``ssogen sync`` process that reads a 1,000-section file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    StrPath = str | os.PathLike[str]

TMP_SUFFIX = ".tmp"
#: a temp file older than this is stale even if a process with its writer's pid exists (pid
#: reuse, another pid namespace)
STALE_AFTER = 3600.0


def tmp_prefix(target: StrPath) -> str:
    return f".{os.path.basename(target)}.ssogen-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: exists, someone else's
        return True
    return True


def remove_stale_temps(path: StrPath) -> list[str]:
    """Remove the temp files that killed writers of ``path`` (symlinks followed) left behind:
    those whose writer's pid (in the name) no longer runs, or older than ``STALE_AFTER``.
    Returns what was removed; never raises."""
    target = resolve_target(path)
    prefix = tmp_prefix(target)
    folder = os.path.dirname(target)
    removed: list[str] = []
    try:
        candidates = [name for name in os.listdir(folder)
                      if name.startswith(prefix) and name.endswith(TMP_SUFFIX)]
    except OSError:
        return removed
    now = time.time()
    for name in candidates:
        pid_text = name[len(prefix):].split("-", 1)[0]
        p = os.path.join(folder, name)
        try:
            old = now - os.lstat(p).st_mtime > STALE_AFTER
        except OSError:
            continue
        if old or not pid_text.isdigit() or not _alive(int(pid_text)):
            with contextlib.suppress(OSError):
                os.unlink(p)
                removed.append(p)
    return removed


def resolve_target(path: StrPath) -> str:
    """The file a write to ``path`` must replace: symlinks followed (even dangling ones)."""
    return os.path.realpath(path)


def dangling_link(path: StrPath) -> str | None:
    """The first symlink on the way to ``path`` (itself included) that points nowhere, or None.

    On WSL2 ``~/.aws`` is often a symlink to ``/mnt/c/Users/me/.aws``; with the drive not
    mounted, following it blindly would create a Linux folder where Windows' should be.
    """
    p = os.path.abspath(path)
    prefixes = [p]
    while (parent := os.path.dirname(prefixes[-1])) != prefixes[-1]:
        prefixes.append(parent)
    for prefix in reversed(prefixes):
        if os.path.islink(prefix) and not os.path.exists(prefix):
            return prefix
    return None


def _fsync_dir(directory: StrPath) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some filesystems (e.g. drvfs on WSL2) refuse directory fsync
        pass
    finally:
        os.close(fd)


def make_dirs(directory: StrPath, mode: int) -> None:
    """Create ``directory`` and every missing ancestor with ``mode`` (``os.makedirs`` would
    give the ancestors, e.g. a new ``~/.aws``, the umask's default instead)."""
    missing: list[str] = []
    d = os.path.abspath(directory)
    while not os.path.exists(d):
        missing.append(d)
        if os.path.dirname(d) == d:
            break
        d = os.path.dirname(d)
    for d in reversed(missing):
        with contextlib.suppress(FileExistsError):
            os.mkdir(d, mode)
        with contextlib.suppress(OSError):
            os.chmod(d, mode)


def atomic_write_bytes(
    path: StrPath,
    data: bytes,
    *,
    new_mode: int = 0o600,
    backup_suffix: str | None = None,
    expect: bytes | None = None,
    dir_mode: int | None = None,
    replace_read_only: bool = False,
    follow_symlinks: bool = True,
    refuse_hard_links: bool = False,
) -> str:
    """Atomically replace ``path`` (or its symlink target) with ``data``.

    ``backup_suffix``: when set and the file exists, the old content is first copied to
    ``<target><suffix>`` (one backup, overwritten each time, same mode as the file).
    ``expect``: the content the caller read and planned from; when the file holds anything
    else now (or is gone), :class:`FileChanged` is raised and nothing is written -- the read
    that makes the backup is that check, as late as it can be.
    ``dir_mode``: create missing parent directories with this mode.
    A file that exists but is read-only for us, or without any write bit (also for root),
    is never replaced (``PermissionError``): the rename would succeed in a writable
    directory, silently overriding the user's ``chmod``
    (``replace_read_only``: a file that is ours, like the backup, is replaced anyway).
    ``follow_symlinks=False`` (caches, lock and backup files: names in a directory others may
    write to): a symlink at ``path`` is refused (``OSError`` ELOOP) instead of followed.
    ``refuse_hard_links`` (the user's config): a file with several hard links is refused
    (``OSError`` EMLINK): the rename would leave the other names with the old content.
    Returns the path actually written.
    """
    target = _write_target(path, follow_symlinks)
    parent = os.path.dirname(target)
    if dir_mode is not None and not os.path.exists(parent):
        make_dirs(parent, dir_mode)
    st = _existing(target, replace_read_only=replace_read_only,
                   refuse_hard_links=refuse_hard_links)
    mode = stat.S_IMODE(st.st_mode) if st is not None else new_mode
    if expect is not None and st is None:
        raise FileChanged(target)
    if (backup_suffix or expect is not None) and st is not None:
        with open(target, "rb") as fh:
            old = fh.read()
        if expect is not None and old != expect:
            raise FileChanged(target)
    if backup_suffix and st is not None:
        backup = target + backup_suffix
        atomic_write_bytes(backup, old, new_mode=mode, replace_read_only=True,
                           follow_symlinks=False)
        del old
        with contextlib.suppress(OSError):
            os.chmod(backup, mode, follow_symlinks=False)
    _replace(target, data, mode, st)
    _fsync_dir(parent)
    remove_stale_temps(target)
    return target


class FileChanged(Exception):
    """The file no longer holds what the caller read (another program wrote it)."""


def _write_target(path: StrPath, follow_symlinks: bool) -> str:
    """The file a write replaces: ``path``'s symlink target, or ``path`` itself when links
    must not be followed (a link there is refused); never a directory or a special file."""
    if not follow_symlinks and os.path.islink(path):
        raise OSError(errno.ELOOP, "it is a symlink; ssogen does not write through it",
                      str(path))
    target = resolve_target(path) if follow_symlinks else os.path.abspath(path)
    kind = not_regular(target)
    if kind:  # callers turn OSError into their own one-line error
        if kind == "a directory":
            raise IsADirectoryError(errno.EISDIR, "Is a directory", str(target))
        raise OSError(errno.EINVAL, f"it is {kind}, not a regular file", str(target))
    return target


def _existing(target: str, *, replace_read_only: bool,
              refuse_hard_links: bool) -> os.stat_result | None:
    """``target``'s stat when it exists and may be replaced (None when it does not exist)."""
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return None
    # no write bit for anyone (chmod a-w) is read-only for root too, as rm and vi take it
    if not replace_read_only and (not os.access(target, os.W_OK) or not st.st_mode & 0o222):
        raise PermissionError(errno.EACCES, "the file is read-only", str(target))
    if refuse_hard_links and st.st_nlink > 1:
        raise OSError(errno.EMLINK, f"it has {st.st_nlink} hard links", str(target))
    return st


def _replace(target: str, data: bytes, mode: int, st: os.stat_result | None) -> None:
    """Write ``data`` to a temp file next to ``target`` (fsynced, ``mode``, the old file's
    extended attributes and, as root, its owner) and rename it over ``target``."""
    import tempfile  # (imported here: reading, e.g. export-credentials' fast path, never needs it)

    fd, tmp_name = tempfile.mkstemp(prefix=f"{tmp_prefix(target)}{os.getpid()}-",
                                    suffix=TMP_SUFFIX, dir=os.path.dirname(target))
    tmp = tmp_name
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        if st is not None:
            copy_xattrs(target, tmp)
            if os.geteuid() == 0:
                with contextlib.suppress(OSError):
                    os.chown(tmp, st.st_uid, st.st_gid)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def copy_xattrs(source: StrPath, dest: StrPath) -> list[str]:
    """Copy the extended attributes of ``source`` to ``dest`` -- POSIX ACLs
    (``system.posix_acl_access``), SELinux labels (``security.selinux``), user attributes --
    so that replacing a file by rename does not drop them. Attributes the filesystem or our
    privileges do not let us set are skipped. Returns the names copied."""
    copied: list[str] = []
    try:
        names = os.listxattr(source)
    except (OSError, AttributeError):  # no xattr support here (or no such call)
        return copied
    for name in names:
        try:
            os.setxattr(dest, name, os.getxattr(source, name))
            copied.append(name)
        except OSError:
            continue
    return copied


def write_blocker(path: StrPath) -> OSError | None:
    """What would stop :func:`atomic_write_bytes` from replacing the config at ``path``
    (links followed, hard links refused, missing folders created), found without writing
    anything -- for a run to say it before it asks its questions and logs in; None when
    nothing is in the way that can be seen beforehand."""
    try:
        target = _write_target(path, True)
        _existing(target, replace_read_only=False, refuse_hard_links=True)
        folder = os.path.dirname(target)
        while not os.path.exists(folder) and folder != os.path.dirname(folder):
            folder = os.path.dirname(folder)  # where the missing folders would be created
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return OSError(errno.EROFS, os.strerror(errno.EROFS), str(folder))
        if not os.access(folder, os.W_OK | os.X_OK):
            return PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(folder))
    except OSError as exc:
        return exc
    return None


_KINDS = [(stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a named pipe"),
          (stat.S_ISSOCK, "a socket")]


def not_regular(path: StrPath) -> str | None:
    """What ``path`` (symlinks followed) is when it exists but is not a regular file, e.g.
    ``"a character device"`` for ``AWS_CONFIG_FILE=/dev/null``; None for a regular file or
    nothing. Checked before reading (a named pipe would block) and before replacing (a rename
    over ``/dev/null`` as root would replace the device)."""
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a loop of symlinks"
        raise
    return _kind(mode)


def _kind(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    return next((kind for test, kind in _KINDS if test(mode)), "not a regular file")


class ReadRefused(Exception):
    """A file :func:`read_regular` will not read: not a regular file, or too large."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


def read_regular(path: StrPath, limit: int) -> bytes:
    """The bytes of the regular file at ``path`` (symlinks followed), at most ``limit``
    (see :func:`read_regular_stat`)."""
    return read_regular_stat(path, limit)[0]


def read_regular_stat(path: StrPath, limit: int) -> tuple[bytes, os.stat_result]:
    """The bytes of the regular file at ``path`` (symlinks followed), at most ``limit``, and
    the status of the file they were read from.

    Opened without blocking and checked on the open descriptor, so a named pipe, a device
    (``/dev/zero``) or a file swapped in between cannot hang the run or fill the memory.
    FileNotFoundError and other OSErrors pass up; ReadRefused says why it was not read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ReadRefused("a loop of symlinks") from None
        raise
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fd)
        kind = _kind(st.st_mode)
        if kind:
            raise ReadRefused(kind)
        # sized by the file (read(limit + 1) would allocate the whole limit for every read);
        # a file that grew since fstat is read on up to the limit
        want = min(limit, st.st_size) + 1
        data = fh.read(want)
        if len(data) == want and want <= limit:
            data += fh.read(limit + 1 - want)
    if len(data) > limit:
        raise ReadRefused(f"larger than {limit // (1 << 20)} MiB")
    return data, st
