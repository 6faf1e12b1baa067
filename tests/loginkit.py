"""The login API as the tests call it: the functions of ``ssogen.store.tokens``,
``ssogen.aws.login`` and ``ssogen.app.sessions`` under one name, with the two conveniences a
test wants -- sessions looked up by config *path* (a fresh snapshot each time, as each command
run reads one) and the device-code prompt printed by the terminal reporter (as the CLI does).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ssogen.app import sessions as _sessions
from ssogen.aws import login as _login
from ssogen.errors import NotLoggedInError  # noqa: F401  (tests name it through here)
from ssogen.model.session import SsoSession
from ssogen.store.snapshot import ConfigSnapshot
from ssogen.store.tokens import (  # noqa: F401
    CachedToken,
    Registration,
    Token,
    cache_dir,
    format_time,
    load_registration,
    load_token,
    parse_time,
    registration_path,
    save_token,
    token_path,
)
from ssogen.ui.reporter import TerminalReporter


def session_by_name(config: str | Path, name: str) -> SsoSession:
    return _sessions.session_by_name(ConfigSnapshot.read(config), name)


def session_for_profile(config: str | Path, profile: str) -> SsoSession:
    return _sessions.session_for_profile(ConfigSnapshot.read(config), profile)


def resolve_session(config: str | Path, **kwargs: Any) -> SsoSession:
    return _sessions.resolve_session(ConfigSnapshot.read(config), **kwargs)


def obtain_token(session: SsoSession, **kwargs: Any) -> Token:
    kwargs.setdefault("prompt", TerminalReporter().login_prompt)
    return _login.obtain_token(session, **kwargs)


def get_access_token(session: SsoSession, **kwargs: Any) -> str:
    return obtain_token(session, **kwargs).access_token


# --- PKCE, as a person in a browser does it ----------------------------------------------------
import html as _html  # noqa: E402
import re as _re  # noqa: E402
import subprocess as _subprocess  # noqa: E402
import sys as _sys  # noqa: E402
import threading as _threading  # noqa: E402
import time as _time  # noqa: E402
import urllib.error as _urlerror  # noqa: E402
import urllib.parse as _urlparse  # noqa: E402
import urllib.request as _urlrequest  # noqa: E402

AUTHORIZE_RE = _re.compile(r"^(https?://\S+/authorize\?\S+)$")


class _NoRedirect(_urlrequest.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def http(method: str, url: str, form: dict[str, str] | None = None,
         ) -> tuple[int, dict[str, str], str]:
    """One request as a browser sends it, redirects shown rather than followed."""
    data = _urlparse.urlencode(form).encode() if form is not None else None
    req = _urlrequest.Request(url, data=data, method=method)
    opener = _urlrequest.build_opener(_NoRedirect)
    try:
        with opener.open(req, timeout=15) as resp:
            return resp.status, dict(resp.headers), resp.read().decode()
    except _urlerror.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def consent(authorize_url: str, action: str = "approve") -> str:
    """Open the emulator's consent page and press Allow (or Deny): the redirect's Location
    (the loopback callback with ``code``/``error`` and ``state``)."""
    status, _, page = http("GET", authorize_url)
    assert status == 200, page
    fields = {k: _html.unescape(v) for k, v in _re.findall(
        r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)}
    parts = _urlparse.urlsplit(authorize_url)
    status, headers, page = http("POST", f"{parts.scheme}://{parts.netloc}/authorize",
                                 {**fields, "action": action})
    assert status == 302, page
    return headers["Location"]


class LoginProcess:
    """A command that logs in (``python -m ssogen ARGS``, or ``argv``), its stderr read line
    by line as it comes, so the test can act on the prompt while the command waits
    (``merge``: stdout and stderr as one stream, for a CLI that prompts on stdout).
    Everything read is handed to the suite's secret scan."""

    def __init__(self, sandbox: Any, *args: str, env: dict[str, str] | None = None,
                 argv: list[str] | None = None, merge: bool = False) -> None:
        full_env = dict(sandbox.env)
        full_env.update(env or {})
        self.merge = merge
        self.proc = _subprocess.Popen(
            argv or [_sys.executable, "-m", "ssogen", *args], env=full_env,
            cwd=str(sandbox.home), stdout=_subprocess.PIPE,
            stderr=_subprocess.STDOUT if merge else _subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self._new = _threading.Condition()
        self._reader = _threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        stream = self.proc.stdout if self.merge else self.proc.stderr
        assert stream is not None
        for line in stream:
            with self._new:
                self.lines.append(line.rstrip("\n"))
                self._new.notify_all()
        with self._new:
            self.lines.append("\0EOF")
            self._new.notify_all()

    def expect(self, pattern: str | _re.Pattern[str], timeout: float = 60) -> _re.Match[str]:
        """The first stderr line matching ``pattern`` (waits for it)."""
        rx = _re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = _time.monotonic() + timeout
        seen = 0
        with self._new:
            while True:
                for line in self.lines[seen:]:
                    if line == "\0EOF":
                        raise AssertionError("ended without " + rx.pattern + ":\n"
                                             + "\n".join(self.lines[:-1]))
                    m = rx.search(line)
                    if m:
                        return m
                seen = len(self.lines)
                left = deadline - _time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {rx.pattern!r} within {timeout} s")
                self._new.wait(left)

    def authorize_url(self, timeout: float = 60) -> str:
        return self.expect(AUTHORIZE_RE, timeout).group(1)

    def finish(self, timeout: float = 60) -> tuple[int, str, str]:
        """Exit status, stdout and the whole stderr (the process is killed on timeout)."""
        from conftest import scan_output

        try:
            self.proc.wait(timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
        self._reader.join(10)
        assert self.proc.stdout is not None
        out = "" if self.merge else self.proc.stdout.read()
        err = "\n".join(line for line in self.lines if line != "\0EOF")
        scan_output(out, err)
        return self.proc.returncode, out, err

    def interrupt(self) -> None:
        import signal

        self.proc.send_signal(signal.SIGINT)


def listening_on(port: int) -> list[str]:
    """The local addresses with a TCP socket listening on ``port`` (from /proc/net)."""
    found = []
    for name in ("tcp", "tcp6"):
        try:
            with open(f"/proc/net/{name}") as fh:
                rows = fh.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            local, state = fields[1], fields[3]
            addr, _, hexport = local.partition(":")
            if state == "0A" and int(hexport, 16) == port:
                found.append(addr)
    return found
