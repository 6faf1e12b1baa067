"""The emulator's HTTP plumbing: one threaded HTTP/1.1 server (botocore keeps connections
alive) and the handler that turns each request into a :class:`~ssogen.emulator.base.Request`,
routes it to the service that owns its path, and sends the service's answer back.

=================================  ==========================================================
``POST /client/register`` ...      sso-oidc (``ROUTES``; rest-json, ``x-amzn-ErrorType``)
``GET /assignment/...`` ...        sso portal (``ROUTES``; token in ``x-amz-sso_bearer_token``)
``/`` with ``Action``              STS (query protocol)
``GET /`` with SigV4               S3 ListBuckets
``/federation`` (exactly)          console sign-in federation (``/federation/credentials``
                                   is the portal's GetRoleCredentials)
``/device``, ``/authorize``,       pages for people (``ssogen.emulator.page``)
``/platform/authorize``, ``/``
``/_emulator/...``                 the control API for tests (``ssogen.emulator.control``)
=================================  ==========================================================

Nothing a client sends is ever logged: with ``verbose`` only the method and the path (without
query string) of each request are.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import struct
import threading
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from ssogen.emulator.base import Drop, Request, Response, ServiceError, oidc_error

if TYPE_CHECKING:
    from ssogen.emulator.server import Emulator

log = logging.getLogger("ssogen.emulator")

# (method, path) -> (API name, service) of the two rest-json services
ROUTES: dict[tuple[str, str], tuple[str, str]] = {
    ("POST", "/client/register"): ("RegisterClient", "oidc"),
    ("POST", "/device_authorization"): ("StartDeviceAuthorization", "oidc"),
    ("POST", "/token"): ("CreateToken", "oidc"),
    ("GET", "/assignment/accounts"): ("ListAccounts", "portal"),
    ("GET", "/assignment/roles"): ("ListAccountRoles", "portal"),
    ("GET", "/federation/credentials"): ("GetRoleCredentials", "portal"),
    ("POST", "/logout"): ("Logout", "portal"),
}
PAGES = ("/", "/device", "/authorize", "/platform/authorize")


class Server(ThreadingHTTPServer):
    """Serves one emulator; remembers open connections so that stopping ends them all."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], emulator: Emulator) -> None:
        self.emulator = emulator
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-answer is normal (timeouts, Ctrl-C): no traceback on
        stderr. Details only at debug level, and never a request's content."""
        log.debug("emulator: connection from %s ended abruptly", client_address[0],
                  exc_info=self.emulator.verbose)

    def close_connections(self) -> None:
        """Wake every handler thread idling on a kept-alive connection, so it ends."""
        with self._connections_lock:
            conns = list(self._connections)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


def json_body(raw: bytes) -> dict[str, Any]:
    """An sso-oidc request body; InvalidRequestException unless it is a JSON object."""
    try:
        body = json.loads(raw.decode("utf-8")) if raw.strip() else {}
    except (ValueError, UnicodeDecodeError):
        raise oidc_error("InvalidRequestException", "Request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise oidc_error("InvalidRequestException", "Request body must be a JSON object")
    return body


def aws_service(req: Request) -> str | None:
    """``/`` is shared: STS (query protocol: ``Action`` in the form body or the query
    string), S3 (a ``GET`` carrying SigV4), or else the index page for people."""
    if "Action" in req.query or (req.method == "POST" and "Action" in req.form):
        return "sts"
    if req.method == "GET" and ("authorization" in req.headers
                                or "X-Amz-Credential" in req.query):
        return "s3"
    return None


def rest_json(emu: Emulator, api: str, service: str, req: Request) -> Response:
    """One sso-oidc or portal call: the knobs first, then the service; errors in the wire
    format botocore maps to the modelled exceptions. Raises Drop for a dropped connection."""
    try:
        emu.before_call(api, service)
        if service == "oidc":
            oidc: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
                "RegisterClient": emu.oidc.register_client,
                "StartDeviceAuthorization": emu.oidc.start_device_authorization,
                "CreateToken": emu.oidc.create_token,
            }
            return Response.json(200, oidc[api](json_body(req.body)))
        token = req.headers.get("x-amz-sso_bearer_token")
        if api == "Logout":
            return Response.json(200, emu.portal.logout(token))
        portal: dict[str, Callable[[str | None, dict[str, str]], dict[str, Any]]] = {
            "ListAccounts": emu.portal.list_accounts,
            "ListAccountRoles": emu.portal.list_account_roles,
            "GetRoleCredentials": emu.portal.get_role_credentials,
        }
        return Response.json(200, portal[api](token, req.query))
    except ServiceError as err:
        return Response.json(err.status, err.body(), err.headers())
    except Drop:
        raise
    except Exception:  # a bug in the emulator: answer like AWS, log without payloads
        log.exception("emulator: internal error in %s", api)
        internal = ServiceError(service, "InternalServerException", "Internal error")
        return Response.json(internal.status, internal.body(), internal.headers())


def local(emu: Emulator, req: Request) -> Response:
    """The emulator's own pages: control API, verification and consent pages, index."""
    from ssogen.emulator.control import handle_control
    from ssogen.emulator.page import (
        handle_authorize,
        handle_index,
        handle_page,
        handle_signin_page,
    )

    path, method = req.path, req.method
    try:
        if path.startswith("/_emulator"):
            status, data = handle_control(emu, method, path, req.query, req.body)
            return Response.json(status, data)
        if path == "/authorize":
            status, html, location = handle_authorize(emu, method, req.query, req.body)
            return Response.html(status, html, {"Location": location} if location else None)
        if path == "/device":
            status, html = handle_page(emu, method, req.query, req.body)
        elif path == "/platform/authorize":
            status, html = handle_signin_page(emu, method, req.query, req.body)
        else:
            status, html = handle_index(emu, method)
    except OSError:
        raise
    except Exception:
        log.exception("emulator: internal error in %s", path)
        return Response.json(500, {"message": "internal error"})
    return Response.html(status, html)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as botocore expects
    server_version = "ssogen-emulator"
    sys_version = ""
    timeout = 120  # an idle kept-alive connection is closed after this
    server: Server

    # Never log what clients send: only method and path, and only when verbose.
    def log_message(self, format: str, *args: Any) -> None:
        return

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if self.server.emulator.verbose:
            log.info("%s %s -> %s", self.command, urlsplit(self.path).path, code)

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The ``Date`` header by the emulator's clock (``advance_clock`` moves it too), so a
        client can measure its clock skew against the service."""
        from email.utils import formatdate

        when = self.server.emulator.now() if timestamp is None else timestamp
        return formatdate(when, usegmt=True)

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def _read_body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if not length:
            return b""
        try:
            n = int(length)
        except ValueError:
            return b""
        return self.rfile.read(n) if n > 0 else b""

    def _send(self, resp: Response) -> None:
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(resp.body)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        for k, v in resp.headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(resp.body)

    def _drop(self) -> None:
        """Close the connection abruptly (RST), without an answer."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def _dispatch(self) -> None:
        emu = self.server.emulator
        parts = urlsplit(self.path)
        req = Request(
            method=self.command, path=parts.path.rstrip("/") or "/",
            query={k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()},
            headers={k.lower(): v for k, v in self.headers.items()}, body=self._read_body())
        try:
            self._send(self._route(emu, req))
        except Drop:
            self._drop()

    def _route(self, emu: Emulator, req: Request) -> Response:
        if req.path == "/":
            service = aws_service(req)
            if service is not None:
                return emu.sts.handle(service, req)
        if req.path == "/federation":
            return self._guarded(req.path, lambda: emu.federation.handle(req))
        if req.path.startswith("/_emulator") or req.path in PAGES:
            return local(emu, req)
        route = ROUTES.get((req.method, req.path))
        if route is None:
            return Response.json(404, {"message": f"No route for {req.method} {req.path}"},
                                 {"x-amzn-ErrorType": "UnknownOperationException"})
        return rest_json(emu, route[0], route[1], req)

    @staticmethod
    def _guarded(path: str, call: Callable[[], Response]) -> Response:
        try:
            return call()
        except Drop:
            raise
        except Exception:  # a bug in the emulator: a bare 500, logged without payloads
            log.exception("emulator: internal error in %s", path)
            return Response.text(500, "Internal Server Error\n")
