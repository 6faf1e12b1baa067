"""The line scanner (``ssogen.inifile.scan``) reads every file the way botocore does: it refuses
exactly the files ``botocore.configloader.raw_config_parse`` refuses, and for the others it
finds the same sections with the same values (for the kinds the planner reads). A file it
refuses gets one error naming every line configparser refuses, headed by the line
configparser stops at.

Random files come from an alphabet of INI hazards (indentation, continuation lines, nested
blocks, comments inside values, both delimiters, duplicate keys in any case, headers with
notes and extra spaces, stray lines, ``[DEFAULT]``), plus the project corpus.
"""

from __future__ import annotations

import configparser
import os

import botocore.configloader
import botocore.exceptions
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import corpus_files
from ssogen.errors import ConfigFileError
from ssogen.inifile.model import classify
from ssogen.inifile.scan import scan

PROPS = settings(max_examples=int(os.environ.get("SSOGEN_EXAMPLES", "400")), deadline=None,
                 suppress_health_check=[HealthCheck.too_slow])

_LINES = st.sampled_from([
    "[profile a]", "[profile b]", "[default]", "[sso-session s]", "[services x]", "[plugins]",
    "[DEFAULT]", "[profile  a ]", "[profile a] ; note", "[profile c] # see [docs]", "  [profile d]",
    "[]", "[ssogen s]", "[profile \"q r\"]",
    "region = eu-west-1", "Region=us-east-1", "output: json", "k = v = w", "k:v=w", "x =",
    "  nested = 1", "\tnested = 2", "  no equals here", "   # indented comment", "; comment",
    "# comment", "", "   ", "sso_session = s", "sso_account_id = 111111111111", "= value",
    ": odd", "just words", "  region = continued", "s3 =", "    max_concurrent_requests = 20",
    "ssogen_managed = true", "key\u00a0= nbsp", "\u00a0indented nbsp = 1", "é = unicode",
])


def botocore_view(text: str, tmp_path) -> dict | None:  # type: ignore[no-untyped-def]
    path = tmp_path / "config"
    path.write_text(text, encoding="utf-8")
    try:
        return botocore.configloader.raw_config_parse(str(path))
    except botocore.exceptions.ConfigParseError:
        return None


def compare(text: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    expected = botocore_view(text, tmp_path)
    try:
        layout = scan(text if text.endswith("\n") or not text else text + "\n")
    except ConfigFileError as exc:
        if expected is not None:  # refused on purpose only: botocore reads one of two
            assert "are the same" in str(exc), f"scan refused what botocore reads: {exc}"
            names = [(*classify(h), h == "default") for h in expected]
            assert len(names) != len(set(names)), exc
        return
    if expected is None:
        raise AssertionError(f"scan accepted what botocore refuses:\n{text}")
    headers = [s.header for s in layout.model.sections if s.header != "DEFAULT"]
    assert sorted(set(headers)) == sorted(expected), (headers, list(expected))
    cp = configparser.RawConfigParser()
    cp.read_string(text)
    inherited = set(cp.defaults())  # botocore adds [DEFAULT]'s keys to every section
    for s in layout.model.sections:
        if s.kind in ("profile", "sso-session", "ssogen") and s.header in expected:
            want = {k: v for k, v in expected[s.header].items() if not isinstance(v, dict)}
            nested = {k for k, v in expected[s.header].items() if isinstance(v, dict)}
            got = {k: v for k, v in s.options.items() if k not in nested}
            for k in inherited - set(got):
                want.pop(k, None)
            assert got == want, (s.header, got, want)
    # offsets point at each header's line
    for s, off in zip(layout.model.sections, layout.offsets, strict=True):
        line = layout.text[off:].split("\n", 1)[0]
        assert line.strip().startswith("[") and s.header in line


@PROPS
@given(lines=st.lists(_LINES, max_size=14), eol=st.sampled_from(["\n", "\r\n"]))
def test_scan_reads_like_botocore(lines: list[str], eol: str, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    compare(eol.join(lines) + eol if lines else "", tmp_path_factory.mktemp("s"))


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_scan_reads_the_corpus_like_botocore(path, tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    compare(text, tmp_path)


def test_two_headers_one_botocore_name_are_refused_with_both_lines() -> None:
    for second in ("[sso-session  acme]", '[sso-session "acme"]', "[profile  x ]"):
        first = "[profile x]" if "profile" in second else "[sso-session acme]"
        text = f"{first}\nk = v\n\n{second}\nk = w\n"
        with pytest.raises(ConfigFileError, match=r"cfg:4: .* \(line 1\) are the same"):
            scan(text, "cfg")
    # [default] and [profile default] are botocore's documented override: not refused
    scan("[default]\nregion = a\n[profile default]\nregion = b\n")


def test_classify_routes_like_botocore() -> None:
    assert classify("profile  x ") == ("profile", "x")
    assert classify("profilegen x") == ("profile", "x")
    assert classify("profile a b") == ("profile", None)
    assert classify("ssogen acme") == ("ssogen", "acme")
    assert classify("DEFAULT") == ("other", None)


_RICH = st.sampled_from([
    "[profile a]", "[profile b]", "[default]", "[sso-session s]", "[services x]", "[other]",
    "region = eu-west-1", "Region=us-east-1", "output: json", "k = v = w", "x =", "s3 =",
    "  nested = 1", "    max_concurrent_requests = 20", "\tdeep = 2", "  # indented comment",
    "", "  ", "# comment", "; comment", "sso_session = s", "a#b = c", "k:v=w",
    "ssogen_managed = true", "  continued words", "key\u00a0= nbsp", "value = x\u00a0",
])


@PROPS
@given(lines=st.lists(_RICH, max_size=16), eol=st.sampled_from(["\n", "\r\n"]))
def test_the_fast_path_reads_exactly_like_the_line_scanner(lines: list[str], eol: str) -> None:
    """Wherever the one-regex fast path answers, it answers what the line-by-line scanner
    (configparser's rules, held to botocore above) answers: same sections, names, lines,
    values and offsets."""
    from ssogen.inifile.scan import _fast_scan, _Unusual, scan_lines

    text = eol.join(lines) + eol if lines else ""
    try:
        fast = _fast_scan(text)
    except _Unusual:
        return
    slow = scan_lines(text)
    assert fast.offsets == slow.offsets
    assert [(s.header, s.kind, s.name, s.line) for s in fast.model.sections] == \
        [(s.header, s.kind, s.name, s.line) for s in slow.model.sections]
    for a, b in zip(fast.model.sections, slow.model.sections, strict=True):
        if a.kind in ("profile", "sso-session", "ssogen"):
            assert a.options == b.options, (a.header, a.options, b.options)


def test_the_fast_path_answers_the_common_files() -> None:
    """The corpus's plain files go the fast way (else the engine's speed would be a claim)."""
    from ssogen.inifile.scan import _fast_scan, _Unusual

    fast = 0
    for path in corpus_files():
        text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
        try:
            _fast_scan(text if text.endswith("\n") or not text else text + "\n")
            fast += 1
        except _Unusual:
            pass
    assert fast >= len(corpus_files()) * 2 // 3


@PROPS
@given(lines=st.lists(st.one_of(_RICH, st.text(alphabet="ab =:#;[]\t \u00a0", max_size=12)),
                      max_size=16))
def test_the_odd_line_pattern_finds_what_its_backtracking_form_finds(lines: list[str]) -> None:
    """The scan's odd-line pattern is possessive where Python has it (3.11): it must find
    exactly the lines the plain pattern finds (giving characters back never reaches a line
    break, so it cannot)."""
    import re

    from ssogen.inifile import scan

    plain = re.compile(r"\n(?=[^\S\n]+[^\s#;]|[=:]|[^\s#;=:\[][^=:\n]*(?:\n|\Z))")
    text = "\n" + "\n".join(lines) + "\n"
    assert [m.start() for m in scan._ODD.finditer(text)] == \
        [m.start() for m in plain.finditer(text)]
    assert [m.start() for m in scan._ODD.finditer(text.rstrip("\n"))] == \
        [m.start() for m in plain.finditer(text.rstrip("\n"))]


def test_every_problem_is_named_in_one_run_the_first_as_the_error() -> None:
    text = ("[profile a]\nregion = 1\nRegion = 2\nnot a key\n[profile a]\n"
            "[sso-session s]\n[sso-session  s]\nalso bad\n[profile b]\n= v\n")
    with pytest.raises(ConfigFileError) as info:
        scan(text, "cfg")
    err = info.value
    # the error is what configparser meets first, worded as when it was the only one
    assert err.message.startswith("cfg:3: duplicate key 'region' in [profile a]")
    assert err.hint is not None
    assert err.hint.startswith("also line 4: cannot parse 'not a key'")
    assert "line 5: duplicate section [profile a]" in err.hint
    assert "line 7: [sso-session  s] and [sso-session s] (line 6) are the same" in err.hint
    assert err.hint.endswith("; and 2 more")  # lines 8 and 10
    # a file with one problem gets no hint: nothing else to fix
    with pytest.raises(ConfigFileError) as info:
        scan("[profile a]\nregion = 1\n[profile a]\n", "cfg")
    assert info.value.hint is None
    assert info.value.message.startswith("cfg:3: duplicate section [profile a];")


def test_a_repeated_header_is_one_problem_not_also_a_name_clash() -> None:
    with pytest.raises(ConfigFileError) as info:
        scan("[sso-session s]\n[sso-session s]\n[profile x]\nx\n", "cfg")
    assert info.value.message.startswith("cfg:2: duplicate section [sso-session s];")
    assert info.value.hint == ("also line 4: cannot parse 'x' (not 'key = value', a comment "
                               "or a [section])")


def configparser_refusal(text: str) -> tuple[int | None, set[int]]:
    """The line configparser stops at (a missing header, a duplicate section or key; None when
    it reads on) and every line it names: those, or its list of lines it cannot parse."""
    try:
        configparser.RawConfigParser().read_string(text)
    except (configparser.DuplicateSectionError, configparser.DuplicateOptionError,
            configparser.MissingSectionHeaderError) as exc:
        return exc.lineno, {exc.lineno}
    except configparser.ParsingError as exc:
        return None, {lineno for lineno, _ in exc.errors}
    return None, set()


@PROPS
@given(lines=st.lists(_LINES, max_size=14))
def test_the_error_names_every_line_configparser_refuses(lines: list[str]) -> None:
    text = "\n".join(lines) + "\n" if lines else ""
    stop, refused = configparser_refusal(text)
    try:
        scan(text, "cfg")
    except ConfigFileError as exc:
        first = int(exc.message.split(":")[1])
        named = {first, *(lineno for lineno, _ in exc.more)}
        assert refused <= named, (exc.message, exc.more)
        assert sorted(exc.more) == list(exc.more)  # the others in file order
        if stop is not None and "are the same" not in exc.message:
            assert first == stop, exc.message  # the error is where configparser stops
        return
    assert not refused, f"scan accepted what configparser refuses (lines {sorted(refused)})"


def test_a_span_is_its_section_by_place() -> None:
    """``Layout.span(i)`` is ``chunk(i)`` without the copy: the same length, line count and
    text; equal only to itself (the diff takes two sides' same span as one unchanged part)."""
    from ssogen.inifile.scan import scan

    text = "[a]\nk = 1\r\n\n[b]\nj = 2\n"
    layout = scan(text, "cfg")
    for i in range(2):
        span, chunk = layout.span(i), layout.chunk(i)
        assert (len(span), span.count("\n"), span.count("\r\n"), str(span)) == (
            len(chunk), chunk.count("\n"), chunk.count("\r\n"), chunk)
        assert span == span and span != layout.span(i) and span != chunk


def test_values_of_kinds_not_kept_are_read_again_on_demand() -> None:
    """The scan keeps only what the planner reads; a [services] section's values (what
    botocore's clients need) are read again from its text when asked, on both paths."""
    from ssogen.inifile.scan import scan

    text = ("[profile a]\nregion = x\n\n[services local]\ns3 =\n  endpoint_url = http://h\n"
            "\n[DEFAULT]\noutput = json\n")
    for variant in (text, text.replace("[DEFAULT]", "[other one]")):  # slow path, fast path
        model = scan(variant).model
        services = model.sections[1]
        assert services.kind == "services" and services.options == {}
        assert model.values(services) == {"s3": "\nendpoint_url = http://h"}
        assert model.values(model.sections[0]) == {"region": "x"}
    assert scan(text).model.sections[2].options == {"output": "json"}  # [DEFAULT]: kept
