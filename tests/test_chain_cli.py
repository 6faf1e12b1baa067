"""``--chain`` through the real CLI, offline (``--inventory``): remembered for a plain sync,
idempotent, shown by --check/--dry-run/--json, stale and pruned with its source, and every bad
spec refused in one line (exit 2) before any login."""

from __future__ import annotations

import configparser
import json
from pathlib import Path

import pytest

from conftest import ACME_INVENTORY, Sandbox

ORG = "arn:aws:iam::{{ account_id }}:role/OrganizationAccountAccessRole"
ADMINS = f"*-administrator-access={ORG};role_session_name=ssogen"
PROD_CHAIN = "prod-administrator-access-to-organization-account-access-role"
DEV_CHAIN = "dev-administrator-access-to-organization-account-access-role"


def profiles(sandbox: Sandbox) -> dict[str, dict[str, str]]:
    cp = configparser.RawConfigParser(strict=True)
    cp.read(sandbox.config)
    return {s[len("profile "):]: dict(cp[s]) for s in cp.sections() if s.startswith("profile ")}


def settings_section(sandbox: Sandbox) -> dict[str, str]:
    cp = configparser.RawConfigParser(strict=True)
    cp.read(sandbox.config)
    return dict(cp["ssogen acme"])


def write_inventory(path: Path, accounts: list[dict]) -> Path:
    path.write_text(json.dumps({**ACME_INVENTORY, "accounts": accounts}), encoding="utf-8")
    return path


def test_setup_writes_chains_and_a_plain_sync_keeps_them(sandbox: Sandbox,
                                                         acme_inventory: Path) -> None:
    inv = str(acme_inventory)
    proc = sandbox.run("setup", "--yes", "--inventory", inv, "--chain", ADMINS, check=True)
    assert f"{DEV_CHAIN}, " in proc.stderr and "created 7" in proc.stderr
    got = profiles(sandbox)
    assert got[PROD_CHAIN] == {
        "source_profile": "prod-administrator-access",
        "role_arn": "arn:aws:iam::111111111111:role/OrganizationAccountAccessRole",
        "role_session_name": "ssogen", "sso_session": "acme", "region": "eu-west-1",
        "output": "json", "ssogen_managed": "true"}
    assert got[DEV_CHAIN]["source_profile"] == "dev-administrator-access"
    # remembered: a plain sync has nothing to do, --check agrees (exit 0)
    assert json.loads(settings_section(sandbox)["chains"]) == [ADMINS]
    before = sandbox.config.read_bytes()
    again = sandbox.run("sync", "--inventory", inv, check=True)
    assert "already up to date" in again.stderr and sandbox.config.read_bytes() == before
    assert sandbox.run("sync", "--check", "--inventory", inv).returncode == 0
    assert sandbox.run("setup", "--yes", "--inventory", inv, check=True).stderr.count(
        "created 0") == 1 and sandbox.config.read_bytes() == before
    # a chained profile deleted by hand comes back from the remembered spec alone
    text = sandbox.config.read_text()
    start = text.index(f"[profile {DEV_CHAIN}]")
    end = text.index("[profile", start + 1)
    sandbox.config.write_text(text[:start] + text[end:])
    check = sandbox.run("sync", "--check", "--inventory", inv)
    assert check.returncode == 1 and f"  created 1: {DEV_CHAIN}\n" in check.stderr
    assert f"+[profile {DEV_CHAIN}]" in check.stdout
    sandbox.run("sync", "--inventory", inv, check=True)
    assert profiles(sandbox) == got  # (after the last profile of the session this time)


def test_check_dry_run_and_json_show_the_chains(sandbox: Sandbox, acme_inventory: Path,
                                                tmp_path: Path) -> None:
    inv = str(acme_inventory)
    sandbox.run("setup", "--yes", "--inventory", inv, check=True)
    for flags, code in ((["--check"], 1), (["--dry-run"], 0)):
        proc = sandbox.run("sync", "acme", *flags, "--inventory", inv, "--chain", ADMINS)
        assert proc.returncode == code, proc.stderr
        assert f"+[profile {PROD_CHAIN}]" in proc.stdout
        assert "+source_profile = prod-administrator-access" in proc.stdout
        assert f"  created 2: {DEV_CHAIN}, {PROD_CHAIN}\n" in proc.stderr
        assert "+chains = " in proc.stdout
    proc = sandbox.run("sync", "acme", "--check", "--json", "--inventory", inv, "--chain",
                       ADMINS)
    doc = json.loads(proc.stdout)
    created = doc["sessions"][0]["profiles"]["created"]
    assert created == [
        {"name": DEV_CHAIN, "account_id": "222222222222", "role": "OrganizationAccountAccessRole",
         "source_profile": "dev-administrator-access",
         "role_arn": "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole"},
        {"name": PROD_CHAIN, "account_id": "111111111111", "role": "OrganizationAccountAccessRole",
         "source_profile": "prod-administrator-access",
         "role_arn": "arn:aws:iam::111111111111:role/OrganizationAccountAccessRole"}]
    assert "chains" not in settings_section(sandbox)  # nothing was written


def test_pruning_the_source_makes_its_chain_stale_then_removes_both(
        sandbox: Sandbox, tmp_path: Path) -> None:
    accounts = ACME_INVENTORY["accounts"]
    inv = write_inventory(tmp_path / "inv.json", accounts)
    sandbox.run("setup", "--yes", "--inventory", str(inv), "--chain", ADMINS, check=True)
    write_inventory(inv, [a for a in accounts if a["id"] != "222222222222"])  # Dev is gone
    proc = sandbox.run("sync", "--inventory", str(inv), check=True)
    assert ("  stale, kept (--prune removes them) 2: dev-administrator-access "
            f"(222222222222/AdministratorAccess), {DEV_CHAIN} (dev-administrator-access → "
            "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole)\n") in proc.stderr
    assert DEV_CHAIN in profiles(sandbox)
    proc = sandbox.run("sync", "--prune", "--inventory", str(inv), check=True)
    assert "removed 2" in proc.stderr
    got = profiles(sandbox)
    assert "dev-administrator-access" not in got and DEV_CHAIN not in got
    assert PROD_CHAIN in got
    assert sandbox.run("sync", "--check", "--prune", "--inventory", str(inv)).returncode == 0


def test_no_chain_forgets_and_prune_removes(sandbox: Sandbox, acme_inventory: Path) -> None:
    inv = str(acme_inventory)
    sandbox.run("setup", "--yes", "--inventory", inv, "--chain", ADMINS, check=True)
    proc = sandbox.run("sync", "--no-chain", "--inventory", inv, check=True)
    assert "stale 2" in proc.stderr and "chains" not in settings_section(sandbox)
    proc = sandbox.run("sync", "--prune", "--inventory", inv, check=True)
    assert "removed 2" in proc.stderr
    assert not any("role_arn" in p for p in profiles(sandbox).values())


BAD = [
    ("prod-*", "--chain 'prod-*': expected SOURCE_GLOB=ROLE_ARN[:NAME_TEMPLATE]"),
    ("x=arn:aws:iam::12345:role/R", "is not arn:<partition>:iam::<12 digits>:role/"),
    ("x=arn:aws-cn:iam::123456789012:role/R",
     "the role ARN is in partition aws-cn, the session in aws"),
    ("x=arn:aws:iam::{{ acount_id }}:role/R", "the role ARN failed: 'acount_id' is undefined"),
    ("x=arn:aws:iam::123456789012:role/R:{{ source | nope }}",
     "the name template failed: No filter named 'nope'"),
    ("x=arn:aws:iam::123456789012:role/R;duration_seconds=43200", "from 900 to 3600"),
    ("x=arn:aws:iam::123456789012:role/R;external_id=abc", "unknown option 'external_id=abc'"),
]


@pytest.mark.parametrize("spec, message", BAD)
def test_bad_specs_exit_2_in_one_line_before_any_login(sandbox: Sandbox, spec: str,
                                                       message: str) -> None:
    """Online setup, with a start URL nothing answers: the error comes first."""
    proc = sandbox.run("setup", "--yes", "--no-browser", "--start-url",
                       "https://acme.awsapps.com/start", "--sso-region", "eu-west-1",
                       "--chain", spec, timeout=30)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"ssogen: error: --chain {spec!r}"), lines
    assert message in lines[0]
    assert not sandbox.cache.exists() and not sandbox.config.exists()  # no login, no file


def test_a_bad_remembered_chain_fails_sync_before_any_login(sandbox: Sandbox,
                                                            acme_inventory: Path) -> None:
    sandbox.run("setup", "--yes", "--inventory", str(acme_inventory), "--chain", ADMINS,
                check=True)
    text = sandbox.config.read_text()
    sandbox.config.write_text(text.replace(":role/OrganizationAccountAccessRole;",
                                           ":role/Org Access;"))
    proc = sandbox.run("sync", "--no-login", timeout=30)
    assert proc.returncode == 2
    (line,) = proc.stderr.splitlines()
    assert line.startswith(f"ssogen: error: {sandbox.config}:") and \
        ": [ssogen acme] chains: '*-administrator-access=arn:aws:iam::{{ account_id }}:role/" \
        "Org Access;role_session_name=ssogen': the role ARN 'arn:aws:iam::{{ account_id }}:" \
        "role/Org Access' is not arn:<partition>" in line, line


def test_sync_chain_needs_one_session(sandbox: Sandbox, acme_inventory: Path,
                                      tmp_path: Path) -> None:
    sandbox.run("setup", "--yes", "--inventory", str(acme_inventory), check=True)
    other = tmp_path / "zeta.json"
    other.write_text(json.dumps({**ACME_INVENTORY, "session": "zeta",
                                 "start_url": "https://zeta.awsapps.com/start"}))
    sandbox.run("setup", "--yes", "--inventory", str(other), check=True)
    spec = f"*administrator*={ORG}"
    proc = sandbox.run("sync", "--inventory", str(acme_inventory), "--inventory", str(other),
                       "--chain", spec)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "ssogen: error: --chain sets the chained profiles of one session, and this sync covers "
        "2 (acme, zeta); name it: ssogen sync SESSION --chain ..."]
    ok = sandbox.run("sync", "zeta", "--inventory", str(other), "--chain", spec)
    assert ok.returncode == 0, ok.stderr
    got = profiles(sandbox)
    # zeta's profiles collide with acme's names: its chains start from zeta's own profiles
    zeta_chains = {n: p["source_profile"] for n, p in got.items()
                   if "role_arn" in p and got[p["source_profile"]]["sso_session"] == "zeta"}
    assert len(zeta_chains) == 2 and set(zeta_chains.values()) == {
        "prod-administrator-access-AdministratorAccess",
        "dev-administrator-access-AdministratorAccess"}, zeta_chains
    assert "chains" not in settings_section(sandbox)  # acme's settings are untouched


def test_help_documents_the_syntax(sandbox: Sandbox) -> None:
    for command in ("setup", "sync"):
        out = sandbox.run(command, "--help", check=True).stdout
        assert "--chain SPEC" in out and "--no-chain" in out
        assert "SOURCE_GLOB=ROLE_ARN[:NAME_TEMPLATE]" in out
        assert ";role_session_name=NAME" in out and ";duration_seconds=N" in out
        assert "{{ source }}-to-{{ target_role | kebab }}" in out
