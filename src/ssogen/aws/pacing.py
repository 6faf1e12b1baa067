"""Client-side pacing of one API, shared by every thread of a run: :class:`AdaptiveRateLimiter`.

The server's budget is shared with whatever else calls the same API (other runs of ssogen,
other tools), so the limiter learns the rate from the answers:

* unpaced until the first throttle;
* a throttle cuts the rate to the success rate measured over the last second times a small
  overdrive (which keeps the server's budget saturated), but never below half the current send
  rate (a throttle that arrives before the burst's successes are counted must not drop the
  rate to the floor), nor below ``MIN_RATE``;
* one cut per round trip: a throttle of a request sent before the last cut was answered to the
  old rate and is already accounted for;
* a send slot is a ticket, a place in the queue, not a time: when the rate changes, the slots
  still waiting are spaced at the new rate (no backlog booked at a low rate, no burst of slots
  booked at a high one);
* the rate recovers with time, not with successes: ``RAISE_AFTER`` seconds after the last
  throttle it grows by ``RAISE_FACTOR`` every ``RAISE_EVERY`` seconds (while it is being used),
  up to ``MAX_RATE``.

Every decision reads the injected clock, so tests drive it with a fake one.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


class AdaptiveRateLimiter:
    """Pacing for one API: ``acquire`` before each attempt, then ``success`` or ``throttled``.

    ``rate`` is None (unpaced) until the first throttle, then the requests per second; a
    limiter may also start paced at a known ``rate``.
    """

    WINDOW = 1.0  # successes and sends are counted over the last second
    OVERDRIVE = 1.02
    MAX_CUT = 0.5  # a cut keeps at least this share of the current send rate
    MIN_RATE = 0.5
    MAX_RATE = 1000.0
    RAISE_AFTER = 2.0
    RAISE_EVERY = 0.25
    RAISE_FACTOR = 1.05
    NAP = 0.25  # a waiting thread looks at its slot again at least this often

    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 rate: float | None = None) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self.rate = rate
        self.cuts = 0
        # tickets are numbered; ticket k is due at _anchor_t + (k - _anchor_n) / rate
        self._issued = 0
        self._anchor_n = 0
        self._anchor_t = 0.0
        self._ok: collections.deque[float] = collections.deque()
        self._sent: collections.deque[float] = collections.deque()
        self._last_cut = float("-inf")
        self._raise_at = clock() + self.RAISE_AFTER if rate is not None else float("inf")
        self._last_send = float("-inf")

    # -- turns ------------------------------------------------------------------------------
    def acquire(self, sleep: Callable[[float], None]) -> float:
        """Wait for a send slot (``sleep`` waits, and may raise to cancel); returns the send
        time, for :meth:`throttled`."""
        ticket = self.reserve()
        while (wait := self.turn(ticket)) > 0:
            sleep(min(wait, self.NAP))
        return self._clock()

    def reserve(self) -> int:
        """A place in the queue (a ticket for :meth:`turn`)."""
        with self._lock:
            now = self._clock()
            self._grow(now)
            ticket = self._issued
            self._issued += 1
            if self.rate is not None and self._slot(ticket) < now:
                # nobody was waiting: idle time is no credit for a burst
                self._anchor_n, self._anchor_t = ticket, now
            return ticket

    def turn(self, ticket: int) -> float:
        """Seconds until ``ticket`` may send, at the current rate; 0.0: send now (the send
        is counted)."""
        with self._lock:
            now = self._clock()
            self._grow(now)
            if self.rate is not None:
                wait = self._slot(ticket) - now
                if wait > 0:
                    return wait
            self._sent.append(now)
            self._trim(self._sent, now)
            self._last_send = now
            return 0.0

    # -- answers ----------------------------------------------------------------------------
    def success(self) -> None:
        with self._lock:
            now = self._clock()
            self._ok.append(now)
            self._trim(self._ok, now)

    def throttled(self, sent_at: float | None = None) -> None:
        """A throttle of the request sent at ``sent_at`` (None: just now)."""
        with self._lock:
            now = self._clock()
            if (now if sent_at is None else sent_at) <= self._last_cut:
                return  # sent at the old rate: that rate is already cut
            self._raise_at = now + self.RAISE_AFTER
            sending = self._per_second(self._sent, now)
            current = sending if self.rate is None else min(self.rate, sending)
            new = max(self._floor(now), self._per_second(self._ok, now) * self.OVERDRIVE,
                      current * self.MAX_CUT)
            if self.rate is None or new < self.rate:
                self._set_rate(now, new)
                self._last_cut = now
                self.cuts += 1
                log.debug("throttled: pacing at %.2f req/s", new)

    def measured_rate(self, now: float) -> float:
        """Successes per second over the last WINDOW. Always divided by the whole window: a
        run younger than that has a burst allowance in its first successes, and dividing by
        its short age would overestimate the sustainable rate many times over."""
        return self._per_second(self._ok, now)

    # -- inside the lock --------------------------------------------------------------------
    def _floor(self, now: float) -> float:
        """The lowest rate a cut may set (a subclass may know better)."""
        return self.MIN_RATE

    def _trim(self, stamps: collections.deque[float], now: float) -> None:
        while stamps and stamps[0] < now - self.WINDOW:
            stamps.popleft()

    def _per_second(self, stamps: collections.deque[float], now: float) -> float:
        self._trim(stamps, now)
        return len(stamps) / self.WINDOW

    def _slot(self, ticket: int) -> float:
        assert self.rate is not None
        return self._anchor_t + (ticket - self._anchor_n) / self.rate

    def _set_rate(self, now: float, new: float) -> None:
        """Change the rate; tickets already due stay due, the waiting ones are re-spaced at the
        new rate from the last slot that came due."""
        if self.rate is None:
            self._anchor_n, self._anchor_t = self._issued, now + 1.0 / new
        else:
            pending = self._anchor_n
            if now >= self._anchor_t:
                pending += int((now - self._anchor_t) * self.rate) + 1
            pending = min(pending, self._issued)
            last = self._anchor_t + (pending - 1 - self._anchor_n) / self.rate
            self._anchor_n, self._anchor_t = pending, max(now, last + 1.0 / new)
        self.rate = new

    def _grow(self, now: float) -> None:
        if self.rate is None or now < self._raise_at:
            return
        steps = int((now - self._raise_at) / self.RAISE_EVERY) + 1
        self._raise_at += steps * self.RAISE_EVERY
        if now - self._last_send > 2.0 / self.rate:
            return  # not using the rate it has (no send in two slots): no growth
        new = min(self.MAX_RATE, self.rate * self.RAISE_FACTOR ** steps)
        if new > self.rate:
            self._set_rate(now, new)
