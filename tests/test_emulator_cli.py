"""``ssogen emulator`` as a process, and botocore's own credential resolution (in a subprocess
with the sandbox HOME) against the emulator: the path every AWS tool takes."""

from __future__ import annotations

import hashlib
import json
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config

from conftest import scan_emulator_secrets, scan_output
from ssogen.emulator import Emulator

DEVICE = "urn:ietf:params:oauth:grant-type:device_code"
START = "https://acme.awsapps.com/start"


def start_cli(sandbox: Any, *args: str) -> tuple[subprocess.Popen[str], str, list[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "ssogen", "emulator", *args], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, env=sandbox.env, cwd=str(sandbox.home))
    assert proc.stdout is not None
    lines: list[str] = []
    found: queue.Queue[str] = queue.Queue()

    def read() -> None:  # readline() in a thread: never blocks the test past the deadline
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("export AWS_ENDPOINT_URL_SSO_OIDC="):
                found.put(line.split("=", 1)[1].strip())

    threading.Thread(target=read, daemon=True).start()
    try:
        return proc, found.get(timeout=20), lines
    except queue.Empty:
        proc.kill()
        _, err = proc.communicate()
        raise AssertionError(f"emulator did not start:\n{''.join(lines)}\n{err}") from None


def device_login(url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    cfg = Config(signature_version=UNSIGNED, region_name="eu-west-1")
    oidc = boto3.client("sso-oidc", endpoint_url=url, config=cfg)
    reg = oidc.register_client(clientName="t", clientType="public",
                               scopes=["sso:account:access"])
    da = oidc.start_device_authorization(clientId=reg["clientId"],
                                         clientSecret=reg["clientSecret"], startUrl=START)
    return reg, oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                                  grantType=DEVICE, deviceCode=da["deviceCode"])


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_cli_serves_until_interrupted(sandbox: Any, sig: signal.Signals) -> None:
    proc, url, lines = start_cli(sandbox, "--generate", "12", "--auto-approve-after", "0")
    try:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
        text = "".join(lines)
        assert f"export AWS_ENDPOINT_URL_SSO={url}\n" in text
        assert f"{url}/device" in text and "12 accounts" in text
        reg, tok = device_login(url)  # approved at the first poll
        sso = boto3.client("sso", endpoint_url=url, config=Config(
            signature_version=UNSIGNED, region_name="eu-west-1"))
        accounts = sso.get_paginator("list_accounts").paginate(
            accessToken=tok["accessToken"]).build_full_result()["accountList"]
        assert len(accounts) == 12
    finally:
        if proc.poll() is None:  # this emulator runs in another process: tell the secret
            scan_emulator_secrets(url)  # scan what it issued, before it stops
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=15)
        scan_output("".join(lines))  # the stdout lines the reader thread consumed
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "stopped" in err
    for secret in (reg["clientSecret"], tok["accessToken"], tok["refreshToken"]):
        assert secret not in out + err + "".join(lines)


def test_cli_serves_a_data_file_on_a_fixed_port(sandbox: Any, tmp_path: Path) -> None:
    data = tmp_path / "org.json"
    data.write_text(json.dumps({"accounts": [
        {"id": "111122223333", "name": "only-one", "email": "o@x", "roles": ["Admin"]}]}))
    with Emulator() as probe:  # find a free port, then free it
        port = probe.port
    proc, url, lines = start_cli(sandbox, "--data", str(data), "--port", str(port),
                             "--auto-approve-after", "0", "-v")
    try:
        assert url == f"http://127.0.0.1:{port}"
        _, tok = device_login(url)
        sso = boto3.client("sso", endpoint_url=url, config=Config(
            signature_version=UNSIGNED, region_name="eu-west-1"))
        roles = sso.list_account_roles(accessToken=tok["accessToken"],
                                       accountId="111122223333")["roleList"]
        assert [r["roleName"] for r in roles] == ["Admin"]
    finally:
        if proc.poll() is None:
            scan_emulator_secrets(url)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=15)
        scan_output("".join(lines))
    assert proc.returncode == 0
    assert "POST /token" in err and "GET /assignment/roles" in err  # -v: method + path
    assert tok["accessToken"] not in err and "111122223333" not in err


def test_cli_usage_errors_exit_2(sandbox: Any) -> None:
    r = sandbox.run("emulator", "--fault-rate", "2")
    assert r.returncode == 2 and "between 0 and 1" in r.stderr
    r = sandbox.run("emulator", "--data", "missing.json")
    assert r.returncode == 2 and "not found" in r.stderr and "Traceback" not in r.stderr
    r = sandbox.run("emulator", "--fault-kinds", "boom")
    assert r.returncode == 2 and "fault_kinds" in r.stderr
    r = sandbox.run("emulator", "--data", "x.json", "--generate", "3")
    assert r.returncode == 2
    r = sandbox.run("emulator", "--help")
    assert r.returncode == 0 and "examples:" in r.stdout and "--auto-approve-after" in r.stdout


# -- botocore's own SSO credential resolution, end to end ----------------------------------
# Prints digests, not the credentials: nothing secret reaches captured output.
RESOLVE = """
import hashlib, json, boto3
creds = boto3.Session(profile_name="acme-admin").get_credentials().get_frozen_credentials()
digest = lambda s: hashlib.sha256(s.encode()).hexdigest()
print(json.dumps({"access_key": creds.access_key, "secret_key": digest(creds.secret_key),
                  "token": digest(creds.token)}))
"""


def digests(emu: Emulator) -> set[str]:
    return {hashlib.sha256(s.encode()).hexdigest() for s in emu.issued_secrets()}


def write_sso_profile(sandbox: Any, token: dict[str, Any]) -> Path:
    sandbox.aws.mkdir(parents=True, exist_ok=True)
    sandbox.config.write_text(
        "[sso-session acme]\n"
        f"sso_start_url = {START}\n"
        "sso_region = eu-west-1\n"
        "sso_registration_scopes = sso:account:access\n\n"
        "[profile acme-admin]\n"
        "sso_session = acme\n"
        "sso_account_id = 210987654321\n"
        "sso_role_name = AdministratorAccess\n"
        "region = eu-west-1\n")
    sandbox.cache.mkdir(parents=True, exist_ok=True)
    path = sandbox.cache / (hashlib.sha1(b"acme").hexdigest() + ".json")
    path.write_text(json.dumps(token))
    return path


def stamp(seconds_from_now: float) -> str:
    when = datetime.now(timezone.utc) + timedelta(seconds=seconds_from_now)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.interop
def test_botocore_resolves_credentials_the_emulator_issued(sandbox: Any,
                                                           make_emulator: Any) -> None:
    emu = make_emulator(auto_approve_after=0)
    _, tok = device_login(emu.url)
    write_sso_profile(sandbox, {"startUrl": START, "region": "eu-west-1",
                                "accessToken": tok["accessToken"],
                                "expiresAt": stamp(tok["expiresIn"])})
    r = sandbox.python(RESOLVE, env=emu.endpoint_env())
    assert r.returncode == 0, r.stderr
    creds = json.loads(r.stdout)
    assert creds["access_key"].startswith("ASIA")
    assert {creds["secret_key"], creds["token"]} <= digests(emu)
    assert emu.stats()["requests"]["GetRoleCredentials"] == 1
    assert emu.stats()["requests"]["CreateToken"] == 1  # ours; botocore did not refresh


@pytest.mark.interop
def test_botocore_refreshes_a_near_expiry_token_with_the_emulator(sandbox: Any,
                                                                  make_emulator: Any) -> None:
    emu = make_emulator(auto_approve_after=0, token_ttl=300)  # inside botocore's 15-min window
    reg, tok = device_login(emu.url)
    cache = write_sso_profile(sandbox, {
        "startUrl": START, "region": "eu-west-1", "accessToken": tok["accessToken"],
        "expiresAt": stamp(tok["expiresIn"]), "clientId": reg["clientId"],
        "clientSecret": reg["clientSecret"],
        "registrationExpiresAt": stamp(reg["clientSecretExpiresAt"] - time.time()),
        "refreshToken": tok["refreshToken"]})
    r = sandbox.python(RESOLVE, env=emu.endpoint_env())
    assert r.returncode == 0, r.stderr
    creds = json.loads(r.stdout)
    assert creds["secret_key"] in digests(emu)
    assert emu.stats()["requests"]["CreateToken"] == 2  # ours + botocore's refresh
    rewritten = json.loads(cache.read_text())
    assert rewritten["accessToken"] != tok["accessToken"]
    assert rewritten["refreshToken"] != tok["refreshToken"]  # rotated
    assert {rewritten["accessToken"], rewritten["refreshToken"]} <= set(emu.issued_secrets())
    # the old refresh token is spent: a second refresh with it fails like AWS
    oidc = boto3.client("sso-oidc", endpoint_url=emu.url, config=Config(
        signature_version=UNSIGNED, region_name="eu-west-1"))
    with pytest.raises(oidc.exceptions.InvalidGrantException):
        oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                          grantType="refresh_token", refreshToken=tok["refreshToken"])


@pytest.mark.interop
def test_botocore_reports_a_logged_out_token_as_unauthorized(sandbox: Any,
                                                             make_emulator: Any) -> None:
    emu = make_emulator(auto_approve_after=0)
    _, tok = device_login(emu.url)
    boto3.client("sso", endpoint_url=emu.url, config=Config(
        signature_version=UNSIGNED, region_name="eu-west-1")).logout(
        accessToken=tok["accessToken"])
    write_sso_profile(sandbox, {"startUrl": START, "region": "eu-west-1",
                                "accessToken": tok["accessToken"],
                                "expiresAt": stamp(3600)})
    r = sandbox.python(RESOLVE, env=emu.endpoint_env())
    assert r.returncode != 0
    assert "UnauthorizedSSOTokenError" in r.stderr
    assert tok["accessToken"] not in r.stderr + r.stdout
