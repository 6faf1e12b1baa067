"""The device authorization grant (RFC 8628) of ``sso-oidc``: StartDeviceAuthorization, the
judgement of each CreateToken poll (pending, slow_down, expired, denied, approved), and the
person's side (approve or deny a user code).

Two forms of verification URL, as AWS has used them (``verification_style``):

``classic``  ``verificationUri`` = ``<url>/device``, ``verificationUriComplete`` =
             ``<url>/device?user_code=ABCD-EFGH`` (the page fills the code in)
``signin``   both = ``<url>/platform/authorize?request_uri=<opaque urn>``, one per
             authorization, with no user code in either: the page asks for the code (what AWS
             answers since about 2026-09)
"""

from __future__ import annotations

import secrets

from ssogen.emulator.base import Host, oidc_error
from ssogen.records import record

VERIFICATION_STYLES = ("classic", "signin")
REQUEST_URI_PREFIX = "urn:ietf:params:oauth:request_uri:"
_USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"  # no vowels (no words), no look-alikes


@record
class DeviceAuth:
    """One device authorization and where its person's decision stands."""

    device_code: str
    user_code: str
    client_id: str
    start_url: str
    created: float
    expires_at: float
    interval: float
    request_uri: str
    status: str = "pending"  # pending | approved | denied | consumed
    last_poll: float | None = None
    pending_polls: int = 0


def normalize_user_code(code: str) -> str:
    """``abcdefgh``, ``ABCD EFGH`` and ``abcd-efgh`` all mean ``ABCD-EFGH``."""
    raw = "".join(c for c in code.upper() if c.isalnum())
    return f"{raw[:4]}-{raw[4:]}" if len(raw) == 8 else code.strip().upper()


class DeviceAuthorizations:
    """Every device authorization of one emulator, by device code, user code and request
    URI. Callers hold ``host.lock``; the public methods take it themselves."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self.by_device_code: dict[str, DeviceAuth] = {}
        self._by_user_code: dict[str, str] = {}  # user code -> device code
        self._by_request_uri: dict[str, str] = {}  # request URI -> device code

    def start(self, client_id: str, start_url: str) -> dict[str, object]:
        """A new authorization: the StartDeviceAuthorization answer."""
        host = self.host
        with host.lock:
            while True:
                raw = "".join(secrets.choice(_USER_CODE_ALPHABET) for _ in range(8))
                user_code = f"{raw[:4]}-{raw[4:]}"
                if user_code not in self._by_user_code:
                    break
            now = host.now()
            d = DeviceAuth(
                device_code=secrets.token_urlsafe(48), user_code=user_code,
                client_id=client_id, start_url=start_url, created=now,
                expires_at=now + host.expires_in, interval=float(host.interval),
                request_uri=REQUEST_URI_PREFIX + secrets.token_urlsafe(24))
            self.by_device_code[d.device_code] = d
            self._by_user_code[user_code] = d.device_code
            self._by_request_uri[d.request_uri] = d.device_code
        if host.verification_style == "signin":
            from urllib.parse import quote

            uri = f"{host.url}/platform/authorize?request_uri={quote(d.request_uri, safe='')}"
            complete = uri
        else:
            uri = f"{host.url}/device"
            complete = f"{uri}?user_code={user_code}"
        return {"deviceCode": d.device_code, "userCode": user_code, "verificationUri": uri,
                "verificationUriComplete": complete, "expiresIn": host.expires_in,
                "interval": host.interval}

    def poll(self, client_id: str, device_code: object) -> DeviceAuth:
        """Judge one CreateToken poll: the approved authorization (now consumed), or the
        sso-oidc error the poll gets. RFC 8628 §3.5: polling faster than the interval gets
        ``slow_down`` and 5 s more for this and every later poll."""
        if not isinstance(device_code, str) or not device_code:
            raise oidc_error("InvalidRequestException", "deviceCode is required")
        d = self.by_device_code.get(device_code)
        if d is None or d.client_id != client_id:
            raise oidc_error("InvalidGrantException", "Invalid device code provided")
        now = self.host.now()
        if d.status == "consumed":
            raise oidc_error("InvalidGrantException", "Device code has already been used")
        if now >= d.expires_at:
            raise oidc_error("ExpiredTokenException", "Device code has expired")
        if d.status == "denied":
            raise oidc_error("AccessDeniedException", "Access denied by the user")
        if d.status == "pending":
            too_fast = d.last_poll is not None and now - d.last_poll < d.interval - 0.05
            d.last_poll = now
            if too_fast:
                d.interval += 5
                raise oidc_error("SlowDownException", "Client is polling too quickly")
            auto = self.host.auto_approve_after
            if auto is not None and d.pending_polls >= auto:
                d.status = "approved"
            else:
                d.pending_polls += 1
                raise oidc_error("AuthorizationPendingException",
                                 "Authorization is still pending")
        d.status = "consumed"
        return d

    # -- the person's side -------------------------------------------------------------------
    def find(self, user_code: str | None) -> DeviceAuth:
        """The pending authorization with this user code (the latest pending one for None);
        LookupError saying why there is none."""
        now = self.host.now()
        if user_code is None:
            pending = [d for d in self.by_device_code.values()
                       if d.status == "pending" and now < d.expires_at]
            if not pending:
                raise LookupError("no pending device authorization")
            return max(pending, key=lambda d: d.created)
        code = normalize_user_code(user_code)
        dc = self._by_user_code.get(code)
        if dc is None:
            raise LookupError("unknown user code")
        return self._pending(self.by_device_code[dc])

    def for_request_uri(self, request_uri: str) -> DeviceAuth:
        """The pending authorization a ``signin``-style verification URL names."""
        dc = self._by_request_uri.get(request_uri)
        if dc is None:
            raise LookupError("this sign-in request is not valid")
        return self._pending(self.by_device_code[dc])

    def _pending(self, d: DeviceAuth) -> DeviceAuth:
        if d.status != "pending":
            done = "approved" if d.status == "consumed" else d.status
            raise LookupError(f"this code was already {done}")
        if self.host.now() >= d.expires_at:
            raise LookupError("this code has expired")
        return d

    def decide(self, user_code: str | None, approve: bool,
               request_uri: str | None = None) -> str:
        """Approve or deny a pending authorization; returns its user code. With
        ``request_uri`` (the ``signin`` page) the typed code must be that request's."""
        with self.host.lock:
            if request_uri is not None:
                d = self.for_request_uri(request_uri)
                if user_code is None or normalize_user_code(user_code) != d.user_code:
                    raise LookupError("the code does not match this sign-in request")
            else:
                d = self.find(user_code)
            d.status = "approved" if approve else "denied"
            return d.user_code

    def pending_user_codes(self) -> list[str]:
        with self.host.lock:
            now = self.host.now()
            return [d.user_code
                    for d in sorted(self.by_device_code.values(), key=lambda d: d.created)
                    if d.status == "pending" and now < d.expires_at]
