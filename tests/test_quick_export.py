"""The quick path of ``export-credentials`` (ssogen.app.quick_export): a cached answer that
needs neither argparse nor the config's parse, trusted only for the exact bytes of the config
the full path answered from -- so an edit can never make a profile print another account's
credentials -- and printing exactly what the full path prints."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from ssogen.app.quick_export import answer
from ssogen.store import export_index

ACCOUNT, ROLE = "210987654321", "ReadOnlyAccess"  # [profile acme-ro] of the acme_ro fixture
OTHER_ACCOUNT = "345678901234"  # also has ReadOnlyAccess; same length as ACCOUNT
INDEX = export_index.NAME
ENTRY = "a" * 40 + ".json"


def export(sandbox, *extra: str, fmt: str = "process") -> str:  # type: ignore[no-untyped-def]
    proc = sandbox.run("export-credentials", "--profile", "acme-ro", "--format", fmt, *extra)
    assert proc.returncode == 0, proc.stderr
    return str(proc.stdout)


def fetched(emu) -> int:  # type: ignore[no-untyped-def]
    return int(emu.stats()["requests"]["GetRoleCredentials"])


def modules_of_a_run(sandbox, *words: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The modules a run of ``ssogen WORDS`` imported, of those a cached answer must not."""
    code = ("import os, sys\nfrom ssogen.cli import main\n"
            "sys.stdout = open(os.devnull, 'w')  # the credentials: not this test's output\n"
            f"assert main({list(words)!r}) == 0\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('argparse', "
            "'dataclasses', 'pathlib', 'logging', 'typing', 'inspect', 'boto3', 'botocore', "
            "'hashlib', 'configupdater') or m.startswith(('ssogen.inifile', "
            "'ssogen.app.credentials', 'ssogen.ui', 'ssogen.commands'))), file=sys.stderr)\n")
    proc = sandbox.python(code)
    assert proc.returncode == 0, proc.stderr
    return list(json.loads(proc.stderr.strip().replace("'", '"')))


def test_a_cached_answer_imports_neither_argparse_nor_the_config_model(acme_ro) -> None:  # type: ignore[no-untyped-def]
    sandbox, emu = acme_ro
    words = ["export-credentials", "--profile", "acme-ro", "--format", "process"]
    full = modules_of_a_run(sandbox, *words)  # the first call: the full path, which records
    assert "argparse" in full and "ssogen.app.credentials" in full
    assert modules_of_a_run(sandbox, *words) == []
    assert fetched(emu) == 1


def test_the_quick_answer_is_the_full_answer_in_every_format(acme_ro) -> None:  # type: ignore[no-untyped-def]
    sandbox, emu = acme_ro
    export(sandbox)  # cached, and recorded in the index
    for fmt in ("env", "powershell", "json", "process"):
        quick = export(sandbox, fmt=fmt)
        full = export(sandbox, "-v", fmt=fmt)  # -v is not a plain form: the full path
        assert quick == full
    assert fetched(emu) == 1


@pytest.mark.role_credentials_in_output  # the test compares two profiles' credentials
def test_an_edit_of_the_same_size_and_time_is_a_miss(acme_ro) -> None:  # type: ignore[no-untyped-def]
    """The profile now names another account: the answer is that account's credentials, even
    when the edit keeps the file's size and modification time."""
    sandbox, emu = acme_ro
    before = json.loads(export(sandbox))
    st = sandbox.config.stat()
    text = sandbox.config.read_text()
    assert text.count(ACCOUNT) == 1
    with open(sandbox.config, "r+") as fh:  # in place: same inode, same size
        fh.write(text.replace(ACCOUNT, OTHER_ACCOUNT))
    os.utime(sandbox.config, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (sandbox.config.stat().st_size, sandbox.config.stat().st_mtime_ns) == (
        st.st_size, st.st_mtime_ns)
    after = json.loads(export(sandbox))
    assert fetched(emu) == 2 and after["AccessKeyId"] != before["AccessKeyId"]
    entries = {json.loads(p.read_text())["Credentials"]["AccountId"]:
               json.loads(p.read_text())["Credentials"]["AccessKeyId"]
               for p in (sandbox.aws / "cli" / "cache").glob("[0-9a-f]*.json")}
    assert entries == {ACCOUNT: before["AccessKeyId"], OTHER_ACCOUNT: after["AccessKeyId"]}
    assert json.loads(export(sandbox)) == after and fetched(emu) == 2  # recorded anew


def test_the_index_is_private_and_holds_no_secret(acme_ro) -> None:  # type: ignore[no-untyped-def]
    sandbox, _ = acme_ro
    creds = json.loads(export(sandbox))
    index = sandbox.aws / "cli" / "cache" / INDEX
    assert stat.S_IMODE(index.stat().st_mode) == 0o600
    text = index.read_text()
    for secret in (creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]):
        assert secret not in text
    data = json.loads(text)
    assert list(data["configs"]) == [str(sandbox.config)]
    assert list(data["configs"][str(sandbox.config)]["profiles"]) == ["acme-ro"]


def test_two_config_files_in_turn_both_answer_quickly(acme_ro) -> None:  # type: ignore[no-untyped-def]
    sandbox, emu = acme_ro
    second = sandbox.aws / "config-b"
    second.write_text(sandbox.config.read_text().replace(ACCOUNT, OTHER_ACCOUNT))
    export(sandbox)
    export(sandbox, "--config", str(second))
    assert fetched(emu) == 2
    for _ in range(2):
        assert modules_of_a_run(sandbox, "export-credentials", "--profile", "acme-ro") == []
        assert modules_of_a_run(sandbox, "export-credentials", "--profile", "acme-ro",
                                "--config", str(second)) == []
    assert fetched(emu) == 2


def test_a_symlink_at_the_index_is_never_written_through(acme_ro, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sandbox, _ = acme_ro
    victim = tmp_path / "victim"
    victim.write_text("mine\n")
    folder = sandbox.aws / "cli" / "cache"
    folder.mkdir(parents=True)
    (folder / INDEX).symlink_to(victim)
    creds = json.loads(export(sandbox))  # the credentials are fine; the index is not written
    assert creds["AccessKeyId"] and victim.read_text() == "mine\n"
    assert (folder / INDEX).is_symlink()


def test_a_usage_error_is_still_the_parsers(acme_ro) -> None:  # type: ignore[no-untyped-def]
    sandbox, _ = acme_ro
    export(sandbox)
    proc = sandbox.run("export-credentials", "--profile", "acme-ro", "--format", "yaml")
    assert proc.returncode == 2 and proc.stdout == ""
    assert "invalid choice: 'yaml'" in proc.stderr


@pytest.fixture
def recorded(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """A HOME whose index and cache entry answer ``--profile acme-ro`` of ``config``."""
    from datetime import datetime, timedelta, timezone

    monkeypatch.setenv("HOME", str(tmp_path))
    folder = tmp_path / ".aws" / "cli" / "cache"
    folder.mkdir(parents=True)
    config = tmp_path / "config"
    config.write_bytes(b"[profile acme-ro]\n")
    when = (datetime.now(timezone.utc) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    (folder / ENTRY).write_text(json.dumps({"ProviderType": "sso", "Credentials": {
        "AccessKeyId": "ASIAQUICK", "SecretAccessKey": "s", "SessionToken": "t",
        "Expiration": when}}))
    export_index.remember(str(folder), str(config), config.read_bytes(), "acme-ro", ENTRY)
    return str(config)


@pytest.mark.parametrize("words", [
    ["--profile", "acme-ro"], ["--profile=acme-ro"], ["--format", "json", "--profile", "acme-ro"],
    ["--profile", "acme-ro", "--format=env"],
])
def test_the_plain_forms_are_answered(words: list[str], recorded: str) -> None:
    text = answer(words, recorded)
    assert text is not None and "ASIAQUICK" in text
    assert answer([*words, "--config", recorded], "/nonexistent") == text


@pytest.mark.parametrize("words", [
    [], ["--profile"], ["--prof", "acme-ro"], ["--profile", "acme-ro", "--profile", "acme-ro"],
    ["-v", "--profile", "acme-ro"], ["--profile", "-x"], ["--profile=acme-ro", "extra"],
    ["--format", "process"], ["--profile", "acme-ro", "--format", "yaml"],
    ["--profile", "acme-ro", "--no-color"], ["--profile="], ["--profile", "acme-rw"],
    ["--profile", "acme-ro", "--config", "/nonexistent"],
])
def test_anything_but_the_plain_forms_goes_the_full_way(words: list[str], recorded: str) -> None:
    assert answer(words, recorded) is None


def test_an_expiring_or_missing_entry_goes_the_full_way(recorded: str) -> None:
    folder = Path(os.environ["HOME"]) / ".aws" / "cli" / "cache"
    data = json.loads((folder / ENTRY).read_text())
    data["Credentials"]["Expiration"] = "2020-01-01T00:00:00Z"
    (folder / ENTRY).write_text(json.dumps(data))
    assert answer(["--profile", "acme-ro"], recorded) is None
    (folder / ENTRY).unlink()
    assert answer(["--profile", "acme-ro"], recorded) is None


def test_lookup_follows_only_entry_names_of_the_exact_bytes(tmp_path: Path) -> None:
    folder, config, raw = str(tmp_path), str(tmp_path / "config"), b"[profile p]\n"
    export_index.remember(folder, config, raw, "p", ENTRY)
    assert export_index.lookup(folder, config, raw, "p") == os.path.join(folder, ENTRY)
    assert export_index.lookup(folder, config, raw + b"\n", "p") is None  # other bytes
    assert export_index.lookup(folder, config, b"\xef\xbb\xbf" + raw, "p") is None  # a BOM
    assert export_index.lookup(folder, config + "x", raw, "p") is None  # another file
    assert export_index.lookup(folder, config, raw, "q") is None  # another profile
    index = tmp_path / INDEX
    data = json.loads(index.read_text())
    for hostile in ("../../etc/passwd", "/etc/passwd", "A" * 40 + ".json", ENTRY + "/x", 7):
        data["configs"][config]["profiles"]["p"] = hostile
        index.write_text(json.dumps(data))
        assert export_index.lookup(folder, config, raw, "p") is None
    for broken in ("{", "[]", json.dumps({"version": 2, "configs": {}}),
                   json.dumps({"version": 1, "configs": []})):
        index.write_text(broken)
        assert export_index.lookup(folder, config, raw, "p") is None


def test_remember_keeps_the_last_configs_and_replaces_old_bytes(tmp_path: Path) -> None:
    folder = str(tmp_path)
    for i in range(export_index.MAX_CONFIGS + 4):
        export_index.remember(folder, f"/c/{i}", b"x", "p", ENTRY)
    kept = list(json.loads((tmp_path / INDEX).read_text())["configs"])
    assert kept == [f"/c/{i}" for i in range(4, export_index.MAX_CONFIGS + 4)]
    export_index.remember(folder, "/c/5", b"x", "q", "b" * 40 + ".json")  # used again: last
    configs = json.loads((tmp_path / INDEX).read_text())["configs"]
    assert list(configs)[-1] == "/c/5" and set(configs["/c/5"]["profiles"]) == {"p", "q"}
    export_index.remember(folder, "/c/5", b"y", "p", ENTRY)  # new bytes: old names dropped
    configs = json.loads((tmp_path / INDEX).read_text())["configs"]
    assert configs["/c/5"]["profiles"] == {"p": ENTRY}
    mtime = (tmp_path / INDEX).stat().st_mtime_ns
    export_index.remember(folder, "/c/5", b"y", "p", ENTRY)  # nothing new: not written
    assert (tmp_path / INDEX).stat().st_mtime_ns == mtime


@pytest.mark.role_credentials_in_output  # the test compares two configs' credentials
def test_a_path_through_a_symlink_and_dots_reads_what_the_full_path_reads(acme_ro) -> None:  # type: ignore[no-untyped-def]
    """``u/link/../config`` is ``real/config`` to the system (the link is followed before the
    ``..``) but ``u/config`` when spelled absolute: the index key. The quick path reads the
    path as given, so a record of ``u/config``'s bytes never answers for ``real/config``."""
    sandbox, emu = acme_ro
    base = sandbox.aws.parent
    (base / "u").mkdir()
    (base / "real" / "sub").mkdir(parents=True)
    text = sandbox.config.read_text()
    (base / "u" / "config").write_text(text)
    (base / "real" / "config").write_text(text.replace(ACCOUNT, OTHER_ACCOUNT))
    (base / "u" / "link").symlink_to(base / "real" / "sub")
    tricky = str(base / "u" / "link" / ".." / "config")
    assert export_index.config_key(tricky) == str(base / "u" / "config")
    first = json.loads(export(sandbox, "--config", str(base / "u" / "config")))
    assert json.loads(export(sandbox, "--config", str(base / "u" / "config"))) == first
    assert fetched(emu) == 1  # recorded, and answered quickly
    other = json.loads(export(sandbox, "--config", tricky))
    assert fetched(emu) == 2 and other["AccessKeyId"] != first["AccessKeyId"]
    entry = next(p for p in (sandbox.aws / "cli" / "cache").glob("[0-9a-f]*.json")
                 if json.loads(p.read_text())["Credentials"]["AccountId"] == OTHER_ACCOUNT)
    assert json.loads(entry.read_text())["Credentials"]["AccessKeyId"] == other["AccessKeyId"]


def test_an_index_another_ssogen_wrote_is_a_miss(tmp_path: Path) -> None:
    folder, config, raw = str(tmp_path), str(tmp_path / "config"), b"[profile p]\n"
    export_index.remember(folder, config, raw, "p", ENTRY)
    assert export_index.lookup(folder, config, raw, "p") is not None
    index = tmp_path / INDEX
    data = json.loads(index.read_text())
    data["ssogen"] = "0.0.0-another"
    index.write_text(json.dumps(data))
    assert export_index.lookup(folder, config, raw, "p") is None
    export_index.remember(folder, config, raw, "p", ENTRY)  # this version's, anew
    assert export_index.lookup(folder, config, raw, "p") is not None
