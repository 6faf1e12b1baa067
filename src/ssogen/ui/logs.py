"""Logging for ``-v`` (info), ``-vv`` (debug) and ``-vvv`` (botocore's debug log too), with
every secret blanked out of every record before any handler formats it."""

from __future__ import annotations

import logging
import re
import sys

#: In botocore's debug log (-vvv): the bearer-token header and the secret fields of request
#: and response bodies (JSON, dict reprs, bytes reprs with escaped quotes).
_SECRET_FIELD = re.compile(
    r"""((?:x-amz-sso_bearer_token|accessToken|refreshToken|clientSecret|secretAccessKey|"""
    r"""accessKeyId|aws_access_key_id|access_key|AccessKeyId|"""
    r"""sessionToken|deviceCode|codeVerifier|access_token|refresh_token|client_secret|"""
    r"""device_code|code_verifier|Authorization)\\?['"]?\s*[:=]\s*b?\\?['"]?)"""
    r"""([^'"\\,}\s]+)""", re.IGNORECASE)


class _Redact(logging.Filter):
    """Blank out secrets in log records (botocore's debug output includes request and
    response bodies) before any handler formats them."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _SECRET_FIELD.sub(r"\1<redacted>", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def setup_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="ssogen: %(levelname)s: %(message)s",
                        stream=sys.stderr)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, _Redact) for f in handler.filters):
            handler.addFilter(_Redact())
    if verbosity < 3:  # botocore's debug log contains request bodies (secrets)
        for noisy in ("botocore", "boto3", "urllib3"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
