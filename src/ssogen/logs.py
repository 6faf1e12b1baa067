"""Logging for ``-v`` (info), ``-vv`` (debug) and ``-vvv`` (botocore's debug log too), with
every secret blanked out of every record before any handler formats it.

Applied lazily. Outside the emulator, ssogen's own loggers say info and debug only, so at
the default verbosity nothing needs ``logging`` until AWS code runs: :func:`setup` (the CLI,
once per run) applies the configuration at once for ``-v`` and up, and otherwise keeps it
until :func:`activate`, which the ``ssogen.aws`` and ``ssogen.emulator`` packages call when
they are imported -- before botocore, whose warnings (and the emulator's errors) then get
ssogen's format and the redaction. An offline run (``sync --inventory``, ``setup
--inventory``, ``--help``, ``export-credentials`` answered by the quick path) never imports
``logging``.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing itself is not imported: every command starts here
if TYPE_CHECKING:
    import logging
    import re

#: In botocore's debug log (-vvv): the bearer-token header and the secret fields of request
#: and response bodies (JSON, dict reprs, bytes reprs with escaped quotes). A field is a whole
#: name, not the end of a word ("StartDeviceAuthorization: calling handler"); a quoted value
#: goes up to its closing quote ("Bearer <token>", "AWS4-HMAC-SHA256 Credential=..."), an
#: unquoted one up to a space or a delimiter. Group 1 is kept, the value (group 3) replaced.
SECRET_FIELD_PATTERN = (
    r"""((?<![A-Za-z0-9])(?:x-amz-sso_bearer_token|accessToken|refreshToken|clientSecret|"""
    r"""secretAccessKey|accessKeyId|aws_access_key_id|access_key|AccessKeyId|"""
    r"""sessionToken|deviceCode|codeVerifier|access_token|refresh_token|client_secret|"""
    r"""device_code|code_verifier|Authorization)\\?['"]?\s*[:=]\s*b?\\?(['"])?)"""
    r"""((?(2)[^'"\\]+|[^'"\\,}\s]+))""")

_pending: int | None = None  # the verbosity asked for and not applied yet


class _Redact:
    """Blank out secrets in log records (botocore's debug output includes request and
    response bodies) before any handler formats them. (A filter is any object with a
    ``filter`` method: this one needs no ``logging`` to be defined.)"""

    _pattern: re.Pattern[str] | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        if _Redact._pattern is None:
            import re

            _Redact._pattern = re.compile(SECRET_FIELD_PATTERN, re.IGNORECASE)
        message = record.getMessage()
        redacted = _Redact._pattern.sub(r"\1<redacted>", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def info(logger: str, message: str, *args: object) -> None:
    """``logging.getLogger(logger).info(message, *args)``, importing ``logging`` only when
    there is something to say: for the modules on paths that never need it otherwise
    (offline runs, the cached ``export-credentials``)."""
    import logging

    logging.getLogger(logger).info(message, *args)


def setup(verbosity: int) -> None:
    """The logging for ``verbosity`` (0: warnings only), now or when AWS code is imported."""
    global _pending
    if verbosity > 0 or "ssogen.aws" in sys.modules or "botocore" in sys.modules:
        _pending = None
        _configure(verbosity)
    else:
        _pending = verbosity


def activate() -> None:
    """Apply the logging :func:`setup` kept for later (nothing when there is none)."""
    global _pending
    if _pending is not None:
        verbosity, _pending = _pending, None
        _configure(verbosity)


def _configure(verbosity: int) -> None:
    import logging

    level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="ssogen: %(levelname)s: %(message)s",
                        stream=sys.stderr)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, _Redact) for f in handler.filters):
            handler.addFilter(_Redact())
    if verbosity < 3:  # botocore's debug log contains request bodies (secrets)
        # without -v, not even botocore's warnings: they come with a traceback (a failed token
        # refresh, say) for what ssogen then says in its own one line
        third_party = logging.WARNING if verbosity else logging.ERROR
        for noisy in ("botocore", "boto3", "urllib3"):
            logging.getLogger(noisy).setLevel(third_party)
