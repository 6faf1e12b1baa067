"""Refresh tokens are single use: parallel runs that find an expired access token must not
all spend the refresh token (all but one would fail with InvalidGrantException). ssogen
serialises the refresh per session with a lock beside the token file, reads the cache again
once it holds the lock, and after a refused refresh reads it once more (botocore and the AWS
CLI refresh without the lock)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config

import loginkit as kit

START_URL = "https://acme.awsapps.com/start"
ACCOUNT, ROLE = "210987654321", "ReadOnlyAccess"
TOKEN_FILE = hashlib.sha1(b"acme").hexdigest() + ".json"
PARALLEL = 6


@pytest.fixture
def expired(sandbox, make_emulator):  # type: ignore[no-untyped-def]
    """A login whose access token has expired (its refresh token is good). Every call takes
    half a second, so that the parallel runs overlap the refresh."""
    emu = make_emulator(auto_approve_after=0)
    sandbox.use_emulator(emu, start_url=START_URL, profile=(ACCOUNT, ROLE))
    assert sandbox.run("login", "--session", "acme", "--no-browser").returncode == 0
    path = sandbox.cache / TOKEN_FILE
    data = json.loads(path.read_text())
    data["expiresAt"] = (datetime.now(timezone.utc) - timedelta(minutes=1)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    path.write_text(json.dumps(data))
    emu.latency_ms = 500
    return sandbox, emu, data


def run_parallel(sandbox, *args: str) -> list[subprocess.CompletedProcess[str]]:  # type: ignore[no-untyped-def]
    procs = [subprocess.Popen([sys.executable, "-m", "ssogen", *args], env=sandbox.env,
                              cwd=str(sandbox.home), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(PARALLEL)]
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=120)
        out.append(subprocess.CompletedProcess(p.args, p.returncode, stdout, stderr))
    return out


def refreshes(emu) -> int:  # type: ignore[no-untyped-def]
    return int(emu.stats()["requests"]["CreateToken"])


def test_parallel_lists_refresh_once_and_all_succeed(expired) -> None:  # type: ignore[no-untyped-def]
    sandbox, emu, old = expired
    before = refreshes(emu)
    results = run_parallel(sandbox, "list", "--session", "acme", "--json", "--no-login")
    for r in results:
        assert r.returncode == 0, r.stderr
        assert len(json.loads(r.stdout)["accounts"]) == len(emu.org)
    assert refreshes(emu) == before + 1  # one refresh for all six
    new = json.loads((sandbox.cache / TOKEN_FILE).read_text())
    assert new["accessToken"] != old["accessToken"]
    assert sorted(os.listdir(sandbox.cache)) == sorted(  # no lock file left behind
        p for p in os.listdir(sandbox.cache) if p.endswith(".json"))


@pytest.mark.role_credentials_in_output  # six credential_process answers on stdout
def test_parallel_export_credentials_refresh_once_and_all_succeed(expired) -> None:  # type: ignore[no-untyped-def]
    sandbox, emu, _ = expired
    before = refreshes(emu)
    results = run_parallel(sandbox, "export-credentials", "--profile", "acme-ro", "--format",
                           "process")
    for r in results:
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["AccessKeyId"].startswith("ASIA")
        assert r.stderr == ""
    assert refreshes(emu) == before + 1


def test_a_refused_refresh_reads_the_cache_again(expired, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Another tool spent the refresh token first and writes its new token a moment after
    ssogen's refresh was refused: ssogen takes that token instead of giving up."""
    sandbox, emu, old = expired
    emu.latency_ms = 0
    for key, value in sandbox.env.items():
        monkeypatch.setenv(key, value)
    oidc = boto3.client("sso-oidc", endpoint_url=emu.url, config=Config(
        signature_version=UNSIGNED, region_name="eu-west-1"))
    theirs = oidc.create_token(clientId=old["clientId"], clientSecret=old["clientSecret"],
                               grantType="refresh_token", refreshToken=old["refreshToken"])
    written = dict(old, accessToken=theirs["accessToken"], refreshToken=theirs["refreshToken"],
                   expiresAt=(datetime.now(timezone.utc) + timedelta(hours=1)).strftime(
                       "%Y-%m-%dT%H:%M:%SZ"))

    def other_tool() -> None:
        time.sleep(0.2)
        (sandbox.cache / TOKEN_FILE).write_text(json.dumps(written))

    t = threading.Thread(target=other_tool)
    t.start()
    session = kit.session_by_name(sandbox.config, "acme")
    got = kit.obtain_token(session, allow_login=False)
    t.join()
    assert got.access_token == theirs["accessToken"] and got.source == "cache"

    # and without anyone writing a new token, the refused refresh means: not logged in
    (sandbox.cache / TOKEN_FILE).write_text(json.dumps(old))
    with pytest.raises(kit.NotLoggedInError):
        kit.obtain_token(session, allow_login=False)
