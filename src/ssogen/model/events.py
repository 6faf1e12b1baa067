"""What the lower layers tell the person at the terminal, as data: the layers that talk to AWS
or files never print; they hand these to the callbacks they are given."""

from __future__ import annotations

from ssogen.records import record

#: :attr:`LoginPrompt.kind` of the device-code flow (RFC 8628): a URL and a code to enter
DEVICE_CODE = "device-code"
#: :attr:`LoginPrompt.kind` of the authorization-code flow with PKCE (RFC 7636): a URL to open
#: in a browser on this machine, which redirects back to ssogen on 127.0.0.1
PKCE = "pkce"


@record(frozen=True)
class LoginPrompt:
    """A login waiting for the person: where to go (and, for a device code, what to enter).

    Device code: ``verification_uri`` and ``verification_uri_complete`` are opaque strings
    from the service (since 2026 the latter no longer carries the code): shown as given,
    never built or parsed.

    PKCE: both are the ``/authorize`` URL, ``user_code`` is empty. That URL holds the client
    id, the loopback redirect URI, the ``state`` and the S256 ``code_challenge`` -- none of
    them a secret (the challenge is a hash of the verifier, which never leaves the process,
    and a forged callback with a known state still needs the verifier to be redeemed) -- so
    it is printed, as the AWS CLI prints it, for a browser that does not open by itself.
    """

    session: str  # the session's label, e.g. "session acme"
    verification_uri: str
    user_code: str
    verification_uri_complete: str
    expires_in: int  # seconds
    open_browser: bool  # False: --no-browser (print only)
    kind: str = DEVICE_CODE  # DEVICE_CODE | PKCE
    # One line saying which flow the machine's default picked and why ("" when a flag chose).
    note: str = ""


TYPE_CHECKING = False  # no typing import at run time (start-up time, memory)
if TYPE_CHECKING:
    from typing import Protocol

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
