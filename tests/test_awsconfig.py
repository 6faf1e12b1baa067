"""The configupdater layer: strict parsing like botocore, layout-preserving edits, diff."""

from __future__ import annotations

import difflib

import pytest

from ssogen.errors import ConfigFileError
from ssogen.inifile.document import ConfigDocument
from ssogen.inifile.model import NewSection, SectionEdit
from ssogen.planning.plan import Plan


def doc(text: str | bytes) -> ConfigDocument:
    return ConfigDocument(text if isinstance(text, bytes) else text.encode(), "cfg")


def index_of(d: ConfigDocument, header: str) -> int:
    return next(s.index for s in d.model.sections if s.header == header)


def edited(text: str | bytes, *edits: SectionEdit, new: list[NewSection] = (),
           anchor: str | None = None) -> tuple[str, ConfigDocument]:
    d = doc(text)
    plan = Plan(session="s", edits=list(edits), new_sections=list(new),
                anchor=index_of(d, anchor) if anchor else None)
    d.apply(plan)
    return d.encode().decode(), d


def edit(d_text: str, section: str, **kw: object) -> SectionEdit:
    return SectionEdit(index_of(doc(d_text), section), **kw)  # type: ignore[arg-type]


NEW = NewSection("profile new", [("sso_session", "s"), ("ssogen_managed", "true")])


@pytest.mark.parametrize("text, line, what", [
    ("[a]\nx = 1\n\n[a]\n", 4, "duplicate section [a]"),
    ("[a]\nx = 1\ny = 2\nx = 3\n", 4, "duplicate key 'x'"),
    ("[a]\nregion = 1\nRegion = 2\n", 3, "duplicate key 'region'"),
    ("[a]\nx = 1\nstray\n", 3, "cannot parse"),
    ("x = 1\n[a]\n", 1, "before any [section]"),
    ("[a]\ns3 =\n  k = v\n  # fine\n\n  oops\n", 6, "has no '='"),
    (b"[a]\nx = \xff\n", 2, "not UTF-8"),
    ("[a]\rx = 1\n", 1, "carriage return"),
])
def test_files_botocore_rejects_are_refused_with_the_line(text: str | bytes, line: int,
                                                          what: str) -> None:
    with pytest.raises(ConfigFileError) as exc:
        doc(text)
    assert exc.value.message.startswith(f"cfg:{line}: ")
    assert what in exc.value.message and "\n" not in exc.value.message


def test_empty_plan_is_byte_identical() -> None:
    for raw in (b"", b"[a]\r\nx = 1\r\n", b"# c\n[a]\nx=1", b"\n\n[a]\n\tx = 1\n\n\n"):
        d = doc(raw)
        d.apply(Plan(session="s"))
        assert d.encode() == raw and d.diff() == ""


def test_removed_section_leaves_every_comment_in_place() -> None:
    """Only the header and the key lines of a removed section go: the comments above it,
    inside it (also indented ones within a value) and the next section's heading stay where
    they were, as top-level comments (no comment may ever disappear)."""
    text = ("[default]\nregion = x\n\n# Team A heading\n# more about A\n[profile a]\nk = 1\n"
            "# trailing comment of a\n\n# Team B heading\n[profile b]\nk = 2\n")
    out, _ = edited(text, edit(text, "profile a", remove=True))
    assert out == ("[default]\nregion = x\n\n# Team A heading\n# more about A\n"
                   "# trailing comment of a\n\n# Team B heading\n[profile b]\nk = 2\n")
    out, _ = edited(text, edit(text, "profile b", remove=True))
    assert out == ("[default]\nregion = x\n\n# Team A heading\n# more about A\n[profile a]\n"
                   "k = 1\n# trailing comment of a\n\n# Team B heading\n")
    text = ("[x]\nk = 1\n\n; heading of a\n[profile a]\nsso_session = s\n; why: on-call\n"
            "s3 =\n  max_concurrent_requests = 2\n  # nested note\nregion = y\n\n[b]\n")
    out, _ = edited(text, edit(text, "profile a", remove=True))
    assert out == "[x]\nk = 1\n\n; heading of a\n; why: on-call\n  # nested note\n\n[b]\n"
    text = "[x]\nk = 1\n\n[profile a]  ; note on the header\r\nk = 1\r\n\n[b]\n"
    out, _ = edited(text, edit(text, "profile a", remove=True))
    assert out == "[x]\nk = 1\n\n; note on the header\r\n\n[b]\n"
    # nothing to keep: the section goes with its blank line, none is added
    text = "[x]\nk = 1\n\n[a]\nk = 1\n\n[b]\n"
    out, _ = edited(text, edit(text, "a", remove=True))
    assert out == "[x]\nk = 1\n\n[b]\n"


def test_removing_consecutive_sections_keeps_all_their_comments() -> None:
    text = "# file header\n[a]\nk = 1\n\n# b\n[b]\nk = 2\n\n# c\n[c]\nk = 3\n\n# d\n[d]\n"
    out, _ = edited(text, edit(text, "a", remove=True), edit(text, "b", remove=True),
                    edit(text, "c", remove=True))
    assert out == "# file header\n\n# b\n\n# c\n\n# d\n[d]\n"
    text = "[x]\nk = 1\n\n\n[a]\nk = 1\n\n\n[b]\nk = 2\n\n\n[c]\n"
    out, _ = edited(text, edit(text, "a", remove=True), edit(text, "b", remove=True))
    assert out == "[x]\nk = 1\n\n\n[c]\n"  # no run of blank lines grows


@pytest.mark.parametrize("text", [
    "[x]\nk = 1\n\n# heading of a\n[a]\nk = 1\n\n[b]\n",
    "[x]\nk = 1\n# glued\n[a]\nk = 1\n# inside\n\n\n# heading of b\n[b]\n",
    "[a]\nk = 1\n# inside a\n\n",
    "# top\n\n[a]\nk = 1\n\n# inside\n\n",
])
def test_removal_never_grows_blank_runs_and_converges(text: str) -> None:
    def longest_blank_run(t: str) -> int:
        run = best = 0
        for line in t.split("\n")[:-1]:
            run = run + 1 if not line.strip() else 0
            best = max(best, run)
        return best

    out, _ = edited(text, edit(text, "a", remove=True))
    assert longest_blank_run(out) <= longest_blank_run(text)
    comments = [ln for ln in text.splitlines() if ln.strip().startswith(("#", ";"))]
    assert [ln for ln in out.splitlines() if ln.strip().startswith(("#", ";"))] == comments
    assert edited(out)[0] == out


def test_new_sections_go_between_the_anchor_and_the_next_heading() -> None:
    text = "[a]\nk = 1\n\n# heading of b\n[b]\nk = 2\n"
    out, _ = edited(text, new=[NEW], anchor="a")
    assert out == ("[a]\nk = 1\n\n[profile new]\nsso_session = s\nssogen_managed = true\n\n"
                   "# heading of b\n[b]\nk = 2\n")
    out, _ = edited("[a]\nk = 1\n[b]\n", new=[NEW], anchor="a")
    assert out == "[a]\nk = 1\n\n[profile new]\nsso_session = s\nssogen_managed = true\n\n[b]\n"


def test_appending_at_the_end_with_one_blank_line() -> None:
    other = NewSection("profile other", [("k", "v")])
    out, _ = edited("[a]\nk = 1\n\n\n", new=[NEW, other])
    assert out == ("[a]\nk = 1\n\n\n[profile new]\nsso_session = s\nssogen_managed = true\n"
                   "\n[profile other]\nk = v\n")
    with pytest.raises(RuntimeError, match=r"would write \[profile new\] twice"):
        edited("[a]\n", new=[NEW, NEW])
    with pytest.raises(RuntimeError, match="duplicate key"):
        edited("[a]\nk = 1\n", SectionEdit(0, set=[("n", "1"), ("N", "2")]))
    out, _ = edited("", new=[NEW])
    assert out == "[profile new]\nsso_session = s\nssogen_managed = true\n"
    out, _ = edited("# only a comment", new=[NEW])
    assert out == "# only a comment\n\n[profile new]\nsso_session = s\nssogen_managed = true\n"


def test_missing_final_newline() -> None:
    text = "[a]\nk = 1\n\n[b]\nk = 2"
    out, _ = edited(text, edit(text, "a", set=[("k", "9")]))
    assert out == "[a]\nk = 9\n\n[b]\nk = 2"
    out, _ = edited(text, edit(text, "b", set=[("k", "9")]))
    assert out == "[a]\nk = 1\n\n[b]\nk = 9"
    out, _ = edited(text, new=[NEW])
    assert out == "[a]\nk = 1\n\n[b]\nk = 2\n\n[profile new]\nsso_session = s\n" \
        "ssogen_managed = true\n"
    out, _ = edited(text, edit(text, "b", remove=True))
    assert out == "[a]\nk = 1"


def test_changed_options_keep_their_spelling_new_keys_follow_the_section() -> None:
    text = ("[p]\nRegion   =   us-east-1\noutput:json\n  \n# trailing\n\n[q]\nregion=x\n"
            "# inside q\n\n[r]\n")
    out, _ = edited(text, edit(text, "p", set=[("region", "eu-west-1"), ("output", "text"),
                                               ("new_key", "v")]),
                    edit(text, "q", set=[("added", "1")], delete=[]),
                    edit(text, "r", set=[("first", "1")]))
    assert out == ("[p]\nRegion   =   eu-west-1\noutput:text\nnew_key = v\n  \n# trailing\n\n"
                   "[q]\nregion=x\nadded=1\n# inside q\n\n[r]\nfirst = 1\n")


def test_a_deleted_key_leaves_its_indented_comments() -> None:
    text = "[p]\nregion = x\n  # my note on region\n    ; and more\noutput = json\n"
    out, _ = edited(text, edit(text, "p", delete=["region"]))
    assert out == "[p]\n  # my note on region\n    ; and more\noutput = json\n"


def test_delete_and_rename_keep_the_rest() -> None:
    text = "[profile old] # my header note\nk = 1\nmine = 2\n; c\n"
    out, _ = edited(text, edit(text, "profile old", header="profile new", delete=["K"]))
    assert out == "[profile new] # my header note\nmine = 2\n; c\n"


def test_crlf_stays_crlf_and_mixed_files_keep_each_line() -> None:
    text = b"[a]\r\nk = 1\r\n\r\n[b]\r\nk = 2\r\n"
    d = doc(text)
    d.apply(Plan("s", edits=[SectionEdit(0, header="renamed", set=[("k", "9"), ("n", "1")])],
                 new_sections=[NEW], anchor=0))
    out = d.encode()
    assert out == (b"[renamed]\r\nk = 9\r\nn = 1\r\n\r\n[profile new]\r\nsso_session = s\r\n"
                   b"ssogen_managed = true\r\n\r\n[b]\r\nk = 2\r\n")
    mixed = b"[a]\r\nk = 1\n[b]\r\nk = 2\r\n"
    d = doc(mixed)
    d.apply(Plan("s", edits=[SectionEdit(1, set=[("k", "3")])]))
    assert d.encode() == b"[a]\r\nk = 1\n[b]\r\nk = 3\r\n"


def test_bom_is_removed_reported_and_shown() -> None:
    d = doc(b"\xef\xbb\xbf[a]\r\nk = 1")
    d.apply(Plan("s"))
    assert d.encode() == b"[a]\r\nk = 1"
    assert "byte-order mark" in d.notes[0]
    assert d.diff() == "--- cfg\n+++ cfg (ssogen)\n@@ -1,2 +1,2 @@\n-<U+FEFF>[a]\n+[a]\n k = 1\n" \
        "\\ No newline at end of file\n"
    only = doc(b"\xef\xbb\xbf")
    only.apply(Plan("s"))
    assert only.encode() == b"" and "-<U+FEFF>" in only.diff()


def _reference_diff(old: str, new: str) -> str:
    return "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), "cfg",
                                        "cfg (ssogen)", lineterm="\n", n=3))


def test_diff_matches_difflib() -> None:
    blocks = [f"# about p{i}\n[profile p{i}]\nsso_session = s\nk = {i}\nssogen_managed = true\n\n"
              for i in range(40)]
    text = "# header\n\n" + "".join(blocks)
    d = doc(text)
    edits = [SectionEdit(index_of(d, f"profile p{i}"), set=[("k", "x")]) for i in (3, 4, 20)]
    edits += [SectionEdit(index_of(d, f"profile p{i}"), remove=True) for i in (10, 11, 39)]
    edits += [SectionEdit(index_of(d, "profile p30"), header="profile renamed")]
    d.apply(Plan("s", edits=edits, new_sections=[NEW], anchor=index_of(d, "profile p25")))
    new = d.render()
    assert d.diff() == _reference_diff(text, new)
    assert "-[profile p10]\n" in d.diff() and "+[profile new]\n" in d.diff()
    assert "-# about p10\n" not in d.diff()  # a removed section's heading stays


def test_diff_chunks_are_the_header_then_one_whole_hunk_each() -> None:
    """The pieces a diff is printed in as it is made: the two header lines, then each hunk
    whole (its ``@@`` line first, every piece ending at a line break), adding up to the
    diff; none for a document nothing changed."""
    blocks = [f"[profile p{i}]\nsso_session = s\nk = {i}\nssogen_managed = true\n\n"
              for i in range(40)]
    d = doc("".join(blocks))
    d.apply(Plan("s", edits=[SectionEdit(index_of(d, f"profile p{i}"), set=[("k", "x")])
                             for i in (3, 20, 36)]))
    chunks = list(d.diff_chunks())
    assert chunks[0] == "--- cfg\n+++ cfg (ssogen)\n"
    assert len(chunks) == 4 and all(c.startswith("@@ -") for c in chunks[1:])
    assert all(c.endswith("\n") and c.count("@@ -") <= 1 for c in chunks)
    assert "".join(chunks) == d.diff() == _reference_diff("".join(blocks), d.render())
    untouched = doc("".join(blocks))
    untouched.apply(Plan("s"))
    assert list(untouched.diff_chunks()) == [] and untouched.diff() == ""


def test_diff_matches_difflib_in_a_crlf_file() -> None:
    """The diff reads its lines from the new text, CRLF endings included (shown as LF), also
    those ssogen adds (LF until the file's style is applied)."""
    blocks = [f"# about p{i}\r\n[profile p{i}]\r\nsso_session = s\r\nk = {i}\r\n"
              f"ssogen_managed = true\r\n\r\n" for i in range(30)]
    text = "# header\r\n\r\n" + "".join(blocks)
    d = doc(text.encode())
    edits = [SectionEdit(index_of(d, "profile p3"), set=[("k", "x")])]
    edits += [SectionEdit(index_of(d, f"profile p{i}"), remove=True) for i in (10, 29)]
    edits += [SectionEdit(index_of(d, "profile p20"), header="profile renamed")]
    d.apply(Plan("s", edits=edits, new_sections=[NEW], anchor=index_of(d, "profile p15")))
    new = d.render()
    assert "\r\n[profile new]\r\n" in new
    assert d.diff() == _reference_diff(text, new).replace("\r\n", "\n")


def test_replace_puts_the_new_key_on_the_old_line() -> None:
    """A legacy profile's migration: sso_start_url's line becomes sso_session's (same
    delimiter style, same line ending, indented comment after it kept), nothing else moves."""
    text = ("[profile old] ; mine\n# first\nsso_start_url=https://x/start\n    # indented note\n"
            "sso_region = eu-west-1\nSSO_ACCOUNT_ID = 1\n; between\nregion = us-east-1 # c\n\n"
            "# heading of next\n[next]\n")
    out, _ = edited(text, edit(text, "profile old", replace=[("sso_start_url", "sso_session",
                                                               "acme")],
                               delete=["sso_region"]))
    assert out == ("[profile old] ; mine\n# first\nsso_session=acme\n    # indented note\n"
                   "SSO_ACCOUNT_ID = 1\n; between\nregion = us-east-1 # c\n\n"
                   "# heading of next\n[next]\n")
    crlf = b"[profile o]\r\nSso_Start_Url : https://x\r\nsso_region = r\r\n"
    d = doc(crlf)
    d.apply(Plan("s", edits=[SectionEdit(0, replace=[("sso_start_url", "sso_session", "a")],
                                         delete=["sso_region"])]))
    assert d.encode() == b"[profile o]\r\nsso_session : a\r\n"


def test_empty_values_are_written_without_a_trailing_blank() -> None:
    text = "[p]\nk = 1\n"
    out, _ = edited(text, edit(text, "p", set=[("k", ""), ("cli_pager", "")]),
                    new=[NewSection("profile n", [("cli_pager", ""), ("x", "1")])])
    assert out == "[p]\nk =\ncli_pager =\n\n[profile n]\ncli_pager =\nx = 1\n"
