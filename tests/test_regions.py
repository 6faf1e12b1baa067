"""Regions come from botocore's endpoint data (read as a file, botocore not imported), with
ssogen's shipped list as the fallback; typos get the closest regions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ssogen.errors import UsageError
from ssogen.model import regions


def _botocore_endpoints() -> dict:
    import botocore

    path = Path(botocore.__file__).parent / "data" / "endpoints.json"
    return json.loads(path.read_text(encoding="utf-8"))


def test_sso_regions_are_botocores_oidc_and_portal_regions() -> None:
    theirs = set()
    for part in _botocore_endpoints()["partitions"]:
        oidc = set(part["services"].get("oidc", {}).get("endpoints", {}))
        portal = set(part["services"].get("portal.sso", {}).get("endpoints", {}))
        theirs |= oidc & portal & set(part["regions"])
    assert theirs <= set(regions.region_names())
    assert "eu-west-1" in theirs and regions.find("eu-west-1").description == "Europe (Ireland)"


def test_profile_regions_are_every_region_of_every_partition() -> None:
    every = {r for p in _botocore_endpoints()["partitions"] for r in p["regions"]}
    names = set(regions.profile_region_names())
    assert every <= names and set(regions.region_names()) <= names
    assert regions.find_profile_region("us-iso-east-1") is not None  # no SSO there, a region


def test_a_new_botocore_region_appears_without_an_ssogen_release(
        monkeypatch: pytest.MonkeyPatch) -> None:
    data = _botocore_endpoints()
    aws = next(p for p in data["partitions"] if p["partition"] == "aws")
    aws["regions"]["xx-newland-1"] = {"description": "Newland"}
    for service in regions.SSO_SERVICES:
        aws["services"][service]["endpoints"]["xx-newland-1"] = {}
    monkeypatch.setattr(regions, "_botocore_data", lambda: (data, "9.9.9"))
    for fn in (regions.all_regions, regions.profile_regions):
        fn.cache_clear()
    try:
        assert regions.find("xx-newland-1") == regions.Region("xx-newland-1", "Newland", "aws")
        assert regions.validate_sso_region("xx-newland-1") == "xx-newland-1"
        assert regions.source() == "botocore 9.9.9"
    finally:
        monkeypatch.undo()
        for fn in (regions.all_regions, regions.profile_regions):
            fn.cache_clear()


def test_without_botocore_the_shipped_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(regions, "_botocore_data", lambda: (None, None))
    for fn in (regions.all_regions, regions.profile_regions):
        fn.cache_clear()
    try:
        assert len(regions.region_names("aws")) == 34
        assert regions.source() == "ssogen's list"
        assert regions.profile_region_names() == regions.region_names()
    finally:
        monkeypatch.undo()
        for fn in (regions.all_regions, regions.profile_regions):
            fn.cache_clear()


def test_reading_the_lists_imports_no_botocore() -> None:
    code = ("import sys\nfrom ssogen.model import regions\nregions.all_regions()\n"
            "regions.profile_regions()\nprint('botocore' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(("typed", "best"), [
    ("eu-wset-1", ["eu-west-1"]),
    ("eu-west-9", ["eu-west-1", "eu-west-2", "eu-west-3"]),
    ("us-est-1", ["us-east-1", "us-west-1"]),
    ("frankfurt", ["eu-central-1"]),  # a description
    ("", []),
])
def test_closest(typed: str, best: list[str]) -> None:
    names = regions.profile_region_names()
    texts = {r.name: r.description for r in regions.profile_regions()}
    assert regions.closest(typed, names, descriptions=texts) == best


@pytest.mark.parametrize("fn, flag", [(regions.validate_sso_region, "--sso-region"),
                                      (regions.validate_profile_region, "--region")])
def test_a_typo_is_refused_with_did_you_mean(fn, flag: str) -> None:  # type: ignore[no-untyped-def]
    assert fn(" EU-WEST-1 ") == "eu-west-1"
    with pytest.raises(UsageError) as exc:
        fn("eu-wset-1")
    assert exc.value.message.startswith(f"{flag} 'eu-wset-1': no such ")
    assert exc.value.hint.startswith("did you mean eu-west-1?")
    assert "upgrade boto3" in exc.value.hint  # the way for a region newer than the list


def test_no_region_is_a_valid_profile_region() -> None:
    assert regions.validate_profile_region("") == ""
