
"""setup/sync online path through the CLI against the emulator (no terminal: --yes), and the
one-line exit-2 errors for bad input."""

from __future__ import annotations

import pytest

START_URL = "https://acme.awsapps.com/start"


@pytest.fixture
def online(sandbox, make_emulator):  # type: ignore[no-untyped-def]
    emu = make_emulator(auto_approve_after=0)
    sandbox.env.update(emu.endpoint_env())
    return sandbox, emu


def _setup_yes(sandbox, *extra: str):  # type: ignore[no-untyped-def]
    return sandbox.run("setup", "--yes", "--no-browser", "--start-url", START_URL,
                       "--sso-region", "eu-west-1", *extra)


def test_setup_then_check_then_new_role(online) -> None:  # type: ignore[no-untyped-def]
    sandbox, emu = online
    proc = _setup_yes(sandbox)
    assert proc.returncode == 0, proc.stderr
    text = sandbox.config.read_text()
    assert text.count("[profile ") == 16
    assert "[sso-session acme]" in text
    assert "next: aws s3 ls --profile " in proc.stderr

    check = sandbox.run("sync", "--check")
    assert check.returncode == 0, check.stderr
    assert check.stdout == ""
    assert "in sync" in check.stderr
    before = emu.stats()["requests"]
    assert before["StartDeviceAuthorization"] == 1  # sync reused the cached token

    emu.org.add_role("456789012345", "BillingViewer")
    drift = sandbox.run("sync", "--check")
    assert drift.returncode == 1
    assert "+[profile acme-dev-billing-viewer]" in drift.stdout
    assert sandbox.config.read_text() == text  # --check writes nothing

    sync = sandbox.run("sync")
    assert sync.returncode == 0, sync.stderr
    assert "created 1" in sync.stderr
    assert "[profile acme-dev-billing-viewer]" in sandbox.config.read_text()
    assert sandbox.run("sync", "--check").returncode == 0
    assert emu.stats()["requests"]["StartDeviceAuthorization"] == 1


def test_sync_no_login_exit_4(online) -> None:  # type: ignore[no-untyped-def]
    sandbox, emu = online
    assert _setup_yes(sandbox).returncode == 0
    for f in sandbox.cache.iterdir():
        f.unlink()
    before = sandbox.config.read_bytes()
    proc = sandbox.run("sync", "--no-login")
    assert proc.returncode == 4
    assert "ssogen login --session acme" in proc.stderr
    assert sandbox.config.read_bytes() == before
    # without --no-login it logs in again (the emulator approves) and is in sync
    assert sandbox.run("sync", "--check").returncode == 0
    assert emu.stats()["requests"]["StartDeviceAuthorization"] == 2


def test_setup_yes_reuses_existing_session(online) -> None:  # type: ignore[no-untyped-def]
    sandbox, _ = online
    sandbox.aws.mkdir()
    original = ("# my settings\n[sso-session corp]\nsso_start_url = " + START_URL +
                "\nsso_region = eu-west-1\n")
    sandbox.config.write_text(original)
    proc = sandbox.run("setup", "--yes", "--no-browser", "--session", "corp",
                       "--name-template", "aws-cli", "--exclude", "acme-*")
    assert proc.returncode == 0, proc.stderr
    text = sandbox.config.read_text()
    assert text.startswith(original)  # the hand-written session is reused, not touched
    assert text.count("[sso-session") == 1
    assert "[profile AdministratorAccess-789012345678]" in text
    assert "acme-prod" not in text and "210987654321" not in text


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--start-url", "http://acme.awsapps.com/start", "--sso-region", "eu-west-1"],
         "must use https://"),
        (["--start-url", START_URL, "--sso-region", "eu-wets-1"],
         "--sso-region 'eu-wets-1': no such IAM Identity Center region"),
        (["--start-url", START_URL, "--sso-region", "eu-west-1", "--session", "my team"],
         "contains spaces"),
        (["--sso-region", "eu-west-1"], "--start-url is required with --yes"),
        (["--start-url", "https://sso.example.com"], "--sso-region is required with --yes"),
        (["--start-url", START_URL, "--sso-region", "eu-west-1", "--name-template", "nope"],
         "unknown name template 'nope'"),
    ],
)
def test_bad_input_exit_2(online, args: list[str], words: str) -> None:  # type: ignore[no-untyped-def]
    sandbox, emu = online
    proc = sandbox.run("setup", "--yes", "--no-browser", *args)
    assert proc.returncode == 2, proc.stderr
    assert emu.stats()["requests_total"] == 0  # rejected before any login
    first = proc.stderr.splitlines()[0]
    assert first.startswith("ssogen: error: ") and words in first, proc.stderr
    assert len([ln for ln in proc.stderr.splitlines() if ln.strip()]) <= 2  # error + hint
    assert not sandbox.config.exists()


def test_unreadable_inventory_exit_2(sandbox, tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "inv.json"
    bad.write_text('{"session": "acme", ')
    for inv in (str(bad), str(tmp_path / "missing.json"), str(tmp_path)):
        proc = sandbox.run("setup", "--yes", "--inventory", inv)
        assert proc.returncode == 2
        lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
        assert lines[0].startswith("ssogen: error: ")
        assert all(ln.startswith("  hint: ") for ln in lines[1:]), lines
        assert len(lines) <= 2


def test_inventory_without_read_permission_exit_2(sandbox, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The permission-denied case of an unreadable inventory: a valid file with mode 000
    (as root, ssogen runs without capabilities so the bits apply; see conftest)."""
    import json
    import subprocess
    import sys

    from conftest import ACME_INVENTORY, unprivileged_prefix

    inv = tmp_path / "inv.json"
    inv.write_text(json.dumps(ACME_INVENTORY))
    inv.chmod(0)
    proc = subprocess.run([*unprivileged_prefix(), sys.executable, "-m", "ssogen", "setup",
                           "--yes", "--inventory", str(inv)], env=sandbox.env,
                          capture_output=True, text=True, timeout=120, cwd=str(sandbox.home))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("ssogen: error: "), proc.stderr
    assert "Permission denied" in lines[0] or "permission" in lines[0].lower(), lines[0]
    assert str(inv) in lines[0] or inv.name in lines[0], lines[0]
    assert not sandbox.config.exists()


def test_no_terminal_without_yes_exit_2(online) -> None:  # type: ignore[no-untyped-def]
    sandbox, emu = online
    proc = sandbox.run("setup", "--start-url", START_URL, "--sso-region", "eu-west-1")
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[0] == ("ssogen: error: setup asks questions and needs a "
                                           "terminal")
    assert "--yes" in proc.stderr
    assert emu.stats()["requests_total"] == 0


def test_dry_run_writes_nothing(online) -> None:  # type: ignore[no-untyped-def]
    sandbox, _ = online
    proc = _setup_yes(sandbox, "--dry-run", "--include", "acme-prod")
    assert proc.returncode == 0, proc.stderr
    assert "+[profile acme-prod-read-only-access]" in proc.stdout
    assert "+[profile acme-dev" not in proc.stdout
    assert not sandbox.config.exists()
    assert "dry run, nothing written" in proc.stderr


def test_legacy_profiles_are_reported_and_kept(online) -> None:  # type: ignore[no-untyped-def]
    sandbox, _ = online
    sandbox.aws.mkdir()
    legacy = (f"[profile old-admin]\nsso_start_url = {START_URL}\nsso_region = eu-west-1\n"
              "sso_account_id = 210987654321\nsso_role_name = AdministratorAccess\n")
    sandbox.config.write_text(legacy)
    proc = _setup_yes(sandbox)
    assert proc.returncode == 0, proc.stderr
    assert "legacy profiles with this start URL (old-admin) are left as they are" in proc.stderr
    assert sandbox.config.read_text().startswith(legacy)


def test_existing_managed_session_keeps_its_settings(online) -> None:  # type: ignore[no-untyped-def]
    """A second `setup --yes` for the same start URL reuses the session and what it remembered."""
    sandbox, _ = online
    assert _setup_yes(sandbox, "--name-template", "aws-cli", "--region", "us-west-2",
                      "--exclude", "sandbox-*").returncode == 0
    first = sandbox.config.read_bytes()
    again = sandbox.run("setup", "--yes", "--no-browser", "--start-url", START_URL)
    assert again.returncode == 0, again.stderr
    assert sandbox.config.read_bytes() == first
    assert "already up to date" in again.stderr


def _sample_inventory(path):  # type: ignore[no-untyped-def]
    from ssogen.emulator import Organization
    from ssogen.model.inventory import Account, Inventory
    from ssogen.store.inventories import save_inventory

    inv = Inventory("acme", START_URL, "eu-west-1",
                    [Account(a.id, a.name, a.email, list(a.roles))
                     for a in Organization.sample().accounts()])
    save_inventory(inv, path)
    return inv


def test_online_yes_keeps_what_an_offline_run_remembered(online, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A session set up without region/output (what offline `setup --yes` wrote before its
    defaults matched the online ones), then `setup --yes` online or offline and `sync`:
    nothing changes -- no region/output added just because the default is no longer None."""
    from ssogen.app import generate as engine
    from ssogen.model.settings import Settings

    sandbox, _ = online
    inv = _sample_inventory(tmp_path / "inv.json")
    engine.generate(sandbox.config, Settings("acme", START_URL, "eu-west-1"), inv)
    first = sandbox.config.read_bytes()
    assert b"region = " not in first.split(b"[profile", 1)[1]
    assert b"output = " not in first
    proc = _setup_yes(sandbox)
    assert proc.returncode == 0, proc.stderr
    assert sandbox.config.read_bytes() == first
    offline = sandbox.run("setup", "--yes", "--inventory", str(tmp_path / "inv.json"))
    assert offline.returncode == 0, offline.stderr
    assert sandbox.config.read_bytes() == first
    for args in (["--check"], ["--check", "--inventory", str(tmp_path / "inv.json")]):
        assert sandbox.run("sync", *args).returncode == 0


def test_yes_defaults_are_the_same_online_and_offline(online, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`setup --yes` writes region = the SSO region and output = json, whether the accounts
    come from a login or from --inventory: the two files are byte-identical."""
    sandbox, _ = online
    _sample_inventory(tmp_path / "inv.json")
    assert _setup_yes(sandbox).returncode == 0
    online_text = sandbox.config.read_bytes()
    # 16 profiles and the remembered [ssogen acme]
    assert online_text.count(b"\nregion = eu-west-1\noutput = json\n") == 17
    sandbox.config.unlink()
    proc = sandbox.run("setup", "--yes", "--inventory", str(tmp_path / "inv.json"))
    assert proc.returncode == 0, proc.stderr
    assert sandbox.config.read_bytes() == online_text


def test_migrated_legacy_profile_resolves_credentials_at_once(online) -> None:  # type: ignore[no-untyped-def]
    """The migrated profile uses the session's token cache (sha1 of the session name), which
    the setup login just filled: botocore resolves its credentials with no other login."""
    import hashlib

    sandbox, emu = online
    sandbox.aws.mkdir()
    legacy = (f"# mine\n[profile old-admin]\nsso_start_url = {START_URL}/\n"
              "sso_region = eu-west-1\nsso_account_id = 210987654321\n"
              "sso_role_name = AdministratorAccess\n# keep me\noutput = text\n")
    sandbox.config.write_text(legacy)
    proc = _setup_yes(sandbox, "--migrate-legacy")
    assert proc.returncode == 0, proc.stderr
    assert "migrated 1" in proc.stderr
    text = sandbox.config.read_text()
    assert text.startswith(legacy.replace(f"sso_start_url = {START_URL}/\nsso_region = "
                                          "eu-west-1\n", "sso_session = acme\n"))
    assert (sandbox.cache / (hashlib.sha1(b"acme").hexdigest() + ".json")).exists()
    logins = emu.stats()["requests"]["StartDeviceAuthorization"]
    code = ("import boto3\n"
            "c = boto3.Session(profile_name='old-admin').get_credentials()"
            ".get_frozen_credentials()\n"
            "print(bool(c.access_key and c.secret_key and c.token))\n")
    out = sandbox.python(code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True"
    assert emu.stats()["requests"]["GetRoleCredentials"] >= 1
    assert emu.stats()["requests"]["StartDeviceAuthorization"] == logins  # no new login
    assert sandbox.run("sync", "--check").returncode == 0
