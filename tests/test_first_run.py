"""A first run nobody can get wrong, without a terminal: every message names its next step,
per-account regions by flag and through sync, help that fits the terminal, the Makefile's
entry points, and the pure parts of the questions (the list state, the summary)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from conftest import ACME_INVENTORY, REPO

START_URL = "https://acme.awsapps.com/start"


# -- 7: every message has its next step -------------------------------------------------------
@pytest.mark.parametrize(("argv", "line"), [
    (["setpu"], "ssogen: error: unknown command 'setpu'; did you mean `ssogen setup`? "
                "(see `ssogen --help`)"),
    (["setup", "--frobnicate"], "ssogen: error: unknown option --frobnicate "
                                "(see `ssogen setup --help`)"),
    (["setup", "--regoin", "eu-west-1"], "ssogen: error: unknown option --regoin; did you "
                                         "mean --region? (see `ssogen setup --help`)"),
    (["sync", "--dry-runn"], "ssogen: error: unknown option --dry-runn; did you mean "
                             "--dry-run? (see `ssogen sync --help`)"),
    # the dashes every flag shares are not a likeness: no "did you mean --verbose?"
    (["--bogus"], "ssogen: error: unknown option --bogus (see `ssogen --help`)"),
    (["sync", "--bogus"], "ssogen: error: unknown option --bogus (see `ssogen sync --help`)"),
    (["setup", "--output", "jsn"], "ssogen: error: argument --output: invalid choice: 'jsn' "
                                   "(choose from json, yaml, yaml-stream, text, table); did "
                                   "you mean json? (see `ssogen setup --help`)"),
])
def test_mistyped_commands_and_flags_name_the_closest(run_ssogen, argv: list[str],  # type: ignore[no-untyped-def]
                                                      line: str) -> None:
    proc = run_ssogen(*argv)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [line]


@pytest.mark.parametrize("flag", ["--region", "--sso-region", "--account-region"])
def test_region_typos_in_flags_are_exit_2_with_did_you_mean(sandbox, acme_inventory: Path,  # type: ignore[no-untyped-def]
                                                            flag: str) -> None:
    value = "prod=eu-wset-1" if flag == "--account-region" else "eu-wset-1"
    proc = sandbox.run("setup", "--yes", "--inventory", str(acme_inventory), flag, value)
    assert proc.returncode == 2
    first, hint = proc.stderr.splitlines()
    assert first.startswith(f"ssogen: error: {flag} 'eu-wset-1': no such ")
    assert hint.startswith("  hint: did you mean eu-west-1?")
    assert not sandbox.config.exists()


def test_a_config_directory_names_the_file_meant(sandbox) -> None:  # type: ignore[no-untyped-def]
    sandbox.aws.mkdir()
    proc = sandbox.run("--config", str(sandbox.aws), "list")
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"ssogen: error: {sandbox.aws} (--config) is a directory, not a config file",
        f"  hint: point --config (or AWS_CONFIG_FILE) at a file, e.g. {sandbox.aws}/config"]
    sandbox.config.write_text("")
    proc = sandbox.run("sync", env={"AWS_CONFIG_FILE": str(sandbox.aws)})
    assert proc.stderr.splitlines() == [
        f"ssogen: error: {sandbox.aws} (AWS_CONFIG_FILE) is a directory, not a config file",
        f"  hint: did you mean {sandbox.config}? (--config {sandbox.config})"]


def test_sync_says_why_it_logs_in(sandbox, make_emulator) -> None:  # type: ignore[no-untyped-def]
    emu = make_emulator(auto_approve_after=1)  # approved after the prompt is shown
    sandbox.env.update(emu.endpoint_env())
    assert sandbox.run("setup", "--yes", "--no-browser", "--start-url", START_URL,
                       "--sso-region", "eu-west-1").returncode == 0
    token = next(p for p in sandbox.cache.glob("*.json")
                 if "accessToken" in json.loads(p.read_text()))
    data = json.loads(token.read_text())
    data["expiresAt"] = "2020-01-02T14:02:00Z"  # expired, and no refresh token to use
    data.pop("refreshToken", None)
    token.write_text(json.dumps(data))
    proc = sandbox.run("sync", "--no-browser")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    why = next(ln for ln in lines if ln.startswith("ssogen: the login for session acme"))
    assert re.fullmatch(r"ssogen: the login for session acme expired at 2020-01-0\d "
                        r"\d\d:\d\d: logging in again", why)
    assert lines.index(why) < lines.index("To log in, open this URL in any browser, on any "
                                          "device:")
    assert "Waiting for approval (Ctrl-C to cancel)..." in lines  # no countdown in a pipe
    assert "code expires in" not in proc.stderr


def test_login_reasons() -> None:
    from ssogen.app import online
    from ssogen.model.session import SsoSession

    session = SsoSession("acme", START_URL, "eu-west-1")
    assert online.login_reason(session, force=True) == (
        "logging in to session acme again (--force)")
    assert online.login_reason(session) == "no login cached for session acme: logging in"


def test_a_moment_is_shown_with_its_date_unless_it_is_today() -> None:
    """"valid until 00:51" said at 23:51 would read as an hour ago: any other day than
    today (local time) shows its date."""
    import re
    from datetime import datetime, timedelta

    from ssogen.model.clock import shown

    now = datetime.now().astimezone()
    assert re.fullmatch(r"\d\d:\d\d", shown(now))
    assert shown(now) == now.strftime("%H:%M")
    for days in (-3, 1):
        moment = now + timedelta(days=days)
        assert shown(moment) == moment.strftime("%Y-%m-%d %H:%M")
    midnight = now.replace(hour=23, minute=51)
    assert shown(midnight + timedelta(hours=1)) == (midnight + timedelta(hours=1)).strftime(
        "%Y-%m-%d %H:%M")


def test_an_expired_code_in_setup_says_setup_again() -> None:
    from ssogen.app.setup import _setup_again
    from ssogen.errors import LoginError

    err = _setup_again(LoginError("the login code expired before it was approved; run "
                                  "`ssogen login` again"), Path("~/.aws/config"),
                       ("client registration",))
    assert err.message == ("the login code expired before it was approved; run `ssogen setup` "
                           "again")
    assert err.hint == "~/.aws/config is untouched; the client registration stays cached"
    denied = _setup_again(LoginError("the login was denied in the browser"), Path("c"), ())
    assert denied.message.endswith("; run `ssogen setup` again") and denied.exit_code == 3


def test_interrupt_says_exactly_what_was_written(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import time

    from ssogen.store import tokens
    from ssogen.ui.render import interrupted_text

    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setattr(tokens, "cache_dir", lambda: cache)
    config = tmp_path / "config"
    since = time.time() - 1
    assert interrupted_text(config, since) == "nothing was written."
    (cache / "reg.json").write_text(json.dumps({"clientId": "client-x",
                                                "clientSecret": "SECRET-VALUE-1"}))
    text = interrupted_text(config, since)
    assert text == (f"{config} is untouched; a client registration got cached in {cache} "
                    "(the next login reuses it).")
    assert "SECRET" not in text and "client-x" not in text


# -- 8: declining is exit 1, documented --------------------------------------------------------
def test_declined_exit_code_is_documented(run_ssogen) -> None:  # type: ignore[no-untyped-def]
    from ssogen.errors import EXIT_DECLINED

    assert EXIT_DECLINED == 1
    top = " ".join(run_ssogen("--help").stdout.split())
    assert "1 --check found drift (or setup's changes declined at the prompt)" in top
    setup = " ".join(run_ssogen("setup", "--help").stdout.split())
    assert "1 the changes were declined at the prompt (the config is untouched)" in setup


# -- 6: help fits the terminal -----------------------------------------------------------------
@pytest.mark.parametrize("columns", [80, 120])
def test_help_is_wrapped_to_the_terminal(run_ssogen, columns: int) -> None:  # type: ignore[no-untyped-def]
    from ssogen.cli import build_parser

    parser = build_parser()
    commands = next(a.choices for a in parser._actions if isinstance(a.choices, dict))
    for command in ["", *commands]:
        proc = run_ssogen(*([command] if command else []), "--help",
                          env={"COLUMNS": str(columns)})
        wide = [ln for ln in proc.stdout.splitlines() if len(ln) > columns]
        assert not wide, (command, wide)
        assert not any(len(ln) > 100 for ln in proc.stdout.splitlines())


# -- 10: per-account regions -------------------------------------------------------------------
def test_account_region_flag_sync_and_hand_edits(sandbox, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    inv = tmp_path / "acme.json"
    inv.write_text(json.dumps(ACME_INVENTORY))
    proc = sandbox.run("setup", "--yes", "--inventory", str(inv), "--region", "eu-west-1",
                       "--account-region", "222222222222=us-east-1",
                       "--account-region", "AUD*=ap-south-1",
                       "--account-region", "nothing*=sa-east-1")
    assert proc.returncode == 0, proc.stderr
    assert ("--account-region nothing*=sa-east-1: 'nothing*' matches no account" in
            proc.stderr)
    text = sandbox.config.read_text()
    assert ('account_regions = {"222222222222": "us-east-1", "AUD*": "ap-south-1", '
            '"nothing*": "sa-east-1"}') in text

    def region(profile: str) -> str:
        section = re.search(rf"\[profile {re.escape(profile)}\][^\[]*",
                            sandbox.config.read_text())
        assert section, profile
        return re.search(r"^region = (\S+)$", section.group(0), re.M).group(1)  # type: ignore[union-attr]

    assert region("dev-administrator-access") == "us-east-1"  # by id
    assert region("audit-read-only-access") == "ap-south-1"  # a glob on the name
    assert region("prod-administrator-access") == "eu-west-1"  # the default
    # a region edited by hand stays; sync applies the remembered regions to new profiles
    sandbox.config.write_text(sandbox.config.read_text().replace(
        "sso_role_name = ReadOnlyAccess\nregion = ap-south-1",
        "sso_role_name = ReadOnlyAccess\nregion = eu-north-1", 1))
    data = json.loads(inv.read_text())
    data["accounts"][1]["roles"].append("Billing")
    inv.write_text(json.dumps(data))
    sync = sandbox.run("sync", "--inventory", str(inv))
    assert sync.returncode == 0, sync.stderr
    assert region("dev-billing") == "us-east-1"
    assert sandbox.config.read_text().count("region = eu-north-1") == 1
    assert sandbox.run("sync", "--inventory", str(inv), "--check").returncode == 0
    bad = sandbox.run("setup", "--yes", "--inventory", str(inv), "--account-region", "prod")
    assert bad.returncode == 2 and "is not ACCOUNT=REGION" in bad.stderr


# -- 9: the Makefile's entry points ------------------------------------------------------------
def _make_n(target: str, tmp_path: Path) -> str:
    proc = subprocess.run(["make", "-n", "-C", str(REPO), target, f"VENV={tmp_path}/v"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_make_demo_installs_only_the_runtime(tmp_path: Path) -> None:
    demo = _make_n("demo", tmp_path)
    assert "install -e ." in demo and "[test]" not in demo
    assert "ssogen demo --yes" in demo
    test = _make_n("test", tmp_path)
    assert "install -e '.[test]'" in test
    for command in ("ruff check .", "lint-imports", "mypy", "python -m pytest -q"):
        assert command in test


def test_make_install_uses_pipx_or_uv_else_says_how(tmp_path: Path) -> None:
    recipe = _make_n("install", tmp_path)
    assert "pipx install --force ." in recipe and "uv tool install --force ." in recipe
    proc = subprocess.run(["make", "-C", str(REPO), "install"], capture_output=True,
                          text=True, check=False, env={"PATH": "/nonexistent:/usr/bin:/bin"}
                          if not _has("pipx") and not _has("uv") else None)
    if not _has("pipx") and not _has("uv"):
        assert proc.returncode != 0
        assert "sudo apt install pipx" in proc.stderr and "docs.astral.sh/uv" in proc.stderr


def _has(tool: str) -> bool:
    import shutil

    return shutil.which(tool) is not None


# -- the pure parts of the questions -----------------------------------------------------------
def _state(n: int = 40, multi: bool = True):  # type: ignore[no-untyped-def]
    from ssogen.ui.listing import ListState, Row

    rows = [Row(f"{'prod' if i % 3 == 0 else 'dev'}-{i:03d}", i, checked=True, key=str(i))
            for i in range(n)]
    return ListState.of(rows, multi=multi)


def test_list_state_all_none_invert_act_on_what_the_filter_shows() -> None:
    st = _state()
    st.set_filter("prod")
    shown = set(st.visible())
    assert len(shown) == 14
    st.set_all(False)
    assert st.checked == set(range(40)) - shown
    st.invert()
    assert st.checked == set(range(40))
    st.set_filter("")
    st.invert()
    assert st.checked == set()


def test_list_state_no_match_and_exact_hits() -> None:
    st = _state(multi=False)
    st.set_filter("nothing")
    assert st.visible() == [] and st.current() is None  # Enter has nothing to answer
    st.set_filter("17")
    assert st.current() == 17  # the exact key wins over the first row shown


def test_list_state_window_keeps_the_cursor_visible() -> None:
    st = _state(300)
    st.move(250)
    start, end = st.window(10)
    assert start <= st.cursor < end and end - start == 10
    st.home()
    assert st.window(10) == (0, 10)


@pytest.mark.parametrize("cols", [40, 60, 80, 93])
def test_questions_and_answer_lines_wrap_at_word_boundaries(monkeypatch: pytest.MonkeyPatch,
                                                            cols: int) -> None:
    """A long yes/no question handed to questionary.confirm, and an answer line in
    questionary's styles, wrap exactly as :func:`wrap` does (whole words), each character
    keeping its style."""
    from ssogen.ui.picker import _wrap_message
    from ssogen.ui.textfit import styled_wrap, wrap

    monkeypatch.setenv("COLUMNS", str(cols))
    message = ("Migrate 12 legacy profiles for https://acme.awsapps.com/start to "
               "[sso-session acme-platform-team]?")
    for tail in ("(y/N)", "(Y/n)"):
        assert f"? {_wrap_message(message, tail)} {tail}" == wrap(f"? {message} {tail}", cols)
    parts = [("class:qmark", "?"), ("class:question", f" {message} "),
             ("class:answer", "12 of 300 accounts → 40 profiles")]
    out = styled_wrap(parts, cols)
    assert "".join(text for _, text in out) == wrap("".join(t for _, t in parts), cols)
    styled = {kind: " ".join(t for k, t in out if k == kind).split() for kind, _ in parts}
    assert styled == {kind: text.split() for kind, text in parts}  # every word in its style


def test_summary_lines_fit_the_width_and_count_right() -> None:
    from ssogen.app.setup import Change, WriteSummary
    from ssogen.ui.render import summary_lines

    names = tuple(f"account-{i:03d}-administrator-access" for i in range(96))
    summary = WriteSummary("acme", Path("/x/config"), (START_URL, "eu-west-1"),
                           (Change("create", names), Change("adopt", ("mine",))),
                           (("eu-west-1", 92), ("us-east-1", 4)), Path("/x/config.ssogen.bak"))
    lines = summary_lines(summary, 80)
    assert all(len(ln) < 80 for ln in lines)
    text = "\n".join(lines)
    assert re.search(r"create\s+96 profiles  account-000-administrator-access, … \+95 more",
                     text)
    assert re.search(r"adopt\s+1 profile  mine", text)  # singular
    assert "eu-west-1 (92), us-east-1 (4)" in text
    assert "(s)" not in text


def test_countdown_only_on_a_terminal() -> None:
    import io

    from ssogen.ui.progress import Countdown, stop_live

    pipe = io.StringIO()
    assert Countdown(600, stream=pipe).start() is False and pipe.getvalue() == ""

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Tty()
    c = Countdown(600, stream=tty)
    assert c.start() is True
    stop_live()
    out = tty.getvalue()
    assert re.search(r"\rWaiting for approval \(Ctrl-C to cancel\)… code expires in "
                     r"(10:00|9:59)", out)
    assert out.endswith("\rWaiting for approval (Ctrl-C to cancel)...\x1b[K\n")
    assert c.line(now=c.deadline + 1).endswith("the code has expired")


@pytest.mark.parametrize("width", [0, 24, 40, 80])
def test_wrap_command_breaks_between_arguments_and_runs_the_same_in_bash(width: int) -> None:
    """A command line broken to fit runs as the same argv in a real shell; a flag stays with
    its value where both fit a line; no line passes the width unless one argument alone
    does."""
    import shlex
    import shutil
    import subprocess

    from ssogen.ui.textfit import wrap_command

    argv = ["ssogen", "setup", "--start-url", "https://acme.awsapps.com/start",
            "--sso-region", "eu-west-1", "--session", "team a", "--yes", "it's",
            "--no-browser", "x" * 30]
    text = wrap_command(argv, width, prefix="printf '%s\\0' ", indent="  ")
    lines = text.split("\n")
    if width == 0:
        assert len(lines) == 1
    else:
        assert len(lines) > 1
        assert all(line.endswith(" \\") for line in lines[:-1]), lines
        for n, line in enumerate(lines):  # too wide only when one argument alone is
            words = shlex.split(line.removesuffix(" \\"))[2 if n == 0 else 0:]
            assert len(line) < width or len(words) == 1, (line, lines)
        if width >= 40:  # where a flag and its value fit one line, they share it
            assert not any(line.rstrip(" \\").endswith(("--sso-region", "--session"))
                           for line in lines), lines
    bash = shutil.which("bash")
    assert bash is not None
    out = subprocess.run([bash, "-c", text], capture_output=True, text=True, check=True)
    assert out.stdout.split("\0")[:-1] == argv
