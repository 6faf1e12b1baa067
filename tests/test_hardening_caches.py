"""Corrupt and odd token caches (issue 5), filling what tests/test_auth*.py do not cover:
the cache file or folder in the way (a directory, a file), an unreadable cache file, and proof
that a corrupt cache is *replaced* (a new inode: the rename, never an in-place rewrite) with
the modes enforced (file 0600, folder 0700)."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys

import pytest

from conftest import Sandbox, unprivileged_prefix

START_URL = "https://acme.awsapps.com/start"
TOKEN_FILE = hashlib.sha1(b"acme").hexdigest() + ".json"
TOKEN_KEYS = {"startUrl", "region", "accessToken", "expiresAt", "clientId", "clientSecret",
              "registrationExpiresAt"}


@pytest.fixture
def online(sandbox: Sandbox, make_emulator):  # type: ignore[no-untyped-def]
    emu = make_emulator(auto_approve_after=0, interval=0)
    sandbox.env.update(emu.endpoint_env())
    sandbox.aws.mkdir()
    sandbox.config.write_text(f"[sso-session acme]\nsso_start_url = {START_URL}\n"
                              "sso_region = eu-west-1\n"
                              "sso_registration_scopes = sso:account:access\n")
    return sandbox


def login(sandbox: Sandbox, *prefix: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*prefix, sys.executable, "-m", "ssogen", "login", "--session", "acme",
                           "--no-browser"], env=sandbox.env, capture_output=True, text=True,
                          timeout=120, cwd=str(sandbox.home), check=False)


def test_cache_file_that_is_a_directory_is_a_one_line_error(online: Sandbox) -> None:
    (online.cache / TOKEN_FILE).mkdir(parents=True)
    proc = online.run("login", "--session", "acme", "--no-browser")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines()[-1] == (
        f"ssogen: error: {online.cache / TOKEN_FILE}: cannot write the token cache (Is a "
        "directory); fix or remove it and log in again")
    assert "Traceback" not in proc.stderr
    assert not [p for p in os.listdir(online.cache) if p.endswith(".tmp")]


def test_cache_folder_that_is_a_file_is_a_one_line_error(online: Sandbox) -> None:
    online.cache.parent.mkdir()
    online.cache.write_text("not a folder")
    proc = online.run("login", "--session", "acme", "--no-browser")
    assert proc.returncode == 2, proc.stderr
    # said before the login starts (a login approved in the browser would be lost)
    assert proc.stderr.splitlines() == [
        f"ssogen: error: {online.cache}: is not a folder, so the login would not be saved; "
        "not logging in", f"  hint: fix or remove it: {online.cache}"], proc.stderr
    assert online.cache.read_text() == "not a folder"


def test_corrupt_cache_is_replaced_not_rewritten_and_made_private(online: Sandbox) -> None:
    online.cache.mkdir(parents=True)
    os.chmod(online.cache, 0o755)
    token = online.cache / TOKEN_FILE
    token.write_text('{"accessToken": "half')  # not JSON: a torn write by some other tool
    os.chmod(token, 0o644)
    witness = online.home / "witness"
    os.link(token, witness)  # a second name for the old inode
    proc = online.run("login", "--session", "acme", "--no-browser")
    assert proc.returncode == 0, proc.stderr
    assert witness.read_text() == '{"accessToken": "half'  # old inode untouched: renamed over
    assert token.stat().st_ino != witness.stat().st_ino
    assert set(json.loads(token.read_text())) >= TOKEN_KEYS
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    assert stat.S_IMODE(online.cache.stat().st_mode) == 0o700
    for p in online.cache.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p.name


def test_unreadable_cache_file_is_treated_as_absent_and_replaced(online: Sandbox) -> None:
    # root reads anything: run ssogen without capabilities (user namespace, or a dropped
    # capability bounding set where namespaces are forbidden; see conftest)
    prefix = unprivileged_prefix()
    online.cache.mkdir(parents=True)
    token = online.cache / TOKEN_FILE
    token.write_text(json.dumps({"startUrl": START_URL, "region": "eu-west-1",
                                 "accessToken": "old", "expiresAt": "2099-01-01T00:00:00Z"}))
    os.chmod(token, 0)
    proc = login(online, *prefix)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    data = json.loads(token.read_text())
    assert set(data) >= TOKEN_KEYS and data["accessToken"] != "old"
