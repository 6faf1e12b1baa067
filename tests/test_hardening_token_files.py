"""Token-cache files that are not what they should be (issue 5 follow-up): a symlink is never
written through (one line naming the file), a named pipe or a device is never read (no run
hangs) and never replaced, an oversized file is not read, and the refresh lock is never
taken through a symlink."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime, timedelta, timezone

import pytest

START_URL = "https://acme.awsapps.com/start"
ACCOUNT, ROLE = "210987654321", "ReadOnlyAccess"
TOKEN_FILE = hashlib.sha1(b"acme").hexdigest() + ".json"
REG_FILE = hashlib.sha1(json.dumps(
    {"tool": "botocore", "startUrl": START_URL, "region": "eu-west-1",
     "scopes": ["sso:account:access"], "session_name": "acme"}, sort_keys=True).encode()
).hexdigest() + ".json"
FMT = "%Y-%m-%dT%H:%M:%SZ"


@pytest.fixture
def online(sandbox, make_emulator):  # type: ignore[no-untyped-def]
    emu = make_emulator(auto_approve_after=0, interval=0)
    sandbox.use_emulator(emu, start_url=START_URL, profile=(ACCOUNT, ROLE))
    sandbox.cache.mkdir(parents=True)
    return sandbox, emu


def login(sandbox, *extra: str):  # type: ignore[no-untyped-def]
    return sandbox.run("login", "--session", "acme", "--no-browser", *extra, timeout=60)


@pytest.mark.parametrize("name", [TOKEN_FILE, REG_FILE])
def test_a_symlinked_cache_file_is_never_written_through(online, tmp_path, name: str) -> None:  # type: ignore[no-untyped-def]
    sandbox, _ = online
    target = tmp_path / "dotfiles-token.json"
    target.write_text("{}")
    (sandbox.cache / name).symlink_to(target)
    proc = login(sandbox)
    assert proc.returncode == 2, proc.stderr
    what = "the token" if name == TOKEN_FILE else "the client registration"
    assert proc.stderr.splitlines()[-1] == (
        f"ssogen: error: {sandbox.cache / name} is a symlink; ssogen does not write {what} "
        "through it (remove it)")
    assert "Traceback" not in proc.stderr
    assert target.read_text() == "{}" and (sandbox.cache / name).is_symlink()
    assert not [p for p in os.listdir(sandbox.cache) if p.endswith(".tmp")]
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


@pytest.mark.parametrize("name", [TOKEN_FILE, REG_FILE])
def test_a_named_pipe_never_blocks_and_is_never_replaced(online, name: str) -> None:  # type: ignore[no-untyped-def]
    sandbox, _ = online
    os.mkfifo(sandbox.cache / name)
    if name == TOKEN_FILE:
        no_login = sandbox.run("list", "--session", "acme", "--no-login", timeout=30)
        assert no_login.returncode == 4, no_login.stderr
        assert "the login for session acme is missing" in no_login.stderr
    proc = login(sandbox)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines()[-1] == (
        f"ssogen: error: {sandbox.cache / name}: cannot write the token cache (it is a named "
        "pipe, not a regular file); fix or remove it and log in again")
    assert proc.stderr.count("\n") == 1
    assert (sandbox.cache / name).is_fifo()


def test_a_link_to_a_device_is_not_read(online) -> None:  # type: ignore[no-untyped-def]
    sandbox, _ = online
    (sandbox.cache / TOKEN_FILE).symlink_to("/dev/zero")  # reading it would never end
    proc = sandbox.run("list", "--session", "acme", "--no-login", timeout=30)
    assert proc.returncode == 4 and "is missing" in proc.stderr


def test_an_oversized_token_file_is_not_read(online) -> None:  # type: ignore[no-untyped-def]
    sandbox, _ = online
    tok = {"startUrl": START_URL, "region": "eu-west-1", "accessToken": "x",
           "expiresAt": "2099-01-01T00:00:00Z", "pad": " " * (2 << 20)}
    (sandbox.cache / TOKEN_FILE).write_text(json.dumps(tok))
    proc = sandbox.run("list", "--session", "acme", "--no-login")
    assert proc.returncode == 4 and "is missing" in proc.stderr
    assert login(sandbox).returncode == 0  # replaced by a real one
    assert (sandbox.cache / TOKEN_FILE).stat().st_size < 10000


def test_the_refresh_lock_is_never_taken_through_a_symlink(online, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sandbox, _ = online
    assert login(sandbox).returncode == 0
    path = sandbox.cache / TOKEN_FILE
    data = json.loads(path.read_text())
    data["expiresAt"] = (datetime.now(timezone.utc) - timedelta(minutes=1)).strftime(FMT)
    path.write_text(json.dumps(data))
    victim = tmp_path / "victim"
    victim.write_text("keep")
    lock = sandbox.cache / (TOKEN_FILE + ".ssogen.lock")
    lock.symlink_to(victim)
    proc = sandbox.run("list", "--session", "acme", "--no-login")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines()[-1] == (f"ssogen: error: {lock} is a symlink; ssogen does "
                                            "not lock through it (remove it)")
    assert victim.read_text() == "keep" and lock.is_symlink()
    lock.unlink()
    assert sandbox.run("list", "--session", "acme", "--no-login").returncode == 0
    assert not lock.exists()


def test_a_lock_file_left_by_a_killed_run_is_harmless(online) -> None:  # type: ignore[no-untyped-def]
    sandbox, _ = online
    assert login(sandbox).returncode == 0
    path = sandbox.cache / TOKEN_FILE
    data = json.loads(path.read_text())
    data["expiresAt"] = (datetime.now(timezone.utc) - timedelta(minutes=1)).strftime(FMT)
    path.write_text(json.dumps(data))
    (sandbox.cache / (TOKEN_FILE + ".ssogen.lock")).write_text("")  # nobody holds it
    proc = sandbox.run("list", "--session", "acme", "--no-login")
    assert proc.returncode == 0, proc.stderr
    assert sorted(os.listdir(sandbox.cache)) == sorted([TOKEN_FILE, REG_FILE])


def test_a_named_pipe_in_the_role_cache_never_blocks(online) -> None:  # type: ignore[no-untyped-def]
    sandbox, _ = online
    assert login(sandbox).returncode == 0
    role_file = hashlib.sha1(json.dumps({"accountId": ACCOUNT, "roleName": ROLE,
                                         "sessionName": "acme"}, sort_keys=True,
                                        separators=(",", ":")).encode()).hexdigest() + ".json"
    cli_cache = sandbox.aws / "cli" / "cache"
    cli_cache.mkdir(parents=True)
    os.mkfifo(cli_cache / role_file)
    proc = sandbox.run("export-credentials", "--profile", "acme-ro", "--format", "process",
                       timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.startswith("ssogen: warning: ") and "named pipe" in proc.stderr
    assert (cli_cache / role_file).is_fifo()
