"""Issue 12 finding 12: name templates that compile but fail or explode while rendering.

Each one is refused with one line naming the template and what went wrong (exit 2), before
anything is written -- never an internal error (exit 70), never a hang, never a MemoryError.
A template remembered in ``[ssogen NAME]`` that breaks is reported with its file:line and how
to replace it. Rendering is limited (template length, loop iterations, the size of every value
made on the way, output length, time): :mod:`ssogen.planning.jinja_limits`."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssogen.errors import UsageError
from ssogen.planning import jinja_limits
from ssogen.planning.name_templates import render_names, resolve_template

ROWS = [("Prod", "111111111111", "p@example.com", "AdministratorAccess", "AdministratorAccess"),
        ("Dev", "222222222222", "d@example.com", "ReadOnlyAccess", "ReadOnlyAccess")]

#: (template, a word the one-line error must contain)
EXPLODING = [
    ("{{ role | strip_prefix }}", "strip_prefix"),
    ('{{ role | replace("a") }}', "replace"),
    ('{{ role | truncate_to("x") }}', "invalid literal"),
    ("{{ range(10**8) | list | length }}", "too large"),
    ("{% macro f(x) %}{{ f(x) }}{% endmacro %}{{ f(1) }}", "macros are not allowed"),
    ("{{ lipsum(1000000) }}", "too large"),
    ("{{ lipsum(2) }}", "lipsum"),
    ('{{ "a" * 100000000 }}', "characters"),
    ("{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}x",
     "loops ran more than"),
    ("{% for x in 'ab' recursive %}{{ loop('ab') }}{% endfor %}", "recursive loops"),
    ("{% set x = role %}" + "{% set x = x ~ x %}" * 40 + "{{ x }}", "characters"),
    ('{{ "%099999999d" | format(1) }}', "format width"),
    ('{{ "%*d" % (999999999, 1) }}', "format width"),
    ('{{ "{:>999999999}".format(1) }}', "str.format is not allowed"),
    ("{{ role.ljust(10**9) }}", "too large"),
    ("{{ role | center(1000000000) }}", "too large"),
    ("{{ 1 / 0 }}", "ZeroDivisionError"),
    ("{% set x = 9**64 %}" + "{% set x = x * x %}" * 30 + "{{ x }}", "too large"),
    ("{{ 2 ** 100000 }}", "too large"),
    ("{{ " + "(" * 900 + "1" + ")" * 900 + " }}", "nests too deeply"),
    ("{% include 'x' %}", "include"),
    ("{{ role }}" * 400, "characters long"),
]


@pytest.mark.parametrize(("template", "why"), EXPLODING, ids=[t[:40] for t, _ in EXPLODING])
def test_an_exploding_template_is_a_usage_error(template: str, why: str) -> None:
    started = time.monotonic()
    with pytest.raises(UsageError) as info:
        render_names(template, ROWS, "acme", {})
    message = info.value.message
    assert "name template" in message and why in message, message
    assert "\n" not in message and len(message) < 300
    assert time.monotonic() - started < 30  # a hang guard, not a speed target


def test_what_a_name_needs_still_works() -> None:
    templates = {
        "{{ account_name | kebab }}-{{ role | lower }}": ["prod-administratoraccess",
                                                          "dev-readonlyaccess"],
        "{% for w in (role | kebab).split('-') %}{{ w[:1] }}{% endfor %}-{{ account_id }}":
            ["aa-111111111111", "roa-222222222222"],
        '{{ "%s.%s" | format(account_name, role) | lower }}': ["prod.administratoraccess",
                                                               "dev.readonlyaccess"],
        "{% set short = role | replace('Access', '') %}{{ short }}{{ '-' * 3 }}":
            ["Administrator---", "ReadOnly---"],
        "{{ account_name ~ '-' ~ role | truncate_to(4) }}": ["Prod-Admi", "Dev-Read"],
    }
    for template, expected in templates.items():
        assert render_names(template, ROWS, "acme", {}) == expected, template


def test_a_thousand_profiles_render_within_the_per_name_budget() -> None:
    rows = [(f"Account {i}", f"{i:012d}", "", "Role", "Role") for i in range(1000)]
    template = "{% for c in account_name | kebab %}{{ c }}{% endfor %}-{{ role | lower }}"
    names = render_names(template, rows, "acme", {})
    assert names[7] == "account-7-role" and len(names) == 1000


def test_one_long_name_cannot_borrow_the_budget_of_the_others() -> None:
    """Many rows render in one call with one output budget; a name over the limit is still
    refused (found by the property below: 37 doublings of a 19-character role)."""
    template = "{% set role = role ~ role %}" + "{{ role * 9 }}" * 3 + "{{ role }}" * 4
    with pytest.raises(UsageError, match="a name longer than 1,024 characters"):
        render_names(template, ROWS, "acme", {})
    assert render_names("{{ role }}", ROWS, "acme", {})[0] == "AdministratorAccess"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([
    "{{ role }}", "{{ account_name | kebab }}", "{% for i in range(9) %}", "{% endfor %}",
    "{% if role %}", "{% endif %}", "{{ role * 9 }}", "{% set role = role ~ role %}",
    "{{ range(99) | list | join }}", "{{ role | center(999) }}", "{{ 9 ** 9 }}", "-",
    "{{ (role ~ role) | replace(role, role ~ role) }}", "{{ account_id | int * 10 ** 9 }}",
    "{{ tags.Team }}", "{{ ou }}", "{{ role | truncate_to(3) }}", "{{ role[::2] }}",
]), min_size=1, max_size=12))
def test_any_combination_renders_or_is_a_usage_error_quickly(parts: list[str]) -> None:
    started = time.monotonic()
    try:
        names = render_names("".join(parts), ROWS, "acme", {})
    except UsageError as exc:
        assert "\n" not in exc.message
    else:
        assert all(len(n) <= jinja_limits.MAX_PIECE for n in names)
    assert time.monotonic() - started < 10


def test_the_check_before_any_login_is_the_same_render() -> None:
    for template, why in EXPLODING:
        with pytest.raises(UsageError) as info:
            resolve_template(template)
        assert why in info.value.message, template


def _inventory(tmp_path: Path) -> Path:
    path = tmp_path / "inventory.json"
    path.write_text(json.dumps({
        "session": "acme", "start_url": "https://acme.awsapps.com/start",
        "sso_region": "eu-west-1",
        "accounts": [{"id": "111111111111", "name": "Prod", "roles": ["Admin"]}]}))
    return path


@pytest.mark.parametrize(("template", "why"), EXPLODING[:8], ids=[t[:30] for t, _ in
                                                                  EXPLODING[:8]])
def test_setup_refuses_it_in_one_line_and_writes_nothing(sandbox, tmp_path, template: str,  # type: ignore[no-untyped-def]
                                                         why: str) -> None:
    proc = sandbox.run("setup", "--yes", "--inventory", str(_inventory(tmp_path)),
                       "--name-template", template, timeout=60)
    assert proc.returncode == 2, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert lines[0].startswith("ssogen: error: --name-template: ") and why in lines[0]
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
    assert not sandbox.config.exists()


def test_a_broken_remembered_template_names_its_line_and_the_way_out(sandbox, tmp_path) -> None:  # type: ignore[no-untyped-def]
    inventory = _inventory(tmp_path)
    sandbox.run("setup", "--yes", "--inventory", str(inventory), check=True)
    text = sandbox.config.read_text()
    lines = text.splitlines()
    header = lines.index("[ssogen acme]") + 1
    broken = "\n".join(ln if not ln.startswith("name_template") else
                       "name_template = {{ role | strip_prefix }}" for ln in lines) + "\n"
    sandbox.config.write_text(broken)
    proc = sandbox.run("sync", "--inventory", str(inventory))
    assert proc.returncode == 2
    first, hint = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert first.startswith(f"ssogen: error: {sandbox.config}:{header}: [ssogen acme] "
                            "name_template: ")
    assert "strip_prefix" in first
    assert hint.strip() == ("hint: fix the line there, or choose another with `ssogen setup "
                            "--session acme --name-template PRESET`")
    assert sandbox.config.read_text() == broken
