"""A config path that is not a regular file is refused, never read (a named pipe would block)
and never replaced (a rename over ``AWS_CONFIG_FILE=/dev/null`` as root would replace the
device)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from conftest import Sandbox

COMMANDS = [
    ["setup", "--yes", "--inventory", "INV"],
    ["sync", "--inventory", "INV", "--check"],
    ["sync", "--inventory", "INV"],
    ["list", "--session", "acme", "--no-login"],
    ["login", "--session", "acme", "--no-browser"],
]


def _special(tmp: Path, kind: str) -> Path:
    path = tmp / f"config-{kind}"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dir":
        path.mkdir()
    else:
        if os.geteuid() != 0:
            pytest.skip("creating a device node needs root")
        os.mknod(path, 0o644 | stat.S_IFCHR, os.makedev(1, 3))  # same device as /dev/null
    return path


@pytest.mark.parametrize("kind", ["fifo", "chardev", "dir"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_refused_with_one_line_and_left_alone(kind: str, command: list[str], sandbox: Sandbox,
                                              acme_inventory: Path, tmp_path: Path) -> None:
    config = _special(tmp_path, kind)
    before = os.stat(config)
    args = [str(acme_inventory) if a == "INV" else a for a in command]
    proc = sandbox.run("--config", str(config), *args, timeout=30)  # a blocked read times out
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines[0].startswith("ssogen: error: ")
    assert str(config) in lines[0]
    assert "Traceback" not in proc.stderr
    after = os.stat(config)
    assert stat.S_IFMT(after.st_mode) == stat.S_IFMT(before.st_mode)
    assert after.st_ino == before.st_ino
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("config")) == [
        config.name]  # no backup, lock or temp file beside it
