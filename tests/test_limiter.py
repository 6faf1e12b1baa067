"""The adaptive rate limiter (ssogen.aws.pacing) with a fake clock: bounded cuts, one cut per
round trip, slots re-spaced when the rate changes, recovery with time; and a simulation of
discovery's workers against a token-bucket server (the emulator's), one run and three runs
sharing the budget."""

from __future__ import annotations

import contextlib
import heapq
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from ssogen.aws.pacing import AdaptiveRateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += seconds


def send(lim: AdaptiveRateLimiter, clock: FakeClock) -> float:
    return lim.acquire(clock.sleep)


def paced(clock: FakeClock, rate: float) -> AdaptiveRateLimiter:
    return AdaptiveRateLimiter(clock, rate=rate)


# -- cuts -----------------------------------------------------------------------------------
def test_unpaced_until_the_first_throttle() -> None:
    clock = FakeClock()
    lim = AdaptiveRateLimiter(clock)
    assert [lim.turn(lim.reserve()) for _ in range(50)] == [0.0] * 50
    assert lim.rate is None


def test_a_throttle_before_any_success_cuts_to_half_the_send_rate_not_the_floor() -> None:
    """Three runs share a budget: a run's first 429 arrives while its successes are still in
    flight. The cut is bounded by half what it was sending, not the 0.5 req/s floor."""
    clock = FakeClock()
    lim = AdaptiveRateLimiter(clock)
    sent = [send(lim, clock) for _ in range(32)]  # 32 workers start at once
    clock.t += 0.1
    lim.throttled(sent[0])
    assert lim.rate == pytest.approx(16.0)  # 32 sends in the last second, halved
    # and the rule the single run relies on: with successes counted, their rate (x overdrive)
    clock2 = FakeClock()
    lim2 = AdaptiveRateLimiter(clock2)
    for _ in range(40):
        send(lim2, clock2)
        clock2.t += 0.025
        lim2.success()
    lim2.throttled()
    assert lim2.rate == pytest.approx(40 * lim2.OVERDRIVE)


def test_a_burst_of_throttles_cuts_once_and_at_most_by_half() -> None:
    clock = FakeClock()
    lim = paced(clock, 20.0)
    sent = [send(lim, clock) for _ in range(20)]  # a second at 20 req/s
    clock.t += 0.1
    for at in sent:  # every one of them throttled (the server's budget went to someone else)
        lim.throttled(at)
    # one cut, to half of the 18 sent in the last second
    assert lim.rate == pytest.approx(9.0) and lim.cuts == 1
    # a request sent after the cut, throttled too: a new round trip, a new (bounded) cut
    after = send(lim, clock)
    clock.t += 0.1
    lim.throttled(after)
    assert lim.rate == pytest.approx(4.5) and lim.cuts == 2


def test_a_cut_follows_the_measured_success_rate_when_that_is_higher() -> None:
    clock = FakeClock()
    lim = paced(clock, 20.0)
    for i in range(20):  # 20 sends a second, 15 of them succeed
        at = send(lim, clock)
        if i % 4:
            lim.success()
    lim.throttled(at)
    assert lim.rate is not None and 10.0 < lim.rate < 20.0
    assert lim.rate == pytest.approx(lim.measured_rate(clock.t) * lim.OVERDRIVE)


def test_no_cut_below_the_floor() -> None:
    clock = FakeClock()
    lim = paced(clock, 0.8)
    for _ in range(5):
        at = send(lim, clock)
        clock.t += 0.1
        lim.throttled(at)
    assert lim.rate == lim.MIN_RATE


# -- slots ----------------------------------------------------------------------------------
def test_slots_are_spaced_at_the_rate() -> None:
    clock = FakeClock()
    lim = paced(clock, 10.0)
    waits = [lim.turn(lim.reserve()) for _ in range(5)]
    gaps = [b - a for a, b in itertools.pairwise(waits)]
    assert gaps == pytest.approx([0.1] * 4)


def test_reserved_slots_are_re_spaced_after_a_cut() -> None:
    """Slots handed out at 10 req/s, then a cut (to half the 3 sent in the last second): the
    waiting ones come every 1/1.5 s from the last one that was due -- not at the old times,
    onto a server that said no."""
    clock = FakeClock()
    lim = paced(clock, 10.0)
    start = clock.t
    tickets = [lim.reserve() for _ in range(11)]  # due at start + 0.1 * i
    clock.t = start + 0.25  # tickets 0, 1, 2 are due (at +0, +0.1, +0.2)
    assert [lim.turn(t) == 0.0 for t in tickets[:4]] == [True, True, True, False]
    lim.throttled(clock.t - 0.05)
    assert lim.rate == pytest.approx(1.5)
    due = [clock.t + lim.turn(t) for t in tickets[3:]]
    assert due == pytest.approx([start + 0.2 + i / 1.5 for i in range(1, 9)])


def test_reserved_slots_are_re_spaced_when_the_rate_grows() -> None:
    clock = FakeClock()
    lim = paced(clock, 2.0)
    grows_at = clock.t + lim.RAISE_AFTER
    while clock.t < grows_at - 0.6:  # in use, no throttle
        send(lim, clock)
    tickets = [lim.reserve() for _ in range(6)]
    before = [clock.t + lim.turn(t) for t in tickets]
    assert [b - a for a, b in itertools.pairwise(before)] == pytest.approx([0.5] * 5)
    clock.t = grows_at + 0.01  # one growth step
    waiting = [(t, due) for t, due in zip(tickets, before, strict=True) if due > clock.t]
    assert len(waiting) >= 4
    after = [clock.t + lim.turn(t) for t, _ in waiting]
    assert lim.rate == pytest.approx(2.0 * lim.RAISE_FACTOR)
    assert all(a < b for a, (_, b) in zip(after, waiting, strict=True))
    gap = 1 / lim.rate
    assert [b - a for a, b in itertools.pairwise(after)] == pytest.approx([gap] * (len(after) - 1))


def test_idle_time_is_no_credit_for_a_burst() -> None:
    clock = FakeClock()
    lim = paced(clock, 5.0)
    clock.t += 60
    waits = [lim.turn(lim.reserve()) for _ in range(3)]
    assert waits == pytest.approx([0.0, 0.2, 0.4])


# -- recovery -------------------------------------------------------------------------------
def test_the_rate_recovers_with_time_towards_the_ceiling() -> None:
    """No throttle for a while: the rate grows with elapsed time, however few the successes
    (at the floor, one every two seconds), by RAISE_FACTOR every RAISE_EVERY seconds."""
    clock = FakeClock()
    lim = paced(clock, 0.5)
    start = clock.t
    while clock.t - start < 12:
        send(lim, clock)
        lim.success()
    expected = 0.5 * lim.RAISE_FACTOR ** ((12 - lim.RAISE_AFTER) / lim.RAISE_EVERY)
    assert lim.rate is not None and lim.rate >= 0.9 * expected  # ~1.6 req/s after 12 s
    while clock.t - start < 120:
        send(lim, clock)
    assert lim.rate == lim.MAX_RATE


def test_no_growth_right_after_a_throttle_nor_while_the_rate_is_unused() -> None:
    clock = FakeClock()
    lim = paced(clock, 5.0)
    for _ in range(5):
        at = send(lim, clock)
        lim.success()
    lim.throttled(at)
    rate = lim.rate
    assert rate == pytest.approx(5.0)  # 5 sent and 5 successes in the last second: no cut
    while clock.t - at < lim.RAISE_AFTER * 0.8:
        send(lim, clock)
    assert lim.rate == rate
    clock.t += 30  # nothing sent: nothing learnt
    send(lim, clock)
    assert lim.rate == rate


# -- simulation: workers against a token bucket ---------------------------------------------
@dataclass
class Server:
    """The emulator's limit: ``rate`` per second, a burst of one second's worth."""

    rate: float
    tokens: float = 0.0
    stamp: float = 0.0

    def __post_init__(self) -> None:
        self.tokens = self.rate

    def take(self, now: float) -> bool:
        self.tokens = min(self.rate, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


@dataclass
class Run:
    """One discovery: ``workers`` threads, ``calls`` ListAccountRoles calls, one limiter."""

    calls: int
    workers: int = 32
    lim: AdaptiveRateLimiter = field(init=False)
    left: int = 0
    done: int = 0
    throttled: int = 0
    ended: float = 0.0


def simulate(runs: int, calls: int, rate: float, latency: float = 0.1,
             seed: int = 1) -> tuple[float, list[Run]]:
    """Discrete-event simulation of ``runs`` discoveries started together against one
    server; the workers do what discovery's do (acquire, send, answer after ``latency``, a
    throttle retried after a jittered backoff). Returns (successes per second / rate, runs)."""
    rng = random.Random(seed)
    now = [0.0]
    server = Server(rate)
    queue: list[tuple[float, int, Iterator[float]]] = []
    order = itertools.count()

    def worker(run: Run) -> Iterator[float]:
        while run.left > 0:
            run.left -= 1
            throttles = 0
            while True:
                ticket = run.lim.reserve()
                while (wait := run.lim.turn(ticket)) > 0:
                    yield min(wait, run.lim.NAP)
                sent = now[0]
                yield latency
                if server.take(sent + latency):
                    run.lim.success()
                    run.done += 1
                    run.ended = now[0]
                    break
                run.throttled += 1
                throttles += 1
                run.lim.throttled(sent)
                yield rng.uniform(0, min(1.0, 0.05 * 2 ** (min(throttles, 6) - 1)))

    all_runs = []
    for _ in range(runs):
        run = Run(calls)
        run.left = calls
        run.lim = AdaptiveRateLimiter(lambda: now[0])
        all_runs.append(run)
        for _ in range(run.workers):
            heapq.heappush(queue, (0.0, next(order), worker(run)))
    while queue:
        now[0], _, gen = heapq.heappop(queue)
        with contextlib.suppress(StopIteration):
            heapq.heappush(queue, (now[0] + next(gen), next(order), gen))
    total = sum(r.done for r in all_runs)
    assert total == runs * calls
    wall = max(r.ended for r in all_runs)
    return total / wall / rate, all_runs


@pytest.mark.parametrize("rate", [5.0, 20.0])
def test_simulated_single_run_converges_near_the_limit(rate: float) -> None:
    share, (run,) = simulate(1, int(rate * 60), rate)
    assert share >= 0.97, share
    assert run.throttled < 0.25 * run.calls


@pytest.mark.parametrize(("accounts", "seed"), [(300, 1), (300, 2), (300, 3), (1000, 1)])
def test_simulated_three_runs_share_the_limit(accounts: int, seed: int) -> None:
    """Three runs against 5 req/s together keep the budget in use (the limiter before this
    reached 51 % here with 300 accounts each, 77 % with 1,000; 36-66 % with real processes)."""
    share, runs = simulate(3, accounts, 5.0, seed=seed)
    assert share >= 0.97, share
    assert sum(r.throttled for r in runs) < 0.4 * 3 * accounts
