"""STS and S3 for the role credentials this emulator issues: who holds them
(:class:`CredentialStore`), STS GetCallerIdentity and AssumeRole, and S3 ListBuckets. Wire
formats and the error table are in ``ssogen.emulator.aws``.

AssumeRole (query protocol: ``Action=AssumeRole&Version=2011-06-15&RoleArn=...&
RoleSessionName=...[&DurationSeconds=...]``) must be signed with credentials issued here
(GetRoleCredentials or an earlier AssumeRole: chains work). ``RoleArn`` must be
``arn:<partition>:iam::<account of the organisation>:role/[<path>/]<name>``, otherwise
AccessDenied as AWS words it. Every caller holds role credentials, so every AssumeRole is role
chaining: ``DurationSeconds`` (900..43200, default 3600) above one hour fails with AWS's
ValidationError. The new credentials then work for STS and S3 in the role's account.
"""

from __future__ import annotations

import base64
import hmac
import logging
import re
import secrets
import string

from ssogen.emulator import aws
from ssogen.emulator.base import Host, Request, Response

log = logging.getLogger("ssogen.emulator")

_ROLE_ARN = re.compile(r"arn:(aws(?:-[a-z]+)*):iam::(\d{12}):role/((?:[\w+=,.@-]+/)*)"
                       r"([\w+=,.@-]{1,64})")
_SESSION_NAME = re.compile(r"[\w+=,.@-]*")
CHAINED_MAX_DURATION = 3600


class CredentialStore:
    """Every set of role credentials issued (by access key id), for the services that must
    recognise them: STS, S3 and the federation sign-in."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self._by_key: dict[str, aws.RoleCredential] = {}

    def issue(self, account_id: str, role_name: str, session_name: str, ttl: float, *,
              assumed: bool = False, partition: str = "aws",
              ) -> tuple[str, aws.RoleCredential]:
        """New credentials (access key id and who holds them); the secret key and session
        token are registered as issued secrets."""
        upper = string.ascii_uppercase + "234567"
        host = self.host
        with host.lock:
            key_id = "ASIA" + "".join(secrets.choice(upper) for _ in range(16))
            secret = host.issue(base64.b64encode(secrets.token_bytes(30)).decode("ascii"))
            token = host.issue(
                "IQoJb3JpZ2luX2VjE" + base64.b64encode(secrets.token_bytes(300)).decode("ascii"))
            cred = aws.RoleCredential(account_id, role_name, token, host.now() + ttl,
                                      session_name, secret, assumed, partition)
            self._by_key[key_id] = cred
        return key_id, cred

    def get(self, access_key_id: str) -> aws.RoleCredential | None:
        with self.host.lock:
            return self._by_key.get(access_key_id)

    def assumed_sessions(self) -> int:
        with self.host.lock:
            return sum(1 for c in self._by_key.values() if c.assumed)


def matches(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a presented secret with the issued one."""
    return bool(given) and hmac.compare_digest(str(given).encode(), expected.encode())


class StsService:
    """``/`` for STS (an ``Action``) and S3 (a SigV4 ``GET``)."""

    def __init__(self, host: Host, credentials: CredentialStore) -> None:
        self.host = host
        self.credentials = credentials

    def handle(self, service: str, req: Request) -> Response:
        """One STS or S3 request, answered in XML (errors too, as botocore parses them)."""
        request_id = aws.new_request_id(service)
        xml_type = "text/xml" if service == "sts" else "application/xml"
        extra = ({"x-amz-request-id": request_id, "x-amz-id-2": aws.host_id(request_id)}
                 if service == "s3" else {})
        try:
            body = self._answer(service, req, request_id)
        except aws.AwsError as err:
            return Response(err.status, err.xml(request_id), xml_type, extra)
        except Exception:  # a bug in the emulator: answer like AWS, log without payloads
            log.exception("emulator: internal error in %s", service)
            internal = aws.AwsError(service, "InternalFailure" if service == "sts"
                                    else "InternalError", "Internal error")
            return Response(internal.status, internal.xml(request_id), xml_type, extra)
        return Response(200, body, xml_type, extra)

    def _answer(self, service: str, req: Request, request_id: str) -> bytes:
        params = {**req.query, **req.form}
        api = "ListBuckets"
        if service == "sts":
            api = params.get("Action", "")
            if api not in ("GetCallerIdentity", "AssumeRole"):
                raise aws.AwsError("sts", "InvalidAction", f"Could not find operation "
                                   f"{api[:60]} for version {params.get('Version', '')[:20]}")
        self.host.before_call(api, service)
        try:
            scope = aws.request_scope(req.headers, req.query)
        except ValueError as exc:
            code = "IncompleteSignature" if service == "sts" else "AuthorizationHeaderMalformed"
            raise aws.AwsError(service, code, str(exc)) from None
        if scope is not None and scope.service != service:
            raise aws.AwsError(service, "SignatureDoesNotMatch", f"Credential should be "
                               f"scoped to correct service: '{service}'.")
        token = req.headers.get("x-amz-security-token") or req.query.get("X-Amz-Security-Token")
        cred = self.role_credential(service, scope, token)
        if api == "GetCallerIdentity":
            return aws.caller_identity_xml(cred, request_id)
        if api == "AssumeRole":
            key_id, new = self.assume_role(cred, params)
            return aws.assume_role_xml(new, key_id, request_id)
        return aws.list_buckets_xml(cred, self.host.org.buckets(cred.account_id) or [])

    def role_credential(self, service: str, scope: aws.SigV4Scope | None,
                        session_token: str | None) -> aws.RoleCredential:
        """Whose role credentials signed a request (``service`` is ``sts`` or ``s3``);
        raises aws.AwsError as that service would."""
        sts = service == "sts"
        if scope is None:
            if sts:
                raise aws.AwsError("sts", "MissingAuthenticationToken",
                                   "Request is missing Authentication Token")
            raise aws.AwsError("s3", "AccessDenied", "Access Denied")
        key = scope.access_key_id
        cred = self.credentials.get(key)
        invalid = "The security token included in the request is invalid."
        if cred is None:
            if sts:
                raise aws.AwsError("sts", "InvalidClientTokenId", invalid)
            raise aws.AwsError("s3", "InvalidAccessKeyId", "The AWS Access Key Id you "
                               "provided does not exist in our records.", key)
        if not matches(session_token, cred.session_token):
            if sts:
                raise aws.AwsError("sts", "InvalidClientTokenId", invalid)
            raise aws.AwsError("s3", "InvalidToken",
                               "The provided token is malformed or otherwise invalid.")
        if self.host.now() >= cred.expires_at:
            if sts:
                raise aws.AwsError("sts", "ExpiredToken",
                                   "The security token included in the request is expired")
            raise aws.AwsError("s3", "ExpiredToken", "The provided token has expired.")
        return cred

    def assume_role(self, caller: aws.RoleCredential, params: dict[str, str],
                    ) -> tuple[str, aws.RoleCredential]:
        """STS AssumeRole for a caller holding role credentials (see the module docstring)."""
        arn, name = params.get("RoleArn", ""), params.get("RoleSessionName", "")
        for member, value in (("roleArn", arn), ("roleSessionName", name)):
            if not value:
                raise _validation(f"Value null at '{member}' failed to satisfy constraint: "
                                  f"Member must not be null")
        if not 2 <= len(name) <= 64:
            bound = "greater than or equal to 2" if len(name) < 2 else "less than or equal to 64"
            raise _validation(f"Value '{name[:80]}' at 'roleSessionName' failed to satisfy "
                              f"constraint: Member must have length {bound}")
        if not _SESSION_NAME.fullmatch(name):
            raise _validation(f"Value '{name[:80]}' at 'roleSessionName' failed to satisfy "
                              r"constraint: Member must satisfy regular expression pattern: "
                              r"[\w+=,.@-]*")
        duration = _duration(params.get("DurationSeconds"))
        m = _ROLE_ARN.fullmatch(arn)
        if m is None or self.host.org.account(m.group(2)) is None:
            raise aws.AwsError("sts", "AccessDenied", f"User: {caller.arn} is not authorized "
                               f"to perform: sts:AssumeRole on resource: {arn[:2048]}")
        if duration > CHAINED_MAX_DURATION:
            raise _validation("The requested DurationSeconds exceeds the 1 hour session limit "
                              "for roles assumed by role chaining.", prefix=False)
        partition, account_id, role = m.group(1), m.group(2), m.group(4)
        return self.credentials.issue(account_id, role, name, duration, assumed=True,
                                      partition=partition)


def _validation(message: str, prefix: bool = True) -> aws.AwsError:
    return aws.AwsError("sts", "ValidationError",
                        f"1 validation error detected: {message}" if prefix else message)


def _duration(raw: str | None) -> int:
    """DurationSeconds: 900..43200, default 3600 (ValidationError as AWS words it)."""
    if raw is None or raw == "":
        return 3600
    try:
        value = int(raw)
    except ValueError:
        raise _validation(f"Value '{raw[:20]}' at 'durationSeconds' failed to satisfy "
                          "constraint: Member must be an integer") from None
    if value < 900:
        raise _validation(f"Value '{value}' at 'durationSeconds' failed to satisfy "
                          "constraint: Member must have value greater than or equal to 900")
    if value > 43200:
        raise _validation(f"Value '{value}' at 'durationSeconds' failed to satisfy "
                          "constraint: Member must have value less than or equal to 43200")
    return value
