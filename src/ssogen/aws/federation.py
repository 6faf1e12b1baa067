"""The AWS console through the sign-in federation endpoint (``/federation``), for role
credentials (docs/AWS-NOW.md §f hosts, §g protocol):

1. ``GET <federation>?Action=getSigninToken&Session=<JSON>[&SessionDuration=900..43200]``, the
   Session JSON ``{"sessionId": AccessKeyId, "sessionKey": SecretAccessKey, "sessionToken":
   SessionToken}`` (lower-camel keys), answers ``{"SigninToken": "..."}``;
2. ``<federation>?Action=login&Issuer=...&Destination=<console URL>&SigninToken=...`` is the
   login URL: whoever opens it within 15 minutes is signed in to the console as that role.

The endpoint of each partition is data (:data:`SIGNIN_ENDPOINTS`), chosen by the partition of a
region (``ssogen.model.regions``, also data), so a new partition is a new row, not a new branch.
``AWS_ENDPOINT_URL_SIGNIN`` replaces the federation endpoint (the emulator, a test, a proxy),
like the other ``AWS_ENDPOINT_URL_<SERVICE>`` variables; ``AWS_IGNORE_CONFIGURED_ENDPOINT_URLS``
turns it off, as it does for botocore.

The federation endpoint is not a botocore service, so the call is a plain HTTPS GET (urllib:
``HTTPS_PROXY`` and ``AWS_CA_BUNDLE`` honoured; redirects refused: the answer must come from the
endpoint asked). Both the request (it carries the role credentials) and the sign-in token are
secrets: neither is logged, and no error message contains either.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import quote_plus, urlencode, urlsplit, urlunsplit

from ssogen.errors import ApiError, UsageError
from ssogen.records import record

if TYPE_CHECKING:
    import urllib.error
    import urllib.request

    from ssogen.aws.credentials import RoleCredentials

#: the environment variable that replaces the federation endpoint (the AWS SDKs' name for the
#: ``signin`` service's endpoint)
ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL_SIGNIN"
IGNORE_ENDPOINTS_VARIABLE = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"
#: what the console shows as the broker that signed the person in (optional, recommended)
ISSUER = "ssogen"
#: SessionDuration bounds (docs/AWS-NOW.md §g)
MIN_DURATION, MAX_DURATION = 900, 43200
TIMEOUT = 15.0


@record(frozen=True)
class SigninEndpoint:
    """Where a partition's console sign-in is: the federation endpoint (``{region}`` is
    replaced by the region for a regional endpoint) and the console's home page."""

    partition: str
    federation: str
    console: str
    #: False: inferred from the botocore ``signin`` ruleset and public tools, not from an AWS
    #: documentation page (docs/AWS-NOW.md §f)
    confirmed: bool = True


#: One row per partition (docs/AWS-NOW.md §f).
SIGNIN_ENDPOINTS: Mapping[str, SigninEndpoint] = {
    e.partition: e for e in (
        SigninEndpoint("aws", "https://signin.aws.amazon.com/federation",
                       "https://console.aws.amazon.com/"),
        SigninEndpoint("aws-cn", "https://signin.amazonaws.cn/federation",
                       "https://console.amazonaws.cn/"),
        SigninEndpoint("aws-us-gov", "https://signin.amazonaws-us-gov.com/federation",
                       "https://console.amazonaws-us-gov.com/"),
        # NOT CONFIRMED by AWS documentation: the regional host comes from botocore's signin
        # endpoint ruleset and from public tools (docs/AWS-NOW.md §f, aws-eusc)
        SigninEndpoint("aws-eusc", "https://{region}.signin.amazonaws-eusc.eu/federation",
                       "https://console.amazonaws-eusc.eu/", confirmed=False),
    )
}
DEFAULT_PARTITION = "aws"


@record(frozen=True)
class Partition:
    """The partition a console sign-in goes to, and the region that decided it ('' when no
    region was known: the ``aws`` partition)."""

    name: str
    region: str

    @property
    def endpoint(self) -> SigninEndpoint:
        return SIGNIN_ENDPOINTS[self.name]


def partition_for(*regions: str | None) -> Partition:
    """The partition of the first of ``regions`` that ``ssogen.model.regions`` knows (a
    profile's ``region``, then its session's ``sso_region``); the ``aws`` partition when none
    is given. A region that is given but unknown is a UsageError: guessing would send the
    credentials of one partition to another's sign-in endpoint."""
    from ssogen.model.regions import find

    given = [r.strip().lower() for r in regions if r and r.strip()]
    for name in given:
        region = find(name)
        if region is not None and region.partition in SIGNIN_ENDPOINTS:
            return Partition(region.partition, region.name)
    if given:
        raise UsageError(f"cannot tell which AWS partition region {given[0][:40]!r} is in",
                         hint="set `region =` in the profile to a region such as eu-west-1")
    return Partition(DEFAULT_PARTITION, "")


def endpoint_override(environ: Mapping[str, str] | None = None) -> str | None:
    """The federation URL ``AWS_ENDPOINT_URL_SIGNIN`` names (``/federation`` appended unless
    its path already ends so); None when it is unset or ignored."""
    env = os.environ if environ is None else environ
    override = env.get(ENDPOINT_VARIABLE, "").strip()
    if not override or env.get(IGNORE_ENDPOINTS_VARIABLE, "").strip().lower() == "true":
        return None
    parts = urlsplit(override)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise UsageError(f"{ENDPOINT_VARIABLE} must be an http(s) URL without a query, "
                         "such as http://127.0.0.1:8080")
    path = parts.path.rstrip("/")
    if not path.endswith("/federation"):
        path += "/federation"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def federation_endpoint(partition: Partition, environ: Mapping[str, str] | None = None) -> str:
    """The federation URL for ``partition`` -- or the override (:func:`endpoint_override`)."""
    override = endpoint_override(environ)
    if override is not None:
        return override
    region = partition.region or _a_region_of(partition.name)
    return partition.endpoint.federation.format(region=region)


def _a_region_of(partition: str) -> str:
    from ssogen.model.regions import region_names

    names = region_names(partition)
    return names[0] if names else ""


def destination_url(partition: Partition, destination: str | None) -> str:
    """The console page to land on: the partition's console home (None), a path on it
    (``/ec2/home?region=eu-west-1``), or an absolute https URL as given."""
    console = partition.endpoint.console
    if destination is None or not destination.strip():
        return console
    value = destination.strip()
    if not value.isprintable() or any(c.isspace() for c in value):
        raise UsageError("--destination must be a URL without spaces or control characters")
    if value.startswith("/"):
        return console.rstrip("/") + value
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.netloc:
        raise UsageError(f"--destination must be an https URL or a path such as /ec2/home "
                         f"(it is {value[:80]!r})")
    return value


def check_duration(seconds: int | None) -> int | None:
    """``seconds`` when it is a valid SessionDuration (or None), else a UsageError."""
    if seconds is not None and not MIN_DURATION <= seconds <= MAX_DURATION:
        raise UsageError(f"--duration must be between {MIN_DURATION} and {MAX_DURATION} "
                         f"seconds (15 minutes to 12 hours), not {seconds}")
    return seconds


def signin_token_url(federation: str, creds: RoleCredentials, duration: int | None) -> str:
    """The getSigninToken request (a secret: it carries the credentials)."""
    import json

    if not creds.session_token:
        raise ValueError("the console sign-in needs temporary credentials")
    session = json.dumps({"sessionId": creds.access_key_id,
                          "sessionKey": creds.secret_access_key,
                          "sessionToken": creds.session_token})
    params = [("Action", "getSigninToken")]
    if duration is not None:
        params.append(("SessionDuration", str(duration)))
    params.append(("Session", session))
    return f"{federation}?{urlencode(params, quote_via=quote_plus)}"


def login_url(federation: str, signin_token: str, destination: str,
              issuer: str = ISSUER) -> str:
    """The URL that signs its opener in to the console (a secret for 15 minutes)."""
    params = [("Action", "login"), ("Issuer", issuer), ("Destination", destination),
              ("SigninToken", signin_token)]
    return f"{federation}?{urlencode(params, quote_via=quote_plus)}"


def get_signin_token(federation: str, creds: RoleCredentials, duration: int | None, *,
                     environ: Mapping[str, str] | None = None, timeout: float = TIMEOUT,
                     ) -> str:
    """Step 1: a sign-in token for ``creds`` (ApiError, exit 5, when the endpoint refuses or
    cannot be reached; the message names neither the credentials nor the token)."""
    import http.client
    import json
    import ssl
    import urllib.error
    import urllib.request

    env = os.environ if environ is None else environ
    where = urlsplit(federation)
    host = f"{where.hostname}:{where.port}" if where.port else str(where.hostname)
    context = None
    bundle = env.get("AWS_CA_BUNDLE", "").strip()
    if bundle and federation.startswith("https:"):
        try:
            context = ssl.create_default_context(cafile=os.path.expanduser(bundle))
        except (OSError, ssl.SSLError):
            raise UsageError(f"AWS_CA_BUNDLE {bundle[:80]!r} cannot be read as a CA bundle"
                             ) from None
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context),
                                         _no_redirect())
    request = urllib.request.Request(signin_token_url(federation, creds, duration),
                                     headers={"Accept": "application/json",
                                              "User-Agent": "ssogen"})
    hint = f"check the network (or {ENDPOINT_VARIABLE})"
    try:
        with opener.open(request, timeout=timeout) as resp:
            status, body = resp.status, resp.read(65536)
    except urllib.error.HTTPError as exc:
        reason = _reason(exc)
        exc.close()
        refused = exc.code in (400, 401, 403)
        raise ApiError(f"the sign-in endpoint {host} refused the credentials (HTTP "
                       f"{exc.code}{reason})",
                       hint="it takes unexpired temporary role credentials; imported ones "
                       "expire: paste fresh ones (`ssogen import-credentials`)" if refused
                       else hint) from None
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
        why = getattr(exc, "reason", None) or exc
        kind = type(why).__name__ if isinstance(why, BaseException) else "URLError"
        raise ApiError(f"cannot reach the sign-in endpoint {host} ({kind})",
                       hint=hint) from None
    try:
        token = json.loads(body.decode("utf-8")).get("SigninToken")
    except (ValueError, UnicodeDecodeError, AttributeError):
        token = None
    if status != 200 or not isinstance(token, str) or not token:
        raise ApiError(f"the sign-in endpoint {host} answered HTTP {status} without a sign-in "
                       "token", hint=hint)
    return token


def _reason(exc: urllib.error.HTTPError) -> str:
    """A short plain-text reason from a refusal (the emulator says why; AWS answers a bare
    400), printable and at most 80 characters; '' otherwise."""
    try:
        kind = exc.headers.get("Content-Type", "") if exc.headers is not None else ""
        if not kind.startswith("text/plain"):
            return ""
        text = exc.read(200).decode("utf-8", "replace")
    except (OSError, ValueError, AttributeError):
        return ""
    text = " ".join(text.split()).removeprefix("Bad Request:").strip()
    if not text or len(text) > 80 or not text.isprintable():
        return ""
    return f": {text}"


def _no_redirect() -> urllib.request.BaseHandler:
    """A handler that refuses redirects (they surface as HTTPError 3xx): the token must come
    from the endpoint asked."""
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    return NoRedirect()
