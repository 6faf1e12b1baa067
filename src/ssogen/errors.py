"""Exit codes (the CLI contract, README) and the exception hierarchy that maps onto them.

Every error a user can cause or meet is a :class:`SsogenError`; the CLI prints its message on
one line (``ssogen: error: ...``) and exits with its ``exit_code``. Messages must never contain a
secret (token, client secret, role credential).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_DRIFT = 1  # --check found differences
EXIT_DECLINED = 1  # setup: the changes were shown and declined; the config is untouched
EXIT_USAGE = 2  # usage error, unreadable or invalid config/inventory file
EXIT_LOGIN = 3  # login failed: denied, expired, invalid client
EXIT_NOT_LOGGED_IN = 4  # no valid token and --no-login
EXIT_API = 5  # AWS API failure after retries
EXIT_INTERRUPTED = 130  # Ctrl-C; nothing written
EXIT_INTERNAL = 70  # a bug in ssogen (details with -v)


class SsogenError(Exception):
    """Base class: an error with a one-line, user-facing message and an exit code."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(SsogenError):
    """Bad flag or argument value."""

    exit_code = EXIT_USAGE


class ConfigFileError(SsogenError):
    """The config file cannot be read or parsed (message names the file and line).
    ``more``: the file's other problems, as ``(line, what)``, after the one the message
    names (the hint says them in a line; ``ssogen doctor`` lists each)."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, *, hint: str | None = None,
                 more: tuple[tuple[int, str], ...] = ()) -> None:
        super().__init__(message, hint=hint)
        self.more = more


class InventoryError(SsogenError):
    """An inventory file is unreadable or malformed."""

    exit_code = EXIT_USAGE


class LoginError(SsogenError):
    """Device-code login failed (denied, expired, invalid client)."""

    exit_code = EXIT_LOGIN


class NotLoggedInError(SsogenError):
    """No usable token and logging in was not allowed (--no-login)."""

    exit_code = EXIT_NOT_LOGGED_IN


class ApiError(SsogenError):
    """An AWS API call failed after retries."""

    exit_code = EXIT_API
