"""The AWS CLI v2's role-credential cache for SSO profiles, ``~/.aws/cli/cache``
(docs/AWS-NOW.md §d), which ``export-credentials`` reads first so that a
``credential_process`` answers without a network call or botocore.

* key: ``sha1(json.dumps({"accountId", "roleName", "sessionName"}, sort_keys=True,
  separators=(",", ":")))`` -- ``startUrl`` instead of ``sessionName`` for a legacy profile;
* content, and when an entry is usable: :mod:`ssogen.store.role_entry` (the AWS CLI uses
  ssogen's entries and ssogen the CLI's, and ``aws sso logout``, which deletes every entry
  with ProviderType ``sso``, clears them).

Folder 0700, files 0600, atomic, never through a symlink (:mod:`ssogen.store.cachefile`).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from ssogen.model.digest import sha1_hex
from ssogen.model.session import SsoSession
from ssogen.records import field, record
from ssogen.store.cachefile import json_files, read_json, remove, write_json
from ssogen.store.role_entry import PROVIDER_TYPE, TIME_FORMAT, cache_folder, usable


@record(frozen=True)
class CachedCredentials:
    """An entry of the role-credential cache (its secrets kept out of ``repr``)."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str = field(repr=False)
    expiration: datetime  # UTC


def cache_dir() -> Path:
    """``~/.aws/cli/cache`` (evaluated at call time)."""
    return Path(cache_folder())


def cache_key(session: SsoSession, account_id: str, role_name: str) -> str:
    """The AWS CLI's key (compact separators, unlike the registration key)."""
    args: dict[str, str] = {"roleName": role_name, "accountId": account_id}
    if session.legacy:
        args["startUrl"] = session.start_url
    else:
        args["sessionName"] = session.name
    text = json.dumps(args, sort_keys=True, separators=(",", ":"))
    return sha1_hex(text)


def entry_path(session: SsoSession, account_id: str, role_name: str) -> Path:
    return cache_dir() / f"{cache_key(session, account_id, role_name)}.json"


def load(path: Path, now: datetime | None = None) -> CachedCredentials | None:
    """The entry at ``path`` when it is an SSO entry with more than :data:`EXPIRY_WINDOW`
    left; None otherwise (missing, expiring, malformed, not a regular file)."""
    fields = usable(read_json(path), now)
    return None if fields is None else CachedCredentials(*fields)


def save(path: Path, creds: CachedCredentials, account_id: str) -> None:
    """Write the entry as the AWS CLI writes it (plain ``json.dumps``, its key order)."""
    data = {"ProviderType": PROVIDER_TYPE, "Credentials": {
        "AccessKeyId": creds.access_key_id, "SecretAccessKey": creds.secret_access_key,
        "SessionToken": creds.session_token,
        "Expiration": creds.expiration.astimezone(timezone.utc).strftime(TIME_FORMAT),
        "AccountId": account_id}}
    write_json(path, data, what="credentials", folder="credential cache")


def remove_entry(path: Path) -> bool:
    """Remove one entry (only an SSO one, never e.g. an assume-role entry); True if removed."""
    data = read_json(path)
    if data is None or data.get("ProviderType") != PROVIDER_TYPE:
        return False
    return remove(path)


def sso_entries() -> list[Path]:
    """Every entry ``aws sso logout`` would delete: JSON files with ProviderType ``sso``."""
    return [path for path, data in json_files(cache_dir())
            if data.get("ProviderType") == PROVIDER_TYPE]
