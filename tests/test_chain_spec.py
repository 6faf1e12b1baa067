"""``--chain`` specs as data (:mod:`ssogen.model.chain`): the syntax, every check, the text
they are remembered as, and ``[ssogen NAME] chains`` round-tripping through Settings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ssogen.errors import ConfigFileError
from ssogen.model import chain
from ssogen.model.chain import ChainSpec
from ssogen.model.settings import Settings

ARN = "arn:aws:iam::{{ account_id }}:role/OrganizationAccountAccessRole"


def test_the_parts_of_a_spec() -> None:
    assert chain.parse(f"*-administrator-access={ARN}") == ChainSpec(
        "*-administrator-access", ARN)
    spec = chain.parse("prod-*=arn:aws:iam::123456789012:role/ci/Deploy:{{ source }}.deploy"
                       ";role_session_name=ci-deploy;duration_seconds=900")
    assert spec == ChainSpec("prod-*", "arn:aws:iam::123456789012:role/ci/Deploy",
                             "{{ source }}.deploy", "ci-deploy", 900)
    assert spec.template == "{{ source }}.deploy"
    assert ChainSpec("x", ARN).template == chain.DEFAULT_CHAIN_TEMPLATE


def test_colons_and_semicolons_inside_templates_do_not_split() -> None:
    spec = chain.parse("a*=arn:aws:iam::{{ account_id }}:role/R:{{ source ~ ':' ~ ';x' }}"
                       ";duration_seconds=3600")
    assert spec.role_arn == "arn:aws:iam::{{ account_id }}:role/R"
    assert spec.name_template == "{{ source ~ ':' ~ ';x' }}"
    assert spec.duration_seconds == 3600
    # a role name may hold '=' and ',': only the first '=' separates the glob
    assert chain.parse("a=arn:aws:iam::123456789012:role/x=y,z").role_arn == \
        "arn:aws:iam::123456789012:role/x=y,z"


@pytest.mark.parametrize("text, problem", [
    ("prod-*", "expected SOURCE_GLOB=ROLE_ARN"),
    ("=arn:aws:iam::123456789012:role/R", "expected SOURCE_GLOB=ROLE_ARN"),
    ("prod-*=", "expected SOURCE_GLOB=ROLE_ARN"),
    ("prod *=arn:aws:iam::123456789012:role/R", "contains spaces"),
    ("p=arn:aws:iam::12345678901:role/R", "is not arn:<partition>:iam::<12 digits>:role/"),
    ("p=arn:aws:iam::123456789012:user/R", "is not arn:<partition>:iam::"),
    ("p=arn:aws:sts::123456789012:role/R", "is not arn:<partition>:iam::"),
    ("p=arn:aws:iam:eu-west-1:123456789012:role/R", "is not arn:<partition>:iam::"),
    ("p=arn:aws:iam::{{ account_id }}:user/R", "is not arn:<partition>:iam::"),
    ("p=arn:aws:iam::{{ account_id }}:role/Org Access", "is not arn:<partition>:iam::"),
    ("p=arn:aws:iam::{{ account_id }}x:role/R", "is not arn:<partition>:iam::"),
    ("p=arn:AWS:iam::{{ account_id }}:role/R", "is not arn:<partition>:iam::"),
    ("p=arn:aws:iam::123456789012:role/", "is not arn:<partition>:iam::"),
    ("p=arn:aws:iam::123456789012:role/R:", "the name template after the role ARN's ':' is"),
    ("p=arn:aws:iam::123456789012:role/R;duration=900", "unknown option 'duration=900'"),
    ("p=arn:aws:iam::123456789012:role/R;duration_seconds=600", "from 900 to 3600"),
    ("p=arn:aws:iam::123456789012:role/R;duration_seconds=7200", "at most one hour"),
    ("p=arn:aws:iam::123456789012:role/R;duration_seconds=1h", "must be a number"),
    ("p=arn:aws:iam::123456789012:role/R;role_session_name=a b", "2 to 64 characters"),
    ("p=arn:aws:iam::123456789012:role/R;role_session_name=x", "2 to 64 characters"),
    ("p=arn:aws:iam::123456789012:role/R;duration_seconds=900;duration_seconds=900",
     "duration_seconds is given twice"),
    ("p=arn:aws:iam::123456789012:role/R\n[profile x]", "line break"),
])
def test_bad_specs_say_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(ValueError) as exc:
        chain.parse(text)
    assert problem in str(exc.value)
    assert "\n" not in str(exc.value)


@pytest.mark.parametrize("arn, partition, problem", [
    ("arn:aws:iam::123456789012:role/R", "aws", None),
    ("arn:aws-cn:iam::123456789012:role/path/to/R", "aws-cn", None),
    ("arn:aws-cn:iam::123456789012:role/R", "aws", "is in partition aws-cn, the session in aws"),
    ("arn:aws:iam::123456789012:role/Ré", "aws", "is not arn:"),
    ("arn:aws:iam::١٢٣٤٥٦٧٨٩٠١٢:role/R", "aws", "is not arn:"),
    ("arn:aws:iam::123456789012:role/" + "R" * 65, "aws", "is not arn:"),
])
def test_rendered_role_arns(arn: str, partition: str, problem: str | None) -> None:
    got = chain.role_arn_problem(arn, partition)
    assert got is None if problem is None else problem in (got or "")


def test_partition_of_the_session_region() -> None:
    assert chain.partition_of("eu-west-1") == "aws"
    assert chain.partition_of("cn-north-1") == "aws-cn"
    assert chain.partition_of("us-gov-west-1") == "aws-us-gov"
    assert chain.partition_of("nowhere-1") is None


_GLOB = st.text("abc*?-[]!.", min_size=1, max_size=8)
_SPEC = st.builds(
    ChainSpec, _GLOB,
    st.sampled_from([ARN, "arn:aws:iam::123456789012:role/a/b/Deploy",
                     "arn:aws-cn:iam::{{ account_id }}:role/{{ role }}-x"]),
    st.sampled_from(["", "{{ source }}.x", "fixed", "{{ source }}:{{ target_role ~ ';' }}"]),
    st.none() | st.sampled_from(["ci", "a=b,c.d@e-f"]),
    st.none() | st.integers(900, 3600))


@given(_SPEC)
def test_the_remembered_text_parses_back(spec: ChainSpec) -> None:
    assert chain.parse(spec.text) == spec


def test_settings_remember_chains_in_order() -> None:
    specs = [chain.parse("prod-*=" + ARN), chain.parse(
        "*=arn:aws:iam::123456789012:role/Deploy:{{ source }}-deploy;duration_seconds=900")]
    s = Settings("acme", "https://acme.awsapps.com/start", "eu-west-1", chains=specs)
    section = s.to_section()
    assert section["chains"] == (
        '["prod-*=arn:aws:iam::{{ account_id }}:role/OrganizationAccountAccessRole", '
        '"*=arn:aws:iam::123456789012:role/Deploy:{{ source }}-deploy;duration_seconds=900"]')
    back = Settings.from_section("acme", s.start_url, s.sso_region, section)
    assert back.chains == specs
    assert "chains" not in Settings("acme", s.start_url, s.sso_region).to_section()


@pytest.mark.parametrize("value, problem", [
    ('"x"', "chains must be a JSON list of strings"),
    ('["prod-*"]', "chains: 'prod-*': expected SOURCE_GLOB=ROLE_ARN"),
    ('["p=arn:aws:iam::1:role/R"]', "is not arn:<partition>"),
])
def test_a_bad_remembered_chain_names_the_line(value: str, problem: str) -> None:
    with pytest.raises(ConfigFileError) as exc:
        Settings.from_section("acme", "u", "eu-west-1", {"chains": value}, where="cfg:7")
    assert str(exc.value).startswith("cfg:7: [ssogen acme] chains")
    assert problem in str(exc.value)
