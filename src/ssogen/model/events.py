"""What the lower layers tell the person at the terminal, as data: the layers that talk to AWS
or files never print; they hand these to the callbacks they are given."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class LoginPrompt:
    """A device-code login waiting for approval: where to go and what to enter.

    ``verification_uri`` and ``verification_uri_complete`` are opaque strings from the service
    (since 2026 the latter no longer carries the code): shown as given, never built or parsed.
    """

    session: str  # the session's label, e.g. "session acme"
    verification_uri: str
    user_code: str
    verification_uri_complete: str
    expires_in: int  # seconds
    open_browser: bool  # False: --no-browser (print only)


class ProgressSink(Protocol):
    """A progress indicator discovery reports into (thread-safe)."""

    def update(self, *, done: int | None = None, add_done: int = 0, total: int | None = None,
               total_final: bool | None = None, throttled: int | None = None,
               retried: int | None = None) -> None: ...

    def close(self) -> None: ...


class NoProgress:
    """A progress sink that shows nothing."""

    def update(self, **_: object) -> None:
        return None

    def close(self) -> None:
        return None
