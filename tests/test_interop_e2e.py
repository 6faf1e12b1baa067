"""The promise, end to end, with AWS clients we did not write: right after
``ssogen setup --yes``, ``aws sts get-caller-identity`` and ``aws s3 ls --profile X`` work with
no second login -- and a token the AWS CLI (v1 or v2) refreshed is reused by ssogen.

Every client runs as a subprocess in a sandbox HOME, pointed at the emulator (sso-oidc, sso
portal, STS, S3) by ``Emulator.endpoint_env()``. ``HTTPS_PROXY`` points at a
local recording proxy that refuses everything (``NO_PROXY`` lets 127.0.0.1 through), so no
client can reach real AWS, and a client that ignores the endpoint variables is caught in the
act: the proxy records where it tried to go.

Clients: the AWS CLI v1 from PyPI (``python -m awscli``), boto3, and Debian's AWS CLI v2 at
``/usr/bin/aws`` (2.9.19). The latter predates the service-specific endpoint variables
(``AWS_ENDPOINT_URL_<SERVICE>``, CLI 2.13) and ``[services]`` sections: it ignores both and
goes to https://portal.sso.<region>.amazonaws.com. It still reads ssogen's profiles and
token (it only asks the portal for role credentials after loading a valid cached token), and
when its endpoints are redirected the way that version can be redirected -- endpoint rule
sets in a data path (``AWS_DATA_PATH``, botocore's own search path for models) -- it runs
both commands against the emulator with ssogen's login, and its own token refresh writes a
cache file ssogen reuses.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ssogen.emulator import Emulator

pytestmark = pytest.mark.interop

START_URL = "https://acme.awsapps.com/start"
REGION = "eu-west-1"
SESSION = "acme"
PROD = "210987654321"
PROD_BUCKETS = ["acme-prod-app-data-210987654321", "acme-prod-logs-210987654321"]
CLI_V2 = Path("/usr/bin/aws")


# -- a proxy that refuses everything and remembers where clients tried to go -----------------
class RefusingProxy:
    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.requests: list[str] = []  # request lines: "CONNECT host:443 HTTP/1.1"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                try:
                    line = conn.makefile("rb").readline(4096).decode("latin-1").strip()
                    self.requests.append(line)
                    conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n"
                                 b"Connection: close\r\n\r\n")
                except OSError:
                    pass

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def emulator(make_emulator: Any) -> Emulator:
    """The sample organisation; the emulator approves the login at the first poll."""
    return make_emulator(auto_approve_after=0)


@pytest.fixture
def proxy() -> Iterator[RefusingProxy]:
    p = RefusingProxy()
    yield p
    p.close()


# -- helpers -----------------------------------------------------------------------------------
def logged_in(sandbox: Any, emu: Emulator, proxy: RefusingProxy) -> str:
    """``ssogen setup --yes`` in the sandbox; returns the generated profile for prod/ReadOnly."""
    sandbox.env.update(emu.endpoint_env())
    # Real AWS endpoints are all https: through the refusing proxy. The emulator is plain
    # http, so no HTTP_PROXY (CLI v2 2.9.19 decides on proxies by the endpoint its client was
    # created with, before an endpoint rule set moves it to 127.0.0.1: NO_PROXY alone would
    # not let it through).
    sandbox.env.update({"HTTPS_PROXY": proxy.url, "NO_PROXY": "127.0.0.1,localhost",
                        "AWS_PAGER": ""})
    for k in ("https_proxy", "HTTP_PROXY", "http_proxy", "no_proxy", "ALL_PROXY", "all_proxy",
              "AWS_CA_BUNDLE", "AWS_DATA_PATH", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE"):
        sandbox.env.pop(k, None)
    sandbox.run("setup", "--yes", "--no-browser", "--start-url", START_URL, "--sso-region",
                REGION, "--session", SESSION, check=True, timeout=60)
    cfg = configparser.RawConfigParser()
    cfg.read(sandbox.config)
    (name,) = [s[len("profile "):] for s in cfg.sections() if s.startswith("profile ")
               and cfg[s].get("sso_account_id") == PROD
               and cfg[s].get("sso_role_name") == "ReadOnlyAccess"]
    assert cfg[f"profile {name}"]["sso_session"] == SESSION
    assert emu.stats()["requests"]["StartDeviceAuthorization"] == 1
    return name


def run_client(sandbox: Any, scan: dict[str, Any], argv: list[str],
               env: dict[str, str | None] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a client we did not write (``env``: changes, None removes); its output joins the
    secret scan."""
    full = dict(sandbox.env)
    for k, v in (env or {}).items():
        if v is None:
            full.pop(k, None)
        else:
            full[k] = v
    proc = subprocess.run(argv, capture_output=True, text=True, env=full, cwd=str(sandbox.home),
                          timeout=60, check=False)
    scan["texts"].extend([proc.stdout, proc.stderr])
    return proc


def aws_v1(sandbox: Any, scan: dict[str, Any], *args: str,
           env: dict[str, str | None] | None = None) -> subprocess.CompletedProcess[str]:
    return run_client(sandbox, scan, [sys.executable, "-m", "awscli", *args], env)


def aws_v2(sandbox: Any, scan: dict[str, Any], *args: str,
           env: dict[str, str | None] | None = None) -> subprocess.CompletedProcess[str]:
    return run_client(sandbox, scan, [str(CLI_V2), *args], env)


def bucket_names(ls_output: str) -> list[str]:
    """``aws s3 ls``: one ``YYYY-MM-DD HH:MM:SS name`` line per bucket."""
    lines = ls_output.splitlines()
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+", ln) for ln in lines), lines
    return [ln.split()[-1] for ln in lines]


def token_file(sandbox: Any) -> Path:
    import hashlib

    return sandbox.cache / f"{hashlib.sha1(SESSION.encode()).hexdigest()}.json"


def requests(emu: Emulator) -> dict[str, int]:
    return dict(emu.stats()["requests"])


# -- (a) AWS CLI v1 from PyPI ------------------------------------------------------------------
def test_aws_cli_v1_works_right_after_setup(sandbox: Any, emulator: Emulator,
                                            proxy: RefusingProxy, _secret_scan: Any) -> None:
    profile = logged_in(sandbox, emulator, proxy)

    who = aws_v1(sandbox, _secret_scan, "sts", "get-caller-identity", "--profile", profile)
    assert who.returncode == 0, who.stderr
    ident = json.loads(who.stdout)
    assert ident["Account"] == PROD
    assert re.fullmatch(rf"arn:aws:sts::{PROD}:assumed-role/AWSReservedSSO_ReadOnlyAccess_"
                        r"[0-9a-f]{16}/\S+", ident["Arn"])

    ls = aws_v1(sandbox, _secret_scan, "s3", "ls", "--profile", profile)
    assert ls.returncode == 0, ls.stderr
    assert bucket_names(ls.stdout) == PROD_BUCKETS

    # another generated profile, another account: the same login
    staging = aws_v1(sandbox, _secret_scan, "sts", "get-caller-identity", "--profile",
                     "acme-staging-administrator-access", "--query", "Account", "--output",
                     "text")
    assert (staging.returncode, staging.stdout.strip()) == (0, "345678901234"), staging.stderr

    calls = requests(emulator)
    assert calls["StartDeviceAuthorization"] == 1 and calls["CreateToken"] == 1  # no 2nd login
    assert calls["GetRoleCredentials"] == 3 and calls["GetCallerIdentity"] == 2
    assert calls["ListBuckets"] == 1
    assert proxy.requests == []  # nothing tried to leave the machine


def test_aws_cli_v1_without_the_token_asks_for_a_login(sandbox: Any, emulator: Emulator,
                                                       proxy: RefusingProxy,
                                                       _secret_scan: Any) -> None:
    """The control: the commands above work *because of* ssogen's cached token."""
    profile = logged_in(sandbox, emulator, proxy)
    token_file(sandbox).unlink()
    who = aws_v1(sandbox, _secret_scan, "sts", "get-caller-identity", "--profile", profile)
    assert who.returncode != 0
    assert "Token for acme does not exist" in who.stderr or "sso login" in who.stderr, who.stderr
    assert requests(emulator)["GetCallerIdentity"] == 0


# -- (b) boto3 ----------------------------------------------------------------------------------
BOTO3 = """\
import json, sys
import boto3
s = boto3.Session(profile_name=sys.argv[1])
ident = s.client("sts").get_caller_identity()
buckets = s.client("s3").list_buckets()["Buckets"]
print(json.dumps({"account": ident["Account"], "arn": ident["Arn"],
                  "buckets": [b["Name"] for b in buckets]}))
"""


def test_boto3_works_right_after_setup(sandbox: Any, emulator: Emulator, proxy: RefusingProxy,
                                       _secret_scan: Any) -> None:
    profile = logged_in(sandbox, emulator, proxy)
    proc = run_client(sandbox, _secret_scan, [sys.executable, "-c", BOTO3, profile])
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["account"] == PROD and out["buckets"] == PROD_BUCKETS
    assert ":assumed-role/AWSReservedSSO_ReadOnlyAccess_" in out["arn"]
    calls = requests(emulator)
    assert calls["StartDeviceAuthorization"] == 1 and calls["CreateToken"] == 1
    assert calls["GetRoleCredentials"] == 1  # one credential resolution for both clients
    assert proxy.requests == []


# -- (c) Debian's AWS CLI v2 -------------------------------------------------------------------
def cli_v2_version() -> tuple[int, ...] | None:
    if not (CLI_V2.is_file() and os.access(CLI_V2, os.X_OK)):
        return None
    try:
        out = subprocess.run([str(CLI_V2), "--version"], capture_output=True, text=True,
                             timeout=30, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.match(r"aws-cli/(\d+)\.(\d+)\.(\d+)", out)
    return tuple(int(g) for g in m.groups()) if m else None


V2 = cli_v2_version()
needs_v2 = pytest.mark.skipif(V2 is None or V2[0] != 2,
                              reason="AWS CLI v2 not installed at /usr/bin/aws")
#: AWS CLI 2.13 added AWS_ENDPOINT_URL_<SERVICE> and [services] sections
V2_HAS_ENDPOINT_VARIABLES = V2 is not None and V2 >= (2, 13, 0)


@needs_v2
def test_cli_v2_reads_ssogen_config_and_token(sandbox: Any, emulator: Emulator,
                                              proxy: RefusingProxy, _secret_scan: Any) -> None:
    profile = logged_in(sandbox, emulator, proxy)
    profiles = configparser.RawConfigParser()
    profiles.read(sandbox.config)
    expected = sorted(s[len("profile "):] for s in profiles.sections()
                      if s.startswith("profile "))
    listed = aws_v2(sandbox, _secret_scan, "configure", "list-profiles")
    assert listed.returncode == 0, listed.stderr
    assert sorted(listed.stdout.split()) == expected and len(expected) == 16
    got = aws_v2(sandbox, _secret_scan, "configure", "get", "sso_session", "--profile", profile)
    assert (got.returncode, got.stdout.strip()) == (0, SESSION)
    got = aws_v2(sandbox, _secret_scan, "configure", "get", "sso_role_name", "--profile",
                 profile)
    assert (got.returncode, got.stdout.strip()) == (0, "ReadOnlyAccess")

    # Only the endpoint variables (and a [services] section): 2.9.19 ignores both.
    one_try: dict[str, str | None] = {"AWS_MAX_ATTEMPTS": "1", "AWS_RETRY_MODE": "standard"}
    who = aws_v2(sandbox, _secret_scan, "sts", "get-caller-identity", "--profile", profile,
                 env=one_try)
    services_cfg = sandbox.home / "services-config"
    shutil.copyfile(sandbox.config, services_cfg)
    with services_cfg.open("a", encoding="utf-8") as f:
        f.write(f"\n[profile via-services]\nsso_session = {SESSION}\nsso_account_id = {PROD}\n"
                f"sso_role_name = ReadOnlyAccess\nregion = {REGION}\nservices = emulator\n\n"
                f"[services emulator]\nsso =\n  endpoint_url = {emulator.url}\n"
                f"sso_oidc =\n  endpoint_url = {emulator.url}\n"
                f"sts =\n  endpoint_url = {emulator.url}\n")
    no_vars: dict[str, str | None] = {k: None for k in emulator.endpoint_env()}
    via_services = aws_v2(sandbox, _secret_scan, "sts", "get-caller-identity", "--profile",
                          "via-services",
                          env={**one_try, **no_vars, "AWS_CONFIG_FILE": str(services_cfg)})
    if V2_HAS_ENDPOINT_VARIABLES:  # a newer CLI v2: both ways reach the emulator
        assert who.returncode == 0 and json.loads(who.stdout)["Account"] == PROD, who.stderr
        assert via_services.returncode == 0, via_services.stderr
        return
    portal = f"CONNECT portal.sso.{REGION}.amazonaws.com:443"
    for proc in (who, via_services):
        assert proc.returncode != 0
        assert "Failed to connect to proxy URL" in proc.stderr, proc.stderr
    # both tried real AWS's portal for role credentials -- which the CLI does only after it
    # found ssogen's token in its cache and judged it valid -- and never the emulator
    tried = [r.rsplit(" ", 1)[0] for r in proxy.requests]  # without " HTTP/1.x"
    assert len(tried) >= 2 and all(r == portal for r in tried), proxy.requests
    calls = requests(emulator)
    assert calls["GetRoleCredentials"] == calls["GetCallerIdentity"] == 0
    assert calls["CreateToken"] == 1  # the token was valid: no refresh attempted

    # the control: without ssogen's token it does not get as far as the portal
    token_file(sandbox).unlink()
    proxy.requests.clear()
    who = aws_v2(sandbox, _secret_scan, "sts", "get-caller-identity", "--profile", profile,
                 env=one_try)
    assert who.returncode != 0 and "Error loading SSO Token" in who.stderr, who.stderr
    assert proxy.requests == []


def endpoint_rulesets(emu: Emulator, root: Path) -> Path:
    """A botocore data path whose endpoint rule sets send sso, sso-oidc, sts and s3 to the
    emulator: how CLI versions without endpoint variables can be redirected."""
    ruleset = {"version": "1.0",
               "parameters": {"Region": {"builtIn": "AWS::Region", "required": False,
                                         "type": "String"}},
               "rules": [{"conditions": [], "type": "endpoint",
                          "endpoint": {"url": emu.url, "properties": {}, "headers": {}}}]}
    for service, version in (("sso", "2019-06-10"), ("sso-oidc", "2019-06-10"),
                             ("sts", "2011-06-15"), ("s3", "2006-03-01")):
        d = root / service / version
        d.mkdir(parents=True)
        (d / "endpoint-rule-set-1.json").write_text(json.dumps(ruleset), encoding="utf-8")
    return root


@needs_v2
def test_cli_v2_runs_the_commands_with_ssogen_login(sandbox: Any, emulator: Emulator,
                                                    proxy: RefusingProxy,
                                                    _secret_scan: Any) -> None:
    profile = logged_in(sandbox, emulator, proxy)
    models = endpoint_rulesets(emulator, sandbox.home.parent / "models")
    env: dict[str, str | None] = {"AWS_DATA_PATH": str(models)}
    who = aws_v2(sandbox, _secret_scan, "sts", "get-caller-identity", "--profile", profile,
                 env=env)
    assert who.returncode == 0, who.stderr
    assert json.loads(who.stdout)["Account"] == PROD
    ls = aws_v2(sandbox, _secret_scan, "s3", "ls", "--profile", profile, env=env)
    assert ls.returncode == 0, ls.stderr
    assert bucket_names(ls.stdout) == PROD_BUCKETS
    listed = aws_v2(sandbox, _secret_scan, "configure", "list", "--profile", profile, env=env)
    assert listed.returncode == 0, listed.stderr
    assert re.search(r"access_key\s+\*+[A-Z0-9]{4}\s+sso\b", listed.stdout), listed.stdout
    calls = requests(emulator)
    assert calls["StartDeviceAuthorization"] == 1 and calls["CreateToken"] == 1  # no 2nd login
    assert calls["GetCallerIdentity"] == 1 and calls["ListBuckets"] == 1
    assert 1 <= calls["GetRoleCredentials"] <= 3  # CLI v2 caches them in ~/.aws/cli/cache
    assert proxy.requests == []


# -- (d) the reverse: a token the AWS CLI refreshed is ssogen's token -----------------------------
@pytest.mark.parametrize("cli", ["v1", pytest.param("v2", marks=needs_v2)])
def test_ssogen_reuses_the_token_the_aws_cli_refreshed(sandbox: Any, make_emulator: Any,
                                                       proxy: RefusingProxy, _secret_scan: Any,
                                                       cli: str) -> None:
    """Access tokens live 10 min here, inside the 15-min refresh window of botocore and of
    the AWS CLI v2: the CLI's first call refreshes ssogen's token and rewrites the cache file.
    The old access token then expires (emulator clock) and the old refresh token was used up
    (rotation), so ``ssogen list --no-login`` succeeds only by reading what the CLI wrote."""
    import hashlib

    emu = make_emulator(auto_approve_after=0, token_ttl=600)
    profile = logged_in(sandbox, emu, proxy)
    before = json.loads(token_file(sandbox).read_text())
    emu.advance_clock(300)  # the refreshed token will outlive the first one by 300 s

    if cli == "v1":
        who = aws_v1(sandbox, _secret_scan, "sts", "get-caller-identity", "--profile", profile)
    else:
        models = endpoint_rulesets(emu, sandbox.home.parent / "models")
        who = aws_v2(sandbox, _secret_scan, "sts", "get-caller-identity", "--profile", profile,
                     env={"AWS_DATA_PATH": str(models)})
    assert who.returncode == 0, who.stderr
    assert json.loads(who.stdout)["Account"] == PROD
    after = json.loads(token_file(sandbox).read_text())

    def digest(value: str) -> str:
        return hashlib.sha256(value.encode()).hexdigest()

    assert digest(after["accessToken"]) != digest(before["accessToken"])  # the CLI refreshed
    assert digest(after["refreshToken"]) != digest(before["refreshToken"])  # and rotated
    # the CLI's own expiry (its clock + expiresIn; may equal ssogen's to the second)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", after["expiresAt"])
    assert after["expiresAt"] >= before["expiresAt"]
    assert requests(emu)["CreateToken"] == 2  # ssogen's login + the CLI's refresh

    emu.advance_clock(301)  # ssogen's access token is now expired; the CLI's is not
    listed = sandbox.run("list", "--session", SESSION, "--no-login", "--json")
    assert listed.returncode == 0, listed.stderr
    assert {a["id"] for a in json.loads(listed.stdout)["accounts"]} >= {PROD}
    calls = requests(emu)
    assert calls["StartDeviceAuthorization"] == 1  # never a second login
    assert calls["CreateToken"] == 2  # ssogen used the CLI's access token as it was

    # the control: the token file as ssogen wrote it is useless now
    token_file(sandbox).write_text(json.dumps(before))
    stale = sandbox.run("list", "--session", SESSION, "--no-login", "--json")
    assert stale.returncode == 4, (stale.returncode, stale.stderr)
    assert proxy.requests == []
