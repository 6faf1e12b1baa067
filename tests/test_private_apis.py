"""The private APIs of other projects that ssogen relies on (docs/ARCHITECTURE.md lists them),
each pinned by a test that fails the day an upgrade changes it, and the promise that
configupdater is only imported when a section's keys change."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import botocore.session
from configupdater import ConfigUpdater
from configupdater.block import Comment, Space
from configupdater.option import Option
from configupdater.section import Section

from ssogen.aws.clients import botocore_session
from ssogen.inifile import section_edit
from ssogen.inifile.scan import scan


def test_configupdater_block_add_line_and_lines() -> None:
    updater = ConfigUpdater()
    comment = Comment(container=updater)
    comment.add_line("# one\n")
    comment.add_line("; two\n")
    assert comment.lines == ["# one\n", "; two\n"]
    assert str(comment) == "# one\n; two\n"
    space = Space(container=updater)
    space.add_line("\n")
    assert str(space) == "\n"


def test_configupdater_section_structure_is_the_mutable_list_it_renders() -> None:
    updater = ConfigUpdater()
    updater.read_string("[profile a]\nregion = x\n# note\noutput = json\n\n")
    section = updater["profile a"]
    kinds = [type(b) for b in section.structure]
    assert kinds == [Option, Comment, Option, Space]
    section.structure.pop(1)  # splicing the list is what str() renders
    assert str(section) == "[profile a]\nregion = x\noutput = json\n\n"
    assert isinstance(section, Section)


def test_section_edit_round_trips_and_edits_through_those_apis() -> None:
    chunk = "[profile a] ; note\nregion=x\n  # mine\noutput = json\n# heading of the next\n"
    section = section_edit.parse_section(chunk, "config", 1, "profile a")
    assert str(section) == chunk
    assert section_edit.pop_heading(section) == "# heading of the next\n"
    section_edit.edit_options(section, [("region", "y"), ("cli_pager", "")], ["output"])
    assert str(section) == "[profile a] ; note\nregion=y\n  # mine\ncli_pager=\n"


def test_botocore_session_config_is_what_full_config_returns(tmp_path: Path,
                                                           monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "missing"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "missing-too"))
    text = "[profile p]\nregion = eu-west-1\ns3 =\n  addressing_style = path\n"
    session = botocore_session(scan(text, "config").model)
    assert isinstance(session, botocore.session.Session)
    assert session.full_config["profiles"]["p"] == {
        "region": "eu-west-1", "s3": {"addressing_style": "path"}}
    session.set_config_variable("profile", "p")
    assert session.get_config_variable("region") == "eu-west-1"
    # and it is the attribute botocore itself fills from the file
    fresh = botocore.session.Session()
    assert fresh._config is None
    fresh.full_config  # noqa: B018 - loads the file
    assert isinstance(fresh._config, dict)


_RUN = """
import json, sys
from pathlib import Path
from ssogen.app.generate import generate
from ssogen.model.inventory import Inventory
from ssogen.model.settings import Settings
path = Path(sys.argv[1]); inventory = Inventory.from_json(Path(sys.argv[2]).read_text())
settings = Settings(session="acme", start_url=inventory.start_url, sso_region="eu-west-1",
                    region=sys.argv[4] or None)
generate(path, settings, inventory, prune=True, mode=sys.argv[3])
print(json.dumps("configupdater" in sys.modules))
"""


def _inventory(accounts: list[tuple[str, str, list[str]]]) -> str:
    return json.dumps({
        "session": "acme", "start_url": "https://acme.awsapps.com/start",
        "sso_region": "eu-west-1",
        "accounts": [{"id": i, "name": n, "roles": r} for i, n, r in accounts]})


def _imports_configupdater(config: Path, inventory: str, mode: str, region: str = "") -> bool:
    inv = config.with_name("inventory.json")
    inv.write_text(inventory)
    proc = subprocess.run([sys.executable, "-c", _RUN, str(config), str(inv), mode,
                           region],
                          capture_output=True, text=True, check=True)
    return bool(json.loads(proc.stdout))


def test_configupdater_is_imported_only_when_keys_change(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text("# mine\n[default]\nregion = us-east-1\n")
    two = _inventory([("111111111111", "Prod", ["Admin", "ReadOnly"])])
    # first run: new sections only
    assert not _imports_configupdater(config, two, "write")
    assert "[profile prod-admin]" in config.read_text()
    # nothing to change, checked and written
    assert not _imports_configupdater(config, two, "check")
    assert not _imports_configupdater(config, two, "write")
    # a renamed account renames profiles (header only); a dropped role is pruned
    renamed = _inventory([("111111111111", "Production", ["Admin"])])
    before = config.read_text()
    assert not _imports_configupdater(config, renamed, "write")
    assert config.read_text() != before and "[profile prod-admin]" not in config.read_text()
    # a region for every profile changes keys: that needs configupdater
    assert _imports_configupdater(config, renamed, "write", region="eu-west-1")
    assert "region = eu-west-1" in config.read_text().split("[profile production-admin]")[1]


def test_configupdater_section_renders_each_block_with_str() -> None:
    """section_edit._Line overrides Option.__str__: the section must render through it."""
    section = section_edit.parse_section("[profile a]\nregion = x\n", "config", 1, "profile a")
    line = section_edit._Line("output", "json", "output=json   \n", section)
    section.structure.append(line)
    assert str(section) == "[profile a]\nregion = x\noutput=json   \n"


def test_botocore_config_file_provider_reads_through_its_config_parser(tmp_path: Path,
                                                                        monkeypatch,
                                                                        ) -> None:  # type: ignore[no-untyped-def]
    """aws.clients.feed_credential_chain hands the snapshot to botocore's config-file
    provider through ``_config_parser``: the provider must exist under that name and read
    only through it (the file named here does not exist)."""
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "missing"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "missing-too"))
    text = ("[profile keys]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n")
    from ssogen.aws.clients import feed_credential_chain

    session = botocore_session(scan(text, "config").model)
    session.set_config_variable("profile", "keys")
    provider = session.get_component("credential_provider").get_provider("config-file")
    assert hasattr(provider, "_config_parser")
    feed_credential_chain(session, scan(text, "config").model)
    creds = session.get_credentials()
    assert creds is not None and creds.method == "config-file"
    assert creds.access_key == "AKIAIOSFODNN7EXAMPLE"


def test_the_fed_credential_chain_calls_sts_in_the_region_given(tmp_path: Path,
                                                                 monkeypatch,
                                                                 ) -> None:  # type: ignore[no-untyped-def]
    """botocore builds its chain with the region of the first client it creates; the chain
    ssogen builds to hand it the snapshot must use the region the admin clients use, or an
    assume-role admin profile without a region would call the global STS endpoint."""
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "missing"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "missing-too"))
    from ssogen.aws.clients import feed_credential_chain

    text = ("[profile base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n\n"
            "[profile mgmt]\nrole_arn = arn:aws:iam::111111111111:role/Admin\n"
            "source_profile = base\n")
    model = scan(text, "config").model
    session = botocore_session(model)
    session.set_config_variable("profile", "mgmt")
    feed_credential_chain(session, model, region="me-south-1")
    seen: list[object] = []
    monkeypatch.setattr(session, "create_client",
                        lambda *a, **kw: seen.append(kw.get("region_name")) or object())
    provider = session.get_component("credential_provider").get_provider("assume-role")
    provider._client_creator("sts")  # botocore private API: how the provider makes its client
    assert seen == ["me-south-1"]
