"""Settings of one generated session, and how they are remembered in the config file.

A run of ``setup`` stores what ``sync`` needs to repeat it in a section ``[ssogen NAME]`` (one
per sso-session; botocore ignores sections whose name does not start with ``profile``,
``sso-session`` or ``services``)::

    [ssogen acme]
    region = eu-west-1
    output = json
    name_template = account-role
    include = ["prod-*"]
    chains = ["*-administrator-access=arn:aws:iam::{{ account_id }}:role/Deploy"]

Scalars are written as they are, lists and maps as JSON (unambiguous, no quoting rules of our
own). ``start_url`` and ``sso_region`` are not repeated there: the ``[sso-session NAME]``
section is the one source of truth for them. This module is pure (no file I/O): the engine
reads the file and hands the parsed keys over.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from ssogen.errors import ConfigFileError
from ssogen.records import field, record

TYPE_CHECKING = False  # no typing import at run time (start-up time, memory)
if TYPE_CHECKING:
    from typing import Any

    from ssogen.model.chain import ChainSpec
    from ssogen.model.inventory import Account

#: The key that marks a section ssogen owns: ``ssogen_managed = true``.
MARKER = "ssogen_managed"

#: Section name prefix of remembered settings. Must never start with ``profile``,
#: ``sso-session`` or ``services`` (botocore routes sections by prefix).
SETTINGS_PREFIX = "ssogen"

#: The preset used when no --name-template is given (see templates/presets.json).
DEFAULT_NAME_TEMPLATE = "account-role"

_SCALAR_KEYS = ("region", "output", "name_template")
_LIST_KEYS = ("include", "exclude")
_MAP_KEYS = ("role_aliases",)
#: JSON objects kept in the order given: --profile-template keys (the order they are
#: written), and account regions (the first matching glob wins)
_ORDERED_MAP_KEYS = ("profile_keys", "account_regions")
#: the Windows mirror on WSL2 (:mod:`ssogen.model.windows`): a folder path, or ``off``
_WINDOWS_KEYS = ("windows_mirror",)
#: --chain specs (:mod:`ssogen.model.chain`), a JSON list of their text, in the flags' order
_CHAIN_KEY = "chains"
SETTINGS_KEYS = (_SCALAR_KEYS + _LIST_KEYS + _MAP_KEYS + _ORDERED_MAP_KEYS + _WINDOWS_KEYS
                 + (_CHAIN_KEY,))


@record
class Settings:
    session: str  # sso-session name
    start_url: str
    sso_region: str
    region: str | None = None  # default region written into new profiles
    output: str | None = None  # default output
    name_template: str = DEFAULT_NAME_TEMPLATE  # preset name or Jinja2 (sandboxed) template
    include: list[str] = field(default_factory=list)  # globs: account name / id / role name
    exclude: list[str] = field(default_factory=list)
    role_aliases: dict[str, str] = field(default_factory=dict)  # role name -> short name
    # account id, or a case-insensitive glob on the id or the name -> region (in order)
    account_regions: dict[str, str] = field(default_factory=dict)
    # extra keys for every generated profile (--profile-template), in the template's order
    profile_keys: dict[str, str] = field(default_factory=dict)
    # WSL2: the Windows user's .aws folder the profiles and logins are mirrored to, or "off"
    windows_mirror: str | None = None
    # roles assumed from the generated profiles (--chain), in the flags' order
    chains: list[ChainSpec] = field(default_factory=list)

    def region_for(self, account: Account) -> str | None:
        """The region written into this account's profiles: ``account_regions`` -- an entry
        naming the account id wins, else the first glob matching its id or name (case does
        not matter, as for ``include``) -- else the default region."""
        if not self.account_regions:
            return self.region
        return account_region(self.account_regions, account.id, account.name) or self.region

    def to_section(self) -> dict[str, str]:
        """The keys of the ``[ssogen NAME]`` section (empty settings left out)."""
        out: dict[str, str] = {}
        if self.region:
            out["region"] = self.region
        if self.output:
            out["output"] = self.output
        out["name_template"] = self.name_template
        for key in _LIST_KEYS:
            values = getattr(self, key)
            if values:
                out[key] = json.dumps(list(values), ensure_ascii=False)
        for key in _MAP_KEYS:
            mapping = getattr(self, key)
            if mapping:
                out[key] = json.dumps(dict(sorted(mapping.items())), ensure_ascii=False)
        for key in _ORDERED_MAP_KEYS:
            mapping = getattr(self, key)
            if mapping:
                out[key] = json.dumps(dict(mapping), ensure_ascii=False)
        if self.windows_mirror:
            out["windows_mirror"] = self.windows_mirror
        if self.chains:
            out[_CHAIN_KEY] = json.dumps([c.text for c in self.chains], ensure_ascii=False)
        return out

    @classmethod
    def from_section(cls, session: str, start_url: str, sso_region: str,
                     values: Mapping[str, str], *, where: str = "") -> Settings:
        """Inverse of :meth:`to_section`; ``where`` (``file:line``) prefixes errors."""
        prefix = f"{where}: " if where else ""

        def load_json(key: str, kind: type) -> Any:
            raw = values[key]
            try:
                data = json.loads(raw)
            except json.JSONDecodeError:
                raise ConfigFileError(
                    f"{prefix}[{SETTINGS_PREFIX} {session}] {key} is not valid JSON: {raw!r:.60}"
                ) from None
            items: list[object] | None = (list(data.values()) if isinstance(data, dict)
                                          else data if isinstance(data, list) else None)
            if not isinstance(data, kind) or items is None or not all(
                    isinstance(v, str) for v in items):
                raise ConfigFileError(
                    f"{prefix}[{SETTINGS_PREFIX} {session}] {key} must be a JSON "
                    f"{'list' if kind is list else 'object'} of strings"
                )
            return data

        s = cls(session=session, start_url=start_url, sso_region=sso_region)
        s.region = values.get("region") or None
        s.output = values.get("output") or None
        s.name_template = values.get("name_template") or DEFAULT_NAME_TEMPLATE
        for key in _LIST_KEYS:
            if values.get(key):
                setattr(s, key, list(load_json(key, list)))
        for key in _MAP_KEYS + _ORDERED_MAP_KEYS:
            if values.get(key):
                setattr(s, key, dict(load_json(key, dict)))
        if values.get("windows_mirror"):
            s.windows_mirror = _windows_mirror(values["windows_mirror"], f"{prefix}"
                                               f"[{SETTINGS_PREFIX} {session}]")
        if s.profile_keys:
            from ssogen.model.profile_keys import check

            problem = check(s.profile_keys)
            if problem:
                raise ConfigFileError(f"{prefix}[{SETTINGS_PREFIX} {session}] profile_keys: "
                                      f"{problem}")
        if values.get(_CHAIN_KEY):
            s.chains = _load_chains(load_json(_CHAIN_KEY, list),
                                    f"{prefix}[{SETTINGS_PREFIX} {session}] {_CHAIN_KEY}")
        return s


def account_region(mapping: Mapping[str, str], account_id: str, account_name: str,
                   ) -> str | None:
    """The region ``mapping`` (pattern -> region) gives this account, or None."""
    from fnmatch import fnmatchcase

    if account_id in mapping:
        return mapping[account_id]
    fields = (account_id, account_name.lower())
    for pattern, region in mapping.items():
        if any(fnmatchcase(f, pattern.lower()) for f in fields):
            return region
    return None


def _windows_mirror(value: str, where: str) -> str:
    from ssogen.model.windows import normalized, value_problem

    problem = value_problem(value)
    if problem:
        raise ConfigFileError(f"{where} windows_mirror {problem}",
                              hint="fix it, or run `ssogen setup --windows` / --no-windows")
    return value if value == "off" else normalized(value)


def _load_chains(texts: list[str], where: str) -> list[ChainSpec]:
    from ssogen.model import chain

    out = []
    for text in texts:
        try:
            out.append(chain.parse(text))
        except ValueError as exc:
            raise ConfigFileError(f"{where}: {text[:200]!r}: {exc}") from None
    return out


def settings_section_name(session: str) -> str:
    return f"{SETTINGS_PREFIX} {session}"
