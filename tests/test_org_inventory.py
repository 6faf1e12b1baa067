"""``ssogen org inventory`` against moto in server mode, reached the way a real user's run is
(``--profile admin`` with static dummy keys in the sandbox's credentials file, the standard
``AWS_ENDPOINT_URL_SSO_ADMIN`` / ``_IDENTITYSTORE`` / ``_ORGANIZATIONS`` variables), checked
against the built-in emulator's portal: the same organisation description (tests/org_fixture.py)
seeds both, and every user's admin-side inventory must equal what ``ssogen list --json``
discovers through that user's own portal."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import Sandbox, aws_cli_v2
from org_fixture import (
    OUTSIDE_ACCOUNT,
    REGION,
    START_URL,
    MotoServer,
    OrgSpec,
    Proxy,
    Seeded,
    TokenBucket,
    emulator_accounts,
    management_account,
    sandbox_admin,
    seed_moto,
    standard_spec,
)

pytestmark = pytest.mark.interop
ADMIN = ["org", "inventory", "--profile", "admin", "--start-url", START_URL,
         "--sso-region", REGION]


@pytest.fixture(scope="module")
def moto() -> Iterator[tuple[MotoServer, OrgSpec, Seeded]]:
    """One moto server for the module, seeded once with the standard organisation."""
    server = MotoServer().start()
    try:
        spec = standard_spec()
        yield server, spec, seed_moto(spec, server.url)
    finally:
        server.stop()


@pytest.fixture
def admin(sandbox: Sandbox, moto: tuple[MotoServer, OrgSpec, Seeded]) -> Sandbox:
    sandbox_admin(sandbox.home, sandbox.env, moto[0].url)
    return sandbox


def _strip(inventory: dict[str, Any]) -> dict[str, Any]:
    """An inventory without what differs by design: the time, and the admin-only fields."""
    out = {k: v for k, v in inventory.items() if k != "generated_at"}
    out["accounts"] = [{k: v for k, v in a.items() if k not in ("ou_path", "tags")}
                       for a in inventory["accounts"]]
    return out


def _in_process(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    """``ssogen ARGS`` through the real entry point in this process, with the sandbox's
    environment (for speed where a test runs it many times, or patches a delay); the caller
    reads the output with capsys."""
    from ssogen.cli import main

    for key in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key)
    for key, value in sandbox.env.items():
        monkeypatch.setenv(key, value)
    return main(list(args))


# -- the portal equivalence ------------------------------------------------------------------
def test_every_users_inventory_equals_their_portal(admin: Sandbox, tmp_path: Path,
                                                   moto: tuple[MotoServer, OrgSpec, Seeded],
                                                   make_emulator: Any, capsys: Any,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _, spec, seeded = moto
    out = tmp_path / "inventories"
    proc = admin.run(*ADMIN, "--all-users", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert "wrote 12 inventories" in proc.stderr and "1 of them with no access" in proc.stderr
    assert f"left out: {OUTSIDE_ACCOUNT}" in proc.stderr  # assigned, not in the organisation
    files = sorted(p.name for p in out.iterdir())
    # a name changed to be a safe file name carries a hash of the user name
    svc = "svc_deploy_bot-" + hashlib.sha1(b"svc/deploy bot").hexdigest()[:8]
    assert files == sorted([f"{svc}.json", "zoe.oconnor.json",
                            *(f"user{i:02d}.json" for i in range(10))])

    # the same description, served by the emulator's portal to each user in turn
    from ssogen.emulator import Organization

    emu = make_emulator(org=Organization([]), auto_approve_after=0, interval=0)
    (tmp_path / "user").mkdir()
    user = Sandbox(tmp_path / "user")
    user.use_emulator(emu, start_url=START_URL)
    names = {"svc/deploy bot": svc}
    mgmt_id = management_account(moto[0].url)[0]
    for u in spec.users:
        for acc in emu.org.accounts():
            emu.org.remove_account(acc.id)
        for acc in emulator_accounts(spec, seeded, u.user_name):
            emu.org.add_account(acc.id, acc.name, acc.email, acc.roles)
        capsys.readouterr()
        code = _in_process(user, monkeypatch, "list", "--session", "acme", "--json",
                                 "--no-browser")
        portal_text = capsys.readouterr().out
        assert code == 0
        portal = json.loads(portal_text)
        assert "ou_path" not in portal_text and '"tags"' not in portal_text  # as before
        mine = json.loads((out / f"{names.get(u.user_name, u.user_name)}.json").read_text())
        assert _strip(mine) == _strip(portal), u.user_name
        # and both are the rule stated plainly (direct + groups, names, in the org only)
        assert {a["id"]: a["roles"] for a in mine["accounts"]} == spec.view(
            u.user_name, seeded.account_ids)
        # the admin-only fields: the account's OU path and tags, sorted
        by_id = {seeded.account_ids[a.key]: a for a in spec.accounts}
        for acc in mine["accounts"]:
            want = by_id[acc["id"]]
            assert acc["ou_path"] == want.ou
            assert acc["tags"] == dict(sorted(want.tags))
            assert list(acc["tags"]) == sorted(acc["tags"])
        assert mgmt_id not in {a["id"] for a in mine["accounts"]}
    assert emu.stats()["requests"]["StartDeviceAuthorization"] == 1  # one login, 12 views


def test_one_user_by_primary_email_and_one_group(admin: Sandbox,
                                                 moto: tuple[MotoServer, OrgSpec, Seeded],
                                                 ) -> None:
    _, spec, seeded = moto
    proc = admin.run(*ADMIN, "--user", "zoe.oconnor@EXAMPLE.com")  # any case
    assert proc.returncode == 0, proc.stderr
    inv = json.loads(proc.stdout)
    assert inv["session"] == "acme" and inv["start_url"] == START_URL
    assert inv["sso_region"] == REGION
    assert {a["id"]: a["roles"] for a in inv["accounts"]} == spec.view("zoe.oconnor",
                                                                        seeded.account_ids)
    assert "user zoe.oconnor:" in proc.stderr

    proc = admin.run(*ADMIN, "--group", "Developers", "--session", "acme-dev")
    assert proc.returncode == 0, proc.stderr
    inv = json.loads(proc.stdout)
    assert inv["session"] == "acme-dev"
    assert {a["id"]: a["roles"] for a in inv["accounts"]} == spec.group_view(
        "Developers", seeded.account_ids)
    assert "group Developers (5 members): 20 accounts, 20 roles" in proc.stderr

    proc = admin.run(*ADMIN, "--group", "Nobody")
    assert proc.returncode == 0, proc.stderr
    assert "has no members" in proc.stderr


def test_an_email_two_users_share_but_for_its_case_is_refused_naming_both(
        admin: Sandbox, moto: tuple[MotoServer, OrgSpec, Seeded]) -> None:
    """The identity store keeps an e-mail unique as written; "Zoe.OConnor@" and
    "zoe.oconnor@" can be two users. Matched without regard to case, neither is picked."""
    from org_fixture import admin_clients

    server, _, seeded = moto
    ids = admin_clients(server.url)["identitystore"]
    store = seeded.identity_store_id
    other = ids.create_user(IdentityStoreId=store, UserName="zoe.second",
                            DisplayName="Zoe", Name={"GivenName": "Z", "FamilyName": "O"},
                            Emails=[{"Value": "zoe.oconnor@example.com", "Type": "work",
                                     "Primary": True}])["UserId"]
    try:
        proc = admin.run(*ADMIN, "--user", "ZOE.OCONNOR@example.com")
        assert proc.returncode == 2, proc.stderr
        assert (f"ssogen: error: --user 'ZOE.OCONNOR@example.com': 2 users of identity store "
                f"{store} have this primary e-mail (zoe.oconnor, zoe.second)"
                ) in proc.stderr.splitlines(), proc.stderr
        assert "hint: give the UserName of the one you mean" in proc.stderr
        assert proc.stdout == ""
        by_name = admin.run(*ADMIN, "--user", "zoe.second")
        assert by_name.returncode == 0 and "user zoe.second:" in by_name.stderr, by_name.stderr
    finally:
        ids.delete_user(IdentityStoreId=store, UserId=other)


def test_setup_names_from_an_admin_inventory_read_by_botocore_and_the_cli(
        admin: Sandbox, tmp_path: Path) -> None:
    inv = tmp_path / "user02.json"
    assert admin.run(*ADMIN, "--user", "user02", "--out", str(inv)).returncode == 0
    proc = admin.run("setup", "--yes", "--inventory", str(inv), "--name-template",
                     "{{ ou }}-{{ account_name }}-{{ role }}")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(inv.read_text())
    expected = {}
    for acc in data["accounts"]:
        for role in acc["roles"]:
            ou = acc["ou_path"].rsplit("/", 1)[-1]
            expected[f"{ou}-{acc['name']}-{role}"] = (acc["id"], role)
    assert any(n.startswith("Prod-") for n in expected) and any(
        n.startswith("Root-") for n in expected)
    code = ("import json, sys, botocore.session\n"
            "out = {}\n"
            "for name in json.loads(sys.stdin.read()):\n"
            "    c = botocore.session.Session(profile=name).get_scoped_config()\n"
            "    out[name] = [c.get('sso_account_id'), c.get('sso_role_name'),\n"
            "                 c.get('sso_session')]\n"
            "print(json.dumps(out))\n")
    got = subprocess.run([sys.executable, "-c", code], input=json.dumps(sorted(expected)),
                         env=admin.env, capture_output=True, text=True, timeout=120,
                         check=False)
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout) == {n: [a, r, "acme"] for n, (a, r) in expected.items()}

    aws = aws_cli_v2()  # last: skips where Debian's AWS CLI v2 is not installed
    listed = subprocess.run([aws, "configure", "list-profiles"], env=admin.env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert listed.returncode == 0, listed.stderr
    assert set(expected) <= set(listed.stdout.split())
    name = sorted(expected)[0]
    got = subprocess.run([aws, "configure", "get", "sso_role_name", "--profile", name],
                         env=admin.env, capture_output=True, text=True, timeout=120,
                         check=False)
    assert got.stdout.strip() == expected[name][1], got.stderr


# -- errors: one line, the right exit code ---------------------------------------------------
@pytest.mark.parametrize("args, code, words", [
    (["--user", "nobody@example.com"], 2, "no such user"),
    (["--group", "Nope"], 2, "no such group"),
    (["--user", "user01", "--instance-arn", "arn:aws:sso:::instance/ssoins-0000"], 2,
     "no such IAM Identity Center instance"),
    (["--all-users"], 2, "--all-users needs --out DIR"),
    ([], 2, "--user NAME, --group NAME or --all-users"),
    (["--user", "user01", "--sso-region", "mars-1"], 2, "no such IAM Identity Center region"),
])
def test_usage_errors(admin: Sandbox, args: list[str], code: int, words: str) -> None:
    proc = admin.run(*ADMIN, *args)
    assert proc.returncode == code, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert lines[0].startswith("ssogen: error: ") and words in lines[0], proc.stderr
    assert all(line.startswith("  hint:") for line in lines[1:]), proc.stderr
    assert "Traceback" not in proc.stderr


def test_unknown_profile_and_missing_credentials(admin: Sandbox) -> None:
    proc = admin.run("org", "inventory", "--profile", "nope", "--start-url", START_URL,
                     "--sso-region", REGION, "--user", "user01")
    assert proc.returncode == 2 and "profile 'nope' not found" in proc.stderr
    (admin.aws / "credentials").unlink()
    proc = admin.run("org", "inventory", "--start-url", START_URL, "--sso-region", REGION,
                     "--user", "user01", env={"AWS_EC2_METADATA_DISABLED": "true"})
    assert proc.returncode == 2, proc.stderr
    assert "no AWS credentials" in proc.stderr and "Traceback" not in proc.stderr
    # a failed --all-users run leaves no empty folder it created behind
    out = admin.home / "new" / "inventories"
    proc = admin.run("org", "inventory", "--start-url", START_URL, "--sso-region", REGION,
                     "--all-users", "--out", str(out), env={"AWS_EC2_METADATA_DISABLED": "true"})
    assert proc.returncode == 2 and "no AWS credentials" in proc.stderr, proc.stderr
    assert not (admin.home / "new").exists()


@pytest.mark.parametrize("op, permission", [
    ("ListAccountAssignmentsForPrincipal", "sso:ListAccountAssignmentsForPrincipal"),
    ("ListGroupMembershipsForMember", "identitystore:ListGroupMembershipsForMember"),
    ("ListAccountsForParent", "organizations:ListAccountsForParent"),
])
def test_access_denied_names_the_api_and_the_permission(
        admin: Sandbox, moto: tuple[MotoServer, OrgSpec, Seeded], op: str,
        permission: str) -> None:
    code = "AccessDeniedException"
    proxy = Proxy(moto[0].url, rule=lambda o: (400, code) if o == op else None).start()
    try:
        env = {name: proxy.url for name in ("AWS_ENDPOINT_URL_SSO_ADMIN",
                                             "AWS_ENDPOINT_URL_IDENTITYSTORE",
                                             "AWS_ENDPOINT_URL_ORGANIZATIONS")}
        proc = admin.run(*ADMIN, "--user", "user01", env=env)
    finally:
        proxy.stop()
    assert proc.returncode == 5, proc.stderr
    first = proc.stderr.splitlines()[0]
    assert first.startswith("ssogen: error: ") and op in first and permission in first
    assert "profile 'admin' needs the IAM permission" in first
    # a denial is never retried: at most one call per request that was in flight (the four
    # OUs' account listings run at once; the user's and each group's assignments too)
    assert 1 <= proxy.counts[op] <= 4
    assert "Traceback" not in proc.stderr


def test_throttling_and_5xx_are_retried_to_the_same_result(
        admin: Sandbox, moto: tuple[MotoServer, OrgSpec, Seeded]) -> None:
    """Throttled like the service: a token bucket per API (a burst, then a rate), answered
    with each service's own throttle error; and one 500. The result is the same."""
    _, spec, seeded = moto
    buckets = {"ListAccountAssignmentsForPrincipal": (TokenBucket(20, 2), 400,
                                                      "ThrottlingException"),
               "ListTagsForResource": (TokenBucket(20, 3), 400, "TooManyRequestsException"),
               "ListUsers": (TokenBucket(20, 1), 429, "ThrottlingException")}
    failed_once: set[str] = set()

    def rule(op: str) -> tuple[int, str] | None:
        if op in buckets:
            bucket, status, code = buckets[op]
            if not bucket.take():
                return (status, code)
        if op == "DescribePermissionSet" and op not in failed_once:
            failed_once.add(op)
            return (500, "InternalServerException")
        return None

    proxy = Proxy(moto[0].url, rule=rule).start()
    try:
        env = {name: proxy.url for name in ("AWS_ENDPOINT_URL_SSO_ADMIN",
                                             "AWS_ENDPOINT_URL_IDENTITYSTORE",
                                             "AWS_ENDPOINT_URL_ORGANIZATIONS")}
        proc = admin.run(*ADMIN, "--all-users", "--out", str(admin.home / "out"), env=env)
    finally:
        proxy.stop()
    assert proc.returncode == 0, proc.stderr
    assert sum(b.refused for b, _, _ in buckets.values()) > 0
    from ssogen.app.org import safe_file_names

    files = dict(zip([u.user_name for u in spec.users],
                     safe_file_names([u.user_name for u in spec.users]), strict=True))
    for u in spec.users:
        inv = json.loads((admin.home / "out" / f"{files[u.user_name]}.json").read_text())
        assert {a["id"]: a["roles"] for a in inv["accounts"]} == spec.view(
            u.user_name, seeded.account_ids)
    assert "throttled and retried" in proc.stderr and "transient errors retried" in proc.stderr


def test_persistent_5xx_is_exit_5_in_one_line(admin: Sandbox,
                                              moto: tuple[MotoServer, OrgSpec, Seeded],
                                              monkeypatch: pytest.MonkeyPatch,
                                              capsys: Any) -> None:
    from ssogen.aws import discovery

    monkeypatch.setattr(discovery, "_backoff", lambda *a: 0.0)  # no real waiting
    proxy = Proxy(moto[0].url, rule=lambda o: (503, "ServiceUnavailable")
                  if o == "DescribePermissionSet" else None).start()
    try:
        for name in ("AWS_ENDPOINT_URL_SSO_ADMIN", "AWS_ENDPOINT_URL_IDENTITYSTORE",
                     "AWS_ENDPOINT_URL_ORGANIZATIONS"):
            admin.env[name] = proxy.url
        code = _in_process(admin, monkeypatch, *ADMIN, "--user", "user01")
    finally:
        proxy.stop()
    err = capsys.readouterr().err
    assert code == 5
    assert err.startswith("ssogen: error: DescribePermissionSet arn:") and \
        "failed after 7 attempts (HTTP 503" in err
    assert proxy.counts["DescribePermissionSet"] >= 7


# -- the flow's pieces ----------------------------------------------------------------------
class _Recorder:
    """A Reporter that keeps what it is told, and every progress update."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.updates: list[dict[str, Any]] = []

    def info(self, message: str) -> None:
        self.lines.append(message)

    def warn(self, message: str) -> None:
        self.lines.append(f"warning: {message}")

    def login_prompt(self, prompt: Any) -> None:
        raise AssertionError("the admin side never logs in")

    def progress(self, label: str) -> Any:
        rec = self

        class Sink:
            def update(self, **kw: Any) -> None:
                rec.updates.append(kw)

            def close(self) -> None:
                rec.updates.append({"closed": True})

        return Sink()


def test_progress_goes_through_the_reporter(admin: Sandbox, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from ssogen.app import org

    for key, value in admin.env.items():
        monkeypatch.setenv(key, value)
    rec = _Recorder()
    outcome = org.run(org.OrgInventoryRequest(config=admin.config, start_url=START_URL,
                                              profile="admin", sso_region=REGION,
                                              all_users=True, out=tmp_path / "o"), rec)
    assert len(outcome.written) == 12
    totals = [u["total"] for u in rec.updates if "total" in u]
    done = [u["done"] for u in rec.updates if "done" in u]
    assert totals and totals[-1] == max(done) == 31  # 30 assigned accounts + 1 outside
    assert {"total": 31, "total_final": True} in rec.updates
    assert rec.updates[-1] == {"closed": True}
    assert any(line.startswith("warning: 1 assigned account") for line in rec.lines)
    assert outcome.stats.by_api["ListUsers"] == 1
    assert outcome.stats.by_api["ListTagsForResource"] == 31  # 30 + the one outside the org
    # every call was needed: nothing is fetched twice
    assert outcome.stats.by_api["DescribePermissionSet"] == 5


def test_safe_file_names() -> None:
    from ssogen.app.org import safe_file_name, safe_file_names

    assert safe_file_name("alice@example.com") == "alice@example.com"
    assert safe_file_name("svc/deploy bot") == "svc_deploy_bot"
    assert safe_file_name("../../etc/passwd") == "_.._etc_passwd"
    assert safe_file_name(".hidden") == "hidden"
    assert safe_file_name("-rf") == "rf"
    assert safe_file_name("") == "user" and safe_file_name("///") == "user"
    assert safe_file_name("CON") == "_CON" and safe_file_name("nul.x") == "_nul.x"
    assert len(safe_file_name("x" * 500)) == 120
    names = safe_file_names(["a/b", "a_b", "Alice", "alice", "a b"])
    assert names[1] == "a_b" and names[2] == "Alice"  # unchanged names keep theirs
    assert len({n.lower() for n in names}) == 5  # distinct even where case does not count
    assert names == safe_file_names(["a/b", "a_b", "Alice", "alice", "a b"])
    # a name changed to be safe always carries its hash: a newcomer cannot take its file
    alone = safe_file_names(["carol/ops", "jürgen"])
    assert alone[0].startswith("carol_ops-") and alone[1].startswith("j_rgen-")
    assert safe_file_names(["carol_ops", "carol/ops", "j_rgen", "jürgen"]) == [
        "carol_ops", alone[0], "j_rgen", alone[1]]
    assert safe_file_names(["alice", "Alice"]) == [names[3], "Alice"]  # whatever the order


def test_cold_start_throttle_does_not_pace_at_the_floor() -> None:
    """A throttle before any success (another tool spent the budget) paces at the cold-start
    rate, not at the 0.5/s floor the measured (empty) success rate would give; with signal,
    the portal limiter's own rule applies."""
    from ssogen.aws.admin_calls import _Limiter

    now = [100.0]
    cold = _Limiter(clock=lambda: now[0])
    cold.throttled()
    assert cold.rate == _Limiter.COLD_START_RATE
    warm = _Limiter(clock=lambda: now[0])
    for _ in range(40):
        now[0] += 0.02
        warm.success()
    warm.throttled()
    assert warm.rate is not None and 40 <= warm.rate <= 41  # 40 successes in the last second


def test_an_unwritable_out_is_one_line_exit_2(admin: Sandbox, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    for args in (["--user", "user01", "--out", str(blocker / "alice.json")],
                 ["--all-users", "--out", str(blocker / "dir")]):
        proc = admin.run(*ADMIN, *args)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.startswith("ssogen: error: ") and "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_out_replaces_an_inventory_never_another_file(admin: Sandbox, tmp_path: Path) -> None:
    """A typo in --out (``.aws/credentials`` for ``alice.json``) must not turn a file into
    JSON; an inventory (an earlier run's) is replaced, and ``-`` is stdout."""
    credentials = admin.aws / "credentials"  # the admin's keys
    before = credentials.read_bytes()
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    for target in (credentials, notes):
        proc = admin.run(*ADMIN, "--user", "user01", "--out", str(target))
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.splitlines()[0] == (
            f"ssogen: error: --out {target}: exists and is not an inventory; ssogen replaces "
            "only an inventory file"), proc.stderr
    assert credentials.read_bytes() == before and notes.read_text() == "my notes\n"
    mine = tmp_path / "user01.json"
    assert admin.run(*ADMIN, "--user", "user01", "--out", str(mine)).returncode == 0
    first = json.loads(mine.read_text())
    proc = admin.run(*ADMIN, "--user", "user01", "--out", str(mine))  # an inventory: replaced
    assert proc.returncode == 0, proc.stderr
    assert _strip(json.loads(mine.read_text())) == _strip(first)
    proc = admin.run(*ADMIN, "--user", "user01", "--out", "-")
    assert proc.returncode == 0, proc.stderr
    assert _strip(json.loads(proc.stdout)) == _strip(first)
    assert not (admin.home / "-").exists()
    # --all-users: a non-inventory file where a user's file goes stops the run before any write
    out = tmp_path / "all"
    out.mkdir()
    (out / "user01.json").write_text("not json\n")
    proc = admin.run(*ADMIN, "--all-users", "--out", str(out))
    assert proc.returncode == 2, proc.stderr
    assert "user01.json: exists and is not an inventory" in proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["user01.json"]


def test_the_start_url_is_taken_in_every_form_setup_takes(admin: Sandbox) -> None:
    for given in ("acme", "acme.awsapps.com/start", f"{START_URL}/#/"):
        args = [a if a != START_URL else given for a in ADMIN]
        proc = admin.run(*args, "--user", "user01")
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["start_url"] == START_URL, given


def test_a_rerun_leaves_unchanged_inventories_byte_for_byte(admin: Sandbox,
                                                           tmp_path: Path) -> None:
    """Committed inventories: a run that finds the same access changes no file (not even
    ``generated_at``), so the repository shows no diff; a changed one is rewritten."""
    out = tmp_path / "all"
    assert admin.run(*ADMIN, "--all-users", "--out", str(out)).returncode == 0
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()}
    doctored = out / "user01.json"
    data = json.loads(doctored.read_text())
    data["accounts"] = data["accounts"][1:]  # as if user01 had lost an account since
    doctored.write_text(json.dumps(data))
    doctored_bytes = doctored.read_bytes()
    proc = admin.run(*ADMIN, "--all-users", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert f"wrote {len(before)} inventories ({len(before) - 1} unchanged: left as they were)" \
        in proc.stderr, proc.stderr
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()}
    assert {n for n in after if after[n] != before[n]} == {"user01.json"}
    # rewritten (compared with what it held, not with the first run's file: both runs may
    # fall in the same second of generated_at), with the access user01 really has
    assert after["user01.json"][0] != doctored_bytes
    assert _strip(json.loads(after["user01.json"][0])) == _strip(
        json.loads(before["user01.json"][0]))
    one = tmp_path / "one.json"
    assert admin.run(*ADMIN, "--user", "user02", "--out", str(one)).returncode == 0
    first = one.read_bytes()
    proc = admin.run(*ADMIN, "--user", "user02", "--out", str(one))
    assert proc.returncode == 0 and "(unchanged: left as it was)" in proc.stderr, proc.stderr
    assert one.read_bytes() == first


def _sso_admin(sandbox: Sandbox, account: str = "111111111111", role: str = "Admin") -> None:
    with sandbox.config.open("a") as fh:
        fh.write(f"\n[profile admin]\nsso_session = acme\nsso_account_id = {account}\n"
                 f"sso_role_name = {role}\nregion = {REGION}\n")


def test_an_sso_admin_profile_without_a_token_is_one_line_no_traceback(
        sandbox: Sandbox) -> None:
    """botocore logs its failed token refresh as a warning with a traceback; ssogen says it in
    its own line (the warning is for -v)."""
    sandbox.aws.mkdir()
    sandbox.config.write_text(f"[sso-session acme]\nsso_start_url = {START_URL}\n"
                              f"sso_region = {REGION}\n")
    _sso_admin(sandbox)
    proc = sandbox.run(*ADMIN, "--user", "alice")
    assert proc.returncode == 4, proc.stderr
    assert proc.stderr.splitlines() == [
        "ssogen: error: profile 'admin' is an SSO profile without a usable token",
        "  hint: ssogen login --profile admin (or aws sso login --profile admin), then try "
        "again"], proc.stderr


def test_an_sso_admin_profile_the_portal_refuses_names_get_role_credentials(
        sandbox: Sandbox, make_emulator: Any) -> None:
    emu = make_emulator(auto_approve_after=0)
    sandbox.env.update(emu.endpoint_env())
    assert sandbox.run("setup", "--yes", "--start-url", START_URL, "--sso-region", REGION,
                       "--session", "acme", "--no-browser").returncode == 0
    _sso_admin(sandbox, "999999999999", "NotMine")
    proc = sandbox.run(*ADMIN, "--user", "alice")
    assert proc.returncode == 5, proc.stderr
    first = proc.stderr.splitlines()[0]
    assert first.startswith("ssogen: error: profile 'admin': its credentials could not be "
                            "obtained (GetRoleCredentials: "), first
    assert proc.stderr.splitlines()[1] == (
        "  hint: check sso_account_id and sso_role_name against `ssogen list`")
    # the profile chosen by AWS_PROFILE is the one named, and the portal gone is exit 5
    proc = sandbox.run(*[a for a in ADMIN if a not in ("--profile", "admin")], "--user",
                       "alice", env={"AWS_PROFILE": "admin"})
    assert proc.returncode == 5 and "profile 'admin': its credentials" in proc.stderr
    emu.stop()
    proc = sandbox.run(*ADMIN, "--user", "alice")
    assert proc.returncode == 5, proc.stderr
    assert "profile 'admin': its credentials could not be obtained (" in proc.stderr
    assert "ListInstances" not in proc.stderr and "Traceback" not in proc.stderr


def test_a_file_that_became_another_one_after_the_check_is_not_replaced(
        tmp_path: Path) -> None:
    """The write itself refuses what is no inventory (another program may have put it there
    since the check before the discovery)."""
    from ssogen.app.org import _save
    from ssogen.errors import UsageError
    from ssogen.model.inventory import Inventory

    path = tmp_path / "alice.json"
    path.write_text("written by someone else\n")
    inventory = Inventory(session="acme", start_url=START_URL, sso_region=REGION, accounts=[])
    with pytest.raises(UsageError, match="exists and is not an inventory"):
        _save(inventory, path)
    assert path.read_text() == "written by someone else\n"
    path.unlink()
    assert _save(inventory, path) is True and _save(inventory, path) is False
