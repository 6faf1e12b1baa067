"""SHA digests as hex, without importing ``hashlib`` where CPython has its own modules:
importing ``hashlib`` loads OpenSSL first, about 5 ms of a ``credential_process`` call that an
SDK makes at every start. The AWS CLI names its SSO and role-credential cache files by the
SHA-1 of a key; :mod:`ssogen.store.export_index` identifies a config file by its SHA-256.
``hashlib`` is the fallback on other interpreters (same digests)."""

from __future__ import annotations

TYPE_CHECKING = False  # typing itself is not imported: this module is on a fast path
if TYPE_CHECKING:
    from typing import Any


def sha1_hex(text: str) -> str:
    """The SHA-1 of ``text`` (UTF-8) as 40 hex digits."""
    sha1: Any
    try:
        from _sha1 import sha1  # type: ignore[import-not-found,no-redef]  # CPython's own
    except ImportError:  # another interpreter
        from hashlib import sha1
    digest: str = sha1(text.encode("utf-8")).hexdigest()
    return digest


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of ``data`` as 64 hex digits."""
    sha256: Any
    try:
        from _sha2 import sha256  # type: ignore[import-not-found,no-redef]  # CPython >= 3.12
    except ImportError:
        try:
            from _sha256 import sha256  # type: ignore[import-not-found,no-redef]  # <= 3.11
        except ImportError:  # another interpreter
            from hashlib import sha256
    digest: str = sha256(data).hexdigest()
    return digest
