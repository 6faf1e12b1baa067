"""Shared fixtures. Add fixtures by appending (small edits), never by rewriting this file:
several people edit it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
#: the project's shared corpus (vendored copy, so a fresh clone has it), ours, and any file the
#: live ../shared/corpus has beyond the copy (new acceptance cases are picked up at once)
SHARED_CORPUS = REPO.parent / "shared" / "corpus"
CORPUS_DIRS = [REPO / "tests" / "corpus" / "shared", REPO / "tests" / "corpus"]


def dead_url() -> str:
    """``http://127.0.0.1:PORT`` of a port nobody listens on (bound, then let go): an
    endpoint that refuses every connection."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


# Environment variables that would make a test reach outside its sandbox or change behaviour.
_SCRUB = [
    "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SSO", "AWS_ENDPOINT_URL_SSO_OIDC",
    "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_S3", "AWS_DATA_PATH",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_DEFAULT_REGION", "AWS_REGION", "BROWSER",
    "WSL_DISTRO_NAME", "WSL_INTEROP", "DISPLAY", "WAYLAND_DISPLAY",
]


def corpus_files() -> list[Path]:
    files: list[Path] = []
    for d in CORPUS_DIRS:
        if d.is_dir():
            files.extend(sorted(p for p in d.iterdir() if p.suffix == ".cfg"))
    have = {p.name for p in files}
    if SHARED_CORPUS.is_dir():
        files.extend(sorted(p for p in SHARED_CORPUS.iterdir()
                            if p.suffix == ".cfg" and p.name not in have))
    return files


class Sandbox:
    """A throwaway HOME with its own ~/.aws; ``env`` is what subprocesses get."""

    def __init__(self, root: Path) -> None:
        self.home = root / "home"
        self.home.mkdir()
        self.aws = self.home / ".aws"
        self.config = self.aws / "config"
        self.cache = self.aws / "sso" / "cache"
        env = {k: v for k, v in os.environ.items() if k not in _SCRUB}
        env.update({
            "HOME": str(self.home),
            "AWS_CONFIG_FILE": str(self.config),
            "AWS_SHARED_CREDENTIALS_FILE": str(self.aws / "credentials"),
            "NO_COLOR": "1",
            "PYTHONIOENCODING": "utf-8",
            "COLUMNS": "100",
        })
        self.env: dict[str, str] = env

    def run(self, *args: str, input: str | None = None, check: bool = False,
            timeout: float = 120, env: dict[str, str] | None = None,
            ) -> subprocess.CompletedProcess[str]:
        """Run ``python -m ssogen ARGS`` in this sandbox and capture its output."""
        full_env = dict(self.env)
        if env:
            full_env.update(env)
        proc = subprocess.run(
            [sys.executable, "-m", "ssogen", *args],
            input=input, capture_output=True, text=True, env=full_env, timeout=timeout,
            cwd=str(self.home), check=False,
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"ssogen {' '.join(args)} exited {proc.returncode}\n"
                f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
            )
        return proc

    def use_emulator(self, emu: object, *, start_url: str = "https://acme.awsapps.com/start",
                     scopes: bool = True, profile: tuple[str, str] | None = None) -> None:
        """Point this sandbox at ``emu`` and write ``[sso-session acme]`` (eu-west-1), with
        ``sso_registration_scopes`` (which keys the registration cache) when ``scopes``, and a
        hand-written ``[profile acme-ro]`` for ``profile=(account id, role)``."""
        self.env.update(emu.endpoint_env())  # type: ignore[attr-defined]
        self.aws.mkdir(exist_ok=True)
        text = f"[sso-session acme]\nsso_start_url = {start_url}\nsso_region = eu-west-1\n"
        if scopes:
            text += "sso_registration_scopes = sso:account:access\n"
        if profile:
            text += (f"\n[profile acme-ro]\nsso_session = acme\nsso_account_id = {profile[0]}\n"
                     f"sso_role_name = {profile[1]}\nregion = eu-west-1\n")
        self.config.write_text(text)

    def python(self, code: str, *, env: dict[str, str] | None = None, timeout: float = 120,
               ) -> subprocess.CompletedProcess[str]:
        """Run a Python snippet in a subprocess with this sandbox's HOME (e.g. botocore)."""
        full_env = dict(self.env)
        if env:
            full_env.update(env)
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env=full_env, timeout=timeout, cwd=str(self.home), check=False)


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    return Sandbox(tmp_path)


@pytest.fixture
def run_ssogen(sandbox: Sandbox) -> Callable[..., subprocess.CompletedProcess[str]]:
    return sandbox.run


# --- emulator (ssogen.emulator) -----------------------------------------------------------
@pytest.fixture
def make_emulator():  # -> Callable[..., Emulator]
    """Factory: ``make_emulator(**Emulator kwargs)`` starts an emulator (sample organisation
    unless ``org=`` is given); every one started is stopped after the test."""
    from ssogen.emulator import Emulator, Organization

    started: list[Emulator] = []

    def factory(**kwargs: object) -> Emulator:
        kwargs.setdefault("org", Organization.sample())
        emu = Emulator(**kwargs).start()  # type: ignore[arg-type]
        started.append(emu)
        return emu

    yield factory
    for emu in started:
        emu.stop()


@pytest.fixture
def emulator(make_emulator):  # -> Emulator
    """A fresh, running emulator with the sample organisation (6 accounts)."""
    return make_emulator()


# --- secret scan (auth/discovery owner) ----------------------------------------------------
# After every test that started an emulator, no secret it issued (access/refresh tokens, client
# secrets, role credentials: ``Emulator.issued_secrets()``) may appear in anything the test
# captured: stdout/stderr (capsys/capfd, also text a test already consumed with readouterr()),
# log records, or the output of ``Sandbox.run`` / ``Sandbox.python`` subprocesses. A leak turns
# the test's teardown into a failure that names the kind of secret, never the secret itself.
# The one exception (issue 5): role credentials in the stdout of ``ssogen export-credentials``
# run through ``Sandbox.run`` -- that output *is* the credentials. A test that must show role
# credentials elsewhere (e.g. botocore output of a credential_process profile) opts out for role
# credentials only with ``@pytest.mark.role_credentials_in_output``. Tokens and client secrets
# are never allowed anywhere.
# Also scanned: the output of every ``subprocess`` call whose output the test collected with
# ``communicate()`` (so every ``subprocess.run(capture_output=True)``), everything a
# ``pexpect.spawn`` child printed that the test read (with or without its own logfile), and
# text a test hands to ``scan_output`` (a stream it read line by line itself). Emulators in
# another process are known to the scan only when the test reports their secrets:
# ``scan_emulator_secrets(url)`` (the control API, before the emulator stops), or, for a
# command that starts and stops its own emulator (``ssogen demo``), ``observed_ssogen_argv``
# + ``scan_observed_secrets`` (see there). Such secrets are all treated as tokens (never
# excused by the marker).
_SECRET_SCAN_KEY = pytest.StashKey[dict]()
_SCAN_ACTIVE: list[dict] = []  # the running test's record (tests run one at a time)
_scan_thread = threading.local()  # .quiet: Sandbox.run/python records its own output


def _as_text(data: object) -> str:
    if isinstance(data, bytes):
        return data.decode("utf-8", errors="replace")
    return data if isinstance(data, str) else ""


def scan_output(*texts: str | bytes | None) -> None:
    """Add output the test captured by other means (a pipe it read itself) to the scan."""
    if _SCAN_ACTIVE:
        _SCAN_ACTIVE[-1]["texts"].extend(_as_text(t) for t in texts)


def _add_remote_secrets(secrets: list[str]) -> None:
    if _SCAN_ACTIVE:
        _SCAN_ACTIVE[-1]["remote_secrets"].extend(s for s in secrets if isinstance(s, str))


def scan_emulator_secrets(url: str) -> list[str]:
    """Fetch what an emulator in another process issued (``GET /_emulator/secrets``) into
    the scan; call it before that emulator stops."""
    import json
    import urllib.request

    with urllib.request.urlopen(f"{url}/_emulator/secrets", timeout=10) as resp:
        secrets = json.loads(resp.read())["secrets"]
    _add_remote_secrets(secrets)
    return secrets


# ``python -c _OBSERVED_SSOGEN FILE ARGS`` runs ``ssogen ARGS`` exactly as ``python -m ssogen``
# does (runpy), with one observer: every emulator the command starts in its own process
# appends what it issued to FILE (created 0600) when it stops. No ssogen code changes
# behaviour; it is the out-of-process twin of the ``Emulator.start`` observer below.
_OBSERVED_SSOGEN = (
    "import json, os, runpy, sys\n"
    "from ssogen.emulator import server\n"
    "dump = sys.argv.pop(1)\n"
    "orig_stop = server.Emulator.stop\n"
    "def stop(self):\n"
    "    fd = os.open(dump, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)\n"
    "    with os.fdopen(fd, 'a') as fh:\n"
    "        fh.write(json.dumps(self.issued_secrets()) + '\\n')\n"
    "    orig_stop(self)\n"
    "server.Emulator.stop = stop\n"
    "runpy.run_module('ssogen', run_name='__main__', alter_sys=True)\n"
)


def observed_ssogen_argv(secrets_file: Path, *args: str) -> list[str]:
    """argv for ``ssogen ARGS`` whose in-process emulators report their secrets to
    ``secrets_file`` (read them with ``scan_observed_secrets``)."""
    return [sys.executable, "-c", _OBSERVED_SSOGEN, str(secrets_file), *args]


def scan_observed_secrets(secrets_file: Path) -> list[str]:
    """Add the secrets an ``observed_ssogen_argv`` run's emulators issued to the scan."""
    import json

    secrets = [s for line in secrets_file.read_text().splitlines() if line.strip()
               for s in json.loads(line)]
    _add_remote_secrets(secrets)
    return secrets


def find_leaks(texts: list[str], secrets: list[str]) -> list[str]:
    """Which secrets (described by their prefix only) occur in any of ``texts``."""
    found = []
    for secret in secrets:
        if len(secret) >= 8 and any(secret in t for t in texts if t):
            found.append(f"{secret[:3]}…({len(secret)} chars)")
    return found


def _login_secrets(emu) -> list[str]:
    """The access/refresh tokens, client secrets and console sign-in tokens among
    ``emu.issued_secrets()``."""
    issued = emu.issued_secrets()
    try:
        login = (set(emu.oidc.tokens) | set(emu.oidc.refresh_tokens)
                 | {c.secret for c in emu.oidc.clients.values()}
                 | set(emu.federation.signin_tokens))
    except AttributeError:  # emulator internals changed: treat everything as a login secret
        return issued
    return [s for s in issued if s in login]


@pytest.fixture(autouse=True)
def _secret_scan(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    from ssogen.emulator import server as _emu_server

    record: dict = {"emulators": [], "texts": [], "credential_texts": [], "streams": [],
                    "remote_secrets": []}
    request.node.stash[_SECRET_SCAN_KEY] = record
    orig_start = _emu_server.Emulator.start

    def start(self):  # observe only: which emulators this test started
        record["emulators"].append(self)
        return orig_start(self)

    def wrap_proc(orig):
        def wrapper(self, *args, **kwargs):
            _scan_thread.quiet = True  # recorded below, where export-credentials is known
            try:
                proc = orig(self, *args, **kwargs)
            finally:
                _scan_thread.quiet = False
            if orig is orig_run and "export-credentials" in args:
                record["credential_texts"].append(proc.stdout or "")
            else:
                record["texts"].append(proc.stdout or "")
            record["texts"].append(proc.stderr or "")
            return proc
        return wrapper

    orig_run = Sandbox.run
    orig_readouterr = pytest.CaptureFixture.readouterr

    def readouterr(self):
        out = orig_readouterr(self)
        record["texts"].extend([str(out.out), str(out.err)])
        return out

    monkeypatch.setattr(_emu_server.Emulator, "start", start)
    monkeypatch.setattr(Sandbox, "run", wrap_proc(Sandbox.run))
    monkeypatch.setattr(Sandbox, "python", wrap_proc(Sandbox.python))
    monkeypatch.setattr(pytest.CaptureFixture, "readouterr", readouterr)

    orig_communicate = subprocess.Popen.communicate

    def communicate(self, *args, **kwargs):  # every subprocess.run(capture_output) too
        out, err = orig_communicate(self, *args, **kwargs)
        if not getattr(_scan_thread, "quiet", False):
            record["texts"].extend([_as_text(out), _as_text(err)])
        return out, err

    monkeypatch.setattr(subprocess.Popen, "communicate", communicate)
    try:
        import pexpect
    except ImportError:
        pexpect = None
    if pexpect is not None:
        class _Tee:  # what the child printed (and the test read), plus the test's own log
            def __init__(self, inner: object) -> None:
                self.inner, self.chunks = inner, []
                record["streams"].append(self.chunks)

            def write(self, data: object) -> None:
                self.chunks.append(data)
                if self.inner is not None:
                    self.inner.write(data)  # type: ignore[attr-defined]

            def flush(self) -> None:
                if self.inner is not None:
                    self.inner.flush()  # type: ignore[attr-defined]

        class ScannedSpawn(pexpect.spawn):  # type: ignore[misc,name-defined]
            @property
            def logfile_read(self):  # type: ignore[no-untyped-def]
                return self._scan_tee

            @logfile_read.setter
            def logfile_read(self, inner: object) -> None:
                if getattr(self, "_scan_tee", None) is None:
                    self._scan_tee = _Tee(inner)
                else:  # the test sets its own log: keep scanning, write there too
                    self._scan_tee.inner = inner

        monkeypatch.setattr(pexpect, "spawn", ScannedSpawn)
    _SCAN_ACTIVE.append(record)
    try:
        yield record
    finally:
        _SCAN_ACTIVE.remove(record)


def pytest_configure(config: pytest.Config) -> None:
    # A job started in the background of a non-interactive shell (`cmd &`) inherits
    # SIGINT ignored, and so would every ssogen the tests start: the Ctrl-C tests would
    # see a process that cannot be interrupted. Restore Python's own handler; the
    # children, after exec, then get the default disposition a terminal user has.
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    config.addinivalue_line(
        "markers", "role_credentials_in_output: the secret scan tolerates role credentials "
        "(never tokens or client secrets) in this test's captured output")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if call.when != "teardown":
        return
    record = item.stash.get(_SECRET_SCAN_KEY, None)
    if not record or not (record["emulators"] or record["remote_secrets"]):
        return
    secrets = [s for emu in record["emulators"] for s in emu.issued_secrets()]
    login = [s for emu in record["emulators"] for s in _login_secrets(emu)]
    texts = list(record["texts"]) + [content for _, content in report.sections]
    texts += ["".join(_as_text(c) for c in chunks) for chunks in record["streams"]]
    if item.get_closest_marker("role_credentials_in_output"):
        secrets = login
    secrets += record["remote_secrets"]  # another process's emulator: all strict
    login += record["remote_secrets"]
    leaks = find_leaks(texts, secrets) + find_leaks(record["credential_texts"], login)
    if leaks:
        report.outcome = "failed"
        report.longrepr = (f"secret scan: {len(leaks)} issued secret(s) appeared in captured "
                           f"output or logs: {', '.join(leaks)}")


# --- config engine (setup/sync --inventory) ------------------------------------------------
#: The organisation the engine tests generate profiles for (names with the default preset:
#: prod-administrator-access, prod-read-only-access, dev-administrator-access,
#: audit-read-only-access and, for the second "Audit", audit-read-only-access-444444444444).
ACME_INVENTORY = {
    "session": "acme", "start_url": "https://acme.awsapps.com/start", "sso_region": "eu-west-1",
    "generated_at": "2026-11-26T14:00:00Z",
    "accounts": [
        {"id": "111111111111", "name": "Prod", "email": "prod@acme.example",
         "roles": ["AdministratorAccess", "ReadOnlyAccess"]},
        {"id": "222222222222", "name": "Dev", "email": "dev@acme.example",
         "roles": ["AdministratorAccess"]},
        {"id": "333333333333", "name": "Audit", "email": "audit@acme.example",
         "roles": ["ReadOnlyAccess"]},
        {"id": "444444444444", "name": "Audit", "email": "audit2@acme.example",
         "roles": ["ReadOnlyAccess"]},
    ],
}


@pytest.fixture
def acme_inventory(tmp_path: Path) -> Path:
    """ACME_INVENTORY saved as an inventory file (``--inventory``)."""
    import json

    path = tmp_path / "acme.json"
    path.write_text(json.dumps(ACME_INVENTORY), encoding="utf-8")
    return path


# --- permission bits that bite, also as root (hardening tests) -----------------------------
# Root ignores mode bits, so tests of an unreadable or read-only file run ssogen through a
# prefix that takes the privilege away. First choice: ``unshare --user`` (same uid, no
# capabilities). CI containers often forbid user namespaces, so the fallback drops every
# capability from the bounding set before exec (the uid stays 0, so the sandbox's files stay
# "owned" and need no chown -- the same semantics as the user namespace). Each mechanism is
# *probed* (the child must have no effective capability and must fail to read a mode-000
# file); the test is skipped, with the reason, only if none works. SSOGEN_TEST_PRIVDROP=caps
# (or =userns) forces one mechanism, to prove the fallback on a machine that has both.
_DROP_CAPS = (
    "import ctypes, os, sys\n"
    "libc = ctypes.CDLL(None, use_errno=True)\n"
    "last = int(open('/proc/sys/kernel/cap_last_cap').read())\n"
    "for cap in range(last + 1):\n"
    "    if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP\n"
    "        sys.exit(f'cannot drop capability {cap}: {os.strerror(ctypes.get_errno())}')\n"
    "libc.prctl(47, 4, 0, 0, 0)  # PR_CAP_AMBIENT_CLEAR_ALL\n"
    "os.execvp(sys.argv[1], sys.argv[1:])\n"
)
_PROBE = (
    "import re, sys\n"
    "eff = re.search(r'CapEff:\\s*(\\w+)', open('/proc/self/status').read()).group(1)\n"
    "assert int(eff, 16) == 0, 'capabilities left: ' + eff\n"
    "try:\n"
    "    open(sys.argv[1]).close()\n"
    "except PermissionError:\n"
    "    sys.exit(0)\n"
    "sys.exit('a mode-000 file was readable')\n"
)
_unprivileged_cache: dict[str, list[str] | str] = {}


def _privdrop_candidates() -> list[tuple[str, list[str]]]:
    import shutil

    found = []
    unshare = shutil.which("unshare")
    if unshare:
        found.append(("userns", [unshare, "--user"]))
    found.append(("caps", [sys.executable, "-c", _DROP_CAPS]))
    forced = os.environ.get("SSOGEN_TEST_PRIVDROP")
    return [c for c in found if c[0] == forced] if forced else found


def unprivileged_prefix() -> list[str]:
    """argv prefix under which mode bits apply to the command (``[]`` when not root); skips
    the test (naming each mechanism's failure) when no mechanism works."""
    import tempfile

    if os.geteuid() != 0:
        return []
    if "result" not in _unprivileged_cache:
        failures = []
        with tempfile.TemporaryDirectory() as tmp:
            locked = Path(tmp) / "mode-000"
            locked.write_text("x")
            locked.chmod(0)
            for name, prefix in _privdrop_candidates():
                probe = subprocess.run([*prefix, sys.executable, "-c", _PROBE, str(locked)],
                                       capture_output=True, text=True, check=False)
                if probe.returncode == 0:
                    _unprivileged_cache["result"] = prefix
                    break
                failures.append(f"{name}: {(probe.stderr.strip().splitlines() or ['?'])[-1]}")
            else:
                _unprivileged_cache["result"] = (
                    "running as root and no way to make permission bits apply ("
                    + "; ".join(failures or ["no mechanism"]) + ")")
    result = _unprivileged_cache["result"]
    if isinstance(result, str):
        pytest.skip(result)
    return list(result)


def _unknown_uid(start: int = 54321) -> int:
    """A uid this machine has no account for (errors then say ``uid N``)."""
    import pwd

    uid = start
    while True:
        try:
            pwd.getpwuid(uid)
        except KeyError:
            return uid
        uid += 1


#: a uid no account has: files chowned to it belong to "another user" for every test
OTHER_UID = _unknown_uid()


def foreign_owner_prefix() -> list[str]:
    """argv prefix under which a file chowned to :data:`OTHER_UID` is another user's file
    that mode bits protect: root with every capability dropped (a user namespace would show
    both the file and the process as ``nobody``). Skips when that cannot be set up."""
    if os.geteuid() != 0:
        pytest.skip("needs root (to chown a file to another user)")
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        locked = Path(tmp) / "mode-000"
        locked.write_text("x")
        locked.chmod(0)
        prefix = [sys.executable, "-c", _DROP_CAPS]
        probe = subprocess.run([*prefix, sys.executable, "-c", _PROBE, str(locked)],
                               capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        pytest.skip(f"cannot drop capabilities: {probe.stderr.strip()[-200:]}")
    return prefix


# --- clients we did not write: Debian's AWS CLI v2 -----------------------------------------
#: Debian's AWS CLI v2 (the package ``awscli``; a pip-installed v1 on PATH may shadow ``aws``).
AWS_CLI_V2 = Path("/usr/bin/aws")
#: .ci/run installs it and sets this: then a test that needs it fails instead of skipping, so a
#: green CI can never mean "the interop tests did not run".
REQUIRE_AWS_CLI_V2 = os.environ.get("SSOGEN_REQUIRE_AWS_CLI_V2") == "1"


def aws_cli_v2() -> str:
    """The path of Debian's AWS CLI v2; skips the calling test (with the reason) when it is not
    installed -- except under ``SSOGEN_REQUIRE_AWS_CLI_V2=1`` (CI), where that is a failure."""
    if AWS_CLI_V2.exists():
        return str(AWS_CLI_V2)
    reason = f"AWS CLI v2 not installed at {AWS_CLI_V2} (.ci/run installs Debian's awscli)"
    if REQUIRE_AWS_CLI_V2:
        pytest.fail(reason + " but SSOGEN_REQUIRE_AWS_CLI_V2=1 says it must be")
    pytest.skip(reason)


def venv_bin_path(env: dict[str, str]) -> dict[str, str]:
    """``env`` with the directory of this interpreter (the venv's ``bin``) first on PATH, so a
    shell script's ``python`` and ``ssogen`` are the ones under test, on any machine."""
    out = dict(env)
    out["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return out


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_logreport(report: pytest.TestReport):  # type: ignore[no-untyped-def]
    """Under SSOGEN_REQUIRE_AWS_CLI_V2=1 (CI) a test skipped for want of Debian's AWS CLI v2 --
    by ``aws_cli_v2()`` or by any ``skipif`` whose reason says it is not at /usr/bin/aws --
    counts as failed. (The AWS CLI v2 built from source, ``SSOGEN_AWS_CLI_V2_SOURCE``, is not
    something a fresh machine can have: those tests may skip.)"""
    if REQUIRE_AWS_CLI_V2 and report.skipped and f"not installed at {AWS_CLI_V2}" in str(
            report.longrepr):
        report.outcome = "failed"
        report.longrepr = f"SSOGEN_REQUIRE_AWS_CLI_V2=1, but skipped: {report.longrepr}"
    yield


# --- the oracle: what botocore reads --------------------------------------------------------
def botocore_sections(path: Path) -> dict | None:
    """``botocore.configloader.raw_config_parse`` of ``path``; None when botocore refuses the
    file -- or reads it ambiguously: two headers it maps to one name (``[profile x]`` and
    ``[profile  x]``), where it silently keeps the last. ssogen refuses both kinds (issue 12),
    so this is the oracle the property and corpus tests hold ssogen to."""
    import botocore.configloader
    import botocore.exceptions

    from ssogen.inifile.model import classify

    try:
        parsed = botocore.configloader.raw_config_parse(str(path))
    except botocore.exceptions.ConfigParseError:
        return None
    names = [(*classify(h), h == "default") for h in parsed]
    names = [n for n in names if n[1] is not None]
    return None if len(names) != len(set(names)) else parsed


@pytest.fixture
def acme_ro(sandbox, make_emulator):  # type: ignore[no-untyped-def]
    """(sandbox, emulator): logged in to session ``acme`` (device code, approved at once), with
    a hand-written ``[profile acme-ro]`` for acme-prod / ReadOnlyAccess -- what the
    ``export-credentials`` tests start from."""
    emu = make_emulator(auto_approve_after=0)
    sandbox.use_emulator(emu, profile=("210987654321", "ReadOnlyAccess"))
    assert sandbox.run("login", "--session", "acme", "--no-browser").returncode == 0
    return sandbox, emu
