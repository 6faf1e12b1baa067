"""STS AssumeRole against the emulator, judged by botocore: the real XML shape, role chaining
from portal credentials and from assumed ones, AWS's AccessDenied and ValidationError answers,
and botocore's own ``source_profile`` + ``role_arn`` resolution on top of an SSO profile."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime, timezone
from typing import Any

import boto3
import pytest
from botocore.config import Config

from ssogen.emulator import Emulator
from test_emulator_aws import error, raw, role_credentials
from test_emulator_cli import device_login, stamp, write_sso_profile

PROD, STAGING, DEV = "210987654321", "345678901234", "456789012345"
NO_RETRY = Config(retries={"mode": "standard", "total_max_attempts": 1})
UNVALIDATED = Config(retries={"mode": "standard", "total_max_attempts": 1},
                     parameter_validation=False)


def sts(emu: Emulator, creds: dict[str, str], config: Config = NO_RETRY) -> Any:
    return boto3.session.Session().client("sts", endpoint_url=emu.url, region_name="eu-west-1",
                                          config=config, **creds)


def as_creds(answer: dict[str, Any]) -> dict[str, str]:
    c = answer["Credentials"]
    return {"aws_access_key_id": c["AccessKeyId"], "aws_secret_access_key": c["SecretAccessKey"],
            "aws_session_token": c["SessionToken"]}


def test_assume_role_answers_what_botocore_parses(emulator: Emulator) -> None:
    caller = role_credentials(emulator, PROD, "AdministratorAccess")
    before = datetime.now(timezone.utc)
    out = sts(emulator, caller).assume_role(
        RoleArn=f"arn:aws:iam::{STAGING}:role/Deploy", RoleSessionName="ci-deploy")
    user, creds = out["AssumedRoleUser"], out["Credentials"]
    assert user["Arn"] == f"arn:aws:sts::{STAGING}:assumed-role/Deploy/ci-deploy"
    assert re.fullmatch(r"AROA[A-Z2-7]{17}:ci-deploy", user["AssumedRoleId"])
    assert re.fullmatch(r"ASIA[A-Z2-7]{16}", creds["AccessKeyId"])
    assert len(creds["SecretAccessKey"]) == 40 and len(creds["SessionToken"]) > 100
    assert isinstance(creds["Expiration"], datetime)  # botocore parsed the timestamp
    assert abs((creds["Expiration"] - before).total_seconds() - 3600) < 5
    assert out["ResponseMetadata"]["RequestId"]
    short = sts(emulator, caller).assume_role(RoleArn=f"arn:aws:iam::{STAGING}:role/Deploy",
                                              RoleSessionName="short", DurationSeconds=900)
    assert abs((short["Credentials"]["Expiration"] - before).total_seconds() - 900) < 5
    # the same role and account: the same role id, whatever the session
    assert short["AssumedRoleUser"]["AssumedRoleId"].split(":")[0] == \
        user["AssumedRoleId"].split(":")[0]
    issued = set(emulator.issued_secrets())
    assert {creds["SecretAccessKey"], creds["SessionToken"]} <= issued
    assert creds["AccessKeyId"] not in issued
    assert emulator.stats()["requests"]["AssumeRole"] == 2
    assert emulator.stats()["assumed_role_sessions"] == 2


def test_assumed_credentials_work_for_sts_s3_and_further_chains(emulator: Emulator) -> None:
    first = as_creds(sts(emulator, role_credentials(emulator, PROD)).assume_role(
        RoleArn=f"arn:aws:iam::{STAGING}:role/Deploy", RoleSessionName="hop1"))
    ident = sts(emulator, first).get_caller_identity()
    assert ident["Account"] == STAGING
    assert ident["Arn"] == f"arn:aws:sts::{STAGING}:assumed-role/Deploy/hop1"
    assert re.fullmatch(r"AROA[A-Z2-7]{17}:hop1", ident["UserId"])
    s3 = boto3.session.Session().client("s3", endpoint_url=emulator.url,
                                        region_name="eu-west-1", config=NO_RETRY, **first)
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == [
        "acme-staging-app-data-345678901234", "acme-staging-logs-345678901234"]
    # a chain: assumed credentials assume another role (a role path is not in the ARN's name)
    second = as_creds(sts(emulator, first).assume_role(
        RoleArn=f"arn:aws:iam::{DEV}:role/teams/platform/Audit", RoleSessionName="hop2"))
    assert sts(emulator, second).get_caller_identity()["Arn"] == \
        f"arn:aws:sts::{DEV}:assumed-role/Audit/hop2"
    # other partitions keep their partition in the assumed-role ARN
    cn = sts(emulator, second).assume_role(
        RoleArn=f"arn:aws-cn:iam::{PROD}:role/Ops", RoleSessionName="hop3")
    assert cn["AssumedRoleUser"]["Arn"] == f"arn:aws-cn:sts::{PROD}:assumed-role/Ops/hop3"


@pytest.mark.parametrize("arn", [
    "arn:aws:iam::999999999999:role/Deploy",        # an account outside the organisation
    f"arn:aws:iam::{STAGING}:user/Deploy",          # not a role
    f"arn:aws:s3:::{STAGING}-bucket-and-more",      # not IAM
    f"arn:aws:iam::{STAGING[:-1]}:role/Deploy",     # 11 digits
    f"arn:aws:iam::{STAGING}:role/",                # no name
    "garbage-that-is-long-enough",
])
def test_role_arns_outside_the_organisation_are_access_denied(emulator: Emulator,
                                                              arn: str) -> None:
    caller = role_credentials(emulator, PROD)
    status, err = error(lambda: sts(emulator, caller).assume_role(RoleArn=arn,
                                                                  RoleSessionName="x1"))
    assert (status, err["Code"], err["Type"]) == (403, "AccessDenied", "Sender")
    who = sts(emulator, caller).get_caller_identity()["Arn"]
    assert err["Message"] == (f"User: {who} is not authorized to perform: sts:AssumeRole on "
                              f"resource: {arn}")
    assert emulator.stats()["assumed_role_sessions"] == 0


def test_validation_errors_as_aws_words_them(emulator: Emulator) -> None:
    client = sts(emulator, role_credentials(emulator, PROD), UNVALIDATED)
    arn = f"arn:aws:iam::{PROD}:role/Deploy"
    cases = [
        ({"RoleSessionName": "a"}, "Value 'a' at 'roleSessionName' failed to satisfy "
         "constraint: Member must have length greater than or equal to 2"),
        ({"RoleSessionName": "no spaces"}, "Member must satisfy regular expression pattern"),
        ({"RoleSessionName": "x" * 65}, "Member must have length less than or equal to 64"),
        ({"RoleSessionName": "ok", "DurationSeconds": 899},
         "Member must have value greater than or equal to 900"),
        ({"RoleSessionName": "ok", "DurationSeconds": 43201},
         "Member must have value less than or equal to 43200"),
    ]
    for kwargs, message in cases:
        status, err = error(lambda kw=kwargs: client.assume_role(RoleArn=arn, **kw))
        assert (status, err["Code"]) == (400, "ValidationError"), kwargs
        assert message in err["Message"], (kwargs, err["Message"])
    # every caller holds role credentials: more than an hour is refused (role chaining)
    status, err = error(lambda: client.assume_role(RoleArn=arn, RoleSessionName="ok",
                                                   DurationSeconds=3601))
    assert (status, err["Code"]) == (400, "ValidationError")
    assert err["Message"] == ("The requested DurationSeconds exceeds the 1 hour session limit "
                              "for roles assumed by role chaining.")
    status, err = error(lambda: client.assume_role(RoleSessionName="ok"))
    assert "Value null at 'roleArn'" in err["Message"]
    assert emulator.stats()["assumed_role_sessions"] == 0


def test_assume_role_needs_live_credentials_issued_here(make_emulator: Any) -> None:
    emu = make_emulator(credential_ttl=900)
    arn = f"arn:aws:iam::{PROD}:role/Deploy"
    form = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    status, text = raw(emu, "POST", "/", f"Action=AssumeRole&Version=2011-06-15&RoleArn={arn}"
                       "&RoleSessionName=x1".encode(), form)
    assert status == 403 and "<Code>MissingAuthenticationToken</Code>" in text
    forged = {"aws_access_key_id": "ASIAZZZZZZZZZZZZZZZZ", "aws_secret_access_key": "x" * 40,
              "aws_session_token": "y" * 40}
    status, err = error(lambda: sts(emu, forged).assume_role(RoleArn=arn,
                                                             RoleSessionName="x1"))
    assert (status, err["Code"]) == (403, "InvalidClientTokenId")
    caller = role_credentials(emu, PROD)
    assumed = as_creds(sts(emu, caller).assume_role(RoleArn=arn, RoleSessionName="x1",
                                                    DurationSeconds=900))
    emu.advance_clock(901)
    for creds in (caller, assumed):
        status, err = error(lambda c=creds: sts(emu, c).assume_role(RoleArn=arn,
                                                                    RoleSessionName="x2"))
        assert (status, err["Code"]) == (403, "ExpiredToken")
        status, err = error(sts(emu, creds).get_caller_identity)
        assert (status, err["Code"]) == (403, "ExpiredToken")


# -- botocore's assume-role provider on top of an SSO profile, end to end ------------------
CHAINED = """
import json, sys, boto3
out = {}
for profile in sys.argv[1:]:
    session = boto3.Session(profile_name=profile)
    ident = session.client("sts").get_caller_identity()
    buckets = session.client("s3").list_buckets()["Buckets"]
    out[profile] = {"account": ident["Account"], "arn": ident["Arn"],
                    "buckets": [b["Name"] for b in buckets]}
print(json.dumps(out))
"""


@pytest.mark.interop
def test_botocore_source_profile_chain_from_an_sso_profile(sandbox: Any,
                                                          make_emulator: Any) -> None:
    emu = make_emulator(auto_approve_after=0)
    _, tok = device_login(emu.url)
    write_sso_profile(sandbox, {"startUrl": "https://acme.awsapps.com/start",
                                "region": "eu-west-1", "accessToken": tok["accessToken"],
                                "expiresAt": stamp(tok["expiresIn"])})
    with sandbox.config.open("a") as fh:
        fh.write(f"\n[profile chained]\nsource_profile = acme-admin\n"
                 f"role_arn = arn:aws:iam::{STAGING}:role/Deploy\nregion = eu-west-1\n"
                 f"\n[profile audit]\nsource_profile = chained\n"
                 f"role_arn = arn:aws:iam::{DEV}:role/Audit\nrole_session_name = audit-ci\n"
                 f"region = eu-west-1\n")
    started = int(time.time())
    r = subprocess_python(sandbox, emu, "chained", "audit")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    chained = out["chained"]
    assert chained["account"] == STAGING
    m = re.fullmatch(rf"arn:aws:sts::{STAGING}:assumed-role/Deploy/botocore-session-(\d+)",
                     chained["arn"])
    assert m and int(m.group(1)) >= started - 5, chained["arn"]
    assert chained["buckets"] == ["acme-staging-app-data-345678901234",
                                  "acme-staging-logs-345678901234"]
    assert out["audit"]["arn"] == f"arn:aws:sts::{DEV}:assumed-role/Audit/audit-ci"
    assert out["audit"]["account"] == DEV
    calls = emu.stats()["requests"]
    assert calls["GetRoleCredentials"] >= 1 and calls["AssumeRole"] >= 3
    assert emu.stats()["assumed_role_sessions"] == calls["AssumeRole"]


def subprocess_python(sandbox: Any, emu: Emulator, *profiles: str) -> Any:
    """``CHAINED`` with these profiles, in the sandbox, pointed at the emulator."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-c", CHAINED, *profiles], capture_output=True,
                          text=True, env={**sandbox.env, **emu.endpoint_env()},
                          cwd=str(sandbox.home), timeout=120, check=False)
