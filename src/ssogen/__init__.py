"""ssogen: generate ~/.aws/config profiles for every IAM Identity Center account and role."""

__version__ = "0.1.0"
