"""The emulator's clock, its per-API rate limit, fault injection, added latency and request
counters: what every call goes through before a service answers it.

The clock is real time plus an offset (``advance_clock``): every expiry in the emulator is
computed from it, so a test can skip an hour without waiting one. Rate limits and faults apply
to the portal APIs only (that is where tools hit them at scale); latency and
counting apply to every API.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter

from ssogen.emulator.base import Drop, ServiceError, portal_error

FAULT_KINDS = ("500", "drop")


class TokenBucket:
    """``rate`` requests per second with a burst of one second's worth (monotonic time)."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self.tokens = self.capacity
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class Runtime:
    """Clock, counters, rate limit and faults of one emulator (thread-safe under ``lock``)."""

    def __init__(self, lock: threading.RLock, seed: int | None) -> None:
        self.lock = lock
        self.clock_offset = 0.0
        self.requests: Counter[str] = Counter()
        self.throttled: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        self._rng = random.Random(seed)
        self._buckets: dict[str, TokenBucket] = {}
        #: api -> [error name, message, calls left]: answers a test asked for
        self.forced: dict[str, list[object]] = {}

    def now(self) -> float:
        """The emulator's epoch seconds: real time plus the offset."""
        return time.time() + self.clock_offset

    def advance(self, seconds: float) -> float:
        with self.lock:
            self.clock_offset += seconds
            return self.now()

    def before_call(self, api: str, service: str, *, latency_ms: float,
                    rate_limit: float | None, fault_rate: float,
                    fault_kinds: tuple[str, ...]) -> None:
        """Sleep ``latency_ms``, count the call, then (portal APIs only) apply the rate limit
        (TooManyRequestsException) and inject a fault (InternalServerException, or
        :class:`Drop` to close the connection unanswered)."""
        if latency_ms:
            time.sleep(latency_ms / 1000.0)
        with self.lock:
            self.requests[api] += 1
            forced = self.forced.get(api)
            if forced is not None:
                name, message, left = forced
                if isinstance(left, int) and left <= 1:
                    del self.forced[api]
                elif isinstance(left, int):
                    forced[2] = left - 1
                raise ServiceError("oidc" if service == "oidc" else "portal", str(name),
                                   str(message))
            if service != "portal":
                return
            if rate_limit is not None:
                bucket = self._buckets.get(api)
                if bucket is None or bucket.rate != rate_limit:
                    bucket = self._buckets[api] = TokenBucket(rate_limit)
                if not bucket.take():
                    self.throttled[api] += 1
                    raise portal_error("TooManyRequestsException", "Too many requests")
            if fault_rate and self._rng.random() < fault_rate:
                kind = self._rng.choice(fault_kinds)
                self.faults[kind] += 1
                if kind == "drop":
                    raise Drop()
                raise portal_error("InternalServerException", "An internal error occurred")

    def counters(self, api_names: list[str]) -> dict[str, object]:
        """The ``stats()`` entries about calls: per API, and totals."""
        with self.lock:
            return {
                "requests": {api: self.requests[api] for api in api_names},
                "throttled": {api: self.throttled[api] for api in api_names},
                "faults": dict(self.faults),
                "requests_total": sum(self.requests.values()),
                "throttled_total": sum(self.throttled.values()),
                "faults_total": sum(self.faults.values()),
            }
