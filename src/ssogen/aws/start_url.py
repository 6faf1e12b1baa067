"""A custom (vanity) start URL followed to the AWS portal it redirects to, as the AWS CLI v2
does since 2.35.13 (docs/AWS-NOW.md, section e): the one network call a start URL needs.
"""

from __future__ import annotations

from ssogen.errors import UsageError
from ssogen.model.starturl import StartUrl, parse

TYPE_CHECKING = False  # no typing import at run time (start-up time, memory)
if TYPE_CHECKING:
    from typing import Any

__all__ = ["resolve_custom"]


def resolve_custom(url: str, *, timeout: float = 3.0) -> StartUrl | None:
    """For a custom domain, follow at most one redirect (HEAD, GET on 405/501) to an AWS-owned
    https host, as the AWS CLI does, and return that URL's parse; None if it leads nowhere."""
    import http.client
    import urllib.error
    import urllib.request

    info = parse(url)
    if info.aws_owned:
        return info

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str,
                             headers: Any, newurl: str) -> urllib.request.Request | None:
            return None  # the one redirect is read from the 3xx answer, not followed

    opener = urllib.request.build_opener(_NoRedirect)
    for method in ("HEAD", "GET"):
        req = urllib.request.Request(info.url, method=method)
        try:
            with opener.open(req, timeout=timeout) as resp:
                if resp.status in (405, 501) and method == "HEAD":
                    continue
                return None
        except urllib.error.HTTPError as exc:
            if exc.code in (405, 501) and method == "HEAD":
                continue
            location = exc.headers.get("Location") if 300 <= exc.code < 400 else None
            if not location:
                return None
            try:
                target = parse(location)
            except UsageError:
                return None
            return target if target.aws_owned else None
        except (OSError, http.client.HTTPException, ValueError):
            return None
    return None
