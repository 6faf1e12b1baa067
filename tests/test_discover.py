"""Discovery against the emulator (through AWS_ENDPOINT_URL_SSO only): throttling, faults, 401
mid-run, pagination, permanent failures; plus the progress bar in isolation (the rate
limiter: test_limiter.py)."""

from __future__ import annotations

import io
import json
import re
import threading
import time

import pytest

import loginkit as auth
from conftest import dead_url
from ssogen.aws.discovery import DiscoveryStats, discover
from ssogen.emulator import Organization, ServiceError
from ssogen.errors import ApiError
from ssogen.ui.progress import Progress

START_URL = "https://acme.awsapps.com/start"


def setup(sandbox, emu, monkeypatch) -> auth.SsoSession:
    """Config in the sandbox, this process pointed at the sandbox HOME and the emulator."""
    sandbox.env.update(emu.endpoint_env())
    sandbox.aws.mkdir(exist_ok=True)
    sandbox.config.write_text(
        f"[sso-session acme]\nsso_start_url = {START_URL}\nsso_region = eu-west-1\n"
        "sso_registration_scopes = sso:account:access\n")
    for key, value in sandbox.env.items():
        monkeypatch.setenv(key, value)
    return auth.session_by_name(sandbox.config, "acme")


def expected(org: Organization) -> dict[str, list[str]]:
    return {a.id: sorted(a.roles) for a in org.accounts()}


def found(inventory) -> dict[str, list[str]]:
    return {a.id: a.roles for a in inventory.accounts}


# (the rate limiter itself: tests/test_limiter.py)
def test_progress_bar_only_on_a_terminal():
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Tty()
    with Progress("discovering", stream=tty) as bar:
        bar.update(total=10, add_done=3, throttled=4)
        bar._draw(force=True)
        assert "3/10+ accounts, 4 throttled" in tty.getvalue()
        bar.update(total_final=True)
        bar._draw(force=True)
        assert "3/10 accounts" in tty.getvalue()
    assert tty.getvalue().endswith("\r\033[K")  # erased when done
    plain = io.StringIO()
    with Progress("discovering", stream=plain) as bar:
        bar.update(total=10, add_done=10)
        bar._draw(force=True)
    assert plain.getvalue() == ""


# -- against the emulator ------------------------------------------------------------------
def test_discovery_under_rate_limit_and_faults_is_complete(sandbox, make_emulator, monkeypatch):
    org = Organization.generate(150, seed=3)
    emu = make_emulator(org=org, auto_approve_after=0, rate_limit=40, fault_rate=0.08, seed=7)
    session = setup(sandbox, emu, monkeypatch)
    token = auth.get_access_token(session)
    stats = DiscoveryStats()
    inventory = discover(session, access_token=token, stats=stats)
    assert found(inventory) == expected(org)
    assert [a.name for a in inventory.accounts] == [a.name for a in org.accounts()]
    emu_stats = emu.stats()
    assert emu_stats["throttled_total"] > 0 and stats.throttled == emu_stats["throttled_total"]
    assert emu_stats["faults"].get("drop", 0) > 0 and emu_stats["faults"].get("500", 0) > 0
    assert stats.retried >= emu_stats["faults_total"]


def test_list_json_under_throttling_and_faults(sandbox, make_emulator):
    org = Organization.generate(120, seed=5)
    emu = make_emulator(org=org, auto_approve_after=0, rate_limit=40, fault_rate=0.05, seed=1)
    sandbox.use_emulator(emu, start_url=START_URL, scopes=False)
    proc = sandbox.run("list", "--session", "acme", "--json", "--no-browser")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert {a["id"]: a["roles"] for a in data["accounts"]} == expected(org)
    assert data["session"] == "acme" and data["start_url"] == START_URL
    assert "\r" not in proc.stderr  # no progress bar when stderr is not a terminal
    table = sandbox.run("list", "--session", "acme")
    assert table.returncode == 0, table.stderr
    rows = table.stdout.splitlines()
    assert rows[0].split() == ["ACCOUNT", "NAME", "ROLES"] and len(rows) == 1 + len(org)
    first = org.accounts()[0]
    assert rows[1].split()[:2] == [first.id, first.name]


class _Broken(Organization):
    """One account whose roles always fail: ``mode`` 404 (gone) or 500 (server error)."""

    def __init__(self, base: Organization, bad: str, mode: str) -> None:
        super().__init__(base.accounts())
        self.bad, self.mode = bad, mode

    def roles(self, account_id: str):  # type: ignore[no-untyped-def]
        if account_id == self.bad:
            if self.mode == "404":
                return None
            raise ServiceError("portal", "InternalServerException", "An internal error occurred")
        return super().roles(account_id)


def test_permanent_failure_after_retries_raises_api_error(sandbox, make_emulator, monkeypatch):
    base = Organization.generate(30, seed=2)
    bad = base.accounts()[17].id
    emu = make_emulator(org=_Broken(base, bad, "500"), auto_approve_after=0)
    session = setup(sandbox, emu, monkeypatch)
    token = auth.get_access_token(session)
    stats = DiscoveryStats()
    with pytest.raises(ApiError, match=f"account {bad}.*after 7 attempts") as exc:
        discover(session, access_token=token, stats=stats)
    assert exc.value.exit_code == 5
    assert stats.retried == 7  # every attempt failed


def test_list_exits_5_and_prints_nothing_when_an_account_fails(sandbox, make_emulator):
    base = Organization.generate(40, seed=4)
    bad = base.accounts()[-1].id
    emu = make_emulator(org=_Broken(base, bad, "404"), auto_approve_after=0)
    sandbox.use_emulator(emu, start_url=START_URL, scopes=False)
    proc = sandbox.run("list", "--session", "acme", "--json")
    assert proc.returncode == 5, proc.stderr
    assert proc.stdout == ""  # never a partial inventory
    last = proc.stderr.splitlines()[-1]
    assert last.startswith("ssogen: error:") and bad in last and "Traceback" not in proc.stderr


def test_token_rejected_mid_run_is_renewed_once(sandbox, make_emulator):
    emu = make_emulator(auto_approve_after=0, token_ttl=3600)
    sandbox.use_emulator(emu, start_url=START_URL, scopes=False)
    assert sandbox.run("login", "--session", "acme").returncode == 0
    cache = next(p for p in sandbox.cache.iterdir() if p.name.startswith("293abb6b"))
    old = json.loads(cache.read_text())
    emu.advance_clock(3700)  # the service now rejects the token; the cache still says valid
    before = emu.stats()["requests"]["CreateToken"]
    proc = sandbox.run("list", "--session", "acme", "--json", "--no-login")
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)["accounts"]) == len(emu.org)
    assert emu.stats()["requests"]["CreateToken"] == before + 1  # one refresh
    assert json.loads(cache.read_text())["accessToken"] != old["accessToken"]


def test_token_rejected_and_not_renewable_exits_4_with_no_login(sandbox, make_emulator):
    emu = make_emulator(auto_approve_after=0)
    sandbox.use_emulator(emu, start_url=START_URL, scopes=False)
    assert sandbox.run("login", "--session", "acme").returncode == 0
    cache = next(p for p in sandbox.cache.iterdir() if p.name.startswith("293abb6b"))
    data = json.loads(cache.read_text())
    data["refreshToken"] = "aor-revoked"
    cache.write_text(json.dumps(data))
    emu.advance_clock(3700)
    proc = sandbox.run("list", "--session", "acme", "--no-login")
    assert proc.returncode == 4, proc.stderr
    assert proc.stdout == ""


def test_role_calls_start_before_the_last_account_page(sandbox, make_emulator, monkeypatch):
    """Sampled from the emulator's request counters while discovery runs: role calls are
    already being answered while account pages are still being fetched."""
    emu = make_emulator(org=Organization.generate(350, seed=9), auto_approve_after=0,
                        latency_ms=50)
    session = setup(sandbox, emu, monkeypatch)
    token = auth.get_access_token(session)
    samples: list[tuple[int, int]] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            req = emu.stats()["requests"]
            samples.append((req["ListAccounts"], req["ListAccountRoles"]))
            time.sleep(0.005)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    try:
        inventory = discover(session, access_token=token)
    finally:
        done.set()
        t.join(5)
    assert len(inventory.accounts) == 350
    assert emu.stats()["requests"]["ListAccounts"] == 4  # 100 a page
    overlap = [roles for pages, roles in samples if pages < 4 and roles > 0]
    assert overlap and max(overlap) >= 20  # pipelined, not page after page


def test_roles_are_paginated(sandbox, make_emulator, monkeypatch):
    org = Organization.sample()
    acc = org.accounts()[0].id
    for i in range(230):
        org.add_role(acc, f"Role{i:03d}")
    emu = make_emulator(org=org, auto_approve_after=0)
    session = setup(sandbox, emu, monkeypatch)
    inventory = discover(session, access_token=auth.get_access_token(session))
    assert found(inventory) == expected(org)
    assert len(found(inventory)[acc]) >= 230
    assert emu.stats()["requests"]["ListAccountRoles"] == len(org) - 1 + 3


def test_table_neutralises_hostile_account_data():
    from ssogen.commands.list import format_table
    from ssogen.model.inventory import Account, Inventory

    inv = Inventory("s", START_URL, "eu-west-1", [
        Account("111122223333", "evil\nname\x1b[31m" + "x" * 60, "", ["Admin\u202e", "RO"]),
        Account("222233334444", "plain", "", [])])
    lines = format_table(inv).splitlines()
    assert len(lines) == 3  # a newline in a name cannot add a row
    assert "\x1b" not in lines[1] and "\u202e" not in lines[1]
    assert lines[1].startswith("111122223333  evil?name?[31m") and lines[1].endswith("Admin?, RO")
    assert lines[2].split() == ["222233334444", "plain", "-"]


def _wide_inventory():  # type: ignore[no-untyped-def]
    from ssogen.model.inventory import Account, Inventory

    roles = ["AdministratorAccess", "DataScientist", "NetworkAdministrator", "ReadOnlyAccess",
             "SecurityAudit", "ViewOnlyAccess", "A-Role-Name-Longer-Than-The-Column-Is-Wide"]
    return Inventory("s", START_URL, "eu-west-1", [
        Account("111122223333", "platform-prod-0004", "", roles),
        Account("222233334444", "web", "", ["Billing"])])


def test_table_wraps_roles_between_names_on_a_terminal():
    """On a terminal the roles wrap under their column, only between two role names (a
    role never breaks in the middle); in a pipe each account stays one line, for grep."""
    from ssogen.commands.list import format_table

    inv = _wide_inventory()
    piped = format_table(inv).splitlines()
    assert len(piped) == 3 and max(len(line) for line in piped) > 120
    lines = format_table(inv, 80).splitlines()
    column = piped[0].index("ROLES")
    assert lines[0] == piped[0] and lines[-1] == piped[-1]
    long = "A-Role-Name-Longer-Than-The-Column-Is-Wide"
    assert all(len(line) <= 79 for line in lines if long not in line)
    rows = lines[1:-1]
    assert len(rows) > 2 and rows[0].startswith("111122223333  platform-prod-0004  ")
    assert all(r[:column] == " " * column for r in rows[1:])
    cells = " ".join(r[column:] for r in rows).split(", ")
    assert cells == sorted(inv.accounts[0].roles)  # every role whole, in order
    # too narrow a column to help, even with the names cut: one line, as in a pipe
    assert format_table(inv, 40).splitlines() == piped


def test_list_wraps_its_table_only_on_a_terminal(sandbox, make_emulator):
    """``ssogen list`` on an 80-column terminal fits its rows to it; through a pipe the rows
    are whole lines."""
    import shlex
    import sys

    pexpect = pytest.importorskip("pexpect")
    org = Organization.generate(6, seed=1)
    account = org.accounts()[0].id
    for name in ("NetworkAdministrator", "DatabaseAdministrator", "SecurityAuditPlus",
                 "PowerUserAccessPlus", "ViewOnlyAccessPlus"):
        org.add_role(account, name)
    emu = make_emulator(org=org, auto_approve_after=0)
    sandbox.use_emulator(emu, start_url=START_URL, scopes=False)
    assert sandbox.run("login", "--session", "acme").returncode == 0
    piped = sandbox.run("list", "--session", "acme", "--no-login", check=True).stdout
    assert max(len(line) for line in piped.splitlines()) > 80
    env = {k: v for k, v in sandbox.env.items() if k != "COLUMNS"}
    command = f"{shlex.quote(sys.executable)} -m ssogen list --session acme --no-login"
    child = pexpect.spawn("/bin/sh", ["-c", command + " 2>/dev/null"],  # the table only
                          env=env, cwd=str(sandbox.home), dimensions=(24, 80),
                          encoding="utf-8", timeout=60)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    shown = child.before.replace("\r\n", "\n").splitlines()
    assert shown[0].startswith("ACCOUNT") and len(shown) > len(piped.splitlines()) - 1
    assert all(len(line) < 80 for line in shown)
    assert any(line.startswith(" " * shown[0].index("ROLES")) for line in shown)  # wrapped
    roles_shown = " ".join(line[shown[0].index("ROLES"):] for line in shown[1:])
    for role in org.roles(account) or []:
        assert re.search(rf"(^|[ ,]){re.escape(role)}(,|$| )", roles_shown), role


def test_ctrl_c_during_discovery_exits_130_with_no_output(sandbox, make_emulator):
    import signal
    import subprocess
    import sys

    emu = make_emulator(org=Organization.generate(400, seed=1), auto_approve_after=0,
                        latency_ms=150)
    sandbox.use_emulator(emu, start_url=START_URL, scopes=False)
    assert sandbox.run("login", "--session", "acme").returncode == 0
    proc = subprocess.Popen([sys.executable, "-m", "ssogen", "list", "--session", "acme"],
                            env=sandbox.env, cwd=sandbox.home, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while emu.stats()["requests"]["ListAccountRoles"] < 20:
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        started = time.monotonic()
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert time.monotonic() - started < 5  # stops promptly, does not finish the run
    assert emu.stats()["requests"]["ListAccountRoles"] < 400
    assert out == "" and "Traceback" not in err


def test_progress_bar_drawn_on_a_terminal(sandbox, make_emulator):
    pexpect = pytest.importorskip("pexpect")
    import sys

    emu = make_emulator(org=Organization.generate(120, seed=2), auto_approve_after=0,
                        latency_ms=50, rate_limit=60)
    sandbox.use_emulator(emu, start_url=START_URL, scopes=False)
    assert sandbox.run("login", "--session", "acme").returncode == 0
    child = pexpect.spawn(sys.executable, ["-m", "ssogen", "list", "--session", "acme"],
                          env=sandbox.env, cwd=str(sandbox.home), encoding="utf-8",
                          timeout=60, dimensions=(40, 120))
    child.expect(pexpect.EOF)
    child.close()
    out = child.before
    assert child.exitstatus == 0, out
    assert re.search(r"\rdiscovering \[[#-]{24}\] \d+/\d+\+? accounts", out)
    assert "/120 accounts" in out
    assert "\r\x1b[K" in out  # the bar is erased before the table and summary
    assert "120 accounts," in out and "ACCOUNT" in out


def test_long_names_give_way_to_the_longest_role_on_a_terminal():
    """A 40-character account name left a role of AWSReservedSSO_... length past column 80,
    where the terminal wrapped it to column 0: on a terminal the names are cut further (down to
    12 characters) so that every role fits its line; in a pipe nothing changes."""
    from ssogen.commands.list import format_table
    from ssogen.model.inventory import Account, Inventory

    role = "AWSReservedSSO_IncidentResponse_5f1c2e9a7b3d4c60"
    inv = Inventory("acme", "https://acme.awsapps.com/start", "eu-west-1", [
        Account("111122223333", "Donnees Production Europe - tres longue nom", "",
                [role, "ReadOnlyAccess"]),
        Account("222233334444", "security-audit", "", ["Billing"])])
    lines = format_table(inv, 80).splitlines()
    assert all(len(line) <= 79 for line in lines), lines
    assert any(role in line for line in lines) and "ReadOnlyAccess" in "".join(lines)
    assert lines[1].split("  ")[1].endswith("…")  # the name, cut
    piped = format_table(inv).splitlines()
    assert len(piped) == 3 and "Donnees Production Europe - tres longue" in piped[1]


def test_an_unreachable_portal_says_so_with_the_network_hint(sandbox, make_emulator):
    """The login works (the OIDC endpoint answers), the portal does not: after its retries
    the run names the call and the portal it tried, and what to check (exit 5)."""
    emu = make_emulator(auto_approve_after=0)
    sandbox.use_emulator(emu, start_url=START_URL, scopes=False)
    assert sandbox.run("login", "--session", "acme", "--no-browser").returncode == 0
    dead = dead_url()
    proc = sandbox.run("list", "--session", "acme", env={"AWS_ENDPOINT_URL_SSO": dead})
    assert proc.returncode == 5, proc.stderr
    lines = proc.stderr.splitlines()
    assert lines[-2] == ("ssogen: error: ListAccounts: failed after 7 attempts "
                         "(EndpointConnectionError)"), proc.stderr
    assert lines[-1] == f"  hint: check the network (or AWS_ENDPOINT_URL_SSO); the portal is {dead}"
    assert "Traceback" not in proc.stderr


def test_an_unreachable_login_endpoint_says_so_with_the_network_hint(sandbox, make_emulator):
    emu = make_emulator(auto_approve_after=0)
    sandbox.use_emulator(emu, start_url=START_URL, scopes=False)
    dead = dead_url()
    proc = sandbox.run("login", "--session", "acme", "--no-browser",
                       env={"AWS_ENDPOINT_URL_SSO_OIDC": dead})
    assert proc.returncode == 5, proc.stderr
    assert proc.stderr.splitlines()[-2:] == [
        f"ssogen: error: cannot reach the IAM Identity Center login endpoint {dead} "
        "(EndpointConnectionError)", "  hint: check the network (or AWS_ENDPOINT_URL_SSO_OIDC)"]
