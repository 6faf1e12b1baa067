"""--profile-template FILE: extra keys for every generated profile."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import botocore.configloader
import pytest

from conftest import Sandbox, aws_cli_v2
from plankit import build_plan
from ssogen.errors import ConfigFileError, UsageError
from ssogen.inifile.document import ConfigDocument
from ssogen.model.inventory import Account, Inventory
from ssogen.model.settings import Settings
from ssogen.planning import profile_template

URL = "https://acme.awsapps.com/start"
INV = Inventory("acme", URL, "eu-west-1", [Account("222222222222", "Dev", "", ["Admin"])])
TEMPLATE = "# for every profile\ncli_pager =\n\n; long sessions\nDuration_Seconds = 3600\n"


def test_parse_keeps_order_and_empty_values() -> None:
    assert list(profile_template.parse(TEMPLATE, "t").items()) == [
        ("cli_pager", ""), ("duration_seconds", "3600")]
    assert profile_template.parse("", "t") == {}


@pytest.mark.parametrize("text, line, words", [
    ("cli_pager =\nsso_session = x\n", 2, "sso_session is owned by ssogen"),
    ("sso_account_id = 1\n", 1, "owned by ssogen"),
    ("sso_role_name = r\n", 1, "owned by ssogen"),
    ("SSOGEN_MANAGED = false\n", 1, "owned by ssogen"),
    ("sso_start_url = https://x\n", 1, "belongs to the [sso-session]"),
    ("region = eu-west-1\n", 1, "--region"),
    ("output = json\n", 1, "--output"),
    ("role_arn = arn:aws:iam::1:role/x\n", 1, "some other way than through SSO"),
    ("aws_secret_access_key = x\n", 1, "some other way than through SSO"),
    ("# c\n[profile x]\n", 2, "no [section] headers"),
    ("s3 =\n  max_concurrent_requests = 20\n", 2, "nested values"),
    ("cli_pager\n", 1, "is not `key = value`"),
    ("my key = 1\n", 1, "not a plain config key"),
    ("a[b] = 1\n", 1, "not a plain config key"),
    ("x = a\tb\n", 1, "control character"),
    ("x = 1\nX = 2\n", 2, "set twice"),
])
def test_bad_lines_name_file_and_line(text: str, line: int, words: str) -> None:
    with pytest.raises(UsageError) as err:
        profile_template.parse(text, "keys.ini")
    assert err.value.message.startswith(f"keys.ini:{line}: ")
    assert words in err.value.message


# -- the planner ----------------------------------------------------------------------------
def plan_for(text: str, **kw: object):  # type: ignore[no-untyped-def]
    m = ConfigDocument(text.encode(), "cfg").model
    return m, build_plan(m, Settings("acme", URL, "eu-west-1", **kw), INV)  # type: ignore[arg-type]


SESSION = (f"[sso-session acme]\nsso_start_url = {URL}\nsso_region = eu-west-1\n"
           "ssogen_managed = true\n\n")


def settings_section(**keys: str) -> str:
    return "[ssogen acme]\n" + "".join(f"{k} = {v}\n" for k, v in keys.items()) + "\n"


def profile(*extra: str) -> str:
    return "\n".join(["[profile dev-admin]", "sso_session = acme", "sso_account_id = 222222222222",
                      "sso_role_name = Admin", *extra, "ssogen_managed = true", ""])


KEYS = {"cli_pager": "", "duration_seconds": "3600"}
REMEMBERED = json.dumps(KEYS)


def test_new_profiles_get_the_keys_before_the_marker_and_settings_remember_them() -> None:
    _, plan = plan_for("", profile_keys=dict(KEYS))
    keys = dict(plan.new_sections[-1].keys)
    assert list(keys)[-3:] == ["cli_pager", "duration_seconds", "ssogen_managed"]
    assert keys["cli_pager"] == "" and keys["duration_seconds"] == "3600"
    remembered = dict(plan.new_sections[1].keys)
    assert json.loads(remembered["profile_keys"]) == KEYS
    assert list(json.loads(remembered["profile_keys"])) == list(KEYS)  # template order


def test_existing_managed_profiles_lacking_keys_get_them_a_users_value_stays() -> None:
    text = SESSION + settings_section(name_template="account-role") + \
        profile("cli_pager = less")
    m, plan = plan_for(text, profile_keys=dict(KEYS))
    (edit,) = [e for e in plan.edits if m.sections[e.index].header == "profile dev-admin"]
    assert edit.set == [("duration_seconds", "3600")]  # cli_pager = less is the user's
    assert not edit.delete


def test_in_sync_and_template_changes_follow_only_untouched_values() -> None:
    text = SESSION + settings_section(name_template="account-role", profile_keys=REMEMBERED) + \
        profile("cli_pager =", "duration_seconds = 3600")
    assert plan_for(text, profile_keys=dict(KEYS))[1].empty
    # a key the user deleted from a profile is not put back
    deleted = text.replace("duration_seconds = 3600\n", "")
    assert plan_for(deleted, profile_keys=dict(KEYS))[1].empty
    # the template changes: the old value follows, a hand-edited one stays
    m, plan = plan_for(text.replace("cli_pager =\n", "cli_pager = more\n"),
                       profile_keys={"cli_pager": "less", "duration_seconds": "900"})
    (edit,) = [e for e in plan.edits if m.sections[e.index].header == "profile dev-admin"]
    assert edit.set == [("duration_seconds", "900")]
    # a key dropped from the template leaves the profiles still holding its value
    m, plan = plan_for(text, profile_keys={"cli_pager": ""})
    (edit,) = [e for e in plan.edits if m.sections[e.index].header == "profile dev-admin"]
    assert edit.delete == ["duration_seconds"] and not edit.set


def test_hand_edited_remembered_keys_are_checked() -> None:
    text = SESSION + settings_section(profile_keys='{"sso_session": "evil"}')
    with pytest.raises(ConfigFileError, match=r"profile_keys: sso_session is owned"):
        plan_for(text)


# -- through the CLI, read back by botocore and the AWS CLI --------------------------------
def setup(sandbox: Sandbox, inventory: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return sandbox.run("setup", "--yes", "--inventory", str(inventory), *extra)


def test_cli_template_written_remembered_and_read_by_aws(sandbox: Sandbox,
                                                         acme_inventory: Path,
                                                         tmp_path: Path) -> None:
    tpl = tmp_path / "keys.ini"
    tpl.write_text(TEMPLATE)
    proc = setup(sandbox, acme_inventory, "--profile-template", str(tpl), "--region",
                 "eu-west-1", "--output", "json")
    assert proc.returncode == 0, proc.stderr
    text = sandbox.config.read_text()
    assert "\ncli_pager =\nduration_seconds = 3600\nssogen_managed = true\n" in text
    assert "cli_pager = \n" not in text  # no trailing blank
    parsed = botocore.configloader.raw_config_parse(str(sandbox.config))
    profiles = botocore.configloader.build_profile_map(parsed)["profiles"]
    assert profiles["dev-administrator-access"]["cli_pager"] == ""
    assert profiles["dev-administrator-access"]["duration_seconds"] == "3600"
    # sync repeats it without the file (the keys are remembered, not the path)
    tpl.unlink()
    assert sandbox.run("sync", "--check", "--inventory", str(acme_inventory)).returncode == 0
    # a new role: its profile gets the keys from the remembered settings
    data = json.loads(acme_inventory.read_text())
    data["accounts"][1]["roles"].append("Billing")
    acme_inventory.write_text(json.dumps(data))
    assert sandbox.run("sync", "--inventory", str(acme_inventory)).returncode == 0
    assert "[profile dev-billing]\nsso_session = acme\nsso_account_id = 222222222222\n" \
        "sso_role_name = Billing\nregion = eu-west-1\noutput = json\ncli_pager =\n" \
        "duration_seconds = 3600\nssogen_managed = true\n" in sandbox.config.read_text()
    aws = aws_cli_v2()  # last: skips where Debian's AWS CLI v2 is not installed
    for key, want in (("cli_pager", ""), ("duration_seconds", "3600")):
        out = subprocess.run([aws, "configure", "get", key, "--profile", "dev-billing"],
                             capture_output=True, text=True, env=sandbox.env, timeout=60)
        assert out.returncode == 0, out.stderr  # 1 would mean: not set
        assert out.stdout.strip() == want


def test_cli_template_added_to_existing_profiles_users_value_kept(
        sandbox: Sandbox, acme_inventory: Path, tmp_path: Path) -> None:
    assert setup(sandbox, acme_inventory).returncode == 0
    text = sandbox.config.read_text()
    sandbox.config.write_text(text.replace(
        "sso_role_name = ReadOnlyAccess\n", "sso_role_name = ReadOnlyAccess\ncli_pager = less\n",
        1))
    tpl = tmp_path / "keys.ini"
    tpl.write_text("cli_pager =\n")
    proc = setup(sandbox, acme_inventory, "--profile-template", str(tpl))
    assert proc.returncode == 0, proc.stderr
    assert "updated 4" in proc.stderr  # all but the one with the user's pager
    profiles = botocore.configloader.build_profile_map(
        botocore.configloader.raw_config_parse(str(sandbox.config)))["profiles"]
    pagers = {n: p.get("cli_pager") for n, p in profiles.items() if "sso_session" in p}
    assert sorted(pagers.values()) == ["", "", "", "", "less"]
    assert sandbox.run("sync", "--check", "--inventory", str(acme_inventory)).returncode == 0
    # an empty template clears them again (only where ssogen's value is still there)
    tpl.write_text("# nothing\n")
    assert setup(sandbox, acme_inventory, "--profile-template", str(tpl)).returncode == 0
    profiles = botocore.configloader.build_profile_map(
        botocore.configloader.raw_config_parse(str(sandbox.config)))["profiles"]
    assert sorted(p.get("cli_pager", "-") for p in profiles.values() if "sso_session" in p) \
        == ["-", "-", "-", "-", "less"]
    assert "profile_keys" not in sandbox.config.read_text()


@pytest.mark.parametrize("text, line, words", [
    ("cli_pager =\nsso_role_name = x\n", 2, "sso_role_name is owned by ssogen"),
    ("[profile x]\n", 1, "no [section] headers"),
])
def test_cli_bad_template_exit_2_names_file_and_line(sandbox: Sandbox, acme_inventory: Path,
                                                     tmp_path: Path, text: str, line: int,
                                                     words: str) -> None:
    tpl = tmp_path / "keys.ini"
    tpl.write_text(text)
    proc = setup(sandbox, acme_inventory, "--profile-template", str(tpl))
    assert proc.returncode == 2
    first = proc.stderr.splitlines()[0]
    assert first.startswith(f"ssogen: error: {tpl}:{line}: ") and words in first, proc.stderr
    assert not sandbox.config.exists()
    missing = setup(sandbox, acme_inventory, "--profile-template", str(tmp_path / "nope"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
