"""``--profile-template FILE``: extra keys for every generated ``[profile]``.

The file lists ``key = value`` lines, as they would appear in a profile::

    # every profile ssogen generates for this session
    cli_pager =
    duration_seconds = 3600

Comments (``#``/``;``) and blank lines are allowed; nothing else is: no ``[section]`` header,
no indented (nested) values, one ``=`` per line. An empty value is written as ``cli_pager =``
(botocore and the AWS CLI read ``''``: no pager).

Refused, with the file and line (exit 2):

* keys ssogen owns (``sso_session``, ``sso_account_id``, ``sso_role_name``,
  ``ssogen_managed``) or writes from flags (``region``, ``output``: use ``--region`` /
  ``--output``); any other ``sso_*`` key (they belong to the ``[sso-session]``; a profile
  repeating them with another value makes botocore refuse it);
* keys that would stop the profile from being an SSO profile (``role_arn``,
  ``source_profile``, ``credential_source``, ``credential_process``,
  ``web_identity_token_file``: botocore would resolve those first) or put long-lived secrets
  into every profile (``aws_access_key_id``...);
* anything that cannot round-trip through an INI line (control characters, keys that are not
  plain ``[a-z0-9_]`` names).

The keys and values (not the path) are remembered in ``[ssogen NAME]`` as ``profile_keys`` so
that ``sync`` repeats them wherever it runs (CI, another laptop) without the file.
"""

from __future__ import annotations

from ssogen.errors import UsageError
from ssogen.model.profile_keys import key_problem, value_problem


def parse(text: str, source: str) -> dict[str, str]:
    """The keys of a template file, in file order; UsageError naming ``source:line``."""
    keys: dict[str, str] = {}
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r")
        stripped = line.strip()
        where = f"{source}:{lineno}"
        if not stripped or stripped.startswith(("#", ";")):
            continue
        if line[:1] in (" ", "\t"):
            raise UsageError(f"{where}: indented line {stripped!r:.40}: nested values are "
                             "not supported in a profile template")
        if stripped.startswith("["):
            raise UsageError(f"{where}: {stripped!r:.40}: a profile template lists keys only "
                             "(no [section] headers)")
        key, sep, value = line.partition("=")
        if not sep:
            raise UsageError(f"{where}: {stripped!r:.40} is not `key = value`")
        key, value = key.strip().lower(), value.strip()
        problem = key_problem(key) or value_problem(value)
        if problem:
            raise UsageError(f"{where}: {problem}")
        if key in keys:
            raise UsageError(f"{where}: {key} is set twice (botocore refuses duplicate keys)")
        keys[key] = value
    return keys
