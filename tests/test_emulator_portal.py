"""The portal's page-size limit at its edges, on the wire: ``max_result`` 1..100 is served,
anything else is InvalidRequestException (400) in the rest-json format botocore parses --
AWS enforces the model's maximum of 100 since about 2026-05."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ssogen.emulator import Organization
from test_emulator import clients, login, raw


@pytest.mark.parametrize("kind", ["accounts", "roles"])
def test_max_result_bounds_on_the_wire(make_emulator: Any, kind: str) -> None:
    emu = make_emulator(org=Organization.generate(150, seed=2))
    first = emu.org.accounts()[0]
    path, key, total = ("/assignment/accounts?", "accountList", 150) if kind == "accounts" \
        else (f"/assignment/roles?account_id={first.id}&", "roleList", len(first.roles))
    oidc, _ = clients(emu)
    _, tok = login(emu, oidc)
    auth = {"x-amz-sso_bearer_token": tok["accessToken"]}
    for size, expected in ((1, 1), (100, min(100, total))):
        status, _, body = raw(emu, "GET", f"{path}max_result={size}", headers=auth)
        assert status == 200 and len(json.loads(body)[key]) == expected, body
    for bad in ("101", "1000", "0", "-1", "ten"):
        status, headers, body = raw(emu, "GET", f"{path}max_result={bad}", headers=auth)
        assert status == 400, bad
        assert headers["x-amzn-ErrorType"].split(":", 1)[0] == "InvalidRequestException"
        assert json.loads(body)["message"]
