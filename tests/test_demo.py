"""``ssogen demo --yes``: end to end in a fresh HOME, never touching $HOME/.aws."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
def test_demo_yes_in_fresh_home(sandbox) -> None:  # type: ignore[no-untyped-def]
    env = dict(sandbox.env)
    env.pop("AWS_CONFIG_FILE")  # the demo must not need (or use) the caller's config
    proc = subprocess.run([sys.executable, "-m", "ssogen", "demo", "--yes"], env=env,
                          capture_output=True, text=True, timeout=120, cwd=str(sandbox.home))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not sandbox.aws.exists(), "the demo wrote into $HOME/.aws"
    out = proc.stdout
    assert "[sso-session acme-demo]" in out
    assert out.count("[profile ") == 16  # the sample organisation: 6 accounts, 16 roles
    m = re.search(r"access key id (ASIA…[A-Z0-9]{4})\s+\(method sso, session token present",
                  out)
    assert m, out
    # the approval URL a person would open is shown, and the sandbox is gone afterwards
    assert re.search(r"http://127\.0\.0\.1:\d+/device", proc.stderr)
    sandbox_home = re.search(r"sandbox HOME: (\S+)", out)
    assert sandbox_home and not Path(sandbox_home.group(1)).exists()


def test_demo_keep(sandbox, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    keep = tmp_path / "kept"
    proc = sandbox.run("demo", "--yes", "--keep", str(keep), timeout=120)
    assert proc.returncode == 0, proc.stderr
    config = keep / "home" / ".aws" / "config"
    assert "[sso-session acme-demo]" in config.read_text()
    assert list((keep / "home" / ".aws" / "sso" / "cache").glob("*.json"))
    assert not sandbox.aws.exists()
    # a second run into the same (now non-empty) directory refuses, in one line
    again = sandbox.run("demo", "--yes", "--keep", str(keep))
    assert again.returncode == 2
    assert again.stderr.startswith("ssogen: error: ")


def test_demo_without_terminal_needs_yes(sandbox) -> None:  # type: ignore[no-untyped-def]
    proc = sandbox.run("demo")
    assert proc.returncode == 2
    assert "--yes" in proc.stderr
    assert not sandbox.aws.exists()
