"""A local IAM Identity Center (``sso-oidc`` + ``sso`` portal) for the demo and for tests.

>>> from ssogen.emulator import Emulator, Organization
>>> with Emulator(Organization.sample(), auto_approve_after=0) as emu:
...     env = emu.endpoint_env()   # AWS_ENDPOINT_URL_SSO / AWS_ENDPOINT_URL_SSO_OIDC
"""

from ssogen.emulator.org import Organization
from ssogen.emulator.server import Emulator, ServiceError

__all__ = ["Emulator", "Organization", "ServiceError"]
