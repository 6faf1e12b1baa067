"""One entry of the AWS CLI v2's role-credential cache (``~/.aws/cli/cache/<key>.json``,
docs/AWS-NOW.md §d): when it is usable, and what it holds.

``{"ProviderType": "sso", "Credentials": {"AccessKeyId", "SecretAccessKey", "SessionToken",
"Expiration" ("%Y-%m-%dT%H:%M:%SZ"), "AccountId"}}``, used while more than 15 minutes remain
(the AWS CLI's and botocore's window). One rule for both ways ``export-credentials`` answers
from the cache (:mod:`ssogen.store.role_credentials` and :mod:`ssogen.app.quick_export`), so
this module imports only ``os`` and ``datetime``.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

TYPE_CHECKING = False  # typing itself is not imported: this module is on a fast path
if TYPE_CHECKING:
    from typing import Any

PROVIDER_TYPE = "sso"
#: an entry with less than this left is not used (botocore's and the AWS CLI's window)
EXPIRY_WINDOW = timedelta(minutes=15)
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def cache_folder() -> str:
    """``~/.aws/cli/cache``, the AWS CLI's folder (evaluated at call time)."""
    return os.path.expanduser(os.path.join("~", ".aws", "cli", "cache"))


def parse_time(value: Any) -> datetime | None:
    """An ``Expiration`` as UTC; None for anything that is not an ISO 8601 time."""
    if not isinstance(value, str) or not 0 < len(value) <= 64:
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def usable(data: dict[str, Any] | None,
           now: datetime | None = None) -> tuple[str, str, str, datetime] | None:
    """(access key id, secret access key, session token, expiration) of an SSO entry with
    more than :data:`EXPIRY_WINDOW` left; None for any other entry, an expiring one or a
    malformed one."""
    if data is None or data.get("ProviderType") != PROVIDER_TYPE:
        return None
    creds = data.get("Credentials")
    if not isinstance(creds, dict):
        return None
    key_id, secret = _str(creds.get("AccessKeyId")), _str(creds.get("SecretAccessKey"))
    token = _str(creds.get("SessionToken"))
    expires = parse_time(creds.get("Expiration"))
    if key_id is None or secret is None or token is None or expires is None:
        return None
    if expires - (now or datetime.now(timezone.utc)) <= EXPIRY_WINDOW:
        return None
    return key_id, secret, token, expires
