"""WSL detection and the browser / clipboard command lines (pure functions, no Windows)."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from ssogen.ui import browser

URL = "https://device.sso.eu-west-1.amazonaws.com/?user_code=ABCD-EFGH&x=1&y='q'"


def fake_proc(tmp_path: Path, osrelease: str | None = None, version: str | None = None,
              interop: bool = False) -> Path:
    root = tmp_path / "proc"
    (root / "sys" / "kernel").mkdir(parents=True)
    if osrelease is not None:
        (root / "sys" / "kernel" / "osrelease").write_text(osrelease)
    if version is not None:
        (root / "version").write_text(version)
    if interop:
        (root / "sys" / "fs" / "binfmt_misc").mkdir(parents=True)
        (root / "sys" / "fs" / "binfmt_misc" / "WSLInterop").write_text("enabled\n")
    return root


@pytest.mark.parametrize(("env", "osrelease", "version", "interop", "expected"), [
    ({}, "6.5.0-35-generic\n", "Linux version 6.5.0-35-generic (gcc)", False, False),
    ({"WSL_DISTRO_NAME": "Ubuntu"}, "6.5.0-generic", None, False, True),
    ({"WSL_INTEROP": "/run/WSL/8_interop"}, None, None, False, True),
    ({}, "5.15.90.1-microsoft-standard-WSL2\n", None, False, True),
    ({}, "4.4.0-19041-Microsoft\n", None, False, True),  # WSL1
    ({}, None, "Linux version 5.15.153.1-microsoft-standard-WSL2 (root@...)", False, True),
    ({}, "6.6.0-custom", "Linux version 6.6.0-custom", True, True),  # custom kernel, interop
    ({}, None, None, False, False),  # no /proc at all (containers, macOS)
    ({"WSL_DISTRO_NAME": ""}, "6.1.0", None, False, False),
])
def test_wsl_detection(tmp_path, env, osrelease, version, interop, expected):
    root = fake_proc(tmp_path, osrelease, version, interop)
    assert browser.is_wsl(env, proc_root=root) is expected


def test_powershell_command_quotes_url_as_a_literal():
    argv = browser.powershell_command("https://x/?a=1&b=it's")
    assert argv[:3] == ["powershell.exe", "-NoProfile", "-Command"]
    assert argv[3] == "Start-Process 'https://x/?a=1&b=it''s'"
    assert len(argv) == 4  # the script is one argument: no shell splitting
    # the quoted string round-trips: strip the outer quotes, undouble the inner ones
    literal = argv[3][len("Start-Process "):]
    assert literal[0] == literal[-1] == "'"
    assert literal[1:-1].replace("''", "'") == "https://x/?a=1&b=it's"


def test_powershell_command_keeps_double_quotes_out_of_the_argument():
    argv = browser.powershell_command('https://x/?q="a b"')
    assert '"' not in argv[3]
    assert "%22a b%22" in argv[3]


def test_cmd_command_escapes_metacharacters():
    argv = browser.cmd_command("https://x/?a=1&b=2|3<4>5^6(7)")
    assert argv[:4] == ["cmd.exe", "/c", "start", ""]  # "" = empty window title
    assert argv[4] == "https://x/?a=1^&b=2^|3^<4^>5^^6^(7^)"
    assert " " not in browser.cmd_escape("https://x/a b")
    # unescaping cmd-style (caret quotes the next char) gives the URL back
    escaped = browser.cmd_escape(URL)
    out, i = [], 0
    while i < len(escaped):
        if escaped[i] == "^":
            i += 1
        out.append(escaped[i])
        i += 1
    assert "".join(out) == URL


def test_wsl_order_prefers_wslview_then_powershell_then_cmd():
    available = {"wslview": "/usr/bin/wslview", "powershell.exe": "/mnt/c/ps/powershell.exe",
                 "cmd.exe": "/mnt/c/Windows/System32/cmd.exe"}

    def which_of(names):
        return lambda n: available[n] if n in names else None

    no_files = lambda p: False  # noqa: E731
    assert browser.wsl_open_command(URL, {}, which_of({"wslview", "powershell.exe"}),
                                    no_files) == ["/usr/bin/wslview", URL]
    ps = browser.wsl_open_command(URL, {}, which_of({"powershell.exe", "cmd.exe"}), no_files)
    assert ps is not None and ps[0].endswith("powershell.exe") and ps[1] == "-NoProfile"
    cmd = browser.wsl_open_command(URL, {}, which_of({"cmd.exe"}), no_files)
    assert cmd is not None and cmd[0].endswith("cmd.exe") and cmd[-1] == browser.cmd_escape(URL)
    assert browser.wsl_open_command(URL, {}, which_of(set()), no_files) is None


def test_windows_exe_found_under_mnt_c_when_not_on_path():
    exe = browser.find_windows_exe(
        "powershell.exe", which=lambda n: None,
        exists=lambda p: p == "/mnt/c/Windows/System32/WindowsPowerShell/v1.0/powershell.exe")
    assert exe == "/mnt/c/Windows/System32/WindowsPowerShell/v1.0/powershell.exe"


@pytest.mark.parametrize(("env", "wsl", "platform", "expected"), [
    ({"BROWSER": "firefox"}, True, "linux", "webbrowser"),  # BROWSER always wins
    ({"BROWSER": "w3m"}, False, "linux", "webbrowser"),
    ({}, True, "linux", "wslview"),  # WSL: the Windows browser, display or not
    ({"DISPLAY": ":0"}, False, "linux", "webbrowser"),
    ({"WAYLAND_DISPLAY": "wayland-0"}, False, "linux", "webbrowser"),
    ({"TERM": "xterm"}, False, "linux", None),  # no display: no console browser
    ({}, False, "darwin", "webbrowser"),
])
def test_plan_open(env, wsl, platform, expected):
    plan = browser.plan_open(URL, environ=env, wsl=wsl, platform=platform,
                             which=lambda n: "/usr/bin/wslview" if n == "wslview" else None,
                             exists=lambda p: False)
    if expected == "wslview":
        assert plan == ["/usr/bin/wslview", URL]
    else:
        assert plan == expected


def test_wsl_without_any_windows_launcher_falls_back_to_display_rule():
    kw = {"wsl": True, "platform": "linux", "which": lambda n: None, "exists": lambda p: False}
    assert browser.plan_open(URL, environ={}, **kw) is None
    assert browser.plan_open(URL, environ={"DISPLAY": ":0"}, **kw) == "webbrowser"  # WSLg


def test_clipboard_only_on_wsl_with_clip_exe():
    which = lambda n: "/mnt/c/Windows/System32/clip.exe" if n == "clip.exe" else None  # noqa: E731
    assert browser.clipboard_command({}, wsl=False, which=which) is None
    assert browser.clipboard_command({}, wsl=True, which=which) == [
        "/mnt/c/Windows/System32/clip.exe"]
    assert browser.clipboard_command({}, wsl=True, which=lambda n: None,
                                     exists=lambda p: False) is None


def test_copy_to_clipboard_sends_the_code_without_newline(tmp_path, monkeypatch):
    """A fake clip.exe on PATH records its stdin byte for byte."""
    out = tmp_path / "clipboard.bin"
    fake = tmp_path / "bin" / "clip.exe"
    fake.parent.mkdir()
    fake.write_text(f"#!/bin/sh\ncat > {shlex.quote(str(out))}\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:/usr/bin:/bin")
    monkeypatch.setenv("WSL_DISTRO_NAME", "Ubuntu")
    assert browser.copy_to_clipboard("ABCD-EFGH") is True
    assert out.read_bytes() == b"ABCD-EFGH"
    assert browser.copy_to_clipboard("ÄBCD-EFGH") is False  # non-ASCII is never sent


def test_open_url_runs_the_wsl_launcher(tmp_path, monkeypatch):
    """On WSL with a (fake) wslview, open_url launches it with the URL as one argument."""
    out = tmp_path / "argv.txt"
    fake = tmp_path / "bin" / "wslview"
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {shlex.quote(str(out))}\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:/usr/bin:/bin")
    monkeypatch.setenv("WSL_INTEROP", "/run/WSL/1_interop")
    assert browser.open_url(URL) is True
    import time

    for _ in range(100):
        if out.exists() and out.read_text():
            break
        time.sleep(0.02)
    assert out.read_text() == URL + "\n"


def test_open_url_without_display_or_wsl_does_nothing(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr("sys.platform", "linux")
    if browser.is_wsl():
        pytest.skip("running inside WSL")
    assert browser.open_url(URL) is False


def test_powershell_command_doubles_every_powershell_quote() -> None:
    """Issue 12 finding 5: PowerShell ends a single-quoted string at ' and at the typographic
    quotes U+2018..U+201B; a hostile verification URL must not break out of the string."""
    for quote in browser.POWERSHELL_QUOTES:
        url = f"https://x/a{quote}; Remove-Item -Recurse C:\\ ;{quote}b"
        script = browser.powershell_command(url)[3]
        assert script.startswith("Start-Process '") and script.endswith("'")
        body = script[len("Start-Process '"):-1]
        # inside the string every quote character comes doubled: none ends the string
        i = 0
        while i < len(body):
            if body[i] in browser.POWERSHELL_QUOTES:
                assert body[i + 1] == body[i], script
                i += 2
            else:
                i += 1
    assert "\x1b" not in browser.powershell_command("https://x/\x1b[2J")[3]


def test_a_console_browser_is_never_started_unless_browser_names_it(tmp_path, monkeypatch):
    """With a display but a failing or missing graphical browser, Python's webbrowser falls
    back to lynx or w3m, which would take over the terminal and show the URL in it. A fake
    lynx on PATH records whether it ran."""
    ran = tmp_path / "ran"
    fake = tmp_path / "bin" / "lynx"
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\necho "$@" > {shlex.quote(str(ran))}\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(fake.parent))
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("BROWSER", raising=False)
    monkeypatch.delenv("WSL_INTEROP", raising=False)
    monkeypatch.delenv("WSL_DISTRO_NAME", raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    if browser.is_wsl():
        pytest.skip("running inside WSL")
    import webbrowser

    monkeypatch.setattr(webbrowser, "_browsers", {})
    monkeypatch.setattr(webbrowser, "_tryorder", None)
    assert browser.open_url(URL) is False
    assert not ran.exists()
    # named by BROWSER, the person asked for it
    monkeypatch.setenv("BROWSER", "lynx")
    monkeypatch.setattr(webbrowser, "_browsers", {})
    monkeypatch.setattr(webbrowser, "_tryorder", None)
    assert browser.open_url(URL) is True
    import time

    for _ in range(200):
        if ran.exists():
            break
        time.sleep(0.02)
    assert ran.read_text().strip() == URL
