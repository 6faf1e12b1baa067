"""AWS regions per partition: where IAM Identity Center runs (an ``sso_region``) and every
region a profile can name (its ``region``).

The lists come from botocore's own endpoint data (``botocore/data/endpoints.json``), so a
region AWS opens appears here with the next boto3 upgrade: an ``sso_region`` is a region where
both services the login uses (``oidc`` and ``portal.sso``) have an endpoint; a profile region
is any region of a partition. The file is read as JSON without importing botocore (importing
it costs ~100 ms, reading the file ~20 ms) and only when a list is needed, never for
``--help``. ``templates/sso_regions.json`` ships with ssogen as the fallback (botocore not
installed, or its data unreadable) and is merged in, so the list never shrinks below it.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache

from ssogen.errors import UsageError
from ssogen.records import record
from ssogen.resources import read_template

TYPE_CHECKING = False  # no typing import at run time (start-up time, memory)
if TYPE_CHECKING:
    from typing import Any

DATA_FILE = "sso_regions.json"
#: the services a device-code login and discovery call (botocore's endpoint names)
SSO_SERVICES = ("oidc", "portal.sso")
#: partitions listed first, in this order (the rest follow in botocore's order)
PARTITION_ORDER = ("aws", "aws-cn", "aws-us-gov", "aws-eusc")


@record(frozen=True)
class Region:
    name: str
    description: str
    partition: str

    @property
    def label(self) -> str:
        return f"{self.name}  {self.description}" if self.description else self.name


@lru_cache(maxsize=1)
def _botocore_data() -> tuple[dict[str, Any] | None, str | None]:
    """(botocore's endpoint data, its version), found without importing botocore; (None,
    None) when it is not installed or its data cannot be read."""
    import gzip
    import importlib.util

    try:
        spec = importlib.util.find_spec("botocore")
    except (ImportError, ValueError):
        return None, None
    if spec is None or not spec.submodule_search_locations:
        return None, None
    for location in spec.submodule_search_locations:
        for name in ("endpoints.json", "endpoints.json.gz"):
            try:
                with open(os.path.join(location, "data", name), "rb") as fh:
                    raw = fh.read()
                if name.endswith(".gz"):
                    raw = gzip.decompress(raw)
                data = json.loads(raw)
            except (OSError, ValueError, EOFError):
                continue
            if isinstance(data, dict) and isinstance(data.get("partitions"), list):
                return data, _botocore_version(location)
    return None, None


def _botocore_version(package: str) -> str | None:
    import re

    try:
        with open(os.path.join(package, "__init__.py"), encoding="utf-8",
                  errors="replace") as fh:
            text = fh.read()
    except OSError:
        return None
    m = re.search(r"""^__version__\s*=\s*['"]([^'"]+)['"]""", text, re.M)
    return m.group(1) if m else None


def source() -> str:
    """Where the lists come from, for messages: ``botocore 1.44.8`` or ``ssogen's list``."""
    data, version = _botocore_data()
    if data is None:
        return "ssogen's list"
    return f"botocore {version}" if version else "botocore"


def _template() -> dict[str, list[tuple[str, str]]]:
    data = json.loads(read_template(DATA_FILE))
    return {part["partition"]: [(r["name"], r.get("description", "")) for r in part["regions"]]
            for part in data["partitions"]}


def _ordered(parts: dict[str, list[Region]]) -> tuple[Region, ...]:
    names = [p for p in PARTITION_ORDER if p in parts] + [
        p for p in parts if p not in PARTITION_ORDER]
    return tuple(r for p in names for r in sorted(parts[p], key=lambda r: r.name))


def _collect(sso_only: bool) -> tuple[Region, ...]:
    shipped = _template()
    described = {name: text for regs in shipped.values() for name, text in regs}
    parts: dict[str, list[Region]] = {}
    seen: set[str] = set()
    data, _ = _botocore_data()
    for part in (data or {}).get("partitions", []):
        if not isinstance(part, dict) or not isinstance(part.get("partition"), str):
            continue
        known = part.get("regions") if isinstance(part.get("regions"), dict) else {}
        assert isinstance(known, dict)
        names = set(known)
        if sso_only:
            services = part.get("services") if isinstance(part.get("services"), dict) else {}
            assert isinstance(services, dict)
            for service in SSO_SERVICES:
                endpoints = services.get(service, {}).get("endpoints", {})
                names &= set(endpoints) if isinstance(endpoints, dict) else set()
        for name in names:
            info = known.get(name)
            text = info.get("description", "") if isinstance(info, dict) else ""
            region = Region(name, str(text or described.get(name, "")), part["partition"])
            parts.setdefault(region.partition, []).append(region)
            seen.add(name)
    for partition, regs in shipped.items():  # the shipped list, where botocore lacks it
        for name, text in regs:
            if name not in seen:
                parts.setdefault(partition, []).append(Region(name, text, partition))
                seen.add(name)
    return _ordered(parts)


@lru_cache(maxsize=1)
def all_regions() -> tuple[Region, ...]:
    """Every region where an ``sso_region`` can be (partition, then name)."""
    return _collect(sso_only=True)


@lru_cache(maxsize=1)
def profile_regions() -> tuple[Region, ...]:
    """Every region a profile's ``region`` can name (partition, then name): also regions
    without IAM Identity Center, since a profile's region is where its calls go."""
    return _collect(sso_only=False)


def region_names(partition: str | None = None) -> list[str]:
    return [r.name for r in all_regions() if partition is None or r.partition == partition]


def profile_region_names() -> list[str]:
    return [r.name for r in profile_regions()]


def partitions() -> list[str]:
    seen: list[str] = []
    for r in all_regions():
        if r.partition not in seen:
            seen.append(r.partition)
    return seen


def find(name: str) -> Region | None:
    """The IAM Identity Center region of this name, or None."""
    return next((r for r in all_regions() if r.name == name), None)


def find_profile_region(name: str) -> Region | None:
    """The region of this name (any partition, with or without IAM Identity Center)."""
    return next((r for r in profile_regions() if r.name == name), None)


def closest(value: str, names: list[str], n: int = 3,
            descriptions: dict[str, str] | None = None) -> list[str]:
    """The names nearest to ``value``, best first: a typo (``eu-wset-1`` → ``eu-west-1``;
    only the best when one stands out), else names or descriptions containing it
    (``frankfurt`` → ``eu-central-1``)."""
    import difflib

    value = (value or "").strip().lower()
    if not value:
        return []
    scored = sorted(((difflib.SequenceMatcher(None, value, name).ratio(), name)
                     for name in names), key=lambda x: (-x[0], x[1]))
    if scored and scored[0][0] >= 0.6:
        best = scored[0][0]
        return [name for score, name in scored if score >= best - 0.05][:n]
    texts = descriptions or {}
    return [name for name in names
            if value in name or value in texts.get(name, "").lower()][:n]


def did_you_mean(names: list[str]) -> str:
    if not names:
        return ""
    if len(names) == 1:
        return f"did you mean {names[0]}?"
    return f"did you mean {', '.join(names[:-1])} or {names[-1]}?"


def _unknown(flag: str, what: str, value: str, names: list[str], example: str) -> UsageError:
    close = closest(value, names, descriptions={r.name: r.description
                                                for r in profile_regions()})
    first = did_you_mean(close) if close else f"regions look like {example}"
    return UsageError(f"{flag} {value.strip()[:40]!r}: no such {what} ({source()})",
                      hint=f"{first} (a newer region? upgrade boto3, or leave out {flag} "
                      "and confirm it in the wizard)")


def validate_sso_region(name: str, *, flag: str = "--sso-region") -> str:
    """The region name (trimmed, lower-cased), or a one-line UsageError with the closest
    IAM Identity Center regions."""
    value = (name or "").strip().lower()
    if find(value):
        return value
    raise _unknown(flag, "IAM Identity Center region", name or "", region_names(),
                   "eu-west-1 or us-east-1")


def validate_profile_region(name: str, *, flag: str = "--region") -> str:
    """The region name (trimmed, lower-cased), or a one-line UsageError with the closest
    regions. An empty value means "no region" and is returned as ``""``."""
    value = (name or "").strip().lower()
    if not value or find_profile_region(value):
        return value
    raise _unknown(flag, "AWS region", name or "", profile_region_names(),
                   "eu-west-1 or us-east-2")
