"""Which keys a ``--profile-template`` may add to every generated profile (and a remembered
``profile_keys`` may hold): the rules, once."""

from __future__ import annotations

import re
from collections.abc import Mapping

from ssogen.model.validate import has_control

OWNED = ("sso_session", "sso_account_id", "sso_role_name", "ssogen_managed")
FROM_FLAGS = {"region": "--region", "output": "--output"}
NOT_SSO = ("role_arn", "source_profile", "credential_source", "credential_process",
           "web_identity_token_file", "aws_access_key_id", "aws_secret_access_key",
           "aws_session_token", "aws_security_token")
_KEY = re.compile(r"[a-z0-9][a-z0-9_]*")


def key_problem(key: str) -> str | None:
    """Why ``key`` may not come from a profile template (None: it may)."""
    if not _KEY.fullmatch(key):
        return f"{key!r:.40} is not a plain config key (lower-case letters, digits, _)"
    if key in OWNED:
        return f"{key} is owned by ssogen (it identifies the profile)"
    if key in FROM_FLAGS:
        return f"{key} is set with {FROM_FLAGS[key]} (remembered for sync), not in a template"
    if key.startswith("sso_"):
        return f"{key} belongs to the [sso-session], not to the profiles"
    if key in NOT_SSO:
        return (f"{key} would make the generated profiles resolve credentials some other way "
                "than through SSO")
    return None


def value_problem(value: str) -> str | None:
    if has_control(value):
        return "the value contains a control character (tab, line break...)"
    return None


def check(keys: Mapping[str, str]) -> str | None:
    """A problem with remembered keys (e.g. a hand-edited ``[ssogen NAME]``), or None."""
    for key, value in keys.items():
        problem = key_problem(key) or value_problem(value)
        if problem:
            return problem
    return None
