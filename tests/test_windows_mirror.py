"""Issue 13 item 4 -- WSL2 + Windows, one login: ``setup --windows`` writes the profiles into
the Windows user's ``.aws\\config`` too and copies every login into its token cache; ``sync``
keeps both; ``doctor`` says when they drift.

The Windows side is faked: ``cmd.exe`` and ``wslpath`` are shell scripts on PATH (cmd.exe
records the folder it was started from), ``SSOGEN_WSL_ROOT`` points at a tmp ``mnt/c`` with
``Users/me`` in it, and ``WSL_DISTRO_NAME`` is set. Logins use the built-in emulator.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import botocore.configloader
import pytest

from conftest import Sandbox, unprivileged_prefix

START_URL = "https://acme.awsapps.com/start"
TOKEN_FILE = hashlib.sha1(b"acme").hexdigest() + ".json"
SMALL = {"session": "acme", "start_url": START_URL, "sso_region": "eu-west-1",
         "generated_at": "2026-11-26T14:00:00Z",
         "accounts": [{"id": "111111111111", "name": "prod", "roles": ["Admin", "ReadOnly"]},
                      {"id": "222222222222", "name": "dev", "roles": ["Admin"]}]}
WANT = {"prod-admin", "prod-read-only", "dev-admin"}

FAKE_CMD = """#!/bin/sh
# cmd.exe as WSL interop runs it: `cmd.exe /c "echo %USERPROFILE%"` prints the folder + CRLF
printf '%s|%s\\n' "$PWD" "$*" >> "$FAKE_CMD_LOG"
if [ "$1" = "/c" ] && [ "$2" = "echo %USERPROFILE%" ]; then
    printf 'C:\\\\Users\\\\me\\r\\n'
fi
exit 0
"""
FAKE_WSLPATH = """#!/bin/sh
# wslpath -u 'C:\\Users\\me' -> $SSOGEN_WSL_ROOT/Users/me
[ "$1" = "-u" ] || exit 1
rest=$(printf '%s' "$2" | sed -e 's/^[A-Za-z]://' -e 's/\\\\/\\//g')
printf '%s%s\\n' "$SSOGEN_WSL_ROOT" "$rest"
"""


@dataclass
class Wsl:
    root: Path  # the fake /mnt/c
    profile: Path  # C:\Users\me
    log: Path

    @property
    def folder(self) -> Path:
        return self.profile / ".aws"

    @property
    def config(self) -> Path:
        return self.folder / "config"

    @property
    def cache(self) -> Path:
        return self.folder / "sso" / "cache"


@pytest.fixture
def wsl(sandbox: Sandbox, tmp_path: Path) -> Wsl:
    root = tmp_path / "mnt" / "c"
    profile = root / "Users" / "me"
    profile.mkdir(parents=True)
    bin_dir = tmp_path / "winbin"
    bin_dir.mkdir()
    for name, text in (("cmd.exe", FAKE_CMD), ("wslpath", FAKE_WSLPATH)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    log = tmp_path / "cmd.log"
    sandbox.env.update({"PATH": f"{bin_dir}{os.pathsep}{sandbox.env['PATH']}",
                        "WSL_DISTRO_NAME": "Ubuntu", "SSOGEN_WSL_ROOT": str(root),
                        "FAKE_CMD_LOG": str(log)})
    return Wsl(root, profile, log)


@pytest.fixture
def inventory(tmp_path: Path) -> Path:
    path = tmp_path / "inv.json"
    path.write_text(json.dumps(SMALL))
    return path


def grown(tmp_path: Path, *roles: str) -> Path:
    """SMALL with more roles for account dev."""
    data = json.loads(json.dumps(SMALL))
    data["accounts"][1]["roles"] += list(roles)
    path = tmp_path / f"inv-{'-'.join(roles)}.json"
    path.write_text(json.dumps(data))
    return path


def managed(path: Path) -> dict[str, dict[str, str]]:
    """What botocore reads of the managed profiles (the oracle both files must agree on)."""
    parsed = botocore.configloader.raw_config_parse(str(path))
    return {k.split(" ", 1)[1]: v for k, v in parsed.items()
            if k.startswith("profile ") and v.get("ssogen_managed") == "true"}


def crlf_only(data: bytes) -> bool:
    return b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")


def warnings(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [ln for ln in proc.stderr.splitlines() if ln.startswith("ssogen: warning:")]


def offline_setup(sandbox: Sandbox, inventory: Path, *extra: str,
                  ) -> subprocess.CompletedProcess[str]:
    return sandbox.run("setup", "--yes", "--inventory", str(inventory), *extra)


# -- setup: both files ----------------------------------------------------------------------
@pytest.fixture
def online(sandbox: Sandbox, make_emulator, wsl: Wsl):  # type: ignore[no-untyped-def]
    emu = make_emulator(auto_approve_after=0)
    sandbox.env.update(emu.endpoint_env())
    return emu


def online_setup(sandbox: Sandbox, *extra: str) -> subprocess.CompletedProcess[str]:
    return sandbox.run("setup", "--yes", "--no-browser", "--start-url", START_URL,
                       "--sso-region", "eu-west-1", *extra)


def test_setup_windows_writes_both_files_and_copies_the_login(sandbox: Sandbox, wsl: Wsl,
                                                             online) -> None:  # type: ignore[no-untyped-def]
    proc = online_setup(sandbox, "--windows")
    assert proc.returncode == 0, proc.stderr
    linux, windows = sandbox.config.read_bytes(), wsl.config.read_bytes()
    assert b"\r" not in linux  # each file keeps its own line endings: LF here,
    assert crlf_only(windows)  # CRLF for the new Windows file
    assert managed(sandbox.config) == managed(wsl.config) and len(managed(wsl.config)) == 16
    # the same engine: byte for byte the Linux text, except the remembered mirror itself
    key = f"windows_mirror = {wsl.folder}\n".encode()
    assert key in linux and b"windows_mirror" not in windows
    assert windows.replace(b"\r\n", b"\n") == linux.replace(key, b"")
    # cmd.exe was asked from the drive's root (no UNC working directory)
    assert wsl.log.read_text().splitlines() == [f"{wsl.root}|/c echo %USERPROFILE%"]
    # the login: same file names, byte-identical, token and client registration
    names = sorted(p.name for p in sandbox.cache.iterdir())
    assert TOKEN_FILE in names and len(names) == 2
    assert sorted(p.name for p in wsl.cache.iterdir()) == names
    for name in names:
        assert (wsl.cache / name).read_bytes() == (sandbox.cache / name).read_bytes()
    # one spelling of the Windows folder in one run's lines: the path ssogen wrote through
    assert f"wrote {wsl.config}" in proc.stderr and f"login copied to {wsl.folder}\n" in \
        proc.stderr and "C:\\Users" not in proc.stderr
    # botocore reads the Windows file too (CRLF): every profile, the same session
    assert sandbox.run("sync", "--check").returncode == 0


def test_yes_never_turns_the_mirror_on_by_itself(sandbox: Sandbox, wsl: Wsl,
                                                 inventory: Path) -> None:
    proc = offline_setup(sandbox, inventory)
    assert proc.returncode == 0, proc.stderr
    assert not wsl.folder.exists()
    assert "windows_mirror" not in sandbox.config.read_text()
    assert ("found the Windows user's .aws folder (C:\\Users\\me\\.aws); `ssogen setup "
            "--windows` also writes") in proc.stderr
    # --no-windows is remembered (no offer any more), --windows too; --yes keeps either
    assert offline_setup(sandbox, inventory, "--no-windows").returncode == 0
    assert "windows_mirror = off" in sandbox.config.read_text()
    again = offline_setup(sandbox, inventory)
    assert "found the Windows" not in again.stderr and not wsl.folder.exists()
    assert wsl.log.read_text().count("%USERPROFILE%") == 1  # no detection once decided
    assert offline_setup(sandbox, inventory, "--windows").returncode == 0
    assert managed(wsl.config).keys() == WANT
    wsl.config.unlink()
    kept = offline_setup(sandbox, inventory)
    assert kept.returncode == 0 and managed(wsl.config).keys() == WANT


@pytest.mark.parametrize("eol", ["\r\n", "\n"])
def test_an_existing_windows_config_keeps_every_byte(sandbox: Sandbox, wsl: Wsl,
                                                     inventory: Path, eol: str) -> None:
    mine = ("; written by hand on Windows\n[default]\nregion = eu-central-1\n\n"
            "# my own profile, with a comment\n[profile work]\naws_access_key_id = AKIAEXAMPLE\n"
            "output = text   ; trailing comment\n\n[profile prod-admin]\nregion = us-east-1\n")
    original = mine.replace("\n", eol).encode()
    wsl.folder.mkdir()
    wsl.config.write_bytes(original)
    proc = offline_setup(sandbox, inventory, "--windows")
    assert proc.returncode == 0, proc.stderr
    data = wsl.config.read_bytes()
    assert data.startswith(original)  # every byte kept; new sections after them
    assert crlf_only(data) if eol == "\r\n" else b"\r" not in data
    # its own hand-written prod-admin is left alone: the generated one gets another name there
    parsed = botocore.configloader.raw_config_parse(str(wsl.config))
    assert parsed["profile prod-admin"] == {"region": "us-east-1"}
    assert parsed["profile work"]["output"].startswith("text")
    assert set(managed(wsl.config)) == {"prod-admin-111111111111", "prod-read-only",
                                        "dev-admin"}
    assert (wsl.folder / "config.ssogen.bak").read_bytes() == original
    assert sorted(p.name for p in wsl.folder.iterdir()) == ["config", "config.ssogen.bak"]
    # converged: nothing to do on either side
    check = sandbox.run("sync", "--check", "--inventory", str(inventory))
    assert check.returncode == 0, check.stderr


def test_the_wizard_offers_the_mirror_only_when_found(sandbox: Sandbox, wsl: Wsl,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The one wizard question: default yes when a Windows folder is found, the remembered
    answer next time; never asked off WSL."""
    from ssogen.app.windows import SetupMirror
    from ssogen.model.settings import Settings
    from ssogen.store.snapshot import ConfigSnapshot

    for key in ("PATH", "WSL_DISTRO_NAME", "SSOGEN_WSL_ROOT", "FAKE_CMD_LOG", "HOME"):
        monkeypatch.setenv(key, sandbox.env[key])
    asked: list[tuple[str, bool]] = []

    class Wizard:
        interactive = True

        def __init__(self, answer: bool) -> None:
            self.answer = answer

        def ask_windows(self, folder: str, default: bool) -> bool:
            asked.append((folder, default))
            return self.answer

    from ssogen.model.inventory import Inventory

    inv = Inventory.from_dict(SMALL)
    snapshot = ConfigSnapshot.read(sandbox.config)
    base = Settings("acme", START_URL, "eu-west-1")

    class Quiet:
        def info(self, message: str) -> None: ...
        def warn(self, message: str) -> None: ...

    def choose(remembered: str | None, answer: bool) -> str | None:
        mirror = SetupMirror.start(None, snapshot, Quiet())  # type: ignore[arg-type]
        settings = Settings("acme", START_URL, "eu-west-1", windows_mirror=remembered)
        return mirror.choose(settings, inv, Wizard(answer)).windows_mirror  # type: ignore[arg-type]

    assert choose(None, True) == str(wsl.folder)
    assert asked[-1] == ("C:\\Users\\me\\.aws", True)
    assert choose(None, False) == "off"
    assert choose("off", True) == str(wsl.folder) and asked[-1][1] is False  # remembered no
    assert choose(str(wsl.folder), False) == "off" and asked[-1] == (str(wsl.folder), True)
    monkeypatch.delenv("WSL_DISTRO_NAME")
    asked.clear()
    assert choose(None, True) is None and asked == []  # not WSL: nothing to offer
    assert base.windows_mirror is None


def test_aws_folder_already_linked_to_windows_is_not_mirrored(sandbox: Sandbox, wsl: Wsl,
                                                              inventory: Path) -> None:
    wsl.folder.mkdir()
    sandbox.aws.symlink_to(wsl.folder)
    proc = offline_setup(sandbox, inventory, "--windows")
    assert proc.returncode == 0, proc.stderr
    assert "is the Windows config already (the same file); nothing to mirror" in proc.stderr
    assert proc.stderr.count("wrote ") == 1 and managed(wsl.config).keys() == WANT


# -- logins and refreshes --------------------------------------------------------------------
def expire(token_file: Path) -> None:
    data = json.loads(token_file.read_text())
    data["expiresAt"] = "2020-01-01T00:00:00Z"
    token_file.write_text(json.dumps(data))


def same_login(sandbox: Sandbox, wsl: Wsl) -> bool:
    return all((wsl.cache / p.name).read_bytes() == p.read_bytes()
               for p in sandbox.cache.iterdir())


def test_every_login_and_refresh_reaches_windows(sandbox: Sandbox, wsl: Wsl,
                                                 online) -> None:  # type: ignore[no-untyped-def]
    emu = online
    assert online_setup(sandbox, "--windows").returncode == 0
    first = (wsl.cache / TOKEN_FILE).read_bytes()
    for command in (["login", "--session", "acme"], ["list", "--session", "acme"],
                    ["sync"]):
        expire(sandbox.cache / TOKEN_FILE)  # the next use refreshes it
        before = emu.stats()["requests"]
        proc = sandbox.run(*command, "--no-browser")
        assert proc.returncode == 0, proc.stderr
        after = emu.stats()["requests"]
        assert after["CreateToken"] == before["CreateToken"] + 1, command  # a refresh
        assert after["StartDeviceAuthorization"] == before["StartDeviceAuthorization"]
        assert same_login(sandbox, wsl), command
        assert (wsl.cache / TOKEN_FILE).read_bytes() != first
        first = (wsl.cache / TOKEN_FILE).read_bytes()
    # a new login (new client registration too) reaches Windows the same way
    for p in sandbox.cache.iterdir():
        p.unlink()
    assert sandbox.run("login", "--session", "acme", "--no-browser").returncode == 0
    assert same_login(sandbox, wsl) and len(list(wsl.cache.iterdir())) == 2
    # a Windows login newer than this one (the AWS CLI refreshed it there) is kept
    newer = json.loads((wsl.cache / TOKEN_FILE).read_text())
    newer["expiresAt"] = "2999-01-01T00:00:00Z"
    (wsl.cache / TOKEN_FILE).write_text(json.dumps(newer))
    proc = sandbox.run("login", "--session", "acme")
    assert "is newer than this one (refreshed on Windows); kept" in proc.stderr
    assert json.loads((wsl.cache / TOKEN_FILE).read_text())["expiresAt"].startswith("2999")


# -- sync and --check ------------------------------------------------------------------------
def test_sync_keeps_both_and_check_sees_drift_in_either(sandbox: Sandbox, wsl: Wsl,
                                                        inventory: Path, tmp_path: Path) -> None:
    assert offline_setup(sandbox, inventory, "--windows").returncode == 0
    more = grown(tmp_path, "Billing")
    check = sandbox.run("sync", "--check", "--inventory", str(more))
    assert check.returncode == 1
    assert check.stdout.count("+[profile dev-billing]") == 2  # both diffs
    assert f"acme in {wsl.config}: created 1" in check.stderr
    proc = sandbox.run("sync", "--inventory", str(more))
    assert proc.returncode == 0, proc.stderr
    assert "dev-billing" in managed(sandbox.config) and "dev-billing" in managed(wsl.config)
    assert crlf_only(wsl.config.read_bytes())
    assert sandbox.run("sync", "--check", "--inventory", str(more)).returncode == 0
    # --no-windows: this once only the Linux file; then --check names the Windows file
    most = grown(tmp_path, "Billing", "Audit")
    assert sandbox.run("sync", "--no-windows", "--inventory", str(most)).returncode == 0
    assert "dev-audit" in managed(sandbox.config) and "dev-audit" not in managed(wsl.config)
    assert "windows_mirror" in sandbox.config.read_text()  # still remembered
    drift = sandbox.run("sync", "--check", "--inventory", str(most))
    assert drift.returncode == 1
    assert f"acme in {wsl.config}: created 1" in drift.stderr
    assert "kept 5 — in sync" in drift.stderr  # the Linux file is
    # a Windows-only edit: a managed profile renamed by hand keeps its name (as on Linux);
    # one removed there is drift, and sync puts it back and keeps the rest of the file
    assert sandbox.run("sync", "--inventory", str(most)).returncode == 0
    text = wsl.config.read_bytes().replace(b"[profile dev-audit]", b"[profile zz]")
    wsl.config.write_bytes(text + b"; mine\r\n")
    assert sandbox.run("sync", "--check", "--inventory", str(most)).returncode == 0
    start = text.index(b"[profile dev-billing]")
    end = text.index(b"\r\n\r\n", start) + 4
    edited = text[:start] + text[end:] + b"; mine\r\n"
    wsl.config.write_bytes(edited)
    assert sandbox.run("sync", "--check", "--inventory", str(most)).returncode == 1
    assert sandbox.run("sync", "--inventory", str(most)).returncode == 0
    repaired = wsl.config.read_bytes()
    assert repaired.startswith(edited) and "dev-billing" in managed(wsl.config)
    assert crlf_only(repaired)


def test_a_windows_file_changed_since_read_is_planned_again(sandbox: Sandbox, wsl: Wsl,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            ) -> None:
    """Never overwritten: the edit another program made after the read stays."""
    from ssogen.app.windows_config import Options, write_config
    from ssogen.app.windows_target import Target
    from ssogen.model.inventory import Inventory
    from ssogen.model.settings import Settings
    from ssogen.store.snapshot import ConfigSnapshot

    wsl.folder.mkdir()
    wsl.config.write_bytes(b"[default]\r\nregion = eu-west-1\r\n")
    stale = ConfigSnapshot.read(wsl.config)
    wsl.config.write_bytes(b"[default]\r\nregion = eu-west-1\r\n\r\n[profile notepad]\r\n"
                           b"region = us-west-2\r\n")
    said: list[str] = []

    class Reporter:
        def info(self, message: str) -> None:
            said.append(message)

        def warn(self, message: str) -> None:
            said.append(message)

    work = [(Settings("acme", START_URL, "eu-west-1"), Inventory.from_dict(SMALL))]
    results = write_config(Target(wsl.folder), stale, work, Options(),
                           Reporter())  # type: ignore[arg-type]
    data = wsl.config.read_bytes()
    assert results[0].written and b"[profile notepad]\r\nregion = us-west-2\r\n" in data
    assert crlf_only(data) and set(managed(wsl.config)) == WANT


def test_the_windows_config_lock_is_honoured(sandbox: Sandbox, wsl: Wsl, inventory: Path,
                                             tmp_path: Path) -> None:
    from ssogen.store.lock import ConfigLock

    assert offline_setup(sandbox, inventory, "--windows").returncode == 0
    before = wsl.config.read_bytes()
    more = grown(tmp_path, "Billing")
    with ConfigLock(wsl.config):
        proc = subprocess.Popen([sys.executable, "-m", "ssogen", "sync", "--inventory",
                                 str(more)], env=sandbox.env, cwd=str(sandbox.home),
                                stderr=subprocess.PIPE, text=True)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=3)
        assert proc.poll() is None, "sync did not wait for the Windows config's lock"
        assert wsl.config.read_bytes() == before
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "waiting for another ssogen run" in err and "lock: " in err
    assert "dev-billing" in managed(wsl.config)


# -- doctor ------------------------------------------------------------------------------------
def doctor(sandbox: Sandbox) -> tuple[int, dict[str, list[str]]]:
    proc = sandbox.run("doctor", "--no-login", "--json")
    assert "Traceback" not in proc.stderr
    data = json.loads(proc.stdout)
    found: dict[str, list[str]] = {}
    for f in data["findings"]:
        found.setdefault(f["check"], []).append(f"{f['where']}: {f['problem']} / {f['fix']}")
    return proc.returncode, found


def test_doctor_reports_windows_drift(sandbox: Sandbox, wsl: Wsl, online, tmp_path: Path,
                                      ) -> None:  # type: ignore[no-untyped-def]
    emu = online
    assert online_setup(sandbox, "--windows").returncode == 0
    code, found = doctor(sandbox)
    assert (code, found) == (0, {})
    notes = json.loads(sandbox.run("doctor", "--no-login", "--json").stdout)["notes"]
    assert "session acme: the Windows copy of the login is up to date" in notes
    # the Windows token missing, then older than the Linux one
    (wsl.cache / TOKEN_FILE).unlink()
    code, found = doctor(sandbox)
    assert code == 1 and list(found) == ["windows-token-missing"]
    assert found["windows-token-missing"][0].endswith(
        "/ ssogen login --session acme (copies the login to Windows)")
    (wsl.cache / TOKEN_FILE).write_bytes((sandbox.cache / TOKEN_FILE).read_bytes())
    expire(wsl.cache / TOKEN_FILE)
    code, found = doctor(sandbox)
    assert code == 1 and list(found) == ["windows-token-stale"]
    assert "older than this one (expires 2020-01-01T00:00:00Z" in found["windows-token-stale"][0]
    assert sandbox.run("login", "--session", "acme").returncode == 0  # the fix it names
    assert doctor(sandbox) == (0, {})
    # the Windows config out of date: a role added while the Windows side was skipped
    emu.org.add_role("456789012345", "BillingViewer")
    assert sandbox.run("sync", "--no-windows").returncode == 0
    code, found = doctor(sandbox)
    assert code == 1 and list(found) == ["windows-config-drift"]
    assert ("the Windows config is out of date for session acme: 1 profile missing there "
            "(acme-dev-billing-viewer) / ssogen sync") in found["windows-config-drift"][0]
    assert sandbox.run("sync").returncode == 0
    assert doctor(sandbox) == (0, {})


# -- a Windows side ssogen must not write to -------------------------------------------------
def test_a_symlinked_windows_folder_is_skipped_with_one_warning(sandbox: Sandbox, wsl: Wsl,
                                                                inventory: Path,
                                                                tmp_path: Path) -> None:
    assert offline_setup(sandbox, inventory, "--windows").returncode == 0
    elsewhere = tmp_path / "elsewhere"
    wsl.folder.rename(elsewhere)
    wsl.folder.symlink_to(elsewhere)
    before = (elsewhere / "config").read_bytes()
    proc = sandbox.run("sync", "--inventory", str(grown(tmp_path, "Billing")))
    assert proc.returncode == 0, proc.stderr  # remembered, not asked: exit code unchanged
    assert warnings(proc) == [
        f"ssogen: warning: Windows copy skipped: {wsl.folder}: is a symlink (to {elsewhere}); "
        f"ssogen does not follow links on the Windows side; {sandbox.config} is handled as "
        "usual"]
    assert "dev-billing" in managed(sandbox.config)  # the Linux write still happens
    assert (elsewhere / "config").read_bytes() == before
    code, found = doctor(sandbox)
    assert code == 1 and "windows-unreachable" in found
    # asked for explicitly: exit 2, nothing written anywhere
    linux = sandbox.config.read_bytes()
    asked = offline_setup(sandbox, grown(tmp_path, "Audit"), "--windows", str(wsl.folder))
    assert asked.returncode == 2
    assert asked.stderr.splitlines()[0].endswith(
        "nothing written (--windows asked for the Windows copy)")
    assert sandbox.config.read_bytes() == linux and (elsewhere / "config").read_bytes() == before


def run_unprivileged(sandbox: Sandbox, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*unprivileged_prefix(), sys.executable, "-m", "ssogen", *args],
                          env=sandbox.env, capture_output=True, text=True, timeout=120,
                          cwd=str(sandbox.home), check=False)


def test_a_read_only_windows_folder_warns_and_linux_is_still_written(
        sandbox: Sandbox, wsl: Wsl, inventory: Path, tmp_path: Path) -> None:
    unprivileged_prefix()  # skips when permission bits cannot be made to apply
    assert offline_setup(sandbox, inventory, "--windows").returncode == 0
    before = wsl.config.read_bytes()
    original = stat.S_IMODE(wsl.folder.stat().st_mode)
    wsl.folder.chmod(0o555)
    try:
        proc = run_unprivileged(sandbox, "sync", "--inventory", str(grown(tmp_path, "Billing")))
        assert proc.returncode == 0, proc.stderr
        assert warnings(proc) == [
            f"ssogen: warning: Windows copy skipped: {wsl.folder}: the folder is read-only "
            "(ssogen writes a new file next to the old one and renames it); "
            f"{sandbox.config} is handled as usual"]
        assert "dev-billing" in managed(sandbox.config)
        assert wsl.config.read_bytes() == before
        linux = sandbox.config.read_bytes()
        asked = run_unprivileged(sandbox, "setup", "--yes", "--inventory",
                                 str(grown(tmp_path, "Audit")), "--windows")
        assert asked.returncode == 2, asked.stderr
        assert "the folder is read-only" in asked.stderr.splitlines()[0]
        assert sandbox.config.read_bytes() == linux and wsl.config.read_bytes() == before
    finally:
        wsl.folder.chmod(original)


def test_a_missing_drive_mount_is_explained_in_one_line(sandbox: Sandbox, wsl: Wsl,
                                                        inventory: Path, tmp_path: Path,
                                                        ) -> None:
    assert offline_setup(sandbox, inventory, "--windows").returncode == 0
    wsl.root.rename(tmp_path / "unmounted")  # automount off: no /mnt/c at all
    why = (f"{wsl.root} does not exist: WSL does not mount the Windows drive (automount off: "
           "[automount] enabled=false in /etc/wsl.conf?), so the Windows user's .aws folder "
           "cannot be reached")
    proc = sandbox.run("sync", "--inventory", str(grown(tmp_path, "Billing")))
    assert proc.returncode == 0, proc.stderr
    assert warnings(proc) == [f"ssogen: warning: Windows copy skipped: {why}; "
                              f"{sandbox.config} is handled as usual"]
    hint = proc.stderr.splitlines()[proc.stderr.splitlines().index(warnings(proc)[0]) + 1]
    assert hint.startswith("  hint: set [automount] enabled=true in /etc/wsl.conf")
    assert "dev-billing" in managed(sandbox.config)
    assert not wsl.root.exists()  # nothing created where the drive should be
    # asked for: exit 2 with the same line; a fresh machine: the same line when offering
    sandbox.config.unlink()
    asked = offline_setup(sandbox, inventory, "--windows")
    assert asked.returncode == 2
    assert asked.stderr.splitlines()[:2] == [f"ssogen: error: --windows: {why}", hint]
    assert not sandbox.config.exists()
    fresh = offline_setup(sandbox, inventory)
    assert fresh.returncode == 0 and f"no Windows copy offered: {why}" in fresh.stderr


# -- finding the Windows folder (no processes: run and which injected) ---------------------------
def test_locate_strips_crlf_and_runs_cmd_from_the_drive_root(tmp_path: Path) -> None:
    from ssogen.app import wsl

    root = tmp_path / "c"
    (root / "Users" / "Zoë Q").mkdir(parents=True)
    calls: list[tuple[list[str], str]] = []

    def run(argv: list[str], **kw: object) -> subprocess.CompletedProcess[bytes]:
        calls.append((argv, str(kw["cwd"])))
        out = b"C:\\Users\\Zo\xc3\xab Q\r\n" if argv[0] == "cmd.exe" else b""
        return subprocess.CompletedProcess(argv, 0, out, b"")

    env = {"WSL_DISTRO_NAME": "Ubuntu", "SSOGEN_WSL_ROOT": str(root)}
    which = {"cmd.exe": "cmd.exe"}.get
    found = wsl.locate(env, run=run, which=which)  # no wslpath: the drive letter is mapped
    assert found.folder == tmp_path / "c" / "Users" / "Zoë Q" / ".aws", found
    assert found.shown == "C:\\Users\\Zoë Q\\.aws"
    assert calls == [(["cmd.exe", "/c", "echo %USERPROFILE%"], str(root))]
    # what cmd.exe prints when the variable is unset, or a failure: said, never guessed
    for out in (b"%USERPROFILE%\r\n", b""):
        def bad(argv: list[str], out: bytes = out, **kw: object,
                ) -> subprocess.CompletedProcess[bytes]:
            return subprocess.CompletedProcess(argv, 0, out, b"")
        miss = wsl.locate(env, run=bad, which=which)
        assert miss.folder is None and "cmd.exe did not say" in (miss.problem or "")
        assert miss.hint == "give the folder: --windows /mnt/c/Users/<you>/.aws"
    if not wsl.is_wsl():
        assert (wsl.locate({}, run=run, which=which).problem or "").startswith("this is not WSL")
    assert wsl.drive_root({}) == Path("/mnt/c")  # the real default


def test_yes_cannot_answer_the_windows_question_with_yes() -> None:
    """``--yes`` answers "write it?" with yes; the Windows question keeps its default."""
    from ssogen.ui import prompter, wizard

    assert wizard.ask_windows(prompter.DefaultsPrompter(), "C:\\Users\\me\\.aws", False) is False
    assert wizard.Wizard(prompter.DefaultsPrompter()).ask_windows("x", True) is True


def test_declined_in_the_wizard_nothing_is_written_on_either_side(
        sandbox: Sandbox, wsl: Wsl, inventory: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ssogen.app import setup
    from ssogen.app.ports import Answers

    for key in ("PATH", "WSL_DISTRO_NAME", "SSOGEN_WSL_ROOT", "FAKE_CMD_LOG", "HOME"):
        monkeypatch.setenv(key, sandbox.env[key])
    wsl.folder.mkdir()
    wsl.config.write_bytes(b"[default]\r\n")
    said: list[str] = []

    class Declines:
        interactive = True

        def ask_profiles(self, base, inventory, answers: Answers):  # type: ignore[no-untyped-def]
            return base

        def ask_migrate(self, *args: object) -> bool:
            return False

        def ask_adopt(self, *args: object) -> bool:
            return False

        def ask_windows(self, folder: str, default: bool) -> bool:
            said.append(f"asked {folder} {default}")
            return True

        def confirm(self, result: object) -> bool:
            return False

    class Reporter:
        def info(self, message: str) -> None:
            said.append(message)

        warn = info

    request = setup.SetupRequest(config=sandbox.config, inventory=inventory)
    outcome = setup.run(request, Reporter(), Declines())  # type: ignore[arg-type]
    assert not outcome.result.written and outcome.result.mirrors == []
    assert said == ["asked C:\\Users\\me\\.aws True"]
    assert not sandbox.config.exists() and wsl.config.read_bytes() == b"[default]\r\n"


def test_an_empty_windows_folder_is_refused_not_taken_as_the_current_folder(
        sandbox: Sandbox, wsl: Wsl, inventory: Path) -> None:
    """``--windows "$UNSET"``: without the check the config and the tokens would be written
    into the current folder (a git checkout, say), and that folder remembered."""
    proc = offline_setup(sandbox, inventory, "--windows", "")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines()[0] == "ssogen: error: --windows '': no folder given"
    assert proc.stderr.splitlines()[1].startswith("  hint: give the Windows user's .aws folder")
    assert not sandbox.config.exists()
    assert not (sandbox.home / "config").exists() and not (sandbox.home / "sso").exists()


def test_the_windows_user_folder_instead_of_its_aws_folder_is_refused(
        sandbox: Sandbox, wsl: Wsl, inventory: Path) -> None:
    wsl.folder.mkdir()
    proc = offline_setup(sandbox, inventory, "--windows", str(wsl.profile))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [
        f"ssogen: error: --windows {wsl.profile}: the user folder, not its .aws folder "
        f"(the AWS CLI on Windows reads {wsl.folder}/config)",
        f"  hint: ssogen setup --windows {wsl.folder}"]
    assert not sandbox.config.exists() and not (wsl.profile / "config").exists()
    assert offline_setup(sandbox, inventory, "--windows", str(wsl.folder)).returncode == 0
    assert wsl.config.exists()


def test_a_windows_token_cache_ssogen_cannot_enter_is_skipped_not_a_crash(
        sandbox: Sandbox, wsl: Wsl, inventory: Path, tmp_path: Path) -> None:
    """A Windows-side ``sso`` folder another user made (0700): sync and doctor could not look
    inside and stopped with exit 70; now it is the mirror's one-line warning."""
    from conftest import OTHER_UID, foreign_owner_prefix

    prefix = foreign_owner_prefix()
    assert offline_setup(sandbox, inventory, "--windows").returncode == 0
    sso = wsl.folder / "sso"
    sso.mkdir(exist_ok=True)
    os.chown(sso, OTHER_UID, OTHER_UID)
    sso.chmod(0o700)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*prefix, sys.executable, "-m", "ssogen", *args],
                              env=sandbox.env, capture_output=True, text=True, timeout=120,
                              cwd=str(sandbox.home), check=False)

    try:
        proc = run("sync", "--inventory", str(grown(tmp_path, "Billing")))
        assert proc.returncode == 0, proc.stderr
        assert warnings(proc) == [
            f"ssogen: warning: Windows copy skipped: {sso}: cannot be read "
            f"(Permission denied); {sandbox.config} is handled as usual"], proc.stderr
        assert "dev-billing" in managed(sandbox.config)
        hint = proc.stderr.splitlines()[proc.stderr.splitlines().index(warnings(proc)[0]) + 1]
        assert hint.startswith("  hint: give your user access to it")
        proc = run("doctor", "--no-login")
        assert proc.returncode == 1 and "cannot be read" in proc.stderr, proc.stderr
        assert "internal error" not in proc.stderr
    finally:
        os.chown(sso, 0, 0)


def test_check_fails_when_the_windows_copy_cannot_be_checked(sandbox: Sandbox, wsl: Wsl,
                                                            inventory: Path,
                                                            tmp_path: Path) -> None:
    """--check is a gate: a remembered Windows copy it could not read (a file botocore
    refuses, a folder it must not write to) is not "in sync" (exit 1, said why)."""
    assert offline_setup(sandbox, inventory, "--windows").returncode == 0
    assert sandbox.run("sync", "--check", "--inventory", str(inventory)).returncode == 0
    good = wsl.config.read_bytes()
    wsl.config.write_bytes(good + b"[default]\r\nregion = x\r\n[default]\r\nregion = y\r\n")
    proc = sandbox.run("sync", "--check", "--inventory", str(inventory))
    assert proc.returncode == 1, proc.stderr
    assert warnings(proc)[0].startswith(f"ssogen: warning: Windows copy skipped: {wsl.config}:")
    assert proc.stderr.splitlines()[-1].endswith(
        "— in sync; its Windows copy could not be checked (see above)"), proc.stderr
    as_json = sandbox.run("sync", "--check", "--json", "--inventory", str(inventory))
    assert as_json.returncode == 1
    assert json.loads(as_json.stdout)["sessions"][0]["windows_skipped"] is True
    line = good.count(b"\n") + 3  # the second [default]
    assert doctor(sandbox)[1]["windows-config"] == [  # said once: where, what, the fix
        f"{wsl.config}:{line}: duplicate section [default] / edit that line (the AWS CLI on "
        "Windows cannot read the file either), then ssogen sync"]
    wsl.config.write_bytes(good)
    elsewhere = tmp_path / "elsewhere"
    wsl.folder.rename(elsewhere)
    wsl.folder.symlink_to(elsewhere)
    assert sandbox.run("sync", "--check", "--inventory", str(inventory)).returncode == 1
    assert sandbox.run("sync", "--check", "--no-windows", "--inventory",
                       str(inventory)).returncode == 0  # left alone this once: not a gap


def test_logout_removes_the_windows_copy_of_the_token(sandbox: Sandbox, wsl: Wsl,
                                                      online: Any) -> None:
    """The portal ends the sign-in session; a copy left on Windows would be a revoked token
    there ("unauthorized" in PowerShell instead of "log in again")."""
    assert online_setup(sandbox, "--windows").returncode == 0
    name = hashlib.sha1(b"acme").hexdigest() + ".json"
    assert (wsl.cache / name).is_file() and (sandbox.cache / name).is_file()
    registrations = sorted(p.name for p in wsl.cache.iterdir() if p.name != name)
    proc = sandbox.run("logout", "--session", "acme")
    assert proc.returncode == 0, proc.stderr
    assert (f"ssogen: removed the Windows copy of the token of session acme "
            f"({wsl.cache / name})") in proc.stderr.splitlines(), proc.stderr
    assert not (wsl.cache / name).exists() and not (sandbox.cache / name).exists()
    assert sorted(p.name for p in wsl.cache.iterdir()) == registrations  # as on Linux
    again = sandbox.run("logout", "--session", "acme")
    assert again.returncode == 0 and "already logged out" in again.stderr, again.stderr


def test_doctor_finds_a_name_that_means_another_role_on_windows(sandbox: Sandbox, wsl: Wsl,
                                                                 inventory: Path) -> None:
    """A hand-written Windows profile holds a name ssogen gives on Linux: `--profile
    prod-admin` reaches another account in PowerShell. sync keeps the user's profile (the
    Windows one gets a suffix), so doctor says it -- a finding, not a note."""
    wsl.folder.mkdir()
    wsl.config.write_bytes(b"[profile prod-admin]\r\nrole_arn = arn:aws:iam::999999999999:"
                           b"role/Other\r\nsource_profile = default\r\n")
    assert offline_setup(sandbox, inventory, "--windows").returncode == 0
    assert "prod-admin" in managed(sandbox.config)
    code, found = doctor(sandbox)
    assert code == 1 and set(found) == {"windows-name-clash", "token-missing"}, found
    assert found["windows-name-clash"] == [
        f"{wsl.config}: session acme: profile name prod-admin means another account/role in "
        "the Windows config (a profile of yours there holds the name) / rename or remove that "
        "profile in the Windows config, then ssogen sync"], found
    text = wsl.config.read_bytes().replace(b"[profile prod-admin]", b"[profile my-other]")
    wsl.config.write_bytes(text)
    assert sandbox.run("sync", "--inventory", str(inventory)).returncode == 0
    assert set(doctor(sandbox)[1]) == {"token-missing"}  # offline: no login to check


def test_check_on_a_machine_without_wsl_leaves_the_remembered_windows_copy_alone(
        sandbox: Sandbox, wsl: Wsl, inventory: Path) -> None:
    """A config written on WSL, checked in CI on plain Linux: the Windows folder it remembers
    does not exist there, and that is no reason to fail the gate."""
    assert offline_setup(sandbox, inventory, "--windows").returncode == 0
    for var in ("WSL_DISTRO_NAME", "WSL_INTEROP"):
        sandbox.env.pop(var, None)
    from ssogen.app.wsl import is_wsl

    if is_wsl(sandbox.env):
        pytest.skip("this machine is WSL")
    proc = sandbox.run("sync", "--check", "--inventory", str(inventory))
    assert proc.returncode == 0, proc.stderr
    assert f"ssogen: not on WSL: the remembered Windows copy ({wsl.folder}) is left alone " \
        "here" in proc.stderr.splitlines(), proc.stderr
    assert "warning" not in proc.stderr


def test_logout_removes_the_windows_token_even_when_the_windows_config_is_read_only(
        sandbox: Sandbox, wsl: Wsl, online: Any) -> None:
    """What blocks writing the Windows config has nothing to do with its token cache."""
    unprivileged_prefix()  # skips when permission bits cannot be made to apply
    assert online_setup(sandbox, "--windows").returncode == 0
    name = hashlib.sha1(b"acme").hexdigest() + ".json"
    wsl.config.chmod(0o444)
    try:
        proc = run_unprivileged(sandbox, "logout", "--session", "acme")
        assert proc.returncode == 0, proc.stderr
        assert not (wsl.cache / name).exists(), proc.stderr
        assert "removed the Windows copy of the token" in proc.stderr
    finally:
        wsl.config.chmod(0o644)


def test_a_name_held_on_windows_by_ssogen_itself_is_no_clash_of_yours() -> None:
    from ssogen.app.windows_doctor import name_clashes
    from ssogen.inifile.scan import scan

    linux = scan("[profile prod-admin]\nsso_session = acme\nsso_account_id = 111111111111\n"
                 "sso_role_name = Admin\nssogen_managed = true\n").model
    for marker, expected in (("", ["prod-admin"]), ("ssogen_managed = true\n", [])):
        windows = scan("[profile prod-admin]\nsso_session = acme\nsso_account_id = "
                       f"999999999999\nsso_role_name = Admin\n{marker}").model
        assert name_clashes(linux, windows, "acme") == expected


def test_setup_next_line_names_the_windows_name_where_the_windows_copy_gave_another(
        sandbox: Sandbox, wsl: Wsl, online) -> None:  # type: ignore[no-untyped-def]
    """The profile setup suggests trying is, on Windows, another account's (a hand-written
    profile there holds the name): the line says the name to use in PowerShell."""
    plain = online_setup(sandbox, "--windows")
    assert plain.returncode == 0, plain.stderr
    suggested = [ln for ln in plain.stderr.splitlines() if ln.startswith("next:")]
    assert len(suggested) == 1 and "on Windows" not in plain.stderr, plain.stderr
    name = suggested[0].rsplit(" ", 1)[1]
    wanted = managed(sandbox.config)[name]
    sandbox.config.unlink()
    wsl.config.write_bytes(f"[profile {name}]\r\nrole_arn = arn:aws:iam::999999999999:role/X"
                           "\r\nsource_profile = default\r\n".encode())
    proc = online_setup(sandbox, "--windows")
    assert proc.returncode == 0, proc.stderr
    windows_name = next(n for n, v in managed(wsl.config).items()
                        if (v["sso_account_id"], v["sso_role_name"])
                        == (wanted["sso_account_id"], wanted["sso_role_name"]))
    assert windows_name != name
    assert (f"next: aws s3 ls --profile {name} (on Windows: --profile "
            f"{windows_name})") in proc.stderr.splitlines(), proc.stderr
