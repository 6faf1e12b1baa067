"""Regeneration you can trust (issue 8): a profile name never comes to mean another account or
role, whatever happens to the inventory between two runs.

The property drives the engine through random *sequences* of inventories -- accounts appearing,
vanishing, renamed, sharing names, with smaller and larger ids -- with hand-written profiles
taking names in between, ``sync`` and ``sync --prune`` alternating: for every profile name
present before and after a run, its (session, account, role) is unchanged.
"""

from __future__ import annotations

import configparser
import json
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Sandbox
from ssogen.app.generate import generate
from ssogen.model.inventory import Account, Inventory
from ssogen.model.settings import Settings

URL = "https://acme.awsapps.com/start"
PROPS = settings(max_examples=int(os.environ.get("SSOGEN_EXAMPLES", "120")), deadline=None,
                 suppress_health_check=[HealthCheck.too_slow])

IDS = ["555555555555", "666666666666", "777777777777", "888888888888"]
NAMES = ["dup", "dup", "Dup", "prod", ""]
ROLES = ["ReadOnlyAccess", "AdministratorAccess"]
TEMPLATES = ["account-role", "{{ account_id }}", "{{ account_name | kebab }}",
             "{{ role | kebab }}", "aws-cli"]


def identities(path: Path) -> dict[str, tuple[str, str, str]]:
    """profile name -> (sso_session, sso_account_id, sso_role_name), as botocore's parser
    reads the file (hand-written profiles included)."""
    cp = configparser.RawConfigParser(strict=True)
    cp.read(path, encoding="utf-8")
    out = {}
    for section in cp.sections():
        if section.startswith("profile "):
            o = cp[section]
            out[section[len("profile "):]] = (o.get("sso_session", ""),
                                              o.get("sso_account_id", ""),
                                              o.get("sso_role_name", ""))
    return out


_account = st.builds(lambda i, n, r: Account(i, n, "", r), st.sampled_from(IDS),
                     st.sampled_from(NAMES),
                     st.lists(st.sampled_from(ROLES), min_size=1, max_size=2, unique=True))
_inventory = st.lists(_account, max_size=4, unique_by=lambda a: a.id)
_step = st.tuples(_inventory, st.booleans(),  # prune?
                  st.lists(st.sampled_from(["dup-read-only-access", "dup-administrator-access",
                                            "666666666666", "prod-read-only-access", "dup",
                                            "read-only-access", "dup-read-only-access-"
                                            "777777777777"]), max_size=2, unique=True))


@PROPS
@given(template=st.sampled_from(TEMPLATES), steps=st.lists(_step, min_size=2, max_size=6))
def test_no_profile_name_ever_changes_its_meaning(template: str, steps: list) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config"
        settings_ = Settings(session="acme", start_url=URL, sso_region="eu-west-1",
                             region="eu-west-1", output="json", name_template=template)
        for accounts, prune, hand_written in steps:
            before = identities(config) if config.exists() else {}
            with config.open("a", encoding="utf-8") as fh:  # names taken by hand meanwhile
                for name in hand_written:
                    if name not in before:
                        fh.write(f"\n[profile {name}]\nregion = us-east-1\n")
                        before[name] = ("", "", "")
            inventory = Inventory("acme", URL, "eu-west-1", accounts)
            generate(config, settings_, inventory, prune=prune)
            after = identities(config)
            for name in before.keys() & after.keys():
                assert after[name] == before[name], (name, before[name], after[name])
            # and every live (account, role) of the inventory has exactly one profile
            live = {(a.id, r) for a in accounts for r in a.roles}
            managed = [v[1:] for v in after.values() if v[0] == "acme" and v[1:] in live]
            assert len(managed) == len(set(managed))


def _inventory_file(path: Path, accounts: list[dict]) -> Path:
    path.write_text(json.dumps({"session": "acme", "start_url": URL, "sso_region": "eu-west-1",
                                "accounts": accounts}), encoding="utf-8")
    return path


def _profiles(sandbox: Sandbox) -> dict[str, tuple[str, str, str]]:
    return identities(sandbox.config)


def test_removing_the_name_holder_does_not_repoint_its_name(sandbox: Sandbox,
                                                            tmp_path: Path) -> None:
    """Finding 1: two accounts named `dup`; the first leaves; `sync --prune` must not give
    its bare name to the second one (that would make yesterday's `--profile` mean another
    account today)."""
    dup6 = {"id": "666666666666", "name": "dup", "roles": ["ReadOnlyAccess"]}
    dup7 = {"id": "777777777777", "name": "dup", "roles": ["ReadOnlyAccess"]}
    inv = _inventory_file(tmp_path / "inv.json", [dup6, dup7])
    sandbox.run("setup", "--yes", "--inventory", str(inv), check=True)
    assert _profiles(sandbox) == {
        "dup-read-only-access": ("acme", "666666666666", "ReadOnlyAccess"),
        "dup-read-only-access-777777777777": ("acme", "777777777777", "ReadOnlyAccess")}
    _inventory_file(inv, [dup7])
    proc = sandbox.run("sync", "--prune", "--inventory", str(inv), check=True)
    assert _profiles(sandbox) == {
        "dup-read-only-access-777777777777": ("acme", "777777777777", "ReadOnlyAccess")}
    assert "removed 1" in proc.stderr and "dup-read-only-access" in proc.stderr
    # the next run keeps it that way (no late rename to the bare name)
    assert sandbox.run("sync", "--check", "--prune", "--inventory", str(inv)).returncode == 0


def test_a_smaller_id_arriving_later_never_takes_a_name(sandbox: Sandbox,
                                                        tmp_path: Path) -> None:
    """Finding 1, second form: a same-named account with a smaller id appears (it gets the
    suffix: the name is held), then the first one leaves: the newcomer keeps its own name."""
    dup6 = {"id": "666666666666", "name": "dup", "roles": ["ReadOnlyAccess"]}
    dup5 = {"id": "555555555555", "name": "dup", "roles": ["ReadOnlyAccess"]}
    inv = _inventory_file(tmp_path / "inv.json", [dup6])
    sandbox.run("setup", "--yes", "--inventory", str(inv), check=True)
    _inventory_file(inv, [dup5, dup6])
    sandbox.run("sync", "--inventory", str(inv), check=True)
    assert _profiles(sandbox) == {
        "dup-read-only-access": ("acme", "666666666666", "ReadOnlyAccess"),
        "dup-read-only-access-555555555555": ("acme", "555555555555", "ReadOnlyAccess")}
    _inventory_file(inv, [dup5])
    sandbox.run("sync", "--prune", "--inventory", str(inv), check=True)
    assert _profiles(sandbox) == {
        "dup-read-only-access-555555555555": ("acme", "555555555555", "ReadOnlyAccess")}


def test_the_role_tells_apart_two_roles_of_one_account(sandbox: Sandbox,
                                                       tmp_path: Path) -> None:
    """Finding 7: `{{ account_id }}` with two roles gave `666666666666-666666666666`."""
    inv = _inventory_file(tmp_path / "inv.json", [
        {"id": "666666666666", "name": "dup", "roles": ["AdministratorAccess", "ReadOnlyAccess"]},
        {"id": "777777777777", "name": "dup", "roles": ["ReadOnlyAccess"]}])
    proc = sandbox.run("setup", "--yes", "--inventory", str(inv), "--name-template",
                       "{{ account_id }}", check=True)
    assert _profiles(sandbox) == {
        "666666666666": ("acme", "666666666666", "AdministratorAccess"),
        "666666666666-ReadOnlyAccess": ("acme", "666666666666", "ReadOnlyAccess"),
        "777777777777": ("acme", "777777777777", "ReadOnlyAccess")}
    assert "'666666666666' is taken by" in proc.stderr
    # stable from then on: no collision is reported again, nothing changes
    again = sandbox.run("sync", "--check", "--inventory", str(inv))
    assert again.returncode == 0 and "taken" not in again.stderr


def test_every_change_is_named_and_json_says_the_same(sandbox: Sandbox, tmp_path: Path) -> None:
    """Finding 4: `stale 1` -- which one? Every change is named, in sync, --check, --dry-run,
    and as one JSON object with --json."""
    dup6 = {"id": "666666666666", "name": "dup", "roles": ["ReadOnlyAccess"]}
    dup7 = {"id": "777777777777", "name": "dup", "roles": ["ReadOnlyAccess", "Billing"]}
    inv = _inventory_file(tmp_path / "inv.json", [dup6, dup7])
    sandbox.run("setup", "--yes", "--inventory", str(inv), check=True)
    _inventory_file(inv, [dup7 | {"roles": ["ReadOnlyAccess", "AdministratorAccess"]}])
    for flags in (["--check"], ["--dry-run"], []):
        proc = sandbox.run("sync", *flags, "--inventory", str(inv))
        assert proc.returncode == (1 if flags == ["--check"] else 0), proc.stderr
        assert "  created 1: dup-administrator-access\n" in proc.stderr
        assert ("  stale, kept (--prune removes them) 2: dup-billing (777777777777/Billing), "
                "dup-read-only-access (666666666666/ReadOnlyAccess)\n") in proc.stderr
    proc = sandbox.run("sync", "--prune", "--check", "--json", "--inventory", str(inv))
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    assert doc["mode"] == "check" and doc["changed"] is True and doc["exit_code"] == 1
    (session,) = doc["sessions"]
    assert session["session"] == "acme" and session["written"] is False
    assert [p["name"] for p in session["profiles"]["removed"]] == [
        "dup-billing", "dup-read-only-access"]
    assert session["profiles"]["removed"][1] == {
        "name": "dup-read-only-access", "account_id": "666666666666", "role": "ReadOnlyAccess"}
    assert session["counts"]["removed"] == 2 and session["diff"].startswith("--- ")
    assert "[profile dup-billing]" in session["diff"]


def test_setup_json_needs_yes_and_names_what_it_created(sandbox: Sandbox,
                                                        tmp_path: Path) -> None:
    inv = _inventory_file(tmp_path / "inv.json", [
        {"id": "666666666666", "name": "dup", "roles": ["ReadOnlyAccess"]}])
    proc = sandbox.run("setup", "--yes", "--json", "--inventory", str(inv))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["sessions"][0]["profiles"]["created"] == [
        {"name": "dup-read-only-access", "account_id": "666666666666", "role": "ReadOnlyAccess"}]
    assert doc["sessions"][0]["written"] is True
    refused = sandbox.run("setup", "--json", "--inventory", str(inv))
    assert refused.returncode == 2 and "--json needs --yes" in refused.stderr


LEGACY = ("# mine\n[profile old-ro]\nsso_start_url = https://acme.awsapps.com/start\n"
          "sso_region = eu-west-1\nsso_account_id = 666666666666\n"
          "sso_role_name = ReadOnlyAccess\nregion = eu-west-1\n")


def test_migration_does_not_depend_on_the_order(tmp_path: Path) -> None:
    """Finding 6: `setup --yes` then `sync --migrate-legacy` left two live profiles for one
    account/role, `setup --migrate-legacy` in one go one. Now the managed duplicate goes stale
    (named), and with --prune the two orders end in the same profiles."""
    inv = _inventory_file(tmp_path / "inv.json", [
        {"id": "666666666666", "name": "dup", "roles": ["ReadOnlyAccess", "Admin"]}])
    ends = []
    for order in ("one-go", "two-steps"):
        (tmp_path / order).mkdir()
        sandbox = Sandbox(tmp_path / order)
        sandbox.aws.mkdir()
        sandbox.config.write_text(LEGACY)
        if order == "one-go":
            sandbox.run("setup", "--yes", "--migrate-legacy", "--inventory", str(inv),
                        check=True)
        else:
            sandbox.run("setup", "--yes", "--inventory", str(inv), check=True)
            proc = sandbox.run("sync", "--migrate-legacy", "--inventory", str(inv),
                               check=True)
            assert "stale, kept (--prune removes them) 1: dup-read-only-access" \
                   in proc.stderr
            sandbox.run("sync", "--prune", "--inventory", str(inv), check=True)
        live = identities(sandbox.config)
        per_role = [v for v in live.values() if v[1:] == ("666666666666", "ReadOnlyAccess")]
        assert per_role == [("acme", "666666666666", "ReadOnlyAccess")], live
        ends.append(live)
    assert ends[0] == ends[1]


def test_a_config_in_a_missing_folder_is_refused_in_every_mode(sandbox: Sandbox,
                                                              tmp_path: Path) -> None:
    """Finding 10: `--config /nonexistent/dir/config` silently created the folders, and
    --dry-run showed a diff the real run could not write."""
    inv = _inventory_file(tmp_path / "inv.json", [
        {"id": "666666666666", "name": "dup", "roles": ["ReadOnlyAccess"]}])
    missing = tmp_path / "no" / "such" / "config"
    for flags in ([], ["--dry-run"]):
        proc = sandbox.run("--config", str(missing), "setup", "--yes", "--inventory",
                           str(inv), *flags)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.splitlines()[0] == (
            f"ssogen: error: {missing.parent}: the folder does not exist; ssogen creates "
            "~/.aws when it is missing, no other folder")
        assert "mkdir -p" in proc.stderr
    assert not (tmp_path / "no").exists()
    # ~/.aws itself is created when missing (the first run), 0700
    assert sandbox.run("setup", "--yes", "--inventory", str(inv)).returncode == 0
    assert oct(sandbox.aws.stat().st_mode & 0o777) == "0o700"
