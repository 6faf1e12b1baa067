"""The config file, read once per run.

A :class:`ConfigSnapshot` holds the bytes as read (with what identifies that version of the
file: device, inode, size, mtime, a content hash), decoded and scanned once. Every consumer of a
run -- the planner, the wizard's list of sessions, the login's session lookup, the boto3
clients -- works from the same snapshot; nothing reads the file a second time. Before a write
the file is checked against the snapshot (:meth:`ConfigSnapshot.unchanged`): an edit another
program made in between is never overwritten.
"""

from __future__ import annotations

import os
from functools import cached_property

from ssogen.errors import ConfigFileError
from ssogen.records import field, record

TYPE_CHECKING = False  # no typing import at run time (start-up time, memory)
if TYPE_CHECKING:
    from ssogen.inifile.codec import Decoded
    from ssogen.inifile.document import ConfigDocument
    from ssogen.inifile.model import FileModel
    from ssogen.inifile.scan import Layout


def read_config(path: str | os.PathLike[str]) -> bytes | None:
    """The file's bytes; None if it does not exist. One-line errors otherwise."""
    return _read(os.fspath(path))[0]


#: the largest config file ssogen reads (50,000 profiles are about 8 MB)
MAX_CONFIG_BYTES = 256 << 20


def _read(path: str) -> tuple[bytes | None, os.stat_result | None]:
    from ssogen.store.access import access_hint
    from ssogen.store.fileio import ReadRefused, read_regular_stat

    try:
        raw, st = read_regular_stat(path, MAX_CONFIG_BYTES)
    except FileNotFoundError:
        return None, None
    except ReadRefused as exc:
        if exc.why == "a directory":
            raise ConfigFileError(f"{path}: is a directory, not a config file",
                                  hint="point --config (or AWS_CONFIG_FILE) at the file in it, "
                                  "e.g. --config ~/.aws/config") from None
        raise ConfigFileError(f"{path}: is {exc.why}, not a regular config file",
                              hint="point --config (or AWS_CONFIG_FILE) at a regular file"
                              ) from None
    except IsADirectoryError:
        raise ConfigFileError(f"{path}: is a directory, not a config file") from None
    except PermissionError:
        raise ConfigFileError(f"{path}: permission denied", hint=access_hint(path, "u+r")) \
            from None
    except OSError as exc:
        raise ConfigFileError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return raw, st


@record(frozen=True)
class Identity:
    """What tells one version of the file from another."""

    device: int
    inode: int
    size: int
    mtime_ns: int
    content: bytes = field(repr=False)  # the bytes themselves (the snapshot's, not a copy):
    # compared byte for byte, which costs less than a digest and than importing hashlib

    @classmethod
    def of(cls, raw: bytes | None, st: os.stat_result | None) -> Identity | None:
        if raw is None or st is None:
            return None
        return cls(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, raw)


@record(frozen=True)
class ConfigSnapshot:
    path: str  # as given (``os.fspath``): what errors and the diff's label show
    raw: bytes | None  # None: the file does not exist (yet)
    identity: Identity | None

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> ConfigSnapshot:
        p = os.fspath(path)
        raw, st = _read(p)
        return cls(p, raw, Identity.of(raw, st))

    @classmethod
    def of_bytes(cls, path: str | os.PathLike[str], raw: bytes | None) -> ConfigSnapshot:
        """A snapshot of content that is not (yet) on disk: the next session's plan in a
        multi-session run starts from the previous session's result."""
        return cls(os.fspath(path), raw, None)

    @cached_property
    def scanned(self) -> tuple[Decoded, Layout]:
        """The bytes decoded and scanned: once per snapshot."""
        from ssogen.inifile.codec import decode
        from ssogen.inifile.scan import scan

        decoded = decode(self.raw, self.path)
        return decoded, scan(decoded.text, self.path)

    @property
    def model(self) -> FileModel:
        return self.scanned[1].model

    def editable(self) -> ConfigDocument:
        """A document to edit (each call a new one, sharing the one scan)."""
        from ssogen.inifile.document import ConfigDocument

        return ConfigDocument(self.raw, self.path, scanned=self.scanned)

    def unchanged(self) -> bool:
        """Is the file on disk still the one this snapshot read (same inode, size, mtime and
        content)? A file that did not exist must still not exist."""
        try:
            raw, st = _read(self.path)
        except ConfigFileError:
            return False
        if self.identity is None:
            return raw is None
        return Identity.of(raw, st) == self.identity
