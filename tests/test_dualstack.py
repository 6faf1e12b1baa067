"""Dual-stack endpoints (docs/AWS-NOW.md §f): the AWS CLI turns them on only from
``AWS_USE_DUALSTACK_ENDPOINT`` or ``use_dualstack_endpoint`` -- never from an ``app.aws`` start
URL -- and so does ssogen, whose clients are botocore's own, handed the config ssogen read.
Resolved endpoints only: nothing here reaches AWS."""

from __future__ import annotations

import pytest

from ssogen.aws.clients import client
from ssogen.inifile.scan import scan

#: (region, OIDC dual-stack host, portal dual-stack host), per partition, as the AWS CLI v2
#: 2.36 source's endpoint rule sets resolve them
DUAL = [
    ("eu-west-1", "oidc.eu-west-1.api.aws", "portal.sso.eu-west-1.api.aws"),
    ("cn-north-1", "oidc.cn-north-1.api.amazonwebservices.com.cn",
     "portal.sso.cn-north-1.api.amazonwebservices.com.cn"),
    ("us-gov-west-1", "oidc.us-gov-west-1.api.aws", "portal.sso.us-gov-west-1.api.aws"),
    ("eusc-de-east-1", "oidc.eusc-de-east-1.api.amazonwebservices.eu",
     "portal.sso.eusc-de-east-1.api.amazonwebservices.eu"),
]


@pytest.fixture(autouse=True)
def _no_endpoint_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    for var in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SSO", "AWS_ENDPOINT_URL_SSO_OIDC",
                "AWS_USE_DUALSTACK_ENDPOINT", "AWS_USE_FIPS_ENDPOINT", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none-credentials"))


@pytest.mark.parametrize(("region", "oidc", "portal"), DUAL)
def test_the_environment_variable_turns_it_on(monkeypatch: pytest.MonkeyPatch, region: str,
                                              oidc: str, portal: str) -> None:
    assert client("sso-oidc", None, region=region).meta.endpoint_url.endswith(
        (".amazonaws.com", ".amazonaws.com.cn", ".amazonaws.eu"))
    monkeypatch.setenv("AWS_USE_DUALSTACK_ENDPOINT", "true")
    assert client("sso-oidc", None, region=region).meta.endpoint_url == f"https://{oidc}"
    assert client("sso", None, region=region).meta.endpoint_url == f"https://{portal}"


@pytest.mark.parametrize(("region", "oidc", "portal"), DUAL[:2])
def test_the_config_file_turns_it_on_through_the_snapshot(region: str, oidc: str,
                                                          portal: str) -> None:
    """ssogen hands botocore the file it already read: the [default] profile's
    ``use_dualstack_endpoint`` still reaches the clients."""
    on = scan("[default]\nuse_dualstack_endpoint = true\n", "config").model
    off = scan("[default]\nregion = eu-west-1\n", "config").model
    assert client("sso-oidc", on, region=region).meta.endpoint_url == f"https://{oidc}"
    assert client("sso", on, region=region).meta.endpoint_url == f"https://{portal}"
    assert "api." not in client("sso-oidc", off, region=region).meta.endpoint_url


def test_a_dual_stack_start_url_alone_does_not_turn_it_on() -> None:
    """An ``*.portal.<region>.app.aws`` start URL names the region, not the endpoint kind."""
    from ssogen.model import starturl

    info = starturl.parse("https://ssoins-1.portal.eu-west-1.app.aws")
    assert info.region == "eu-west-1"
    url = client("sso-oidc", None, region=info.region).meta.endpoint_url
    assert url == "https://oidc.eu-west-1.amazonaws.com"


def test_an_endpoint_variable_still_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    """With both set (a shell that always exports dual-stack, pointed at the emulator), the
    ``AWS_ENDPOINT_URL_*`` variable decides, as it does for the AWS CLI."""
    monkeypatch.setenv("AWS_USE_DUALSTACK_ENDPOINT", "true")
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO_OIDC", "http://127.0.0.1:9")
    assert client("sso-oidc", None, region="eu-west-1").meta.endpoint_url == "http://127.0.0.1:9"
