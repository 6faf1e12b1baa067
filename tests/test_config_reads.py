"""One read of the config per run, counted: every ``open`` of the config file for reading in a
real ``ssogen`` process (a Python audit hook sees each one, ssogen's, botocore's and any
library's). A read-only command reads it once; a write reads it once and verifies it twice
under the lock -- when the lock is taken (a wizard's answers may be minutes old) and right
before the rename, with the read that makes the backup (not a read of its own).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Sandbox
from ssogen.emulator import Organization
from ssogen.model.inventory import Account, Inventory
from ssogen.store.inventories import save_inventory

#: runs ``ssogen ARGS`` with a hook counting the reads of CONFIG; prints READS=N at exit
_COUNTING = r"""
import atexit, os, sys
target = os.path.realpath(sys.argv[1])
argv = sys.argv[2:]
reads = []

def hook(event, args):
    if event != "open" or not args or not isinstance(args[0], (str, bytes)):
        return
    if os.path.realpath(os.fsdecode(args[0])) != target:
        return
    mode, flags = args[1], args[2]
    if isinstance(mode, str) and any(c in mode for c in "wax+"):
        return
    if isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR):
        return
    reads.append(1)

sys.addaudithook(hook)
atexit.register(lambda: sys.stderr.write(f"\nREADS={len(reads)}\n"))
sys.argv = ["ssogen", *argv]
from ssogen.cli import main
sys.exit(main(argv))
"""

STATIC = ("[profile static]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
          "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
          "region = eu-west-1\n")


def counted(sandbox: Sandbox, *args: str) -> tuple[subprocess.CompletedProcess[str], int]:
    proc = subprocess.run([sys.executable, "-c", _COUNTING, str(sandbox.config), *args],
                          env=sandbox.env, cwd=str(sandbox.home), capture_output=True,
                          text=True, timeout=120, check=False)
    tail = proc.stderr.rstrip().rsplit("\n", 1)[-1]
    assert tail.startswith("READS="), proc.stderr
    return proc, int(tail.removeprefix("READS="))


@pytest.fixture
def written(sandbox: Sandbox, tmp_path: Path) -> Path:
    """A config with hand-written sections and a static-key profile, then a generated
    session (the inventory of the sample organisation); the inventory's path."""
    org = Organization.sample()
    inventory = tmp_path / "inventory.json"
    save_inventory(Inventory("acme", "https://acme.awsapps.com/start", "eu-west-1",
                             [Account(a.id, a.name, a.email, list(a.roles))
                              for a in org.accounts()]), inventory)
    sandbox.aws.mkdir()
    sandbox.config.write_text("# mine\n[default]\nregion = us-east-1\n\n" + STATIC)
    proc, reads = counted(sandbox, "setup", "--yes", "--inventory", str(inventory))
    assert proc.returncode == 0, proc.stderr
    # a write: the snapshot, the check once the lock is held, and the read before the rename
    # that is both the last check and the backup's content (they were two reads)
    assert reads == 3, reads
    backup = sandbox.config.with_name("config.ssogen.bak")
    assert backup.read_text() == "# mine\n[default]\nregion = us-east-1\n\n" + STATIC
    return inventory


@pytest.mark.parametrize("args", [
    ("sync", "--check", "--inventory", "{inventory}"),
    ("sync", "--dry-run", "--inventory", "{inventory}"),
    ("list", "--session", "acme", "--no-login"),  # exit 4: no login cached (read first)
    ("doctor",),
], ids=lambda a: " ".join(a[:2]))
def test_a_read_only_command_reads_the_config_once(sandbox: Sandbox, written: Path,
                                                   args: tuple[str, ...]) -> None:
    proc, reads = counted(sandbox, *(a.format(inventory=written) for a in args))
    assert proc.returncode in ((4,) if args[0] == "list" else (0, 1)), proc.stderr
    assert reads == 1, (args, reads, proc.stderr)


def test_botocore_does_not_parse_the_config_again_for_static_keys(sandbox: Sandbox,
                                                                  written: Path) -> None:
    """Keys written in the config itself are found by botocore's config-file provider,
    which parses the file on its own unless handed ssogen's snapshot (it was: 3 reads).
    The 2 left: the cache's quick answer reads the bytes it is keyed by and misses (keys
    in a config are no cached role credentials), then the full path's snapshot."""
    proc, reads = counted(sandbox, "export-credentials", "--profile", "static",
                          "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert '"AccessKeyId": "AKIAIOSFODNN7EXAMPLE"' in proc.stdout
    assert reads == 2, reads


class _Warnings:
    def __init__(self) -> None:
        self.warnings: list[str] = []

    def info(self, message: str) -> None:
        pass

    def warn(self, message: str) -> None:
        self.warnings.append(message)


def test_a_write_made_while_ssogen_plans_is_read_again_not_overwritten(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another program appends to the config after the checks at the lock, while ssogen
    plans: the read that makes the backup finds other bytes than the snapshot's, nothing is
    written, and the next plan keeps the other program's lines (and the backup holds them)."""
    from ssogen.app import generate as gen
    from ssogen.model.settings import Settings

    path = tmp_path / "config"
    path.write_text("# mine\n[default]\nregion = us-east-1\n")
    inventory = Inventory("acme", "https://acme.awsapps.com/start", "eu-west-1",
                          [Account("111111111111", "Prod", "", ["Admin"])])
    real = gen._plan_all
    calls: list[int] = []

    def plan_all(*args, **kwargs):  # type: ignore[no-untyped-def]
        out = real(*args, **kwargs)
        if not calls:  # e.g. `aws configure set`, while ssogen plans
            with path.open("a") as fh:
                fh.write("\n[profile theirs]\nregion = eu-west-2\n")
        calls.append(1)
        return out

    monkeypatch.setattr(gen, "_plan_all", plan_all)
    reporter = _Warnings()
    result = gen.generate(path, Settings("acme", inventory.start_url, "eu-west-1"), inventory,
                          reporter=reporter)  # type: ignore[arg-type]
    assert result.written and len(calls) == 2
    text = path.read_text()
    assert text.startswith("# mine\n[default]\nregion = us-east-1\n\n[profile theirs]\n"
                           "region = eu-west-2\n"), text
    assert "[profile prod-admin]" in text
    assert reporter.warnings == [f"{path} was changed by another program while ssogen worked; "
                                 "planning again on its new content"]
    assert "[profile theirs]" in path.with_name("config.ssogen.bak").read_text()
