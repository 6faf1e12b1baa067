"""The authorization code flow with PKCE (RFC 6749 §4.1, RFC 7636 S256, RFC 8252 loopback
redirect), as ``aws sso login`` of the AWS CLI v2 runs it (docs/AWS-NOW.md §a):

1. a client registered for ``authorization_code`` and ``refresh_token`` with the redirect URI
   ``http://127.0.0.1/oauth/callback`` (no port) and ``issuerUrl`` = the start URL, cached
   under the same key as the device flow's registration (:mod:`ssogen.store.tokens`);
2. a callback server on ``127.0.0.1`` and a random port; the ``/authorize`` URL (the sso-oidc
   endpoint's origin, the CLI's parameters in the CLI's order) handed to the prompt, which
   prints it and opens the browser;
3. the browser's redirect to ``http://127.0.0.1:<port>/oauth/callback?code=…&state=…`` (or
   ``error=…``) answered with a small page; the ``state`` must be the one sent;
4. CreateToken with the code, the redirect URI *with* the port and the 64-character verifier;
   the token cached exactly as the device flow caches it.

The verifier and the code stay in this process: never printed, logged or put in an error.
"""

from __future__ import annotations

import base64
import hashlib
import html
import logging
import secrets
import string
import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from ssogen.aws.oidc import error_code, network_error, register
from ssogen.errors import LoginError
from ssogen.model.events import PKCE, LoginPrompt
from ssogen.model.session import SsoSession
from ssogen.records import record
from ssogen.store.tokens import Registration, Token, save_token, utcnow

log = logging.getLogger(__name__)

AUTH_GRANT_TYPES = ("authorization_code", "refresh_token")
#: registered without a port; /authorize and CreateToken use it with the callback's port
REGISTERED_REDIRECT_URI = "http://127.0.0.1/oauth/callback"
CALLBACK_PATH = "/oauth/callback"
#: how long the browser has to come back, as the AWS CLI's overall timeout
DEFAULT_TIMEOUT = 600.0
_VERIFIER_ALPHABET = string.ascii_letters + string.digits + "-._~"
_VERIFIER_LENGTH = 64


def new_verifier() -> str:
    """A code verifier as the AWS CLI makes it: 64 characters of ``[A-Za-z0-9-._~]``."""
    return "".join(secrets.choice(_VERIFIER_ALPHABET) for _ in range(_VERIFIER_LENGTH))


def code_challenge(verifier: str) -> str:
    """S256: base64url(sha256(verifier)) without the ``=`` padding (43 characters)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def _quote(value: str) -> str:
    return quote(value, safe="-._~")  # botocore's percent_encode (RFC 3986 unreserved)


def authorize_url(base: str, *, client_id: str, redirect_uri: str, state: str,
                  scopes: list[str], challenge: str) -> str:
    """The ``/authorize`` URL with the AWS CLI's parameters in its order: ``response_type``,
    ``client_id``, ``redirect_uri``, ``state``, ``code_challenge_method``, ``scopes`` (space
    separated), then ``code_challenge``."""
    params = [("response_type", "code"), ("client_id", client_id),
              ("redirect_uri", redirect_uri), ("state", state),
              ("code_challenge_method", "S256"), ("scopes", " ".join(scopes))]
    query = "&".join(f"{_quote(k)}={_quote(v)}" for k, v in params)
    return f"{base.rstrip('/')}/authorize?{query}&code_challenge={challenge}"


class _NoSend:
    status_code = 200


def authorization_base(client: Any) -> str:
    """``scheme://host[:port]`` of the sso-oidc endpoint ``client`` would call (the region's
    endpoint, or ``AWS_ENDPOINT_URL_SSO_OIDC``): botocore resolves a RegisterClient call that
    is stopped in ``before-call``, before anything is sent -- the AWS CLI's own method."""
    seen: dict[str, str] = {}

    def capture(params: dict[str, Any], **_: Any) -> tuple[_NoSend, dict[str, Any]]:
        seen["url"] = str(params.get("url", ""))
        return _NoSend(), {}

    event = "before-call.sso-oidc.RegisterClient"
    client.meta.events.register_first(event, capture)
    try:
        client.register_client(clientName="ssogen-endpoint-probe", clientType="public")
    finally:
        client.meta.events.unregister(event, capture)
    parts = urlsplit(seen.get("url", ""))
    if not parts.scheme or not parts.netloc:
        raise LoginError("cannot tell the IAM Identity Center login endpoint (sso-oidc)")
    return f"{parts.scheme}://{parts.netloc}"


def register_pkce_client(session: SsoSession, client: Any) -> Registration:
    """RegisterClient for the authorization code grant, with the AWS CLI v2's body, and cache
    the registration as the CLI does (``grantTypes`` included)."""
    return register(session, client, clientName=f"botocore-client-{session.name}",
                    clientType="public", grantTypes=list(AUTH_GRANT_TYPES),
                    redirectUris=[REGISTERED_REDIRECT_URI], issuerUrl=session.start_url,
                    scopes=list(session.scopes))


# -- the loopback callback -------------------------------------------------------------------
@record(frozen=True)
class Callback:
    """What the browser brought back: a code (state checked), or why not."""

    code: str | None = None
    error: str | None = None  # the OAuth error code, or "state" for a state mismatch


_PAGE_STYLE = ("body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;"
               "background:#f2f3f3;color:#16191f;margin:0}main{max-width:460px;margin:64px "
               "auto;background:#fff;padding:28px 32px;border-radius:8px;box-shadow:0 1px "
               "4px rgba(0,0,0,.15)}h1{font-size:20px;margin-top:0}.ok{color:#037f0c}"
               ".bad{color:#d91515}")


def page(title: str, heading: str, text: str, ok: bool) -> bytes:
    """The small page the browser shows after the redirect (no script, nothing external)."""
    cls = "ok" if ok else "bad"
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title><style>{_PAGE_STYLE}</style></head><body>"
            f'<main><h1 class="{cls}">{html.escape(heading)}</h1><p>{html.escape(text)}</p>'
            f"</main></body></html>\n").encode()


def _printable_error(value: str) -> str:
    """An OAuth error code from the query, reduced to what such codes contain."""
    kept = "".join(ch for ch in value if ch.isascii() and (ch.isalnum() or ch in "_-."))
    return kept[:60] or "unknown_error"


class _Handler(BaseHTTPRequestHandler):
    server: CallbackServer
    server_version = "ssogen"
    sys_version = ""
    timeout = 10  # a connection that sends nothing (a browser's pre-connect) is dropped

    def log_message(self, format: str, *args: Any) -> None:
        return  # the request line carries the code: never logged

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != CALLBACK_PATH:
            self._answer(404, page("Not found", "Not found",
                                   "This is ssogen's login callback.", False))
            return
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        srv = self.server
        if srv.result is not None:
            self._answer(200, page("ssogen", "This login is over",
                                   "You can close this tab.", srv.result.code is not None))
            return
        if "error" in query:
            err = _printable_error(query["error"])
            result = Callback(error=err)
            what = ("You denied access." if err == "access_denied"
                    else f"The sign-in failed: {err}.")
            body = page("ssogen: login failed", "Login failed",
                        f"{what} Return to the terminal.", False)
        elif "code" in query and "state" in query:
            if not secrets.compare_digest(query["state"].encode(), srv.state.encode()):
                result = Callback(error="state")
                body = page("ssogen: login failed", "Login failed",
                            "This answer does not belong to the login ssogen is waiting "
                            "for. Return to the terminal and log in again.", False)
            else:
                result = Callback(code=query["code"])
                body = page("ssogen: logged in", "Logged in",
                            "ssogen has received your credentials. You can close this tab "
                            "and return to the terminal.", True)
        else:
            self._answer(400, page("ssogen", "Nothing to do",
                                   "This redirect carries neither a code nor an error.", False))
            return
        self._answer(200, body)
        srv.finish(result)  # after the page is sent: the process may exit right away

    def do_POST(self) -> None:
        self._answer(405, page("ssogen", "Not allowed", "Method not allowed.", False))

    do_PUT = do_DELETE = do_POST

    def _answer(self, status: int, body: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("Referrer-Policy", "no-referrer")  # the URL holds the code
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Content-Security-Policy",
                             "default-src 'none'; style-src 'unsafe-inline'")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the browser went away; the result still counts
            pass


class CallbackServer(ThreadingHTTPServer):
    """The loopback redirect target: ``http://127.0.0.1:<random port>/oauth/callback``.

    Bound to 127.0.0.1 only. The AWS CLI binds all interfaces (``HTTPServer(('', 0))``), which
    lets any host that can reach this machine race the browser to the callback; the redirect
    URI names 127.0.0.1, so the browser (on WSL2: the Windows browser, through WSL2's
    localhost forwarding) comes only there, and nothing else needs to."""

    daemon_threads = True
    allow_reuse_address = False

    def __init__(self, state: str) -> None:
        self.state = state
        self.result: Callback | None = None
        self._done = threading.Event()
        self._lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)
        self._thread = threading.Thread(target=self.serve_forever, kwargs={
            "poll_interval": 0.1}, name="ssogen-pkce-callback", daemon=True)

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{CALLBACK_PATH}"

    def finish(self, result: Callback) -> None:
        with self._lock:
            if self.result is None:
                self.result = result
        self._done.set()

    def start(self) -> CallbackServer:
        self._thread.start()
        return self

    def wait(self, timeout: float) -> Callback | None:
        """The browser's answer, or None after ``timeout`` seconds (Ctrl-C interrupts)."""
        deadline = time.monotonic() + timeout
        while not self._done.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self._done.wait(min(left, 0.5))
        return self.result

    def close(self) -> None:
        if self._thread.is_alive():
            self.shutdown()
        self.server_close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("pkce callback: a connection ended abruptly")


# -- the flow ---------------------------------------------------------------------------------
def pkce_login(session: SsoSession, client: Any, registration: Registration, *,
               prompt: Callable[[LoginPrompt], None], no_browser: bool = False,
               note: str = "", timeout: float = DEFAULT_TIMEOUT) -> Token:
    """One authorization-code login with ``registration`` (a PKCE client): the prompt (the
    URL printed, the browser opened unless ``no_browser``), the browser's answer within
    ``timeout`` seconds, CreateToken, the token cached. LoginError (exit 3) when denied,
    answered with a wrong state, or not answered in time; KeyboardInterrupt passes up and
    leaves the cache as it was."""
    from botocore.exceptions import BotoCoreError, ClientError

    base = authorization_base(client)
    verifier = new_verifier()
    state = str(uuid.uuid4())
    server = CallbackServer(state).start()
    try:
        url = authorize_url(base, client_id=registration.client_id,
                            redirect_uri=server.redirect_uri, state=state,
                            scopes=list(registration.scopes or session.scopes),
                            challenge=code_challenge(verifier))
        prompt(LoginPrompt(session.label, url, "", url, int(timeout),
                           open_browser=not no_browser, kind=PKCE, note=note))
        answer = server.wait(timeout)
    finally:
        server.close()
    again = f"run `ssogen login {session.login_flag}` again"
    if answer is None:
        minutes = f"{timeout / 60:g} minutes" if timeout >= 60 else f"{timeout:g} s"
        raise LoginError(f"no answer from the browser within {minutes}; {again} (or add "
                         "--use-device-code if no browser here can open the URL)")
    if answer.error == "access_denied":
        raise LoginError("the login was denied in the browser")
    if answer.error == "state":
        raise LoginError("the browser's answer does not belong to this login (state "
                         f"mismatch); {again}")
    if answer.error is not None or answer.code is None:
        raise LoginError(f"the browser login failed ({answer.error}); {again}")
    try:
        resp = client.create_token(
            grantType="authorization_code", clientId=registration.client_id,
            clientSecret=registration.client_secret, redirectUri=server.redirect_uri,
            codeVerifier=verifier, code=answer.code)
    except ClientError as exc:
        raise LoginError(f"the authorization code was refused ({error_code(exc) or 'error'})"
                         f"; {again}") from None
    except BotoCoreError as exc:
        raise network_error(exc, client) from None
    expires = utcnow() + timedelta(seconds=int(resp.get("expiresIn") or 3600))
    save_token(session, access_token=resp["accessToken"], expires_at=expires,
               registration=registration, refresh_token=resp.get("refreshToken"))
    return Token(resp["accessToken"], expires, "login")
