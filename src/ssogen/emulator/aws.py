"""The wire format of two small AWS services beside IAM Identity Center, so that unmodified
AWS clients can finish the job offline: SigV4 credential scopes, who a set of role credentials
belongs to, and the XML answers of STS (query protocol) and S3 (REST-XML). The services
themselves are in ``ssogen.emulator.sts``.

sts  ``POST /`` with form body ``Action=GetCallerIdentity|AssumeRole&Version=2011-06-15``
     (XML answer); also ``GET /?Action=...``
s3   ``GET /`` carrying SigV4 (``Authorization`` header or presigned ``X-Amz-Credential``):
     ListBuckets (REST-XML answer)

The caller is identified by the access key id in the SigV4 credential scope (the signature is
not verified). It must be one the emulator issued, sent with its session token
(``X-Amz-Security-Token``), and not expired; otherwise the error AWS answers:

=========================  ====================================  ==============================
case                       STS                                   S3
=========================  ====================================  ==============================
no SigV4 at all            403 MissingAuthenticationToken        (``GET /`` is the index page)
malformed Authorization    400 IncompleteSignature               400 AuthorizationHeaderMalformed
unknown access key id      403 InvalidClientTokenId              403 InvalidAccessKeyId
session token missing/bad  403 InvalidClientTokenId              400 InvalidToken
credentials expired        403 ExpiredToken                      400 ExpiredToken
=========================  ====================================  ==============================
"""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import datetime, timezone
from xml.sax.saxutils import escape

from ssogen.records import record

STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"
S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"
SIGV4_ALGORITHM = "AWS4-HMAC-SHA256"

_STATUS = {
    ("sts", "MissingAuthenticationToken"): 403,
    ("sts", "InvalidClientTokenId"): 403,
    ("sts", "ExpiredToken"): 403,
    ("sts", "IncompleteSignature"): 400,
    ("sts", "InvalidAction"): 400,
    ("sts", "ValidationError"): 400,
    ("sts", "AccessDenied"): 403,
    ("sts", "SignatureDoesNotMatch"): 403,
    ("s3", "SignatureDoesNotMatch"): 403,
    ("sts", "InternalFailure"): 500,
    ("s3", "AccessDenied"): 403,
    ("s3", "InvalidAccessKeyId"): 403,
    ("s3", "InvalidToken"): 400,
    ("s3", "ExpiredToken"): 400,
    ("s3", "AuthorizationHeaderMalformed"): 400,
    ("s3", "InternalError"): 500,
}


class AwsError(Exception):
    """An error answer of STS (query protocol) or S3 (REST-XML), as XML."""

    def __init__(self, service: str, code: str, message: str,
                 access_key_id: str | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.service = service
        self.code = code
        self.message = message
        self.access_key_id = access_key_id

    @property
    def status(self) -> int:
        return _STATUS.get((self.service, self.code), 400)

    def xml(self, request_id: str) -> bytes:
        if self.service == "sts":
            kind = "Receiver" if self.status >= 500 else "Sender"
            return (f'<ErrorResponse xmlns="{STS_NAMESPACE}">\n'
                    f"  <Error>\n    <Type>{kind}</Type>\n"
                    f"    <Code>{escape(self.code)}</Code>\n"
                    f"    <Message>{escape(self.message)}</Message>\n  </Error>\n"
                    f"  <RequestId>{request_id}</RequestId>\n"
                    f"</ErrorResponse>\n").encode()
        key = (f"<AWSAccessKeyId>{escape(self.access_key_id)}</AWSAccessKeyId>"
               if self.access_key_id else "")
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
                f"<Error><Code>{escape(self.code)}</Code>"
                f"<Message>{escape(self.message)}</Message>{key}"
                f"<RequestId>{request_id}</RequestId>"
                f"<HostId>{host_id(request_id)}</HostId></Error>").encode()


def host_id(request_id: str) -> str:
    return hashlib.sha256(request_id.encode()).hexdigest()[:56]


# -- SigV4 -----------------------------------------------------------------------------------
@record(frozen=True)
class SigV4Scope:
    """What a SigV4 ``Credential=AKID/DATE/REGION/SERVICE/aws4_request`` names."""

    access_key_id: str
    date: str
    region: str
    service: str


_SCOPE = re.compile(r"^([A-Z0-9]{16,128})/(\d{8})/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request$")


def parse_scope(credential: str) -> SigV4Scope:
    """``AKID/20261126/eu-west-1/sts/aws4_request`` -> SigV4Scope; ValueError if malformed."""
    m = _SCOPE.match(credential.strip())
    if m is None:
        raise ValueError("the Credential parameter is malformed; expecting "
                         "\"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\"")
    return SigV4Scope(*m.groups())


def parse_authorization(header: str) -> SigV4Scope:
    """The credential scope of a SigV4 ``Authorization`` header, e.g.
    ``AWS4-HMAC-SHA256 Credential=AKID/20261126/eu-west-1/sts/aws4_request,
    SignedHeaders=host;x-amz-date, Signature=0123...``; ValueError naming what is wrong."""
    algorithm, _, rest = header.strip().partition(" ")
    if algorithm != SIGV4_ALGORITHM:
        raise ValueError(f"unsupported authorization algorithm (expected {SIGV4_ALGORITHM})")
    params: dict[str, str] = {}
    for part in rest.split(","):
        name, eq, value = part.strip().partition("=")
        if not eq or not name or not value:
            raise ValueError(f"Authorization header parameter is malformed: {part.strip()[:40]!r}")
        if name in params:
            raise ValueError(f"Authorization header has {name} twice")
        params[name] = value.strip()
    for required in ("Credential", "SignedHeaders", "Signature"):
        if required not in params:
            raise ValueError(f"Authorization header requires '{required}' parameter")
    if not re.fullmatch(r"[0-9a-f]{64}", params["Signature"]):
        raise ValueError("the Signature must be 64 lowercase hex digits")
    return parse_scope(params["Credential"])


def request_scope(headers: dict[str, str], query: dict[str, str]) -> SigV4Scope | None:
    """The SigV4 credential scope of a request (header, or presigned query string); None if it
    carries no SigV4 at all; ValueError if it carries a malformed one."""
    auth = headers.get("authorization")
    if auth is not None:
        return parse_authorization(auth)
    if "X-Amz-Credential" in query:
        if query.get("X-Amz-Algorithm") != SIGV4_ALGORITHM:
            raise ValueError(f"X-Amz-Algorithm must be {SIGV4_ALGORITHM}")
        return parse_scope(query["X-Amz-Credential"])
    return None


# -- who the caller is -----------------------------------------------------------------------
@record
class RoleCredential:
    """Role credentials the emulator issued, and whose they are: a permission set's role
    (GetRoleCredentials, ``assumed`` False) or an IAM role taken with STS AssumeRole
    (``assumed`` True, ``role_name`` the IAM role's name, ``session_name`` the
    RoleSessionName)."""

    account_id: str
    role_name: str
    session_token: str
    expires_at: float
    session_name: str
    secret_access_key: str = ""
    assumed: bool = False
    partition: str = "aws"

    @property
    def iam_role_name(self) -> str:
        """The IAM role: for a permission set the one IAM Identity Center provisions,
        ``AWSReservedSSO_<PermissionSet>_<16 hex>`` (deterministic here)."""
        if self.assumed or self.role_name.startswith("AWSReservedSSO_"):
            return self.role_name
        suffix = hashlib.sha256(f"{self.account_id}/{self.role_name}".encode()).hexdigest()[:16]
        return f"AWSReservedSSO_{self.role_name}_{suffix}"

    @property
    def role_id(self) -> str:
        """The role's unique id (``AROA`` + 17 characters), stable per account and role."""
        name = f"iam:{self.role_name}" if self.assumed else self.role_name
        digest = hashlib.sha256(f"role:{self.account_id}/{name}".encode()).digest()
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
        return "AROA" + "".join(alphabet[b % 32] for b in digest[:17])

    @property
    def arn(self) -> str:
        return (f"arn:{self.partition}:sts::{self.account_id}:assumed-role/"
                f"{self.iam_role_name}/{self.session_name}")


def caller_identity_xml(cred: RoleCredential, request_id: str) -> bytes:
    return (f'<GetCallerIdentityResponse xmlns="{STS_NAMESPACE}">\n'
            f"  <GetCallerIdentityResult>\n"
            f"    <Arn>{escape(cred.arn)}</Arn>\n"
            f"    <UserId>{escape(cred.role_id)}:{escape(cred.session_name)}</UserId>\n"
            f"    <Account>{cred.account_id}</Account>\n"
            f"  </GetCallerIdentityResult>\n"
            f"  <ResponseMetadata>\n    <RequestId>{request_id}</RequestId>\n"
            f"  </ResponseMetadata>\n"
            f"</GetCallerIdentityResponse>\n").encode()


def assume_role_xml(cred: RoleCredential, access_key_id: str, request_id: str) -> bytes:
    """The AssumeRole answer botocore parses (AssumeRoleResult/Credentials, AssumedRoleUser);
    ``Expiration`` in ISO 8601 UTC."""
    expiration = datetime.fromtimestamp(cred.expires_at, timezone.utc)
    return (f'<AssumeRoleResponse xmlns="{STS_NAMESPACE}">\n'
            f"  <AssumeRoleResult>\n"
            f"    <AssumedRoleUser>\n"
            f"      <AssumedRoleId>{escape(cred.role_id)}:{escape(cred.session_name)}"
            f"</AssumedRoleId>\n"
            f"      <Arn>{escape(cred.arn)}</Arn>\n"
            f"    </AssumedRoleUser>\n"
            f"    <Credentials>\n"
            f"      <AccessKeyId>{access_key_id}</AccessKeyId>\n"
            f"      <SecretAccessKey>{escape(cred.secret_access_key)}</SecretAccessKey>\n"
            f"      <SessionToken>{escape(cred.session_token)}</SessionToken>\n"
            f"      <Expiration>{expiration.strftime('%Y-%m-%dT%H:%M:%SZ')}</Expiration>\n"
            f"    </Credentials>\n"
            f"  </AssumeRoleResult>\n"
            f"  <ResponseMetadata>\n    <RequestId>{request_id}</RequestId>\n"
            f"  </ResponseMetadata>\n"
            f"</AssumeRoleResponse>\n").encode()


def list_buckets_xml(cred: RoleCredential, buckets: list[tuple[str, datetime]]) -> bytes:
    owner = hashlib.sha256(f"canonical:{cred.account_id}".encode()).hexdigest()
    items = "".join(
        f"<Bucket><Name>{escape(name)}</Name>"
        f"<CreationDate>{created.astimezone(timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.000Z')}"
        f"</CreationDate></Bucket>" for name, created in buckets)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<ListAllMyBucketsResult xmlns="{S3_NAMESPACE}">'
            f"<Owner><ID>{owner}</ID></Owner><Buckets>{items}</Buckets>"
            f"</ListAllMyBucketsResult>").encode()


def new_request_id(service: str) -> str:
    if service == "s3":  # S3 request ids: 16 upper-case hex digits
        return uuid.uuid4().hex[:16].upper()
    return str(uuid.uuid4())
