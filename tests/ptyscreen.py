"""A command in a real pseudo-terminal, its output rendered by pyte: what a person sees.

``PtyScreen`` spawns the command with pexpect at a given size, feeds everything it prints into
a pyte screen with scrollback, and waits for text *on the screen* (not somewhere in the byte
stream): a prompt that was drawn and erased again does not count, a line scrolled into the
scrollback is in :attr:`history`. Used by the wizard's pty tests and by ``make screens``
(tools/screens.py), which commits what the screens look like under docs/screens/.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import pexpect
import pyte

DOWN, UP, ENTER, SPACE, TAB = "\x1b[B", "\x1b[A", "\r", " ", "\t"
CTRL_A, CTRL_C, CTRL_N, CTRL_T, CTRL_U = "\x01", "\x03", "\x0e", "\x14", "\x15"
BACKSPACE = "\x7f"


class PtyScreen:
    def __init__(self, argv: Sequence[str], *, env: Mapping[str, str], cwd: str | Path,
                 rows: int = 24, cols: int = 80, timeout: float = 60,
                 log: Path | None = None) -> None:
        self.rows, self.cols, self.timeout = rows, cols, timeout
        self.screen = pyte.HistoryScreen(cols, rows, history=100_000)
        self.stream = pyte.Stream(self.screen)
        self.raw: list[str] = []
        self.log = log.open("w", encoding="utf-8") if log is not None else None
        full = dict(env)
        full.update({"TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1",
                     "COLUMNS": str(cols), "LINES": str(rows)})
        self.child = pexpect.spawn(argv[0], list(argv[1:]), env=full, cwd=str(cwd),
                                   dimensions=(rows, cols), encoding="utf-8",
                                   timeout=timeout)
        self.child.logfile_read = self
        self.eof = False

    # -- the pexpect log file protocol: everything the child prints ------------------------
    def write(self, data: str) -> None:
        self.raw.append(data)
        self.stream.feed(data)
        if self.log is not None:
            self.log.write(data)

    def flush(self) -> None:
        if self.log is not None:
            self.log.flush()

    # -- what is visible ---------------------------------------------------------------------
    @property
    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.screen.display]

    @property
    def text(self) -> str:
        return "\n".join(self.lines).rstrip("\n")

    @property
    def history(self) -> list[str]:
        """Lines scrolled off the top (the scrollback), oldest first."""
        return ["".join(line[x].data for x in range(self.cols)).rstrip()
                for line in self.screen.history.top]

    @property
    def everything(self) -> list[str]:
        """Scrollback and screen, as a terminal would let you scroll through them."""
        return self.history + self.lines

    def _pump(self, wait: float = 0.05) -> None:
        if self.eof:
            time.sleep(wait)
            return
        try:
            self.child.read_nonblocking(size=65536, timeout=wait)
        except pexpect.TIMEOUT:
            pass
        except pexpect.EOF:
            self.eof = True

    def settle(self, quiet: float = 0.4) -> None:
        """Read until the child has printed nothing for ``quiet`` seconds."""
        deadline = time.monotonic() + self.timeout
        last = len(self.raw)
        calm_since = time.monotonic()
        while time.monotonic() < deadline:
            self._pump(0.05)
            if len(self.raw) != last:
                last, calm_since = len(self.raw), time.monotonic()
            elif time.monotonic() - calm_since >= quiet or self.eof:
                return

    def wait(self, pattern: str, *, timeout: float | None = None) -> re.Match[str]:
        """Until ``pattern`` (a regex) is on the screen; fails showing the screen."""
        deadline = time.monotonic() + (timeout or self.timeout)
        rx = re.compile(pattern, re.M)
        while True:
            m = rx.search(self.text)
            if m:
                return m
            if time.monotonic() > deadline or (self.eof and not self.child.isalive()):
                self._pump(0.2)
                m = rx.search(self.text)
                if m:
                    return m
                raise AssertionError(f"not on the screen: {pattern!r}\n{self.dump()}")
            self._pump(0.05)

    def wait_words(self, text: str, *, timeout: float | None = None) -> None:
        """Until ``text`` is on the screen, whatever line breaks (wrapping) it got."""
        want = " ".join(text.split())
        deadline = time.monotonic() + (timeout or self.timeout)
        while " ".join(self.text.split()).find(want) < 0:
            if time.monotonic() > deadline or self.eof:
                self._pump(0.2)
                if " ".join(self.text.split()).find(want) >= 0:
                    return
                raise AssertionError(f"not on the screen: {text!r}\n{self.dump()}")
            self._pump(0.05)

    def dump(self) -> str:
        top = "+" + "-" * self.cols + "+"
        body = "\n".join(f"|{line.ljust(self.cols)}|" for line in self.screen.display)
        return f"{top}\n{body}\n{top}"

    # -- typing ------------------------------------------------------------------------------
    def send(self, *keys: str, pause: float = 0.12) -> None:
        """Keys as a person types them: a pause before each, so none arrives while one
        question ends and the next starts."""
        for key in keys:
            self._pump(pause)
            self.child.send(key)

    def type(self, text: str) -> None:
        self.send(*text, pause=0.03)

    def finish(self) -> int:
        deadline = time.monotonic() + self.timeout
        while not self.eof and time.monotonic() < deadline:
            self._pump(0.1)
        self.child.close()
        if self.log is not None:
            self.log.close()
        status = self.child.exitstatus
        return status if status is not None else 128 + (self.child.signalstatus or 0)

    def close(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)
        if self.log is not None and not self.log.closed:
            self.log.close()
