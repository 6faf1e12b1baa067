"""The text ``export-credentials`` prints, in each of its formats: ``env`` (``export`` lines
for bash/zsh), ``powershell`` (``$Env:`` lines), ``json``, and ``process`` (the
``credential_process`` JSON, Version 1).

One renderer for the botocore path (:mod:`ssogen.aws.credentials`) and the cached one
(:mod:`ssogen.app.quick_export`); it imports ``json`` only (``shlex`` for ``env``).
"""

from __future__ import annotations

import json

from ssogen.errors import UsageError

FORMATS = ("env", "powershell", "json", "process")


def render_fields(access_key_id: str, secret_access_key: str, session_token: str | None,
                  expiration_iso: str | None, fmt: str) -> str:
    """The credentials in format ``fmt`` (ends with a newline); ``expiration_iso`` is UTC,
    ``%Y-%m-%dT%H:%M:%SZ``."""
    pairs = [("AWS_ACCESS_KEY_ID", access_key_id), ("AWS_SECRET_ACCESS_KEY", secret_access_key)]
    if session_token:
        pairs.append(("AWS_SESSION_TOKEN", session_token))
    if expiration_iso:
        pairs.append(("AWS_CREDENTIAL_EXPIRATION", expiration_iso))
    if fmt == "env":
        import shlex

        return "".join(f"export {k}={shlex.quote(v)}\n" for k, v in pairs)
    if fmt == "powershell":
        return "".join(f"$Env:{k}='{v.replace(chr(39), chr(39) * 2)}'\n" for k, v in pairs)
    body: dict[str, object] = {}
    if fmt == "process":
        body["Version"] = 1
    body["AccessKeyId"] = access_key_id
    body["SecretAccessKey"] = secret_access_key
    if session_token:
        body["SessionToken"] = session_token
    if expiration_iso:
        body["Expiration"] = expiration_iso
    if fmt == "process":
        return json.dumps(body) + "\n"
    if fmt == "json":
        return json.dumps(body, indent=2) + "\n"
    raise UsageError(f"unknown format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")
