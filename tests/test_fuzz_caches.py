"""The "no internal error" property over the caches (issue 12): whatever is in the SSO token
file, the client registration or the role-credential cache -- arbitrary bytes, JSON of the
wrong shape, wrong types, absurd dates and numbers, a valid entry with one field mutated -- the
commands that read them end with one of their documented exit codes, never an internal error
(70) or a traceback, and within a time bound (a hang guard, not a speed target).

The runs go through the real entry point (``ssogen.cli.main``) in-process against the built-in
emulator, after one real device-code login gave a valid token to mutate."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ssogen.cli import main

#: what each command may answer when a cache is broken: 0 it worked, 1 doctor's findings,
#: 2 a config or usage problem, 3 a login that failed, 4 not logged in (never a login with
#: --no-login), 5 AWS refused or could not be reached
ALLOWED = {
    ("list", "--no-login", "--json"): {0, 4, 5},
    ("sync", "--no-login", "--check"): {0, 1, 4, 5},
    ("doctor", "--no-login"): {0, 1},
    ("doctor",): {0, 1},
}
#: run as a process: botocore (which export-credentials hands the token to) fixes its cache
#: folder from HOME when it is imported, so in-process it would read this machine's
EXPORT = ("export-credentials", "--profile", "acme-ro", "--format", "json")
TIME_BOUND = 60.0

_date = st.sampled_from([
    "2026-12-01T12:00:00Z", "2099-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "2026-12-01",
    "2026-12-01T12:00:00+01:00", "2026-12-01T12:00:00.123456789Z", "tomorrow", "", "Z",
    "9999-12-31T23:59:59Z", "0000-00-00T00:00:00Z", "2026-13-45T99:99:99Z",
]) | st.text(max_size=30)
_scalar = (st.none() | st.booleans() | st.integers(-10**30, 10**30) | st.floats()
           | st.text(max_size=60) | _date)
_value = st.recursive(_scalar, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=6)
TOKEN_KEYS = ["startUrl", "region", "accessToken", "expiresAt", "clientId", "clientSecret",
              "registrationExpiresAt", "refreshToken"]
REGISTRATION_KEYS = ["clientId", "clientSecret", "expiresAt", "scopes", "grantTypes"]


@st.composite
def mutated(draw: st.DrawFn, valid: bytes, keys: list[str]) -> bytes:
    """``valid`` JSON with keys replaced, dropped or added; or something else entirely."""
    kind = draw(st.sampled_from(["mutate", "mutate", "mutate", "bytes", "json", "truncate"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    if kind == "json":
        return json.dumps(draw(_value), default=str).encode()
    if kind == "truncate":
        return valid[:draw(st.integers(0, max(len(valid) - 1, 0)))]
    data: dict[str, Any] = json.loads(valid)
    for key in draw(st.lists(st.sampled_from(keys), min_size=1, max_size=4, unique=True)):
        action = draw(st.sampled_from(["set", "set", "drop"]))
        if action == "drop":
            data.pop(key, None)
        else:
            data[key] = draw(_value)
    return json.dumps(data, default=str).encode()


@contextlib.contextmanager
def environment(env: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def cli(env: dict[str, str], *args: str) -> tuple[int, str, str, float]:
    out, err = io.StringIO(), io.StringIO()
    started = time.monotonic()
    with environment(env), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue(), time.monotonic() - started


@pytest.fixture
def logged_in(sandbox, make_emulator):  # type: ignore[no-untyped-def]
    emu = make_emulator(auto_approve_after=0)
    sandbox.use_emulator(emu, profile=("210987654321", "ReadOnlyAccess"))
    sandbox.run("login", "--session", "acme", "--no-browser", "--use-device-code", check=True)
    sandbox.run("setup", "--yes", check=True)
    token = sandbox.cache / (hashlib.sha1(b"acme").hexdigest() + ".json")
    registrations = [p for p in sandbox.cache.glob("*.json") if p != token]
    assert token.exists() and len(registrations) == 1
    return sandbox, token, registrations[0]


def check(sandbox: Any, target: Path, content: bytes, valid: dict[Path, bytes]) -> None:
    for path, data in valid.items():
        path.write_bytes(data)
    target.write_bytes(content)
    env = {**sandbox.env, "SSOGEN_NO_PROGRESS": "1"}
    runs = [(args, allowed, *cli(env, *args)) for args, allowed in ALLOWED.items()]
    started = time.monotonic()
    proc = sandbox.run(*EXPORT, timeout=TIME_BOUND)
    runs.append((EXPORT, {0, 4, 5}, proc.returncode, proc.stdout, proc.stderr,
                 time.monotonic() - started))
    for args, allowed, code, _out, err, took in runs:
        assert code in allowed, (args, code, err[-2000:])
        assert "internal error" not in err and "Traceback" not in err, (args, err[-2000:])
        assert took < TIME_BOUND, (args, took)
        for line in err.splitlines():  # one-line errors: never a dump of the cache file
            assert len(line) < 400, line


FUZZ = settings(max_examples=int(os.environ.get("SSOGEN_EXAMPLES", "20")), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("which", ["token", "registration"])
def test_a_broken_cache_file_never_crashes_a_command(logged_in, which: str) -> None:  # type: ignore[no-untyped-def]
    sandbox, token, registration = logged_in
    valid = {token: token.read_bytes(), registration: registration.read_bytes()}
    target, keys = (token, TOKEN_KEYS) if which == "token" else (registration,
                                                                  REGISTRATION_KEYS)

    seen = json.loads(valid[target])

    @FUZZ
    @given(content=mutated(valid[target], keys))
    @example(content=b"")  # botocore's token loader raised KeyError (exit 70 before)
    @example(content=json.dumps({**seen, "expiresAt": None}).encode())  # and TypeError
    def run(content: bytes) -> None:
        check(sandbox, target, content, valid)

    run()


def test_a_broken_role_credential_cache_never_crashes_export(logged_in) -> None:  # type: ignore[no-untyped-def]
    sandbox, token, registration = logged_in
    proc = sandbox.run(*EXPORT)
    assert proc.returncode == 0, proc.stderr
    entries = list((sandbox.aws / "cli" / "cache").glob("[0-9a-f]*.json"))  # not the index
    assert len(entries) == 1
    valid = {token: token.read_bytes(), registration: registration.read_bytes(),
             entries[0]: entries[0].read_bytes()}
    keys = ["ProviderType", "Credentials", "Expiration", "AccessKeyId", "SecretAccessKey",
            "SessionToken"]

    @FUZZ
    @given(content=mutated(valid[entries[0]], keys))
    def run(content: bytes) -> None:
        check(sandbox, entries[0], content, valid)

    run()


def test_a_broken_export_index_never_crashes_nor_misleads_export(logged_in) -> None:  # type: ignore[no-untyped-def]
    """Whatever is in ssogen's export index, export-credentials ends with a documented exit
    code, and when it prints credentials they are the profile's (the valid entry's)."""
    sandbox, token, registration = logged_in
    assert sandbox.run(*EXPORT).returncode == 0
    folder = sandbox.aws / "cli" / "cache"
    entry = next(folder.glob("[0-9a-f]*.json"))
    index = folder / ".ssogen-export-index.json"
    key_id = json.loads(entry.read_text())["Credentials"]["AccessKeyId"]
    valid = {token: token.read_bytes(), registration: registration.read_bytes(),
             entry: entry.read_bytes(), index: index.read_bytes()}
    record = json.loads(valid[index])["configs"][str(sandbox.config)]
    keys = ["version", "ssogen", "configs"]

    @FUZZ
    @given(content=mutated(valid[index], keys) | st.builds(
        lambda profiles: json.dumps({**json.loads(valid[index]), "configs": {
            str(sandbox.config): {**record, "profiles": profiles}}}).encode(),
        st.dictionaries(st.sampled_from(["acme-ro", "other"]),
                        st.sampled_from([entry.name, "f" * 40 + ".json", "../" + entry.name,
                                         str(entry), ""]) | _value, max_size=2)))
    def run(content: bytes) -> None:
        for path, data in valid.items():
            path.write_bytes(data)
        index.write_bytes(content)
        proc = sandbox.run(*EXPORT, timeout=TIME_BOUND)
        assert proc.returncode in {0, 4, 5}, proc.stderr[-2000:]
        assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
        if proc.returncode == 0:
            assert json.loads(proc.stdout)["AccessKeyId"] == key_id

    run()
