"""STS and S3 for the role credentials the portal issues: who holds them
(:class:`CredentialStore`), STS GetCallerIdentity and S3 ListBuckets. Wire formats and the
error table are in ``ssogen.emulator.aws``.
"""

from __future__ import annotations

import base64
import hmac
import logging
import secrets
import string

from ssogen.emulator import aws
from ssogen.emulator.base import Host, Request, Response

log = logging.getLogger("ssogen.emulator")


class CredentialStore:
    """Every set of role credentials issued (by access key id), for the services that must
    recognise them: STS and S3."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self._by_key: dict[str, aws.RoleCredential] = {}

    def issue(self, account_id: str, role_name: str, session_name: str, ttl: float,
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
                                      session_name, secret)
            self._by_key[key_id] = cred
        return key_id, cred

    def get(self, access_key_id: str) -> aws.RoleCredential | None:
        with self.host.lock:
            return self._by_key.get(access_key_id)


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
            if api != "GetCallerIdentity":
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
