"""Live lines on stderr, drawn only when stderr is a terminal: the discovery progress bar and
the login code's countdown.

Thread-safe (discovery workers report into the bar), redrawn at most ten times a second (the
countdown once a second), and ended before anything else is printed, so the terminal is left
clean. Nothing secret ever passes through them.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from typing import TextIO


class Progress:
    def __init__(self, label: str, *, enabled: bool | None = None,
                 stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        if enabled is None:
            try:
                enabled = self.stream.isatty()
            except (AttributeError, ValueError):
                enabled = False
        self.enabled = enabled
        self.label = label
        self.done = 0
        self.total = 0
        self.total_final = False
        self.throttled = 0
        self.retried = 0
        self._lock = threading.Lock()
        self._last_draw = 0.0
        self._drawn = False

    def update(self, *, done: int | None = None, add_done: int = 0, total: int | None = None,
               total_final: bool | None = None, throttled: int | None = None,
               retried: int | None = None) -> None:
        with self._lock:
            if done is not None:
                self.done = done
            self.done += add_done
            if total is not None:
                self.total = total
            if total_final is not None:
                self.total_final = total_final
            if throttled is not None:
                self.throttled = throttled
            if retried is not None:
                self.retried = retried
            self._draw(force=False)

    def text(self) -> str:
        total = f"{self.total}" if self.total_final else f"{self.total}+"
        width = 24
        frac = self.done / self.total if self.total else 0.0
        filled = min(width, int(frac * width))
        bar = "#" * filled + "-" * (width - filled)
        parts = [f"{self.label} [{bar}] {self.done}/{total} accounts"]
        if self.throttled:
            parts.append(f"{self.throttled} throttled")
        if self.retried:
            parts.append(f"{self.retried} retried")
        return ", ".join(parts)

    def _draw(self, *, force: bool) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last_draw < 0.1:
            return
        self._last_draw = now
        columns = shutil.get_terminal_size((80, 24)).columns
        line = self.text()[: max(10, columns - 1)]
        try:
            self.stream.write("\r" + line + "\033[K")
            self.stream.flush()
        except (OSError, ValueError):
            self.enabled = False
            return
        self._drawn = True

    def close(self) -> None:
        """Erase the line (the caller prints its own summary)."""
        with self._lock:
            if self.enabled and self._drawn:
                try:
                    self.stream.write("\r\033[K")
                    self.stream.flush()
                except (OSError, ValueError):
                    pass
            self._drawn = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---------------------------------------------------------------------------------------------
# live lines: the login code's countdown
# ---------------------------------------------------------------------------------------------
_live: list[Countdown] = []
_live_lock = threading.Lock()


def stop_live() -> None:
    """End every live line (each leaves its static text), before anything else is printed
    or asked: a countdown must never run under a message or a question."""
    with _live_lock:
        running = list(_live)
    for line in running:
        line.stop()


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


class Countdown:
    """``Waiting for approval (Ctrl-C to cancel)… code expires in 9:41``, redrawn in place once
    a second while the device code waits for approval -- only when ``stream`` is a terminal
    (:meth:`start` says whether it drew). Stopped (by :func:`stop_live`, when the next line is
    printed), it leaves the line without the clock: what a log shows."""

    def __init__(self, seconds: float, *, text: str = "Waiting for approval (Ctrl-C to cancel)",
                 stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.text = text
        self.deadline = time.monotonic() + max(0.0, seconds)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def line(self, now: float | None = None) -> str:
        left = self.deadline - (time.monotonic() if now is None else now)
        if left <= 0:
            return f"{self.text}… the code has expired"
        return f"{self.text}… code expires in {_clock(left)}"

    def start(self) -> bool:
        try:
            tty = self.stream.isatty()
        except (AttributeError, ValueError):
            tty = False
        if not tty:
            return False
        with _live_lock:
            _live.append(self)
        self._draw(self.line())
        self._thread = threading.Thread(target=self._run, name="ssogen-countdown",
                                        daemon=True)
        self._thread.start()
        return True

    def _draw(self, text: str, end: str = "") -> None:
        columns = shutil.get_terminal_size((80, 24)).columns
        with self._lock:
            try:
                self.stream.write("\r" + text[: max(10, columns - 1)] + "\033[K" + end)
                self.stream.flush()
            except (OSError, ValueError):
                self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self._draw(self.line())

    def stop(self) -> None:
        with _live_lock:
            if self not in _live:
                return
            _live.remove(self)
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2)
        self._draw(f"{self.text}...", end="\n")
