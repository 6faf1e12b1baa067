"""Start URL validation, classification and the defaults derived from it.

AWS-owned forms (the AWS CLI v2's list: docs/AWS-NOW.md, section e):

* ``https://d-1234567890.awsapps.com/start`` and ``https://<alias>.awsapps.com/start``
* China: ``https://<alias>.awsapps.cn/start``
* regional portals: ``https://ssoins-<id>.<region>.portal.amazonaws.com`` and
  ``https://ssoins-<id>.portal.<region>.app.aws``
* issuer URLs: ``https://identitycenter.amazonaws.com/ssoins-<id>`` (also ``.com.cn``, ``.eu``,
  ``identitycenter.us-gov.amazonaws.com``)
* GovCloud: ``https://start.us-gov-home.awsapps.com/directory/<id|alias>``
* European Sovereign Cloud: ``*.portal.amazonaws.eu``, ``*.api.amazonwebservices.eu``

Anything else with https and a proper host name is a custom (vanity) domain: accepted, with the
region left to the user (or found by following its one redirect:
:func:`ssogen.aws.start_url.resolve_custom`, the network being the aws layer's business).

:func:`parse` takes a URL as it is (trimmed): an existing session's or legacy profile's URL is
kept verbatim, since cache keys of legacy profiles hash the exact string. What a person types
or pastes goes through :func:`from_input` first, which understands the short forms (``acme``,
``acme.awsapps.com/start``, ``d-1234567890``) and the address-bar form (``…/start/#/``) and
returns the one spelling ssogen stores for a new session (:func:`normalize`).
"""

from __future__ import annotations

import functools
import re

from ssogen.errors import UsageError
from ssogen.model import regions
from ssogen.model.validate import REGION_RE
from ssogen.records import record

TYPE_CHECKING = False  # no typing import at run time (start-up time, memory)
if TYPE_CHECKING:
    pass

AWS_HOSTS = (
    "identitycenter.amazonaws.com", "identitycenter.amazonaws.com.cn",
    "identitycenter.amazonaws.eu", "identitycenter.us-gov.amazonaws.com",
)
GOVCLOUD_HOST = "start.us-gov-home.awsapps.com"

_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_REGION_RE = f"(?P<region>{REGION_RE.pattern})"


@functools.cache
def _region_patterns() -> tuple[re.Pattern[str], ...]:
    """Host patterns that carry the region (checked against the known region list
    afterwards); compiled on first use: ``sync`` only compares start URLs."""
    return (
        re.compile(r"^[a-z0-9-]+\." + _REGION_RE + r"\.portal\.amazonaws\.com(\.cn)?$"),
        re.compile(r"^[a-z0-9-]+\.portal\." + _REGION_RE + r"\.app\.aws$"),
        re.compile(r"^[a-z0-9-]+\.portal\." + _REGION_RE
                   + r"\.app\.amazonwebservices\.com\.cn$"),
        re.compile(r"^[a-z0-9-]+\." + _REGION_RE + r"\.portal\.amazonaws\.eu$"),
        re.compile(r"^[a-z0-9-]+\.portal\." + _REGION_RE + r"\.api\.amazonwebservices\.eu$"),
    )


_GENERIC_LABELS = {"sso", "login", "signin", "sign-in", "aws", "start", "www", "portal", "auth",
                   "idp", "id", "identity", "app", "apps", "awsapps"}


@record(frozen=True)
class StartUrl:
    url: str              # as given (trimmed); stored verbatim
    host: str             # lower-case host name
    kind: str             # awsapps | regional-portal | issuer | govcloud | china | eusc | custom
    partition: str | None  # aws | aws-cn | aws-us-gov | aws-eusc | None (unknown: custom)
    region: str | None    # inferred from the host, or None

    @property
    def aws_owned(self) -> bool:
        return self.kind != "custom"


def parse(url: str) -> StartUrl:
    """Validate a start URL; raise a one-line :class:`UsageError` saying what is wrong."""
    raw = (url or "").strip()
    hint = "it looks like https://d-1234567890.awsapps.com/start (IAM Identity Center > Settings)"
    if not raw:
        raise UsageError("the start URL is empty", hint=hint)
    if any(c.isspace() for c in raw):
        raise UsageError(f"start URL {raw!r} contains spaces", hint=hint)
    from urllib.parse import urlsplit  # (here: sync compares equal URLs without it)

    parts = urlsplit(raw if "://" in raw else "")
    scheme = parts.scheme.lower()
    if not scheme:
        raise UsageError(f"start URL {raw!r} must begin with https://", hint=hint)
    if scheme != "https":
        raise UsageError(f"start URL {raw!r} must use https://, not {scheme}://", hint=hint)
    if parts.username or parts.password:
        raise UsageError("start URL must not contain a user name or password", hint=hint)
    host = (parts.hostname or "").lower().rstrip(".")
    labels = host.split(".")
    if len(labels) < 2 or not all(_HOST_LABEL.match(lab) for lab in labels) or \
            labels[-1].isdigit():
        raise UsageError(f"start URL {raw!r} has no valid host name", hint=hint)
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise UsageError(f"start URL {raw!r} has an invalid port", hint=hint) from None

    kind, partition = _classify(host)
    region = _region_from_host(host)
    if region is None and partition is not None:
        names = regions.region_names(partition)
        if len(names) == 1:  # a one-region partition (e.g. aws-eusc)
            region = names[0]
    return StartUrl(url=raw, host=host, kind=kind, partition=partition, region=region)


#: one host label typed alone: an access portal alias or directory id (``acme``, ``d-123…``)
_ALIAS = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_INPUT_HINT = ("type the portal's alias (acme), its host (acme.awsapps.com) or the URL "
               "(https://acme.awsapps.com/start)")


def from_input(text: str) -> StartUrl:
    """A start URL as a person types or pastes it, understood and normalised:

    * ``acme`` or ``d-1234567890`` (an alias or a directory id) is
      ``https://acme.awsapps.com/start``;
    * a URL without its scheme (``acme.awsapps.com/start``, ``sso.acme.example.com``) gets
      ``https://``; ``http://`` and other schemes stay refused;
    * the address-bar form (``…/start/#/``, ``…/start/``) loses what follows the path, the
      host is lower-cased, a default port dropped (:func:`normalize`);
    * an ``awsapps.com``/``awsapps.cn`` host without a path gets the portal's ``/start``.

    Returns the parse of that URL (its ``url`` is what a new session stores); a one-line
    UsageError says what is wrong."""
    raw = (text or "").strip()
    if any(c.isspace() for c in raw):
        raise UsageError(f"start URL {raw[:80]!r} contains spaces", hint=_INPUT_HINT)
    if raw and "://" not in raw:
        raw = (f"https://{raw.lower()}.awsapps.com/start" if _ALIAS.fullmatch(raw.lower())
               else f"https://{raw}")
    try:
        parse(raw)  # the scheme, host, port and spaces as given
    except UsageError as exc:
        raise UsageError(exc.message, hint=_INPUT_HINT) from None
    url = normalize(raw)
    info = parse(url)
    from urllib.parse import urlsplit

    if info.kind in ("awsapps", "china") and info.host != GOVCLOUD_HOST \
            and not urlsplit(url).path:
        info = parse(url + "/start")
    return info


def _classify(host: str) -> tuple[str, str | None]:
    if host == GOVCLOUD_HOST or host == "identitycenter.us-gov.amazonaws.com":
        return ("govcloud" if host == GOVCLOUD_HOST else "issuer"), "aws-us-gov"
    if host in AWS_HOSTS:
        if host.endswith(".cn"):
            return "issuer", "aws-cn"
        if host.endswith(".eu"):
            return "issuer", "aws-eusc"
        return "issuer", "aws"
    if host.endswith((".awsapps.cn", ".portal.amazonaws.com.cn",
                      ".app.amazonwebservices.com.cn")):
        return "china", "aws-cn"
    if host.endswith((".portal.amazonaws.eu", ".api.amazonwebservices.eu")):
        return "eusc", "aws-eusc"
    if host.endswith((".portal.amazonaws.com", ".app.aws")):
        found = regions.find(_region_from_host(host) or "")
        return "regional-portal", found.partition if found is not None else "aws"
    if host.endswith(".awsapps.com"):
        return "awsapps", "aws"
    return "custom", None


def _region_from_host(host: str) -> str | None:
    for pat in _region_patterns():
        m = pat.match(host)
        if m and regions.find(m.group("region")):
            return m.group("region")
    return None


def portal_url(url: str) -> str:
    """A start URL as the portal spells it, minus the trailing ``/`` or ``#/`` a browser's
    address bar adds (``.../start``, ``.../start/`` and ``.../start#/`` are the same page)."""
    url = url.strip()
    while url.endswith(("/", "#")):
        url = url[:-1]
    return url


def normalize(url: str) -> str:
    """The canonical spelling of a start URL: scheme and host in lower case, no default port,
    nothing after the path (the address bar's ``#/``, a trailing ``/``), the path as given.
    Two start URLs are the same portal when their canonical spellings are equal."""
    from urllib.parse import urlsplit  # imports ipaddress: 0.5 MiB a sync need not pay

    raw = (url or "").strip()
    parts = urlsplit(raw if "://" in raw else f"https://{raw}")
    host = (parts.hostname or "").lower().rstrip(".")
    port = f":{parts.port}" if parts.port not in (None, 443) else ""
    path = parts.path.rstrip("/")
    return f"{parts.scheme.lower()}://{host}{port}{path}"


def portal_key(url: str) -> str:
    """What two start URLs of one portal share: :func:`normalize`'s spelling (the URL as
    given when it cannot be read, e.g. a port that is not a number)."""
    try:
        return normalize(url)
    except ValueError:
        return url.strip()


def same_start_url(a: str, b: str) -> bool:
    """Do ``a`` and ``b`` name one portal (:func:`portal_key`)? The same text always does:
    a sync comparing its session's URL with the one it wrote reads neither."""
    return a == b or portal_key(a) == portal_key(b)


def infer_region(url: str) -> str | None:
    """The SSO region a start URL names in its host, if it does (else None)."""
    try:
        return parse(url).region
    except UsageError:
        return None


def default_session_name(url: str) -> str:
    """A short, valid ``[sso-session NAME]`` derived from the start URL.

    ``https://acme.awsapps.com/start`` → ``acme``; ``https://d-123.awsapps.com/start`` →
    ``d-123``; ``https://identitycenter.amazonaws.com/ssoins-abc`` → ``ssoins-abc``;
    ``https://start.us-gov-home.awsapps.com/directory/acme`` → ``acme``;
    ``https://sso.acme.example.com`` → ``acme``.
    """
    try:
        info = parse(url)
    except UsageError:
        return "default"
    from urllib.parse import urlsplit

    path = [seg for seg in urlsplit(info.url).path.split("/") if seg]
    candidate = ""
    if info.kind == "govcloud" and len(path) >= 2 and path[0] == "directory":
        candidate = path[1]
    elif info.kind == "issuer" and path:
        candidate = path[0]
    elif info.kind in ("awsapps", "china", "regional-portal", "eusc"):
        candidate = info.host.split(".")[0]
    else:  # custom domain: the most specific label that is not a generic word
        labels = info.host.split(".")[:-1]  # drop the TLD
        for lab in labels:
            if lab not in _GENERIC_LABELS:
                candidate = lab
                break
    return sanitize_session_name(candidate) or "default"


def sanitize_session_name(text: str) -> str:
    """A session name to suggest, made of ``text``: lower case, ``a-z 0-9 . _ -`` and at most
    64 characters (short to type in ``--session``) -- a subset of what
    :func:`ssogen.model.validate.session_name_problem` accepts, the one rule for a name
    given; "" when nothing usable is left."""
    s = re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-._")
    return re.sub(r"-{2,}", "-", s)[:64]
