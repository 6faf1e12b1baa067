"""Fuzzing the config reader and the inventory loader (issue 5), with hypothesis.

Every case goes through the real CLI entry point (``ssogen.cli.main``) in-process, for speed:
arbitrary bytes, arbitrary text, INI-shaped text built from the pieces real files (and broken
ones) are made of, and random mutations of a file ssogen itself wrote. The outcome is always one
of:

* a clean error: exit 2, one ``ssogen: error:`` line, the file byte-identical, no temp file;
* a correct edit: exit 0; if botocore could read the old file, it reads the new one, with every
  section ssogen does not own unchanged; every (account, role) of the inventory has a profile
  of the session (managed, or a hand-written one for the same role); and a second run changes
  nothing (``--check`` exits 0).

Anything else (a traceback, exit 70, a file botocore can no longer read...) is a failure.
``benchmarks/fuzz.py`` runs the same checks for >= 10,000 cases and prints the counts.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import botocore.configloader
import botocore.exceptions
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import botocore_sections
from ssogen.cli import main
from ssogen.store.inventories import load_inventory

INVENTORY = {
    "session": "acme", "start_url": "https://acme.awsapps.com/start", "sso_region": "eu-west-1",
    "generated_at": "2026-11-26T14:00:00Z",
    "accounts": [
        {"id": "111111111111", "name": "Prod", "roles": ["AdministratorAccess", "ReadOnly"]},
        {"id": "222222222222", "name": "Dev", "roles": ["AdministratorAccess"]},
    ],
}
PAIRS = {(a["id"], r) for a in INVENTORY["accounts"] for r in a["roles"]}


def cli(config: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--config", str(config), "-v", *args])
    return code, out.getvalue(), err.getvalue()


# -- strategies ------------------------------------------------------------------------------
SECTION_NAMES = st.sampled_from([
    "default", "Default", "profile prod-administrator-access", "profile dev-administrator-access",
    "profile prod-read-only", "profile mine", "profile  spaced ", "profile \"quoted name\"",
    "profile \"unterminated", "sso-session acme", "sso-session other", "sso-session  acme",
    "ssogen acme", "ssogen other", "services s3", "services", "plugins", "preview",
    "profile", "sso-session", "profile default", "", " ", "profile a]b",
]) | st.text(st.characters(blacklist_characters="\r\n]"), max_size=25)
KEYS = st.sampled_from([
    "region", "Region", "output", "sso_session", "sso_account_id", "sso_role_name",
    "ssogen_managed", "sso_start_url", "sso_region", "sso_registration_scopes", "name_template",
    "include", "exclude", "role_aliases", "account_regions", "source_profile", "role_arn",
    "s3", "cli_pager", "credential_process",
]) | st.text(st.characters(blacklist_characters="\r\n=:[]#;"), min_size=1, max_size=12)
VALUES = st.sampled_from([
    "acme", "other", "true", "false", "True", "111111111111", "222222222222", "999999999999",
    "AdministratorAccess", "ReadOnly", "eu-west-1", "us-east-1", "json",
    "https://acme.awsapps.com/start", "https://other.awsapps.com/start", "account-role",
    "aws-cli", "{{ account_name }}", "{{ nope", '["prod"]', "[", "{}", '{"ReadOnly": "ro"}',
    '{"111111111111": "us-east-2"}', "", "%(x)s", "x # not a comment",
]) | st.text(st.characters(blacklist_characters="\r\n"), max_size=30)
HEADER = st.builds(lambda n: f"[{n}]", SECTION_NAMES)
WELL_FORMED = st.one_of(
    HEADER,
    st.builds(lambda k, sep, v: f"{k}{sep}{v}", KEYS,
              st.sampled_from([" = ", "=", " =", ": ", " : "]), VALUES),
    st.builds(lambda c: f"# {c}", VALUES), st.just(""),
)
LINE = st.one_of(
    HEADER,
    st.builds(lambda k, sep, v: f"{k}{sep}{v}", KEYS,
              st.sampled_from([" = ", "=", " =", ": ", " : "]), VALUES),
    st.builds(lambda k, v: f"    {k} = {v}", KEYS, VALUES),  # nested / continuation
    st.builds(lambda c: f"# {c}", VALUES), st.builds(lambda c: f"; {c}", VALUES),
    st.just(""), st.just("   "), st.just("\t"),
    st.text(st.characters(blacklist_characters="\n"), max_size=20),  # anything at all
)


@st.composite
def ini_texts(draw: st.DrawFn) -> bytes:
    """INI-shaped text: lines from the pieces above, LF or CRLF, maybe a BOM, maybe no final
    newline, maybe a lone CR or invalid UTF-8 spliced in."""
    if draw(st.booleans()):  # mostly parseable: a header first, no garbage lines
        lines = [draw(HEADER), *draw(st.lists(WELL_FORMED, max_size=30))]
    else:
        lines = draw(st.lists(LINE, max_size=30))
    eol = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    text = eol.join(lines) + (eol if draw(st.booleans()) else "")
    if draw(st.integers(0, 9)) == 0:
        text = "\ufeff" + text
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 19)) == 0:
        pos = draw(st.integers(0, len(data)))
        data = data[:pos] + draw(st.sampled_from([b"\r", b"\xff", b"\x00", b"\xc3"])) + data[pos:]
    return data


@functools.cache
def good_file() -> bytes:
    """A file ssogen wrote for INVENTORY, with a hand-written neighbour."""
    with tempfile.TemporaryDirectory() as d:
        config = Path(d) / "config"
        config.write_text("# mine\n[default]\nregion = us-east-1\n\n[profile mine]\n"
                          "output = json\n")
        inv = Path(d) / "inv.json"
        inv.write_text(json.dumps(INVENTORY))
        code, _, err = cli(config, "setup", "--yes", "--inventory", str(inv), "--region",
                           "eu-west-1")
        assert code == 0, err
        return config.read_bytes()


@st.composite
def mutated_files(draw: st.DrawFn) -> bytes:
    """A file ssogen wrote, with lines deleted, duplicated, swapped, replaced or inserted."""
    lines = good_file().decode().split("\n")
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "replace", "insert"]))
        i = draw(st.integers(0, len(lines) - 1))
        if op == "delete" and len(lines) > 1:
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "replace":
            lines[i] = draw(LINE)
        else:
            lines.insert(i, draw(LINE))
    return "\n".join(lines).encode("utf-8", "surrogatepass")


CONFIGS = st.one_of(ini_texts(), mutated_files(), st.binary(max_size=300),
                    st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")))


# -- the checks ------------------------------------------------------------------------------
def botocore_view(path: Path) -> dict[str, dict[str, str]] | None:
    try:
        return botocore_sections(path)
    except Exception:  # botocore trips over some inputs in its own ways (e.g. bad bytes)
        return None


def owned(name: str, values: dict[str, str]) -> bool:
    """Sections ssogen may change: its own [ssogen acme] and managed sections."""
    return name == "ssogen acme" or values.get("ssogen_managed") == "true"


def check_case(directory: Path, data: bytes, command: str) -> str:
    """Run one case; return 'error', 'edit' or 'unchanged'; raise AssertionError otherwise."""
    config = directory / "config"
    config.write_bytes(data)
    inv = directory / "inv.json"
    if not inv.exists():
        inv.write_text(json.dumps(INVENTORY))
    for leftover in directory.glob("config.ssogen.*"):
        leftover.unlink()
    old_view = botocore_view(config)
    if command == "setup":
        args = ["setup", "--yes", "--inventory", str(inv)]
    else:
        args = ["sync", "--inventory", str(inv)]
    code, _, err = cli(config, *args)
    temps = [p.name for p in directory.iterdir() if p.name.endswith(".tmp")]
    assert not temps, temps
    if code == 2:
        lines = err.strip().splitlines()
        errors = [ln for ln in lines if ln.startswith("ssogen: error: ")]
        assert len(errors) == 1, err
        assert config.read_bytes() == data, "a clean error changed the file"
        return "error"
    assert code == 0, f"exit {code}: {err[-3000:]}"
    new = config.read_bytes()
    if new == data:
        return "unchanged"
    assert (directory / "config.ssogen.bak").read_bytes() == data
    new_view = botocore_view(config)
    if old_view is not None:
        assert new_view is not None, "botocore could read the old file but not the new one"
        for name, values in old_view.items():
            if not owned(name, values):
                assert new_view.get(name) == values, f"foreign section [{name}] changed"
    if new_view is not None:
        # managed, or a hand-written one for the same session/account/role (not duplicated);
        # the session is acme or an existing one for the same start URL (reused)
        sessions = {"acme"} | {k.split(" ", 1)[1] for k, v in new_view.items()
                               if k.startswith("sso-session ") and v.get("sso_start_url", "")
                               .rstrip("/#") == INVENTORY["start_url"]}
        profiles = {(v.get("sso_account_id"), v.get("sso_role_name"))
                    for k, v in new_view.items() if k.startswith("profile ")
                    and v.get("sso_session") in sessions}
        assert profiles >= PAIRS, f"missing profiles: {PAIRS - profiles}"
    # idempotent: the same command again changes nothing
    code, out, err = cli(config, *args[:1], "--check" if command == "sync" else "--dry-run",
                         *args[1:])
    if command == "sync":
        assert code == 0, f"second sync --check exits {code}: {out[-2000:]}{err[-1000:]}"
    else:
        assert code == 0 and out == "", f"second setup would change: {out[-2000:]}"
    return "edit"


def run_cases(func: Callable[[Path], None]) -> None:
    with tempfile.TemporaryDirectory() as d:
        func(Path(d))


# -- CI: a few hundred cases in-process ------------------------------------------------------
@settings(max_examples=250, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=CONFIGS, command=st.sampled_from(["setup", "sync"]))
@example(data=b"[sso-session acme]\nsso_region = eu-west-1\nssogen_managed = true\n\n"
         b"[ssogen acme]\nname_template = account-role\n\n[sso-session other]\n"
         b"sso_start_url = https://acme.awsapps.com/start\n", command="setup")
def test_config_reader_fuzz(data: bytes, command: str) -> None:
    run_cases(lambda d: check_case(d, data, command))


HOSTILE = st.text(max_size=40) | st.sampled_from(["default", "profile x", "[x]", "a\nb", "\x00",
                                                  "x" * 1000, "\u202e", "🚀"])


@st.composite
def inventories(draw: st.DrawFn) -> dict:
    accounts = []
    for i in range(draw(st.integers(0, 4))):
        accounts.append({"id": f"{300000000000 + i:012d}", "name": draw(HOSTILE),
                         "email": draw(HOSTILE),
                         "roles": draw(st.lists(HOSTILE, max_size=4))})
    return {"session": draw(st.sampled_from(["acme", "acme\n[x]", "a b", "ok.name"])),
            "start_url": draw(st.sampled_from(["https://acme.awsapps.com/start",
                                               "https://x\n[p]"])),
            "sso_region": "eu-west-1", "accounts": accounts}


def check_inventory(directory: Path, raw: bytes) -> str:
    from ssogen.errors import InventoryError

    path = directory / "inv.json"
    path.write_bytes(raw)
    config = directory / "config"
    config.write_text("[default]\nregion = us-east-1\n")
    try:
        inv = load_inventory(path)
    except InventoryError as exc:
        assert "\n" not in str(exc)
        loaded = False
    else:
        loaded = True
    code, _, err = cli(config, "setup", "--yes", "--inventory", str(path))
    if not loaded:
        assert code == 2 and config.read_text() == "[default]\nregion = us-east-1\n", err
        return "error"
    if code == 2:
        assert config.read_text() == "[default]\nregion = us-east-1\n"
        return "error"
    assert code == 0, err[-3000:]
    view = botocore.configloader.raw_config_parse(str(config))
    assert view.pop("default") == {"region": "us-east-1"}
    got = {(v["sso_account_id"], v["sso_role_name"]) for k, v in view.items()
           if k.startswith("profile ")}
    assert got == {(a.id, r) for a in inv.accounts for r in a.roles}
    for name in view:
        kind, _, rest = name.partition(" ")
        assert kind in ("profile", "sso-session", "ssogen"), name
        assert rest and rest.isprintable() and " " not in rest, name
    return "edit"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(inventories().map(lambda d: json.dumps(d).encode()),
                 st.binary(max_size=200)))
def test_inventory_loader_fuzz(raw: bytes) -> None:
    run_cases(lambda d: check_inventory(d, raw))


# -- and a handful through the CLI as a subprocess -------------------------------------------
def test_fuzz_cases_through_the_cli_subprocess(sandbox, acme_inventory) -> None:  # type: ignore[no-untyped-def]
    """The in-process results hold for the real process too (exit codes, file untouched)."""
    import random

    rng = random.Random(1)
    sandbox.aws.mkdir()
    good = good_file()
    samples = [good, good.replace(b"ssogen_managed = true", b"ssogen_managed = true\nx", 1),
               b"\xff\xfe[default]", b"[default]\nregion = a\nregion = b\n",
               b"\xef\xbb\xbf[default]\r\nregion = us-east-1\r\n", bytes(rng.randrange(256)
                                                                        for _ in range(200))]
    for data in samples:
        sandbox.config.write_bytes(data)
        proc = sandbox.run("setup", "--yes", "--inventory", str(acme_inventory))
        assert proc.returncode in (0, 2), proc.stderr
        assert "Traceback" not in proc.stderr
        if proc.returncode == 2:
            assert sandbox.config.read_bytes() == data
        else:
            assert botocore_view(sandbox.config) is not None
            check = sandbox.run("sync", "--check", "--inventory", str(acme_inventory))
            assert check.returncode == 0, check.stdout + check.stderr
    assert not [p for p in os.listdir(sandbox.aws) if p.endswith(".tmp")]
