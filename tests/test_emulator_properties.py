"""Properties of the emulator's pagination and device codes, checked on the Python API (no
HTTP: fast enough for many examples; the wire format is covered in test_emulator.py)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssogen.emulator import Emulator, Organization
from ssogen.emulator.server import DEVICE_GRANT

SETTINGS = settings(max_examples=60, deadline=None)


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    """One running emulator (its URLs appear in answers); each example gives it a new org."""
    with Emulator() as running:
        yield running


def token(emu: Emulator) -> str:
    reg = emu.register_client({"clientName": "p", "clientType": "public"})
    da = emu.start_device_authorization({**reg, "startUrl": "https://p.awsapps.com/start"})
    emu.approve(da["userCode"])
    return emu.create_token({**reg, "grantType": DEVICE_GRANT,
                             "deviceCode": da["deviceCode"]})["accessToken"]


def pages(emu: Emulator, at: str, size: int, between: Any = None) -> list[list[str]]:
    out: list[list[str]] = []
    query: dict[str, str] = {"max_result": str(size)}
    while True:
        page = emu.list_accounts(at, query)
        out.append([a["accountId"] for a in page["accountList"]])
        if "nextToken" not in page:
            return out
        if between:
            between(len(out))
        query = {"max_result": str(size), "next_token": page["nextToken"]}


@SETTINGS
@given(n=st.integers(0, 230), size=st.integers(1, 100), seed=st.integers(0, 3))
def test_pages_cover_every_account_once_in_order(emu: Emulator, n: int, size: int,
                                                 seed: int) -> None:
    org = emu.org = Organization.generate(n, seed=seed)
    got = pages(emu, token(emu), size)
    flat = [i for p in got for i in p]
    assert flat == [a.id for a in org.accounts()]
    assert len(got) == max(1, math.ceil(n / size))
    assert all(len(p) == size for p in got[:-1])


@SETTINGS
@given(n=st.integers(5, 120), size=st.integers(1, 30), data=st.data())
def test_changes_between_pages_never_duplicate_or_lose_stable_accounts(
        emu: Emulator, n: int, size: int, data: st.DataObject) -> None:
    org = emu.org = Organization.generate(n, seed=1)
    at = token(emu)
    ids = [a.id for a in org.accounts()]
    removed = set(data.draw(st.lists(st.sampled_from(ids), max_size=5, unique=True)))
    added = {f"{100000000000 + i}" for i in range(3)}

    def churn(page_no: int) -> None:
        if page_no == 1:
            for acc in removed:
                org.remove_account(acc)
            for acc in added:
                org.add_account(acc, "late", roles=["Dev"])

    flat = [i for p in pages(emu, at, size, churn) for i in p]
    assert len(flat) == len(set(flat))  # never twice
    stable = set(ids) - removed
    assert stable <= set(flat)  # never lost


@SETTINGS
@given(st.integers(1, 40))
def test_user_codes_are_unique_and_well_formed(emu: Emulator, k: int) -> None:
    for code in emu.pending_user_codes():
        emu.deny(code)
    reg = emu.register_client({"clientName": "p", "clientType": "public"})
    codes = [emu.start_device_authorization({**reg, "startUrl": "https://p.awsapps.com/start"})
             ["userCode"] for _ in range(k)]
    assert len(set(codes)) == k
    assert all(re.fullmatch(r"[B-DF-HJ-NP-TV-XZ]{4}-[B-DF-HJ-NP-TV-XZ]{4}", c) for c in codes)
    assert emu.pending_user_codes() == codes
