from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssogen.errors import EXIT_USAGE, InventoryError
from ssogen.model.inventory import Account, Inventory
from ssogen.store.inventories import load_inventory, save_inventory


def sample() -> Inventory:
    return Inventory(
        session="acme",
        start_url="https://acme.awsapps.com/start",
        sso_region="eu-west-1",
        generated_at="2026-11-26T14:00:00Z",
        accounts=[
            Account("222222222222", "dev", "dev@acme.test", ["ReadOnly", "Admin", "Admin"]),
            Account("111111111111", "prod", "prod@acme.test", ["ReadOnly"]),
        ],
    )


def test_round_trip_is_sorted_and_stable(tmp_path: Path) -> None:
    inv = sample()
    path = tmp_path / "inv.json"
    save_inventory(inv, path)
    text = path.read_text()
    data = json.loads(text)
    assert [a["id"] for a in data["accounts"]] == ["111111111111", "222222222222"]
    assert data["accounts"][1]["roles"] == ["Admin", "ReadOnly"]  # sorted, deduplicated
    again = load_inventory(path)
    assert again.to_json() == text
    assert list((a.id, r) for a, r in again.pairs()) == [
        ("111111111111", "ReadOnly"), ("222222222222", "Admin"), ("222222222222", "ReadOnly")]
    assert again.role_count == 3


def test_utf8_bom_and_integer_ids_accepted(tmp_path: Path) -> None:
    path = tmp_path / "inv.json"
    doc = {"session": "s", "start_url": "https://x.awsapps.com/start", "sso_region": "us-east-1",
           "accounts": [{"id": 12345678901, "name": "n", "roles": ["R"]}]}
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(doc).encode())
    inv = load_inventory(path)
    assert inv.accounts[0].id == "012345678901"
    assert inv.generated_at  # filled in when absent


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", r"inv.json:1: not valid JSON"),
        ("[]", "expected a JSON object"),
        ('{"session": "s", "start_url": "u"}', "sso_region"),
        ('{"session": "s", "start_url": "u", "sso_region": "r"}', "'accounts' must be a list"),
        ('{"session": "s", "start_url": "u", "sso_region": "r", "accounts": [{"id": "12"}]}',
         r"accounts\[0\].id must be a 12-digit"),
        ('{"session": "s", "start_url": "u", "sso_region": "r", '
         '"accounts": [{"id": "111111111111", "roles": [""]}]}', "roles must be a list"),
        ('{"session": "s", "start_url": "u", "sso_region": "r", '
         '"accounts": [{"id": "111111111111"}, {"id": "111111111111"}]}', "listed twice"),
    ],
)
def test_malformed_files_give_one_line_errors(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "inv.json"
    path.write_text(content)
    with pytest.raises(InventoryError, match=expected) as info:
        load_inventory(path)
    assert "\n" not in str(info.value)
    assert str(path) in str(info.value)
    assert info.value.exit_code == EXIT_USAGE


def test_missing_directory_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match="not found"):
        load_inventory(tmp_path / "nope.json")
    with pytest.raises(InventoryError, match="is a directory"):
        load_inventory(tmp_path)
    bad = tmp_path / "bin.json"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InventoryError, match="not UTF-8"):
        load_inventory(bad)


@settings(max_examples=200, deadline=None)
@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                max_size=4),
    max_leaves=20,
))
def test_loader_never_crashes_on_arbitrary_json(value: object) -> None:
    text = json.dumps(value)
    try:
        inv = Inventory.from_json(text, "fuzz.json")
    except InventoryError as exc:
        assert str(exc).startswith("fuzz.json")
        assert "\n" not in str(exc)
    else:
        assert Inventory.from_json(inv.to_json()).to_dict() == inv.to_dict()


def test_an_unwritable_role_is_named_with_its_first_account_wherever_it_recurs() -> None:
    """Role names are checked once each (the same roles recur in account after account):
    a bad one is still refused, named with the first account that has it, after the good
    ones before it were accepted."""
    good = ["AdministratorAccess", "ReadOnlyAccess"]
    accounts = [Account("111111111111", "a", "", good),
                Account("222222222222", "b", "", [*good, "Bad\nRole"]),
                Account("333333333333", "c", "", ["Bad\nRole"])]
    with pytest.raises(InventoryError) as err:
        Inventory("s", "https://acme.awsapps.com/start", "eu-west-1", accounts).validate("inv")
    assert "account 222222222222: role name 'Bad\\nRole'" in err.value.message
    assert Inventory("s", "https://acme.awsapps.com/start", "eu-west-1",
                     accounts[:1]).validate("inv").accounts == accounts[:1]
