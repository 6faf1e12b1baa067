"""A local IAM Identity Center (``sso-oidc`` + ``sso`` portal) for the demo and for tests,
plus STS GetCallerIdentity and AssumeRole, S3 ListBuckets and the console sign-in federation
endpoint for the role credentials it issues, so that ``aws sts get-caller-identity`` /
``aws s3 ls --profile P`` work against it end to end.

>>> from ssogen.emulator import Emulator, Organization
>>> with Emulator(Organization.sample(), auto_approve_after=0) as emu:
...     env = emu.endpoint_env()   # AWS_ENDPOINT_URL_SSO / _SSO_OIDC / _STS / _S3 / _SIGNIN

Importing it applies the logging the CLI asked for (:func:`ssogen.logs.activate`): the
emulator logs its internal errors, which then get ssogen's format and the redaction.
"""

from ssogen import logs
from ssogen.emulator.org import Organization
from ssogen.emulator.server import Emulator, ServiceError

__all__ = ["Emulator", "Organization", "ServiceError"]

logs.activate()
