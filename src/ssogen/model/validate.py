"""One validator per rule: every value ssogen accepts from a flag, a prompt, an inventory or
the config file is checked here, and nowhere else.

Each ``check_*`` returns the normalised value or raises a one-line :class:`UsageError` with a
hint; each ``*_problem`` returns the problem as text (for a prompt's live validation) or None.
"""

from __future__ import annotations

import re

from ssogen.errors import UsageError

#: ``[sso-session NAME]`` (and ``[ssogen NAME]``): botocore splits headers with shlex and needs
#: exactly two tokens, so no spaces, quotes, brackets or comment characters; at most 100.
SESSION_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}")
SESSION_NAME_HINT = "use letters, digits and . _ - @ + (e.g. acme or acme-prod)"

#: An AWS account id: exactly twelve ASCII digits (``\d`` would also take Arabic-Indic ones).
ACCOUNT_ID_RE = re.compile(r"[0-9]{12}")

#: The shape of a region name (``eu-west-1``, ``us-gov-west-1``, ``eusc-de-east-1``); whether
#: it exists is :mod:`ssogen.model.regions`' business.
REGION_RE = re.compile(r"[a-z]{2,4}(?:-[a-z]+)+-[0-9]{1,2}")

#: The AWS CLI's output formats (``output =`` in a profile).
OUTPUT_FORMATS = ("json", "yaml", "yaml-stream", "text", "table")

#: The scope ssogen registers and writes as ``sso_registration_scopes`` (the AWS CLI's
#: default when it asks): it is what makes the service hand out refresh tokens.
DEFAULT_SCOPES = ("sso:account:access",)

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def session_name_problem(name: str) -> str | None:
    value = name or ""
    if not value.strip():
        return "the session name is empty"
    if any(c.isspace() for c in value):
        return f"session name {value[:80]!r} contains spaces"
    if len(value) > 100:
        return "session name is longer than 100 characters"
    if not SESSION_NAME_RE.fullmatch(value):
        return f"session name {value[:80]!r} contains characters that are not allowed"
    return None


def check_session_name(name: str) -> str:
    """The name, or a one-line UsageError."""
    problem = session_name_problem(name)
    if problem:
        raise UsageError(problem, hint=SESSION_NAME_HINT)
    return name


_PLAIN = re.compile(r"[\t !#-&(-\[\]-~]*")  # printable ASCII without quotes and backslash


def header_name_problem(kind: str, name: str) -> str | None:
    """Can ``name`` be written as ``[kind NAME]`` (and read back as that name by botocore,
    which needs exactly two shlex tokens, and by every INI parser, which ends a header at
    ``]``)? Looser than :data:`SESSION_NAME_RE`: an existing session of the user's may be
    called ``acme!`` and is reused as it is."""
    if not name or not _PLAIN.fullmatch(name) or any(c in name for c in " \t[]#;=\"'"):
        return (f"{kind} name {name[:80]!r} cannot be written as [{kind} NAME]; use "
                "letters, digits and . _ - @ +")
    return None


def is_account_id(value: object) -> bool:
    return isinstance(value, str) and ACCOUNT_ID_RE.fullmatch(value) is not None


def region_shape_problem(value: str) -> str | None:
    """None for a well-formed region name (or an empty one: "no region")."""
    value = (value or "").strip()
    if not value or REGION_RE.fullmatch(value):
        return None
    return f"{value[:40]!r} is not a region name (e.g. eu-west-1)"


def output_problem(value: str) -> str | None:
    if value in OUTPUT_FORMATS:
        return None
    return f"unknown output {value[:40]!r} (use one of {', '.join(OUTPUT_FORMATS)})"


def unwritable(value: str, *, spaces: bool = True) -> bool:
    """True when ``value`` cannot be one ``key = value`` line of an INI file read the same by
    botocore, the AWS CLI and ssogen: line breaks (``\\n``, a lone ``\\r`` is a newline to
    Python's universal newlines), NUL, other control or format characters (ANSI escapes,
    right-to-left marks), or whitespace at either end (every reader strips it). With
    ``spaces=False`` any whitespace inside is refused too (URLs, region names)."""
    if not value or value != value.strip() or not value.isprintable():
        return True
    return not spaces and any(c.isspace() for c in value)


def has_control(value: str) -> bool:
    """A C0 control character or DEL (a line break would start a new line in the file)."""
    return _CONTROL.search(value) is not None
