"""Files and folders another user owns (the classic: left by an earlier ``sudo``): ssogen
refuses them in one line and names the step that works -- ``sudo chown``, since ``chmod``
fails with "Operation not permitted" on a file that is not yours."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import OTHER_UID, Sandbox, foreign_owner_prefix


def run(sandbox: Sandbox, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*foreign_owner_prefix(), sys.executable, "-m", "ssogen", *args],
                          env=sandbox.env, capture_output=True, text=True, timeout=120,
                          cwd=str(sandbox.home), check=False)


def chown_hint(path: Path) -> str:
    return (f"  hint: it belongs to uid {OTHER_UID} (left by an earlier sudo?): "
            f"sudo chown $USER {path}")


@pytest.fixture
def prefix() -> list[str]:
    return foreign_owner_prefix()


def test_a_config_of_another_user_is_refused_with_the_chown_hint(
        prefix: list[str], sandbox: Sandbox, acme_inventory: Path) -> None:
    sandbox.aws.mkdir()
    sandbox.config.write_text("[default]\nregion = eu-west-1\n")
    os.chown(sandbox.config, OTHER_UID, OTHER_UID)  # 0644: readable, not writable
    before = sandbox.config.read_bytes()
    proc = run(sandbox, "setup", "--yes", "--inventory", str(acme_inventory))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [
        f"ssogen: error: {sandbox.config}: the file belongs to another user; ssogen replaces "
        "only your own files; nothing was asked or changed",
        chown_hint(sandbox.config)], proc.stderr
    assert sandbox.config.read_bytes() == before


def test_an_unreadable_config_of_another_user_says_chown(
        prefix: list[str], sandbox: Sandbox) -> None:
    sandbox.aws.mkdir()
    sandbox.config.write_text("[default]\nregion = eu-west-1\n")
    os.chown(sandbox.config, OTHER_UID, OTHER_UID)
    sandbox.config.chmod(0o600)
    proc = run(sandbox, "list", "--no-login")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [
        f"ssogen: error: {sandbox.config}: permission denied", chown_hint(sandbox.config)]


def test_a_folder_of_another_user_is_refused_with_the_chown_hint(
        prefix: list[str], sandbox: Sandbox, acme_inventory: Path) -> None:
    sandbox.aws.mkdir()
    os.chown(sandbox.aws, OTHER_UID, OTHER_UID)  # 0755: ssogen cannot create files in it
    proc = run(sandbox, "setup", "--yes", "--inventory", str(acme_inventory))
    assert proc.returncode == 2, proc.stderr
    first, hint = proc.stderr.splitlines()
    assert first.startswith(f"ssogen: error: {sandbox.aws}: the folder is read-only"), first
    assert hint == chown_hint(sandbox.aws), hint
    assert not sandbox.config.exists()


def _cache_of_another_user(sandbox: Sandbox, *, mode: int, folder: str = "cache") -> Path:
    """``~/.aws/sso/cache`` (and a token in it) left by ``sudo aws sso login``; ``folder``
    names the one given to :data:`OTHER_UID` with ``mode``."""
    sandbox.cache.mkdir(parents=True, exist_ok=True)
    (sandbox.cache / "0123.json").write_text("{}")
    target = sandbox.cache if folder == "cache" else sandbox.cache.parent
    for path in (target, *target.rglob("*")):
        os.chown(path, OTHER_UID, OTHER_UID)
    target.chmod(mode)
    return target


def test_a_token_cache_of_another_user_is_said_before_the_login(
        prefix: list[str], sandbox: Sandbox, make_emulator: Any) -> None:
    emu = make_emulator()  # approves nothing: a login that started would wait
    sandbox.use_emulator(emu)
    cache = _cache_of_another_user(sandbox, mode=0o755)
    proc = run(sandbox, "login", "--session", "acme", "--no-browser")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [
        f"ssogen: error: {cache}: ssogen cannot write there, so the login would not be "
        "saved; not logging in",
        f"  hint: it belongs to uid {OTHER_UID} (left by an earlier sudo?): sudo chown -R "
        f"$USER {cache}"], proc.stderr
    assert emu.stats()["requests"].get("StartDeviceAuthorization", 0) == 0
    found = run(sandbox, "doctor", "--no-login")
    assert found.returncode == 1, found.stderr
    assert f"{cache}: the cache folder belongs to uid {OTHER_UID}" in found.stderr
    assert f"fix: sudo chown -R $USER {cache}" in found.stderr
    assert "chmod 700" not in found.stderr


def test_a_token_cache_this_user_cannot_enter_is_not_reported_as_logged_out(
        prefix: list[str], sandbox: Sandbox, make_emulator: Any) -> None:
    sandbox.use_emulator(make_emulator())
    sso = _cache_of_another_user(sandbox, mode=0o700, folder="sso")
    found = run(sandbox, "doctor", "--no-login")
    assert found.returncode == 1, found.stderr
    assert f"{sso}: this user cannot look into the folder" in found.stderr, found.stderr
    assert "not logged in" not in found.stderr and "Traceback" not in found.stderr
    out = run(sandbox, "logout", "--session", "acme")
    assert out.returncode == 2, out.stderr
    assert out.stderr.splitlines()[0] == (
        f"ssogen: error: {sandbox.cache}: cannot reach the token cache folder: {sso} cannot "
        "be entered"), out.stderr
