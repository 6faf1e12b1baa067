"""The ``sso`` portal: ListAccounts, ListAccountRoles, GetRoleCredentials
and Logout, for the bearer token in ``x-amz-sso_bearer_token``.

Pages hold ``max_result`` items (1..100, default 20; above 100 is InvalidRequestException, as
AWS enforces since about 2026-05). ``nextToken`` names the last item returned, not an offset,
so accounts added or removed between two pages never make another one appear twice or go
missing. Role credentials are issued through the shared :class:`CredentialStore` so that STS,
S3 and the federation sign-in recognise them.
"""

from __future__ import annotations

import base64
from typing import Any

from ssogen.emulator.base import Host, portal_error
from ssogen.emulator.oidc import AccessToken, OidcService
from ssogen.emulator.sts import CredentialStore

DEFAULT_PAGE = 20
MAX_PAGE = 100


class PortalService:
    """The portal API of one emulator."""

    def __init__(self, host: Host, oidc: OidcService, credentials: CredentialStore) -> None:
        self.host = host
        self.oidc = oidc
        self.credentials = credentials

    def _token(self, token: str | None) -> AccessToken:
        t = self.oidc.valid_token(token)
        if t is None:
            raise portal_error("UnauthorizedException", "Session token not found or invalid")
        return t

    @staticmethod
    def _page_size(query: dict[str, str]) -> int:
        raw = query.get("max_result")
        if raw is None:
            return DEFAULT_PAGE
        try:
            n = int(raw)
        except ValueError:
            raise portal_error("InvalidRequestException", "Invalid max_result") from None
        if not 1 <= n <= MAX_PAGE:
            raise portal_error("InvalidRequestException",
                               f"max_result must be between 1 and {MAX_PAGE}")
        return n

    @staticmethod
    def _after(query: dict[str, str], kind: str) -> str | None:
        raw = query.get("next_token")
        if raw is None:
            return None
        try:
            decoded = base64.urlsafe_b64decode(raw.encode("ascii")).decode("utf-8")
            prefix, _, last = decoded.partition("|")
            if prefix != kind or not last:
                raise ValueError(decoded)
        except (ValueError, UnicodeError):
            raise portal_error("InvalidRequestException", "Invalid next token") from None
        return last

    @staticmethod
    def _next_token(kind: str, last: str) -> str:
        return base64.urlsafe_b64encode(f"{kind}|{last}".encode()).decode("ascii")

    def list_accounts(self, token: str | None, query: dict[str, str]) -> dict[str, Any]:
        self._token(token)
        size = self._page_size(query)
        after = self._after(query, "accounts")
        page, more = self.host.org.page(after, size)
        out: dict[str, Any] = {"accountList": [
            {"accountId": a.id, "accountName": a.name, "emailAddress": a.email} for a in page]}
        if more and page:
            out["nextToken"] = self._next_token("accounts", page[-1].id)
        return out

    def list_account_roles(self, token: str | None, query: dict[str, str]) -> dict[str, Any]:
        self._token(token)
        account_id = query.get("account_id")
        if not account_id:
            raise portal_error("InvalidRequestException", "account_id is required")
        size = self._page_size(query)
        kind = f"roles:{account_id}"
        after = self._after(query, kind)
        roles = self.host.org.roles(account_id)
        if roles is None:
            raise portal_error("ResourceNotFoundException", "Account not found")
        remaining = [r for r in roles if after is None or r > after]
        page = remaining[:size]
        out: dict[str, Any] = {"roleList": [{"roleName": r, "accountId": account_id}
                                            for r in page]}
        if len(remaining) > size:
            out["nextToken"] = self._next_token(kind, page[-1])
        return out

    def get_role_credentials(self, token: str | None, query: dict[str, str]) -> dict[str, Any]:
        self._token(token)
        role, account_id = query.get("role_name"), query.get("account_id")
        if not role or not account_id:
            raise portal_error("InvalidRequestException",
                               "role_name and account_id are required")
        if not self.host.org.has_role(account_id, role):
            raise portal_error("ResourceNotFoundException", "No access")
        key_id, cred = self.credentials.issue(account_id, role, self.host.user_name,
                                              self.host.credential_ttl)
        return {"roleCredentials": {"accessKeyId": key_id,
                                    "secretAccessKey": cred.secret_access_key,
                                    "sessionToken": cred.session_token,
                                    "expiration": int(cred.expires_at * 1000)}}

    def logout(self, token: str | None) -> dict[str, Any]:
        with self.host.lock:
            t = self._token(token)
            self.oidc.end_session(t.session)
        return {}
