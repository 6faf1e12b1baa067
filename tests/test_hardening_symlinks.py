"""Symlinks, WSL2 layouts and read-only files (issue 5).

* ``~/.aws/config`` a symlink into a dotfiles repo (absolute or relative, or a chain of links):
  the links stay, the file they lead to is updated, its mode is kept; backup and lock go next
  to that real file (same filesystem, and two paths to one file share one lock).
* ``~/.aws`` itself a symlink to another folder (``/mnt/c/Users/me/.aws`` on WSL2), CRLF file
  there: the same, CRLF kept.
* A dangling link: if the folder of the file it names exists, that file is created (0600) and
  the link kept; if not (``~/.aws`` -> an unmounted drive), a one-line error, exit 2, and
  nothing is created anywhere.
* A read-only config file or folder: one-line error, exit 2, file untouched (a read-only file
  in a writable folder could be replaced by the rename: ssogen refuses instead); a file no one
  may write is read-only for root too; ``setup`` says so before its login and questions, and
  a read-only file system is named as one.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import botocore.configloader
import pytest

from conftest import Sandbox, unprivileged_prefix
from ssogen.emulator import Emulator

SMALL = {"session": "acme", "start_url": "https://acme.awsapps.com/start",
         "sso_region": "eu-west-1", "generated_at": "2026-11-26T14:00:00Z",
         "accounts": [{"id": "111111111111", "name": "prod", "roles": ["Admin", "ReadOnly"]},
                      {"id": "222222222222", "name": "dev", "roles": ["Admin"]}]}
MINE = "# dotfiles\n[default]\nregion = us-east-1\n"


@pytest.fixture
def inventory(tmp_path: Path) -> Path:
    path = tmp_path / "inv.json"
    path.write_text(json.dumps(SMALL))
    return path


def mode(p: Path) -> int:
    return stat.S_IMODE(os.stat(p).st_mode)


def profiles(path: Path) -> set[str]:
    parsed = botocore.configloader.raw_config_parse(str(path))
    return {k.split(" ", 1)[1] for k, v in parsed.items()
            if k.startswith("profile ") and v.get("ssogen_managed") == "true"}


def setup(sandbox: Sandbox, inventory: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return sandbox.run("setup", "--yes", "--inventory", str(inventory), *extra)


WANT = {"prod-admin", "prod-read-only", "dev-admin"}


@pytest.mark.parametrize("relative", [False, True])
def test_config_symlink_into_dotfiles(sandbox: Sandbox, inventory: Path, tmp_path: Path,
                                      relative: bool) -> None:
    dotfiles = tmp_path / "dotfiles" / "aws"
    dotfiles.mkdir(parents=True)
    real = dotfiles / "config"
    real.write_text(MINE)
    real.chmod(0o644)
    sandbox.aws.mkdir()
    link_text = os.path.relpath(real, sandbox.aws) if relative else str(real)
    sandbox.config.symlink_to(link_text)
    proc = setup(sandbox, inventory)
    assert proc.returncode == 0, proc.stderr
    assert sandbox.config.is_symlink() and os.readlink(sandbox.config) == link_text
    assert real.read_text().startswith(MINE) and profiles(real) == WANT
    assert mode(real) == 0o644  # kept, not tightened to 0600 behind the user's back
    # backup and lock beside the real file; nothing but the link in ~/.aws
    assert sorted(p.name for p in dotfiles.iterdir()) == [
        "config", "config.ssogen.bak"]  # the lock is removed when released
    assert (dotfiles / "config.ssogen.bak").read_text() == MINE
    assert mode(dotfiles / "config.ssogen.bak") == 0o644
    assert [p.name for p in sandbox.aws.iterdir()] == ["config"]
    # botocore through the link, then a second run through the link is a no-op
    assert profiles(sandbox.config) == WANT
    assert sandbox.run("sync", "--check", "--inventory", str(inventory)).returncode == 0


def test_symlink_chain_mixed_relative_and_absolute(sandbox: Sandbox, inventory: Path,
                                                   tmp_path: Path) -> None:
    real_dir = tmp_path / "store" / "real"
    real_dir.mkdir(parents=True)
    real = real_dir / "aws.ini"
    real.write_text(MINE)
    real.chmod(0o640)
    hop = tmp_path / "store" / "hop"
    hop.symlink_to("real/aws.ini")  # relative
    hop2 = tmp_path / "hop2"
    hop2.symlink_to(hop)  # absolute
    sandbox.aws.mkdir()
    sandbox.config.symlink_to(hop2)
    proc = setup(sandbox, inventory)
    assert proc.returncode == 0, proc.stderr
    assert os.readlink(sandbox.config) == str(hop2) and os.readlink(hop2) == str(hop)
    assert os.readlink(hop) == "real/aws.ini"
    assert profiles(real) == WANT and mode(real) == 0o640
    assert (real_dir / "aws.ini.ssogen.bak").read_text() == MINE


def test_aws_folder_is_a_symlink_to_the_windows_side(sandbox: Sandbox, inventory: Path,
                                                     tmp_path: Path) -> None:
    windows = tmp_path / "mnt" / "c" / "Users" / "me" / ".aws"
    windows.mkdir(parents=True)
    (windows / "config").write_bytes(b"[default]\r\nregion = us-east-1\r\n")
    (windows / "config").chmod(0o777)  # drvfs shows everything 0777
    sandbox.aws.symlink_to(windows)
    proc = setup(sandbox, inventory)
    assert proc.returncode == 0, proc.stderr
    assert sandbox.aws.is_symlink() and os.readlink(sandbox.aws) == str(windows)
    data = (windows / "config").read_bytes()
    assert data.startswith(b"[default]\r\nregion = us-east-1\r\n\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")  # CRLF throughout, for Windows tools
    assert profiles(windows / "config") == WANT and mode(windows / "config") == 0o777
    assert sorted(p.name for p in windows.iterdir()) == [
        "config", "config.ssogen.bak"]
    assert sandbox.run("sync", "--check", "--inventory", str(inventory)).returncode == 0


def test_dangling_config_link_creates_the_file_it_names(sandbox: Sandbox, inventory: Path,
                                                        tmp_path: Path) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    sandbox.aws.mkdir()
    sandbox.config.symlink_to("../../dotfiles/aws-config")
    assert not sandbox.config.exists()
    proc = setup(sandbox, inventory)
    assert proc.returncode == 0, proc.stderr
    assert sandbox.config.is_symlink()
    real = dotfiles / "aws-config"
    assert real.resolve() == sandbox.config.resolve()
    assert profiles(real) == WANT and mode(real) == 0o600
    assert not (dotfiles / "aws-config.ssogen.bak").exists()  # there was nothing to back up


@pytest.mark.parametrize("layout", ["aws-dir", "config-file"])
def test_dangling_link_to_a_missing_folder_creates_nothing(sandbox: Sandbox, inventory: Path,
                                                           tmp_path: Path, layout: str) -> None:
    unmounted = tmp_path / "mnt" / "c" / "Users" / "me" / ".aws"
    if layout == "aws-dir":  # ~/.aws -> /mnt/c/Users/me/.aws, drive not mounted
        sandbox.aws.symlink_to(unmounted)
        link = sandbox.aws
    else:  # ~/.aws/config -> a file in a folder that does not exist
        sandbox.aws.mkdir()
        sandbox.config.symlink_to(unmounted / "config")
        link = sandbox.config
    proc = setup(sandbox, inventory)
    assert proc.returncode == 2, proc.stderr
    first = proc.stderr.splitlines()[0]
    assert first == (f"ssogen: error: {link} is a symlink to {os.readlink(link)}, which does "
                     "not exist (a drive not mounted?); ssogen created nothing")
    assert not (tmp_path / "mnt").exists()
    assert link.is_symlink()
    # --dry-run says what the real run would (issue 8 finding 10: it used to show a diff the
    # real run could not write), and creates nothing either
    dry = setup(sandbox, inventory, "--dry-run")
    assert dry.returncode == 2 and dry.stderr.splitlines()[0] == first, dry.stderr
    assert dry.stdout == ""
    assert not (tmp_path / "mnt").exists()


# -- read-only: root ignores permission bits, so run ssogen in a user namespace ---------------
def _unprivileged_prefix() -> list[str]:
    # a user namespace, or (where CI forbids those) a dropped capability bounding set; skips
    # with the reason only if neither makes mode bits apply (see conftest)
    return unprivileged_prefix()


def run_unprivileged(sandbox: Sandbox, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*_unprivileged_prefix(), sys.executable, "-m", "ssogen", *args],
                          env=sandbox.env, capture_output=True, text=True, timeout=120,
                          cwd=str(sandbox.home), check=False)


@pytest.mark.parametrize("what", ["file", "folder", "folder-with-lock"])
def test_read_only_config_is_refused_untouched(sandbox: Sandbox, inventory: Path,
                                               what: str) -> None:
    prefix = _unprivileged_prefix()
    del prefix
    sandbox.aws.mkdir()
    sandbox.config.write_text(MINE)
    if what == "folder-with-lock":
        (sandbox.aws / "config.ssogen.lock").write_bytes(b"")
    before = sorted(p.name for p in sandbox.aws.iterdir())
    target = sandbox.config if what == "file" else sandbox.aws
    original = mode(target)
    target.chmod(0o444 if what == "file" else 0o555)
    try:
        proc = run_unprivileged(sandbox, "setup", "--yes", "--inventory", str(inventory))
        assert proc.returncode == 2, proc.stderr
        lines = proc.stderr.splitlines()  # one line, and the next step on a hint line
        assert lines[0].startswith("ssogen: error: ") and len(lines) == 2, proc.stderr
        assert lines[1].startswith("  hint: ") and "chmod u+w" in lines[1]
        assert "Traceback" not in proc.stderr
        # the file or the folder is named as read-only, with the next step (issue 12)
        assert "read-only" in lines[0]
        assert sandbox.config.read_text() == MINE
        # dry-run and --check only read: they work on a read-only file
        dry = run_unprivileged(sandbox, "setup", "--yes", "--inventory", str(inventory),
                               "--dry-run")
        assert dry.returncode == 0 and "+[profile dev-admin]" in dry.stdout, dry.stderr
    finally:
        target.chmod(original)
    assert sandbox.config.read_text() == MINE
    after = sorted(p.name for p in sandbox.aws.iterdir())
    assert after in (before, sorted([*before, "config.ssogen.lock"]))
    # made writable again, the same command works
    proc = run_unprivileged(sandbox, "setup", "--yes", "--inventory", str(inventory))
    assert proc.returncode == 0, proc.stderr
    assert profiles(sandbox.config) == WANT


def test_a_config_without_write_bits_is_read_only_for_root_too(sandbox: Sandbox,
                                                                inventory: Path) -> None:
    """Root may write any file, but ``chmod a-w`` says not to: as ``rm`` and ``vi`` do,
    ssogen takes a file no one may write as read-only, whoever runs it."""
    sandbox.aws.mkdir()
    sandbox.config.write_text(MINE)
    sandbox.config.chmod(0o444)
    try:
        proc = sandbox.run("setup", "--yes", "--inventory", str(inventory))
        assert proc.returncode == 2, proc.stderr
        assert "the file is read-only" in proc.stderr and "chmod u+w" in proc.stderr
        assert sandbox.config.read_text() == MINE and mode(sandbox.config) == 0o444
        sandbox.config.chmod(0o644)
        assert sandbox.run("setup", "--yes", "--inventory", str(inventory)).returncode == 0
        assert profiles(sandbox.config) == WANT
    finally:
        sandbox.config.chmod(0o644)


def test_read_only_backup_left_from_before_does_not_block(sandbox: Sandbox, inventory: Path,
                                                          ) -> None:
    """The backup is ssogen's own file: a read-only one (left by an older version, or a
    chmod) is replaced, and the config written."""
    sandbox.aws.mkdir()
    sandbox.config.write_text(MINE)
    backup = sandbox.aws / "config.ssogen.bak"
    backup.write_text("stale backup")
    backup.chmod(0o444)
    proc = run_unprivileged(sandbox, "setup", "--yes", "--inventory", str(inventory))
    assert proc.returncode == 0, proc.stderr
    assert backup.read_text() == MINE and profiles(sandbox.config) == WANT


@pytest.mark.parametrize("case", ["read-only file", "missing folder", "dangling link"])
def test_setup_says_what_blocks_its_write_before_the_login(sandbox: Sandbox, emulator: Emulator,
                                                           case: str) -> None:
    """A setup is there to write the file: what would stop the write is said first, not
    after the login and every question (nothing cached, nothing asked, nothing created)."""
    emulator.auto_approve_after = 0
    sandbox.env.update(emulator.endpoint_env())
    sandbox.aws.mkdir()
    config = sandbox.config
    if case == "read-only file":
        config.write_text(MINE)
        config.chmod(0o444)
        said = "the file is read-only"
    elif case == "missing folder":
        config = sandbox.home / "typo" / "sub" / "config"
        said = "the folder does not exist"
    else:
        sandbox.config.symlink_to(sandbox.home / "unmounted" / "aws" / "config")
        said = "which does not exist"
    try:
        proc = sandbox.run("--config", str(config), "setup", "--yes", "--start-url",
                           SMALL["start_url"], "--sso-region", "eu-west-1", "--no-browser")
        assert proc.returncode == 2, proc.stderr
        assert said in proc.stderr.splitlines()[0], proc.stderr
        assert "logging in" not in proc.stderr and "found" not in proc.stderr, proc.stderr
        assert not sandbox.cache.exists() or not any(sandbox.cache.iterdir())
        assert not (sandbox.home / "typo").exists() and not (sandbox.home / "unmounted").exists()
        if case == "read-only file":
            assert sandbox.config.read_text() == MINE
            # --dry-run writes nothing: it still runs on a read-only file
            dry = sandbox.run("setup", "--yes", "--start-url", SMALL["start_url"],
                              "--sso-region", "eu-west-1", "--no-browser", "--dry-run")
            assert dry.returncode == 0, dry.stderr
    finally:
        if sandbox.config.exists() and not sandbox.config.is_symlink():
            sandbox.config.chmod(0o644)


def test_sync_says_a_read_only_config_before_the_login(sandbox: Sandbox, emulator: Emulator,
                                                      inventory: Path) -> None:
    """sync logged in and discovered every account before its write found the file
    read-only; now that is said first -- as a warning: a file up to date needs no write (a
    config made read-only on purpose, synced from cron), and a change is refused at the end."""
    emulator.auto_approve_after = 0
    sandbox.env.update(emulator.endpoint_env())
    assert sandbox.run("setup", "--yes", "--inventory", str(inventory)).returncode == 0
    before = sandbox.config.read_bytes()
    sandbox.config.chmod(0o444)
    said = (f"ssogen: warning: {sandbox.config}: the file is read-only; ssogen never replaces a "
            "file you made read-only; a change this sync finds cannot be written")
    try:
        proc = sandbox.run("sync", "--inventory", str(inventory))  # up to date: no write
        assert proc.returncode == 0, proc.stderr
        assert proc.stderr.splitlines()[0] == said and "already up to date" in proc.stderr
        proc = sandbox.run("sync", "--no-browser")  # the portal has more: a change
        lines = proc.stderr.splitlines()
        assert proc.returncode == 2, proc.stderr
        assert lines[0] == said, proc.stderr  # said before the login and the discovery
        assert any(ln.startswith("ssogen: acme: found") for ln in lines[1:]), proc.stderr
        assert lines[-2].startswith(f"ssogen: error: {sandbox.config}: the file is read-only")
        check = sandbox.run("sync", "--check", "--inventory", str(inventory))
        assert check.returncode == 0 and "warning" not in check.stderr, check.stderr
        assert sandbox.config.read_bytes() == before
    finally:
        sandbox.config.chmod(0o644)


def test_a_read_only_file_system_is_named_as_such(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """EROFS: chmod cannot help there, so the hint does not say chmod (the flag is what a
    read-only mount reports through statvfs, taken from a real writable folder here)."""
    from ssogen.app.generate import check_writable
    from ssogen.errors import ConfigFileError
    from ssogen.store import fileio

    real = os.statvfs(tmp_path)

    class ReadOnlyMount:
        f_flag = real.f_flag | os.ST_RDONLY

    monkeypatch.setattr(fileio.os, "statvfs", lambda _: ReadOnlyMount())
    (tmp_path / ".aws").mkdir()
    with pytest.raises(ConfigFileError) as caught:
        check_writable(tmp_path / ".aws" / "config")
    assert caught.value.message.startswith(f"{tmp_path / '.aws'}: a read-only file system")
    assert "chmod" not in (caught.value.hint or "") and "remount" in (caught.value.hint or "")
