"""Profile names: templates, presets, sanitising, collisions."""

from __future__ import annotations

import json
import re
import shlex

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssogen.errors import UsageError
from ssogen.model.inventory import Account, Inventory
from ssogen.model.settings import DEFAULT_NAME_TEMPLATE, Settings
from ssogen.planning import name_jinja, name_templates, naming
from ssogen.resources import read_template

SAFE = re.compile(r"[A-Za-z0-9._@+-]+")


def inv(*accounts: Account) -> Inventory:
    return Inventory("acme", "https://acme.awsapps.com/start", "eu-west-1", list(accounts))


def opts(**kw: object) -> Settings:
    return Settings("acme", "https://acme.awsapps.com/start", "eu-west-1", **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("text, kebab, snake", [
    ("AdministratorAccess", "administrator-access", "administrator_access"),
    ("ACME Prod_1", "acme-prod-1", "acme_prod_1"),
    ("  S3FullAccess  ", "s3-full-access", "s3_full_access"),
    ("Zoë's [test] #2", "zoe-s-test-2", "zoe_s_test_2"),
    ("", "", ""),
])
def test_case_filters(text: str, kebab: str, snake: str) -> None:
    assert naming.kebab(text) == kebab
    assert naming.snake(text) == snake


@pytest.mark.parametrize("raw, expected", [
    ("prod admin", "prod-admin"),
    ("[prod]", "prod"),
    ("a#b;c\"d'e=f", "a-b-c-d-e-f"),
    ("tab\there\nnew\x00nul\x7f", "tab-here-new-nul"),
    ("--lead.and.trail__", "lead.and.trail"),
    ("Müller GmbH", "Muller-GmbH"),
    ("日本語", ""),
    ("a" * 300, "a" * naming.MAX_NAME_LENGTH),
])
def test_sanitize(raw: str, expected: str) -> None:
    assert naming.sanitize(raw) == expected
    assert naming.sanitize(raw, fallback="111122223333") == (expected or "111122223333")


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_sanitized_names_are_always_one_safe_token(text: str) -> None:
    name = naming.sanitize(text, fallback="111122223333")
    assert SAFE.fullmatch(name)
    assert shlex.split(f"profile {name}") == ["profile", name]
    assert len(name) <= naming.MAX_NAME_LENGTH
    assert not name.startswith("-")
    assert naming.sanitize(name) == name  # idempotent


def test_presets_are_data_and_their_examples_hold() -> None:
    data = json.loads(read_template("presets.json"))
    assert data["default"] == DEFAULT_NAME_TEMPLATE
    account = Account("111122223333", "Acme Prod", "ops@acme.example", ["AdministratorAccess"])
    for name, preset in data["presets"].items():
        got = naming.base_names(opts(name_template=name), [(account, "AdministratorAccess")])
        assert got == [preset["example"]], name


def test_default_names_and_fallbacks() -> None:
    names = naming.preview_names(opts(), inv(
        Account("111111111111", "Prod", "", ["AdministratorAccess", "ReadOnly"]),
        Account("222222222222", "  ", "", ["AWSReservedSSO_Billing_0123456789abcdef"]),
        Account("333333333333", "数据", "", ["X"]),
    ))
    assert [n for _, _, n in names] == [
        "prod-administrator-access", "prod-read-only", "222222222222-billing",
        "333333333333-x"]


def test_role_aliases_and_filters() -> None:
    s = opts(name_template="{{ account_id }}.{{ role }}.{{ role_name | alias | upper }}."
             "{{ account_email | strip_suffix('@acme.example') }}.{{ session }}",
             role_aliases={"AdministratorAccess": "admin"})
    account = Account("111111111111", "Prod", "ops@acme.example", ["AdministratorAccess"])
    assert naming.base_names(s, [(account, "AdministratorAccess")]) == [
        "111111111111.admin.ADMIN.ops.acme"]


@pytest.mark.parametrize("template, message", [
    ("nope", "unknown name template"),
    ("{{ account_name", "invalid name template"),
    ("{{ nope }}", "failed"),
    ("{{ account_name.__class__.__mro__ }}", "not allowed"),
    ("{{ ''.__class__.__subclasses__() }}", "not allowed"),
])
def test_bad_templates_are_usage_errors(template: str, message: str) -> None:
    account = Account("111111111111", "Prod", "", ["R"])
    with pytest.raises(UsageError, match=message):
        naming.base_names(opts(name_template=template), [(account, "R")])
    # caught by the check every flag and remembered setting goes through, with no account
    with pytest.raises(UsageError, match=message):
        naming.resolve_template(template)


_FILTERS = ["lower", "upper", "kebab", "snake", "alias", "trim"]
_expr = st.builds(lambda v, fs: "{{ " + " | ".join([v, *fs]) + " }}",
                  st.sampled_from([*name_templates._VARIABLES, "session"]),
                  st.lists(st.sampled_from(_FILTERS), max_size=3))
_literal = st.text(alphabet=st.characters(blacklist_characters="{}%#"), max_size=4)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_expr, _literal), min_size=1, max_size=5),
       st.lists(st.tuples(*[st.text(max_size=12)] * 5), min_size=1, max_size=4))
def test_fast_path_renders_exactly_like_jinja(parts: list[str], rows: list[tuple]) -> None:
    template = "".join(parts)
    aliases = {"AdministratorAccess": "admin"}
    fast = name_templates.compile_simple(template, "sess", aliases)
    if "{{" in template:
        assert fast is not None
    if fast is not None:
        assert [fast(r) for r in rows] == name_jinja.render_jinja(template, rows, "sess",
                                                                  aliases)


def test_collisions_are_deterministic_and_reported() -> None:
    audit1 = Account("333333333333", "Audit", "", ["ReadOnly"])
    audit2 = Account("444444444444", "Audit", "", ["ReadOnly"])
    pairs = [(audit2, "ReadOnly"), (audit1, "ReadOnly")]
    names, msgs = naming.resolve_collisions(pairs, ["audit-ro", "audit-ro"])
    assert names == ["audit-ro-444444444444", "audit-ro"]  # lowest account id keeps the name
    assert msgs == ["profile name 'audit-ro' is taken by the profile generated for "
                    "333333333333/ReadOnly; 444444444444/ReadOnly gets 'audit-ro-444444444444'"]
    # whoever already holds the name in the file keeps it
    names, _ = naming.resolve_collisions(pairs, ["audit-ro", "audit-ro"],
                                         current={("444444444444", "ReadOnly"): "audit-ro"})
    assert names == ["audit-ro", "audit-ro-333333333333"]
    # names owned by someone else, and "default", are never taken
    names, msgs = naming.resolve_collisions([(audit1, "ReadOnly"), (audit2, "ReadOnly")],
                                            ["mine", "default"], taken={"mine"})
    assert names == ["mine-333333333333", "default-444444444444"]
    assert "does not manage" in msgs[0] and "reserved" in msgs[1]
    # even the suffixed name may be taken
    names, _ = naming.resolve_collisions([(audit1, "ReadOnly")], ["x"],
                                         taken={"x", "x-333333333333"})
    assert names == ["x-333333333333-ReadOnly"]


def test_long_names_keep_their_distinguishing_suffix() -> None:
    a = Account("111111111111", "A", "", ["R"])
    b = Account("222222222222", "B", "", ["R"])
    long = "n" * naming.MAX_NAME_LENGTH
    names, _ = naming.resolve_collisions([(a, "R"), (b, "R")], [long, long])
    assert names[0] == long and names[1].endswith("-222222222222")
    assert len(names[1]) <= naming.MAX_NAME_LENGTH and len(set(names)) == 2


@pytest.mark.parametrize("template", ["account-role", "role-account", "session-account-role",
                                      "{{ account_name }}.{{ role_name }}"])
def test_very_long_account_names_keep_the_role(template: str) -> None:
    """1,000-character account names (two of them alike but for their last character, one
    only under another id): every name keeps its role, is within the limit, safe, unique
    without collision suffixes, and the same on every run."""
    roles = ["AdministratorAccess", "ReadOnlyAccess", "AWSReservedSSO_Billing_0123456789abcdef"]
    accounts = [Account("111111111111", "Payments " * 111 + "A", "", roles),
                Account("222222222222", "Payments " * 111 + "B", "", roles),
                Account("333333333333", "x" * 1000, "", roles[:2])]
    settings_ = opts(name_template=template)
    pairs = naming.wanted_pairs(settings_, inv(*accounts))
    names, messages = naming.resolve_collisions(pairs, naming.base_names(settings_, pairs))
    assert not messages and len(set(names)) == len(names) == 8
    for (_account, role), name in zip(pairs, names, strict=True):
        assert SAFE.fullmatch(name) and len(name) <= naming.MAX_NAME_LENGTH, name
        assert naming.sanitize(name) == name
        short = naming.strip_reserved(role)
        role_part = naming.kebab(short) if "{{" not in template else role
        assert role_part in name, (role_part, name)
        if template == "role-account":
            assert name.startswith(role_part)
        else:
            assert name.endswith(role_part)
    again = naming.resolve_collisions(pairs, naming.base_names(settings_, pairs))[0]
    assert again == names


def test_long_names_with_a_collision_suffix_keep_role_and_suffix() -> None:
    a = Account("111111111111", "z" * 1000, "", ["ReadOnlyAccess"])
    b = Account("222222222222", "z" * 1000, "", ["ReadOnlyAccess"])
    pairs = [(a, "ReadOnlyAccess"), (b, "ReadOnlyAccess")]
    base = naming.base_names(opts(), pairs)
    assert base[0] == base[1] and base[0].endswith("-read-only-access")
    names, messages = naming.resolve_collisions(pairs, base, taken={base[0]})
    assert len(messages) == 2 and len(set(names)) == 2
    for name, account in zip(names, (a, b), strict=True):
        assert len(name) <= naming.MAX_NAME_LENGTH and SAFE.fullmatch(name)
        assert name.endswith(f"-read-only-access-{account.id}"), name


def test_include_exclude_globs() -> None:
    inventory = inv(Account("111111111111", "prod-web", "", ["Admin", "ReadOnly"]),
                    Account("222222222222", "dev", "", ["Admin"]))
    got = naming.wanted_pairs(opts(include=["PROD-*"], exclude=["readonly"]), inventory)
    assert [(a.id, r) for a, r in got] == [("111111111111", "Admin")]
    got = naming.wanted_pairs(opts(include=["2222*"]), inventory)
    assert [(a.id, r) for a, r in got] == [("222222222222", "Admin")]
    assert len(naming.wanted_pairs(opts(), inventory)) == 3


def _is_generated_by_definition(name: str, base: str, account_id: str, role: str) -> bool:
    """is_generated as resolve_collisions defines it: one of the names it can build."""
    forms = [base, naming.with_suffix(base, f"-{role}"), naming.with_suffix(base, f"-{account_id}"),
             naming.with_suffix(base, f"-{account_id}-{role}")]
    if name in forms:
        return True
    at = name.rfind(f"-{account_id}-")
    number = name[at + len(account_id) + 2:] if at >= 0 else ""
    return number.isdigit() and name == naming.with_suffix(base, f"-{account_id}-{number}")


_role_text = st.one_of(st.sampled_from(["ReadOnly", "--", "Zoë", "ﬁle", "a" * 60, "x" * 99,
                                        "AdministratorAccess", "-.x"]), st.text(max_size=120))


@given(base_raw=st.one_of(st.text(max_size=130), st.sampled_from(["a" * 100, "b" * 99])),
       bounded=st.booleans(), role=_role_text, form=st.integers(0, 5),
       other=st.text(max_size=110))
@settings(max_examples=600)
def test_is_generated_shortcut_agrees_with_the_definition(base_raw: str, bounded: bool,
                                                          role: str, form: int,
                                                          other: str) -> None:
    """The cheap test is_generated makes before building ``base-<role>`` never changes its
    answer: long bases (cut in the middle), long or empty-after-sanitising roles, and bases
    that are not what base_names gives (empty, unclean) included."""
    base = naming.bounded(base_raw, "111122223333") if bounded else base_raw
    account_id = "111122223333"
    names = [base, naming.with_suffix(base, f"-{role}"), naming.with_suffix(base, f"-{account_id}"),
             naming.with_suffix(base, f"-{account_id}-{role}"),
             naming.with_suffix(base, f"-{account_id}-7"), naming.sanitize(other) or "x"]
    name = names[form]
    assert naming.is_generated(name, base, account_id, role) == \
        _is_generated_by_definition(name, base, account_id, role)
