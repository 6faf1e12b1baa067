"""The emulator's STS GetCallerIdentity and S3 ListBuckets, judged by plain boto3 clients: the
caller is whoever the portal issued the SigV4 access key id to; anything else gets the error
AWS answers, parsed by botocore into the modelled error code."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from typing import Any

import boto3
import botocore.exceptions
import pytest
from botocore import UNSIGNED
from botocore.config import Config

from ssogen.emulator import Emulator, Organization
from ssogen.emulator.aws import parse_authorization, request_scope

DEVICE = "urn:ietf:params:oauth:grant-type:device_code"
PROD, STAGING = "210987654321", "345678901234"
NO_RETRY = Config(retries={"mode": "standard", "total_max_attempts": 1})


def role_credentials(emu: Emulator, account: str = PROD, role: str = "ReadOnlyAccess",
                     ) -> dict[str, str]:
    """Log in with plain boto3 (device flow, approved) and get role credentials."""
    cfg = Config(signature_version=UNSIGNED, region_name="eu-west-1")
    session = boto3.session.Session()
    oidc = session.client("sso-oidc", endpoint_url=emu.url, config=cfg)
    sso = session.client("sso", endpoint_url=emu.url, config=cfg)
    reg = oidc.register_client(clientName="t", clientType="public")
    da = oidc.start_device_authorization(clientId=reg["clientId"],
                                         clientSecret=reg["clientSecret"],
                                         startUrl="https://acme.awsapps.com/start")
    emu.approve(da["userCode"])
    token = oidc.create_token(clientId=reg["clientId"], clientSecret=reg["clientSecret"],
                              grantType=DEVICE, deviceCode=da["deviceCode"])["accessToken"]
    rc = sso.get_role_credentials(roleName=role, accountId=account,
                                  accessToken=token)["roleCredentials"]
    return {"aws_access_key_id": rc["accessKeyId"],
            "aws_secret_access_key": rc["secretAccessKey"],
            "aws_session_token": rc["sessionToken"]}


def client(emu: Emulator, service: str, creds: dict[str, str]) -> Any:
    return boto3.session.Session().client(service, endpoint_url=emu.url, region_name="eu-west-1",
                                          config=NO_RETRY, **creds)


def error(call: Any) -> tuple[int, dict[str, str]]:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call()
    resp = info.value.response
    return resp["ResponseMetadata"]["HTTPStatusCode"], resp["Error"]


def test_get_caller_identity_names_the_role_session(make_emulator: Any) -> None:
    emu = make_emulator(user_name="alice@acme.example")
    ident = client(emu, "sts", role_credentials(emu, PROD, "ReadOnlyAccess")).get_caller_identity()
    assert ident["Account"] == PROD
    m = re.fullmatch(r"arn:aws:sts::210987654321:assumed-role/"
                     r"AWSReservedSSO_ReadOnlyAccess_([0-9a-f]{16})/alice@acme\.example",
                     ident["Arn"])
    assert m, ident["Arn"]
    assert re.fullmatch(r"AROA[A-Z2-7]{17}:alice@acme\.example", ident["UserId"])
    assert ident["ResponseMetadata"]["RequestId"]
    # another role in another account: another identity; the same role again: the same one
    other = client(emu, "sts", role_credentials(emu, STAGING, "AdministratorAccess")
                   ).get_caller_identity()
    assert other["Account"] == STAGING and "AWSReservedSSO_AdministratorAccess_" in other["Arn"]
    assert other["UserId"].split(":")[0] != ident["UserId"].split(":")[0]
    again = client(emu, "sts", role_credentials(emu, PROD, "ReadOnlyAccess")).get_caller_identity()
    assert (again["Arn"], again["UserId"]) == (ident["Arn"], ident["UserId"])
    assert emu.stats()["requests"]["GetCallerIdentity"] == 3


def test_list_buckets_shows_the_callers_account(emulator: Emulator) -> None:
    prod = client(emulator, "s3", role_credentials(emulator, PROD)).list_buckets()
    names = [b["Name"] for b in prod["Buckets"]]
    assert names == ["acme-prod-app-data-210987654321", "acme-prod-logs-210987654321"]
    assert all(b["CreationDate"].year >= 2021 for b in prod["Buckets"])
    assert re.fullmatch(r"[0-9a-f]{64}", prod["Owner"]["ID"])
    staging = client(emulator, "s3", role_credentials(emulator, STAGING)).list_buckets()
    assert [b["Name"] for b in staging["Buckets"]] == [
        "acme-staging-app-data-345678901234", "acme-staging-logs-345678901234"]
    assert emulator.stats()["requests"]["ListBuckets"] == 2


def test_unknown_access_key_is_refused(emulator: Emulator) -> None:
    creds = dict(role_credentials(emulator), aws_access_key_id="ASIAZZZZZZZZZZZZZZZZ")
    status, err = error(client(emulator, "sts", creds).get_caller_identity)
    assert (status, err["Code"], err["Type"]) == (403, "InvalidClientTokenId", "Sender")
    status, err = error(client(emulator, "s3", creds).list_buckets)
    assert (status, err["Code"]) == (403, "InvalidAccessKeyId")
    assert err["AWSAccessKeyId"] == "ASIAZZZZZZZZZZZZZZZZ"
    # long-term keys the emulator never issued are refused the same way
    status, err = error(client(emulator, "sts", {
        "aws_access_key_id": "AKIAIOSFODNN7EXAMPLE",
        "aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}).get_caller_identity)
    assert err["Code"] == "InvalidClientTokenId"


def test_session_token_must_belong_to_the_key(emulator: Emulator) -> None:
    one, two = role_credentials(emulator), role_credentials(emulator, STAGING)
    mixed = dict(one, aws_session_token=two["aws_session_token"])
    assert error(client(emulator, "sts", mixed).get_caller_identity)[1]["Code"] == \
        "InvalidClientTokenId"
    status, err = error(client(emulator, "s3", mixed).list_buckets)
    assert (status, err["Code"]) == (400, "InvalidToken")
    without = {k: v for k, v in one.items() if k != "aws_session_token"}
    assert error(client(emulator, "sts", without).get_caller_identity)[1]["Code"] == \
        "InvalidClientTokenId"


def test_expired_role_credentials(make_emulator: Any) -> None:
    emu = make_emulator(credential_ttl=900)
    creds = role_credentials(emu)
    assert client(emu, "sts", creds).get_caller_identity()["Account"] == PROD
    emu.advance_clock(901)
    status, err = error(client(emu, "sts", creds).get_caller_identity)
    assert (status, err["Code"]) == (403, "ExpiredToken")
    status, err = error(client(emu, "s3", creds).list_buckets)
    assert (status, err["Code"]) == (400, "ExpiredToken")


def raw(emu: Emulator, method: str, path: str, body: bytes | None = None,
        headers: dict[str, str] | None = None) -> tuple[int, str]:
    req = urllib.request.Request(emu.url + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
SIG = "0" * 64


def test_unsigned_and_malformed_requests(emulator: Emulator) -> None:
    unsigned = boto3.session.Session().client(
        "sts", endpoint_url=emulator.url, region_name="eu-west-1",
        config=Config(signature_version=UNSIGNED, retries={"total_max_attempts": 1}))
    status, err = error(unsigned.get_caller_identity)
    assert (status, err["Code"]) == (403, "MissingAuthenticationToken")

    body = b"Action=GetCallerIdentity&Version=2011-06-15"
    status, text = raw(emulator, "POST", "/", body, {**FORM, "Authorization": "Bearer x"})
    assert status == 400 and "<Code>IncompleteSignature</Code>" in text
    bad_scope = f"AWS4-HMAC-SHA256 Credential=ASIAX/2026/eu-west-1/sts, SignedHeaders=host, " \
                f"Signature={SIG}"
    status, text = raw(emulator, "POST", "/", body, {**FORM, "Authorization": bad_scope})
    assert status == 400 and "<Code>IncompleteSignature</Code>" in text
    status, text = raw(emulator, "GET", "/", headers={"Authorization": bad_scope})
    assert status == 400 and "<Code>AuthorizationHeaderMalformed</Code>" in text
    # a credential scoped to another service
    s3_scope = (f"AWS4-HMAC-SHA256 Credential=ASIAXXXXXXXXXXXXXXXX/20261126/eu-west-1/s3/"
                f"aws4_request, SignedHeaders=host, Signature={SIG}")
    status, text = raw(emulator, "POST", "/", body, {**FORM, "Authorization": s3_scope})
    assert status == 403 and "<Code>SignatureDoesNotMatch</Code>" in text
    # another STS action is not modelled (AssumeRole is: test_emulator_assume_role.py)
    status, text = raw(emulator, "POST", "/", b"Action=GetSessionToken&Version=2011-06-15",
                       FORM)
    assert status == 400 and "<Code>InvalidAction</Code>" in text


def test_root_is_still_the_index_page_for_people(emulator: Emulator) -> None:
    status, page = raw(emulator, "GET", "/")
    assert status == 200 and "<h1>IAM Identity Center emulator</h1>" in page
    assert f"export AWS_ENDPOINT_URL_STS={emulator.url}" in page
    status, _ = raw(emulator, "POST", "/", b"x=1", FORM)  # no Action: not STS
    assert status == 405
    assert emulator.stats()["requests"]["ListBuckets"] == 0


def test_endpoint_env_names_every_service(emulator: Emulator) -> None:
    assert emulator.endpoint_env() == {
        "AWS_ENDPOINT_URL_SSO": emulator.url, "AWS_ENDPOINT_URL_SSO_OIDC": emulator.url,
        "AWS_ENDPOINT_URL_STS": emulator.url, "AWS_ENDPOINT_URL_S3": emulator.url,
        "AWS_ENDPOINT_URL_SIGNIN": emulator.url}


@pytest.mark.parametrize(("header", "problem"), [
    ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLEAKIDEX/20261126/us-east-1/sts/aws4_request, "
     f"SignedHeaders=host;x-amz-date, Signature={SIG}", None),
    (f"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLEAKIDEX/20261126/us-east-1/sts/aws4_request,"
     f"SignedHeaders=host,Signature={SIG}", None),  # no spaces: also valid
    ("AWS AKIDEXAMPLE:c2lnbmF0dXJl", "unsupported authorization algorithm"),
    (f"AWS4-HMAC-SHA256 SignedHeaders=host, Signature={SIG}", "requires 'Credential'"),
    ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLEAKIDEX/20261126/us-east-1/sts/aws4_request, "
     "SignedHeaders=host", "requires 'Signature'"),
    ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLEAKIDEX/20261126/us-east-1/sts/aws4_request, "
     "SignedHeaders=host, Signature=xyz", "64 lowercase hex"),
    ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLEAKIDEX/2026-11-26/us-east-1/sts/aws4_request, "
     f"SignedHeaders=host, Signature={SIG}", "Credential parameter is malformed"),
    ("AWS4-HMAC-SHA256 Credential=A/B, Credential=C/D, SignedHeaders=host, "
     f"Signature={SIG}", "Credential twice"),
    ("AWS4-HMAC-SHA256 Credential", "malformed"),
])
def test_parse_authorization(header: str, problem: str | None) -> None:
    if problem is None:
        scope = parse_authorization(header)
        assert (scope.access_key_id, scope.date, scope.region, scope.service) == (
            "AKIDEXAMPLEAKIDEX", "20261126", "us-east-1", "sts")
    else:
        with pytest.raises(ValueError, match=problem):
            parse_authorization(header)


def test_presigned_query_credential() -> None:
    q = {"X-Amz-Algorithm": "AWS4-HMAC-SHA256",
         "X-Amz-Credential": "ASIAXXXXXXXXXXXXXXXX/20261126/eu-west-1/s3/aws4_request"}
    scope = request_scope({}, q)
    assert scope is not None and scope.service == "s3"
    assert request_scope({}, {}) is None
    with pytest.raises(ValueError):
        request_scope({}, {**q, "X-Amz-Algorithm": "AWS4-HMAC-SHA1"})


def test_bucket_names_are_valid_and_deterministic() -> None:
    org = Organization.generate(300, seed=7)
    org.add_account("999999999999", "Ünïcode & Spaces!! " + "x" * 80, "", ["R"])
    org.add_account("888888888888", "---", "", ["R"])
    again = Organization.generate(300, seed=7)
    names: set[str] = set()
    for acc in org.accounts():
        buckets = org.buckets(acc.id)
        assert buckets is not None and len(buckets) == 2
        for name, _ in buckets:
            assert re.fullmatch(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]", name), name
            assert acc.id in name
        names.update(n for n, _ in buckets)
        if acc.id in ("999999999999", "888888888888"):
            continue
        assert buckets == again.buckets(acc.id)
    assert len(names) == 2 * len(org)  # globally unique, like S3's
    assert org.buckets("000000000000") is None
    assert [n for n, _ in org.buckets("888888888888") or []] == [
        "account-app-data-888888888888", "account-logs-888888888888"]


def test_emulator_command_prints_every_variable(sandbox: Any) -> None:
    """`ssogen emulator` as a process: its export lines reach STS and S3 too (the AWS CLI v1
    run with exactly those variables), and name the sign-in endpoint."""
    import signal
    import subprocess
    import sys
    import time

    from test_emulator_cli import start_cli

    proc, url, lines = start_cli(sandbox, "--auto-approve-after", "0")
    try:
        deadline = time.monotonic() + 10
        while not any("Ctrl-C to stop" in ln for ln in lines) and time.monotonic() < deadline:
            time.sleep(0.05)
        exports = dict(ln[len("export "):].strip().split("=", 1) for ln in lines
                       if ln.startswith("export "))
        assert exports == {"AWS_ENDPOINT_URL_SSO": url, "AWS_ENDPOINT_URL_SSO_OIDC": url,
                           "AWS_ENDPOINT_URL_STS": url, "AWS_ENDPOINT_URL_S3": url,
                           "AWS_ENDPOINT_URL_SIGNIN": url}
        # no credentials issued by this emulator: the CLI's call reaches it and is refused
        env = {**sandbox.env, **exports, "AWS_ACCESS_KEY_ID": "ASIAZZZZZZZZZZZZZZZZ",
               "AWS_SECRET_ACCESS_KEY": "x" * 40, "AWS_SESSION_TOKEN": "y" * 40,
               "AWS_DEFAULT_REGION": "eu-west-1"}
        sts = subprocess.run([sys.executable, "-m", "awscli", "sts", "get-caller-identity"],
                             env=env, capture_output=True, text=True, timeout=60, check=False)
        assert sts.returncode != 0 and "InvalidClientTokenId" in sts.stderr, sts.stderr
        s3 = subprocess.run([sys.executable, "-m", "awscli", "s3", "ls"],
                            env=env, capture_output=True, text=True, timeout=60, check=False)
        assert s3.returncode != 0 and "InvalidAccessKeyId" in s3.stderr, s3.stderr
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)
