"""IAM Identity Center regions per partition, read from ``templates/sso_regions.json``.

The list is data (botocore's ``endpoints.json``, services ``oidc`` and
``portal.sso``): when AWS opens a region, the JSON file changes, not this code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from ssogen.errors import UsageError
from ssogen.resources import read_template

DATA_FILE = "sso_regions.json"


@dataclass(frozen=True)
class Region:
    name: str
    description: str
    partition: str

    @property
    def label(self) -> str:
        return f"{self.name}  {self.description}" if self.description else self.name


@lru_cache(maxsize=1)
def all_regions() -> tuple[Region, ...]:
    """Every region where an ``sso_region`` can be, in file order (partition, then name)."""
    data = json.loads(read_template(DATA_FILE))
    out: list[Region] = []
    for part in data["partitions"]:
        for reg in part["regions"]:
            out.append(Region(reg["name"], reg.get("description", ""), part["partition"]))
    return tuple(out)


def region_names(partition: str | None = None) -> list[str]:
    return [r.name for r in all_regions() if partition is None or r.partition == partition]


def partitions() -> list[str]:
    seen: list[str] = []
    for r in all_regions():
        if r.partition not in seen:
            seen.append(r.partition)
    return seen


def find(name: str) -> Region | None:
    for r in all_regions():
        if r.name == name:
            return r
    return None


def validate_sso_region(name: str) -> str:
    """Return the region name (trimmed, lower-cased) or raise a one-line UsageError."""
    value = (name or "").strip().lower()
    if find(value):
        return value
    import difflib

    close = difflib.get_close_matches(value, region_names(), n=3, cutoff=0.6)
    hint = f"did you mean {', '.join(close)}?" if close else (
        "IAM Identity Center regions look like eu-west-1 or us-east-1; "
        "see `ssogen setup --help`")
    raise UsageError(f"unknown IAM Identity Center region {name!r}", hint=hint)
