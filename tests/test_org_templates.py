"""The admin-side inventory fields (``ou_path``, ``tags``) and the template variables made of
them (``ou_path``, ``ou``, ``tags``); the hint for a misspelt variable or filter."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssogen.errors import InventoryError, UsageError
from ssogen.model.inventory import Account, Inventory
from ssogen.model.settings import Settings
from ssogen.planning import name_jinja, name_templates, naming

PER_USER = {
    "session": "acme", "start_url": "https://acme.awsapps.com/start", "sso_region": "eu-west-1",
    "generated_at": "2026-11-26T14:00:00Z",
    "accounts": [{"id": "111111111111", "name": "Prod", "email": "p@x",
                  "roles": ["AdministratorAccess", "ReadOnlyAccess"]}],
}


def opts(**kw: object) -> Settings:
    base: dict[str, object] = {"session": "acme", "start_url": "https://acme.awsapps.com/start",
                               "sso_region": "eu-west-1"}
    base.update(kw)
    return Settings(**base)  # type: ignore[arg-type]


# -- the inventory -------------------------------------------------------------------------
def test_per_user_inventory_is_written_byte_for_byte_as_before() -> None:
    text = json.dumps(PER_USER, indent=2, ensure_ascii=False) + "\n"
    inv = Inventory.from_json(text)
    assert inv.accounts[0].ou_path is None and inv.accounts[0].tags is None
    assert inv.to_json() == text  # no new key appears when the admin side is not involved


def test_admin_fields_round_trip_sorted() -> None:
    data = json.loads(json.dumps(PER_USER))
    data["accounts"][0].update(ou_path="Root/Workloads/Prod",
                               tags={"Team": "payments", "CostCenter": "42", "Env": ""})
    inv = Inventory.from_dict(data)
    out = inv.to_dict()["accounts"][0]
    assert out["ou_path"] == "Root/Workloads/Prod"
    assert list(out["tags"]) == ["CostCenter", "Env", "Team"]  # sorted by key
    assert inv.accounts[0].ou == "Prod"
    assert Inventory.from_json(inv.to_json()).to_json() == inv.to_json()
    # an admin-side account with no tags at all says so ({}), unlike an unknown one
    data["accounts"][0]["tags"] = {}
    assert Inventory.from_dict(data).to_dict()["accounts"][0]["tags"] == {}


@pytest.mark.parametrize("field, value", [("ou_path", 3), ("tags", ["a"]),
                                          ("tags", {"a": 1}), ("ou_path", ["Root"])])
def test_bad_admin_fields_are_inventory_errors(field: str, value: object) -> None:
    data = json.loads(json.dumps(PER_USER))
    data["accounts"][0][field] = value
    with pytest.raises(InventoryError, match=field):
        Inventory.from_dict(data, "inv.json")


# -- the variables -------------------------------------------------------------------------
ADMIN = Account("111111111111", "Prod", "p@x", ["AdministratorAccess"],
                ou_path="Root/Workloads/Prod", tags={"Team": "Payments", "items": "x"})
PLAIN = Account("222222222222", "Dev", "d@x", ["AdministratorAccess"])


@pytest.mark.parametrize("template, admin, plain", [
    ("{{ ou }}-{{ account_name }}-{{ role }}", "Prod-Prod-AdministratorAccess",
     "Dev-AdministratorAccess"),
    ("{{ ou_path | kebab }}.{{ role | kebab }}", "root-workloads-prod.administrator-access",
     "administrator-access"),
    ("{{ tags.Team | lower }}-{{ account_name }}", "payments-Prod", "Dev"),
    ("{{ tags['Team'] }}-{{ account_name }}", "Payments-Prod", "Dev"),
    # a tag called like a dict method is still the tag
    ("{{ tags.items }}-{{ account_id }}", "x-111111111111", "222222222222"),
    ("{{ tags.Team | default('shared') | kebab }}-{{ account_name | kebab }}",
     "payments-prod", "shared-dev"),
    ("{% if tags.Team is defined %}{{ tags.Team }}{% else %}none{% endif %}", "Payments",
     "none"),
])
def test_new_variables(template: str, admin: str, plain: str) -> None:
    got = naming.base_names(opts(name_template=template),
                            [(ADMIN, "AdministratorAccess"), (PLAIN, "AdministratorAccess")])
    assert got == [admin, plain]


def test_missing_tag_renders_empty_and_names_stay_unique() -> None:
    """The documented choice: a missing tag is empty (the name collapses), never an error;
    two accounts that then share a base name still get distinct profiles."""
    other = Account("333333333333", "Dev", "", ["AdministratorAccess"])
    inv = Inventory("acme", "https://acme.awsapps.com/start", "eu-west-1", [PLAIN, other])
    names = [n for _, _, n in naming.preview_names(
        opts(name_template="{{ tags.Team }}-{{ account_name | kebab }}"), inv)]
    assert names == ["dev", "dev-333333333333"]


def test_templates_using_tags_pass_the_up_front_check() -> None:
    # checked on a sample account that has no tags: it must render (empty), not fail
    assert name_templates.resolve_template("{{ tags.Team }}-{{ role }}") == \
        "{{ tags.Team }}-{{ role }}"


def test_ou_variables_take_the_fast_path() -> None:
    fast = name_templates.compile_simple("{{ ou }}-{{ ou_path | lower }}", "s", {})
    assert fast is not None
    assert fast(("a", "1", "e", "R", "R", "Root/X", "X", {})) == "X-root/x"
    assert fast(("a", "1", "e", "R", "R")) == "-"  # a row of five: no OU
    assert name_templates.compile_simple("{{ tags.Team }}", "s", {}) is None


_FIELD = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=10)
_expr = st.builds(lambda v, fs: "{{ " + " | ".join([v, *fs]) + " }}",
                  st.sampled_from(["ou", "ou_path", "account_name", "role", "session"]),
                  st.lists(st.sampled_from(["lower", "upper", "kebab", "snake", "trim"]),
                           max_size=2))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(_expr, st.sampled_from(["-", ".", "_", "x"])), min_size=1,
                max_size=4),
       st.lists(st.tuples(_FIELD, _FIELD, _FIELD, _FIELD, _FIELD, _FIELD, _FIELD),
                min_size=1, max_size=3))
def test_fast_path_equals_jinja_with_ou(parts: list[str], rows: list[tuple[str, ...]]) -> None:
    template = "".join(parts)
    full = [(*r, {}) for r in rows]
    fast = name_templates.compile_simple(template, "sess", {})
    assert fast is not None
    assert [fast(r) for r in full] == name_jinja.render_jinja(template, full, "sess", {})


# -- what an unknown name says ---------------------------------------------------------------
@pytest.mark.parametrize("template, guess", [
    ("{{ role_nme }}", "did you mean role_name?"),
    ("{{ acount_id }}-{{ role }}", "did you mean account_id?"),
    ("{{ tag.Team }}", "did you mean tags?"),
    ("{{ account_name | kebap }}", "did you mean kebab?"),
])
def test_unknown_names_list_what_there_is_and_the_closest(template: str, guess: str) -> None:
    with pytest.raises(UsageError) as info:
        name_templates.resolve_template(template)
    message = info.value.message
    assert guess in message
    assert "\n" not in message
    if "filter" in message:
        assert "filters: kebab, snake" in message
    else:
        assert "variables: account_name, account_id, account_email, role_name, role, " \
               "ou_path, ou, tags, session" in message


def test_unknown_name_without_a_close_one_lists_the_variables_only() -> None:
    with pytest.raises(UsageError) as info:
        name_templates.resolve_template("{{ zzzzzz }}")
    assert "did you mean" not in info.value.message
    assert "(variables: account_name" in info.value.message


def test_cli_reports_the_hint_in_one_line(run_ssogen, acme_inventory) -> None:  # type: ignore[no-untyped-def]
    proc = run_ssogen("setup", "--yes", "--inventory", str(acme_inventory), "--dry-run",
                      "--name-template", "{{ account_name }}-{{ role_nme }}")
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "did you mean role_name?" in lines[0], proc.stderr
