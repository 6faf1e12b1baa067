"""Properties over generated config files (comments, blank runs, nested values, CRLF, BOM,
missing final newline, foreign sections, hand-written look-alikes, the odd broken file):

* an empty plan is a byte-identical no-op;
* ssogen refuses exactly the files botocore refuses, and leaves them untouched;
* applying twice changes nothing the second time (``check`` finds no drift);
* no foreign byte is lost, on every run (pruning and renaming included): every line outside
  the sections ssogen manages stays, in order; CRLF stays CRLF;
* botocore reads the result as exactly the intended ssogen-managed profiles (set equality),
  every other section unchanged;
* a later run with a different inventory and ``prune`` converges the same way.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import botocore.configloader
import botocore.exceptions
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import botocore_sections
from ssogen.app.generate import generate
from ssogen.errors import ConfigFileError
from ssogen.inifile.document import ConfigDocument
from ssogen.model.inventory import Account, Inventory
from ssogen.model.settings import Settings
from ssogen.model.starturl import same_start_url
from ssogen.planning.plan import Plan

URL = "https://acme.awsapps.com/start"
IDS = ["111111111111", "222222222222", "333333333333"]
ROLES = ["AdministratorAccess", "ReadOnlyAccess", "Billing"]
# CI runs 150 examples per property; SSOGEN_EXAMPLES=2000 for a longer hunt
PROPS = settings(max_examples=int(os.environ.get("SSOGEN_EXAMPLES", "150")), deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

_text = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FF,
                                       blacklist_categories=("Cs", "Cc")), max_size=12)
_value = _text.filter(lambda v: v.strip() == v)
_comment = st.builds(lambda p, t: f"{p}{t}", st.sampled_from(["#", ";", "# ", "; ", "  # "]),
                     _text)
_blank = st.sampled_from(["", "", "  ", "\t"])
_name = st.from_regex(r"[a-z][a-z0-9-]{0,6}", fullmatch=True)
_KEYS = ["region", "output", "role_arn", "source_profile", "cli_pager", "mfa_serial",
         "credential_process", "duration_seconds"]


@st.composite
def sections(draw: st.DrawFn) -> tuple[str, list[str]]:
    kind = draw(st.sampled_from(["default", "profile", "profile", "sso-session", "services",
                                 "plugins", "hand-sso", "clash", "odd-header", "managed",
                                 "managed", "remembered", "legacy"]))
    name = draw(_name)
    header = {"default": "default", "profile": f"profile {name}",
              "sso-session": f"sso-session {name}", "services": f"services {name}",
              "plugins": "plugins", "hand-sso": f"profile {name}",
              "managed": f"profile {name}", "remembered": "ssogen acme",
              "legacy": f"profile {name}",
              "clash": "profile " + draw(st.sampled_from(
                  ["prod-administrator-access", "dev-read-only-access", "default"])),
              "odd-header": draw(st.sampled_from([f"profile  {name} ", f"profilegen {name}",
                                                  f"Default {name}"]))}[kind]
    body: list[str] = []
    keys = draw(st.lists(st.sampled_from(_KEYS), unique=True, max_size=4))
    if kind in ("hand-sso", "managed"):
        body += ["sso_session = acme", f"sso_account_id = {draw(st.sampled_from(IDS))}",
                 f"sso_role_name = {draw(st.sampled_from(ROLES))}"]
        if kind == "managed":
            body.append(draw(st.sampled_from(["ssogen_managed = true", "ssogen_managed=True"])))
    if kind == "legacy":  # the pre-[sso-session] form, some for another portal or region
        url = draw(st.sampled_from([URL, URL + "/", URL + "#/", "https://ACME.awsapps.com/start",
                                    "https://other.awsapps.com/start"]))
        body += [f"sso_start_url{draw(st.sampled_from([' = ', '=']))}{url}",
                 *draw(st.lists(_comment, max_size=1)),
                 f"sso_region = {draw(st.sampled_from(['eu-west-1', 'eu-west-1', 'us-east-1']))}",
                 f"sso_account_id = {draw(st.sampled_from(IDS))}",
                 f"sso_role_name = {draw(st.sampled_from(ROLES))}"]
    if kind == "managed" and draw(st.booleans()):
        # a value ssogen wrote (the remembered default or not), maybe with the user's note:
        # a default changed through ssogen rewrites or deletes it
        keys = [k for k in keys if k != "region"]
        body.append(f"region = {draw(st.sampled_from(['eu-west-1', 'us-east-2']))}")
        body += draw(st.lists(st.sampled_from(["  # my note on region", "; why"]), max_size=1))
    if kind == "remembered":
        keys = []
        body += [f"region = {draw(st.sampled_from(['eu-west-1', 'us-east-2']))}",
                 "name_template = account-role"]
    for key in keys:
        sep = draw(st.sampled_from([" = ", "=", " =", ": "]))
        body.append(f"{key}{sep}{draw(_value)}")
        body += draw(st.lists(st.one_of(_comment, _blank), max_size=2))
    if draw(st.booleans()):
        body += ["s3 =", f"  max_concurrent_requests = {draw(st.integers(1, 99))}",
                 *draw(st.lists(st.sampled_from(["", "  # nested comment"]), max_size=2)),
                 "  addressing_style = path"]
    trailer = draw(st.lists(st.one_of(_comment, _blank), max_size=3))
    note = draw(st.sampled_from(["", "", " ; header note"]))
    return header, [f"[{header}]{note}", *body, *trailer]


@st.composite
def config_files(draw: st.DrawFn, max_sections: int = 6) -> bytes:
    lines = list(draw(st.lists(st.one_of(_comment, _blank), max_size=3)))
    seen: set[str] = set()
    for header, block in draw(st.lists(sections(), max_size=max_sections)):
        if header in seen:
            continue
        seen.add(header)
        lines += block
    defect = draw(st.sampled_from([None] * 10 + ["dup-key", "stray", "dup-section"]))
    if defect == "dup-key" and seen:
        lines += ["[zz]", "Region = a", "region = b"]
    elif defect == "stray" and seen:
        lines.append("just words")
    elif defect == "dup-section" and seen:
        lines.append(f"[{next(iter(seen))}]")
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    text = eol.join(lines)
    if lines and draw(st.booleans()):
        text += eol
    data = text.encode("utf-8")
    if draw(st.integers(0, 9)) == 0:
        data = b"\xef\xbb\xbf" + data
    return data


@st.composite
def inventories(draw: st.DrawFn) -> Inventory:
    accounts = []
    for acc_id in draw(st.lists(st.sampled_from(IDS), unique=True, min_size=1, max_size=3)):
        name = draw(st.one_of(st.sampled_from(["Prod", "Dev", "Dev", " [x] ", "Zoë#1"]), _text))
        roles = draw(st.lists(st.sampled_from(ROLES), unique=True, min_size=1, max_size=3))
        accounts.append(Account(acc_id, name, "", roles))
    return Inventory("acme", URL, "eu-west-1", accounts)


@st.composite
def option_sets(draw: st.DrawFn) -> Settings:
    return Settings("acme", URL, "eu-west-1",
                    region=draw(st.sampled_from([None, "eu-west-1", "us-east-2"])),
                    output=draw(st.sampled_from([None, "json"])),
                    name_template=draw(st.sampled_from(["account-role", "aws-cli",
                                                       "account.role", "role-account"])))


def botocore_read(data: bytes, path: Path) -> dict | None:
    path.write_bytes(data)
    return botocore_sections(path)


def lines(data: bytes) -> list[str]:
    return [x.removesuffix("\r") for x in data.decode().removeprefix("\ufeff").split("\n")]


def subsequence(small: list[str], big: list[str]) -> bool:
    it = iter(big)
    return all(any(x == y for y in it) for x in small)


def managed_keys(parsed: dict) -> set[str]:
    return {k for k, v in parsed.items()
            if str(v.get("ssogen_managed", "")).lower() == "true" or k.startswith("ssogen ")}


def foreign_lines(data: bytes, parsed: dict) -> list[str]:
    """Every line of the file not inside a section ssogen manages (``parsed``: what botocore
    read from it), in order: the lines before the first section, and every line from a
    foreign section's header up to the next header -- which includes the comments and blank
    lines directly above a managed section. Blank lines at the very end are left out: when
    the last section is pruned the file ends where it began, without dangling blank lines."""
    owned = managed_keys(parsed)
    out: list[str] = []
    inside_managed = False
    text = lines(data)
    if data.endswith(b"\n"):
        text = text[:-1]
    for line in text:
        if line.startswith("["):
            header = line[1:line.rindex("]")] if "]" in line else ""
            inside_managed = header in owned
        if not inside_managed:
            out.append(line)
    while out and not out[-1].strip():
        out.pop()
    return out


def comment_lines(data: bytes) -> list[str]:
    """Every comment of the file, in order: comment lines, and notes after a section header
    (``[profile x] ; note``), which stay as a comment line when their section is pruned."""
    out = []
    for line in lines(data):
        text = line.strip()
        if text.startswith("[") and "]" in text:
            text = text[text.rindex("]") + 1:].strip()
        if text.startswith(("#", ";")):
            out.append(text)
    return out


def session_profiles(parsed: dict, session: str) -> tuple[list[tuple[str, str]],
                                                          set[tuple[str, str]]]:
    """(account, role) of every ssogen-managed profile of ``session`` (a list: duplicates
    show), and the set of those of its hand-written profiles: every section botocore routes
    to a profile, also one a later section of the same name shadows."""
    import shlex

    mine, hand = [], set()
    for header, p in parsed.items():
        if not header.startswith("profile"):
            continue
        try:
            parts = shlex.split(header)
        except ValueError:
            continue
        if len(parts) != 2:
            continue
        name = parts[1]
        if p.get("sso_session") != session or name == "default":
            continue  # ssogen never manages or counts [default] / [profile default]
        key = (p.get("sso_account_id"), p.get("sso_role_name"))
        if p.get("ssogen_managed", "").strip().lower() == "true":
            mine.append(key)
            assert "[" not in name and " " not in name
        elif not ("role_arn" in p and "source_profile" in p):
            # (with role_arn and source_profile, even empty, botocore assumes a role: such a
            # profile does not give the SSO role's credentials, so it covers no pair)
            hand.add(key)
    return mine, hand


def check_result(before_raw: bytes, after: bytes, result_session: str, settings_: Settings,
                 inventory: Inventory, tmp: Path, *, prune: bool) -> None:
    """Everything that must hold after a successful write."""
    before = botocore_read(before_raw.removeprefix(b"\xef\xbb\xbf"), tmp / "before")
    assert before is not None
    parsed = botocore_read(after, tmp / "after")
    assert parsed is not None, "botocore cannot read the result"
    assert not after.startswith(b"\xef\xbb\xbf")
    body = before_raw.removeprefix(b"\xef\xbb\xbf")
    if body.count(b"\n") and body.count(b"\r\n") == body.count(b"\n"):
        assert after.count(b"\n") == after.count(b"\r\n")
    if b"\r" not in before_raw:
        assert b"\r" not in after
    # no foreign byte lost, on every run (also when managed sections are renamed or pruned):
    # every line outside the sections ssogen manages survives, in order
    assert subsequence(foreign_lines(before_raw, before), lines(after))
    # and no comment line at all disappears, not even one inside a managed or pruned profile
    assert subsequence(comment_lines(before_raw), comment_lines(after))
    for name, keys in before.items():
        if name not in managed_keys(before):
            assert parsed.get(name) == keys, name
    pm = botocore.configloader.build_profile_map(parsed)
    session = pm["sso_sessions"][result_session]
    assert same_start_url(session["sso_start_url"], URL)
    # botocore reads exactly the intended ssogen-managed profiles: one per wanted pair that
    # no hand-written profile of the session covers, plus (without prune) the stale ones --
    # those no longer wanted and those that duplicate a hand-written profile (the user's
    # profile wins: ssogen's copy goes stale, and --prune removes it)
    from ssogen.planning.naming import wanted_pairs

    wanted = {(a.id, r) for a, r in wanted_pairs(settings_, inventory)}
    mine, hand = session_profiles(parsed, result_session)
    old_mine, _ = session_profiles(before, result_session)
    expected = {w for w in wanted if w not in hand}
    if not prune:
        expected |= {k for k in old_mine if k not in wanted or k in hand}
    assert set(mine) == expected
    if prune:
        assert len(mine) == len(expected)  # no duplicate left either


@PROPS
@given(config_files())
def test_empty_plan_is_a_byte_identical_no_op(data: bytes) -> None:
    try:
        d = ConfigDocument(data, "cfg")
    except ConfigFileError:
        return
    d.apply(Plan(session="acme"))
    assert d.encode() == data.removeprefix(b"\xef\xbb\xbf")
    assert (d.diff() == "") == (not data.startswith(b"\xef\xbb\xbf"))


@PROPS
@given(config_files(), inventories(), option_sets(), inventories())
def test_generate_twice_converges_and_keeps_foreign_bytes(
        data: bytes, inventory: Inventory, opts: Settings, later: Inventory) -> None:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        path = tmp / "config"
        path.write_bytes(data)
        accepted = botocore_read(data.removeprefix(b"\xef\xbb\xbf"), tmp / "oracle")
        if accepted is None:
            event("botocore rejects the file")
            with pytest.raises(ConfigFileError):
                generate(path, opts, inventory)
            assert path.read_bytes() == data
            return
        try:
            first = generate(path, opts, inventory)
        except ConfigFileError:
            pytest.fail("ssogen refused a file botocore reads")
        except Exception as exc:  # session clash with a hand-written [sso-session acme]
            from ssogen.errors import UsageError

            assert isinstance(exc, UsageError) and "already points at" in exc.message
            event("[sso-session acme] with another start URL")
            assert path.read_bytes() == data
            return
        after = path.read_bytes()
        event(f"created {min(first.plan.created, 3)}+")
        event(f"updated {bool(first.plan.updated)}, stale {bool(first.plan.stale)}")
        assert first.written == (after != data) and first.changed == first.written
        check_result(data, after, first.plan.session, opts, inventory, tmp, prune=False)
        again = generate(path, opts, inventory, mode="check")
        assert not again.changed and again.diff == "" and path.read_bytes() == after

        # a later run: other accounts/roles, pruning stale ones
        second = generate(path, opts, later, prune=True)
        after2 = path.read_bytes()
        check_result(after, after2, second.plan.session, opts, later, tmp, prune=True)
        assert not generate(path, opts, later, prune=True, mode="check").changed
        # and the foreign lines of the original file are all still there after both runs
        original = botocore_read(data.removeprefix(b"\xef\xbb\xbf"), tmp / "original")
        assert subsequence(foreign_lines(data, original), lines(after2))


@PROPS
@given(config_files(), inventories(), option_sets())
def test_migrate_legacy_changes_only_their_two_keys_and_converges(
        data: bytes, inventory: Inventory, opts: Settings) -> None:
    """--migrate-legacy: a legacy profile for the session's start URL (verbatim or up to a
    trailing / or #/) and SSO region ends up with sso_session instead of sso_start_url and
    sso_region, every other key as it was; nothing else it has is lost; the next run (with or
    without the flag) changes nothing."""
    from ssogen.planning.legacy import legacy_matches

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        path = tmp / "config"
        path.write_bytes(data)
        before = botocore_read(data.removeprefix(b"\xef\xbb\xbf"), tmp / "oracle")
        if before is None:
            return
        try:
            result = generate(path, opts, inventory, migrate=True)
        except Exception as exc:
            from ssogen.errors import UsageError

            assert isinstance(exc, UsageError) and "already points at" in exc.message
            return
        after = path.read_bytes()
        parsed = botocore_read(after, tmp / "after")
        assert parsed is not None
        session = result.plan.session
        pm_before = botocore.configloader.build_profile_map(before)
        session_section = pm_before["sso_sessions"].get(session)
        url = session_section.get("sso_start_url", "") if session_section else URL
        region = session_section.get("sso_region", "") if session_section else "eu-west-1"
        migrated = set()
        for name, keys in before.items():
            if not name.startswith("profile ") and name != "default":
                continue
            legacy = ("sso_session" not in keys and keys.get("sso_start_url", "").strip()
                      and keys.get("sso_region", "").strip()
                      and keys.get("ssogen_managed", "").strip().lower() != "true")
            if legacy and legacy_matches(keys["sso_start_url"], url) and (
                    not region or keys["sso_region"].strip() == region.strip()):
                want = {k: v for k, v in keys.items() if k not in ("sso_start_url", "sso_region")}
                want["sso_session"] = session
                assert parsed.get(name) == want, name
                migrated.add(name)
            elif legacy:
                assert parsed.get(name) == keys, name  # another portal or region: untouched
        event(f"migrated {min(len(migrated), 2)}")
        assert result.plan.migrated == len(migrated)
        if b"ssogen_managed" not in data and b"[ssogen " not in data:
            # only the legacy keys' lines changed: everything else survives, in order
            original = [ln for ln in lines(data)
                        if not (migrated and ln.lstrip().startswith(("sso_start_url",
                                                                     "sso_region")))]
            if data.endswith(b"\n"):
                original = original[:-1]
            assert subsequence(original, lines(after))
        for migrate in (False, True):
            assert not generate(path, opts, inventory, mode="check", migrate=migrate).changed


@PROPS
@given(config_files(), inventories(), option_sets(), st.booleans())
def test_bytes_outside_the_edited_sections_are_copied_verbatim(
        data: bytes, inventory: Inventory, opts: Settings, prune: bool) -> None:
    """Issue 9: compare spans, not lines -- every section the plan does not edit (nor puts new
    sections after) reappears in the output as the very same characters, in the same order, and
    so does the text before the first section; and in the bytes written, as the very bytes
    the file had there (CRLF, non-ASCII and all; only a BOM is removed)."""
    from plankit import build_plan
    from ssogen.errors import UsageError

    try:
        doc = ConfigDocument(data, "cfg")
    except ConfigFileError:
        return
    try:
        plan = build_plan(doc.model, opts, inventory, prune=prune)
    except UsageError:  # a session clash: nothing is edited, nothing to compare
        return
    doc.apply(plan)
    out = doc.render()
    layout, decoded = doc.layout, doc.decoded
    touched = {e.index for e in plan.edits}
    if plan.anchor is not None:
        touched.add(plan.anchor)
    count = len(doc.model.sections)
    if count and count - 1 in {e.index for e in plan.edits if e.remove}:
        kept = [i for i in range(count) if i not in {e.index for e in plan.edits if e.remove}]
        touched.update(kept[-1:])  # its trailing blank lines go with the removed end
    assert out.startswith(layout.preamble)
    written = doc.encode()
    raw = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    preamble = layout.preamble.encode("utf-8")
    if not count and not decoded.final_newline:  # the decoder's added line break
        preamble = preamble[: -len(decoded.eol)]
    assert written.startswith(preamble) and raw.startswith(preamble)
    pos, at = len(layout.preamble), len(preamble)
    spans = 0
    for i in range(count):
        if i in touched:
            continue
        span = layout.chunk(i)
        if i == count - 1 and not decoded.final_newline:
            span = span[: -len(decoded.eol)]  # the line break the decoder added for parsing
        found = out.find(span, pos)
        assert found >= 0, (i, span, out)
        pos = found + len(span)
        needle = span.encode("utf-8")
        assert needle in raw, (i, needle)  # the file's own bytes for that section ...
        hit = written.find(needle, at)  # ... are in what is written, in order
        assert hit >= 0, (i, needle, written)
        at = hit + len(needle)
        spans += 1
    event(f"{min(spans, 5)}+ untouched sections")


def _shown(text: str) -> list[str]:
    """``text`` as a diff shows it: its lines with LF endings, a BOM as ``<U+FEFF>``."""
    return text.replace("\ufeff", "<U+FEFF>").replace("\r\n", "\n").splitlines(True)


def _patched(old: list[str], diff: str, new_size: int, *, old_missing: bool,
             new_missing: bool) -> tuple[list[str], int]:
    """``old`` with the unified ``diff`` applied, checking every hunk on the way: its header's
    ranges, that its context and removed lines are ``old``'s, that its context is as
    ``difflib.unified_diff`` puts it (3 lines at each edge unless the file ends there, at most
    6 between two changes, none left out between two hunks), and that "no newline at end of
    file" follows exactly the last line of a side missing one. Returns the new lines and the
    number of hunks."""
    import re

    lines = diff.splitlines(True)
    assert lines[:2] == ["--- cfg\n", "+++ cfg (ssogen)\n"], lines[:2]
    out: list[str] = []
    at = 0  # lines of old copied or consumed so far
    hunks = 0
    k = 2
    while k < len(lines):
        m = re.fullmatch(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@\n", lines[k])
        assert m, lines[k]
        a_len, b_len = int(m[2] or 1 if m[2] != "0" else 0), int(m[4] or 1 if m[4] != "0" else 0)
        start = int(m[1]) - 1 if a_len else int(m[1])  # an empty range names the line before
        assert start > at if hunks else start >= at, (start, at)  # hunks apart, in order
        out += old[at:start]
        assert (int(m[3]) - 1 if b_len else int(m[3])) == len(out)
        at = start
        hunks += 1
        k += 1
        body: list[str] = []
        while k < len(lines) and not lines[k].startswith("@@"):
            tag, line = lines[k][0], lines[k][1:]
            k += 1
            if tag == "\\":
                assert line == " No newline at end of file\n"
                assert (body[-1] in " -" and at == len(old) and old_missing) \
                    or (body[-1] in " +" and len(out) == new_size and new_missing), body
                continue
            assert tag in " -+", tag
            if tag in " -":
                assert old[at] == line, (at, old[at], line)
                at += 1
                if at == len(old) and old_missing:  # the marker follows it
                    assert lines[k:k + 1] == ["\\ No newline at end of file\n"], lines[k:]
            if tag in " +":
                out.append(line)
                if len(out) == new_size and new_missing:  # the marker follows it
                    assert lines[k:k + 1] == ["\\ No newline at end of file\n"], lines[k:]
            body.append(tag)
        assert body.count("-") + body.count(" ") == a_len
        assert body.count("+") + body.count(" ") == b_len
        changes = [i for i, t in enumerate(body) if t != " "]
        assert changes, body  # a hunk shows a change
        lead, trail = changes[0], len(body) - 1 - changes[-1]
        assert lead == 3 or start == 0, (lead, start)  # 3 lines, or all from line 1
        assert trail == 3 or (at == len(old) and len(out) == new_size), (trail, body)
        gaps = "".join(body).replace("-", "x").replace("+", "x").strip(" ").split("x")
        assert all(len(gap) <= 6 for gap in gaps), body  # no hunk a split would make two
    return out + old[at:], hunks


@PROPS
@given(config_files(max_sections=14), inventories(), option_sets(), st.booleans())
def test_the_diff_is_a_unified_diff_that_turns_the_old_file_into_the_new(
        data: bytes, inventory: Inventory, opts: Settings, prune: bool) -> None:
    """The diff ``--check`` and ``--dry-run`` print, read back as a patch: applied to the file
    as read, it gives the file ssogen would write (line by line, CRLF shown as LF and a BOM as
    ``<U+FEFF>``), every hunk with difflib's ranges and context, a missing final line break
    marked where it is missing."""
    from plankit import build_plan
    from ssogen.errors import UsageError

    try:
        doc = ConfigDocument(data, "cfg")
        plan = build_plan(doc.model, opts, inventory, prune=prune)
    except (ConfigFileError, UsageError):
        return
    doc.apply(plan)
    old_text, new_text = doc.decoded.original, doc.render()
    diff = doc.diff()
    if old_text == new_text:
        assert diff == ""
        return
    old, new = _shown(old_text), _shown(new_text)
    old_missing = bool(old_text) and not old_text.endswith("\n")
    new_missing = bool(new_text) and not new_text.endswith("\n")
    for shown, missing in ((old, old_missing), (new, new_missing)):
        if missing:
            shown[-1] += "\n"  # shown with a line break, and marked as missing one
    patched, hunks = _patched(old, diff, len(new), old_missing=old_missing,
                              new_missing=new_missing)
    assert patched == new
    event(f"{min(hunks, 4)}+ hunks")


def test_a_hand_written_assume_role_profile_covers_no_sso_pair(tmp_path: Path) -> None:
    """Found by the property above: ``[profile a]`` names the session's account and role but
    also has ``role_arn`` and ``source_profile`` (empty), so botocore assumes a role with it
    and never hands out the SSO role's credentials: ssogen still writes the SSO profile, and
    leaves ``a`` as it was."""
    hand = (b"[profile a]\nsso_session = acme\nsso_account_id = 111111111111\n"
            b"sso_role_name = AdministratorAccess\nrole_arn = \nsource_profile = \n")
    path = tmp_path / "config"
    path.write_bytes(b"\xef\xbb\xbf" + hand)
    inventory = Inventory("acme", URL, "eu-west-1",
                          [Account("111111111111", "Prod", "", ["AdministratorAccess"])])
    result = generate(path, Settings(session="acme", start_url=URL, sso_region="eu-west-1"),
                      inventory)
    assert [e.name for e in result.plan.changes()["created"]] == ["prod-administrator-access"]
    assert path.read_bytes().startswith(hand)


def test_a_managed_copy_of_a_hand_written_profile_goes_stale_then_pruned(tmp_path: Path) -> None:
    """Found by the property above: ``[profile b]`` (yours) and ``[profile a]`` (ssogen's)
    for the same account/role: yours wins, ssogen's is kept as stale, ``--prune`` removes it."""
    data = (b"\xef\xbb\xbf[default]\n[profile b]\nsso_session = acme\nsso_account_id = "
            b"111111111111\nsso_role_name = AdministratorAccess\n[profile a]\nsso_session = "
            b"acme\nsso_account_id = 111111111111\nsso_role_name = AdministratorAccess\n"
            b"ssogen_managed = true")
    path = tmp_path / "config"
    path.write_bytes(data)
    inventory = Inventory("acme", URL, "eu-west-1",
                          [Account("111111111111", "Prod", "", ["AdministratorAccess"])])
    settings_ = Settings(session="acme", start_url=URL, sso_region="eu-west-1")
    first = generate(path, settings_, inventory)
    assert [e.name for e in first.plan.changes()["stale"]] == ["a"]
    assert any("'a'" in n and "'b'" in n for n in first.plan.notes)
    second = generate(path, settings_, inventory, prune=True)
    assert [e.name for e in second.plan.changes()["removed"]] == ["a"]
    assert b"[profile a]" not in path.read_bytes() and b"[profile b]" in path.read_bytes()


def _plans_with_and_without_the_kept_shortcut(model_text: bytes, opts: Settings,
                                              inventory: Inventory, prune: bool,
                                              ) -> tuple[Plan, Plan, int]:
    """build_plan as it runs, and with BlockTemplate.holds answering False (every managed
    profile rendered and compared key by key); how often holds answered True."""
    from unittest import mock

    from plankit import build_plan
    from ssogen.planning.templates import BlockTemplate

    model = ConfigDocument(model_text, "cfg").model
    real = BlockTemplate.holds
    hits = []

    def spy(self: BlockTemplate, ctx, options) -> bool:  # type: ignore[no-untyped-def]
        answer = real(self, ctx, options)
        hits.append(answer)
        return answer

    with mock.patch.object(BlockTemplate, "holds", spy):
        fast = build_plan(model, opts, inventory, prune=prune, source="cfg")
    with mock.patch.object(BlockTemplate, "holds", lambda self, ctx, options: False):
        full = build_plan(model, opts, inventory, prune=prune, source="cfg")
    return fast, full, sum(hits)


@PROPS
@given(config_files(), inventories(), option_sets(), option_sets(), inventories(),
       st.booleans())
def test_an_unchanged_profile_is_only_compared_and_planned_the_same(
        data: bytes, inventory: Inventory, opts: Settings, later_opts: Settings,
        later: Inventory, prune: bool) -> None:
    """A managed profile that already holds its block is kept without building the block:
    on a converged file planned again (other settings, other accounts and roles), the plan is
    the one the full comparison makes -- every edit, entry, note and new section."""
    with tempfile.TemporaryDirectory() as tmp_name:
        path = Path(tmp_name) / "config"
        path.write_bytes(data)
        try:
            generate(path, opts, inventory)
        except Exception:  # files botocore refuses, session clashes: other tests' business
            return
        converged = path.read_bytes()
    fast, full, hits = _plans_with_and_without_the_kept_shortcut(converged, later_opts, later,
                                                                 prune)
    event(f"kept without a block: {min(hits, 3)}+")
    assert fast == full


def test_the_kept_shortcut_is_taken_on_a_converged_file(tmp_path: Path) -> None:
    """The property above would hold with a shortcut never taken: here it is taken for every
    profile of a converged file, and not for the ones a new default changes."""
    path = tmp_path / "config"
    inventory = Inventory("acme", URL, "eu-west-1", [
        Account(i, n, "", list(ROLES)) for i, n in zip(IDS, ["Prod", "Dev", "Test"],
                                                       strict=True)])
    opts = Settings("acme", URL, "eu-west-1", region="eu-west-1", output="json")
    generate(path, opts, inventory)
    fast, full, hits = _plans_with_and_without_the_kept_shortcut(path.read_bytes(), opts,
                                                                 inventory, False)
    assert fast == full and fast.kept == hits == 9
    other = Settings("acme", URL, "eu-west-1", region="us-east-2", output="json")
    fast, full, hits = _plans_with_and_without_the_kept_shortcut(path.read_bytes(), other,
                                                                 inventory, False)
    assert fast == full and hits == 0 and fast.updated == 9
