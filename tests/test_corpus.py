"""Every real-world config shape in the corpus, through the real CLI in a subprocess.

For each file: ``setup --dry-run`` never writes; ``setup`` then ``sync`` keep every original
line in order, keep every section botocore read before exactly as botocore read it, keep CRLF
files free of bare LF, remove (and show) a BOM, and produce the intended profiles; ``--check``
afterwards exits 0. Files botocore itself rejects are refused with exit 2, one line naming the
line number, the file byte-identical.
"""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import botocore.configloader
import botocore.exceptions
import pytest

from conftest import ACME_INVENTORY, Sandbox, botocore_sections, corpus_files

BOM = b"\xef\xbb\xbf"
FILES = corpus_files()


def botocore_parse(data: bytes, tmp: Path) -> dict | None:
    """What botocore reads from these bytes (None: it rejects the file)."""
    tmp.write_bytes(data)
    return botocore_sections(tmp)


def lines_of(data: bytes) -> list[str]:
    text = data.decode("utf-8").removeprefix("\ufeff")
    return [line.removesuffix("\r") for line in text.split("\n")]


def is_subsequence(needle: list[str], haystack: list[str]) -> bool:
    it = iter(haystack)
    return all(any(line == other for other in it) for line in needle)


def managed_sections(parsed: dict) -> set[str]:
    return {name for name, keys in parsed.items()
            if str(keys.get("ssogen_managed", "")).lower() == "true"
            or name.startswith("ssogen ")}


def test_corpus_is_there() -> None:
    names = {p.name for p in FILES}
    shared = {"01_comments_hash_semicolon.cfg", "03_blank_line_runs.cfg", "05_nested_s3.cfg",
              "07_sso_session.cfg", "09_crlf.cfg", "11_no_trailing_newline.cfg",
              "13_no_spaces_around_equals.cfg", "15_duplicate_sections.cfg", "17_empty.cfg",
              "19_unicode_comments.cfg", "21_header_extra_spaces.cfg",
              "23_credential_process_quotes.cfg", "25_key_case.cfg",
              "27_comment_above_removed.cfg", "29_bom_crlf_no_newline.cfg",
              "31_nested_blank_and_comment.cfg", "33_realistic_org.cfg"}
    assert shared <= names, shared - names  # the project corpus, vendored in tests/corpus/shared
    assert {"40_bom_only.cfg", "44_existing_managed.cfg", "60_crlf_sso.cfg"} <= names
    assert len(names) == len(FILES)  # no file twice
    assert len(FILES) >= 37


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_setup_then_sync(path: Path, sandbox: Sandbox, acme_inventory: Path,
                         tmp_path: Path) -> None:
    original = path.read_bytes()
    sandbox.aws.mkdir()
    sandbox.config.write_bytes(original)
    before = botocore_parse(original.removeprefix(BOM), tmp_path / "before")
    inv = str(acme_inventory)

    if before is None:  # botocore (and so the AWS CLI) cannot read it: refuse, touch nothing
        for args in (["setup", "--yes", "--inventory", inv], ["sync", "--inventory", inv]):
            proc = sandbox.run(*args)
            assert proc.returncode == 2, proc.stderr
            err = proc.stderr.strip().splitlines()
            assert len(err) == 1 and err[0].startswith("ssogen: error: "), proc.stderr
            assert re.search(rf"{re.escape(str(sandbox.config))}:\d+: ", err[0]), err[0]
            assert "Traceback" not in proc.stderr
            assert sandbox.config.read_bytes() == original
        assert not list(sandbox.aws.glob("*.bak"))
        return

    dry = sandbox.run("setup", "--yes", "--inventory", inv, "--region", "eu-west-1",
                      "--output", "json", "--dry-run", check=True)
    assert sandbox.config.read_bytes() == original, "--dry-run wrote"
    assert "+[profile " in dry.stdout
    if original.startswith(BOM):
        assert "byte-order mark" in dry.stderr
        assert "-<U+FEFF>" in dry.stdout

    sandbox.run("setup", "--yes", "--inventory", inv, "--region", "eu-west-1",
                "--output", "json", check=True)
    after_setup = sandbox.config.read_bytes()
    sandbox.run("sync", "--inventory", inv, check=True)
    after = sandbox.config.read_bytes()
    assert after == after_setup, "sync right after setup changed the file"
    check = sandbox.run("sync", "--inventory", inv, "--check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout == ""

    # no foreign byte lost: the original lines, in order
    assert is_subsequence(lines_of(original)[:-1] if original.endswith(b"\n")
                          else lines_of(original), lines_of(after))
    assert not after.startswith(BOM)
    body = original.removeprefix(BOM)
    if body.count(b"\n") and body.count(b"\r\n") == body.count(b"\n"):
        assert after.count(b"\n") == after.count(b"\r\n"), "bare LF in a CRLF file"
    if b"\r" not in original:
        assert b"\r" not in after
    # backup = the file before the last write
    assert (sandbox.aws / "config.ssogen.bak").read_bytes() == original

    # every section botocore read before reads the same, unless ssogen manages it
    parsed = botocore_parse(after, tmp_path / "after")
    assert parsed is not None, "botocore cannot read the result"
    for name, keys in before.items():
        if name in managed_sections(before):
            continue
        assert parsed.get(name) == keys, name

    # the intended profiles, as botocore routes them
    profile_map = botocore.configloader.build_profile_map(parsed)
    sessions = {n: s for n, s in profile_map["sso_sessions"].items()
                if s.get("sso_start_url", "").rstrip("/") == ACME_INVENTORY["start_url"]}
    assert len(sessions) == 1, sessions
    session = next(iter(sessions))
    generated = {(p["sso_account_id"], p["sso_role_name"]): name
                 for name, p in profile_map["profiles"].items()
                 if p.get("ssogen_managed") == "true" and p.get("sso_session") == session}
    hand = {(p.get("sso_account_id"), p.get("sso_role_name"))
            for p in profile_map["profiles"].values()
            if p.get("sso_session") == session and p.get("ssogen_managed") != "true"}
    wanted = {(a["id"], r) for a in ACME_INVENTORY["accounts"] for r in a["roles"]}
    stale = {(p["sso_account_id"], p["sso_role_name"])
             for p in (before or {}).values()
             if p.get("ssogen_managed") == "true" and p.get("sso_session") == session} - wanted
    assert set(generated) == (wanted - hand) | stale
    # every generated name is one shell/shlex token, and unique in botocore's eyes
    names = [s for s in parsed if s.startswith("profile ")]
    assert len({n.split(None, 1)[1] for n in names}) == len(names)
    for name in generated.values():
        assert re.fullmatch(r"[A-Za-z0-9._@+-]+", name), name


def test_reject_message_names_the_line(sandbox: Sandbox, acme_inventory: Path) -> None:
    sandbox.aws.mkdir()
    data = b"[default]\nregion = us-east-1\n\n[profile a]\nregion = x\nRegion = y\n"
    sandbox.config.write_bytes(data)
    proc = sandbox.run("setup", "--yes", "--inventory", str(acme_inventory))
    assert proc.returncode == 2
    assert f"{sandbox.config}:6: duplicate key 'region'" in proc.stderr
    assert sandbox.config.read_bytes() == data
    # and configparser (what botocore uses) agrees that this file is broken
    with pytest.raises(configparser.Error):
        configparser.RawConfigParser().read_string(data.decode())


LEGACY_URL = "https://legacy.awsapps.com/start"


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_migrate_legacy_on_real_files(path: Path, tmp_path: Path) -> None:
    """--migrate-legacy for a session whose start URL a corpus profile uses in the legacy form
    (59: `legacy-sso`): that profile trades sso_start_url/sso_region for sso_session, every
    other section botocore read stays as it read it, every other line stays in order; the
    next run changes nothing."""
    from ssogen.app.generate import generate
    from ssogen.errors import ConfigFileError
    from ssogen.model.inventory import Account, Inventory
    from ssogen.model.settings import Settings

    original = path.read_bytes()
    before = botocore_parse(original.removeprefix(BOM), tmp_path / "before")
    config = tmp_path / "config"
    config.write_bytes(original)
    inv = Inventory("legacy", LEGACY_URL, "us-east-1",
                    [Account("123456789012", "Legacy", "", ["ReadOnlyAccess", "Admin"])])
    opts = Settings("legacy", LEGACY_URL, "us-east-1")
    if before is None:
        with pytest.raises(ConfigFileError):
            generate(config, opts, inv, migrate=True)
        assert config.read_bytes() == original
        return
    result = generate(config, opts, inv, migrate=True)
    after = config.read_bytes()
    parsed = botocore_parse(after, tmp_path / "after")
    assert parsed is not None
    migrated = {p.name for p in result.plan.profiles if p.action == "migrate"}
    if path.name == "59_realistic_team.cfg":
        assert migrated == {"legacy-sso"}
    for name, keys in before.items():
        if name.removeprefix("profile ") in migrated:
            want = {k: v for k, v in keys.items() if k not in ("sso_start_url", "sso_region")}
            assert parsed[name] == {**want, "sso_session": "legacy"}
            assert "ssogen_managed" not in parsed[name]
        else:
            assert parsed[name] == keys, name
    legacy_lines = {f"sso_start_url = {LEGACY_URL}", "sso_region = us-east-1"}
    kept = [ln for ln in lines_of(original) if not (migrated and ln in legacy_lines)]
    if original.endswith(b"\n"):
        kept = kept[:-1]
    assert is_subsequence(kept, lines_of(after))
    for migrate in (False, True):
        assert not generate(config, opts, inv, mode="check", migrate=migrate).changed


def _comments(data: bytes) -> list[str]:
    return [ln.strip() for ln in lines_of(data) if ln.strip().startswith(("#", ";"))]


def _longest_blank_run(data: bytes) -> int:
    run = best = 0
    for line in lines_of(data)[:-1]:
        run = run + 1 if not line.strip() else 0
        best = max(best, run)
    return best


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_prune_keeps_every_comment(path: Path, sandbox: Sandbox, acme_inventory: Path,
                                   tmp_path: Path) -> None:
    """`sync --prune` down to one role: the profiles ssogen manages go (those it generated and
    those the file had), every comment line of the file -- above, inside or between them --
    stays, in order; no run of blank lines grows; the next prune changes nothing."""
    original = path.read_bytes()
    if botocore_parse(original.removeprefix(BOM), tmp_path / "before") is None:
        return
    sandbox.aws.mkdir()
    sandbox.config.write_bytes(original)
    sandbox.run("setup", "--yes", "--inventory", str(acme_inventory), check=True)
    after_setup = sandbox.config.read_bytes()
    small = tmp_path / "small.json"
    data = dict(ACME_INVENTORY, accounts=[dict(ACME_INVENTORY["accounts"][1])])
    small.write_text(__import__("json").dumps(data))
    proc = sandbox.run("sync", "--inventory", str(small), "--prune", check=True)
    after = sandbox.config.read_bytes()
    assert is_subsequence(_comments(original), _comments(after)), proc.stderr
    assert _comments(after) == _comments(after_setup)  # ssogen writes no comments itself
    assert _longest_blank_run(after) <= max(_longest_blank_run(original), 1)
    parsed = botocore_parse(after, tmp_path / "after")
    assert parsed is not None
    managed = {(k.get("sso_account_id"), k.get("sso_role_name")) for k in parsed.values()
               if k.get("ssogen_managed") == "true" and k.get("sso_session") == "acme"}
    assert managed <= {("222222222222", "AdministratorAccess")}
    if path.name == "61_prune_comments.cfg":
        assert "pruned profile prod-administrator-access had keys you added: mfa_serial" \
            in proc.stderr
        assert (b"# this block documents [profile prod-administrator-access]\n"
                b"; why: on-call rota\n# trailing comment inside prod admin\n\n"
                b"# ==== Team B: search (owner: bob) ====\n[profile search]\n") in after
    again = sandbox.run("sync", "--inventory", str(small), "--prune", check=True)
    assert sandbox.config.read_bytes() == after, again.stderr
    assert sandbox.run("sync", "--inventory", str(small), "--check").returncode == 0
