"""``ssogen doctor`` (issue 8): every problem it knows, found with where and the fix; a healthy
setup exits 0; every corpus file is checked without a traceback; the file is never changed
(nor the token cache: doctor never logs in or refreshes)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import Sandbox, corpus_files
from ssogen.emulator import Emulator

INVENTORY = {"session": "acme", "start_url": "https://acme.awsapps.com/start",
             "sso_region": "eu-west-1",
             "accounts": [{"id": "111111111111", "name": "prod", "roles": ["Admin", "ReadOnly"]}]}


def doctor(sandbox: Sandbox, *args: str) -> subprocess.CompletedProcess[str]:
    before = sandbox.config.read_bytes() if sandbox.config.exists() else None
    cache = sorted((p.name, p.read_bytes()) for p in sandbox.cache.iterdir()) \
        if sandbox.cache.is_dir() else []
    proc = sandbox.run("doctor", *args)
    assert "Traceback" not in proc.stderr
    after = sandbox.config.read_bytes() if sandbox.config.exists() else None
    assert after == before, "doctor changed the config"
    now = sorted((p.name, p.read_bytes()) for p in sandbox.cache.iterdir()) \
        if sandbox.cache.is_dir() else []
    assert now == cache, "doctor changed the token cache"
    return proc


def findings(proc: subprocess.CompletedProcess[str]) -> list[str]:
    return [ln for ln in proc.stderr.splitlines() if " — fix: " in ln]


@pytest.fixture
def inventory(tmp_path: Path) -> Path:
    path = tmp_path / "inv.json"
    path.write_text(json.dumps(INVENTORY))
    return path


@pytest.fixture
def logged_in(sandbox: Sandbox, emulator: Emulator, inventory: Path) -> Sandbox:
    """ssogen's own setup against the emulator, logged in (the emulator approves)."""
    emulator.auto_approve_after = 0
    sandbox.env.update(emulator.endpoint_env())
    proc = sandbox.run("setup", "--yes", "--start-url", INVENTORY["start_url"],
                       "--sso-region", "eu-west-1", "--no-browser")
    assert proc.returncode == 0, proc.stderr
    return sandbox


def test_a_healthy_setup_exits_0(logged_in: Sandbox) -> None:
    proc = doctor(logged_in)
    assert proc.returncode == 0, proc.stderr
    assert findings(proc) == []
    assert "logged in until" in proc.stderr and "healthy" in proc.stderr.splitlines()[-1]
    data = json.loads(doctor(logged_in, "--json").stdout)
    assert data["healthy"] is True and data["findings"] == []


def test_a_role_no_longer_assigned_and_clock_skew_are_found_online(
        logged_in: Sandbox, emulator: Emulator) -> None:
    account = emulator.org.accounts()[0]
    role = account.roles[0]
    emulator.remove_role(account.id, role)
    emulator.advance_clock(1200)  # the service is 20 minutes ahead: the token is still valid
    proc = doctor(logged_in)
    assert proc.returncode == 1
    lines = findings(proc)
    assert any(f"{account.id}/{role} is no longer assigned" in ln
               and ln.endswith("fix: ssogen sync --prune") for ln in lines), lines
    assert any("this machine's clock" in ln and "behind" in ln for ln in lines), lines
    # offline, neither is checked (and nothing is called)
    offline = doctor(logged_in, "--no-login")
    assert not any("no longer assigned" in ln or "clock" in ln for ln in findings(offline))


def test_expired_login_and_loose_permissions(logged_in: Sandbox, emulator: Emulator) -> None:
    token = logged_in.cache / f"{hashlib.sha1(b'acme').hexdigest()}.json"  # session acme
    data = json.loads(token.read_text())
    data["expiresAt"] = "2020-01-01T00:00:00Z"
    data.pop("refreshToken", None)
    token.write_text(json.dumps(data))
    token.chmod(0o644)
    logged_in.cache.chmod(0o755)
    proc = doctor(logged_in, "--no-login")
    assert proc.returncode == 1
    lines = findings(proc)
    assert any("session acme: the login expired" in ln
               and ln.endswith("fix: ssogen login --session acme") for ln in lines), lines
    assert any(f"{logged_in.cache}: the cache folder is open to others" in ln
               and f"chmod 700 {logged_in.cache}" in ln for ln in lines), lines
    assert any(f"{token}: a token or credentials file is readable by others" in ln
               and f"chmod 600 {token}" in ln for ln in lines), lines


BROKEN = {
    "bom": ("\ufeff[default]\nregion = us-east-1\n", "byte-order mark", "cfg:1"),
    "duplicate-section": ("[default]\nregion = a\n\n[default]\nregion = b\n",
                          "duplicate section [default]", "cfg:4"),
    "session-missing": ("[profile p]\nsso_session = nope\nsso_account_id = 111111111111\n"
                        "sso_role_name = R\n", "there is no [sso-session nope]", "cfg:1"),
    "legacy": ("[sso-session acme]\nsso_start_url = https://acme.awsapps.com/start\n"
               "sso_region = eu-west-1\n\n[profile old]\nsso_start_url = "
               "https://acme.awsapps.com/start\nsso_region = eu-west-1\n"
               "sso_account_id = 111111111111\nsso_role_name = R\n",
               "legacy SSO profile", "fix: ssogen sync --migrate-legacy"),
    "duplicate-profiles": ("[sso-session acme]\nsso_start_url = https://acme.awsapps.com/start"
                           "\nsso_region = eu-west-1\n\n[profile a]\nsso_session = acme\n"
                           "sso_account_id = 111111111111\nsso_role_name = R\n\n[profile b]\n"
                           "sso_session = acme\nsso_account_id = 111111111111\n"
                           "sso_role_name = R\n", "profiles a and b both point at", "cfg:10"),
    "shared-start-url": ("[sso-session acme]\nsso_start_url = https://acme.awsapps.com/start"
                         "\nsso_region = eu-west-1\n\n[sso-session acme2]\nsso_start_url = "
                         "https://ACME.awsapps.com/start/\nsso_region = eu-west-1\n",
                         "[sso-session acme2] and [sso-session acme] (line 1) are both for",
                         "cfg:5"),
    "legacy-beside-session": ("[sso-session acme]\nsso_start_url = https://acme.awsapps.com/"
                              "start\nsso_region = eu-west-1\n\n[profile prod-admin]\n"
                              "sso_start_url = https://acme.awsapps.com/start#/\n"
                              "sso_region = eu-west-1\nsso_account_id = 111111111111\n"
                              "sso_role_name = R\n\n[profile acme-prod-r]\nsso_session = acme\n"
                              "sso_account_id = 111111111111\nsso_role_name = R\n"
                              "ssogen_managed = true\n",
                              "profiles prod-admin and acme-prod-r both point at 111111111111/R",
                              "cfg:11"),
    "conflict": ("[sso-session acme]\nsso_start_url = https://acme.awsapps.com/start\n"
                 "sso_region = eu-west-1\n\n[profile a]\nsso_session = acme\n"
                 "sso_region = us-east-1\nsso_account_id = 111111111111\nsso_role_name = R\n",
                 "sets sso_region differently", "fix: remove sso_region from the profile"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_each_problem_is_found_with_its_line_and_fix(sandbox: Sandbox, case: str) -> None:
    text, problem, where = BROKEN[case]
    sandbox.aws.mkdir()
    sandbox.config.write_text(text, encoding="utf-8")
    proc = doctor(sandbox, "--no-login")
    assert proc.returncode == 1, proc.stderr
    lines = [ln.replace(str(sandbox.config), "cfg") for ln in findings(proc)]
    assert any(problem in ln and where in ln for ln in lines), lines


def test_every_line_botocore_refuses_is_a_finding_of_its_own(sandbox: Sandbox) -> None:
    sandbox.aws.mkdir()
    sandbox.config.write_text("[default]\nregion = a\nRegion = b\nnot a key\n[default]\n"
                              "[profile x]\n= v\n", encoding="utf-8")
    proc = doctor(sandbox, "--no-login")
    assert proc.returncode == 1, proc.stderr
    lines = [ln.replace(str(sandbox.config), "cfg") for ln in findings(proc)]
    assert [ln.removeprefix("ssogen: doctor: ").split(": ")[0] for ln in lines] == [
        "cfg:3", "cfg:4", "cfg:5", "cfg:7"], lines
    assert "duplicate key 'region' in [default]" in lines[0]
    assert "cannot parse 'not a key'" in lines[1]
    assert "duplicate section [default]" in lines[2]
    assert "cannot parse '= v'" in lines[3]
    assert all("fix: edit that line" in ln for ln in lines)
    assert "4 problems found" in proc.stderr


LEGACY_PROD = ("[profile prod]\nsso_start_url = https://acme.awsapps.com/start\n"
               "sso_region = eu-west-1\nsso_account_id = 111111111111\n"
               "sso_role_name = AdministratorAccess\n")


def test_a_legacy_profile_kept_beside_its_generated_copy_gets_the_fix_that_works(
        sandbox: Sandbox, acme_inventory: Path) -> None:
    """setup without --migrate-legacy leaves a legacy profile as it is and generates the
    session's profile for the same role too; doctor names the one command that leaves one
    of the two, and that command does."""
    sandbox.aws.mkdir()
    sandbox.config.write_text(LEGACY_PROD)
    assert sandbox.run("setup", "--yes", "--inventory", str(acme_inventory)).returncode == 0
    pair = [ln for ln in findings(doctor(sandbox, "--no-login")) if "both point at" in ln]
    fix = ("fix: ssogen sync acme --migrate-legacy --prune (it moves the legacy profiles of "
           "that start URL, prod among them, to [sso-session acme] and removes the session's "
           "stale profiles, prod-administrator-access among them)")
    assert len(pair) == 1 and pair[0].endswith(fix), pair
    command = fix.removeprefix("fix: ssogen ").split(" (")[0].split()
    proc = sandbox.run(*command, "--inventory", str(acme_inventory))
    assert proc.returncode == 0, proc.stderr
    assert "it is stale now, and removed (--prune)" in proc.stderr, proc.stderr
    after = findings(doctor(sandbox, "--no-login"))
    assert not [ln for ln in after if "both point at" in ln or "legacy" in ln], after
    text = sandbox.config.read_text()
    assert "[profile prod]\nsso_session = acme\n" in text
    assert "[profile prod-administrator-access]" not in text


def test_aws_profile_naming_a_missing_profile(sandbox: Sandbox) -> None:
    sandbox.aws.mkdir()
    sandbox.config.write_text("[default]\nregion = us-east-1\n")
    proc = sandbox.run("doctor", "--no-login", env={"AWS_PROFILE": "gone"})
    assert proc.returncode == 1
    assert any("AWS_PROFILE: names profile 'gone'" in ln and "unset AWS_PROFILE" in ln
               for ln in findings(proc)), proc.stderr


def test_aws_profile_naming_a_missing_profile_online(logged_in: Sandbox) -> None:
    """The session's own calls (doctor's online checks, list, sync) do not use AWS_PROFILE:
    a profile it names that is not in the file is reported, not a reason to stop."""
    proc = doctor(logged_in, "--json")
    assert proc.returncode == 0, proc.stderr
    gone = {"AWS_PROFILE": "gone"}
    proc = logged_in.run("doctor", env=gone)
    assert proc.returncode == 1, proc.stderr
    assert any("AWS_PROFILE: names profile 'gone'" in ln for ln in findings(proc)), proc.stderr
    assert "could not be found" not in proc.stderr and "logged in until" in proc.stderr
    listed = logged_in.run("list", "--session", "acme", "--json", env=gone)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout)["accounts"]
    assert logged_in.run("sync", "--check", env=gone).returncode == 0


def test_an_unknown_session_is_an_error_not_an_all_clear(sandbox: Sandbox) -> None:
    sandbox.aws.mkdir()
    sandbox.config.write_text("[sso-session acme]\nsso_start_url = https://acme.awsapps.com/"
                              "start\nsso_region = eu-west-1\n")
    for args in (("--no-login",), ("--no-login", "--json"), ()):
        proc = doctor(sandbox, "--session", "acmee", *args)
        assert proc.returncode == 2, proc.stderr
        assert "no [sso-session acmee]" in proc.stderr and "(sessions: acme)" in proc.stderr
        assert "healthy" not in proc.stderr + proc.stdout


@pytest.mark.parametrize(("text", "fix"), [
    ("\ufeff[default]\nregion = us-east-1\n", "ssogen setup"),
    ("\ufeff[ssogen acme]\nssogen_managed = true\n", "ssogen sync"),
    ("\ufeff[a]\nk = 1\n[a]\n", "ssogen setup")])
def test_the_bom_fix_names_a_command_that_removes_it(sandbox: Sandbox, text: str,
                                                      fix: str) -> None:
    """`ssogen sync` only writes where ssogen has a session: elsewhere it would refuse."""
    sandbox.aws.mkdir()
    sandbox.config.write_text(text, encoding="utf-8")
    lines = findings(doctor(sandbox, "--no-login"))
    bom = [ln for ln in lines if "byte-order mark" in ln]
    assert len(bom) == 1 and bom[0].endswith(f"fix: save the file without a BOM (or run {fix}, "
                                             "which removes it)"), lines
    assert all(" fix: fix " not in ln for ln in lines), lines


def test_no_config_says_setup(sandbox: Sandbox) -> None:
    proc = doctor(sandbox, "--no-login")
    assert proc.returncode == 1 and findings(proc)[0].endswith("fix: ssogen setup")


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_doctor_on_every_corpus_file(sandbox: Sandbox, path: Path) -> None:
    sandbox.aws.mkdir()
    sandbox.config.write_bytes(path.read_bytes())
    proc = doctor(sandbox, "--no-login")
    assert proc.returncode in (0, 1), proc.stderr
    for line in findings(proc):
        assert line.startswith("ssogen: doctor: ") and line.split(" — fix: ")[1].strip()
    if proc.returncode == 1:
        assert proc.stderr.splitlines()[-1].endswith("found")
    assert os.path.exists(sandbox.config)
