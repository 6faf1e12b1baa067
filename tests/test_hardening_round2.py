"""Hardening, round two (issue 12): no lost edit, no followed link, no crash -- each finding
of the outside review as a regression test, through the real CLI where a user would meet it.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Sandbox, unprivileged_prefix
from ssogen.app.generate import generate
from ssogen.model.inventory import Account, Inventory
from ssogen.model.settings import Settings

URL = "https://acme.awsapps.com/start"
SMALL = {"session": "acme", "start_url": URL, "sso_region": "eu-west-1",
         "accounts": [{"id": "111111111111", "name": "prod", "roles": ["Admin"]}]}
MINE = "# mine\n[profile work]\nregion = eu-west-1\n"


@pytest.fixture
def inventory(tmp_path: Path) -> Path:
    path = tmp_path / "inv.json"
    path.write_text(json.dumps(SMALL))
    return path


def setup(sandbox: Sandbox, inventory: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return sandbox.run("setup", "--yes", "--inventory", str(inventory), *extra)


def one_error(proc: subprocess.CompletedProcess[str], code: int = 2) -> str:
    """The error line of a refused run: exit ``code``, one error line (and a hint line)."""
    lines = proc.stderr.splitlines()
    assert proc.returncode == code, proc.stderr
    assert lines and lines[0].startswith("ssogen: error: "), proc.stderr
    assert len(lines) <= 2 and all(ln.startswith("  hint: ") for ln in lines[1:]), proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


# -- 1. an edit made while ssogen waits is never overwritten ---------------------------------
def test_an_edit_made_before_the_write_is_kept_and_planned_again(tmp_path: Path) -> None:
    """Another program (``aws configure set region ap-south-1 --profile work``, an editor)
    writes the file while ssogen waits at "Write these changes?": the edit survives, the
    plan is made again on the new content and confirmed again."""
    config = tmp_path / "config"
    config.write_text(MINE)
    settings = Settings("acme", URL, "eu-west-1", region="eu-west-1", output="json")
    inventory = Inventory("acme", URL, "eu-west-1", [Account("111111111111", "prod", "",
                                                             ["Admin"])])
    asked: list[str] = []

    def confirm(result):  # type: ignore[no-untyped-def]
        asked.append(result.diff)
        if len(asked) == 1:  # meanwhile, the AWS CLI rewrites the file
            config.write_text(MINE.replace("eu-west-1", "ap-south-1"))
        return True

    result = generate(config, settings, inventory, confirm=confirm)
    text = config.read_text()
    assert "[profile work]\nregion = ap-south-1\n" in text  # the other program's edit
    assert "[profile prod-admin]" in text and result.written
    assert len(asked) == 2  # asked again, with the plan made on the new content
    assert "ap-south-1" in asked[1] or "ap-south-1" not in asked[0]


# -- 2. lock and backup files are never followed through symlinks ----------------------------
@pytest.mark.parametrize("name", ["config.ssogen.lock", "config.ssogen.bak"])
def test_a_planted_symlink_is_refused_and_its_target_untouched(
        sandbox: Sandbox, inventory: Path, tmp_path: Path, name: str) -> None:
    sandbox.aws.mkdir()
    sandbox.config.write_text(MINE)
    victim = tmp_path / "victim"
    victim.write_text("someone else's file\n")
    (sandbox.aws / name).symlink_to(victim)
    line = one_error(setup(sandbox, inventory))
    assert "symlink" in line and name in line
    assert victim.read_text() == "someone else's file\n"
    assert sandbox.config.read_text() == MINE
    assert (sandbox.aws / name).is_symlink()


# -- 8. a hard-linked config is never split silently ----------------------------------------
def test_a_hard_linked_config_is_refused_with_the_reason(sandbox: Sandbox, inventory: Path,
                                                        tmp_path: Path) -> None:
    sandbox.aws.mkdir()
    sandbox.config.write_text(MINE)
    other = tmp_path / "other-name"
    os.link(sandbox.config, other)
    line = one_error(setup(sandbox, inventory))
    assert "2 hard links" in line and "split" in line
    assert sandbox.config.read_text() == other.read_text() == MINE
    assert os.stat(sandbox.config).st_ino == os.stat(other).st_ino


# -- 9. extended attributes (ACLs, SELinux labels, user attributes) survive the rename ------
def test_extended_attributes_are_kept(sandbox: Sandbox, inventory: Path) -> None:
    sandbox.aws.mkdir()
    sandbox.config.write_text(MINE)
    try:
        os.setxattr(sandbox.config, "user.ssogen-test", b"kept")
    except OSError as exc:
        pytest.skip(f"this filesystem has no user extended attributes ({exc.strerror})")
    assert setup(sandbox, inventory).returncode == 0
    assert os.getxattr(sandbox.config, "user.ssogen-test") == b"kept"
    assert "[profile prod-admin]" in sandbox.config.read_text()


# -- 10, 11. hostile inputs: one line, exit 2, never 70 (or 1 under -v) ----------------------
@pytest.mark.parametrize("kind", ["deep", "huge-int", "fifo", "dev-zero"])
def test_hostile_inventory_files_are_one_line(sandbox: Sandbox, tmp_path: Path,
                                              kind: str) -> None:
    path = tmp_path / "inv.json"
    if kind == "deep":
        path.write_text("[" * 100_000 + "]" * 100_000)
    elif kind == "huge-int":
        path.write_text('{"session": "acme", "accounts": [' + "9" * 5000 + "]}")
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        path = Path("/dev/zero")
    for verbose in ([], ["-v"]):
        proc = sandbox.run(*verbose, "setup", "--yes", "--inventory", str(path), timeout=30)
        one_error(proc)


def test_a_symlink_loop_as_config_is_one_line_also_under_v(sandbox: Sandbox,
                                                          inventory: Path) -> None:
    sandbox.aws.mkdir()
    sandbox.config.symlink_to(sandbox.aws / "loop")
    (sandbox.aws / "loop").symlink_to(sandbox.config)
    for verbose in ([], ["-v"]):
        line = one_error(sandbox.run(*verbose, "setup", "--yes", "--inventory",
                                     str(inventory)))
        assert "loop of symlinks" in line


@pytest.mark.parametrize("what", ["/dev/zero", "fifo"])
def test_a_profile_template_that_is_not_a_file_is_one_line(sandbox: Sandbox, inventory: Path,
                                                          tmp_path: Path, what: str) -> None:
    path = Path(what)
    if what == "fifo":
        path = tmp_path / "tpl"
        os.mkfifo(path)
    line = one_error(setup(sandbox, inventory, "--profile-template", str(path)))
    assert "--profile-template" in line and "not a template file" in line


# -- 14, 15. a root-owned leftover and a read-only folder say what to do ---------------------
def test_a_lock_left_by_sudo_names_the_file_and_the_fix(sandbox: Sandbox, inventory: Path,
                                                       ) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to make a file another user owns")
    prefix = unprivileged_prefix()
    sandbox.aws.mkdir()
    sandbox.config.write_text(MINE)
    lock = sandbox.aws / "config.ssogen.lock"
    lock.write_text("")
    os.chown(lock, 12345, 12345)
    lock.chmod(0o600)
    proc = subprocess.run([*prefix, sys.executable, "-m", "ssogen", "setup", "--yes",
                           "--inventory", str(inventory)], env=sandbox.env,
                          capture_output=True, text=True, timeout=120, check=False)
    line = one_error(proc)
    assert str(lock) in line and "sudo" in line
    assert "sudo chown $USER" in proc.stderr
    assert sandbox.config.read_text() == MINE


def test_the_lock_file_is_removed_when_released(sandbox: Sandbox, inventory: Path) -> None:
    assert setup(sandbox, inventory).returncode == 0
    assert sorted(p.name for p in sandbox.aws.iterdir()) == ["config"]
    assert stat.S_IMODE(sandbox.aws.stat().st_mode) == 0o700


# -- 13. Ctrl-D at a question is Ctrl-C: exit 130, nothing written ---------------------------
def test_ctrl_d_at_a_wizard_question_exits_130(sandbox: Sandbox) -> None:
    pexpect = pytest.importorskip("pexpect")
    sandbox.aws.mkdir()
    sandbox.config.write_text(MINE)
    child = pexpect.spawn(sys.executable, ["-m", "ssogen", "setup"], env=sandbox.env,
                          dimensions=(24, 80), timeout=30, encoding="utf-8")
    child.expect("start\\) URL")  # the first question, a text one
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert sandbox.config.read_text() == MINE
