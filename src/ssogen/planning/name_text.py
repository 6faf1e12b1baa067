"""Profile-name text rules: what a name may contain, how long it may be, how a suffix is
added. Only ``A-Z a-z 0-9 . _ - + @`` survive (accents are folded: ``Zoë`` -> ``Zoe``), other
runs become ``-``, separators are trimmed at both ends and the length is bounded (a name too
long is cut in the middle, where a short hash of the whole name takes the place of what is
cut, so the role and any suffix stay). An empty result falls back to the account id.
"""

from __future__ import annotations

import re

from ssogen.planning.name_templates import _fold

MAX_NAME_LENGTH = 100
#: Names a generated profile never takes: ``[profile default]`` would override ``[default]``.
RESERVED_NAMES = frozenset({"default"})

__all__ = ["MAX_NAME_LENGTH", "RESERVED_NAMES", "bounded", "clean", "sanitize", "shorten",
           "with_suffix"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]+")
_DASHES = re.compile(r"-{2,}")
_EDGE = "-._"


#: a name that is already clean (the common case: one regex call instead of four steps)
_CLEAN = re.compile(r"[A-Za-z0-9@+](?:[A-Za-z0-9._@+-]*[A-Za-z0-9@+])?")


def clean(name: str) -> str:
    """Only safe characters, separators trimmed at both ends; no length bound."""
    if _CLEAN.fullmatch(name) and "--" not in name:
        return name
    text = _UNSAFE.sub("-", _fold(str(name)))
    return _DASHES.sub("-", text).strip(_EDGE)


def sanitize(name: str, fallback: str = "") -> str:
    """A profile name every AWS tool, shell and INI header accepts as one token."""
    text = clean(name)
    if len(text) > MAX_NAME_LENGTH:
        text = text[:MAX_NAME_LENGTH].rstrip(_EDGE)
    if not text and fallback:
        return sanitize(fallback)
    return text


_HASH_LENGTH = 6


def shorten(name: str, limit: int = MAX_NAME_LENGTH) -> str:
    """A safe ``name`` cut to ``limit`` characters in the middle: both ends stay (the role,
    wherever the template puts it, and any distinguishing suffix), the cut part is replaced by
    a short hash of the whole name, so names that differ only there stay different.
    Deterministic; names within the limit are returned as they are."""
    if len(name) <= limit:
        return name
    room = limit - _HASH_LENGTH - 2
    if room < 2:
        return name[:limit].rstrip(_EDGE)
    import hashlib

    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:_HASH_LENGTH]
    head_length = room // 2
    head = name[:head_length].rstrip(_EDGE)
    tail = name[len(name) - (room - head_length):].lstrip(_EDGE)
    return "-".join(p for p in (head, digest, tail) if p)


def bounded(raw: str, fallback: str) -> str:
    """Sanitised template output; a name too long loses the middle (not the role at the
    end or the start), see :func:`shorten`."""
    text = clean(raw)
    if not text:
        return sanitize(fallback)
    return shorten(text) if len(text) > MAX_NAME_LENGTH else text


def with_suffix(base: str, suffix: str) -> str:
    """``base + suffix`` sanitised, shortening the base (not the distinguishing suffix)."""
    suffix = sanitize(suffix)
    base = shorten(base, max(1, MAX_NAME_LENGTH - len(suffix) - 1))
    return sanitize(f"{base}-{suffix}")
