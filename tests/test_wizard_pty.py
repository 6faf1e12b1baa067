"""The setup wizard through a real pseudo-terminal against the emulator (or a saved
inventory), rendered with pyte, at 80×24 and 120×40: what a person sees and types.

The first half is the issue "a first run nobody can get wrong", finding by finding (a typo is
typed, the screen checked); the second half the flows the wizard always had (reuse, custom
template, adoption, legacy migration, Ctrl-C)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

pytest.importorskip("pexpect")
pytest.importorskip("pyte")

from ptyscreen import (
    BACKSPACE,
    CTRL_A,
    CTRL_C,
    CTRL_N,
    CTRL_U,
    DOWN,
    ENTER,
    SPACE,
    TAB,
    PtyScreen,
)

pytestmark = [pytest.mark.pty, pytest.mark.slow]

START_URL = "https://acme.awsapps.com/start"
SIZES = [pytest.param((24, 80), id="80x24"), pytest.param((40, 120), id="120x40")]


@pytest.fixture(params=SIZES)
def size(request: pytest.FixtureRequest) -> tuple[int, int]:
    return request.param  # type: ignore[no-any-return]


def spawn(sandbox, *args: str, size: tuple[int, int] = (40, 120), tmp: Path,  # type: ignore[no-untyped-def]
          env: dict[str, str] | None = None, command: str = "setup") -> PtyScreen:
    full = dict(sandbox.env)
    full.pop("PAGER", None)
    full.update({"NO_COLOR": "1", "LESS": ""})
    full.update(env or {})
    argv = [sys.executable, "-m", "ssogen", *([command] if command else []), *args]
    return PtyScreen(argv, env=full, cwd=sandbox.home, rows=size[0], cols=size[1],
                     log=tmp / "pty.log")


def inventory_file(tmp_path: Path, org=None, name: str = "inventory.json") -> Path:  # type: ignore[no-untyped-def]
    from ssogen.emulator import Organization
    from ssogen.model.inventory import Account, Inventory
    from ssogen.store.inventories import save_inventory

    org = org or Organization.sample()
    inv = Inventory("acme", START_URL, "eu-west-1",
                    [Account(a.id, a.name, a.email, list(a.roles)) for a in org.accounts()])
    path = tmp_path / name
    save_inventory(inv, path)
    return path


def answer_profiles(s: PtyScreen, *, region_step: bool = True) -> None:
    """The default answers: template, roles, accounts, region, output, per-account region."""
    for question in ("How should the profiles be named", "Which roles, in every account",
                     "Which accounts", "Default region for the profiles",
                     "Default output format"):
        s.wait(re.escape(question))
        s.send(ENTER)
    if region_step:
        s.wait(r"Different region for some accounts\? \(y/N\)")
        s.send(ENTER)


def answer_line(s: PtyScreen, question: str) -> str:
    """The answer line a question left (from the scrollback or the screen)."""
    lines = [ln for ln in s.everything if ln.startswith(f"? {question}")]
    assert lines, f"no answer line for {question!r}\n{s.dump()}"
    return lines[-1][len(question) + 2:].strip()


def words_intact(s: PtyScreen, sentence: str) -> None:
    """Every word of ``sentence`` is whole on one line of the screen: wrapped at word
    boundaries, never mid-word."""
    tokens = {t for line in s.everything for t in line.split()}
    broken = [w for w in sentence.split() if w not in tokens]
    assert not broken, f"broken words {broken}\n{s.dump()}"


# =============================================================================================
# the issue, finding by finding
# =============================================================================================
def test_1_sso_region_typo_is_refused_not_replaced(sandbox, tmp_path: Path, size,  # type: ignore[no-untyped-def]
                                                   ) -> None:
    """``eu-wset-1`` matches nothing: the closest region is offered, Enter refuses (never
    af-south-1), Tab takes the suggestion; an unlisted well-formed name needs a y."""
    s = spawn(sandbox, "--start-url", "acme", tmp=tmp_path, size=size)
    s.wait(r"\? IAM Identity Center \(SSO\) region:")
    s.type("eu-wset-1")
    s.wait(r"nothing matches 'eu-wset-1'")
    s.wait(r"closest: eu-west-1")
    s.send(ENTER)
    s.wait(r"eu-wset-1 is not in botocore [\d.]+'s list of IAM Identity Center regions")
    s.wait_words("IAM Identity Center regions (did you mean eu-west-1?). Take eu-wset-1 as "
                 "typed? y = yes, any other key = no")
    s.send("n")  # not taken as typed: back to the list, the question still open
    s.wait(r"closest: eu-west-1")
    assert "Tab completes" in s.text and "Name of the" not in s.text  # still asking
    s.send(TAB)
    s.wait(r"» eu-west-1\s+Europe \(Ireland\)")
    s.send(ENTER)
    s.wait(r"Name of the \[sso-session\]")
    assert answer_line(s, "IAM Identity Center (SSO) region:") == "eu-west-1  Europe (Ireland)"
    s.send(CTRL_C)
    assert s.finish() == 130
    assert "af-south-1" not in "\n".join(s.everything)
    assert not sandbox.config.exists()


def test_1_unlisted_region_only_after_a_y(sandbox, tmp_path: Path, size) -> None:  # type: ignore[no-untyped-def]
    s = spawn(sandbox, "--start-url", "acme", tmp=tmp_path, size=size)
    s.wait(r"\? IAM Identity Center \(SSO\) region:")
    s.type("xx-newland-1")
    s.send(ENTER)
    s.wait_words("Take xx-newland-1 as typed? y = yes")
    s.send("y")
    s.wait(r"Name of the \[sso-session\]")
    assert answer_line(s, "IAM Identity Center (SSO) region:") == (
        "xx-newland-1 (as typed: not in the list)")
    s.send(CTRL_C)
    assert s.finish() == 130


def test_2_profile_region_is_validated_too(sandbox, tmp_path: Path, size) -> None:  # type: ignore[no-untyped-def]
    s = spawn(sandbox, "--inventory", str(inventory_file(tmp_path)), tmp=tmp_path, size=size)
    for question in ("How should the profiles be named", "Which roles", "Which accounts"):
        s.wait(question)
        s.send(ENTER)
    s.wait(r"\? Default region for the profiles:")
    s.type("eu-wset-1")
    s.wait(r"closest: eu-west-1")
    s.send(ENTER)
    s.wait(r"eu-wset-1 is not in botocore [\d.]+'s list of AWS regions")
    s.send("n", TAB)
    s.wait(r"» eu-west-1")
    s.send(ENTER)
    s.wait("Default output format")
    assert answer_line(s, "Default region for the profiles:") == "eu-west-1  Europe (Ireland)"
    s.send(ENTER)
    s.wait("Different region for some accounts")
    s.send(ENTER)
    s.wait(r"Write these changes to ~/\.aws/config\?")
    s.send("y")
    assert s.finish() == 0
    text = sandbox.config.read_text()
    assert "region = eu-west-1" in text and "eu-wset-1" not in text


def test_3_summary_and_warnings_fit_one_screen_diff_on_request(sandbox, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                               size) -> None:
    """40 accounts, an --include that matches nothing (warned before the questions) and a
    hand-written profile holding a generated name (warned by the plan): the summary, both
    warnings and the question are on one screen; the diff is nowhere until d asks for it."""
    from ssogen.emulator import Organization
    from ssogen.model.settings import Settings
    from ssogen.planning.naming import preview_names
    from ssogen.store.inventories import load_inventory

    org = Organization.generate(40)
    inv = inventory_file(tmp_path, org)
    taken = preview_names(Settings("acme", START_URL, "eu-west-1"), load_inventory(inv))[0][2]
    sandbox.aws.mkdir()
    sandbox.config.write_text(f"[profile {taken}]\nregion = us-east-1\n")
    s = spawn(sandbox, "--inventory", str(inv), "--include", "nomatch*", "--include", "*",
              tmp=tmp_path, size=size)
    for question in ("How should the profiles be named", "Default region",
                     "Default output format", "Different region for some accounts"):
        s.wait(question)
        s.send(ENTER)
    m = s.wait(r"^\? Write these changes to ~/\.aws/config\? \(Y\)es, \(n\)o, \(d\) view diff")
    screen = s.text
    top = screen.index("Changes to ~/.aws/config (session acme):")
    block = screen[top:m.end()].splitlines()
    assert len(block) <= size[0]  # the whole summary, the warnings and the question
    joined = " ".join(ln.strip() for ln in block)
    assert re.search(r"create\s+8\d profiles", joined)
    assert "--include 'nomatch*' matches no account or role" in joined
    assert f"profile name '{taken}' is taken by" in joined
    assert "the current file is kept as ~/.aws/config.ssogen.bak" in joined
    assert not any(ln.startswith("+[profile") for ln in s.everything)  # no diff dumped
    s.send("d")  # the diff, through less -R
    s.wait(r"^\+\[profile ")
    s.send("q")
    s.wait(r"^\? Write these changes to ~/\.aws/config\? \(Y\)es")
    s.send("y")
    assert s.finish() == 0
    assert sandbox.config.read_text().count("[profile ") > 80


def test_4_pasted_url_reuses_the_session_countdown_and_honest_interrupt(  # type: ignore[no-untyped-def]
        sandbox, make_emulator, tmp_path: Path, size) -> None:
    """The address-bar form of an existing session's URL (another host case, ``/#/``) is that
    session: reused, no new session acme-2. While the code waits, a countdown runs in place;
    Ctrl-C then says what was written (the client registration), not "nothing"."""
    emu = make_emulator()  # nobody approves
    sandbox.use_emulator(emu)
    original = sandbox.config.read_text()
    s = spawn(sandbox, "--no-browser", tmp=tmp_path, size=size)
    s.wait("Which IAM Identity Center do you want to use")
    s.send(DOWN, ENTER)  # "Create a new [sso-session] (enter a start URL)"
    s.wait(r"AWS access portal \(start\) URL:")
    s.type("https://ACME.awsapps.com/start/#/")
    s.wait_words("→ https://acme.awsapps.com/start (the start URL of [sso-session acme]: "
                 "reused)")
    s.send(ENTER)
    s.wait_words("is the start URL of an existing session: reusing [sso-session acme]")
    s.wait(r"no login cached for session acme: logging in")
    first = s.wait(r"Waiting for approval \(Ctrl-C to cancel\)… code expires in (\d+:\d\d)")
    s.wait(rf"code expires in (?!{first.group(1)})\d+:\d\d", timeout=5)  # counting down
    assert sum("code expires in" in ln for ln in s.everything) == 1  # redrawn in place
    assert not any("Name of the [sso-session]" in ln for ln in s.everything)
    s.send(CTRL_C)
    s.wait_words("interrupted; ~/.aws/config is untouched; a client registration got cached "
                 "in ~/.aws/sso/cache (the next login reuses it).")
    assert s.finish() == 130
    assert sandbox.config.read_text() == original  # no acme-2


def test_4_short_forms_show_the_url_used(sandbox, tmp_path: Path, size) -> None:  # type: ignore[no-untyped-def]
    s = spawn(sandbox, tmp=tmp_path, size=size)
    s.wait(r"AWS access portal \(start\) URL:")
    s.type("acme.awsapps.com/start")
    s.wait(r"→ https://acme\.awsapps\.com/start")
    s.send(CTRL_U)
    s.type("http://acme.awsapps.com/start")
    s.wait(r"✗ start URL 'http://acme\.awsapps\.com/start' must use https://")
    s.send(CTRL_U)
    s.type("acme")
    s.send(ENTER)
    s.wait(r"IAM Identity Center \(SSO\) region")
    assert answer_line(s, "AWS access portal (start) URL:") == START_URL
    s.send(CTRL_C)
    assert s.finish() == 130


def test_5_6_picker_at_300_accounts_without_residue(sandbox, tmp_path: Path, size) -> None:  # type: ignore[no-untyped-def]
    """Roles for every account (a separate question that says so), accounts with aligned
    ids and profile counts, all/none scoped to the filter, the filter on the question line,
    "N profiles" in the answer -- and no list left in the scrollback."""
    from ssogen.emulator import Organization

    org = Organization.generate(300)
    prod = [a for a in org.accounts() if "-prod-" in a.name]
    s = spawn(sandbox, "--inventory", str(inventory_file(tmp_path, org)), tmp=tmp_path,
              size=size)
    s.wait("How should the profiles be named")
    s.send(ENTER)
    s.wait(r"^\? Which roles, in every account\?")
    s.wait("a role left unchecked gets no profile in any of the 300 accounts")
    s.wait(r"\[x\] AdministratorAccess\s+in \d+ accounts")
    s.type("billing")
    s.send(SPACE, CTRL_U)
    s.wait(r"→ 9 of 10 roles → \d+ profiles")
    s.send(ENTER)
    s.wait(r"^\? Which accounts\?")
    rows = [ln for ln in s.lines if re.match(r"^[» ] \[[x ]\] ", ln)]
    assert 3 <= len(rows) <= size[0] - 5
    ids = [re.search(r"\b\d{12}\b", ln) for ln in rows]
    assert all(ids) and len({m.start() for m in ids if m}) == 1  # one id column
    s.type("prod")
    s.wait(rf"^\? Which accounts\? prod  \({len(prod)} of 300 shown; ctrl-a/n/t act on these\)")
    s.send(CTRL_N, CTRL_U)  # none -- of the prod accounts only
    m = s.wait(rf"→ {300 - len(prod)} of 300 accounts → (\d+) profiles")
    s.send(ENTER)
    s.wait("Default region for the profiles")
    assert answer_line(s, "Which accounts?") == (
        f"{300 - len(prod)} of 300 accounts → {m.group(1)} profiles")
    s.send(ENTER)
    s.wait("Default output format")
    s.send(ENTER)
    s.wait("Different region for some accounts")
    s.send(ENTER)
    s.wait(r"Write these changes")
    # screen hygiene: nothing of the lists is left, on the screen or in the scrollback
    everything = s.everything
    assert not [ln for ln in everything if re.match(r"^[» ] \[[x ]\] ", ln)]
    assert not [ln for ln in everything if "Asia Pacific (Tokyo)" in ln]
    assert not [ln for ln in everything if len(ln) > size[1]]
    s.send("y")
    assert s.finish() == 0
    text = sandbox.config.read_text()
    assert text.count("[profile ") == int(m.group(1))
    assert "sso_role_name = Billing" not in text
    assert not any(f"sso_account_id = {a.id}" in text for a in prod)


def test_6_8_decline_exits_1_saying_what_was_written(sandbox, make_emulator,  # type: ignore[no-untyped-def]
                                                     tmp_path: Path, size) -> None:
    emu = make_emulator(auto_approve_after=1)
    s = spawn(sandbox, "--start-url", "acme", "--sso-region", "eu-west-1", "--session", "acme",
              "--no-browser", tmp=tmp_path, size=size, env=emu.endpoint_env())
    s.wait("found 6 accounts, 16 roles")
    answer_profiles(s)
    s.wait(r"Write these changes to ~/\.aws/config\?")
    s.send("n")
    assert s.finish() == 1  # declined: documented exit code 1
    said = ("ssogen: answered no: ~/.aws/config is untouched; the login and the client "
            "registration for session acme stay cached in ~/.aws/sso/cache, so the next run "
            "needs no new login")
    words_intact(s, said)  # wrapped at word boundaries
    assert " ".join(s.text.split()).count(said) == 1
    s.wait(r"next: ssogen setup, when you want these changes written")
    assert not sandbox.config.exists()


def test_8_migration_defaults_to_no(sandbox, tmp_path: Path, size) -> None:  # type: ignore[no-untyped-def]
    sandbox.aws.mkdir()
    legacy = (f"[profile old-ro]\nsso_start_url = {START_URL}\nsso_region = eu-west-1\n"
              "sso_account_id = 210987654321\nsso_role_name = ReadOnlyAccess\n")
    sandbox.config.write_text(legacy)
    s = spawn(sandbox, "--inventory", str(inventory_file(tmp_path)), tmp=tmp_path, size=size)
    answer_profiles(s)
    s.wait_words("Migrate 1 legacy profile for https://acme.awsapps.com/start to "
                 "[sso-session acme]? (y/N)")
    s.send(ENTER)
    s.wait(r"Write these changes")
    assert not any(re.match(r"^  migrate\s+\d", ln) for ln in s.lines)  # not in the summary
    s.send("y")
    assert s.finish() == 0
    assert sandbox.config.read_text().startswith(legacy)


def test_10_per_account_regions(sandbox, tmp_path: Path, size) -> None:  # type: ignore[no-untyped-def]
    inv = inventory_file(tmp_path)
    s = spawn(sandbox, "--inventory", str(inv), tmp=tmp_path, size=size)
    answer_profiles(s, region_step=False)
    s.wait(r"Different region for some accounts\? \(y/N\)")
    s.send("y")
    s.wait(r"^\? Which accounts get another region\?")
    s.type("prod")
    s.send(CTRL_A)
    s.wait(r"→ 1 account$")
    s.send(ENTER)
    s.wait(r"^\? Region for 1 account:")
    s.type("us-east-1")
    s.send(ENTER)
    s.wait(r"Another region for other accounts\? \(y/N\)")
    s.send(ENTER)
    s.wait(r"region\s+eu-west-1 \(12\), us-east-1 \(4\)")
    s.send("y")
    assert s.finish() == 0
    text = sandbox.config.read_text()
    assert 'account_regions = {"210987654321": "us-east-1"}' in text
    prod = re.search(r"\[profile acme-prod-read-only-access\][^\[]*", text)
    assert prod and "region = us-east-1" in prod.group(0)
    assert sandbox.run("sync", "--inventory", str(inv), "--check").returncode == 0


# -- 7: every message has its next step, on a terminal too (hints wrapped, words whole) ---------
MESSAGES = [
    (["setpu"], "unknown command 'setpu'; did you mean `ssogen setup`?"),
    (["setup", "--frobnicate"], "unknown option --frobnicate (see `ssogen setup --help`)"),
    (["setup", "--yes", "--start-url", "acme", "--sso-region", "eu-wset-1"],
     "did you mean eu-west-1?"),
    (["setup", "--yes", "--inventory", "{inv}", "--region", "eu-wset-1"],
     "did you mean eu-west-1?"),
    (["--config", "{dir}", "sync"], "did you mean {dir}/config? (--config {dir}/config)"),
]


@pytest.mark.parametrize(("argv", "step"), MESSAGES, ids=["command", "flag", "sso-region",
                                                           "region", "config-dir"])
def test_7_messages_name_the_next_step(sandbox, tmp_path: Path, size, argv: list[str],  # type: ignore[no-untyped-def]
                                       step: str) -> None:
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="cfg", dir="/tmp")) / "aws"  # short: fits a line
    folder.mkdir()
    (folder / "config").write_text("")
    try:
        fill = {"inv": str(inventory_file(tmp_path)), "dir": str(folder)}
        argv = [a.format(**fill) for a in argv]
        s = spawn(sandbox, *argv, tmp=tmp_path, size=size, command="")
        assert s.finish() == 2
        words_intact(s, step.format(**fill))
        assert "Traceback" not in "\n".join(s.everything)
    finally:
        import shutil

        shutil.rmtree(folder.parent, ignore_errors=True)


def test_7_expired_code_in_a_first_setup_says_setup_again(sandbox, make_emulator,  # type: ignore[no-untyped-def]
                                                          tmp_path: Path, size) -> None:
    emu = make_emulator(expires_in=2)  # nobody approves; the code expires
    s = spawn(sandbox, "--yes", "--start-url", "acme", "--sso-region", "eu-west-1",
              "--no-browser", tmp=tmp_path, size=size, env=emu.endpoint_env())
    assert s.finish() == 3
    screen = " ".join(" ".join(s.everything).split())
    assert "the login code expired before it was approved; run `ssogen setup` again" in screen
    assert "`ssogen login`" not in screen
    assert f"{sandbox.config} is untouched" in screen or "is untouched" in screen


# =============================================================================================
# the flows the wizard always had
# =============================================================================================
def test_first_time_setup(sandbox, make_emulator, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    emu = make_emulator(auto_approve_after=1)
    s = spawn(sandbox, "--no-browser", tmp=tmp_path, env=emu.endpoint_env())
    s.wait(r"AWS access portal \(start\) URL")
    s.type("http://acme.awsapps.com/start")
    s.send(ENTER)
    s.wait("must use https://")  # refused; the question stays open
    s.send(CTRL_U)
    s.type(START_URL)
    s.send(ENTER)
    s.wait(r"IAM Identity Center \(SSO\) region")
    s.type("eu-west-1")
    s.send(ENTER)
    s.wait(r"Name of the \[sso-session\]")
    s.send(CTRL_U)
    s.type("my team")
    s.send(ENTER)
    s.wait("contains spaces")
    s.send(CTRL_U)
    s.type("acme")
    s.send(ENTER)
    s.wait("enter the code")
    s.wait("found 6 accounts, 16 roles")
    s.wait("acme-prod-administrator-access")  # live preview from the real inventory
    answer_profiles(s)
    s.wait(r"create\s+16 profiles")
    s.send("y")
    s.wait(r"next: aws s3 ls --profile acme-prod-read-only-access")
    assert s.finish() == 0
    text = sandbox.config.read_text()
    assert text.count("[profile ") == 16
    assert "sso_start_url = https://acme.awsapps.com/start" in text
    assert sandbox.run("sync", "--check", env=emu.endpoint_env()).returncode == 0


def test_reuse_existing_session_custom_template(sandbox, make_emulator, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                ) -> None:
    emu = make_emulator(auto_approve_after=0)
    sandbox.aws.mkdir()
    original = (f"# mine\n[sso-session corp]\nsso_start_url = {START_URL}\n"
                "sso_region = eu-west-1\n\n[profile hand]\nregion = us-east-1\n")
    sandbox.config.write_text(original)
    s = spawn(sandbox, tmp=tmp_path, env=emu.endpoint_env())
    s.wait(r"Reuse \[sso-session corp\]")
    s.send(ENTER)
    s.wait("How should the profiles be named")
    s.send(*([DOWN] * 7), ENTER)  # the last entry: a custom template
    s.wait("Template:")
    s.send(CTRL_U)
    s.type("{{ account_id }}.{{ role | snake }}")
    s.wait("210987654321.administrator_access")  # the live preview
    s.send(ENTER)
    for question in ("Which roles", "Which accounts"):
        s.wait(question)
        s.send(ENTER)
    s.wait("Default region for the profiles")
    s.type("us-east-2")
    s.send(ENTER)
    s.wait("Default output format")
    s.send(DOWN, ENTER)  # yaml
    s.wait("Different region")
    s.send(ENTER)
    s.wait("Write these changes")
    s.send("y")
    assert s.finish() == 0
    text = sandbox.config.read_text()
    head, hand = original.split("\n\n")
    assert text.startswith(head + "\n")  # the hand-written session is reused, untouched
    assert text.endswith("\n" + hand)
    assert text.count("[sso-session") == 1
    assert "[profile 210987654321.administrator_access]" in text
    assert "region = us-east-2" in text and "output = yaml" in text


def test_deselect_account_and_role(sandbox, make_emulator, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    emu = make_emulator(auto_approve_after=0)
    s = spawn(sandbox, "--start-url", START_URL, "--sso-region", "eu-west-1", "--session",
              "acme", tmp=tmp_path, env=emu.endpoint_env())
    s.wait("How should the profiles be named")
    s.send(ENTER)
    s.wait("Which roles")
    s.type("viewonly")
    s.send(SPACE, *([BACKSPACE] * len("viewonly")))
    s.send(ENTER)
    s.wait("Which accounts")
    s.type("sandbox")  # only sandbox-alice is left
    s.send(SPACE, CTRL_U, ENTER)
    for question in ("Default region", "Default output", "Different region"):
        s.wait(question)
        s.send(ENTER)
    s.wait(r"create\s+14 profiles")
    s.send("y")
    assert s.finish() == 0
    text = sandbox.config.read_text()
    assert "sso_account_id = 789012345678" not in text
    assert "sso_role_name = ViewOnlyAccess" not in text
    assert text.count("[profile ") == 14
    assert 'exclude = ["789012345678", "ViewOnlyAccess"]' in text
    assert sandbox.run("sync", "--check", env=emu.endpoint_env()).returncode == 0


def test_no_at_confirm_leaves_file_identical(sandbox, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sandbox.aws.mkdir()
    original = b"[default]\r\nregion = eu-west-1\r\n# trailing comment, no newline"
    sandbox.config.write_bytes(original)
    s = spawn(sandbox, "--inventory", str(inventory_file(tmp_path)), tmp=tmp_path)
    answer_profiles(s)
    s.wait("Write these changes")
    s.send("n")
    s.wait(r"answered no: ~/\.aws/config is untouched")
    assert s.finish() == 1
    assert sandbox.config.read_bytes() == original
    assert not list(sandbox.aws.glob("config.ssogen.bak"))


def test_ctrl_c_at_a_question(sandbox, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sandbox.aws.mkdir()
    sandbox.config.write_text("[default]\nregion = eu-west-1\n")
    before = sandbox.config.read_bytes()
    s = spawn(sandbox, "--inventory", str(inventory_file(tmp_path)), tmp=tmp_path)
    s.wait("How should the profiles be named")
    s.send(ENTER)
    s.wait("Which roles")
    s.send(SPACE, CTRL_C)
    s.wait("interrupted; nothing was written")
    assert s.finish() == 130
    assert sandbox.config.read_bytes() == before


def test_adopt_hand_written_profile_with_consent(sandbox, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sandbox.aws.mkdir()
    mine = ("[profile mine]\nsso_session = acme\nsso_account_id = 210987654321\n"
            "sso_role_name = ReadOnlyAccess\nregion = ap-south-1\n")
    sandbox.config.write_text(f"[sso-session acme]\nsso_start_url = {START_URL}\n"
                              f"sso_region = eu-west-1\n\n{mine}")
    s = spawn(sandbox, "--inventory", str(inventory_file(tmp_path)), "--region", "eu-west-1",
              "--output", "json", tmp=tmp_path)
    for question in ("How should the profiles be named", "Which roles", "Which accounts",
                     "Different region"):
        s.wait(question)
        s.send(ENTER)
    s.wait_words("1 profile you wrote already points at these roles (mine). Let ssogen "
                 "manage it")
    s.send("y")
    s.wait(r"adopt\s+1 profile\s+mine")
    s.send("y")
    assert s.finish() == 0
    text = sandbox.config.read_text()
    assert mine + "ssogen_managed = true\n" in text  # the marker added, nothing else changed


def test_migrate_legacy_profiles_when_asked(sandbox, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sandbox.aws.mkdir()
    legacy = ("# old style\n[profile old-ro]\nsso_start_url = " + START_URL + "\n"
              "sso_region = eu-west-1\n; keep\nsso_account_id = 210987654321\n"
              "sso_role_name = ReadOnlyAccess\n")
    other = ("\n[profile elsewhere]\nsso_start_url = https://other.awsapps.com/start\n"
             "sso_region = eu-west-1\nsso_account_id = 1\nsso_role_name = R\n")
    sandbox.config.write_text(legacy + other)
    s = spawn(sandbox, "--inventory", str(inventory_file(tmp_path)), tmp=tmp_path)
    answer_profiles(s)
    s.wait_words("Migrate 1 legacy profile for https://acme.awsapps.com/start")
    s.send("y")
    s.wait(r"migrate\s+1 profile\s+old-ro")
    s.send("y")
    assert s.finish() == 0
    text = sandbox.config.read_text()
    assert text.startswith(legacy.replace(
        f"sso_start_url = {START_URL}\nsso_region = eu-west-1\n", "sso_session = acme\n"))
    assert text.endswith(other)


def test_online_from_legacy_profile_migrate_and_use_it(sandbox, make_emulator,  # type: ignore[no-untyped-def]
                                                       tmp_path: Path) -> None:
    emu = make_emulator(auto_approve_after=0)
    sandbox.aws.mkdir()
    legacy = (f"[profile old-admin]\nsso_start_url = {START_URL}\nsso_region = eu-west-1\n"
              "sso_account_id = 210987654321\nsso_role_name = AdministratorAccess\n"
              "# mine\ncli_pager =\n")
    sandbox.config.write_text(legacy)
    s = spawn(sandbox, "--no-browser", tmp=tmp_path, env=emu.endpoint_env())
    s.wait("Use the start URL of legacy profile old-admin")
    s.send(ENTER)
    s.wait(r"Name of the \[sso-session\]")
    s.send(ENTER)
    s.wait("found 6 accounts, 16 roles")
    answer_profiles(s)
    s.wait(r"Migrate 1 legacy profile")
    s.send("y")
    s.wait("Write these changes")
    s.send("y")
    assert s.finish() == 0
    assert sandbox.config.read_text().startswith(legacy.replace(
        f"sso_start_url = {START_URL}\nsso_region = eu-west-1\n", "sso_session = acme\n"))
    env = emu.endpoint_env()
    out = sandbox.python("import boto3\n"
                         "c = boto3.Session(profile_name='old-admin').get_credentials()\n"
                         "print(bool(c.get_frozen_credentials().access_key))\n", env=env)
    assert out.stdout.strip() == "True", out.stderr
    assert emu.stats()["requests"]["StartDeviceAuthorization"] == 1


def test_remembered_settings_answer_json(sandbox, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """What the wizard remembered reads back as JSON (the picker wrote excludes)."""
    s = spawn(sandbox, "--inventory", str(inventory_file(tmp_path)), tmp=tmp_path)
    s.wait("How should the profiles be named")
    s.send(ENTER)
    s.wait("Which roles")
    s.type("poweruser")
    s.send(SPACE, CTRL_U, ENTER)
    for question in ("Which accounts", "Default region", "Default output", "Different region"):
        s.wait(question)
        s.send(ENTER)
    s.wait("Write these changes")
    s.send("y")
    assert s.finish() == 0
    line = next(ln for ln in sandbox.config.read_text().splitlines()
                if ln.startswith("exclude = "))
    assert json.loads(line.split(" = ", 1)[1]) == ["PowerUserAccess"]
