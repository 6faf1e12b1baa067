"""Every account and role behind an IAM Identity Center start URL → :class:`Inventory`.

ListAccounts is paged (100 a page) in the calling thread; each page's accounts are handed at
once to a bounded thread pool that runs ListAccountRoles (paged too) for them, so role calls
start while later account pages are still being fetched.

Throttling is handled here rather than by botocore (its retries are switched off so every
attempt is counted and paced): each API has an :class:`~ssogen.aws.pacing.AdaptiveRateLimiter`
shared by all workers. It sends unpaced until the first 429, then paces at the success rate it
measured over the last second times a small overdrive (a cut never below half the current send
rate), growing again with time while no 429 arrives. The overdrive keeps the server's own
budget saturated, so the run proceeds at the server's limit: ~100 % of 20 req/s in
benchmarks/discovery.py, where botocore's ``adaptive`` retry mode (cubic) reached 65-70 % with
8-32 threads; and runs sharing one budget use it together (part (d) there). Throttled requests
are retried after a short jittered delay through the same limiter. 5xx answers and dropped or
timed-out connections are retried with exponential backoff and full jitter. A 401 (token
expired or revoked mid-run) renews the token once through ``token_provider`` and carries on.

An account whose roles cannot be fetched after the retries makes the whole run fail with
:class:`ApiError` (exit 5): a partial inventory is never returned as if complete.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from typing import Any

from ssogen.aws.pacing import AdaptiveRateLimiter
from ssogen.errors import ApiError
from ssogen.model.events import NoProgress
from ssogen.model.inventory import Account, Inventory
from ssogen.model.session import SsoSession
from ssogen.records import record

TYPE_CHECKING = False  # no typing import at run time (start-up time, memory)
if TYPE_CHECKING:
    from ssogen.inifile.model import FileModel
    from ssogen.model.events import ProgressSink

log = logging.getLogger(__name__)

PAGE_SIZE = 100  # the service rejects more
MAX_TRANSIENT_ATTEMPTS = 7  # 5xx / connection errors: attempts per call
MAX_THROTTLED_ATTEMPTS = 40  # 429s: attempts per call (paced, so progress continues)
THROTTLE_CODES = {"TooManyRequestsException", "ThrottlingException", "Throttling",
                  "ThrottledException", "RequestLimitExceeded", "SlowDown"}

TokenProvider = Callable[[str], str]  # (rejected token) -> new token


@record
class DiscoveryStats:
    """Counters for one run (for the progress bar, tests and the benchmark)."""

    calls: int = 0
    throttled: int = 0
    retried: int = 0  # 5xx and connection errors
    renewed_token: bool = False
    elapsed: float = 0.0


def _backoff(attempt: int, base: float, cap: float) -> float:
    """Exponential backoff with full jitter."""
    return random.uniform(0, min(cap, base * (2 ** (attempt - 1))))


class _Cancelled(Exception):
    pass


def error_parts(exc: Any) -> tuple[str, int, dict[str, Any]]:
    """A botocore ``ClientError``'s error code, HTTP status and ``Error`` mapping."""
    response = exc.response if isinstance(exc.response, dict) else {}
    err = response.get("Error", {})
    err = err if isinstance(err, dict) else {}
    status = int((response.get("ResponseMetadata") or {}).get("HTTPStatusCode") or 0)
    return str(err.get("Code", "")), status, err


@record
class Attempts:
    """The retries of one call: after a throttle or a transient failure, how long to wait --
    or, after too many, the ApiError that ends the run. ``sleep`` waits (and may raise when
    the run is cancelled); ``count`` records "throttled" or "retried"."""

    what: str
    sleep: Callable[[float], None]
    count: Callable[[str], None]
    throttled: int = 0
    transient: int = 0

    def throttle(self, limiter: AdaptiveRateLimiter, label: str,
                 sent_at: float | None = None) -> None:
        """A throttled answer to the attempt sent at ``sent_at`` (``acquire``'s time)."""
        limiter.throttled(sent_at)
        self.count("throttled")
        self.throttled += 1
        if self.throttled >= MAX_THROTTLED_ATTEMPTS:
            raise ApiError(f"{self.what}: still throttled after {self.throttled} attempts "
                           f"({label})") from None
        self.sleep(_backoff(min(self.throttled, 6), 0.05, 1.0))

    def retry(self, why: str, hint: str | None = None) -> None:
        self.transient += 1
        self.count("retried")
        if self.transient >= MAX_TRANSIENT_ATTEMPTS:
            raise ApiError(f"{self.what}: failed after {self.transient} attempts ({why})",
                           hint=hint) from None
        self.sleep(_backoff(self.transient, 0.2, 4.0))


def portal_client(session: SsoSession, max_workers: int, model: FileModel | None = None,
                  ) -> Any:
    """An unsigned ``sso`` portal client created the normal way (endpoint overrides apply);
    botocore's own retries are off because :class:`_Runner` retries and paces itself."""
    from ssogen.aws.clients import client

    return client("sso", model, region=session.sso_region,
                  retries={"mode": "standard", "total_max_attempts": 1},
                  max_pool_connections=max_workers + 4, connect_timeout=10, read_timeout=20)


class _Runner:
    def __init__(self, client: Any, access_token: str, token_provider: TokenProvider | None,
                 stats: DiscoveryStats, progress: ProgressSink) -> None:
        from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, HTTPClientError
        from botocore.parsers import ResponseParserError

        self.client = client
        self.token = access_token
        self.token_provider = token_provider
        self.stats = stats
        self.progress = progress
        self.stop = threading.Event()
        self.limiters = {"ListAccounts": AdaptiveRateLimiter(),
                         "ListAccountRoles": AdaptiveRateLimiter()}
        self._lock = threading.Lock()
        self._token_lock = threading.Lock()
        self._ClientError = ClientError
        self._BotoCoreError = BotoCoreError
        self._transient_exc = (ConnectionError, HTTPClientError, ResponseParserError)

    def _count(self, field: str) -> None:
        with self._lock:
            setattr(self.stats, field, getattr(self.stats, field) + 1)
        if field in ("throttled", "retried"):
            self.progress.update(throttled=self.stats.throttled, retried=self.stats.retried)

    def _sleep(self, seconds: float) -> None:
        if seconds > 0 and self.stop.wait(seconds):
            raise _Cancelled

    def _renew_token(self, rejected: str, what: str) -> None:
        with self._token_lock:
            if self.token != rejected:
                return  # another worker already renewed it
            if self.stats.renewed_token or self.token_provider is None:
                raise ApiError(f"{what}: the access token was rejected (401 Unauthorized)",
                               hint="log in again: ssogen login --force")
            log.info("access token rejected mid-run; renewing it once")
            self.progress.close()
            self.token = self.token_provider(rejected)
            self.stats.renewed_token = True

    def call(self, api: str, what: str, **params: Any) -> dict[str, Any]:
        method = getattr(self.client, "list_accounts" if api == "ListAccounts"
                         else "list_account_roles")
        limiter = self.limiters[api]
        attempts = Attempts(what, self._sleep, self._count)
        while True:
            if self.stop.is_set():
                raise _Cancelled
            sent = limiter.acquire(self._sleep)
            token = self.token
            self._count("calls")
            try:
                resp = method(accessToken=token, **params)
            except self._ClientError as exc:
                code, status, _ = error_parts(exc)
                if status == 429 or code in THROTTLE_CODES:
                    attempts.throttle(limiter, "429 TooManyRequests", sent)
                    continue
                if status >= 500 or code in ("InternalServerException", "ServiceUnavailable"):
                    attempts.retry(f"HTTP {status or '5xx'} {code}".rstrip())
                    continue
                if status == 401 or code == "UnauthorizedException":
                    self._renew_token(token, what)
                    continue
                raise ApiError(f"{what}: {code or 'error'} (HTTP {status})") from None
            except self._transient_exc as exc:  # no answer: the network, or a wrong endpoint
                attempts.retry(type(exc).__name__, hint="check the network (or "
                               f"AWS_ENDPOINT_URL_SSO); the portal is "
                               f"{self.client.meta.endpoint_url}")
                continue
            except self._BotoCoreError as exc:
                raise ApiError(f"{what}: {type(exc).__name__}") from None
            limiter.success()
            out: dict[str, Any] = resp
            return out

    def roles(self, account_id: str) -> list[str]:
        roles: list[str] = []
        next_token: str | None = None
        seen_tokens: set[str] = set()
        while True:
            params: dict[str, Any] = {"accountId": account_id, "maxResults": PAGE_SIZE}
            if next_token:
                params["nextToken"] = next_token
            page = self.call("ListAccountRoles", f"ListAccountRoles for account {account_id}",
                             **params)
            for role in page.get("roleList") or []:
                name = role.get("roleName")
                if isinstance(name, str) and name:
                    roles.append(name)
            next_token = page.get("nextToken")
            if not next_token:
                return sorted(set(roles))
            if next_token in seen_tokens:
                raise ApiError(f"ListAccountRoles for account {account_id}: the service "
                               "repeated a page token (pagination loop)")
            seen_tokens.add(next_token)


def discover(session: SsoSession, *, access_token: str, progress: ProgressSink | None = None,
             max_workers: int = 32, token_provider: TokenProvider | None = None,
             stats: DiscoveryStats | None = None, client: Any = None,
             model: FileModel | None = None) -> Inventory:
    """List every account and its roles. ApiError (exit 5) if any of it fails after retries.

    ``progress``: where to report how far it is (None: nowhere). ``model``: the config the
    portal client reads (None: botocore reads the file).
    ``token_provider(rejected_token)`` returns a new token when the service answers 401.
    ``stats`` (optional) is filled with call/throttle/retry counts.
    """
    if max_workers < 1:
        raise ValueError("max_workers must be at least 1")
    stats = stats if stats is not None else DiscoveryStats()
    started = time.monotonic()
    bar = progress if progress is not None else NoProgress()
    client = client if client is not None else portal_client(session, max_workers, model)
    runner = _Runner(client, access_token, token_provider, stats, bar)
    pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="ssogen-discover")
    try:
        futures, accounts = _list_accounts(runner, pool, bar)
        bar.update(total_final=True)
        wait(futures, return_when=FIRST_EXCEPTION)
        _raise_first_failure(futures)
        for fut, acc_id in futures.items():
            accounts[acc_id].roles = fut.result()
    except BaseException as exc:
        runner.stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        bar.close()
        if isinstance(exc, _Cancelled):
            raise ApiError("discovery was cancelled") from None
        raise
    pool.shutdown(wait=True)
    bar.close()
    stats.elapsed = time.monotonic() - started
    return Inventory(session=session.name, start_url=session.start_url,
                     sso_region=session.sso_region,
                     accounts=sorted(accounts.values(), key=lambda a: a.id))


RoleFutures = dict[Future[list[str]], str]


def _raise_first_failure(futures: RoleFutures) -> None:
    for fut in futures:
        if fut.done() and not fut.cancelled() and fut.exception() is not None:
            fut.result()


def _list_accounts(runner: _Runner, pool: ThreadPoolExecutor,
                   bar: ProgressSink) -> tuple[RoleFutures, dict[str, Account]]:
    """Page through ListAccounts, starting each account's role listing as soon as the account
    is seen; a failed role listing ends the run at the next page rather than after the last."""
    accounts: dict[str, Account] = {}
    futures: RoleFutures = {}

    def on_done(fut: Future[list[str]]) -> None:
        if not fut.cancelled() and fut.exception() is None:
            bar.update(add_done=1)

    next_token: str | None = None
    seen_tokens: set[str] = set()
    while True:
        params: dict[str, Any] = {"maxResults": PAGE_SIZE}
        if next_token:
            params["nextToken"] = next_token
        page = runner.call("ListAccounts", "ListAccounts", **params)
        for raw in page.get("accountList") or []:
            acc_id = raw.get("accountId")
            if not isinstance(acc_id, str) or not acc_id or acc_id in accounts:
                continue
            accounts[acc_id] = Account(acc_id, str(raw.get("accountName") or ""),
                                       str(raw.get("emailAddress") or ""))
            fut = pool.submit(runner.roles, acc_id)
            futures[fut] = acc_id
            fut.add_done_callback(on_done)
        bar.update(total=len(accounts))
        _raise_first_failure({f: a for f, a in futures.items() if f.done()})
        next_token = page.get("nextToken")
        if not next_token:
            return futures, accounts
        if next_token in seen_tokens:
            raise ApiError("ListAccounts: the service repeated a page token "
                           "(pagination loop)")
        seen_tokens.add(next_token)
