"""Chained profiles in the pure planner (:mod:`ssogen.planning.chains`): what is written, and
every ownership, stability and prune rule of the SSO profiles, on text, no I/O."""

from __future__ import annotations

import configparser

import pytest

from plankit import build_plan
from ssogen.errors import UsageError
from ssogen.inifile.document import ConfigDocument
from ssogen.model import chain
from ssogen.model.inventory import Account, Inventory
from ssogen.model.settings import Settings
from ssogen.planning.plan import Plan

URL = "https://acme.awsapps.com/start"
ORG_ARN = "arn:aws:iam::{{ account_id }}:role/OrganizationAccountAccessRole"
DEPLOY = "arn:aws:iam::999999999999:role/ci/Deploy"


def inv(*accounts: tuple[str, str, list[str]]) -> Inventory:
    return Inventory("acme", URL, "eu-west-1", [Account(i, n, "", r) for i, n, r in accounts])


PROD = ("111111111111", "Prod", ["Admin", "ReadOnly"])
DEV = ("222222222222", "Dev", ["Admin"])
INV = inv(PROD, DEV)


def opts(*specs: str, **kw: object) -> Settings:
    return Settings("acme", URL, "eu-west-1", region="eu-west-1", output="json",
                    chains=[chain.parse(s) for s in specs], **kw)  # type: ignore[arg-type]


def run(text: str, settings: Settings, inventory: Inventory = INV, **kw: bool,
        ) -> tuple[str, Plan]:
    doc = ConfigDocument(text.encode(), "cfg")
    plan = build_plan(doc.model, settings, inventory, **kw)
    doc.apply(plan)
    new = doc.encode().decode()
    assert_sources_exist(new)
    return new, plan


def parsed(text: str) -> dict[str, dict[str, str]]:
    cp = configparser.RawConfigParser(strict=True)
    cp.read_string(text)
    return {s[len("profile "):]: dict(cp[s]) for s in cp.sections() if s.startswith("profile ")}


def assert_sources_exist(text: str) -> None:
    """Never a chained profile whose source_profile the file does not have."""
    profiles = parsed(text)
    for name, keys in profiles.items():
        if "source_profile" in keys:
            assert keys["source_profile"] in profiles, (name, keys)


def chains(text: str) -> dict[str, tuple[str, str]]:
    return {n: (k["source_profile"], k["role_arn"]) for n, k in parsed(text).items()
            if "role_arn" in k}


def test_one_chained_profile_per_matching_source() -> None:
    text, plan = run("", opts(f"*-admin={ORG_ARN};duration_seconds=900"))
    assert chains(text) == {
        "dev-admin-to-organization-account-access-role": (
            "dev-admin", "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole"),
        "prod-admin-to-organization-account-access-role": (
            "prod-admin", "arn:aws:iam::111111111111:role/OrganizationAccountAccessRole")}
    assert parsed(text)["dev-admin-to-organization-account-access-role"] == {
        "source_profile": "dev-admin",
        "role_arn": "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole",
        "duration_seconds": "900", "sso_session": "acme", "region": "eu-west-1",
        "output": "json", "ssogen_managed": "true"}
    assert plan.summary() == "created 5, updated 0, adopted 0, stale 0, kept 0"
    created = plan.changes()["created"]
    entry = next(p for p in created if p.name.startswith("dev-admin-to"))
    assert (entry.source_profile, entry.account_id, entry.role) == (
        "dev-admin", "222222222222", "OrganizationAccountAccessRole")
    # the chains come after the SSO profiles of the session
    assert text.index("[profile prod-read-only]") < text.index("[profile dev-admin-to-")
    again, plan = run(text, opts(f"*-admin={ORG_ARN};duration_seconds=900"))
    assert again == text and plan.empty and plan.kept == 5


def test_templates_options_and_case_insensitive_globs() -> None:
    spec = (f"PROD-*={DEPLOY}:{{{{ account_name | lower }}}}-{{{{ role | lower }}}}-"
            "{{ target_role | lower }}@{{ target_account_id }};role_session_name=ci")
    text, _ = run("", opts(spec))
    assert chains(text) == {"prod-admin-deploy@999999999999": ("prod-admin", DEPLOY),
                            "prod-readonly-deploy@999999999999": ("prod-read-only", DEPLOY)}
    assert parsed(text)["prod-admin-deploy@999999999999"]["role_session_name"] == "ci"


def test_a_chain_name_never_takes_an_sso_or_a_hand_written_name() -> None:
    mine = "[profile prod-admin-to-deploy]\nregion = us-east-1\n\n"
    text, plan = run(mine, opts(f"prod-admin={DEPLOY}", "dev-admin=" + DEPLOY + ":prod-admin"))
    assert chains(text) == {"prod-admin-to-deploy-999999999999": ("prod-admin", DEPLOY),
                            "prod-admin-999999999999": ("dev-admin", DEPLOY)}
    assert any("'prod-admin-to-deploy' is taken by your profile prod-admin-to-deploy" in n
               for n in plan.notes)
    assert any("'prod-admin' is taken by the SSO profile prod-admin" in n for n in plan.notes)
    # and an SSO profile never takes a chain's name later
    bigger = inv(PROD, DEV, ("333333333333", "Prod-Admin-To", ["Deploy"]))
    text2, _ = run(text, opts(f"prod-admin={DEPLOY}", "dev-admin=" + DEPLOY + ":prod-admin"),
                   bigger)
    assert "prod-admin-to-deploy-999999999999" in chains(text2)
    assert parsed(text2)["prod-admin-to-deploy-333333333333"]["sso_account_id"] == \
        "333333333333"


def test_a_fixed_name_for_several_sources_is_told_apart_by_the_source() -> None:
    text, _ = run("", opts(f"*={DEPLOY}:deploy"))
    # the first by source account id and role gets the name, as for SSO profiles
    assert chains(text) == {"deploy": ("prod-admin", DEPLOY),
                            "deploy-prod-read-only": ("prod-read-only", DEPLOY),
                            "deploy-dev-admin": ("dev-admin", DEPLOY)}
    assert run(text, opts(f"*={DEPLOY}:deploy"))[1].empty


def test_renamed_source_the_chain_follows() -> None:
    spec = f"prod-*={ORG_ARN}"
    text, _ = run("", opts(spec))
    renamed = inv(("111111111111", "Production", ["Admin", "ReadOnly"]), DEV)
    text, plan = run(text, opts("production-*=" + ORG_ARN), renamed)
    got = chains(text)
    assert got["production-admin-to-organization-account-access-role"][0] == "production-admin"
    assert "prod-admin-to-organization-account-access-role" not in got
    renames = {p.old_name: p.name for p in plan.changes()["renamed"]}
    assert renames["prod-admin-to-organization-account-access-role"] == \
        "production-admin-to-organization-account-access-role"
    assert renames["prod-admin"] == "production-admin"


def test_a_name_the_user_gave_a_chain_is_kept_and_source_profile_still_follows() -> None:
    spec = f"prod-admin={DEPLOY}"
    text, _ = run("", opts(spec))
    text = text.replace("[profile prod-admin-to-deploy]", "[profile deployer]")
    text, plan = run(text, opts(spec))
    assert chains(text) == {"deployer": ("prod-admin", DEPLOY)} and plan.empty
    assert any("kept your name deployer" in i for i in plan.info)
    # the SSO source renamed (a template changed through ssogen): the name stays, the
    # source_profile follows
    text, plan = run(text, opts(f"Admin-111111111111={DEPLOY}", name_template="aws-cli"))
    assert chains(text) == {"deployer": ("Admin-111111111111", DEPLOY)}
    assert plan.changes()["updated"][-1].name == "deployer"


def test_hand_edits_stay_defaults_follow_owned_keys_come_back() -> None:
    spec = f"prod-admin={DEPLOY};duration_seconds=900"
    text, _ = run("", opts(spec))
    edited = text.replace("sso_session = acme\nregion = eu-west-1\noutput = json\n"
                          "ssogen_managed = true\n", "sso_session = acme\nregion = us-east-2\n"
                          "output = json\nssogen_managed = true\ncli_pager =\n")
    assert edited.count("region = us-east-2") == 1
    assert edited != text
    # the user's region and key stay; a spec change of a key nobody touched follows
    out, plan = run(edited, opts(f"prod-admin={DEPLOY};duration_seconds=1800"))
    keys = parsed(out)["prod-admin-to-deploy"]
    assert (keys["duration_seconds"], keys["region"], keys["cli_pager"]) == (
        "1800", "us-east-2", "")
    assert [p.name for p in plan.changes()["updated"]] == ["prod-admin-to-deploy"]
    # a duration edited by hand stays when the spec changes
    mine = out.replace("duration_seconds = 1800", "duration_seconds = 1200")
    out2, _ = run(mine, opts(f"prod-admin={DEPLOY};duration_seconds=3600"))
    assert parsed(out2)["prod-admin-to-deploy"]["duration_seconds"] == "1200"
    # dropping the option removes the value ssogen wrote
    out3, _ = run(out, opts(f"prod-admin={DEPLOY}"))
    assert "duration_seconds" not in parsed(out3)["prod-admin-to-deploy"]
    # another role_arn is another chain: the edited one goes stale, the wanted one is new
    other = out3.replace(f"role_arn = {DEPLOY}", "role_arn = arn:aws:iam::999999999999:role/X")
    out4, plan = run(other, opts(f"prod-admin={DEPLOY}"))
    assert [p.name for p in plan.changes()["stale"]] == ["prod-admin-to-deploy"]
    assert chains(out4)["prod-admin-to-deploy-999999999999"] == ("prod-admin", DEPLOY)


def test_source_gone_chain_stale_then_pruned_with_it() -> None:
    spec = f"*-admin={ORG_ARN}"
    text, _ = run("", opts(spec))
    only_prod = inv(PROD)
    kept, plan = run(text, opts(spec), only_prod)
    stale = {p.name: p for p in plan.changes()["stale"]}
    assert set(stale) == {"dev-admin", "dev-admin-to-organization-account-access-role"}
    assert stale["dev-admin-to-organization-account-access-role"].source_profile == "dev-admin"
    assert "dev-admin-to-organization-account-access-role" in chains(kept)
    pruned, plan = run(kept, opts(spec), only_prod, prune=True)
    assert {p.name for p in plan.changes()["removed"]} == set(stale)
    assert set(chains(pruned)) == {"prod-admin-to-organization-account-access-role"}
    # in one go too (never a chain left pointing at a pruned profile)
    at_once, _ = run(text, opts(spec), only_prod, prune=True)
    assert at_once == pruned


def test_a_forgotten_spec_leaves_stale_chains() -> None:
    text, _ = run("", opts(f"prod-admin={DEPLOY}"))
    kept, plan = run(text, opts())
    assert [p.name for p in plan.changes()["stale"]] == ["prod-admin-to-deploy"]
    assert "chains" not in kept.split("[ssogen acme]")[1].split("[profile")[0]
    gone, plan = run(kept, opts(), prune=True)
    assert chains(gone) == {} and plan.removed == 1


def test_a_stale_chain_follows_its_renamed_source() -> None:
    """The spec no longer matches the renamed source: the chain is stale, yet it must not
    point at a name the file no longer has."""
    text, _ = run("", opts(f"prod-admin={DEPLOY}"))
    renamed = inv(("111111111111", "Production", ["Admin", "ReadOnly"]), DEV)
    text, plan = run(text, opts(f"prod-admin={DEPLOY}"), renamed)
    assert chains(text) == {"prod-admin-to-deploy": ("production-admin", DEPLOY)}
    assert [p.name for p in plan.changes()["stale"]] == ["prod-admin-to-deploy"]
    assert any("--chain 'prod-admin=" in n and "matches no generated profile" in n
               for n in plan.notes)


def test_hand_written_look_alike_is_not_duplicated_and_adopted_with_consent() -> None:
    text, _ = run("", opts())
    mine = text + f"\n[profile my-deploy]\nsource_profile = prod-admin\nrole_arn = {DEPLOY}\n"
    out, plan = run(mine, opts(f"prod-admin={DEPLOY}"))
    assert chains(out) == {"my-deploy": ("prod-admin", DEPLOY)}
    assert any("'my-deploy'" in n and "--adopt" in n for n in plan.notes)
    out, plan = run(mine, opts(f"prod-admin={DEPLOY}"), adopt=True)
    assert parsed(out)["my-deploy"]["ssogen_managed"] == "true"
    assert [p.name for p in plan.changes()["adopted"]] == ["my-deploy"]
    assert run(out, opts(f"prod-admin={DEPLOY}"))[1].empty


def test_a_user_chain_on_a_renamed_source_is_said() -> None:
    text, _ = run("", opts())
    mine = text + f"\n[profile mine]\nsource_profile = prod-admin\nrole_arn = {DEPLOY}\n"
    renamed = inv(("111111111111", "Production", ["Admin", "ReadOnly"]), DEV)
    plan = build_plan(ConfigDocument(mine.encode(), "cfg").model, opts(), renamed)
    assert any("your profile 'mine' (config:" in n and "has source_profile = prod-admin, and "
               "this run renames it to production-admin" in n for n in plan.notes)


def test_rendered_role_arns_are_checked_with_the_partition() -> None:
    with pytest.raises(UsageError) as exc:
        run("", opts("prod-admin=arn:aws:iam::{{ account_id }}:role/{{ account_name ~ ' x' }}"))
    assert str(exc.value).startswith('--chain "prod-admin=arn:aws:iam::{{ account_id }}:role/')
    assert "for profile prod-admin the role ARN 'arn:aws:iam::111111111111:role/Prod x'" \
        in str(exc.value)
    with pytest.raises(UsageError) as exc:
        run("", opts("prod-admin=arn:aws-cn:iam::111111111111:role/R"))
    assert "is in partition aws-cn, the session in aws" in str(exc.value)
    with pytest.raises(UsageError) as exc:
        run("", opts("prod-admin=arn:aws:iam::{{ target_role }}:role/R"))
    assert "the role ARN failed" in str(exc.value) and "target_role" in str(exc.value)


def test_orphans_are_reported_once_by_the_first_session() -> None:
    text, _ = run("", opts(f"prod-admin={DEPLOY}"))
    orphan = text.replace("source_profile = prod-admin", "source_profile = gone")
    doc = ConfigDocument(orphan.encode(), "cfg")
    plan = build_plan(doc.model, opts(f"prod-admin={DEPLOY}"), INV)
    assert [(p.name, p.source_profile) for p in plan.changes()["stale"]] == [
        ("prod-admin-to-deploy", "gone")]
    # the name stays the orphan's: the wanted chain gets another one
    assert [p.name for p in plan.changes()["created"]] == ["prod-admin-to-deploy-999999999999"]
    zeta_url = "https://zeta.awsapps.com/start"
    zeta = build_plan(doc.model, Settings("zeta", zeta_url, "eu-west-1"),
                      Inventory("zeta", zeta_url, "eu-west-1", []))
    assert zeta.changes()["stale"] == []  # acme, the first session, answers for it


def test_a_template_changed_through_ssogen_renames_and_says_so() -> None:
    text, _ = run("", opts(f"prod-admin={DEPLOY}"))
    out, plan = run(text, opts(f"prod-admin={DEPLOY}:{{{{ source }}}}.deploy"))
    assert chains(out) == {"prod-admin.deploy": ("prod-admin", DEPLOY)}
    assert [(p.old_name, p.name) for p in plan.changes()["renamed"]] == [
        ("prod-admin-to-deploy", "prod-admin.deploy")]
    assert run(out, opts(f"prod-admin={DEPLOY}:{{{{ source }}}}.deploy"))[1].empty


def test_profile_template_keys_but_never_assume_role_ones() -> None:
    keys = {"cli_pager": "", "duration_seconds": "43200", "mfa_serial": "arn:aws:iam::1:mfa/x"}
    text, _ = run("", opts(f"prod-admin={DEPLOY}", profile_keys=keys))
    chained = parsed(text)["prod-admin-to-deploy"]
    assert chained["cli_pager"] == "" and "duration_seconds" not in chained
    assert "mfa_serial" not in chained
    assert parsed(text)["prod-admin"]["duration_seconds"] == "43200"  # SSO profiles: as before
