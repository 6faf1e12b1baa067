"""SHA-1 hex digests for cache file names (the AWS CLI names its SSO and role-credential cache
files by the SHA-1 of a key). CPython's built-in ``_sha1`` is used when it is there: importing
``hashlib`` loads OpenSSL first, about 5 ms of a ``credential_process`` call that an SDK makes
at every start; ``hashlib`` otherwise (same digest)."""

from __future__ import annotations

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
