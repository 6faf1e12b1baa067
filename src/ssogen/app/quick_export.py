"""``export-credentials`` answered from the cache before the rest of ssogen is imported: what
a ``credential_process`` costs at every SDK start when the role credentials are still good.

:func:`answer` takes the words after ``export-credentials`` and returns the text to print, or
None -- and then the full path runs (argparse, the config's parse, botocore when needed), which
also says every error. So this answers only the plain forms (``--profile NAME``,
``--format FMT``, ``--config PATH``, each once, ``--opt VALUE`` or ``--opt=VALUE``), only when
:mod:`ssogen.store.export_index` knows the profile for the config's exact bytes, and only with
an entry :func:`ssogen.store.role_entry.usable` accepts -- the same rule, entry and renderer
the full path uses, so both print the same. The config is read by the path as given (what
the full path opens: a symlink followed before any ``..``); the absolute spelling is only the
index's key, and a record counts only for the very bytes just read. It imports ``json``,
``datetime`` and ssogen's small store modules; no ``argparse``, ``dataclasses``,
``pathlib``, ``logging`` or ``typing``.
"""

from __future__ import annotations

from ssogen.aws.credential_formats import FORMATS, render_fields
from ssogen.store import export_index, role_entry
from ssogen.store.cachefile import read_bytes, read_json

#: a larger config goes the full way (its read is the full path's business)
MAX_CONFIG_BYTES = 64 << 20
_OPTIONS = ("--profile", "--format", "--config")


def _options(words: list[str]) -> dict[str, str] | None:
    """The options, when the words are only the plain forms, each given once; else None."""
    found: dict[str, str] = {}
    i = 0
    while i < len(words):
        word = words[i]
        name, eq, value = word.partition("=")
        if name not in _OPTIONS or name in found:
            return None
        if not eq:
            if i + 1 >= len(words):
                return None
            i += 1
            value = words[i]
        if not value or value.startswith("-"):
            return None
        found[name] = value
        i += 1
    return found if "--profile" in found else None


def answer(words: list[str], default_config: str) -> str | None:
    """The text ``ssogen export-credentials WORDS`` prints, when the cache answers it as the
    full path would; None when the full path must run (see the module)."""
    options = _options(words)
    if options is None:
        return None
    fmt = options.get("--format", "env")
    if fmt not in FORMATS:
        return None
    config = options.get("--config", default_config)
    raw = read_bytes(config, MAX_CONFIG_BYTES)  # the path as given, as the full path reads it
    if raw is None:
        return None
    folder = role_entry.cache_folder()
    entry = export_index.lookup(folder, export_index.config_key(config), raw,
                                options["--profile"])
    fields = None if entry is None else role_entry.usable(read_json(entry))
    if fields is None:
        return None
    key_id, secret, token, expires = fields
    return render_fields(key_id, secret, token, expires.strftime(role_entry.TIME_FORMAT), fmt)
