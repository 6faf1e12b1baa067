from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ssogen.store.fileio import atomic_write_bytes


def mode(p: Path) -> int:
    return stat.S_IMODE(os.stat(p).st_mode)


def test_new_file_gets_new_mode_and_dir_mode(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "f.json"
    atomic_write_bytes(target, b"x", new_mode=0o600, dir_mode=0o700)
    assert target.read_bytes() == b"x"
    assert mode(target) == 0o600
    assert mode(target.parent) == 0o700


def test_existing_mode_is_kept_and_backup_written(tmp_path: Path) -> None:
    target = tmp_path / "config"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    atomic_write_bytes(target, b"new", backup_suffix=".bak")
    assert target.read_bytes() == b"new"
    assert mode(target) == 0o640
    backup = tmp_path / "config.bak"
    assert backup.read_bytes() == b"old"
    assert mode(backup) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config", "config.bak"]


def test_symlink_is_kept_and_target_replaced(tmp_path: Path) -> None:
    real_dir = tmp_path / "dotfiles"
    real_dir.mkdir()
    real = real_dir / "aws-config"
    real.write_bytes(b"old")
    link = tmp_path / "config"
    link.symlink_to(real)
    written = atomic_write_bytes(link, b"new")
    assert written == str(real.resolve())  # paths come back as str (os.path)
    assert link.is_symlink()
    assert real.read_bytes() == b"new"
    assert not any(p.name.endswith(".tmp") for p in real_dir.iterdir())


def test_failure_leaves_old_file_and_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             ) -> None:
    target = tmp_path / "config"
    target.write_bytes(b"old")

    def boom(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["config"]


def test_missing_ancestors_get_dir_mode_too(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    os.chmod(home, 0o755)
    target = home / ".aws" / "sso" / "cache" / "t.json"
    atomic_write_bytes(target, b"{}", dir_mode=0o700)
    for d in (home / ".aws", home / ".aws" / "sso", home / ".aws" / "sso" / "cache"):
        assert mode(d) == 0o700, d
    assert mode(home) == 0o755  # an existing ancestor is left as it is


def test_never_replaces_what_is_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    link = tmp_path / "config"
    link.symlink_to(fifo)
    with pytest.raises(OSError, match="named pipe, not a regular file"):
        atomic_write_bytes(link, b"x")
    with pytest.raises(IsADirectoryError):
        atomic_write_bytes(tmp_path, b"x")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config", "fifo"]


def test_a_read_takes_the_whole_file_up_to_the_limit_and_refuses_more(tmp_path: Path) -> None:
    from ssogen.store.fileio import ReadRefused, read_regular_stat

    path = tmp_path / "f"
    path.write_bytes(b"x" * 1000)
    assert read_regular_stat(path, 1000)[0] == b"x" * 1000
    assert read_regular_stat(path, 5000)[0] == b"x" * 1000
    with pytest.raises(ReadRefused, match="larger than"):
        read_regular_stat(path, 999)
    path.write_bytes(b"")
    assert read_regular_stat(path, 10)[0] == b""


def test_a_file_growing_after_its_stat_is_read_on_to_the_limit(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              ) -> None:
    from ssogen.store import fileio

    path = tmp_path / "f"
    path.write_bytes(b"abc")
    real = os.fstat

    def stale(fd: int) -> os.stat_result:  # the size the file had before another write
        st = real(fd)
        return os.stat_result((st.st_mode, st.st_ino, st.st_dev, st.st_nlink, st.st_uid,
                               st.st_gid, 1, st.st_atime, st.st_mtime, st.st_ctime))

    monkeypatch.setattr(fileio.os, "fstat", stale)
    assert fileio.read_regular_stat(path, 100)[0] == b"abc"
    with pytest.raises(fileio.ReadRefused):
        fileio.read_regular_stat(path, 2)
