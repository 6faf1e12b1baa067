"""The wheel ships the templates and the console script, and works from the wheel alone."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO, Sandbox

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import importlib.util

    out = tmp_path_factory.mktemp("dist")
    # the backend (hatchling) is not a test dependency: build in isolation unless it is here
    isolation = [] if importlib.util.find_spec("hatchling") is None else ["--no-isolation"]
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", *isolation, "--outdir", str(out),
         str(REPO)], capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    (path,) = out.glob("ssogen-*.whl")
    return path


def test_wheel_contents(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        for template in ("presets.json", "profile.ini", "sso-session.ini", "chain.ini"):
            assert f"ssogen/templates/{template}" in names
        assert "ssogen/__main__.py" in names and "ssogen/commands/setup.py" in names
        (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        text = zf.read(entry_points).decode()
        assert "[console_scripts]" in text and "ssogen = ssogen.cli:main" in text
        assert not any(n.startswith(("tests/", "benchmarks/")) for n in names)


def test_runs_from_the_wheel_alone(wheel: Path, tmp_path: Path, sandbox: Sandbox,
                                   acme_inventory: Path) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    env = {"PYTHONPATH": str(site), "PYTHONSAFEPATH": "1"}
    where = sandbox.python("import ssogen.resources as r; print(r.templates_dir())", env=env)
    assert where.stdout.strip() == str(site / "ssogen" / "templates"), where.stderr
    proc = sandbox.run("setup", "--yes", "--inventory", str(acme_inventory), "--dry-run",
                       "--name-template", "aws-cli", env=env)
    assert proc.returncode == 0, proc.stderr
    assert "+[profile AdministratorAccess-111111111111]" in proc.stdout
