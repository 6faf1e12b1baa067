"""A local IAM Identity Center: the ``sso-oidc`` and ``sso`` portal wire protocol as botocore
sends and parses it (docs/AWS-NOW.md), on 127.0.0.1, for the demo and for tests -- plus
STS (GetCallerIdentity, AssumeRole), S3 ListBuckets and the console sign-in federation
endpoint for the role credentials it issues, so that an unmodified AWS CLI or SDK can run
``aws sts get-caller-identity`` / ``aws s3 ls`` with a profile ssogen generated (or one that
assumes a role from it), end to end, without AWS.

:class:`Emulator` is the facade tests and commands use. It composes one object per service,
each in its own module, and owns what they share (lock, clock, secrets, knobs):

===================  ============================================================
``oidc``             ``ssogen.emulator.oidc`` (+ ``device``, ``pkce``): sso-oidc
``portal``           ``ssogen.emulator.portal``: the sso portal
``sts``              ``ssogen.emulator.sts``: STS and S3 (``credentials``: who holds what)
``federation``       ``ssogen.emulator.federation``: ``/federation`` console sign-in
``runtime``          ``ssogen.emulator.runtime``: clock, rate limit, faults, counters
===================  ============================================================

The HTTP server and routing are in ``ssogen.emulator.handler``, the pages in
``ssogen.emulator.page``, the control API in ``ssogen.emulator.control``.
"""

from __future__ import annotations

import threading
from typing import Any

from ssogen.emulator import aws
from ssogen.emulator.base import ServiceError
from ssogen.emulator.device import VERIFICATION_STYLES, DeviceAuth
from ssogen.emulator.federation import FederationService
from ssogen.emulator.handler import ROUTES, Server
from ssogen.emulator.oidc import DEVICE_GRANT, OidcService
from ssogen.emulator.org import Organization
from ssogen.emulator.portal import PortalService
from ssogen.emulator.runtime import FAULT_KINDS, Runtime
from ssogen.emulator.sts import CredentialStore, StsService

__all__ = ["API_NAMES", "DEVICE_GRANT", "ENDPOINT_VARIABLES", "FAULT_KINDS", "Emulator",
           "ServiceError"]

#: every API the emulator counts in ``stats()["requests"]``
API_NAMES = [api for api, _ in ROUTES.values()] + [
    "GetCallerIdentity", "AssumeRole", "ListBuckets", "GetSigninToken", "ConsoleLogin"]

#: the service-specific endpoint variables of the services served here; botocore names them
#: ``AWS_ENDPOINT_URL_<SERVICE ID>`` (``SSO``, ``SSO OIDC``, ``STS``, ``S3``, ``Signin``)
ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_SSO", "AWS_ENDPOINT_URL_SSO_OIDC",
                      "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_S3",
                      "AWS_ENDPOINT_URL_SIGNIN")


class Emulator:
    """IAM Identity Center on ``http://127.0.0.1:<port>``.

    Knobs: ``latency_ms`` (added to every API call), ``rate_limit`` (requests per second per
    portal API, answering 429 TooManyRequestsException), ``fault_rate`` (fraction of portal
    calls that fail with one of ``fault_kinds``: ``"500"`` InternalServerException or
    ``"drop"`` an abruptly closed connection), ``auto_approve_after`` (a device authorization is
    approved once K CreateToken polls have been answered ``authorization_pending``; 0 = at the
    first poll), ``token_ttl`` (access token lifetime, s), ``expires_in`` / ``interval`` (device
    authorization), ``credential_ttl`` (role credentials, s), ``session_ttl`` (how long refresh
    tokens of one sign-in keep working, default 8 h like IAM Identity Center's default session
    duration), ``seed`` (fault randomness), ``verification_style`` (``"classic"``: the device
    verification URL is ``/device[?user_code=...]``; ``"signin"``: both URLs are
    ``/platform/authorize?request_uri=...`` without the code, as AWS answers since about
    2026-09). With ``auto_approve_after`` set, a PKCE ``/authorize`` request is approved at
    once as well. ``user_name`` is the signed-in person: the role session name STS
    GetCallerIdentity reports for portal credentials.

    The emulator's clock is real time plus an offset (:meth:`advance_clock`); every expiry is
    computed from it.
    """

    def __init__(self, org: Organization | None = None, *, latency_ms: float = 0,
                 rate_limit: float | None = None, fault_rate: float = 0.0,
                 fault_kinds: tuple[str, ...] | list[str] = FAULT_KINDS,
                 auto_approve_after: int | None = None, token_ttl: int = 3600,
                 expires_in: int = 600, interval: int = 1, credential_ttl: int = 3600,
                 session_ttl: int = 8 * 3600, port: int = 0, host: str = "127.0.0.1",
                 seed: int | None = None, verbose: bool = False,
                 user_name: str = "sso-user@example.com",
                 verification_style: str = "classic") -> None:
        if not 0.0 <= fault_rate <= 1.0:
            raise ValueError("fault_rate must be between 0 and 1")
        bad = [k for k in fault_kinds if k not in FAULT_KINDS]
        if bad or not fault_kinds:
            raise ValueError(f"fault_kinds must be a non-empty subset of {FAULT_KINDS}")
        if rate_limit is not None and rate_limit <= 0:
            raise ValueError("rate_limit must be > 0 (or None for no limit)")
        if auto_approve_after is not None and auto_approve_after < 0:
            raise ValueError("auto_approve_after must be >= 0")
        for name, value in (("token_ttl", token_ttl), ("expires_in", expires_in),
                            ("credential_ttl", credential_ttl), ("session_ttl", session_ttl)):
            if value <= 0:
                raise ValueError(f"{name} must be > 0")
        if interval < 0 or latency_ms < 0:
            raise ValueError("interval and latency_ms must be >= 0")
        self.org = org if org is not None else Organization.sample()
        self.latency_ms = latency_ms
        self.rate_limit = rate_limit
        self.fault_rate = fault_rate
        self.fault_kinds = tuple(fault_kinds)
        self.auto_approve_after = auto_approve_after
        self.token_ttl = token_ttl
        self.expires_in = expires_in
        self.interval = interval
        self.credential_ttl = credential_ttl
        self.session_ttl = session_ttl
        self.verification_style = verification_style
        self.host = host
        self.verbose = verbose
        self.user_name = user_name
        self._requested_port = port
        self.lock = threading.RLock()
        self._secrets: list[str] = []
        self.runtime = Runtime(self.lock, seed)
        self.credentials = CredentialStore(self)
        self.oidc = OidcService(self)
        self.portal = PortalService(self, self.oidc, self.credentials)
        self.sts = StsService(self, self.credentials)
        self.federation = FederationService(self, self.credentials)
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def verification_style(self) -> str:
        return self._verification_style

    @verification_style.setter
    def verification_style(self, value: str) -> None:
        if value not in VERIFICATION_STYLES:
            raise ValueError(f"verification_style must be one of {VERIFICATION_STYLES}")
        self._verification_style = value

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> Emulator:
        if self._server is not None:
            return self
        server = Server((self.host, self._requested_port), self)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name="ssogen-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("emulator is not running")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def endpoint_env(self) -> dict[str, str]:
        """The environment variables that send botocore's (botocore >= 1.31, AWS CLI >= 2.13)
        sso, sso-oidc, sts, s3 and signin clients here."""
        return {name: self.url for name in ENDPOINT_VARIABLES}

    # -- what the services share (the Host protocol of ssogen.emulator.base) ---------------
    def now(self) -> float:
        return self.runtime.now()

    def advance_clock(self, seconds: float) -> float:
        """Move the emulator's notion of now forward; returns the new now (epoch seconds)."""
        return self.runtime.advance(seconds)

    def issue(self, value: str) -> str:
        """Register a secret as issued (see :meth:`issued_secrets`) and return it."""
        with self.lock:
            self._secrets.append(value)
        return value

    def force_error(self, api: str, name: str, message: str = "forced by the test", *,
                    times: int = 1) -> None:
        """The next ``times`` calls of ``api`` (e.g. ``"ListAccounts"``, ``"CreateToken"``)
        answer with error ``name`` -- any text, also a hostile one a client must not print
        raw (it travels in ``x-amzn-ErrorType`` as the service's own errors do)."""
        with self.lock:
            self.runtime.forced[api] = [name, message, times]

    def before_call(self, api: str, service: str) -> None:
        """Latency, rate limit and fault injection; raises ServiceError or base.Drop."""
        self.runtime.before_call(api, service, latency_ms=self.latency_ms,
                                 rate_limit=self.rate_limit, fault_rate=self.fault_rate,
                                 fault_kinds=self.fault_kinds)

    # -- control ---------------------------------------------------------------------------
    def approve(self, user_code: str | None = None) -> str:
        """Approve a pending device authorization (the latest one if no code is given).
        Returns its user code; LookupError if there is none to approve."""
        return self.oidc.devices.decide(user_code, True)

    def deny(self, user_code: str | None = None) -> str:
        return self.oidc.devices.decide(user_code, False)

    def pending_user_codes(self) -> list[str]:
        return self.oidc.devices.pending_user_codes()

    @property
    def _devices(self) -> dict[str, DeviceAuth]:
        """Device authorizations by device code (read by tests that watch polling)."""
        return self.oidc.devices.by_device_code

    def issued_secrets(self) -> list[str]:
        """Every access token, refresh token, client secret, secret access key, session
        token and sign-in token issued so far (to scan captured output for leaks)."""
        with self.lock:
            return list(self._secrets)

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                **self.runtime.counters(API_NAMES),
                "active_tokens": self.oidc.active_tokens(),
                "clients": len(self.oidc.clients),
                "assumed_role_sessions": self.credentials.assumed_sessions(),
            }

    def state(self) -> dict[str, Any]:
        """stats() plus pending codes, console logins, the clock and the knobs (no secrets)."""
        with self.lock:
            return {
                **self.stats(),
                "now": self.now(),
                "clock_offset": self.runtime.clock_offset,
                "pending_user_codes": self.pending_user_codes(),
                "console_logins": self.federation.console_logins(),
                "accounts": len(self.org),
                "roles": self.org.role_count,
                "knobs": {
                    "latency_ms": self.latency_ms, "rate_limit": self.rate_limit,
                    "fault_rate": self.fault_rate, "fault_kinds": list(self.fault_kinds),
                    "auto_approve_after": self.auto_approve_after,
                    "token_ttl": self.token_ttl, "expires_in": self.expires_in,
                    "interval": self.interval, "credential_ttl": self.credential_ttl,
                    "session_ttl": self.session_ttl,
                    "verification_style": self.verification_style,
                },
            }

    # The organisation can change while the emulator runs (same as ``emu.org.<method>``).
    def add_account(self, account_id: str, name: str = "", email: str = "",
                    roles: list[str] | tuple[str, ...] = ()) -> None:
        self.org.add_account(account_id, name, email, roles)

    def remove_account(self, account_id: str) -> None:
        self.org.remove_account(account_id)

    def add_role(self, account_id: str, role: str) -> None:
        self.org.add_role(account_id, role)

    def remove_role(self, account_id: str, role: str) -> None:
        self.org.remove_role(account_id, role)

    # -- the services' APIs in Python (no HTTP), for tests ---------------------------------
    def register_client(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.oidc.register_client(body)

    def start_device_authorization(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.oidc.start_device_authorization(body)

    def create_token(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.oidc.create_token(body)

    def check_authorize(self, query: dict[str, str]) -> dict[str, str]:
        return self.oidc.codes.check(query)

    def authorize(self, query: dict[str, str], approve: bool) -> str:
        return self.oidc.codes.authorize(query, approve)

    def list_accounts(self, token: str | None, query: dict[str, str]) -> dict[str, Any]:
        return self.portal.list_accounts(token, query)

    def list_account_roles(self, token: str | None, query: dict[str, str]) -> dict[str, Any]:
        return self.portal.list_account_roles(token, query)

    def get_role_credentials(self, token: str | None, query: dict[str, str]) -> dict[str, Any]:
        return self.portal.get_role_credentials(token, query)

    def logout(self, token: str | None) -> dict[str, Any]:
        return self.portal.logout(token)

    def role_credential(self, service: str, scope: aws.SigV4Scope | None,
                        session_token: str | None) -> aws.RoleCredential:
        return self.sts.role_credential(service, scope, session_token)

    def buckets(self, cred: aws.RoleCredential) -> list[tuple[str, Any]]:
        """S3 ListBuckets for these role credentials: the account's buckets."""
        return list(self.org.buckets(cred.account_id) or [])
