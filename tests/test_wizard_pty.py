
"""The setup wizard through a real pseudo-terminal (pexpect) against the emulator: arrow keys,
space, enter, typing into filters; first-time setup, reuse, deselection, "no" at the confirm
step, Ctrl-C during the login."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

pytestmark = [pytest.mark.pty, pytest.mark.slow]

DOWN, UP, ENTER, SPACE, CTRL_C, CTRL_U = "\x1b[B", "\x1b[A", "\r", " ", "\x03", "\x15"
CTRL_L = "\x0c"  # redraw the whole screen: the terminal otherwise only gets changed cells
START_URL = "https://acme.awsapps.com/start"
TIMEOUT = 60


class Wizard:
    """One ``ssogen setup`` in a pty; ``log`` keeps everything it drew (for failure messages)."""

    def __init__(self, sandbox, emu, *args: str, tmp: Path) -> None:  # type: ignore[no-untyped-def]
        env = dict(sandbox.env)
        env.update(emu.endpoint_env())
        env.update({"TERM": "xterm", "NO_COLOR": "1", "PROMPT_TOOLKIT_NO_CPR": "1",
                    "COLUMNS": "120", "LINES": "40"})
        self.logpath = tmp / "pty.log"
        self.logfile = self.logpath.open("w", encoding="utf-8")
        self.child = pexpect.spawn(sys.executable, ["-m", "ssogen", "setup", *args], env=env,
                                   cwd=str(sandbox.home), dimensions=(40, 120),
                                   encoding="utf-8", timeout=TIMEOUT)
        self.child.logfile_read = self.logfile

    def expect(self, pattern: str) -> str:
        try:
            self.child.expect(pattern)
        except (pexpect.TIMEOUT, pexpect.EOF) as exc:
            self.logfile.flush()
            tail = _plain(self.logpath.read_text(encoding="utf-8"))[-3000:]
            raise AssertionError(f"waiting for {pattern!r}: {type(exc).__name__}\n{tail}"
                                 ) from None
        return str(self.child.after)

    def send(self, *keys: str) -> None:
        # a person types: give the prompt time to (re)draw between keys, so no key arrives
        # while one prompt_toolkit application ends and the next starts
        for k in keys:
            time.sleep(0.15)
            self.child.send(k)

    def finish(self) -> int:
        self.expect(pexpect.EOF)
        self.child.close()
        self.logfile.close()
        status = self.child.exitstatus
        return status if status is not None else 128 + (self.child.signalstatus or 0)

    @property
    def output(self) -> str:
        self.logfile.flush()
        return _plain(self.logpath.read_text(encoding="utf-8"))


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", text)


def _default_answers(w: Wizard) -> None:
    """Template (default), accounts/roles (all), region (default), output (default)."""
    w.expect("How should the profiles be named")
    w.send(ENTER)
    w.expect("Accounts and roles to generate")
    w.send(ENTER)
    w.expect("Default region for the profiles")
    w.send(ENTER)
    w.expect("Default output format")
    w.send(ENTER)


def _through_profiles(w: Wizard, *, confirm: str = "y") -> None:
    """The default answers, then the confirm."""
    _default_answers(w)
    w.expect(r"Write these changes \(created")
    w.send(confirm)


def test_first_time_setup(sandbox, make_emulator, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    emu = make_emulator(auto_approve_after=1)
    w = Wizard(sandbox, emu, "--no-browser", tmp=tmp_path)
    w.expect(r"AWS access portal \(start\) URL")
    w.send("http://acme.awsapps.com/start", ENTER)
    w.expect("must use https://")  # validated as typed; the question stays open
    w.send(CTRL_U, START_URL, ENTER)
    w.expect(r"IAM Identity Center \(SSO\) region")
    w.send("eu-west-1", ENTER)  # typing filters the list
    w.expect(r"Name of the \[sso-session\]")
    w.send(CTRL_U, "my team", ENTER)
    w.expect("contains spaces")  # validated while typing; enter does not accept it
    w.send(ENTER, CTRL_U, "acme", ENTER)
    w.expect("enter the code")  # the device-code prompt; the emulator approves it
    w.expect("found 6 accounts, 16 roles")
    w.expect("How should the profiles be named")
    w.expect("acme-prod-administrator-access")  # live preview from the real inventory
    w.send(ENTER)
    w.expect("Accounts and roles to generate")
    w.send(ENTER)
    w.expect("Default region for the profiles")
    w.send(ENTER)
    w.expect("Default output format")
    w.send(ENTER)
    w.expect(r"\+\[sso-session acme\]")  # the diff is shown before the question
    w.expect(r"Write these changes \(created 16")
    w.send("y")
    w.expect(r"next: aws s3 ls --profile \S+")
    assert w.finish() == 0, w.output
    text = sandbox.config.read_text()
    assert text.count("[profile ") == 16
    assert "sso_start_url = https://acme.awsapps.com/start" in text
    assert "region = eu-west-1" in text
    assert sandbox.run("sync", "--check", env=emu.endpoint_env()).returncode == 0


def test_reuse_existing_session_custom_template(sandbox, make_emulator, tmp_path: Path,
                                                ) -> None:  # type: ignore[no-untyped-def]
    emu = make_emulator(auto_approve_after=0)
    sandbox.aws.mkdir()
    original = (f"# mine\n[sso-session corp]\nsso_start_url = {START_URL}\n"
                "sso_region = eu-west-1\n\n[profile hand]\nregion = us-east-1\n")
    sandbox.config.write_text(original)
    w = Wizard(sandbox, emu, tmp=tmp_path)
    w.expect("Which IAM Identity Center do you want to use")
    w.expect(r"Reuse \[sso-session corp\]")
    w.send(ENTER)
    w.expect("How should the profiles be named")
    w.send(*([DOWN] * 7), ENTER)  # the last entry: a custom template
    w.expect("Template:")
    w.send(CTRL_U, "{{ account_id }}.{{ role | snake }}", CTRL_L)
    w.expect("210987654321.administrator_access")  # the live preview under the prompt
    w.send(ENTER)
    w.expect("Accounts and roles to generate")
    w.send(ENTER)
    w.expect("Default region for the profiles")
    w.send(CTRL_U, "us-east-2", ENTER)
    w.expect("Default output format")
    w.send(DOWN, ENTER)  # yaml
    w.expect("Write these changes")
    w.send("y")
    assert w.finish() == 0, w.output
    text = sandbox.config.read_text()
    head, hand = original.split("\n\n")
    assert text.startswith(head + "\n")  # the hand-written session is reused, untouched
    assert text.endswith("\n" + hand)  # new sections go after the session's, not at the end
    assert text.count("[sso-session") == 1
    assert "[profile 210987654321.administrator_access]" in text
    assert "sso_session = corp" in text
    assert "region = us-east-2" in text and "output = yaml" in text


def test_deselect_account_and_role(sandbox, make_emulator, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    emu = make_emulator(auto_approve_after=0)
    w = Wizard(sandbox, emu, "--start-url", START_URL, "--sso-region", "eu-west-1",
               "--session", "acme", tmp=tmp_path)
    w.expect("How should the profiles be named")
    w.send(ENTER)
    w.expect("Accounts and roles to generate")
    w.send("sandbox")  # type into the filter: only account sandbox-alice is left
    w.send(SPACE)
    w.send(*(["\x7f"] * len("sandbox")))  # clear the filter
    w.send("viewonly", SPACE)  # role ViewOnlyAccess
    w.send(*(["\x7f"] * len("viewonly")))
    w.send(ENTER)
    w.expect("Default region for the profiles")
    w.send(ENTER)
    w.expect("Default output format")
    w.send(ENTER)
    w.expect(r"Write these changes \(created 14")
    w.send("y")
    assert w.finish() == 0, w.output
    text = sandbox.config.read_text()
    assert "sso_account_id = 789012345678" not in text
    assert "sandbox-alice" not in text
    assert "sso_role_name = ViewOnlyAccess" not in text
    assert text.count("[profile ") == 14
    assert 'exclude = ["789012345678", "ViewOnlyAccess"]' in text
    # the choice is remembered: sync keeps it, and a new account would be included
    assert sandbox.run("sync", "--check", env=emu.endpoint_env()).returncode == 0


def test_no_at_confirm_leaves_file_identical(sandbox, make_emulator, tmp_path: Path,
                                             ) -> None:  # type: ignore[no-untyped-def]
    emu = make_emulator(auto_approve_after=0)
    sandbox.aws.mkdir()
    original = b"[default]\r\nregion = eu-west-1\r\n# trailing comment, no newline"
    sandbox.config.write_bytes(original)
    w = Wizard(sandbox, emu, "--start-url", START_URL, "--sso-region", "eu-west-1",
               tmp=tmp_path)
    w.expect(r"Name of the \[sso-session\]")
    w.send(ENTER)
    _through_profiles(w, confirm="n")
    w.expect("nothing written")
    assert w.finish() == 0, w.output
    assert sandbox.config.read_bytes() == original
    assert not list(sandbox.aws.glob("config.ssogen.bak"))


def test_ctrl_c_during_login(sandbox, make_emulator, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    emu = make_emulator()  # nobody approves
    w = Wizard(sandbox, emu, "--start-url", START_URL, "--sso-region", "eu-west-1",
               "--session", "acme", "--no-browser", tmp=tmp_path)
    w.expect("Waiting for approval")
    w.send(CTRL_C)
    w.expect("interrupted; nothing was written")
    assert w.finish() == 130, w.output
    assert not sandbox.config.exists()
    assert not list(sandbox.cache.glob("*.json")) or all(
        "accessToken" not in p.read_text() for p in sandbox.cache.glob("*.json"))


def _inventory(tmp_path: Path) -> Path:
    from ssogen.emulator import Organization
    from ssogen.model.inventory import Account, Inventory
    from ssogen.store.inventories import save_inventory

    org = Organization.sample()
    inv = Inventory("acme", START_URL, "eu-west-1",
                    [Account(a.id, a.name, a.email, list(a.roles)) for a in org.accounts()])
    path = tmp_path / "inventory.json"
    save_inventory(inv, path)
    return path


class _NoEmulator:
    def endpoint_env(self) -> dict[str, str]:
        return {}


def test_offline_wizard_with_inventory(sandbox, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """--inventory in a terminal: no login, the profile questions still asked."""
    w = Wizard(sandbox, _NoEmulator(), "--inventory", str(_inventory(tmp_path)), tmp=tmp_path)
    w.expect("How should the profiles be named")
    w.send(DOWN, DOWN, ENTER)  # account_role
    w.expect("Accounts and roles to generate")
    w.send(ENTER)
    w.expect("Default region for the profiles")
    w.send(ENTER)
    w.expect("Default output format")
    w.send(ENTER)
    w.expect(r"\+\[profile acme_prod_read_only_access\]")
    w.expect("Write these changes")
    w.send("y")
    assert w.finish() == 0, w.output
    assert "name_template = account_role" in sandbox.config.read_text()


def test_ctrl_c_at_a_question(sandbox, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sandbox.aws.mkdir()
    sandbox.config.write_text("[default]\nregion = eu-west-1\n")
    before = sandbox.config.read_bytes()
    w = Wizard(sandbox, _NoEmulator(), "--inventory", str(_inventory(tmp_path)), tmp=tmp_path)
    w.expect("How should the profiles be named")
    w.send(ENTER)
    w.expect("Accounts and roles to generate")
    w.send(SPACE, CTRL_C)
    w.expect("interrupted; nothing was written")
    assert w.finish() == 130, w.output
    assert sandbox.config.read_bytes() == before


def test_adopt_hand_written_profile_with_consent(sandbox, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sandbox.aws.mkdir()
    mine = ("[profile mine]\nsso_session = acme\nsso_account_id = 210987654321\n"
            "sso_role_name = ReadOnlyAccess\nregion = ap-south-1\n")
    sandbox.config.write_text(f"[sso-session acme]\nsso_start_url = {START_URL}\n"
                              f"sso_region = eu-west-1\n\n{mine}")
    w = Wizard(sandbox, _NoEmulator(), "--inventory", str(_inventory(tmp_path)),
               "--region", "eu-west-1", "--output", "json", tmp=tmp_path)
    w.expect("How should the profiles be named")
    w.send(ENTER)
    w.expect("Accounts and roles to generate")
    w.send(ENTER)
    w.expect(r"1 profile\(s\) you wrote already point at these roles \(mine\)")
    w.send("y")
    w.expect(r"Write these changes \(created 15, updated 0, adopted 1")
    w.send("y")
    assert w.finish() == 0, w.output
    text = sandbox.config.read_text()
    assert mine + "ssogen_managed = true\n" in text  # the marker added, nothing else changed
    assert text.count("sso_role_name = ReadOnlyAccess\n") == 4  # no duplicate for prod/RO


def test_migrate_legacy_profiles_default_yes(sandbox, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The wizard offers to migrate legacy profiles for the chosen start URL (default yes):
    enter accepts, only their sso_start_url/sso_region lines change."""
    sandbox.aws.mkdir()
    legacy = ("# old style\n[profile old-ro]\nsso_start_url = " + START_URL + "\n"
              "sso_region = eu-west-1\n; keep\nsso_account_id = 210987654321\n"
              "sso_role_name = ReadOnlyAccess\n")
    other = ("\n[profile elsewhere]\nsso_start_url = https://other.awsapps.com/start\n"
             "sso_region = eu-west-1\nsso_account_id = 1\nsso_role_name = R\n")
    sandbox.config.write_text(legacy + other)
    w = Wizard(sandbox, _NoEmulator(), "--inventory", str(_inventory(tmp_path)), tmp=tmp_path)
    _default_answers(w)
    w.expect(r"Migrate 1 legacy profile for https://acme\.awsapps\.com/start to "
             r"\[sso-session acme\]\?")
    w.expect(r"\(Y/n\)")  # default yes
    w.send(ENTER)  # the default: yes
    w.expect(r"\+sso_session = acme")  # the diff shows the migration
    w.expect(r"Write these changes \(created 15, updated 0, adopted 0, stale 0, kept 0, "
             r"migrated 1\)")
    w.send("y")
    assert w.finish() == 0, w.output
    text = sandbox.config.read_text()
    assert text.startswith(legacy.replace(
        f"sso_start_url = {START_URL}\nsso_region = eu-west-1\n", "sso_session = acme\n"))
    assert text.endswith(other)  # another start URL: not offered, not touched
    assert text.count("sso_role_name = ReadOnlyAccess\n") == 4  # no duplicate for it


def test_migrate_legacy_answer_no(sandbox, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sandbox.aws.mkdir()
    legacy = ("[profile old-ro]\nsso_start_url = " + START_URL + "\nsso_region = eu-west-1\n"
              "sso_account_id = 210987654321\nsso_role_name = ReadOnlyAccess\n")
    sandbox.config.write_text(legacy)
    w = Wizard(sandbox, _NoEmulator(), "--inventory", str(_inventory(tmp_path)),
               "--region", "eu-west-1", "--output", "json", tmp=tmp_path)
    w.expect("How should the profiles be named")
    w.send(ENTER)
    w.expect("Accounts and roles to generate")
    w.send(ENTER)
    w.expect(r"Migrate 1 legacy profile")
    w.send("n")
    w.expect(r"Write these changes \(created 16, updated 0, adopted 0, stale 0, kept 0\)")
    w.send("y")
    assert w.finish() == 0, w.output
    assert sandbox.config.read_text().startswith(legacy)


def test_online_from_legacy_profile_migrate_and_use_it(sandbox, make_emulator,
                                                       tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """First run on a laptop with only `aws configure sso` legacy profiles: pick the legacy
    start URL, log in, accept the migration; the migrated profile resolves credentials at once
    (the session's token cache was just filled by the wizard's login)."""
    emu = make_emulator(auto_approve_after=0)
    sandbox.aws.mkdir()
    legacy = (f"[profile old-admin]\nsso_start_url = {START_URL}\nsso_region = eu-west-1\n"
              "sso_account_id = 210987654321\nsso_role_name = AdministratorAccess\n"
              "# mine\ncli_pager =\n")
    sandbox.config.write_text(legacy)
    w = Wizard(sandbox, emu, "--no-browser", tmp=tmp_path)
    w.expect("Which IAM Identity Center do you want to use")
    w.expect("Use the start URL of legacy profile old-admin")
    w.send(ENTER)
    w.expect(r"Name of the \[sso-session\]")
    w.send(ENTER)  # acme, from the start URL
    w.expect("found 6 accounts, 16 roles")
    _through = ["How should the profiles be named", "Accounts and roles to generate",
                "Default region for the profiles", "Default output format"]
    for question in _through:
        w.expect(question)
        w.send(ENTER)
    w.expect(r"Migrate 1 legacy profile for https://acme\.awsapps\.com/start to "
             r"\[sso-session acme\]\?")
    w.send("y")
    w.expect(r"Write these changes \(created 15, .*migrated 1\)")
    w.send("y")
    assert w.finish() == 0, w.output
    assert sandbox.config.read_text().startswith(legacy.replace(
        f"sso_start_url = {START_URL}\nsso_region = eu-west-1\n", "sso_session = acme\n"))
    env = emu.endpoint_env()
    out = sandbox.python("import boto3\n"
                         "c = boto3.Session(profile_name='old-admin').get_credentials()\n"
                         "print(bool(c.get_frozen_credentials().access_key))\n", env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True"
    assert emu.stats()["requests"]["StartDeviceAuthorization"] == 1
    assert sandbox.run("sync", "--check", env=env).returncode == 0
