"""Logging is applied lazily (ssogen.logs): an offline run never imports ``logging``; the
moment AWS code is imported, the redacting configuration is in place before botocore can say
anything; ``-v`` applies it at once."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _run(code: str) -> str:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_an_offline_sync_imports_no_logging(tmp_path) -> None:  # type: ignore[no-untyped-def]
    inventory = tmp_path / "inv.json"
    inventory.write_text('{"session": "s", "start_url": "https://acme.awsapps.com/start", '
                         '"sso_region": "eu-west-1", "accounts": [{"id": "111111111111", '
                         '"name": "prod", "roles": ["ReadOnlyAccess"]}]}')
    config = tmp_path / "config"
    out = _run("import sys\nfrom ssogen.cli import main\n"
               f"first = main(['--config', {str(config)!r}, 'setup', '--yes', "
               f"'--inventory', {str(inventory)!r}])\n"
               f"again = main(['--config', {str(config)!r}, 'sync', '--check', "
               f"'--inventory', {str(inventory)!r}])\n"
               "print(first, again, 'logging' in sys.modules)")
    assert out.splitlines()[-1] == "0 0 False"  # written, then up to date; no logging


@pytest.mark.parametrize("package", ["ssogen.aws.clients", "ssogen.emulator"])
def test_importing_aws_code_applies_the_pending_configuration(package: str) -> None:
    out = _run(
        "import sys\nfrom ssogen import logs\nlogs.setup(0)\n"
        "assert 'logging' not in sys.modules\n"
        f"import {package}\nimport logging\n"
        "root = logging.getLogger()\n"
        "print(root.level == logging.WARNING, "
        "any(type(f).__name__ == '_Redact' for h in root.handlers for f in h.filters), "
        "logging.getLogger('botocore').level == logging.ERROR)\n"
        "logging.getLogger('botocore').error('accessToken=abc123secret')\n")
    assert out == "True True True"  # botocore's warnings (with tracebacks) only with -v


def test_botocore_warnings_show_with_verbose_redacted() -> None:
    code = ("import sys\nfrom ssogen import logs\nlogs.setup(int(sys.argv[1]))\n"
            "import ssogen.aws.clients, logging\nb = logging.getLogger('botocore')\n"
            "b.warning('said: accessToken=abc123secret')\n"
            "b.error('failed: accessToken=abc123secret')")
    shown = {}
    for verbosity in (0, 1):
        proc = subprocess.run([sys.executable, "-c", code, str(verbosity)],
                              capture_output=True, text=True, check=True)
        shown[verbosity] = proc.stderr
    assert shown[0] == "ssogen: ERROR: failed: accessToken=<redacted>\n"  # no warning
    assert shown[1] == ("ssogen: WARNING: said: accessToken=<redacted>\n"
                        "ssogen: ERROR: failed: accessToken=<redacted>\n")


def test_a_record_is_redacted_before_it_is_formatted() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "from ssogen import logs\nlogs.setup(1)\nimport logging\n"
         "logging.getLogger('x').info('clientSecret: %s', 'hunter2-the-secret')"],
        capture_output=True, text=True, check=True)
    assert proc.stderr == "ssogen: INFO: clientSecret: <redacted>\n"


def test_verbose_applies_at_once() -> None:
    out = _run("import sys\nfrom ssogen import logs\nlogs.setup(2)\n"
               "import logging\nprint(logging.getLogger().level == logging.DEBUG)")
    assert out == "True"


@pytest.mark.parametrize(("said", "shown"), [
    ("Event before-call.sso-oidc.StartDeviceAuthorization: calling handler <function x>",
     "Event before-call.sso-oidc.StartDeviceAuthorization: calling handler <function x>"),
    ("headers={'Authorization': 'Bearer abc.def'}", "headers={'Authorization': '<redacted>'}"),
    ("'x-amz-sso_bearer_token': b'tok123'", "'x-amz-sso_bearer_token': b'<redacted>'"),
    ("aws_access_key_id = AKIAEXAMPLE", "aws_access_key_id = <redacted>"),
    ('{"refreshToken": "r-123"}', '{"refreshToken": "<redacted>"}')])
def test_only_whole_field_names_are_redacted(said: str, shown: str) -> None:
    """A secret field's value goes; a word that merely ends like a field name (an operation
    name: StartDeviceAuthorization) keeps what follows it, so -vvv logs stay readable."""
    import re

    from ssogen.logs import SECRET_FIELD_PATTERN

    assert re.sub(SECRET_FIELD_PATTERN, r"\1<redacted>", said, flags=re.IGNORECASE) == shown
