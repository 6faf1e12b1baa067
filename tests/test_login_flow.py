"""Which login flow: the rule (pure), the facts gathered from a machine (fake environments and
files), the flags and what --help says about them."""

from __future__ import annotations

import pytest

from ssogen.app import login as app_login
from ssogen.model.login_flow import FLOWS, FlowChoice, MachineFacts, choose_flow

DESKTOP = MachineFacts(display=True)


@pytest.mark.parametrize(("facts", "kwargs", "flow", "reason"), [
    (DESKTOP, {}, "pkce", "a desktop with a browser"),
    (MachineFacts(display=True, ssh=True), {}, "device-code", "no local browser: SSH session"),
    (MachineFacts(display=True, container="/.dockerenv"), {}, "device-code",
     "no local browser: container (/.dockerenv)"),
    (MachineFacts(display=True, wsl=True), {}, "device-code",
     "WSL: the Windows browser may not reach 127.0.0.1 here"),
    (MachineFacts(), {}, "device-code", "no local browser: no display"),
    (DESKTOP, {"no_browser": True}, "device-code", "--no-browser"),
    (DESKTOP, {"legacy": True}, "device-code", "a legacy profile without [sso-session]"),
])
def test_the_default_per_machine(facts: MachineFacts, kwargs: dict[str, bool], flow: str,
                                 reason: str) -> None:
    choice = choose_flow(None, facts, **kwargs)
    assert (choice.flow, choice.reason, choice.explicit) == (flow, reason, False)
    other = "--use-device-code" if flow == "pkce" else "--use-pkce"
    assert choice.note.startswith("ssogen: logging in ")
    if kwargs:  # --no-browser, a legacy profile: the browser flow is no way out, not offered
        assert choice.note == f"ssogen: logging in with a device code ({reason})"
    else:
        assert choice.note.endswith(f"— {other} to use a code instead" if flow == "pkce"
                                    else f"— {other} to use the browser flow")
    assert f"({reason})" in choice.note and "\n" not in choice.note


@pytest.mark.parametrize("flow", FLOWS)
def test_a_flag_wins_and_says_nothing(flow: str) -> None:
    for facts in (DESKTOP, MachineFacts(ssh=True, wsl=True, container="Kubernetes")):
        choice = choose_flow(flow, facts, no_browser=True)
        assert choice == FlowChoice(flow, choice.reason, explicit=True)
        assert choice.note == ""
    with pytest.raises(ValueError):
        choose_flow("implicit", DESKTOP)


def test_app_flows_match_the_model() -> None:
    assert app_login.FLOWS == FLOWS


@pytest.mark.parametrize(("env", "files", "platform", "expected"), [
    ({"DISPLAY": ":0"}, (), "linux", MachineFacts(display=True)),
    ({"WAYLAND_DISPLAY": "wayland-0"}, (), "linux", MachineFacts(display=True)),
    ({}, (), "linux", MachineFacts()),
    ({}, (), "darwin", MachineFacts(display=True)),
    ({}, (), "win32", MachineFacts(display=True)),
    ({"DISPLAY": ":0", "SSH_CONNECTION": "1 2 3 4"}, (), "linux",
     MachineFacts(display=True, ssh=True)),
    ({"SSH_TTY": "/dev/pts/1"}, (), "darwin", MachineFacts(display=True, ssh=True)),
    ({"DISPLAY": ":0"}, ("/.dockerenv",), "linux",
     MachineFacts(display=True, container="/.dockerenv")),
    ({}, ("/run/.containerenv",), "linux", MachineFacts(container="/run/.containerenv")),
    ({"KUBERNETES_SERVICE_HOST": "10.0.0.1"}, (), "linux",
     MachineFacts(container="Kubernetes")),
    ({"WSL_DISTRO_NAME": "Ubuntu", "DISPLAY": ":0"}, (), "linux",
     MachineFacts(wsl=True, display=True)),
])
def test_machine_facts(tmp_path, env: dict[str, str], files: tuple[str, ...], platform: str,  # type: ignore[no-untyped-def]
                       expected: MachineFacts) -> None:
    got = app_login.machine_facts(env, exists=lambda p: p in files, platform=platform,
                                  proc_root=str(tmp_path))
    assert got == expected


def test_wsl_is_recognised_by_the_kernel_string_too(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "sys" / "kernel").mkdir(parents=True)
    (tmp_path / "sys" / "kernel" / "osrelease").write_text("5.15.153.1-microsoft-standard-WSL2")
    facts = app_login.machine_facts({}, exists=lambda p: False, platform="linux",
                                    proc_root=str(tmp_path))
    assert facts.wsl and choose_flow(None, facts).flow == "device-code"


@pytest.fixture
def no_preference():  # type: ignore[no-untyped-def]
    yield
    app_login.prefer(None)  # in-process tests after this one see no flag


def test_flags_are_recorded_for_the_run_and_reset_by_the_next_parser(no_preference) -> None:  # type: ignore[no-untyped-def]
    from ssogen.cli import build_parser

    args = build_parser().parse_args(["sync", "--use-pkce"])
    assert args.login_flow == "pkce" and app_login.preferred() == "pkce"
    assert app_login.choose().flow == "pkce"
    args = build_parser().parse_args(["sync"])
    assert args.login_flow is None and app_login.preferred() is None
    args = build_parser().parse_args(["setup", "--use-device-code", "--yes"])
    assert args.login_flow == "device-code"
    assert app_login.choose(flow="pkce").flow == "pkce"  # an explicit flow wins
    build_parser()
    assert app_login.preferred() is None


def test_help_says_how_pkce_works_on_wsl2(run_ssogen) -> None:  # type: ignore[no-untyped-def]
    proc = run_ssogen("login", "--help")
    text = " ".join(proc.stdout.split())
    assert "--use-pkce" in text and "--use-device-code" in text
    assert "On WSL2 the Windows browser opens, and its redirect reaches ssogen on 127.0.0.1 " \
           "through WSL2's localhost forwarding" in text
    assert "SSOGEN_PKCE_TIMEOUT" in text


@pytest.mark.parametrize("kind", ["pkce", "device-code"])
def test_the_login_prompt_wraps_its_sentences_not_its_url_on_a_terminal(kind: str) -> None:
    """On a 44-column terminal the prompt's sentences wrap at word boundaries (the terminal
    would cut "--use-device-code" in two); the URL and the code stay whole, alone on their
    lines, to copy."""
    import os
    import sys

    pexpect = pytest.importorskip("pexpect")
    url = "http://127.0.0.1:1/authorize?" + "&".join(f"k{i}=v{i}" for i in range(12))
    code = (
        "from ssogen.model.events import LoginPrompt\n"
        "from ssogen.ui.reporter import TerminalReporter\n"
        f"TerminalReporter().login_prompt(LoginPrompt('session acme', {url!r}, "
        f"{'' if kind == 'pkce' else 'ABCD-EFGH'!r}, {url!r}, 0, False, {kind!r}))\n")
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"} | {"NO_COLOR": "1"}
    child = pexpect.spawn(sys.executable, ["-c", code], env=env, dimensions=(24, 44),
                          encoding="utf-8", timeout=30)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    lines = child.before.replace("\r\n", "\n").splitlines()
    assert url in lines and len(url) > 44  # whole, on its own line
    # (the device code's countdown is a status line redrawn in place, cut to the width)
    prose = [line for line in lines if line and line not in (url, "ABCD-EFGH")
             and not line.startswith("Waiting for approval")]
    assert prose and all(len(line) < 44 for line in prose), prose
    text = " ".join(line.strip() for line in prose)
    if kind == "pkce":
        assert "run the command again with --use-device-code." in text
    else:
        assert "ABCD-EFGH" in lines and "open this URL in any browser, on any device:" in text


def test_the_reporters_messages_wrap_on_a_terminal_only() -> None:
    """What the application layer says (TerminalReporter.info/warn: login reasons, waiting
    for the lock, ...) wraps between words on a terminal; in a pipe it is one line."""
    import os
    import subprocess
    import sys

    pexpect = pytest.importorskip("pexpect")
    words = " ".join(f"word{i}" for i in range(30))
    code = ("from ssogen.ui.reporter import TerminalReporter\n"
            f"r = TerminalReporter(); r.info('note: {words}'); r.warn('{words}')\n")
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"} | {"NO_COLOR": "1"}
    piped = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                           text=True, check=True).stderr.splitlines()
    assert piped == [f"note: {words}", f"ssogen: warning: {words}"]
    child = pexpect.spawn(sys.executable, ["-c", code], env=env, dimensions=(24, 60),
                          encoding="utf-8", timeout=30)
    child.expect(pexpect.EOF)
    child.close()
    lines = child.before.replace("\r\n", "\n").splitlines()
    assert len(lines) > 4 and all(len(line) < 60 for line in lines)
    assert lines[0].startswith("note: word0") and lines[1].startswith("    word")
    warned = next(i for i, line in enumerate(lines) if line.startswith("ssogen: warning:"))
    assert " ".join(x.strip() for x in lines[warned:]) == f"ssogen: warning: {words}"
