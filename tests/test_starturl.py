"""Start URL forms (PROTOCOL §6), region inference, session names, the region data file."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ssogen.aws import start_url
from ssogen.errors import UsageError
from ssogen.model import regions, starturl, validate
from ssogen.resources import read_template


@pytest.mark.parametrize(
    ("url", "kind", "partition", "region", "session"),
    [
        ("https://acme.awsapps.com/start", "awsapps", "aws", None, "acme"),
        ("https://d-1234567890.awsapps.com/start/#/", "awsapps", "aws", None, "d-1234567890"),
        ("  https://Acme.awsapps.com/start  ", "awsapps", "aws", None, "acme"),
        ("https://acme.awsapps.cn/start", "china", "aws-cn", None, "acme"),
        ("https://ssoins-7223abcd.eu-west-1.portal.amazonaws.com", "regional-portal", "aws",
         "eu-west-1", "ssoins-7223abcd"),
        ("https://ssoins-7223abcd.portal.us-east-2.app.aws", "regional-portal", "aws",
         "us-east-2", "ssoins-7223abcd"),
        ("https://ssoins-1.cn-north-1.portal.amazonaws.com.cn", "china", "aws-cn",
         "cn-north-1", "ssoins-1"),
        ("https://identitycenter.amazonaws.com/ssoins-722312abcd", "issuer", "aws", None,
         "ssoins-722312abcd"),
        ("https://identitycenter.us-gov.amazonaws.com/ssoins-1", "issuer", "aws-us-gov", None,
         "ssoins-1"),
        ("https://start.us-gov-home.awsapps.com/directory/acme-gov", "govcloud", "aws-us-gov",
         None, "acme-gov"),
        ("https://acme.portal.amazonaws.eu", "eusc", "aws-eusc", "eusc-de-east-1", "acme"),
        ("https://sso.acme-corp.example.com/", "custom", None, None, "acme-corp"),
        ("https://login.bigco.io", "custom", None, None, "bigco"),
    ],
)
def test_forms(url: str, kind: str, partition: str | None, region: str | None,
               session: str) -> None:
    info = starturl.parse(url)
    assert info.kind == kind
    assert info.partition == partition
    assert info.region == region
    assert info.url == url.strip()  # stored verbatim (only trimmed)
    assert starturl.default_session_name(url) == session
    validate.check_session_name(session)  # every default is itself valid


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://acme.awsapps.com/start", "https://"),
        ("acme.awsapps.com/start", "https://"),
        ("ftp://acme.awsapps.com", "https://"),
        ("", "empty"),
        ("https://", "host"),
        ("https://localhost/start", "host"),
        ("https://acme awsapps.com", "spaces"),
        ("https://user:pw@acme.awsapps.com/start", "password"),
        ("https://acme.awsapps.com:99999/start", "port"),
        ("https://-bad-.awsapps.com/start", "host"),
    ],
)
def test_bad_urls(url: str, words: str) -> None:
    with pytest.raises(UsageError) as exc:
        starturl.parse(url)
    assert words in exc.value.message
    assert "\n" not in exc.value.message
    assert exc.value.hint


def test_unknown_region_in_host_is_not_inferred() -> None:
    # the pattern matches but xx-nowhere-9 is no IAM Identity Center region
    assert starturl.infer_region("https://ssoins-1.xx-nowhere-9.portal.amazonaws.com") is None
    assert starturl.infer_region("http://bad") is None


@pytest.mark.parametrize("name", ["acme", "acme-prod", "a.b_c", "team@corp", "x+y", "A1"])
def test_good_session_names(name: str) -> None:
    assert validate.check_session_name(name) == name


@pytest.mark.parametrize("name", ["", " ", "my session", "acme]", "[acme", "a#b", "a;b",
                                  "'q'", '"q"', "-lead", "a=b", "x" * 101])
def test_bad_session_names(name: str) -> None:
    with pytest.raises(UsageError):
        validate.check_session_name(name)


def test_sanitize() -> None:
    assert starturl.sanitize_session_name("My Team!!  SSO") == "my-team-sso"
    assert starturl.sanitize_session_name("---") == ""


@given(st.text(max_size=300))
def test_a_suggested_session_name_always_passes_the_one_rule(text: str) -> None:
    """The name suggested from a start URL's labels is one the session-name rule takes."""
    name = starturl.sanitize_session_name(text)
    assert name == "" or validate.session_name_problem(name) is None, name


def test_regions_file_matches_protocol() -> None:
    data = json.loads(read_template("sso_regions.json"))
    parts = {p["partition"]: [r["name"] for r in p["regions"]] for p in data["partitions"]}
    assert len(parts["aws"]) == 34
    assert parts["aws-cn"] == ["cn-north-1", "cn-northwest-1"]
    assert parts["aws-us-gov"] == ["us-gov-east-1", "us-gov-west-1"]
    assert parts["aws-eusc"] == ["eusc-de-east-1"]
    assert {"eu-west-1", "us-east-1", "mx-central-1", "ap-southeast-7"} <= set(parts["aws"])


def test_regions_match_botocore() -> None:
    """The data file agrees with the installed botocore's endpoint data."""
    import os

    import botocore

    path = os.path.join(os.path.dirname(botocore.__file__), "data", "endpoints.json")
    with open(path, encoding="utf-8") as fh:
        endpoints = json.load(fh)
    theirs = set()
    for p in endpoints["partitions"]:
        for name in p["services"].get("portal.sso", {}).get("endpoints", {}):
            if "fips" not in name:
                theirs.add(name)
    ours = set(regions.region_names())
    assert ours <= theirs  # every region we offer exists for botocore
    assert len(theirs - ours) <= 3, theirs - ours  # and we lag at most a little


def test_validate_region() -> None:
    assert regions.validate_sso_region(" EU-WEST-1 ") == "eu-west-1"
    with pytest.raises(UsageError) as exc:
        regions.validate_sso_region("eu-west-9")
    assert "eu-west-1" in (exc.value.hint or "")
    assert regions.find("us-gov-west-1").partition == "aws-us-gov"
    assert regions.partitions() == ["aws", "aws-cn", "aws-us-gov", "aws-eusc"]


class _Redirect:
    """A stand-in opener: the custom domain answers with one redirect (or a plain 200)."""

    def __init__(self, status: int, location: str | None = None) -> None:
        self.status, self.location, self.methods = status, location, []

    def open(self, req, timeout: float = 0):  # type: ignore[no-untyped-def]
        import email.message
        import urllib.error

        self.methods.append(req.get_method())
        if self.status == 200:
            class _Resp:
                status = 200

                def __enter__(self):  # type: ignore[no-untyped-def]
                    return self

                def __exit__(self, *a: object) -> None:
                    return None
            return _Resp()
        headers = email.message.Message()
        if self.location:
            headers["Location"] = self.location
        raise urllib.error.HTTPError(req.full_url, self.status, "x", headers, None)


@pytest.mark.parametrize(
    ("status", "location", "region", "kind"),
    [
        (302, "https://ssoins-1234.eu-central-1.portal.amazonaws.com/", "eu-central-1",
         "regional-portal"),
        (301, "https://acme.awsapps.com/start", None, "awsapps"),
        (302, "https://evil.example.net/start", "-", None),  # not AWS: ignored
        (302, "http://acme.awsapps.com/start", "-", None),  # not https: ignored
        (200, None, "-", None),
    ],
)
def test_resolve_custom(monkeypatch: pytest.MonkeyPatch, status: int, location: str | None,
                        region: str | None, kind: str | None) -> None:
    import urllib.request

    opener = _Redirect(status, location)
    monkeypatch.setattr(urllib.request, "build_opener", lambda *h: opener)
    got = start_url.resolve_custom("https://sso.acme.example.com/")
    if kind is None:
        assert got is None
    else:
        assert got is not None and got.kind == kind and got.region == region
    assert opener.methods == ["HEAD"]


def test_resolve_custom_head_not_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    import urllib.request

    class _Opener(_Redirect):
        def open(self, req, timeout: float = 0):  # type: ignore[no-untyped-def]
            self.status = 405 if req.get_method() == "HEAD" else 302
            return super().open(req, timeout)

    opener = _Opener(405, "https://x.portal.us-east-2.app.aws")
    monkeypatch.setattr(urllib.request, "build_opener", lambda *h: opener)
    got = start_url.resolve_custom("https://login.acme.example.com")
    assert got is not None and got.region == "us-east-2"
    assert opener.methods == ["HEAD", "GET"]


@pytest.mark.parametrize(
    ("typed", "url", "kind", "region"),
    [
        ("acme", "https://acme.awsapps.com/start", "awsapps", None),
        ("ACME", "https://acme.awsapps.com/start", "awsapps", None),
        ("d-1234567890", "https://d-1234567890.awsapps.com/start", "awsapps", None),
        ("acme.awsapps.com/start", "https://acme.awsapps.com/start", "awsapps", None),
        ("acme.awsapps.com", "https://acme.awsapps.com/start", "awsapps", None),
        ("https://acme.awsapps.com/start/#/", "https://acme.awsapps.com/start", "awsapps",
         None),  # the browser's address bar
        ("https://acme.awsapps.com/start/", "https://acme.awsapps.com/start", "awsapps", None),
        ("  HTTPS://Acme.AWSApps.com:443/start#/  ", "https://acme.awsapps.com/start",
         "awsapps", None),
        ("acme.awsapps.cn", "https://acme.awsapps.cn/start", "china", None),
        ("sso.acme.example.com", "https://sso.acme.example.com", "custom", None),
        ("https://login.acme.example.com/", "https://login.acme.example.com", "custom", None),
        ("ssoins-7223abcd.portal.us-east-2.app.aws",  # dual-stack regional portal
         "https://ssoins-7223abcd.portal.us-east-2.app.aws", "regional-portal", "us-east-2"),
        ("https://ssoins-1.portal.eu-west-1.app.aws/#/", "https://ssoins-1.portal.eu-west-1.app.aws",
         "regional-portal", "eu-west-1"),
        ("https://start.us-gov-home.awsapps.com/directory/acme#/",
         "https://start.us-gov-home.awsapps.com/directory/acme", "govcloud", None),
    ],
)
def test_from_input_understands_what_people_type(typed: str, url: str, kind: str,
                                                  region: str | None) -> None:
    info = starturl.from_input(typed)
    assert (info.url, info.kind, info.region) == (url, kind, region)
    assert starturl.from_input(info.url).url == info.url  # idempotent
    assert starturl.same_start_url(typed if "://" in typed else url, url)


@pytest.mark.parametrize(("typed", "words"), [
    ("http://acme.awsapps.com/start", "https://"),
    ("acme corp", "spaces"),
    ("", "empty"),
    ("ftp://acme.awsapps.com", "https://"),
    ("-acme-", "host"),
])
def test_from_input_refusals_say_what_to_type(typed: str, words: str) -> None:
    with pytest.raises(UsageError) as exc:
        starturl.from_input(typed)
    assert words in exc.value.message
    assert "acme.awsapps.com" in (exc.value.hint or "")  # the forms it understands
