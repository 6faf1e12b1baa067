"""The planner is pure: desired profiles + the file's sections -> Plan. No I/O here."""

from __future__ import annotations

from pathlib import Path

import pytest

from plankit import build_plan
from ssogen.errors import ConfigFileError, UsageError
from ssogen.inifile.document import ConfigDocument
from ssogen.inifile.model import FileModel, SectionInfo, classify
from ssogen.model.inventory import Account, Inventory
from ssogen.model.settings import Settings
from ssogen.planning.plan import Plan

URL = "https://acme.awsapps.com/start"


def model(text: str) -> FileModel:
    return ConfigDocument(text.encode(), "cfg").model


def inventory(**roles: list[str]) -> Inventory:
    names = {"111111111111": "Prod", "222222222222": "Dev"}
    accounts = [Account(i, names[i], "", r) for i, r in roles.items()]
    return Inventory("acme", URL, "eu-west-1", accounts)


INV = Inventory("acme", URL, "eu-west-1", [
    Account("111111111111", "Prod", "", ["Admin", "ReadOnly"]),
    Account("222222222222", "Dev", "", ["Admin"]),
])


def opts(**kw: object) -> Settings:
    return Settings("acme", URL, "eu-west-1", **kw)  # type: ignore[arg-type]


def managed(name: str, account: str, role: str, *extra: str, session: str = "acme") -> str:
    lines = [f"[profile {name}]", f"sso_session = {session}", f"sso_account_id = {account}",
             f"sso_role_name = {role}", *extra, "ssogen_managed = true", ""]
    return "\n".join(lines) + "\n"


SESSION = (f"[sso-session acme]\nsso_start_url = {URL}\nsso_region = eu-west-1\n"
           "ssogen_managed = true\n\n")


def settings_section(**keys: str) -> str:
    keys = {"name_template": "account-role", **keys}
    return "[ssogen acme]\n" + "".join(f"{k} = {v}\n" for k, v in keys.items()) + "\n"


@pytest.mark.parametrize("header, expected", [
    ("default", ("profile", "default")),
    ("profile x", ("profile", "x")),
    ("profile  x ", ("profile", "x")),
    ('profile "a b"', ("profile", "a b")),
    ("profile a b", ("profile", None)),
    ('profile "unterminated', ("profile", None)),
    ("profilegen x", ("profile", "x")),
    (" profile x", ("other", None)),
    ("Default", ("other", None)),
    ("sso-session acme", ("sso-session", "acme")),
    ("services local", ("services", "local")),
    ("ssogen acme", ("ssogen", "acme")),
    ("ssogen-notes", ("other", None)),
    ("plugins", ("other", None)),
])
def test_classify_routes_like_botocore(header: str, expected: tuple) -> None:
    assert classify(header) == expected


def test_fresh_file() -> None:
    plan = build_plan(model(""), opts(region="eu-west-1"), INV)
    assert [s.header for s in plan.new_sections] == [
        "sso-session acme", "ssogen acme", "profile dev-admin", "profile prod-admin",
        "profile prod-read-only"]
    assert plan.new_sections[2].keys == [
        ("sso_session", "acme"), ("sso_account_id", "222222222222"), ("sso_role_name", "Admin"),
        ("region", "eu-west-1"), ("ssogen_managed", "true")]
    assert plan.anchor is None and not plan.edits
    assert plan.summary() == "created 3, updated 0, adopted 0, stale 0, kept 0"


def test_in_sync_is_an_empty_plan() -> None:
    text = SESSION + settings_section() + managed("dev-admin", "222222222222", "Admin") + \
        managed("prod-admin", "111111111111", "Admin") + \
        managed("prod-read-only", "111111111111", "ReadOnly")
    plan = build_plan(model(text), opts(), INV)
    assert plan.empty and plan.kept == 3
    assert plan.summary() == "created 0, updated 0, adopted 0, stale 0, kept 3"


def test_new_profiles_go_after_the_last_section_of_the_session() -> None:
    text = SESSION + "[profile other]\nregion = x\n\n" + settings_section() + \
        managed("dev-admin", "222222222222", "Admin") + "[profile later]\nregion = y\n"
    m = model(text)
    plan = build_plan(m, opts(), INV)
    assert m.sections[plan.anchor].header == "profile dev-admin"
    assert plan.created == 2


def test_reuse_session_with_same_start_url() -> None:
    text = ("[sso-session corp]\nsso_start_url = https://ACME.awsapps.com/start/\n"
            "sso_region = eu-west-1\n")
    plan = build_plan(model(text), opts(), INV)
    assert plan.session == "corp"
    assert not any(s.header.startswith("sso-session") for s in plan.new_sections)
    assert ("sso_session", "corp") in plan.new_sections[-1].keys
    assert any("reusing [sso-session corp]" in n for n in plan.notes)
    assert plan.new_sections[0].header == "ssogen corp"


def test_session_name_taken_by_another_start_url() -> None:
    text = "[sso-session acme]\nsso_start_url = https://other.awsapps.com/start\n"
    with pytest.raises(UsageError, match=r"cfg:1: \[sso-session acme\] already points at"):
        build_plan(model(text), opts(), INV, source="cfg")


def test_region_defaults_follow_only_untouched_values() -> None:
    text = SESSION + settings_section(region="eu-west-1", output="json") + \
        managed("dev-admin", "222222222222", "Admin", "region = eu-west-1", "output = json") + \
        managed("prod-admin", "111111111111", "Admin", "region = us-west-2", "output = json") + \
        managed("prod-read-only", "111111111111", "ReadOnly", "output = text")
    m = model(text)
    plan = build_plan(m, opts(region="eu-central-1", output=None), INV)
    edits = {m.sections[e.index].header: e for e in plan.edits}
    assert edits["ssogen acme"].set == [("region", "eu-central-1")]
    assert edits["ssogen acme"].delete == ["output"]
    assert edits["profile dev-admin"].set == [("region", "eu-central-1")]
    assert edits["profile dev-admin"].delete == ["output"]  # still the old default: follows
    assert edits["profile prod-admin"].delete == ["output"]
    assert edits["profile prod-admin"].set == []  # us-west-2 was the user's choice
    assert "profile prod-read-only" not in edits  # no region (removed by hand), own output
    assert plan.updated == 2 and plan.kept == 1


def test_no_remembered_settings_means_no_default_changes() -> None:
    text = SESSION + managed("dev-admin", "222222222222", "Admin", "region = us-east-1")
    plan = build_plan(model(text), opts(region="eu-west-1"), inventory(**{
        "222222222222": ["Admin"]}))
    assert plan.kept == 1 and all(m.header.startswith("ssogen") for m in plan.new_sections)


def test_identity_keys_are_owned_and_marker_case_is_tolerated() -> None:
    text = SESSION + settings_section() + (
        "[profile dev-admin]\nsso_session = acme\nsso_account_id = 222222222222\n"
        "sso_role_name = Admin\nssogen_managed = True\n")
    plan = build_plan(model(text), opts(), inventory(**{"222222222222": ["Admin"]}))
    assert plan.empty and plan.kept == 1


def test_stale_kept_or_pruned_and_names_stay_reserved() -> None:
    text = SESSION + settings_section() + managed("dev-admin", "222222222222", "Admin") + \
        managed("prod-billing", "111111111111", "Billing")
    m = model(text)
    small = inventory(**{"222222222222": ["Admin"], "111111111111": []})
    plan = build_plan(m, opts(name_template="{{ account_name | kebab }}-billing"), Inventory(
        "acme", URL, "eu-west-1", [Account("111111111111", "Prod", "", ["Other"])]))
    assert plan.stale == 2 and plan.removed == 0
    # a stale profile keeps its name: the new one cannot take it; the holder is the same
    # account, so the role tells them apart
    assert [s.header for s in plan.new_sections] == ["profile prod-billing-Other"]
    assert any("'prod-billing' is taken by profile prod-billing" in n and "stale" in n
               for n in plan.notes), plan.notes
    # another account's profile: the account id tells them apart
    plan = build_plan(m, opts(name_template="{{ account_name | kebab }}-billing"), Inventory(
        "acme", URL, "eu-west-1", [Account("555555555555", "Prod", "", ["Other"])]))
    assert [s.header for s in plan.new_sections] == ["profile prod-billing-555555555555"]
    plan = build_plan(m, opts(), small, prune=True)
    assert plan.stale == 1 and plan.removed == 1 and plan.kept == 1
    assert [m.sections[e.index].header for e in plan.edits if e.remove] == ["profile prod-billing"]
    assert "stale 1 (removed 1)" in plan.summary()


def test_pruning_a_profile_with_keys_the_user_added_says_so() -> None:
    text = SESSION + settings_section(profile_keys='{"cli_pager": ""}') + managed(
        "prod-billing", "111111111111", "Billing", "region = x", "cli_pager =", "mfa_serial = m",
        "Credential_Process = c")
    plan = build_plan(model(text), opts(profile_keys={"cli_pager": ""}),
                      inventory(**{"111111111111": []}), prune=True)
    assert plan.removed == 1
    assert "pruned profile prod-billing had keys you added: mfa_serial, credential_process" \
        in plan.notes
    plan = build_plan(model(text), opts(), inventory(**{"111111111111": []}))  # kept: no word
    assert not any("keys you added" in n for n in plan.notes)


def test_unmanaged_names_and_other_sessions_are_never_taken() -> None:
    text = ("[default]\nregion = x\n\n[profilegen dev-admin]\nregion = y\n\n"
            + managed("prod-admin", "999999999999", "Admin", session="other"))
    plan = build_plan(model(text), opts(name_template="{{ account_name | kebab }}-admin"),
                      inventory(**{"222222222222": ["Admin"], "111111111111": ["Admin"]}))
    headers = [s.header for s in plan.new_sections if s.header.startswith("profile")]
    assert headers == ["profile dev-admin-222222222222", "profile prod-admin-111111111111"]
    # each warning says the truth about who holds the name (issue 8, finding 5)
    assert len([n for n in plan.notes if "(not managed by ssogen)" in n]) == 1
    assert len([n for n in plan.notes if "of [sso-session other] (managed by ssogen)" in n]) == 1


def test_default_section_is_never_managed() -> None:
    text = ("[default]\nsso_session = acme\nsso_account_id = 222222222222\n"
            "sso_role_name = Admin\nssogen_managed = true\n")
    plan = build_plan(model(text), opts(), inventory(**{"222222222222": ["Admin"]}))
    assert plan.created == 1 and not plan.edits


def test_adopt_only_with_consent() -> None:
    text = SESSION + "[profile mine]\nsso_session = acme\nsso_account_id = 222222222222\n" \
        "sso_role_name = Admin\nregion = ap-south-1\n"
    m = model(text)
    inv = inventory(**{"222222222222": ["Admin"]})
    plan = build_plan(m, opts(region="eu-west-1"), inv)
    assert plan.adopted == 0 and plan.created == 0
    assert any("'mine'" in n and "--adopt" in n for n in plan.notes)
    plan = build_plan(m, opts(region="eu-west-1"), inv, adopt=True)
    assert plan.adopted == 1
    (edit,) = [e for e in plan.edits if m.sections[e.index].header == "profile mine"]
    assert edit.set == [("ssogen_managed", "true")] and not edit.delete and edit.header is None


def test_rename_when_the_template_changes_and_duplicates_go_stale() -> None:
    text = SESSION + settings_section() + managed("dev-admin", "222222222222", "Admin",
                                                  "mine = 1") + \
        managed("dev-admin-copy", "222222222222", "Admin")
    m = model(text)
    plan = build_plan(m, opts(name_template="aws-cli"), inventory(**{"222222222222": ["Admin"]}))
    edits = {m.sections[e.index].header: e for e in plan.edits}
    assert edits["profile dev-admin"].header == "profile Admin-222222222222"
    assert edits["ssogen acme"].set == [("name_template", "aws-cli")]
    assert plan.updated == 1 and plan.stale == 1  # the second one for the same role


def test_a_name_the_user_gave_a_managed_profile_is_kept() -> None:
    """Renamed by hand (`[profile ro]`): neither the old nor the new generated name, so the
    user chose it -- kept (and said), while ssogen's own names still follow a template change
    made through ssogen and an account renamed in AWS."""
    text = SESSION + settings_section() + managed("ro", "111111111111", "ReadOnly") + \
        managed("prod-admin", "111111111111", "Admin") + \
        managed("old-name-admin", "222222222222", "Admin")
    m = model(text)
    plan = build_plan(m, opts(), INV)
    renames = {m.sections[e.index].header: e.header for e in plan.edits if e.header}
    assert renames == {"profile old-name-admin": "profile dev-admin"}  # account renamed
    assert plan.info == ["kept your name ro for Prod/ReadOnly (ssogen would call it "
                         "prod-read-only)"]
    assert plan.kept == 2 and plan.updated == 1 and not plan.new_sections
    # a template changed through ssogen renames its own names, never the user's
    plan = build_plan(m, opts(name_template="aws-cli"), INV)
    renames = {m.sections[e.index].header: e.header for e in plan.edits if e.header}
    assert renames == {"profile prod-admin": "profile Admin-111111111111",
                       "profile old-name-admin": "profile Admin-222222222222"}
    assert len(plan.info) == 1 and "kept your name ro" in plan.info[0]
    # the kept name is nobody else's: a generated name equal to it gets a suffix
    plan = build_plan(m, opts(name_template="{{ account_name | kebab }}"
                              "{{ '-x' if role == 'ReadOnly' else '' }}"), Inventory(
        "acme", URL, "eu-west-1", [Account("111111111111", "Prod", "", ["ReadOnly"]),
                                   Account("333333333333", "Ro", "", ["Admin"])]))
    assert [s.header for s in plan.new_sections if s.header.startswith("profile")] == [
        "profile ro-333333333333"]
    assert any("is the name you gave another profile" in n for n in plan.notes)
    assert not any(e.header for e in plan.edits)


def test_collision_suffixed_and_unremembered_names_are_ssogens() -> None:
    text = SESSION + settings_section() + managed("prod-admin-111111111111", "111111111111",
                                                  "Admin")
    plan = build_plan(model(text), opts(), inventory(**{"111111111111": ["Admin"]}))
    # ssogen's own (suffixed) name, and it keeps it although the bare name is free now: a
    # name never moves, so it can never come to mean another account/role (issue 8)
    assert not any(e.header for e in plan.edits) and plan.kept == 1
    assert not plan.info
    # no remembered settings: only the current template's names count as ssogen's
    text = SESSION + managed("mine", "111111111111", "Admin")
    plan = build_plan(model(text), opts(), inventory(**{"111111111111": ["Admin"]}))
    assert not any(e.header for e in plan.edits) and "kept your name mine" in plan.info[0]


def test_account_region_override() -> None:
    plan = build_plan(model(""), opts(region="eu-west-1",
                                      account_regions={"222222222222": "us-east-1"}), INV)
    regions = {s.header: dict(s.keys).get("region") for s in plan.new_sections}
    assert regions["profile dev-admin"] == "us-east-1"
    assert regions["profile prod-admin"] == "eu-west-1"
    assert regions["ssogen acme"] == "eu-west-1"


def test_bad_remembered_settings_name_the_line() -> None:
    text = SESSION + "[ssogen acme]\ninclude = [oops\n"
    with pytest.raises(ConfigFileError, match=r"cfg:6: \[ssogen acme\] include is not valid"):
        build_plan(model(text), opts(), INV, source="cfg")


def test_plan_counts() -> None:
    plan = Plan(session="s")
    assert plan.empty and plan.summary() == "created 0, updated 0, adopted 0, stale 0, kept 0"
    info = SectionInfo(0, "profile x", "profile", "x", {"ssogen_managed": " TRUE "})
    assert info.managed


def test_values_that_cannot_round_trip_are_refused_or_normalised() -> None:
    evil = Inventory("acme", URL, "eu-west-1",
                     [Account("111111111111", "Prod", "", ["Admin\n[profile injected]"])])
    with pytest.raises(UsageError, match="line break"):
        build_plan(model(""), opts(), evil)
    with pytest.raises(UsageError, match="cannot be written"):
        build_plan(model(""), Settings("a b", URL, "eu-west-1"), INV)
    with pytest.raises(UsageError, match="line break"):
        build_plan(model(""), opts(region="eu-west-1\nx = y"), INV)
    # surrounding spaces: written stripped, and the next run sees the file in sync
    spaced = Inventory("acme", URL, " eu-west-1 ",
                       [Account("111111111111", "Prod", "", [" Admin "])])
    plan = build_plan(model(""), opts(region=" eu-west-1 "), spaced)
    keys = dict(plan.new_sections[-1].keys)
    assert keys["sso_role_name"] == "Admin" and keys["region"] == "eu-west-1"
    from ssogen.inifile.document import ConfigDocument as Doc

    d = Doc(b"")
    d.apply(plan)
    again = build_plan(Doc(d.encode()).model, opts(region=" eu-west-1 "), spaced)
    assert again.empty and again.kept == 1


def test_reused_session_with_a_quoted_name_is_refused() -> None:
    text = f'[sso-session "my corp"]\nsso_start_url = {URL}\nsso_region = eu-west-1\n'
    with pytest.raises(UsageError, match="'my corp' cannot be written"):
        build_plan(model(text), opts(), INV)


# -- legacy profiles -> [sso-session] (issue 4) ---------------------------------------------
LEGACY = ("# my old admin profile\n"
          "[profile old-admin]\n"
          "# from the portal\n"
          "sso_start_url = {url}\n"
          "sso_region = {region}\n"
          "sso_account_id = 111111111111\n"
          "sso_role_name = Admin\n"
          "region = us-east-1 # tokyo?\n")


def legacy(url: str = URL, region: str = "eu-west-1", name: str = "old-admin") -> str:
    return LEGACY.format(url=url, region=region).replace("old-admin", name)


def test_legacy_profiles_are_reported_not_migrated_without_consent() -> None:
    m = model(SESSION + legacy())
    plan = build_plan(m, opts(), INV)
    assert plan.migrated == 0
    assert not any(e.replace for e in plan.edits)
    assert any("(old-admin) are left as they are" in n and "--migrate-legacy" in n
               for n in plan.notes)
    assert plan.created == 3  # not the session's yet: nothing in its way


def test_migrate_replaces_start_url_in_place_and_drops_region() -> None:
    m = model(SESSION + legacy())
    plan = build_plan(m, opts(), INV, migrate=True)
    (edit,) = [e for e in plan.edits if m.sections[e.index].header == "profile old-admin"]
    assert edit.replace == [("sso_start_url", "sso_session", "acme")]
    assert edit.delete == ["sso_region"] and edit.set == [] and edit.header is None
    assert plan.migrated == 1 and plan.summary().endswith(", migrated 1")
    assert [(p.name, p.account_id, p.role) for p in plan.profiles if p.action == "migrate"] == [
        ("old-admin", "111111111111", "Admin")]
    # it now points at the session's account/role: no managed duplicate, not adopted
    assert plan.created == 2 and plan.adopted == 0
    assert "profile prod-admin" not in [s.header for s in plan.new_sections]
    note = next(n for n in plan.notes if n.startswith("legacy profile(s) old-admin move to"))
    import hashlib

    assert hashlib.sha1(b"acme").hexdigest() in note and "ssogen login --session acme" in note


def test_migrate_to_a_new_session_and_with_adopt() -> None:
    m = model(legacy())
    plan = build_plan(m, opts(), INV, migrate=True, adopt=True)
    assert plan.migrated == 1 and plan.adopted == 0  # the migrated profile stays the user's
    assert plan.new_sections[0].header == "sso-session acme"


@pytest.mark.parametrize("url, ok", [
    (URL, True),
    (URL + "/", True),
    (URL + "#/", True),
    (URL + "/#/", True),
    ("  " + URL + "  ", True),
    ("https://ACME.awsapps.com/start", False),  # same_start_url would say yes: not here
    ("https://acme.awsapps.com/start/other", False),
    ("https://other.awsapps.com/start", False),
])
def test_migrate_only_the_sessions_start_url(url: str, ok: bool) -> None:
    m = model(SESSION + legacy(url=url))
    plan = build_plan(m, opts(), INV, migrate=True)
    assert plan.migrated == (1 if ok else 0)
    if not ok and "ACME" in url:
        assert any("not spelled like the session's" in n for n in plan.notes)


def test_migrate_skips_other_region_marked_and_session_profiles() -> None:
    text = (SESSION + legacy(region="us-east-1") + "\n"
            + legacy(name="marked") + "ssogen_managed = true\n\n"
            + "[profile both]\nsso_session = acme\nsso_start_url = " + URL
            + "\nsso_region = eu-west-1\nsso_account_id = 222222222222\nsso_role_name = Admin\n")
    plan = build_plan(model(text), opts(), INV, migrate=True)
    assert plan.migrated == 0
    assert any("sso_region us-east-1 differs" in n for n in plan.notes)


def test_migrated_profile_is_hand_written_afterwards() -> None:
    """After the migration is applied, the next plan is empty: idempotent."""
    from ssogen.inifile.document import ConfigDocument as Doc

    d = Doc((SESSION + legacy()).encode())
    plan = build_plan(d.model, opts(), INV, migrate=True)
    d.apply(plan)
    again = Doc(d.encode())
    for migrate in (False, True):
        plan2 = build_plan(again.model, opts(), INV, migrate=migrate)
        assert plan2.empty and plan2.migrated == 0 and plan2.kept == 2


def test_account_region_globs_on_name_and_id() -> None:
    """``account_regions`` keys are an account id (wins) or case-insensitive globs on the id
    or the name, the first matching glob winning."""
    inv = Inventory("acme", URL, "eu-west-1", [
        Account("111111111111", "Prod", "", ["Admin"]),
        Account("222222222222", "Dev", "", ["Admin"]),
        Account("333333333333", "prod-eu", "", ["Admin"]),
    ])
    settings = opts(region="eu-west-1", account_regions={
        "PROD*": "us-east-1", "3333*": "ap-south-1", "333333333333": "eu-central-1"})
    plan = build_plan(model(""), settings, inv)
    regions = {s.header: dict(s.keys).get("region") for s in plan.new_sections}
    assert regions["profile prod-admin"] == "us-east-1"  # glob on the name, any case
    assert regions["profile prod-eu-admin"] == "eu-central-1"  # the exact id wins
    assert regions["profile dev-admin"] == "eu-west-1"  # the default
    assert 'account_regions = {"PROD*": "us-east-1", "3333*": "ap-south-1", ' \
        '"333333333333": "eu-central-1"}' in "".join(
            f"{k} = {v}\n" for s in plan.new_sections if s.header == "ssogen acme"
            for k, v in s.keys)  # remembered in the order given


def test_account_region_change_follows_the_old_default_but_keeps_hand_edits() -> None:
    """A per-account region set later through ssogen reaches a profile still holding the
    remembered region; a region edited by hand stays (the ownership rule)."""
    text = SESSION + settings_section(region="eu-west-1") + \
        managed("dev-admin", "222222222222", "Admin", "region = eu-west-1") + \
        managed("prod-admin", "111111111111", "Admin", "region = sa-east-1") + \
        managed("prod-read-only", "111111111111", "ReadOnly", "region = eu-west-1")
    m = model(text)
    plan = build_plan(m, opts(region="eu-west-1", account_regions={"prod": "us-east-2"}), INV)
    edits = {m.sections[e.index].header: e for e in plan.edits}
    assert edits["profile prod-read-only"].set == [("region", "us-east-2")]  # followed
    assert "profile prod-admin" not in edits  # sa-east-1 was edited by hand: kept
    assert "profile dev-admin" not in edits  # not matched: the default, unchanged
    # and the other way: the per-account region removed again, the hand edit still stays
    text2 = SESSION + settings_section(region="eu-west-1",
                                       account_regions='{"prod": "us-east-2"}') + \
        managed("prod-admin", "111111111111", "Admin", "region = sa-east-1") + \
        managed("prod-read-only", "111111111111", "ReadOnly", "region = us-east-2")
    m2 = model(text2)
    plan2 = build_plan(m2, opts(region="eu-west-1"), INV)
    edits2 = {m2.sections[e.index].header: e for e in plan2.edits}
    assert edits2["profile prod-read-only"].set == [("region", "eu-west-1")]
    assert "profile prod-admin" not in edits2


def _owned_update_as_first_written(options, new, old, identity):  # type: ignore[no-untyped-def]
    """owned_update as it was before its fast path (the reference)."""
    from ssogen.model.settings import MARKER

    to_set, to_delete, old_values = [], [], None
    for key, value in new:
        current = options.get(key)
        if key in identity:
            if value is None:
                continue
            if key == MARKER:
                if (current or "").strip().lower() != value.lower():
                    to_set.append((key, value))
            elif current != value:
                to_set.append((key, value))
            continue
        if current == value or old is None:
            continue
        if old_values is None:
            old_values = dict(old())
        if current == old_values.get(key):
            if value is None:
                to_delete.append(key)
            else:
                to_set.append((key, value))
    return to_set, to_delete


def test_owned_update_answers_like_its_first_form_for_every_value() -> None:
    """Every combination of current, new and previous values (absent, empty, case and spaces
    of the marker) for identity, marker and followed keys: the same keys set and deleted."""
    import itertools

    from ssogen.model.settings import MARKER
    from ssogen.planning.ownership import PROFILE_IDENTITY, owned_update

    values = [None, "", "true", "TRUE", " true ", "x", " x"]
    for key in (MARKER, "sso_account_id", "region"):
        for current, value, previous in itertools.product(values, repeat=3):
            options = {} if current is None else {key: current}
            new = [(key, value)]
            block = [(key, previous)]
            for old in (None, block.copy):
                assert owned_update(options, new, old, PROFILE_IDENTITY) == \
                    _owned_update_as_first_written(options, new, old, PROFILE_IDENTITY), \
                    (key, current, value, previous, old is None)


def test_check_prints_the_diff_as_made_and_exactly_the_diff(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--check`` prints the diff hunk by hunk while it is made (not built whole first), and
    what it prints on stdout is the very diff the result gives (``--json``'s); the summary
    goes to stderr."""
    from ssogen.app.generate import generate
    from ssogen.ui.render import report

    cfg = tmp_path / "config"
    cfg.write_text(SESSION + managed("prod-admin", "111111111111", "Admin")
                   + managed("gone", "333333333333", "Admin"))
    result = generate(cfg, opts(), INV, mode="check", prune=True)
    made: list[str] = []
    chunks = result.diff_chunks

    def watched() -> object:
        for chunk in chunks():
            made.append(chunk)
            yield chunk
    result.diff_chunks = watched  # type: ignore[method-assign]
    assert report([result], "check") == 1
    printed = capsys.readouterr()
    assert len(made) >= 2 and made[0].startswith("--- ")  # the header, then each hunk
    assert printed.out == "".join(made) == result.diff  # stdout: the diff, nothing else
    assert "ssogen: acme: " in printed.err and "out of date" in printed.err
    assert "-[profile gone]\n" in result.diff and "+[profile prod-read-only]\n" in result.diff


@pytest.mark.parametrize("mode", ["check", "dry-run"])
def test_a_run_that_does_not_write_never_encodes_the_new_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str) -> None:
    """``--check``/``--dry-run`` tell a change by the texts (a BOM alone is one), and never
    hold the new file encoded beside its text; a write encodes it once."""
    from ssogen.app.generate import generate
    from ssogen.inifile.document import ConfigDocument

    cfg = tmp_path / "config"
    text = SESSION + managed("prod-admin", "111111111111", "Admin")
    calls: list[int] = []
    encode = ConfigDocument.encode

    def counted(self: ConfigDocument) -> bytes:
        calls.append(1)
        return encode(self)
    monkeypatch.setattr(ConfigDocument, "encode", counted)
    for raw, changes in ((text, True), ("\ufeff" + text, True)):
        cfg.write_text(raw)
        assert generate(cfg, opts(), INV, mode=mode).changed is changes  # type: ignore[arg-type]
    cfg.write_text(text)
    assert generate(cfg, opts(), INV, mode="write").changed
    assert not generate(cfg, opts(), INV, mode=mode).changed  # type: ignore[arg-type]
    assert len(calls) == 1  # the write's
