"""``ssogen setup --inventory`` / ``ssogen sync --inventory`` through the real CLI: the
ownership rules of docs/ARCHITECTURE.md, the modes, the exit codes, the files written, the lock."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import botocore.configloader
import pytest

from conftest import ACME_INVENTORY, Sandbox

HAND_WRITTEN = """\
# my own profiles
[default]
region = us-east-1

; do not touch: mine
[profile prod-administrator-access]
role_arn = arn:aws:iam::111111111111:role/Admin
source_profile = default
"""


def setup(sandbox: Sandbox, inventory: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return sandbox.run("setup", "--yes", "--inventory", str(inventory), "--region", "eu-west-1",
                       "--output", "json", *extra, check=True)


def profiles(sandbox: Sandbox) -> dict[str, dict[str, str]]:
    parsed = botocore.configloader.raw_config_parse(str(sandbox.config))
    return botocore.configloader.build_profile_map(parsed)["profiles"]


def save_inventory(path: Path, drop_roles: set[str] = frozenset(), **changes: object) -> Path:
    data = json.loads(json.dumps(ACME_INVENTORY))
    for account in data["accounts"]:
        account["roles"] = [r for r in account["roles"] if f"{account['id']}/{r}" not in drop_roles]
    data.update(changes)
    path.write_text(json.dumps(data))
    return path


def test_hand_written_profile_with_generated_name_is_untouched(
        sandbox: Sandbox, acme_inventory: Path) -> None:
    sandbox.aws.mkdir()
    sandbox.config.write_text(HAND_WRITTEN)
    proc = setup(sandbox, acme_inventory)
    text = sandbox.config.read_text()
    assert text.startswith(HAND_WRITTEN)
    assert ("'prod-administrator-access' is taken by your profile prod-administrator-access"
            in proc.stderr and "(not managed by ssogen)" in proc.stderr)
    p = profiles(sandbox)
    assert p["prod-administrator-access"] == {
        "role_arn": "arn:aws:iam::111111111111:role/Admin", "source_profile": "default"}
    assert p["prod-administrator-access-111111111111"]["sso_role_name"] == "AdministratorAccess"


def test_user_edits_inside_managed_profile_survive_sync(
        sandbox: Sandbox, acme_inventory: Path) -> None:
    setup(sandbox, acme_inventory)
    text = sandbox.config.read_text()
    block = ("[profile dev-administrator-access]\nsso_session = acme\n"
             "sso_account_id = 222222222222\nsso_role_name = AdministratorAccess\n"
             "region = eu-west-1\noutput = json\nssogen_managed = true\n")
    assert block in text
    edited = block.replace("region = eu-west-1", "region = ap-south-1  # closer to me") \
        .replace("output = json\n", "output = json\n; my comment\ncli_pager =\n") \
        .replace("sso_role_name = AdministratorAccess\n",
                 "sso_role_name = AdministratorAccess\n# why: on-call\n")
    sandbox.config.write_text(text.replace(block, edited))
    before = sandbox.config.read_bytes()
    proc = sandbox.run("sync", "--inventory", str(acme_inventory), check=True)
    assert sandbox.config.read_bytes() == before
    assert "kept 5" in proc.stderr
    p = profiles(sandbox)["dev-administrator-access"]
    assert p["region"] == "ap-south-1  # closer to me" and p["cli_pager"] == ""
    # identity keys are owned: a hand edit to one of them is put back, the rest stays
    sandbox.config.write_text(sandbox.config.read_text().replace(
        "sso_account_id = 222222222222", "sso_account_id=222222222222", 1))
    sandbox.run("sync", "--inventory", str(acme_inventory), check=True)
    assert sandbox.config.read_bytes() == before.replace(
        b"sso_account_id = 222222222222", b"sso_account_id=222222222222")


def test_stale_reported_and_kept_then_pruned(sandbox: Sandbox, acme_inventory: Path,
                                             tmp_path: Path) -> None:
    setup(sandbox, acme_inventory)
    text = sandbox.config.read_text()
    heading = "# prod read-only: for auditors\n"
    sandbox.config.write_text(text.replace("[profile prod-read-only-access]",
                                           heading + "[profile prod-read-only-access]"))
    smaller = save_inventory(tmp_path / "smaller.json", {"111111111111/ReadOnlyAccess"})
    proc = sandbox.run("sync", "--inventory", str(smaller), check=True)
    assert "stale 1," in proc.stderr
    assert "prod-read-only-access" in profiles(sandbox)
    check = sandbox.run("sync", "--inventory", str(smaller), "--check")
    assert check.returncode == 0  # kept stale profiles are not drift

    # the user's comments above and inside it, and a key they added
    sandbox.config.write_text(sandbox.config.read_text().replace(
        "111111111111\nsso_role_name = ReadOnlyAccess\nregion = eu-west-1\noutput = json\n"
        "ssogen_managed = true", "111111111111\nsso_role_name = ReadOnlyAccess\n"
        "; audit ticket 42\nregion = eu-west-1\noutput = json\ncli_pager =\n"
        "ssogen_managed = true\n# end of auditors", 1))
    dry = sandbox.run("sync", "--inventory", str(smaller), "--prune", "--dry-run", check=True)
    assert "-[profile prod-read-only-access]" in dry.stdout
    assert f"-{heading}" not in dry.stdout and "-; audit ticket 42" not in dry.stdout
    assert "prod-read-only-access" in profiles(sandbox)

    proc = sandbox.run("sync", "--inventory", str(smaller), "--prune", check=True)
    assert "stale 1 (removed 1)" in proc.stderr
    assert ("pruned profile prod-read-only-access had keys you added: cli_pager"
            in proc.stderr)
    after = sandbox.config.read_text()
    assert "prod-read-only-access" not in profiles(sandbox)
    assert f"{heading}; audit ticket 42\n# end of auditors\n" in after  # in place, in order
    assert "\n\n\n" not in after
    assert sandbox.run("sync", "--inventory", str(smaller), "--check").returncode == 0
    again = sandbox.run("sync", "--inventory", str(smaller), "--prune", check=True)
    assert sandbox.config.read_text() == after and "had keys you added" not in again.stderr


def test_dry_run_never_writes_and_check_exit_codes(sandbox: Sandbox,
                                                   acme_inventory: Path) -> None:
    proc = sandbox.run("setup", "--yes", "--inventory", str(acme_inventory), "--dry-run")
    assert proc.returncode == 0
    assert "+[sso-session acme]" in proc.stdout
    assert not sandbox.aws.exists(), "--dry-run created ~/.aws"
    assert "dry run, nothing written" in proc.stderr

    setup(sandbox, acme_inventory)
    assert sandbox.run("sync", "--inventory", str(acme_inventory), "--check").returncode == 0
    text = sandbox.config.read_text()
    # drift: a generated profile deleted by hand (one renamed by hand is the user's choice,
    # kept: see test_profile_renamed_by_hand_keeps_its_name)
    last = text.index("\n[profile prod-read-only-access]\n")
    sandbox.config.write_text(text[:last])
    drifted = sandbox.config.read_bytes()
    check = sandbox.run("sync", "--inventory", str(acme_inventory), "--check")
    assert check.returncode == 1
    assert "+[profile prod-read-only-access]" in check.stdout
    assert "out of date" in check.stderr
    dry = sandbox.run("sync", "--inventory", str(acme_inventory), "--dry-run")
    assert dry.returncode == 0 and dry.stdout == check.stdout
    assert sandbox.config.read_bytes() == drifted
    sandbox.run("sync", "--inventory", str(acme_inventory), check=True)
    assert sandbox.config.read_text() == text


def test_default_changed_through_ssogen_reaches_profiles_with_old_default(
        sandbox: Sandbox, acme_inventory: Path) -> None:
    setup(sandbox, acme_inventory)
    sandbox.config.write_text(sandbox.config.read_text().replace(
        "sso_account_id = 222222222222\nsso_role_name = AdministratorAccess\nregion = eu-west-1",
        "sso_account_id = 222222222222\nsso_role_name = AdministratorAccess\nregion = us-west-2"))
    sandbox.run("setup", "--yes", "--inventory", str(acme_inventory), "--region", "eu-central-1",
                check=True)
    p = profiles(sandbox)
    assert p["dev-administrator-access"]["region"] == "us-west-2"  # the user's choice
    assert p["prod-administrator-access"]["region"] == "eu-central-1"  # the old default
    assert p["prod-read-only-access"]["output"] == "json"  # not given: remembered
    assert sandbox.run("sync", "--inventory", str(acme_inventory), "--check").returncode == 0


def test_adopt_hand_written_profile(sandbox: Sandbox, acme_inventory: Path) -> None:
    sandbox.aws.mkdir()
    mine = ("[sso-session acme]\nsso_start_url = https://acme.awsapps.com/start\n"
            "sso_region = eu-west-1\n\n[profile my-dev]\nsso_session = acme\n"
            "sso_account_id = 222222222222\nsso_role_name = AdministratorAccess\n"
            "region = ap-southeast-2\n")
    sandbox.config.write_text(mine)
    proc = setup(sandbox, acme_inventory)
    assert "'my-dev'" in proc.stderr and "--adopt" in proc.stderr
    assert "dev-administrator-access" not in profiles(sandbox)  # never a duplicate
    proc = sandbox.run("sync", "--inventory", str(acme_inventory), "--adopt", check=True)
    assert "adopted 1" in proc.stderr
    p = profiles(sandbox)["my-dev"]
    assert p["ssogen_managed"] == "true" and p["region"] == "ap-southeast-2"
    assert sandbox.config.read_text().startswith(mine.rstrip("\n"))


def test_notes_wrap_at_word_boundaries_on_a_terminal(sandbox: Sandbox,
                                                    acme_inventory: Path) -> None:
    """A note longer than the terminal is wrapped between words (the terminal would cut it
    anywhere); through a pipe it is one line, for grep."""
    import shlex

    pexpect = pytest.importorskip("pexpect")
    sandbox.aws.mkdir()
    sandbox.config.write_text(
        "[sso-session acme]\nsso_start_url = https://acme.awsapps.com/start\n"
        "sso_region = eu-west-1\n\n[profile my-dev]\nsso_session = acme\n"
        "sso_account_id = 222222222222\nsso_role_name = AdministratorAccess\n")
    setup(sandbox, acme_inventory)
    args = ["sync", "--inventory", str(acme_inventory), "--check"]
    piped = sandbox.run(*args)
    note = next(line for line in piped.stderr.splitlines() if "'my-dev'" in line)
    assert len(note) > 80 and note.startswith("ssogen: warning: ")
    env = {k: v for k, v in sandbox.env.items() if k != "COLUMNS"}
    command = " ".join(shlex.quote(a) for a in [sys.executable, "-m", "ssogen", *args])
    child = pexpect.spawn("/bin/sh", ["-c", command + " >/dev/null"], env=env,
                          cwd=str(sandbox.home), dimensions=(24, 80), encoding="utf-8",
                          timeout=60)
    child.expect(pexpect.EOF)
    child.close()
    lines = child.before.replace("\r\n", "\n").splitlines()
    at = next(i for i, line in enumerate(lines) if "'my-dev'" in line)
    wrapped = [lines[at]]
    while at + len(wrapped) < len(lines) and lines[at + len(wrapped)].startswith("    "):
        wrapped.append(lines[at + len(wrapped)])
    # (a path longer than the terminal is one word: never broken, alone on its line)
    assert len(wrapped) > 2 and all(len(line) < 80 or " " not in line.strip()
                                    for line in wrapped)
    assert " ".join(line.strip() for line in wrapped) == note


def test_files_written_modes_symlink_backup_lock(sandbox: Sandbox, acme_inventory: Path,
                                                 tmp_path: Path) -> None:
    setup(sandbox, acme_inventory)
    assert stat.S_IMODE(sandbox.config.stat().st_mode) == 0o600
    assert stat.S_IMODE(sandbox.aws.stat().st_mode) == 0o700
    assert not (sandbox.aws / "config.ssogen.lock").exists()  # removed when released
    assert not (sandbox.aws / "config.ssogen.bak").exists()  # nothing to back up

    real = tmp_path / "windows" / "config"
    real.parent.mkdir()
    real.write_text("[default]\r\nregion = us-east-1\r\n")
    real.chmod(0o640)
    sandbox.config.unlink()
    sandbox.config.symlink_to(real)
    setup(sandbox, acme_inventory)
    assert sandbox.config.is_symlink()
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert real.read_bytes().startswith(b"[default]\r\nregion = us-east-1\r\n\r\n")
    assert b"\n" not in real.read_bytes().replace(b"\r\n", b"")
    assert (real.parent / "config.ssogen.bak").read_bytes() == \
        b"[default]\r\nregion = us-east-1\r\n"


def test_lock_waits_for_another_run(sandbox: Sandbox, acme_inventory: Path) -> None:
    import fcntl

    sandbox.aws.mkdir()
    lock = sandbox.aws / "config.ssogen.lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.write(fd, b"4242\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ssogen", "setup", "--yes", "--inventory", str(acme_inventory)],
        env=sandbox.env, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        assert "waiting for another ssogen run (pid 4242) to finish" in line
        assert not sandbox.config.exists()
    finally:
        os.close(fd)  # release
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "dev-administrator-access" in profiles(sandbox)


def test_lock_of_a_killed_run_does_not_block(sandbox: Sandbox, acme_inventory: Path) -> None:
    sandbox.aws.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from pathlib import Path; "
         "from ssogen.store.lock import ConfigLock; l = ConfigLock(Path(sys.argv[1])); "
         "l.acquire(); "
         "print('held', flush=True); import time; time.sleep(60)", str(sandbox.config)],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=10)
    start = time.monotonic()
    proc = setup(sandbox, acme_inventory)
    assert "waiting" not in proc.stderr
    assert time.monotonic() - start < 30


@pytest.mark.parametrize("args, message", [
    (["setup"], "terminal"),
    (["setup", "--yes", "--inventory", "missing.json"], "inventory file not found"),
    (["setup", "--yes", "--inventory", "{inv}", "--name-template", "nope"],
     "unknown name template 'nope'"),
    (["setup", "--yes", "--inventory", "{inv}", "--name-template", "{{{{ x }}"],
     "invalid name template"),
    (["setup", "--yes", "--inventory", "{inv}", "--name-template", "{{{{ nope }}}}"],
     "failed"),
    (["setup", "--yes", "--inventory", "{inv}", "--name-template",
      "{{{{ account_name.__class__.__mro__ }}}}"], "not allowed"),
    (["setup", "--yes", "--inventory", "{inv}", "--start-url", "https://other.awsapps.com/start"],
     "does not match the inventory's start URL"),
    (["setup", "--yes", "--inventory", "{inv}", "--region", "Europe"],
     "no such AWS region"),
    (["setup", "--yes", "--inventory", "{inv}", "--session", "a b"], "contains spaces"),
    (["sync", "--inventory", "{inv}"], "config file not found"),
])
def test_usage_errors_are_one_line_exit_2(sandbox: Sandbox, acme_inventory: Path,
                                          args: list[str], message: str) -> None:
    args = [a.format(inv=acme_inventory) for a in args]
    proc = sandbox.run(*args, input="")  # stdin is no terminal
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("ssogen: error: ") and message in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert not sandbox.config.exists()


@pytest.mark.parametrize("command", [["sync"], ["sync", "--check"], ["login"], ["list"]])
def test_a_missing_config_is_named_alike_by_every_command(sandbox: Sandbox,
                                                          command: list[str]) -> None:
    proc = sandbox.run(*command, input="")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [
        f"ssogen: error: {sandbox.config}: config file not found",
        "  hint: run `ssogen setup` to create it"], proc.stderr
    assert not sandbox.config.exists()


def test_sync_on_a_config_without_an_ssogen_session_says_so(sandbox: Sandbox) -> None:
    sandbox.config.parent.mkdir(parents=True, exist_ok=True)
    sandbox.config.write_bytes(b"[default]\r\nregion = eu-west-1\r\n")
    proc = sandbox.run("sync", "--check", input="")
    assert proc.returncode == 2, proc.stderr
    first, hint = proc.stderr.splitlines()
    assert first == (f"ssogen: error: {sandbox.config}: no session set up by ssogen yet "
                     "(no [ssogen NAME] section)")
    assert hint.startswith("  hint: run `ssogen setup` first")
    assert sandbox.config.read_bytes() == b"[default]\r\nregion = eu-west-1\r\n"


def test_sync_errors(sandbox: Sandbox, acme_inventory: Path, tmp_path: Path) -> None:
    setup(sandbox, acme_inventory)
    before = sandbox.config.read_bytes()
    proc = sandbox.run("sync", "--no-login", input="")  # no inventory, no token: never log in
    assert proc.returncode == 4, proc.stderr
    proc = sandbox.run("sync", "nosuch", "--inventory", str(acme_inventory))
    assert proc.returncode == 2 and "not an ssogen-managed session" in proc.stderr
    other = save_inventory(tmp_path / "other.json", session="other",
                           start_url="https://other.awsapps.com/start")
    proc = sandbox.run("sync", "--inventory", str(other))
    assert proc.returncode == 2 and "matches no ssogen-managed session" in proc.stderr
    assert sandbox.config.read_bytes() == before
    proc = sandbox.run("sync", "--check", "--dry-run", "--inventory", str(acme_inventory))
    assert proc.returncode == 2 and "not allowed with" in proc.stderr


def test_session_name_taken_by_other_start_url(sandbox: Sandbox, acme_inventory: Path) -> None:
    sandbox.aws.mkdir()
    data = "[sso-session acme]\nsso_start_url = https://elsewhere.awsapps.com/start\n" \
           "sso_region = us-east-1\n"
    sandbox.config.write_text(data)
    proc = sandbox.run("setup", "--yes", "--inventory", str(acme_inventory))
    assert proc.returncode == 2
    assert f"{sandbox.config}:1: [sso-session acme] already points at" in proc.stderr
    assert sandbox.config.read_text() == data
    setup(sandbox, acme_inventory, "--session", "acme2")
    assert profiles(sandbox)["prod-administrator-access"]["sso_session"] == "acme2"


def test_rename_through_template_keeps_user_keys(sandbox: Sandbox, acme_inventory: Path) -> None:
    setup(sandbox, acme_inventory)
    sandbox.config.write_text(sandbox.config.read_text().replace(
        "sso_account_id = 222222222222\n", "sso_account_id = 222222222222\nmine = yes\n"))
    proc = sandbox.run("setup", "--yes", "--inventory", str(acme_inventory),
                       "--name-template", "aws-cli", check=True)
    assert "updated 5" in proc.stderr
    p = profiles(sandbox)
    assert p["AdministratorAccess-222222222222"]["mine"] == "yes"
    assert "dev-administrator-access" not in p
    assert sandbox.run("sync", "--inventory", str(acme_inventory), "--check").returncode == 0


def test_include_exclude(sandbox: Sandbox, acme_inventory: Path) -> None:
    setup(sandbox, acme_inventory, "--include", "prod", "--include", "222*",
          "--exclude", "*readonly*")
    names = {n for n, p in profiles(sandbox).items() if p.get("ssogen_managed")}
    assert names == {"prod-administrator-access", "dev-administrator-access"}
    assert 'include = ["prod", "222*"]' in sandbox.config.read_text()
    assert sandbox.run("sync", "--inventory", str(acme_inventory), "--check").returncode == 0


@pytest.mark.parametrize("command", ["setup", "sync"])
def test_help_has_examples(sandbox: Sandbox, command: str) -> None:
    proc = sandbox.run(command, "--help", check=True)
    assert "examples:" in proc.stdout and f"ssogen {command}" in proc.stdout


def test_help_does_not_import_the_engine(sandbox: Sandbox) -> None:
    proc = sandbox.python(
        "import sys; from ssogen.cli import build_parser; build_parser(); "
        "print(sorted(m for m in ('configupdater', 'jinja2', 'boto3') if m in sys.modules))")
    assert proc.stdout.strip() == "[]", proc.stderr


def test_an_offline_check_imports_only_what_it_uses(sandbox: Sandbox, acme_inventory: Path,
                                                  tmp_path: Path) -> None:
    """``sync --check`` on a file that drifted (it plans, diffs and prints): no typing, no
    chain machinery without chains, no Jinja2 for a preset, no configupdater for renames, no
    pathlib (with the urllib.parse and ipaddress it imports: 0.7 MiB at 1,000 sections)."""
    setup(sandbox, acme_inventory)
    data = json.loads(acme_inventory.read_text())
    data["accounts"] = data["accounts"][1:]  # one account gone: stale profiles in the diff
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(data))
    proc = sandbox.python(
        "import sys\nfrom ssogen.cli import main\n"
        f"code = main(['--config', {str(sandbox.config)!r}, 'sync', '--check', '--prune', "
        f"'--inventory', {str(changed)!r}])\n"
        "heavy = ('typing', 'jinja2', 'configupdater', 'boto3', 'logging', "
        "'ssogen.planning.chains', 'ssogen.planning.chain_specs', 'ssogen.model.chain', "
        "'pathlib', 'urllib.parse', 'ipaddress')\n"
        "print(code, sorted(m for m in heavy if m in sys.modules))")
    assert proc.stdout.splitlines()[-1] == "1 []", proc.stdout + proc.stderr
    assert "-[profile " in proc.stdout  # the diff was made and printed


def test_two_sessions_side_by_side(sandbox: Sandbox, acme_inventory: Path,
                                   tmp_path: Path) -> None:
    other = save_inventory(tmp_path / "other.json", session="other",
                           start_url="https://other.awsapps.com/start")
    setup(sandbox, acme_inventory)
    setup(sandbox, other, "--name-template", "session-account-role")
    p = profiles(sandbox)
    assert p["other-dev-administrator-access"]["sso_session"] == "other"
    assert p["dev-administrator-access"]["sso_session"] == "acme"
    proc = sandbox.run("sync", "--inventory", str(acme_inventory), "--inventory", str(other),
                       "--check")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("in sync") == 2
    smaller = save_inventory(tmp_path / "smaller.json", {"222222222222/AdministratorAccess"},
                             session="other", start_url="https://other.awsapps.com/start")
    # --session NAME, as login and list take it, is a SESSION argument
    by_flag = sandbox.run("sync", "--session", "other", "--inventory", str(smaller), "--check",
                          "--prune")
    by_name = sandbox.run("sync", "other", "--inventory", str(smaller), "--check", "--prune")
    assert by_flag.returncode == by_name.returncode == 1
    assert (by_flag.stdout, by_flag.stderr) == (by_name.stdout, by_name.stderr)
    assert "other-dev-administrator-access" in by_flag.stdout
    unknown = sandbox.run("sync", "--session", "nope", "--check")
    assert unknown.returncode == 2 and "not an ssogen-managed session" in unknown.stderr
    assert "nope (managed: acme, other)" in unknown.stderr
    proc = sandbox.run("sync", "other", "--inventory", str(smaller), "--prune", check=True)
    p = profiles(sandbox)
    assert "other-dev-administrator-access" not in p and "dev-administrator-access" in p


# -- legacy profiles -> [sso-session] -------------------------------------------------------
LEGACY_FILE = """\
# === my profiles ===
[default]
region = us-east-1

# legacy admin, from `aws configure sso` years ago
[profile old-admin]
# the portal
sso_start_url = https://acme.awsapps.com/start
sso_region = eu-west-1
sso_account_id = 111111111111
; the role
sso_role_name = AdministratorAccess
region = ap-south-1  # closer
cli_pager =

; another company: never migrated
[profile other-co]
sso_start_url = https://other.awsapps.com/start
sso_region = us-east-1
sso_account_id = 999999999999
sso_role_name = Admin
# end of file
"""
MIGRATED_BLOCK = """\
# legacy admin, from `aws configure sso` years ago
[profile old-admin]
# the portal
sso_session = acme
sso_account_id = 111111111111
; the role
sso_role_name = AdministratorAccess
region = ap-south-1  # closer
cli_pager =
"""


def test_legacy_profiles_reported_and_kept_without_the_flag(sandbox: Sandbox,
                                                            acme_inventory: Path) -> None:
    sandbox.aws.mkdir()
    sandbox.config.write_text(LEGACY_FILE)
    proc = setup(sandbox, acme_inventory)  # --yes alone never migrates
    assert "legacy profiles with this start URL (old-admin) are left as they are" in proc.stderr
    assert "--migrate-legacy" in proc.stderr and "migrated" not in proc.stderr.split("—")[0]
    assert sandbox.config.read_text().startswith(LEGACY_FILE)


def test_migrate_legacy_keeps_every_other_byte(sandbox: Sandbox, acme_inventory: Path) -> None:
    sandbox.aws.mkdir()
    sandbox.config.write_text(LEGACY_FILE)
    dry = setup(sandbox, acme_inventory, "--migrate-legacy", "--dry-run")
    assert ("-sso_start_url = https://acme.awsapps.com/start\n-sso_region = eu-west-1\n"
            "+sso_session = acme\n") in dry.stdout, dry.stdout
    assert sandbox.config.read_text() == LEGACY_FILE
    proc = setup(sandbox, acme_inventory, "--migrate-legacy")
    assert "migrated 1" in proc.stderr  # the summary line
    assert "created 4, updated 0, adopted 0, stale 0, kept 0, migrated 1" in proc.stderr
    import hashlib

    assert hashlib.sha1(b"acme").hexdigest() in proc.stderr  # the token cache it now uses
    text = sandbox.config.read_text()
    # the migrated profile: only its two legacy keys changed, in place; the rest byte for byte
    head = LEGACY_FILE.split("# legacy admin")[0]
    other = "; another company" + LEGACY_FILE.split("; another company")[1]
    assert text.startswith(head + MIGRATED_BLOCK + "\n[sso-session acme]\n")
    assert text.endswith("\n\n" + other)  # new sections after the session's last profile
    assert "ssogen_managed" not in MIGRATED_BLOCK  # stays the user's
    # no managed duplicate for the migrated profile's account/role
    p = profiles(sandbox)
    assert [n for n, v in p.items() if v.get("sso_account_id") == "111111111111"
            and v.get("sso_role_name") == "AdministratorAccess"] == ["old-admin"]
    assert p["old-admin"] == {"sso_session": "acme", "sso_account_id": "111111111111",
                              "sso_role_name": "AdministratorAccess",
                              "region": "ap-south-1  # closer", "cli_pager": ""}
    assert p["other-co"]["sso_start_url"] == "https://other.awsapps.com/start"
    # idempotent, with or without the flag
    check = sandbox.run("sync", "--check", "--inventory", str(acme_inventory))
    assert check.returncode == 0, check.stdout + check.stderr
    again = sandbox.run("sync", "--migrate-legacy", "--inventory", str(acme_inventory),
                        check=True)
    assert "already up to date" in again.stderr
    assert sandbox.config.read_text() == text
    # what the AWS tools see: the session's keys through sso_session, no legacy key left
    code = ("import botocore.session, json\n"
            "s = botocore.session.Session(profile='old-admin')\n"
            "print(json.dumps(s.full_config['profiles']['old-admin']))\n"
            "print(json.dumps(s.full_config['sso_sessions']['acme']))\n")
    out = sandbox.python(code)
    assert out.returncode == 0, out.stderr
    prof, sess = (json.loads(line) for line in out.stdout.splitlines())
    assert "sso_start_url" not in prof and "sso_region" not in prof
    assert prof["sso_session"] == "acme"
    assert sess["sso_start_url"] == "https://acme.awsapps.com/start"


def test_sync_migrates_with_the_flag_and_crlf_stays(sandbox: Sandbox,
                                                    acme_inventory: Path) -> None:
    setup(sandbox, acme_inventory)
    legacy = ("[profile old-ro]\r\nsso_start_url = https://acme.awsapps.com/start#/\r\n"
              "sso_region = eu-west-1\r\nsso_account_id = 333333333333\r\n"
              "sso_role_name = ReadOnlyAccess\r\n")
    text = sandbox.config.read_text().replace("\n", "\r\n")
    sandbox.config.write_bytes((text + "\r\n" + legacy).encode())
    assert sandbox.run("sync", "--check", "--inventory", str(acme_inventory)).returncode == 0
    proc = sandbox.run("sync", "--migrate-legacy", "--inventory", str(acme_inventory),
                       check=True)
    # old-ro now points at what audit-read-only-access (ssogen's) points at: ssogen's goes
    # stale, named, never two live profiles for one account/role (issue 8, finding 6)
    assert "stale 1, kept 4, migrated 1" in proc.stderr
    assert "managed profile 'audit-read-only-access'" in proc.stderr
    assert sandbox.config.read_bytes() == (text + "\r\n" + legacy.replace(
        "sso_start_url = https://acme.awsapps.com/start#/\r\nsso_region = eu-west-1\r\n",
        "sso_session = acme\r\n")).encode()
    assert sandbox.run("sync", "--check", "--inventory", str(acme_inventory)).returncode == 0


def test_offline_yes_defaults_region_and_output_like_online(sandbox: Sandbox,
                                                            acme_inventory: Path) -> None:
    """`setup --yes --inventory` without --region/--output: region = the inventory's SSO
    region, output = json (what `aws configure sso` and the online --yes write)."""
    proc = sandbox.run("setup", "--yes", "--inventory", str(acme_inventory), check=True)
    assert "created 5" in proc.stderr
    p = profiles(sandbox)
    assert {(v["region"], v["output"]) for v in p.values()} == {("eu-west-1", "json")}
    assert "[ssogen acme]\nregion = eu-west-1\noutput = json\n" in sandbox.config.read_text()
    assert sandbox.run("sync", "--check", "--inventory", str(acme_inventory)).returncode == 0


@pytest.mark.parametrize("template, what", [
    ("{{ foo", "invalid name template"),
    ("{{ nope }}-x", "failed"),
    ("{{ account_name.__class__.__mro__ }}", "not allowed"),
])
def test_bad_name_template_fails_before_any_login(sandbox: Sandbox, template: str,
                                                  what: str) -> None:
    """A template that cannot compile or render is refused with the flag checks: exit 2, one
    line naming --name-template, and not one connection to the (listening) SSO endpoints."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.setblocking(False)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    try:
        proc = sandbox.run("setup", "--yes", "--name-template", template,
                           "--start-url", "https://acme.awsapps.com/start",
                           "--sso-region", "eu-west-1", input="", timeout=60,
                           env={"AWS_ENDPOINT_URL_SSO_OIDC": url, "AWS_ENDPOINT_URL_SSO": url})
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected
    finally:
        listener.close()
    assert proc.returncode == 2, proc.stdout + proc.stderr
    err = proc.stderr.strip().splitlines()
    assert err[0].startswith("ssogen: error: --name-template: ") and what in err[0], err
    assert "Traceback" not in proc.stderr and "verification" not in proc.stdout + proc.stderr
    assert not sandbox.config.exists()


def test_include_matching_nothing_is_said_and_refused_by_setup(
        sandbox: Sandbox, acme_inventory: Path, tmp_path: Path) -> None:
    proc = sandbox.run("setup", "--yes", "--inventory", str(acme_inventory),
                       "--include", "zzz*")
    assert proc.returncode == 2, proc.stderr
    assert "--include 'zzz*' matches no account or role" in proc.stderr
    err = [ln for ln in proc.stderr.splitlines() if ln.startswith("ssogen: error: ")]
    assert len(err) == 1 and "--include 'zzz*' leaves no account or role" in err[0], proc.stderr
    assert not sandbox.config.exists()
    # excludes that leave nothing: refused too
    proc = sandbox.run("setup", "--yes", "--inventory", str(acme_inventory), "--exclude", "*",
                       "--exclude", "prod")
    assert proc.returncode == 2
    assert "--exclude '*' --exclude 'prod' leave no account or role" in proc.stderr
    assert not sandbox.config.exists()
    # one glob of several matching nothing: said, the others generate
    proc = setup(sandbox, acme_inventory, "--include", "prod", "--include", "zzz*")
    assert proc.stderr.count("matches no account or role") == 1
    assert "--include 'zzz*' matches no account or role" in proc.stderr
    assert "created 2" in proc.stderr
    # sync: a remembered glob that matches nothing any more is said, not refused
    gone = save_inventory(tmp_path / "gone.json", {"111111111111/AdministratorAccess",
                                                   "111111111111/ReadOnlyAccess"})
    data = json.loads(gone.read_text())
    data["accounts"] = [a for a in data["accounts"] if a["id"] != "111111111111"]
    gone.write_text(json.dumps(data))
    proc = sandbox.run("sync", "--inventory", str(gone), check=True)
    assert "'prod' (remembered for session acme) matches no account or role" in proc.stderr
    assert "stale 2" in proc.stderr
    proc = sandbox.run("sync", "--inventory", str(acme_inventory), check=True)
    assert "matches no account or role" in proc.stderr  # zzz* still
    assert "'prod'" not in proc.stderr


def test_profile_renamed_by_hand_keeps_its_name(sandbox: Sandbox, acme_inventory: Path) -> None:
    """`[profile ro]`: a managed profile the user renamed is neither the old nor the new
    generated name -- kept (said once per run, as info), `--profile ro` keeps working, the
    file is in sync; a template change through ssogen still renames ssogen's own names."""
    setup(sandbox, acme_inventory)
    text = sandbox.config.read_text()
    renamed = text.replace("[profile prod-read-only-access]\n", "[profile ro]\n")
    sandbox.config.write_text(renamed)
    check = sandbox.run("sync", "--inventory", str(acme_inventory), "--check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stderr.count("kept your name ro for Prod/ReadOnlyAccess") == 1
    assert "warning: kept" not in check.stderr
    proc = sandbox.run("sync", "--inventory", str(acme_inventory), check=True)
    assert sandbox.config.read_text() == renamed and "kept 5" in proc.stderr
    assert profiles(sandbox)["ro"]["sso_role_name"] == "ReadOnlyAccess"
    out = sandbox.python("import botocore.session\n"
                         "s = botocore.session.Session(profile='ro')\n"
                         "print(s.get_scoped_config()['sso_account_id'])\n")
    assert out.returncode == 0 and out.stdout.strip() == "111111111111", out.stderr
    proc = sandbox.run("setup", "--yes", "--inventory", str(acme_inventory),
                       "--name-template", "aws-cli", check=True)
    p = profiles(sandbox)
    assert "ro" in p and "ReadOnlyAccess-111111111111" not in p
    assert p["AdministratorAccess-111111111111"]["sso_role_name"] == "AdministratorAccess"
    assert "prod-administrator-access" not in p
    assert sandbox.run("sync", "--inventory", str(acme_inventory), "--check").returncode == 0


def test_broken_remembered_template_fails_before_any_login(sandbox: Sandbox,
                                                           acme_inventory: Path) -> None:
    setup(sandbox, acme_inventory)
    sandbox.config.write_text(sandbox.config.read_text().replace(
        "name_template = account-role", "name_template = {{ account_name"))
    before = sandbox.config.read_bytes()
    proc = sandbox.run("sync", "--no-login", input="")  # would be exit 4 (no token) otherwise
    assert proc.returncode == 2, proc.stderr
    assert "[ssogen acme] name_template: invalid name template" in proc.stderr
    assert sandbox.config.read_bytes() == before


def test_a_change_of_settings_alone_is_said_in_the_summary(sandbox: Sandbox,
                                                           acme_inventory: Path) -> None:
    """Only [ssogen acme] changes: the summary says so, not "created 0, updated 0 ..." beside
    a diff; nothing is said when it is not so."""
    assert sandbox.run("setup", "--yes", "--inventory", str(acme_inventory)).returncode == 0
    proc = sandbox.run("setup", "--yes", "--inventory", str(acme_inventory), "--include", "*")
    assert proc.returncode == 0, proc.stderr
    assert ("ssogen: acme: created 0, updated 0, adopted 0, stale 0, kept 5; [ssogen acme] "
            "updated — wrote ~/.aws/config") in proc.stderr, proc.stderr
    proc = sandbox.run("sync", "--check", "--inventory", str(acme_inventory))
    assert proc.returncode == 0 and "updated —" not in proc.stderr, proc.stderr
    assert "kept 5 — in sync" in proc.stderr
