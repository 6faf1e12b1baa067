"""What a login is for: an ``[sso-session]``, or a legacy profile's own SSO keys -- and the two
cache keys the AWS CLI v2 derives from it, so that every tool finds the same files."""

from __future__ import annotations

import json

from ssogen.model.digest import sha1_hex
from ssogen.model.validate import DEFAULT_SCOPES
from ssogen.records import field, record


@record
class SsoSession:
    name: str
    start_url: str
    sso_region: str
    scopes: list[str] = field(default_factory=lambda: list(DEFAULT_SCOPES))
    # True when ``sso_registration_scopes`` is set: the AWS CLI then keys the registration
    # cache with the scopes, otherwise with null.
    scopes_configured: bool = False
    # A profile with sso_start_url/sso_region and no sso_session: the token cache key is the
    # start URL, and there is no session name in the registration key.
    legacy: bool = False

    @property
    def token_cache_key(self) -> str:
        """``sha1(session name)``; legacy profiles: ``sha1(start URL)`` (the exact string)."""
        source = self.start_url if self.legacy else self.name
        return sha1_hex(source)

    @property
    def registration_cache_key(self) -> str:
        """The AWS CLI v2's key of the client registration: the same for the device-code and
        the authorization-code (PKCE) flow."""
        data = {
            "tool": "botocore",
            "startUrl": self.start_url,
            "region": self.sso_region,
            "scopes": list(self.scopes) if self.scopes_configured else None,
            "session_name": None if self.legacy else self.name,
        }
        return sha1_hex(json.dumps(data, sort_keys=True))

    @property
    def label(self) -> str:
        return f"profile {self.name}" if self.legacy else f"session {self.name}"

    @property
    def login_flag(self) -> str:
        """How ``ssogen login`` names it."""
        return f"--profile {self.name}" if self.legacy else f"--session {self.name}"
