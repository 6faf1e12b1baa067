"""Which AWS CLI cache entry answers ``export-credentials --profile NAME`` for one exact config
file: what lets a cached answer skip the config's parse, ssogen's model and argparse
(:mod:`ssogen.app.quick_export`).

``~/.aws/cli/cache/.ssogen-export-index.json`` -- hidden, beside the entries it names, 0600 in
the 0700 folder (:mod:`ssogen.store.cachefile`), no secret in it::

    {"version": 1, "ssogen": "<its version>",
     "configs": {"/abs/path/config": {"sha256": "<the file's bytes>",
                                      "profiles": {"NAME": "<entry>.json"}}}}

Written by :func:`ssogen.app.credentials.export` each time it answers an IAM Identity Center
profile from the cache or caches new credentials; read by the quick path. An entry is trusted
only for the bytes it was made from: the quick path reads and hashes the config at every call,
so any edit (one byte, a BOM, another file at that path) is a miss and the full path answers
-- and records the new bytes. Nothing here decides what a profile means: the full path did,
from the same bytes -- and the same ssogen: an index another version wrote is a miss (what a
profile means is that version's decision). At most :data:`MAX_CONFIGS` config files are kept
(the last ones used).
"""

from __future__ import annotations

import os
import re

from ssogen import __version__
from ssogen.model.digest import sha256_hex
from ssogen.store.cachefile import read_json

TYPE_CHECKING = False  # typing itself is not imported: this module is on a fast path
if TYPE_CHECKING:
    from typing import Any

NAME = ".ssogen-export-index.json"
VERSION = 1
MAX_CONFIGS = 16
#: an AWS CLI cache entry's file name (a SHA-1 in hex): nothing else, no path, is followed
ENTRY_NAME = re.compile(r"[0-9a-f]{40}\.json")


def index_path(folder: str) -> str:
    return os.path.join(folder, NAME)


def config_key(path: str | os.PathLike[str]) -> str:
    """The index's key for a config path: its absolute spelling (only a key: the file is
    always read by the path as given, and a record counts only for the bytes read)."""
    return os.path.abspath(path)


def _configs(folder: str) -> dict[str, Any]:
    data = read_json(index_path(folder))
    if data is None or data.get("version") != VERSION or data.get(
            "ssogen") != __version__ or not isinstance(data.get("configs"), dict):
        return {}
    configs: dict[str, Any] = data["configs"]
    return configs


def lookup(folder: str, config: str, raw: bytes, profile: str) -> str | None:
    """The path of the cache entry recorded for ``profile`` of the config file ``config``
    (absolute) when its content was exactly ``raw``; None otherwise."""
    record = _configs(folder).get(config)
    if not isinstance(record, dict) or record.get("sha256") != sha256_hex(raw):
        return None
    profiles = record.get("profiles")
    name = profiles.get(profile) if isinstance(profiles, dict) else None
    if not isinstance(name, str) or not ENTRY_NAME.fullmatch(name):
        return None
    return os.path.join(folder, name)


def remember(folder: str, config: str, raw: bytes, profile: str, entry: str) -> None:
    """Record that ``profile`` of ``config`` (absolute; content ``raw``) is answered by the
    entry file ``entry`` (a name in ``folder``). Writes only when that changes anything; a
    record of other bytes of the same file is replaced. Raises ConfigFileError when the
    index cannot be written (the caller goes on: the index only saves time)."""
    from pathlib import Path

    from ssogen.store.cachefile import write_json

    digest = sha256_hex(raw)
    configs = _configs(folder)
    record = configs.get(config)
    profiles = record.get("profiles") if isinstance(record, dict) and record.get(
        "sha256") == digest else None
    profiles = dict(profiles) if isinstance(profiles, dict) else {}
    if profiles.get(profile) == entry and next(reversed(configs), None) == config:
        return
    profiles[profile] = entry
    configs = {k: v for k, v in configs.items() if k != config}
    configs[config] = {"sha256": digest, "profiles": profiles}  # the last one used: last
    kept = dict(list(configs.items())[-MAX_CONFIGS:])
    write_json(Path(index_path(folder)), {"version": VERSION, "ssogen": __version__,
                                          "configs": kept},
               what="the export index", folder="credential cache")


def forget(folder: str) -> None:
    """Remove the index (``logout``: the entries it names are gone or going); quietly -- it
    holds no secret, and a missing index only costs the next call its speed."""
    import contextlib
    from pathlib import Path

    from ssogen.errors import ConfigFileError
    from ssogen.store.cachefile import remove

    with contextlib.suppress(ConfigFileError):
        remove(Path(index_path(folder)))
