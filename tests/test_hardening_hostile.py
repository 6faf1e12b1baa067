"""Hostile account and role data (issue 5): whatever an inventory file or the portal says, no
section or key can be injected into ~/.aws/config, every generated name is one safe token, and
botocore and the AWS CLI read exactly the intended profiles.

Account names (and e-mails) only ever reach the file through the sanitised profile name, so any
text is accepted there. Role names, the session name, the start URL and the SSO region are
written as values: one that cannot be a single INI line (newline, lone CR, NUL, ANSI escape,
right-to-left mark...) makes the run fail with a one-line error, exit 2, file untouched.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path

import botocore.configloader
import pytest

from conftest import Sandbox, aws_cli_v2

SAFE = re.compile(r"^[A-Za-z0-9._@+-]{1,100}$")

HOSTILE_TEXT = [
    "plain", "new\nline", "x]\n[profile evil]\nrole_arn = arn:aws:iam::1:role/x", "[default]",
    "[profile admin]", "k = v", "k=v", "# comment", "; comment", "'single'", '"double"',
    "ctrl\x01\x07\x1b[31mred\x1b[0m", "nul\x00byte", "cr\ralone", "tab\there", "A" * 1000,
    "\u202eevil\u202c", "rtl \u05e9\u05dc\u05d5\u05dd", "🚀 rocket 🎉", "default", "profile x",
    "sso-session y", "services", "ssogen acme", "", "   ", "\u200b", "Zoë Ünïcode", "..",
    "-", "$(rm -rf ~)", "`id`", "a;b|c&d", "%(here)s", "\\", "\u2028line sep", "\x85nel",
]
#: role names that are valid INI values, however odd
ODD_ROLES = ["AdministratorAccess", "R]", "[R", "R=1", "R#x", ";R", "'R'", '"R"', "🚀",
             "x" * 1000, "default", "profile x", "sso-session y", "services", "%(x)s",
             "Zoë", "a b"]
#: role names that cannot be one INI line: refused
BAD_ROLES = ["Role\n[profile evil2]", "R\r", "R\x00", "R\x1b[31m", "\u202eR", "R\u2028x",
             " R", "R\t", "R\x85"]


def inventory(accounts: list[dict], **top: str) -> dict:
    data = {"session": "acme", "start_url": "https://acme.awsapps.com/start",
            "sso_region": "eu-west-1", "generated_at": "2026-11-26T14:00:00Z",
            "accounts": accounts}
    data.update(top)
    return data


def hostile_accounts() -> list[dict]:
    return [{"id": f"{100000000000 + i:012d}", "name": name, "email": name,
             "roles": ODD_ROLES if i % 6 == 0 else ["AdministratorAccess", "R]"]}
            for i, name in enumerate(HOSTILE_TEXT)]


def write_json(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def sections(path: Path) -> dict[str, dict[str, str]]:
    return botocore.configloader.raw_config_parse(str(path))


def aws_profiles(sandbox: Sandbox) -> list[str]:
    proc = subprocess.run([aws_cli_v2(), "configure", "list-profiles"], env=sandbox.env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split("\n")[:-1]


def assert_exact_profiles(sandbox: Sandbox, data: dict, *, foreign: dict[str, dict[str, str]],
                          ) -> dict[str, dict[str, str]]:
    """The file holds the foreign sections unchanged, the session, its [ssogen] section and
    exactly one profile per (account, role) pair of ``data`` with exactly the identity keys."""
    parsed = sections(sandbox.config)
    for name, values in foreign.items():
        assert parsed.pop(name) == values
    assert parsed.pop("sso-session acme") == {
        "sso_start_url": data["start_url"], "sso_region": data["sso_region"],
        "sso_registration_scopes": "sso:account:access", "ssogen_managed": "true"}
    assert set(parsed.pop("ssogen acme")) <= {"name_template", "region", "output", "include",
                                              "exclude", "role_aliases", "regions"}
    wanted = {(a["id"], r) for a in data["accounts"] for r in a["roles"]}
    got: dict[tuple[str, str], str] = {}
    profiles: dict[str, dict[str, str]] = {}
    for header, values in parsed.items():
        kind, _, name = header.partition(" ")
        assert kind == "profile", header
        assert shlex.split(header) == ["profile", name]
        assert SAFE.match(name) and name.isprintable() and name != "default", name
        # `setup --yes` defaults: region = the SSO region, output = json (online and offline)
        assert set(values) == {"sso_session", "sso_account_id", "sso_role_name", "region",
                               "output", "ssogen_managed"}, (name, values)
        assert values["region"] == data["sso_region"] and values["output"] == "json", values
        assert values["sso_session"] == "acme" and values["ssogen_managed"] == "true"
        pair = (values["sso_account_id"], values["sso_role_name"])
        assert pair not in got, f"{pair} written twice"
        got[pair] = name
        profiles[name] = values
    assert set(got) == wanted
    return profiles


def test_hostile_names_inject_nothing_and_every_reader_agrees(sandbox: Sandbox, tmp_path: Path,
                                                              ) -> None:
    sandbox.aws.mkdir()
    mine = "[default]\nregion = us-east-1\n\n[profile mine]\nregion = eu-west-1\n"
    sandbox.config.write_text(mine)
    data = inventory(hostile_accounts())
    inv = write_json(tmp_path / "hostile.json", data)
    proc = sandbox.run("setup", "--yes", "--inventory", str(inv))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert sandbox.config.read_text().startswith(mine)
    profiles = assert_exact_profiles(
        sandbox, data, foreign={"default": {"region": "us-east-1"},
                                "profile mine": {"region": "eu-west-1"}})
    assert len(profiles) == sum(len(a["roles"]) for a in data["accounts"])
    # what ssogen prints is escaped: no raw control character reaches the terminal
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u202e\u2028\x85]", proc.stderr + proc.stdout)
    # botocore's full profile map lists exactly these profiles
    profile_map = botocore.configloader.build_profile_map(sections(sandbox.config))["profiles"]
    assert set(profile_map) == set(profiles) | {"default", "mine"}
    # idempotent with hostile data too
    check = sandbox.run("sync", "--check", "--inventory", str(inv))
    assert check.returncode == 0, check.stdout[-2000:] + check.stderr[-2000:]
    # the AWS CLI lists exactly these profiles, and the odd role names read back exactly
    # (last: it skips where Debian's AWS CLI v2 is not installed)
    aws = aws_cli_v2()
    assert sorted(aws_profiles(sandbox)) == sorted(set(profiles) | {"default", "mine"})
    for name, values in profiles.items():
        if values["sso_role_name"] in ("R]", "x" * 1000, "%(x)s") \
                and values["sso_account_id"] == "100000000000":
            got = subprocess.run([aws, "configure", "get", "sso_role_name", "--profile", name],
                                 env=sandbox.env, capture_output=True, text=True, timeout=60,
                                 check=False)
            assert got.stdout == values["sso_role_name"] + "\n", got.stderr


@pytest.mark.parametrize("where, value", [
    *[("role", r) for r in BAD_ROLES],
    ("session", "acme\n[profile inj]"), ("session", "acme]"), ("session", "a b"),
    ("session", "profile x"), ("session", "\u202eacme"),
    ("start_url", "https://acme.awsapps.com/start\n[profile inj]\nx = 1"),
    ("start_url", "https://acme.awsapps.com/start\rx"), ("start_url", "https://a b"),
    ("sso_region", "eu-west-1\n[profile inj]"), ("sso_region", "eu-west-1\x00"),
])
def test_unwritable_values_are_refused_and_nothing_is_written(
        sandbox: Sandbox, tmp_path: Path, where: str, value: str) -> None:
    sandbox.aws.mkdir()
    before = b"# mine\n[default]\nregion = us-east-1\n"
    sandbox.config.write_bytes(before)
    accounts = [{"id": "111111111111", "name": "ok", "roles": ["Admin"]}]
    if where == "role":
        accounts.append({"id": "222222222222", "name": "evil", "roles": ["Admin", value]})
        data = inventory(accounts)
    else:
        data = inventory(accounts, **{where: value})
    inv = write_json(tmp_path / "bad.json", data)
    for args in (["setup", "--yes", "--inventory", str(inv)],
                 ["setup", "--yes", "--inventory", str(inv), "--session", "acme"]):
        proc = sandbox.run(*args)
        if where == "session" and "--session" in args:
            continue  # an explicit good --session overrides the inventory's name
        assert proc.returncode == 2, (args, proc.stderr)
        assert proc.stderr.startswith("ssogen: error: ") and proc.stderr.count("\n") == 1, \
            proc.stderr
        assert "cannot be written to a config file" in proc.stderr
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u202e\u2028\x85]", proc.stderr)
        assert "Traceback" not in proc.stderr
        assert sandbox.config.read_bytes() == before
    assert [p.name for p in sandbox.aws.iterdir()] == ["config"] or \
        sandbox.config.read_bytes() == before


def test_hostile_portal_data_online(sandbox: Sandbox, make_emulator) -> None:  # type: ignore[no-untyped-def]
    """The same through discovery: the portal (emulator) serving hostile account and role
    names. Printable oddities are written safely; a role with a newline fails the run (exit 2)
    and writes nothing."""
    from ssogen.emulator import Organization

    org = Organization()
    for i, name in enumerate(HOSTILE_TEXT[:12]):
        org.add_account(f"{200000000000 + i:012d}", name, f"a{i}@example.com",
                        ["AdministratorAccess", "R]", "x" * 300])
    emu = make_emulator(org=org, auto_approve_after=0)
    sandbox.env.update(emu.endpoint_env())
    args = ["setup", "--yes", "--no-browser", "--start-url", "https://acme.awsapps.com/start",
            "--sso-region", "eu-west-1", "--session", "acme"]
    proc = sandbox.run(*args)
    assert proc.returncode == 0, proc.stderr[-2000:]
    parsed = sections(sandbox.config)
    profiles = {k: v for k, v in parsed.items() if k.startswith("profile ")}
    assert len(profiles) == 36
    assert {(v["sso_account_id"], v["sso_role_name"]) for v in profiles.values()} == {
        (f"{200000000000 + i:012d}", r) for i in range(12)
        for r in ("AdministratorAccess", "R]", "x" * 300)}
    assert all(SAFE.match(k.split(" ", 1)[1]) for k in profiles)
    assert set(parsed) == set(profiles) | {"sso-session acme", "ssogen acme"}

    before = sandbox.config.read_bytes()
    org.add_role("200000000003", "Evil\n[profile injected]\ncredential_process = sh -c id")
    proc = sandbox.run("sync")
    assert proc.returncode == 2, proc.stderr
    assert "cannot be written to a config file" in proc.stderr and "\n[" not in proc.stderr
    assert sandbox.config.read_bytes() == before
