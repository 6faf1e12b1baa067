"""The AWS access portal's "Command line or programmatic access" (newer portal: "Access keys")
text, as people copy it, turned into one complete credential set -- or refused.

The forms (docs/AWS-NOW.md §i), each of which may come with the dialog's prose around it and
with CRLF line endings (the Windows clipboard):

* macOS and Linux: ``export AWS_ACCESS_KEY_ID="ASIA..."`` (also without ``export``, quotes
  optional);
* PowerShell: ``$Env:AWS_ACCESS_KEY_ID="ASIA..."``;
* Windows cmd: ``SET AWS_ACCESS_KEY_ID=ASIA...`` (also ``set "AWS_...=..."``);
* "Add a profile to your AWS credentials file": ``[123456789012_RoleName]`` and
  ``aws_access_key_id=ASIA...`` lines -- the header names the profile, the account and the role.

The same set pasted twice (two tabs of the dialog) is one set. Anything that is not exactly one
complete set is refused with one line that names the line and the key, never a value: a
missing key, an empty value, a quote that does not close, spaces or control characters in a
value, a line that looks like the wrapped rest of the line above, an access key id that is not
16 to 128 capital letters and digits, two different sets, credentials that say they expired.
Lines that are not credentials (the dialog's prose) are ignored. Keys are matched by name
only; a value is never echoed, not even in part.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from ssogen.errors import UsageError
from ssogen.records import field, record

#: the keys of a complete set, as environment variable and as credentials-file key
KEYS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
#: an optional key (``ssogen export-credentials`` prints it; the portal does not)
EXPIRATION = "AWS_CREDENTIAL_EXPIRATION"
FILE_KEYS = {k: k.lower() for k in KEYS}

ACCESS_KEY_ID_RE = re.compile(r"[A-Z0-9]{16,128}")
#: what a secret access key or session token is made of (base64 and URL-safe base64)
_SECRET_RE = re.compile(r"[A-Za-z0-9+/=_.~:-]+")
#: ``[123456789012_RoleName]``: the portal's profile name (role names as IAM allows them)
_PORTAL_HEADER = re.compile(r"(?P<account>[0-9]{12})_(?P<role>[\w+=,.@-]{1,64})", re.ASCII)
_HEADER = re.compile(r"\[(?P<name>[^\[\]]*)\]")
_LINE = re.compile(
    r"(?:(?P<export>export)\s+|(?P<ps>\$env:)|(?P<set>set)\s+(?P<quoted>\")?)?"
    r"(?P<name>aws_[a-z0-9_]*)\s*=\s*(?P<value>.*)", re.IGNORECASE | re.ASCII)
#: a line that is nothing but base64 right after a key line: the rest of a value that a copy
#: wrapped (unless it is a short plain word: prose such as "Copy")
_WRAPPED = re.compile(r"[A-Za-z0-9+/]+={0,2}")

FORMS = ("bash", "powershell", "cmd", "credentials file")


@record(frozen=True)
class PortalCredentials:
    """One complete credential set (secrets kept out of ``repr``) and what the text said about
    it: the profile name of a credentials-file block, the account and role of a portal block
    header, an expiration when one was given, and the forms it came in."""

    access_key_id: str = field(repr=False)
    secret_access_key: str = field(repr=False)
    session_token: str = field(repr=False)
    profile: str | None = None
    account_id: str | None = None
    role_name: str | None = None
    expiration: datetime | None = None
    forms: tuple[str, ...] = ()

    def file_keys(self) -> list[tuple[str, str]]:
        """The three ``aws_*`` keys and values, in the portal's order."""
        return [("aws_access_key_id", self.access_key_id),
                ("aws_secret_access_key", self.secret_access_key),
                ("aws_session_token", self.session_token)]


def _refuse(message: str) -> UsageError:
    """One line, no hint: what is wrong, where, and (when it helps) what to do."""
    return UsageError(message)


def _unquote(raw: str, name: str, lineno: int, set_quoted: bool) -> str:
    value = raw.strip()
    if set_quoted:  # set "AWS_X=value"
        if not value.endswith('"'):
            raise _refuse(f"line {lineno}: the quote before {name} does not close on that line "
                          "(was the text wrapped?)")
        return value[:-1].rstrip()
    if value[:1] in ("'", '"'):
        if len(value) < 2 or value[-1] != value[0]:
            raise _refuse(f"line {lineno}: the value of {name} opens a quote that does not "
                          "close on that line (was the text wrapped?)")
        return value[1:-1]
    if value[-1:] in ("'", '"'):
        raise _refuse(f"line {lineno}: the value of {name} ends with a quote it does not "
                      "start with")
    return value


def _check_value(name: str, value: str, lineno: int) -> None:
    if not value:
        raise _refuse(f"line {lineno}: {name} is empty")
    if not value.isascii() or not value.isprintable() or any(c.isspace() for c in value):
        raise _refuse(f"line {lineno}: the value of {name} contains spaces or control "
                      "characters")
    if name == "AWS_ACCESS_KEY_ID":
        if not ACCESS_KEY_ID_RE.fullmatch(value):
            raise _refuse(f"line {lineno}: AWS_ACCESS_KEY_ID is not an access key id (16 to "
                          "128 capital letters and digits)")
    elif name != EXPIRATION and not _SECRET_RE.fullmatch(value):
        raise _refuse(f"line {lineno}: the value of {name} contains characters that "
                      "credentials never contain (quotes, $, backslashes...)")


def _parse_time(value: str, lineno: int) -> datetime:
    text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise _refuse(f"line {lineno}: {EXPIRATION} is not a time such as "
                      "2026-12-01T10:17:37Z") from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _lines(text: str) -> list[str]:
    """The text's lines: only a line feed ends one (CRLF and LF); a BOM at the start goes."""
    text = text.removeprefix("\ufeff")
    return [line.removesuffix("\r") for line in text.split("\n")]


def _form(m: re.Match[str]) -> str:
    """Which of :data:`FORMS` a key line is written in."""
    return ("powershell" if m.group("ps") else "cmd" if m.group("set")
            else "bash" if m.group("export") or m.group("name").isupper()
            else "credentials file")


@record
class _Scan:
    """What the lines read so far said: each key's value and line, the forms, the block
    headers that head credentials-file keys; and what the next line is read against."""

    values: dict[str, tuple[str, int]] = field(default_factory=dict)
    forms: list[str] = field(default_factory=list)
    headers: dict[str, int] = field(default_factory=dict)
    pending: tuple[str, int] | None = None  # a [header] waiting for its keys
    last_key_line: int = 0  # the line of the last key (a wrapped value continues after it)

    def line(self, lineno: int, line: str) -> None:
        stripped = line.strip()
        if not stripped:
            self.last_key_line = 0
            return
        if self.last_key_line and _WRAPPED.fullmatch(stripped) and (
                len(stripped) >= 20 or not stripped.isalpha()):
            raise _refuse(f"line {lineno} looks like the rest of the value on line "
                          f"{self.last_key_line} (the text was wrapped); copy it again")
        self.last_key_line = 0
        header = _HEADER.fullmatch(stripped)
        if header:
            self.pending = (header.group("name").strip(), lineno)
            return
        m = _LINE.fullmatch(stripped)
        if m is None:
            self.pending = None  # prose: a [header] above it heads nothing
            return
        self._key(m, lineno)

    def _key(self, m: re.Match[str], lineno: int) -> None:
        name = m.group("name").upper()
        if name not in (*KEYS, EXPIRATION):
            return  # AWS_DEFAULT_REGION and the like: not part of the set
        form = _form(m)
        if form == "credentials file" and self.pending is not None:
            self.headers.setdefault(self.pending[0], self.pending[1])
        elif form != "credentials file":
            self.pending = None
        value = _unquote(m.group("value"), name, lineno, bool(m.group("quoted")))
        _check_value(name, value, lineno)
        seen = self.values.get(name)
        if seen is not None and seen[0] != value:
            raise _refuse(f"the text holds two different credential sets ({name} on lines "
                          f"{seen[1]} and {lineno} differ); paste one")
        self.values.setdefault(name, (value, lineno))
        if form not in self.forms:
            self.forms.append(form)
        self.last_key_line = lineno

    def check_complete(self) -> None:
        """One block header at most, and all three keys."""
        if len(self.headers) > 1:
            (a, la), (b, lb) = list(self.headers.items())[:2]
            raise _refuse(f"the text holds two different credential sets ([{a[:40]}] on line "
                          f"{la}, [{b[:40]}] on line {lb}); paste one")
        if not any(k in self.values for k in KEYS):
            raise _refuse("no credentials found in the text (AWS_ACCESS_KEY_ID=..., or "
                          "aws_access_key_id=... lines)")
        missing = [k for k in KEYS if k not in self.values]
        if missing:
            names = " and ".join(f"{k} ({FILE_KEYS[k]})" for k in missing)
            raise _refuse(f"the text has no {names}: a credential set needs all three keys")

    def expiration(self, now: datetime | None) -> datetime | None:
        """The expiration given, if any; credentials that expired already are refused."""
        if EXPIRATION not in self.values:
            return None
        value, lineno = self.values[EXPIRATION]
        expiration = _parse_time(value, lineno)
        if expiration <= (now or datetime.now(timezone.utc)):
            raise _refuse(f"these credentials expired at "
                          f"{expiration.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC")
        return expiration


def parse(text: str, *, now: datetime | None = None) -> PortalCredentials:
    """The one credential set in ``text`` (see the module docstring), or a UsageError."""
    scan = _Scan()
    for lineno, line in enumerate(_lines(text), 1):
        scan.line(lineno, line)
    scan.check_complete()
    expiration = scan.expiration(now)
    values = scan.values
    profile = next(iter(scan.headers), None)
    portal = _PORTAL_HEADER.fullmatch(profile) if profile else None
    return PortalCredentials(
        values["AWS_ACCESS_KEY_ID"][0], values["AWS_SECRET_ACCESS_KEY"][0],
        values["AWS_SESSION_TOKEN"][0], profile=profile or None,
        account_id=portal.group("account") if portal else None,
        role_name=portal.group("role") if portal else None, expiration=expiration,
        forms=tuple(scan.forms))
