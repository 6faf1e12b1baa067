"""Network faults mid-run (issue 5): the emulator drops connections and answers 500/429 at
random during discovery in ``ssogen setup --yes`` and ``ssogen sync`` (online path, reached
only through the endpoint env vars, auto-approved login). Every run either completes with the
*full* inventory written, or fails with exit 5 and the config byte-identical: never a partial
set of profiles written as if complete."""

from __future__ import annotations

from collections import Counter

import botocore.configloader
import pytest

from conftest import Sandbox
from ssogen.emulator import Organization

START_URL = "https://acme.awsapps.com/start"
MINE = b"# hand-written\n[default]\nregion = us-east-1\n\n[profile mine]\noutput = json\n"


def pairs_in_file(sandbox: Sandbox) -> set[tuple[str, str]]:
    parsed = botocore.configloader.raw_config_parse(str(sandbox.config))
    return {(v["sso_account_id"], v["sso_role_name"]) for k, v in parsed.items()
            if k.startswith("profile ") and v.get("ssogen_managed") == "true"}


def org_pairs(org: Organization) -> set[tuple[str, str]]:
    return {(a.id, r) for a in org.accounts() for r in a.roles}


def setup_yes(sandbox: Sandbox):  # type: ignore[no-untyped-def]
    return sandbox.run("setup", "--yes", "--no-browser", "--start-url", START_URL,
                       "--sso-region", "eu-west-1", "--session", "acme", timeout=300)


def judge(proc, sandbox: Sandbox, before: bytes | None, want: set[tuple[str, str]],  # type: ignore[no-untyped-def]
          ) -> str:
    """'complete' (exit 0, exactly ``want`` managed) or 'failed' (exit 5, file untouched)."""
    assert "Traceback" not in proc.stderr
    if proc.returncode == 0:
        assert pairs_in_file(sandbox) == want
        data = sandbox.config.read_bytes()
        assert before is None or data.startswith(before.rstrip(b"\n"))
        return "complete"
    assert proc.returncode == 5, proc.stderr
    assert proc.stderr.count("ssogen: error: ") == 1, proc.stderr
    if before is None:
        assert not sandbox.config.exists()
    else:
        assert sandbox.config.read_bytes() == before
    assert not [p for p in sandbox.aws.iterdir() if p.name.endswith(".tmp")]
    return "failed"


def test_setup_and_sync_under_random_faults_are_all_or_nothing(sandbox: Sandbox,
                                                                make_emulator) -> None:  # type: ignore[no-untyped-def]
    org = Organization.generate(40, seed=11)
    emu = make_emulator(org=org, auto_approve_after=0, rate_limit=60, seed=3)
    sandbox.env.update(emu.endpoint_env())
    sandbox.aws.mkdir()
    outcomes: Counter = Counter()
    # setup --yes: a mild fault rate (retries win) and a brutal one (some call soon runs out of
    # retries); the file starts as the user's own each time
    for rate in (0.1, 0.8):
        sandbox.config.write_bytes(MINE)
        emu.fault_rate = rate
        outcomes[f"setup@{rate}:" + judge(setup_yes(sandbox), sandbox, MINE,
                                          org_pairs(org))] += 1
    # a complete setup, then the organisation changes and sync runs under faults
    emu.fault_rate = 0.0
    sandbox.config.write_bytes(MINE)
    assert setup_yes(sandbox).returncode == 0
    first = org.accounts()[0]
    gone = (first.id, sorted(first.roles)[0])
    org.add_role(first.id, "BillingViewer")
    org.add_role(org.accounts()[1].id, "BillingViewer")
    org.remove_role(*gone)
    synced = sandbox.config.read_bytes()
    for rate in (0.1, 0.8):
        emu.fault_rate = rate
        proc = sandbox.run("sync", timeout=300)
        # complete = every current role, plus the gone one kept as stale (no --prune)
        outcome = judge(proc, sandbox, synced, org_pairs(org) | {gone})
        outcomes[f"sync@{rate}:{outcome}"] += 1
        if outcome == "complete":
            sandbox.config.write_bytes(synced)  # next round starts from the old file again
    emu.fault_rate = 0.0
    faults = emu.stats()["faults"]
    print(f"network faults: {dict(outcomes)}; faults injected {dict(faults)}, "
          f"throttled {emu.stats()['throttled_total']}")
    assert faults.get("drop", 0) > 0 and faults.get("500", 0) > 0
    assert outcomes["setup@0.1:complete"] == outcomes["sync@0.1:complete"] == 1  # retries win
    assert sum(v for k, v in outcomes.items() if k.endswith("failed")) >= 1
    assert sandbox.run("sync", timeout=300).returncode == 0
    assert sandbox.run("sync", "--check", timeout=300).returncode == 0


class _Broken(Organization):
    """One account whose ListAccountRoles always answers 500."""

    def __init__(self, base: Organization, bad: str) -> None:
        super().__init__(base.accounts())
        self.bad = bad

    def roles(self, account_id: str):  # type: ignore[no-untyped-def]
        if account_id == self.bad:
            from ssogen.emulator.server import ServiceError

            raise ServiceError("portal", "InternalServerException", "An internal error occurred")
        return super().roles(account_id)


@pytest.mark.parametrize("command", ["setup", "sync"])
def test_permanent_failure_exits_5_and_writes_nothing(sandbox: Sandbox, make_emulator,  # type: ignore[no-untyped-def]
                                                      command: str) -> None:
    base = Organization.generate(25, seed=4)
    emu = make_emulator(org=base, auto_approve_after=0)
    sandbox.env.update(emu.endpoint_env())
    sandbox.aws.mkdir()
    sandbox.config.write_bytes(MINE)
    if command == "sync":
        assert setup_yes(sandbox).returncode == 0
        emu.org = _Broken(base, base.accounts()[12].id)
        emu.org.add_role(base.accounts()[0].id, "BillingViewer")  # there is something to write
        before = sandbox.config.read_bytes()
        proc = sandbox.run("sync", timeout=300)
    else:
        emu.org = _Broken(base, base.accounts()[12].id)
        before = MINE
        proc = setup_yes(sandbox)
    assert proc.returncode == 5, proc.stderr
    assert base.accounts()[12].id in proc.stderr and "Traceback" not in proc.stderr
    assert sandbox.config.read_bytes() == before
    assert sorted(p.name for p in sandbox.aws.iterdir()) == sorted(
        n for n in ("config", "config.ssogen.bak", "config.ssogen.lock", "sso")
        if (sandbox.aws / n).exists())


def test_portal_down_entirely_exits_5(sandbox: Sandbox, make_emulator) -> None:  # type: ignore[no-untyped-def]
    emu = make_emulator(auto_approve_after=0, fault_rate=1.0, fault_kinds=("drop",))
    sandbox.env.update(emu.endpoint_env())
    proc = setup_yes(sandbox)
    assert proc.returncode == 5, proc.stderr
    assert not sandbox.config.exists()
    assert proc.stdout == ""


def test_sync_of_several_sessions_writes_nothing_when_one_cannot_be_discovered(
        sandbox: Sandbox, make_emulator) -> None:  # type: ignore[no-untyped-def]
    """Two sessions; the second one's discovery fails (here: not logged in, --no-login). The
    first session's changes must not be written on their own: the run fails and the file is
    byte-identical (all sessions are discovered before anything is written)."""
    import hashlib

    org = Organization.generate(5, seed=1)
    emu = make_emulator(org=org, auto_approve_after=0)
    sandbox.env.update(emu.endpoint_env())
    sandbox.aws.mkdir()
    assert setup_yes(sandbox).returncode == 0
    proc = sandbox.run("setup", "--yes", "--no-browser", "--start-url",
                       "https://beta.awsapps.com/start", "--sso-region", "eu-west-1",
                       "--session", "beta", timeout=300)
    assert proc.returncode == 0, proc.stderr
    org.add_role(org.accounts()[0].id, "BillingViewer")  # both sessions would change
    (sandbox.cache / (hashlib.sha1(b"beta").hexdigest() + ".json")).unlink()
    before = sandbox.config.read_bytes()
    proc = sandbox.run("sync", "--no-login", timeout=300)
    assert proc.returncode == 4, proc.stderr
    assert sandbox.config.read_bytes() == before
    assert "wrote" not in proc.stderr
    # logged in again, the same sync writes both
    assert sandbox.run("login", "--session", "beta", "--no-browser").returncode == 0
    assert sandbox.run("sync", timeout=300).returncode == 0
    assert sandbox.config.read_text().count("sso_role_name = BillingViewer") == 2
