"""One description of an organisation (OUs, tagged accounts, permission sets, users, groups,
direct and group assignments) that seeds both moto (the admin APIs, in server mode) and the
built-in emulator (the portal one user sees), plus what moto needs around it: a server process
on 127.0.0.1 and a small proxy in front of it that adds latency or refuses one API.

Used by tests/test_org_*.py and benchmarks/org_inventory.py. The expected view of a user
(:meth:`OrgSpec.view`) is the portal's rule stated as plainly as possible: the union of the
user's direct assignments and those of the user's groups, permission-set names as role names,
accounts without an assignment (or outside the organisation) left out.
"""

from __future__ import annotations

import http.client
import http.server
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REGION = "eu-west-1"
START_URL = "https://acme.awsapps.com/start"
#: dummy static credentials: moto accepts anything; these are no secret
ADMIN_KEYS = ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_SSO_ADMIN", "AWS_ENDPOINT_URL_IDENTITYSTORE",
                      "AWS_ENDPOINT_URL_ORGANIZATIONS")
#: an account id that has an assignment but is not in the organisation (closed, removed)
OUTSIDE_ACCOUNT = "999999999999"


@dataclass(frozen=True)
class AccountSpec:
    key: str
    name: str
    email: str
    ou: str  # "Root", "Root/Workloads", ...
    tags: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class UserSpec:
    user_name: str
    email: str
    given: str = "Given"
    family: str = "Family"


@dataclass(frozen=True)
class Assignment:
    kind: str  # "USER" | "GROUP"
    principal: str  # user name or group name
    account: str  # AccountSpec.key, or OUTSIDE_ACCOUNT
    permission_set: str


@dataclass
class OrgSpec:
    ous: list[str]  # paths below Root, parents first
    accounts: list[AccountSpec]
    permission_sets: list[str]
    users: list[UserSpec]
    groups: dict[str, list[str]]  # group name -> member user names
    assignments: list[Assignment]

    def groups_of(self, user_name: str) -> list[str]:
        return sorted(g for g, members in self.groups.items() if user_name in members)

    def view(self, user_name: str, ids: dict[str, str]) -> dict[str, list[str]]:
        """account id -> sorted role names that ``user_name``'s portal lists."""
        mine = {("USER", user_name), *(("GROUP", g) for g in self.groups_of(user_name))}
        return self._collect([a for a in self.assignments if (a.kind, a.principal) in mine],
                             ids)

    def group_view(self, group: str, ids: dict[str, str]) -> dict[str, list[str]]:
        return self._collect([a for a in self.assignments
                              if (a.kind, a.principal) == ("GROUP", group)], ids)

    def _collect(self, chosen: list[Assignment], ids: dict[str, str]) -> dict[str, list[str]]:
        out: dict[str, set[str]] = {}
        for a in chosen:
            if a.account in ids:  # not in the organisation: no portal lists it
                out.setdefault(ids[a.account], set()).add(a.permission_set)
        return {k: sorted(v) for k, v in sorted(out.items())}

    def account(self, key: str) -> AccountSpec:
        return next(a for a in self.accounts if a.key == key)


def standard_spec() -> OrgSpec:
    """3 OUs, 30 accounts with tags, 5 permission sets, 12 users in 4 groups (one user in none,
    one in two), direct and group assignments (some overlapping, one to an account outside the
    organisation, one group with assignments but no members, one user with no access)."""
    ous = ["Workloads", "Workloads/Prod", "Sandbox"]
    places = ["Root/Workloads/Prod", "Root/Workloads", "Root/Sandbox", "Root"]
    teams = ["payments", "search", "identity"]
    accounts = []
    for i in range(30):
        tags: list[tuple[str, str]] = [("Env", ["prod", "dev", "sandbox", "shared"][i % 4])]
        if i % 5 != 4:  # every fifth account has no Team tag
            tags.append(("Team", teams[i % 3]))
        if i % 7 == 0:
            tags.append(("cost-center", f"cc-{i:03d}"))
        accounts.append(AccountSpec(f"a{i:02d}", f"{teams[i % 3]}-{i:02d}",
                                    f"aws+{i:02d}@acme.example", places[i % 4], tuple(tags)))
    permission_sets = ["AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess",
                       "ViewOnlyAccess", "Billing"]
    users = [UserSpec(f"user{i:02d}", f"user{i:02d}@example.com") for i in range(10)]
    users.append(UserSpec("svc/deploy bot", "deploy@example.com"))  # a name unsafe as a file
    users.append(UserSpec("zoe.oconnor", "Zoe.OConnor@example.com"))
    groups = {
        "Admins": ["user00", "user01"],
        "Developers": ["user02", "user03", "user04", "user05", "user01"],
        "Auditors": ["user06", "user07", "zoe.oconnor"],
        "Finance": ["user08"],
        "Nobody": [],  # assignments, but no member: gives nobody anything
    }
    rng = random.Random(7)
    assignments = []
    for acc in accounts:  # more than 100 assignments for one principal: paging
        for ps in permission_sets[:4]:
            assignments.append(Assignment("GROUP", "Admins", acc.key, ps))
    for acc in accounts[:20]:
        assignments.append(Assignment("GROUP", "Developers", acc.key, "PowerUserAccess"))
        assignments.append(Assignment("GROUP", "Auditors", acc.key, "ViewOnlyAccess"))
    for acc in accounts[20:]:
        assignments.append(Assignment("GROUP", "Auditors", acc.key, "ReadOnlyAccess"))
    assignments.append(Assignment("GROUP", "Finance", "a03", "Billing"))
    assignments.append(Assignment("GROUP", "Nobody", "a29", "Billing"))
    for user in users[:9]:  # direct ones, some also given through a group
        for acc in rng.sample(accounts, 3):
            assignments.append(Assignment("USER", user.user_name, acc.key,
                                          rng.choice(permission_sets)))
    assignments.append(Assignment("USER", "user02", "a00", "PowerUserAccess"))  # also via group
    assignments.append(Assignment("USER", "svc/deploy bot", "a10", "AdministratorAccess"))
    assignments.append(Assignment("USER", "user03", OUTSIDE_ACCOUNT, "ReadOnlyAccess"))
    # user09 has no assignment at all, directly or through a group
    return OrgSpec(ous, accounts, permission_sets, users, groups, assignments)


def scaled_spec(n_accounts: int, n_users: int, *, seed: int = 1) -> OrgSpec:
    """A large organisation for the benchmark: ``n_accounts`` in 10 OUs, ``n_users`` in 10
    groups (each user in 1-2), every group on a slice of the accounts, a few direct ones."""
    rng = random.Random(seed)
    ous = ["Workloads"] + [f"Workloads/T{i}" for i in range(8)] + ["Sandbox"]
    places = ["Root"] + [f"Root/{p}" for p in ous]
    accounts = [AccountSpec(f"a{i:04d}", f"acct-{i:04d}", f"aws+{i:04d}@example.com",
                            places[i % len(places)], (("Team", f"t{i % 8}"),
                                                      ("Env", ["prod", "dev"][i % 2])))
                for i in range(n_accounts)]
    sets = ["AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess", "ViewOnlyAccess",
            "Billing"]
    users = [UserSpec(f"user{i:04d}", f"user{i:04d}@example.com") for i in range(n_users)]
    groups: dict[str, list[str]] = {f"G{g}": [] for g in range(10)}
    for i, user in enumerate(users):
        for g in {i % 10, rng.randrange(10)}:
            groups[f"G{g}"].append(user.user_name)
    assignments = []
    for g in range(10):
        lo = g * n_accounts // 10
        hi = min(n_accounts, lo + n_accounts // 5)
        for acc in accounts[lo:hi]:
            assignments.append(Assignment("GROUP", f"G{g}", acc.key, sets[g % 4]))
    for user in users[::4]:
        acc = rng.choice(accounts)
        assignments.append(Assignment("USER", user.user_name, acc.key, rng.choice(sets)))
    return OrgSpec(ous, accounts, sets, users, groups, assignments)


# -- moto in server mode --------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MotoServer:
    """``python -m moto.server`` on 127.0.0.1 in its own process."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> MotoServer:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"moto.server exited with {self.proc.returncode}")
            try:
                with urllib.request.urlopen(f"{self.url}/moto-api/", timeout=2):
                    return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("moto.server did not start in time")

    def reset(self) -> None:
        req = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(req, timeout=30):
            pass

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def admin_clients(endpoint: str, max_pool: int = 10) -> dict[str, Any]:
    """boto3 clients straight at ``endpoint`` (for seeding; ssogen itself goes through the
    standard variables)."""
    import boto3
    from botocore.config import Config

    session = boto3.session.Session(aws_access_key_id=ADMIN_KEYS[0],
                                    aws_secret_access_key=ADMIN_KEYS[1], region_name=REGION)
    config = Config(max_pool_connections=max_pool, retries={"max_attempts": 10})
    return {name: session.client(name, endpoint_url=endpoint, config=config)
            for name in ("sso-admin", "identitystore", "organizations")}


@dataclass
class Seeded:
    """What moto made of the description: the ids it chose."""

    account_ids: dict[str, str]  # AccountSpec.key -> 12-digit id
    instance_arn: str
    identity_store_id: str
    user_ids: dict[str, str] = field(default_factory=dict)
    group_ids: dict[str, str] = field(default_factory=dict)


def seed_moto(spec: OrgSpec, endpoint: str, *, workers: int = 8) -> Seeded:
    """Create the organisation, the identity store's users and groups, the permission sets
    and the assignments in moto (after a reset)."""
    from concurrent.futures import ThreadPoolExecutor

    c = admin_clients(endpoint, max_pool=workers + 2)
    org = c["organizations"]
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    ou_ids = {"Root": root}
    for path in spec.ous:
        parent, _, name = f"Root/{path}".rpartition("/")
        ou_ids[f"Root/{path}"] = org.create_organizational_unit(
            ParentId=ou_ids[parent], Name=name)["OrganizationalUnit"]["Id"]

    def make_account(acc: AccountSpec) -> tuple[str, str]:
        status = org.create_account(AccountName=acc.name, Email=acc.email,
                                    Tags=[{"Key": k, "Value": v} for k, v in acc.tags])
        acc_id = status["CreateAccountStatus"]["AccountId"]
        if acc.ou != "Root":
            org.move_account(AccountId=acc_id, SourceParentId=root,
                             DestinationParentId=ou_ids[acc.ou])
        return acc.key, acc_id

    sso = c["sso-admin"]
    inst = sso.list_instances()["Instances"][0]
    arn, store = inst["InstanceArn"], inst["IdentityStoreId"]
    ids = c["identitystore"]
    with ThreadPoolExecutor(workers) as pool:
        account_ids = dict(pool.map(make_account, spec.accounts))
        seeded = Seeded(account_ids, arn, store)

        def make_user(u: UserSpec) -> tuple[str, str]:
            return u.user_name, ids.create_user(
                IdentityStoreId=store, UserName=u.user_name, DisplayName=u.user_name,
                Name={"GivenName": u.given, "FamilyName": u.family},
                Emails=[{"Value": u.email, "Type": "work", "Primary": True}])["UserId"]

        seeded.user_ids = dict(pool.map(make_user, spec.users))
        for name, members in spec.groups.items():
            gid = ids.create_group(IdentityStoreId=store, DisplayName=name)["GroupId"]
            seeded.group_ids[name] = gid
            list(pool.map(lambda m, gid=gid: ids.create_group_membership(
                IdentityStoreId=store, GroupId=gid,
                MemberId={"UserId": seeded.user_ids[m]}), members))
        ps_arns = {name: sso.create_permission_set(Name=name, InstanceArn=arn)[
            "PermissionSet"]["PermissionSetArn"] for name in spec.permission_sets}

        def assign(a: Assignment) -> None:
            principal = (seeded.user_ids if a.kind == "USER" else seeded.group_ids)[a.principal]
            sso.create_account_assignment(
                InstanceArn=arn, TargetId=account_ids.get(a.account, a.account),
                TargetType="AWS_ACCOUNT", PermissionSetArn=ps_arns[a.permission_set],
                PrincipalType=a.kind, PrincipalId=principal)

        list(pool.map(assign, spec.assignments))
    return seeded


def management_account(endpoint: str) -> tuple[str, str, str]:
    """moto's management account (id, name, e-mail): part of the organisation too."""
    org = admin_clients(endpoint)["organizations"]
    desc = org.describe_organization()["Organization"]
    acc = org.describe_account(AccountId=desc["MasterAccountId"])["Account"]
    return acc["Id"], acc["Name"], acc["Email"]


def emulator_accounts(spec: OrgSpec, seeded: Seeded, user_name: str) -> list[Any]:
    """The emulator's organisation for one user: the accounts that user's portal lists."""
    from ssogen.model.inventory import Account

    by_id = {seeded.account_ids[a.key]: a for a in spec.accounts}
    return [Account(acc_id, by_id[acc_id].name, by_id[acc_id].email, roles)
            for acc_id, roles in spec.view(user_name, seeded.account_ids).items()]


def sandbox_admin(home: Path, env: dict[str, str], endpoint: str) -> None:
    """``[admin]`` static dummy keys in the sandbox's credentials file, its region in the
    config, and the standard endpoint variables pointing at ``endpoint``."""
    aws = home / ".aws"
    aws.mkdir(exist_ok=True)
    creds = aws / "credentials"
    creds.write_text(f"[admin]\naws_access_key_id = {ADMIN_KEYS[0]}\n"
                     f"aws_secret_access_key = {ADMIN_KEYS[1]}\n")
    creds.chmod(0o600)
    env.update({name: endpoint for name in ENDPOINT_VARIABLES})


# -- a proxy in front of moto: latency, refusals, throttling --------------------------------
class Proxy:
    """An HTTP proxy on 127.0.0.1 that forwards every request to ``target`` after ``latency``
    seconds; ``rule(operation) -> (status, code) | None`` answers instead (an AWS JSON error),
    for access denial and throttling. Counts requests per operation and the most in flight."""

    def __init__(self, target: str, *, latency: float = 0.0,
                 rule: Callable[[str], tuple[int, str] | None] | None = None,
                 recorded: dict[tuple[str, bytes], tuple[int, list[tuple[str, str]], bytes]]
                 | None = None, replay: bool = False) -> None:
        self.target = target.removeprefix("http://")
        self.latency = latency
        self.rule = rule
        #: ``recorded``: the target's answers by (operation, request body), filled as they
        #: pass; with ``replay`` an answer found there is sent again without asking the
        #: target (so only the added latency is measured, not the target's own time)
        self.recorded = recorded
        self.replay = replay
        self.replay_misses = 0
        self.counts: dict[str, int] = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                return None

            def do_POST(self) -> None:  # every API here is POST (JSON or query protocol)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                op = (self.headers.get("X-Amz-Target") or "").rpartition(".")[2] or "?"
                with proxy._lock:
                    proxy.counts[op] = proxy.counts.get(op, 0) + 1
                    proxy.in_flight += 1
                    proxy.max_in_flight = max(proxy.max_in_flight, proxy.in_flight)
                try:
                    if proxy.latency:
                        time.sleep(proxy.latency)
                    refusal = proxy.rule(op) if proxy.rule else None
                    if refusal is not None:
                        status, code = refusal
                        data = json.dumps({"__type": code, "message": f"{code} (proxy)"}
                                          ).encode()
                        self.send_response(status)
                        self.send_header("Content-Type", "application/x-amz-json-1.1")
                        self.send_header("x-amzn-ErrorType", code)
                        self.send_header("Content-Length", str(len(data)))
                        self.end_headers()
                        self.wfile.write(data)
                        return
                    key = (op, body)
                    answer = None
                    if proxy.replay and proxy.recorded is not None:
                        answer = proxy.recorded.get(key)
                        if answer is None:
                            proxy.replay_misses += 1
                    if answer is None:
                        conn = http.client.HTTPConnection(proxy.target, timeout=60)
                        headers = {k: v for k, v in self.headers.items()
                                   if k.lower() not in ("host", "connection")}
                        conn.request("POST", self.path, body=body, headers=headers)
                        resp = conn.getresponse()
                        kept = [(k, v) for k, v in resp.getheaders()
                                if k.lower() not in ("transfer-encoding", "connection",
                                                     "content-length", "server", "date")]
                        answer = (resp.status, kept, resp.read())
                        conn.close()
                        if proxy.recorded is not None:
                            proxy.recorded[key] = answer
                    status, kept, data = answer
                    self.send_response(status)
                    for k, v in kept:
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                finally:
                    with proxy._lock:
                        proxy.in_flight -= 1

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> Proxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self.counts.values())


class TokenBucket:
    """A service's throttle for one API: ``rate`` requests a second, bursts of ``burst``;
    :meth:`take` is False when the request would be throttled. Thread-safe."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens = burst
        self.stamp = time.monotonic()
        self.refused = 0
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens >= 1:
                self.tokens -= 1
                return True
            self.refused += 1
            return False
