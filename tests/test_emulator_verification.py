"""The device verification URL in both forms AWS has used: ``classic`` (``/device``, with
``?user_code=`` to fill the code in) and ``signin`` (``/platform/authorize?request_uri=...``
for both URLs, no code in either, the page asks for it), approved through each page by an HTTP
client and through ``Emulator.approve()``."""

from __future__ import annotations

import re
import signal
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config

from conftest import scan_emulator_secrets, scan_output
from ssogen.emulator import Emulator
from test_emulator import clients, control, device, poll, register
from test_emulator_cli import start_cli


def page(url: str, form: dict[str, str] | None = None) -> tuple[int, str]:
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def request_uri(verification_uri: str) -> str:
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(verification_uri).query)
    return query["request_uri"][0]


def test_classic_is_the_default(emulator: Emulator) -> None:
    oidc, _ = clients(emulator)
    da = device(oidc, register(oidc))
    assert da["verificationUri"] == f"{emulator.url}/device"
    assert da["verificationUriComplete"] == f"{emulator.url}/device?user_code={da['userCode']}"
    assert emulator.state()["knobs"]["verification_style"] == "classic"


def test_signin_style_urls_name_the_request_not_the_code(make_emulator: Any) -> None:
    emu = make_emulator(verification_style="signin")
    oidc, _ = clients(emu)
    reg = register(oidc)
    one, two = device(oidc, reg), device(oidc, reg)
    for da in (one, two):
        assert da["verificationUri"] == da["verificationUriComplete"]
        assert re.fullmatch(re.escape(emu.url) + r"/platform/authorize\?request_uri="
                            r"urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3A[\w-]{20,}",
                            da["verificationUri"]), da["verificationUri"]
        raw_code = da["userCode"].replace("-", "")
        for text in (da["verificationUri"], urllib.parse.unquote(da["verificationUri"])):
            assert da["userCode"] not in text and raw_code not in text
    assert one["verificationUri"] != two["verificationUri"]  # one request URI each


def test_signin_page_asks_for_the_code_and_approves(make_emulator: Any) -> None:
    emu = make_emulator(verification_style="signin")
    oidc, _ = clients(emu)
    reg = register(oidc, ["sso:account:access"])
    da, other = device(oidc, reg), device(oidc, reg)
    status, html = page(da["verificationUri"])
    assert status == 200 and 'name="user_code"' in html and 'type="text"' in html
    assert 'action="/platform/authorize"' in html and 'value="approve"' in html
    assert da["userCode"] not in html  # the person must type it
    uri = request_uri(da["verificationUri"])
    target = f"{emu.url}/platform/authorize"
    # another pending request's code does not approve this one
    status, html = page(target, {"request_uri": uri, "user_code": other["userCode"],
                                 "action": "approve"})
    assert status == 400 and "does not match" in html
    assert page(target, {"request_uri": uri, "user_code": "", "action": "approve"})[0] == 400
    assert sorted(emu.pending_user_codes()) == sorted([da["userCode"], other["userCode"]])
    with pytest.raises(oidc.exceptions.AuthorizationPendingException):
        poll(oidc, reg, da)
    typed = da["userCode"].lower().replace("-", "")  # typed sloppily: still the code
    status, html = page(target, {"request_uri": uri, "user_code": typed, "action": "approve"})
    assert status == 200 and "Request approved" in html
    emu.advance_clock(1)
    assert poll(oidc, reg, da)["accessToken"]
    status, html = page(da["verificationUri"])  # used up: the page says so
    assert status == 400 and "already approved" in html
    # deny through the page
    other_uri = request_uri(other["verificationUri"])
    status, html = page(target, {"request_uri": other_uri, "user_code": other["userCode"],
                                 "action": "deny"})
    assert status == 200 and "Request denied" in html
    with pytest.raises(oidc.exceptions.AccessDeniedException):
        poll(oidc, reg, other)


def test_signin_style_approve_through_the_python_api(make_emulator: Any) -> None:
    emu = make_emulator(verification_style="signin")
    oidc, sso = clients(emu)
    reg = register(oidc)
    da = device(oidc, reg)
    assert emu.pending_user_codes() == [da["userCode"]]
    assert emu.approve(da["userCode"]) == da["userCode"]
    token = poll(oidc, reg, da)["accessToken"]
    assert sso.list_accounts(accessToken=token)["accountList"]
    # the classic page approves signin-style codes too (the code is what identifies them)
    da2 = device(oidc, reg)
    status, _ = page(f"{emu.url}/device", {"user_code": da2["userCode"], "action": "approve"})
    assert status == 200
    emu.advance_clock(1)
    assert poll(oidc, reg, da2)["accessToken"]


def test_unknown_or_expired_requests_are_refused(make_emulator: Any) -> None:
    emu = make_emulator(verification_style="signin", expires_in=60)
    oidc, _ = clients(emu)
    da = device(oidc, register(oidc))
    status, html = page(f"{emu.url}/platform/authorize?request_uri=urn%3Anope")
    assert status == 400 and "not valid" in html
    status, html = page(f"{emu.url}/platform/authorize?request_uri=%3Cscript%3E")
    assert "<script>" not in html
    emu.advance_clock(60)
    status, html = page(da["verificationUri"])
    assert status == 400 and "expired" in html
    status, html = page(f"{emu.url}/platform/authorize", {
        "request_uri": request_uri(da["verificationUri"]), "user_code": da["userCode"],
        "action": "approve"})
    assert status == 400 and "expired" in html


def test_style_is_a_knob(emulator: Emulator) -> None:
    oidc, _ = clients(emulator)
    reg = register(oidc)
    assert control(emulator, "POST", "knobs", {"verification_style": "signin"})[1][
        "verification_style"] == "signin"
    assert "/platform/authorize?request_uri=" in device(oidc, reg)["verificationUri"]
    status, out = control(emulator, "POST", "knobs", {"verification_style": "fancy"})
    assert status == 400 and "verification_style" in out["message"]
    emulator.verification_style = "classic"
    assert device(oidc, reg)["verificationUri"] == f"{emulator.url}/device"
    with pytest.raises(ValueError):
        Emulator(verification_style="fancy")


def test_cli_flag(sandbox: Any) -> None:
    proc, url, lines = start_cli(sandbox, "--verification-style", "signin")
    try:
        oidc = boto3.client("sso-oidc", endpoint_url=url, config=Config(
            signature_version=UNSIGNED, region_name="eu-west-1"))
        reg = oidc.register_client(clientName="t", clientType="public")
        da = oidc.start_device_authorization(clientId=reg["clientId"],
                                             clientSecret=reg["clientSecret"],
                                             startUrl="https://acme.awsapps.com/start")
        assert da["verificationUri"].startswith(f"{url}/platform/authorize?request_uri=")
    finally:
        if proc.poll() is None:
            scan_emulator_secrets(url)
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=15)
        scan_output("".join(lines))
    assert proc.returncode == 0
    bad = sandbox.run("emulator", "--verification-style", "fancy")
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
