"""The AWS sign-in federation endpoint (``GET /federation``), which tools use to open the AWS
console with role credentials (AWS-NOW.md §g, "custom identity broker"):

1. ``Action=getSigninToken&Session=<url-encoded JSON {"sessionId": AccessKeyId,
   "sessionKey": SecretAccessKey, "sessionToken": SessionToken}>[&SessionDuration=900..43200]``
   answers ``{"SigninToken": "..."}`` -- only for unexpired role credentials this emulator
   issued (GetRoleCredentials or AssumeRole), presented whole.
2. ``Action=login&Issuer=<url>&Destination=<console URL>&SigninToken=<token>`` redirects
   (302) to the destination once: a sign-in token is valid for 15 minutes and single use. The
   small page in the answer says which account and role the person is signed in as; tests
   read the same in ``state()["console_logins"]``.

Anything else is ``400`` with a short plain-text reason, as the real endpoint answers bad
requests with a bare 400. The POST form of both actions works the same way. Sign-in tokens
are secrets (they open a console session): they are listed in ``issued_secrets()`` and never
logged; the console login records hold no secret.
"""

from __future__ import annotations

import html
import json
import secrets
from typing import Any
from urllib.parse import urlsplit

from ssogen.emulator import aws
from ssogen.emulator.base import Host, Request, Response
from ssogen.emulator.page import page
from ssogen.emulator.sts import CredentialStore, matches
from ssogen.records import record

SIGNIN_TOKEN_TTL = 15 * 60
MIN_SESSION_DURATION, MAX_SESSION_DURATION = 900, 43200


class FederationError(Exception):
    """A request the federation endpoint refuses (400); the message names no secret."""


@record
class SigninToken:
    access_key_id: str
    cred: aws.RoleCredential
    expires_at: float
    session_expires_at: float
    used: bool = False


class FederationService:
    """``/federation`` of one emulator: sign-in tokens and the console logins made with them."""

    def __init__(self, host: Host, credentials: CredentialStore) -> None:
        self.host = host
        self.credentials = credentials
        self.signin_tokens: dict[str, SigninToken] = {}
        self._logins: list[dict[str, Any]] = []

    def handle(self, req: Request) -> Response:
        params = {**req.query, **req.form}
        action = params.get("Action", "")
        api = {"getSigninToken": "GetSigninToken", "login": "ConsoleLogin"}.get(action)
        if api is None:
            return Response.text(400, f"Bad Request: unknown Action {action[:40]!r}\n")
        self.host.before_call(api, "federation")
        try:
            if api == "GetSigninToken":
                return Response.json(200, {"SigninToken": self.get_signin_token(params)})
            location, record = self.login(params)
        except FederationError as exc:
            return Response.text(400, f"Bad Request: {exc}\n")
        return Response.html(302, _signed_in_page(record, location), {"Location": location})

    def get_signin_token(self, params: dict[str, str]) -> str:
        """Step 1: a new sign-in token for the role credentials in ``Session``."""
        duration = params.get("SessionDuration")
        seconds: int | None = None
        if duration is not None:
            try:
                seconds = int(duration)
            except ValueError:
                raise FederationError("SessionDuration must be a number of seconds") from None
            if not MIN_SESSION_DURATION <= seconds <= MAX_SESSION_DURATION:
                raise FederationError(f"SessionDuration must be between {MIN_SESSION_DURATION} "
                                      f"and {MAX_SESSION_DURATION}")
        try:
            session = json.loads(params.get("Session", ""))
        except ValueError:
            raise FederationError("Session must be a JSON document") from None
        if not isinstance(session, dict) or not all(
                isinstance(session.get(k), str) for k in ("sessionId", "sessionKey",
                                                          "sessionToken")):
            raise FederationError("Session needs sessionId, sessionKey and sessionToken")
        key_id = session["sessionId"]
        cred = self.credentials.get(key_id)
        if (cred is None or not matches(session["sessionKey"], cred.secret_access_key)
                or not matches(session["sessionToken"], cred.session_token)):
            raise FederationError("the session credentials are not valid")
        host = self.host
        with host.lock:
            now = host.now()
            if now >= cred.expires_at:
                raise FederationError("the session credentials have expired")
            token = host.issue(secrets.token_urlsafe(192))
            ends = now + seconds if seconds is not None else cred.expires_at
            self.signin_tokens[token] = SigninToken(key_id, cred, now + SIGNIN_TOKEN_TTL, ends)
        return token

    def login(self, params: dict[str, str]) -> tuple[str, dict[str, Any]]:
        """Step 2: spend a sign-in token; the destination to redirect to and the record of
        this console login."""
        destination = params.get("Destination", "")
        parts = urlsplit(destination)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise FederationError("Destination must be an absolute http(s) URL")
        host = self.host
        with host.lock:
            t = self.signin_tokens.get(params.get("SigninToken", ""))
            now = host.now()
            if t is None or t.used:
                raise FederationError("the sign-in token is not valid")
            if now >= t.expires_at:
                raise FederationError("the sign-in token has expired")
            t.used = True
            cred = t.cred
            account = host.org.account(cred.account_id)
            record: dict[str, Any] = {
                "account_id": cred.account_id,
                "account_name": account.name if account is not None else "",
                "role": cred.iam_role_name,
                "session_name": cred.session_name,
                "arn": cred.arn,
                "destination": destination,
                "issuer": params.get("Issuer", ""),
                "signed_in_at": now,
                "session_expires_at": t.session_expires_at,
            }
            self._logins.append(record)
        return destination, dict(record)

    def console_logins(self) -> list[dict[str, Any]]:
        """Every console login so far, oldest first (copies; no secrets)."""
        with self.host.lock:
            return [dict(r) for r in self._logins]


def _signed_in_page(record: dict[str, Any], location: str) -> str:
    name = f" ({record['account_name']})" if record["account_name"] else ""
    return page("AWS Management Console", (
        '<h1 class="ok">Signed in</h1>'
        f'<p>Signed in as <b id="role">{html.escape(record["role"])}</b> / '
        f'<span id="session-name">{html.escape(record["session_name"])}</span> '
        f'in account <b id="account">{html.escape(record["account_id"])}</b>'
        f"{html.escape(name)}.</p>"
        f'<p>Continuing to <a href="{html.escape(location)}">{html.escape(location)}</a>'
        "&hellip;</p>"))
