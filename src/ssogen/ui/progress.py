"""A one-line progress indicator on stderr, drawn only when stderr is a terminal.

Thread-safe (discovery workers report into it), redrawn at most ten times a second, and erased
when done so the terminal is left clean. Nothing secret ever passes through it.
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
