"""Regeneration you can trust, online (issue 8): the config is read once per run, so the online
commands handle every file the offline ones do -- a UTF-8 byte-order mark included -- and an
online `setup` writes the very bytes an offline one writes from the same accounts and roles,
on every corpus file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import Sandbox, botocore_sections, corpus_files
from ssogen.emulator import Emulator, Organization
from ssogen.model.inventory import Account

URL = "https://acme.awsapps.com/start"
ACCOUNTS = [Account("111111111111", "Prod", "prod@acme.example", ["AdministratorAccess",
                                                                 "ReadOnlyAccess"]),
            Account("222222222222", "Dev", "dev@acme.example", ["AdministratorAccess"])]


@pytest.fixture
def emu(make_emulator) -> Emulator:  # type: ignore[no-untyped-def]
    return make_emulator(org=Organization(ACCOUNTS), auto_approve_after=0)


def online(sandbox: Sandbox, emu: Emulator, *args: str):  # type: ignore[no-untyped-def]
    sandbox.env.update(emu.endpoint_env())
    return sandbox.run(*args, "--no-browser") if args[0] in ("setup", "login", "list") \
        else sandbox.run(*args)


def test_a_bom_file_works_online_and_the_bom_is_removed(sandbox: Sandbox, emu: Emulator,
                                                       ) -> None:
    """Finding 3: with a BOM, setup/login/list failed ('cannot set up the sso-oidc client:
    Unable to parse config file') although the README promises the BOM is removed."""
    sandbox.aws.mkdir()
    mine = "[default]\r\nregion = us-east-1\r\n"
    sandbox.config.write_bytes(b"\xef\xbb\xbf" + mine.encode())
    login = online(sandbox, emu, "login", "--session", "nope")
    assert login.returncode == 2 and "no [sso-session nope]" in login.stderr  # read, not crashed
    proc = online(sandbox, emu, "setup", "--yes", "--start-url", URL, "--sso-region",
                  "eu-west-1")
    assert proc.returncode == 0, proc.stderr
    assert "byte-order mark" in proc.stderr
    data = sandbox.config.read_bytes()
    assert data.startswith(mine.encode()) and not data.startswith(b"\xef\xbb\xbf")
    listed = online(sandbox, emu, "list", "--session", "acme", "--json")
    assert listed.returncode == 0, listed.stderr
    assert {a["id"] for a in json.loads(listed.stdout)["accounts"]} == {a.id for a in ACCOUNTS}


def test_list_and_login_work_on_a_bom_file_with_a_session(sandbox: Sandbox, emu: Emulator,
                                                         ) -> None:
    sandbox.use_emulator(emu)
    sandbox.config.write_bytes(b"\xef\xbb\xbf" + sandbox.config.read_bytes())
    assert online(sandbox, emu, "login", "--session", "acme").returncode == 0
    proc = online(sandbox, emu, "list", "--session", "acme", "--no-login")
    assert proc.returncode == 0, proc.stderr
    assert "111111111111" in proc.stdout


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_online_and_offline_setup_write_the_same_bytes(tmp_path: Path, emu: Emulator,
                                                       path: Path) -> None:
    original = path.read_bytes()
    refused = botocore_sections(_write(tmp_path / "probe",
                                       original.removeprefix(b"\xef\xbb\xbf"))) is None
    inventory = tmp_path / "inv.json"
    inventory.write_text(json.dumps({
        "session": "acme", "start_url": URL, "sso_region": "eu-west-1",
        "accounts": [a.to_dict() for a in ACCOUNTS]}))
    results = []
    for way in ("offline", "online"):
        root = tmp_path / way
        root.mkdir()
        sandbox = Sandbox(root)
        sandbox.aws.mkdir()
        sandbox.config.write_bytes(original)
        if way == "offline":
            proc = sandbox.run("setup", "--yes", "--inventory", str(inventory), "--session",
                               "acme")
        else:
            proc = online(sandbox, emu, "setup", "--yes", "--start-url", URL, "--sso-region",
                          "eu-west-1", "--session", "acme")
        results.append((proc.returncode, sandbox.config.read_bytes()))
    assert results[0][0] == results[1][0] == (2 if refused else 0)
    assert results[0][1] == results[1][1]
    if refused:  # refused alike, before any login, the file untouched
        assert results[1][1] == original


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_a_services_section_and_default_keys_reach_the_clients(sandbox: Sandbox,
                                                               emu: Emulator) -> None:
    """ssogen hands botocore the sections it read instead of the file, so it must hand over
    what botocore reads from them: a ``[services]`` section a profile names (the scan kept no
    values of it, and every client failed with 'the "local" services configuration does not
    exist'), and ``[DEFAULT]``'s keys, which configparser gives every section."""
    sandbox.use_emulator(emu)
    with sandbox.config.open("a") as fh:
        fh.write("\n[default]\nservices = local\nregion = eu-west-1\n\n"
                 "[services local]\ns3 =\n  endpoint_url = http://127.0.0.1:1\n\n"
                 "[DEFAULT]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
                 "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\n"
                 "[profile keys]\nregion = eu-west-1\n")
    listed = online(sandbox, emu, "list", "--session", "acme", "--json")
    assert listed.returncode == 0, listed.stderr
    assert {a["id"] for a in json.loads(listed.stdout)["accounts"]} == {a.id for a in ACCOUNTS}
    exported = sandbox.run("export-credentials", "--profile", "keys", "--format", "json")
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["AccessKeyId"] == "AKIAIOSFODNN7EXAMPLE"
