"""The wizard's decisions without a terminal: a scripted prompter answers by question."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from ssogen.app.ports import Answers
from ssogen.app.sessions import Known
from ssogen.errors import UsageError
from ssogen.model.inventory import Account, Inventory
from ssogen.model.settings import Settings
from ssogen.records import replace
from ssogen.ui import (
    list_question,
    listing,
    picker,
    prompter,
    wizard,
    wizard_profiles,
    wizard_session,
)
from ssogen.ui.prompter import Option

URL = "https://acme.awsapps.com/start"


class Scripted:
    """Answers questions by a substring of their message; records what was asked."""

    interactive = True

    def __init__(self, **answers: Any) -> None:
        self.answers = answers
        self.asked: list[str] = []
        self.options: dict[str, Sequence[Any]] = {}
        self.summaries: dict[str, str] = {}

    def _answer(self, message: str, default: Any) -> Any:
        self.asked.append(message)
        for key, value in self.answers.items():
            if key.replace("_", " ").lower() in message.lower():
                return value(default) if callable(value) else value
        return default

    def text(self, message: str, *, default: str, flag: str,
             validate: Callable[[str], str | None] | None = None,
             preview: Callable[[str], str] | None = None,
             answer: Callable[[str], str] | None = None) -> str:
        value = self._answer(message, default)
        if validate:
            problem = validate(value)
            assert problem is None, problem
        if preview:
            self.summaries[message] = preview(value)
        return value

    def select(self, message: str, options: Sequence[Option], *, default: Any, flag: str,
               search: bool = False, header: str = "") -> Any:
        self.options[message] = options
        return self._answer(message, default)

    def region(self, message: str, choices: Sequence[Any], *, default: str, flag: str,
               what: str, none: str = "") -> str:
        self.options[message] = choices
        return str(self._answer(message, default))

    def checkbox(self, message: str, options: Sequence[Option], *, flag: str,
                 validate: Callable[[list[Any]], str | None] | None = None,
                 summary: Callable[[list[Any]], str] | None = None,
                 header: str = "") -> list[Any]:
        self.options[message] = options
        values = self._answer(message, [o.value for o in options if o.checked])
        if validate:
            problem = validate(values)
            assert problem is None, problem
        if summary:
            self.summaries[message] = summary(values)
        return list(values)

    def confirm(self, message: str, *, default: bool, flag: str) -> bool:
        return bool(self._answer(message, default))

    def keys(self, message: str, choices: Sequence[tuple[str, str]], *, default: str,
             flag: str) -> str:
        return str(self._answer(message, default))

    def say(self, message: str) -> None:
        self.asked.append("say: " + message)


def questions(p: Scripted) -> list[str]:
    return [q for q in p.asked if not q.startswith("say:")]


KNOWN = [Known("corp", URL, "eu-west-1", managed=True),
         Known("old", "https://old.awsapps.com/start", "us-east-1", legacy=True,
               profiles=("old", "old-admin"))]


def test_session_flag_reuses_existing_and_rejects_conflicts() -> None:
    c = wizard_session.ask_session(Scripted(), KNOWN, Answers(session="corp"))
    assert (c.session, c.reused) == ("corp", True)
    with pytest.raises(UsageError, match="already exists with start URL"):
        wizard_session.ask_session(Scripted(), KNOWN, Answers(
            session="corp", start_url="https://x.awsapps.com/start"))


def test_start_url_matching_a_session_reuses_it() -> None:
    p = Scripted()
    c = wizard_session.ask_session(p, KNOWN, Answers(start_url=URL))
    assert (c.session, c.reused) == ("corp", True)
    assert questions(p) == []  # nothing to ask
    assert any("reusing [sso-session corp]" in q for q in p.asked)  # but it is said


@pytest.mark.parametrize("pasted", [
    "https://acme.awsapps.com/start/#/", "https://acme.awsapps.com/start/",
    "https://ACME.awsapps.com/start", "acme", "acme.awsapps.com/start"])
def test_another_spelling_of_a_sessions_url_reuses_it(pasted: str) -> None:
    """The address-bar form, a trailing slash, another host case, a short form: the same
    portal, so the session is reused (never a second login under acme-2)."""
    by_flag = wizard_session.ask_session(Scripted(), KNOWN, Answers(start_url=pasted))
    assert (by_flag.session, by_flag.reused, by_flag.start_url) == ("corp", True, URL)
    typed = Scripted(which_iam_identity_center=wizard_session.NEW, start=pasted)
    c = wizard_session.ask_session(typed, KNOWN, Answers())
    assert (c.session, c.reused) == ("corp", True)
    assert "(the start URL of [sso-session corp]: reused)" in typed.summaries[
        "AWS access portal (start) URL:"]  # the live preview says so before Enter
    assert not any("Name of the" in q for q in typed.asked)


def test_typed_short_forms_become_the_url_stored() -> None:
    p = Scripted(start="acme.awsapps.com/start#/", region=lambda d: "eu-west-1")
    c = wizard_session.ask_session(p, [], Answers())
    assert (c.start_url, c.session, c.reused) == ("https://acme.awsapps.com/start", "acme",
                                                 False)
    assert p.summaries["AWS access portal (start) URL:"] == "→ https://acme.awsapps.com/start"


def test_pick_legacy_creates_session_from_its_url() -> None:
    legacy = KNOWN[1]
    p = Scripted(which_iam_identity_center=legacy)
    c = wizard_session.ask_session(p, KNOWN, Answers())
    assert c.reused is False
    assert (c.start_url, c.sso_region, c.session) == (legacy.start_url, "us-east-1", "old")
    assert c.from_legacy == ("old", "old-admin")
    titles = [o.title for o in p.options["Which IAM Identity Center do you want to use?"]]
    assert titles[0].startswith("Reuse [sso-session corp]") and "managed by ssogen" in titles[0]
    assert titles[-1].startswith("Create a new")


def test_new_session_name_must_be_free_and_valid() -> None:
    p = Scripted(which_iam_identity_center=wizard_session.NEW,
                 start="https://corp.awsapps.com/start", region=lambda d: "eu-west-2")
    c = wizard_session.ask_session(p, KNOWN, Answers())
    assert c.session == "corp-2"  # "corp" is taken: the default moves aside
    assert c.sso_region == "eu-west-2"
    with pytest.raises(UsageError, match="contains spaces"):
        wizard_session.ask_session(Scripted(), KNOWN, Answers(
            start_url="https://new.awsapps.com/start", sso_region="eu-west-1", session="old2 x"))


def test_region_from_host_is_not_asked() -> None:
    p = Scripted()
    c = wizard_session.ask_session(p, [], Answers(
        start_url="https://ssoins-1.ap-south-2.portal.amazonaws.com", session="x"))
    assert c.sso_region == "ap-south-2"
    assert not any("region" in q.lower() for q in p.asked if not q.startswith("say:"))


def test_yes_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    import urllib.request

    class _Unreachable:
        def open(self, req, timeout: float = 0):  # type: ignore[no-untyped-def]
            raise OSError("no route to host")

    monkeypatch.setattr(urllib.request, "build_opener", lambda *h: _Unreachable())
    d = prompter.DefaultsPrompter()
    with pytest.raises(UsageError, match="--start-url is required with --yes"):
        wizard_session.ask_session(d, [], Answers())
    with pytest.raises(UsageError, match="--sso-region is required with --yes"):
        wizard_session.ask_session(d, [], Answers(start_url="https://sso.acme.example.com"))
    gov = wizard_session.ask_session(d, [], Answers(
        start_url="https://start.us-gov-home.awsapps.com/directory/acme"))
    assert gov.sso_region.startswith("us-gov-") and gov.session == "acme"
    assert wizard_session.ask_session(d, KNOWN, Answers()).session == "corp"  # reuse the first


def test_yes_finds_the_region_of_a_custom_domain(monkeypatch: pytest.MonkeyPatch) -> None:
    """A custom domain answers with one redirect to the AWS-owned portal, whose host names
    the region: --yes needs no --sso-region then (the AWS CLI 2.35.13 behaviour)."""
    import email.message
    import urllib.error
    import urllib.request

    asked: list[str] = []

    class _Opener:
        def open(self, req, timeout: float = 0):  # type: ignore[no-untyped-def]
            asked.append(f"{req.get_method()} {req.full_url}")
            headers = email.message.Message()
            headers["Location"] = "https://ssoins-72.portal.us-east-2.app.aws/"
            raise urllib.error.HTTPError(req.full_url, 302, "Found", headers, None)

    monkeypatch.setattr(urllib.request, "build_opener", lambda *h: _Opener())
    d = prompter.DefaultsPrompter()
    got = wizard_session.ask_session(d, [], Answers(start_url="https://sso.acme.example.com"))
    assert got.sso_region == "us-east-2" and got.start_url == "https://sso.acme.example.com"
    assert asked == ["HEAD https://sso.acme.example.com"]


def _inventory() -> Inventory:
    return Inventory("corp", URL, "eu-west-1", [
        Account("111111111111", "prod", "", ["Admin", "ReadOnly"]),
        Account("222222222222", "dev", "", ["Admin", "ReadOnly"]),
        Account("333333333333", "sandbox", "", ["Admin"]),
    ])


def test_selection_becomes_exclude_globs() -> None:
    base = Settings("corp", URL, "eu-west-1", exclude=["222222222222", "legacy-*"])
    seen: dict[str, Any] = {}

    def accounts(default: list[Any]) -> list[Any]:
        seen["accounts"] = list(default)
        return ["111111111111", "222222222222"]  # keep dev again, drop the sandbox account

    p = Scripted(which_roles=["Admin"], which_accounts=accounts)
    include, exclude = wizard_profiles.ask_selection(p, base, _inventory())
    assert "222222222222" not in seen["accounts"]  # was excluded before: unchecked
    assert include == []
    assert exclude == ["legacy-*", "333333333333", "ReadOnly"]
    # each question says how many profiles its answer makes
    assert p.summaries["Which roles, in every account?"] == "1 of 2 roles → 2 profiles"
    assert p.summaries["Which accounts?"] == "2 of 3 accounts → 2 profiles"


def test_the_pickers_read_like_the_org() -> None:
    """Roles are one question for every account (with how many accounts have each), accounts
    another, their names, ids and profile counts in aligned columns."""
    p = Scripted()
    wizard_profiles.ask_selection(p, Settings("corp", URL, "eu-west-1"), _inventory())
    roles = [o.title for o in p.options["Which roles, in every account?"]]
    assert roles == ["Admin     in 3 accounts", "ReadOnly  in 2 accounts"]
    accounts = [o.title for o in p.options["Which accounts?"]]
    assert accounts == ["dev      222222222222  2 profiles",
                        "prod     111111111111  2 profiles",
                        "sandbox  333333333333  1 profile"]


def test_picker_at_300_accounts() -> None:
    from ssogen.emulator import Organization

    org = Organization.generate(300)
    inv = Inventory("corp", URL, "eu-west-1", list(org.accounts()))
    p = Scripted(which_accounts=lambda d: d[:10])
    include, exclude = wizard_profiles.ask_selection(p, Settings("corp", URL, "eu-west-1"), inv)
    rows = p.options["Which accounts?"]
    assert len(rows) == 300
    ids = [o.title.split()[1] for o in rows]
    assert all(len(i) == 12 for i in ids)
    assert len({o.title.index(i) for o, i in zip(rows, ids, strict=True)}) == 1  # aligned
    assert len(exclude) == 290 and include == []
    assert p.summaries["Which accounts?"].startswith("10 of 300 accounts → ")


def test_one_role_and_one_account_ask_nothing() -> None:
    inv = Inventory("corp", URL, "eu-west-1", [Account("111111111111", "prod", "", ["Admin"])])
    p = Scripted()
    assert wizard_profiles.ask_selection(p, Settings("corp", URL, "eu-west-1"), inv) == ([], [])
    assert questions(p) == []


def test_profiles_questions_and_flags() -> None:
    base = Settings("corp", URL, "eu-west-1")
    p = Scripted(named="aws-cli", default_region="us-east-2", output="yaml")
    s = wizard_profiles.ask_profiles(p, base, _inventory(), Answers())
    assert (s.name_template, s.region, s.output) == ("aws-cli", "us-east-2", "yaml")
    titles = [o.title for o in next(v for k, v in p.options.items() if "named" in k)]
    assert any("prod-admin" in t for t in titles)  # the preview shows real names
    flags = Answers(name_template="account-role", region="", output="json", exclude=["dev"],
                    account_regions={})
    p2 = Scripted()
    s2 = wizard_profiles.ask_profiles(p2, base, _inventory(), flags)
    assert p2.asked == []  # every question pre-answered by a flag
    assert (s2.region, s2.output, s2.exclude) == (None, "json", ["dev"])
    with pytest.raises(UsageError):
        wizard_profiles.ask_profiles(Scripted(), base, _inventory(), Answers(region="Europe"))
    with pytest.raises(UsageError) as exc:  # a typo in --region: did you mean
        wizard_profiles.ask_profiles(Scripted(), base, _inventory(), Answers(region="eu-wset-1"))
    assert (exc.value.hint or "").startswith("did you mean eu-west-1?")


def test_preview_text_reports_template_errors() -> None:
    base = Settings("corp", URL, "eu-west-1", name_template="{{ nope }}")
    assert wizard_profiles.preview_text(base, _inventory()).startswith("✗")
    ok = Settings("corp", URL, "eu-west-1", name_template="{{ account_id }}")
    assert wizard_profiles.preview_text(ok, _inventory(), limit=1).startswith("111111111111")


def test_a_custom_template_problem_is_shown_once() -> None:
    """The live preview and the check on Enter say a broken template's problem in the same
    words, which the text question shows once (it said it twice: "→ ✗ ..." and "✗ ...")."""
    seen: dict[str, Callable[[str], Any]] = {}

    class Capturing(Scripted):
        def text(self, message: str, *, default: str, flag: str,  # type: ignore[override]
                 validate: Callable[[str], str | None] | None = None,
                 preview: Callable[[str], str] | None = None,
                 answer: Callable[[str], str] | None = None) -> str:
            assert validate is not None and preview is not None
            seen.update(validate=validate, preview=preview)
            return "{{ account_id }}-{{ role }}"

    base = Settings("corp", URL, "eu-west-1")
    p = Capturing(named=wizard_profiles.CUSTOM)
    assert wizard_profiles.ask_template(p, base, _inventory(), Answers()) == \
        "{{ account_id }}-{{ role }}"
    for broken in ("{{ nope }}", "{{ account_name | kebap }}"):
        problem = seen["validate"](broken)
        assert problem and seen["preview"](broken) == f"✗ {problem}"
    assert seen["preview"]("{{ account_id }}").startswith("→ 111111111111")


def test_no_terminal_without_yes(monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    with pytest.raises(UsageError, match="needs a terminal"):
        prompter.make_prompter(yes=False)
    assert isinstance(prompter.make_prompter(yes=True), prompter.DefaultsPrompter)


def test_checking_outside_include_drops_include() -> None:
    base = Settings("corp", URL, "eu-west-1", include=["prod"])
    everything = [("account", "111111111111"), ("account", "222222222222"),
                  ("account", "333333333333"), ("role", "Admin"), ("role", "ReadOnly")]
    p = Scripted(which_accounts=[v[1] for v in everything
                                 if v[0] == "account" and v[1] != "333333333333"])
    include, exclude = wizard_profiles.ask_selection(p, base, _inventory())
    assert include == []  # dev was checked although --include said prod only
    assert exclude == ["333333333333"]
    kept = Scripted()  # the defaults: only what include allowed stays checked
    assert wizard_profiles.ask_selection(kept, base, _inventory())[0] == ["prod"]


def test_adopt_needs_consent() -> None:
    assert wizard.ask_adopt(prompter.DefaultsPrompter(), ["mine"]) is False  # --yes never adopts
    assert wizard.ask_adopt(Scripted(profile=True), ["mine"]) is True
    assert wizard.ask_adopt(Scripted(profile=True), []) is False
    one, two = Scripted(), Scripted()
    wizard.ask_adopt(one, ["mine"])
    wizard.ask_adopt(two, ["mine", "also"])
    assert one.asked[0].startswith("1 profile you wrote already points at these roles (mine)")
    assert two.asked[0].startswith("2 profiles you wrote already point at these roles")
    assert "(s)" not in one.asked[0] + two.asked[0]


def test_migrate_question_default_no_and_never_under_yes() -> None:
    p = Scripted()
    assert wizard.ask_migrate(p, ["old", "old-admin"], URL, "acme") is False  # the default
    assert any(q == f"Migrate 2 legacy profiles for {URL} to [sso-session acme]?"
               for q in p.asked)
    assert wizard.ask_migrate(Scripted(migrate=True), ["old"], URL, "acme") is True
    assert wizard.ask_migrate(Scripted(), [], URL, "acme") is False  # nothing to ask
    assert wizard.ask_migrate(prompter.DefaultsPrompter(), ["old"], URL, "acme") is False


def test_account_regions_step() -> None:
    base = Settings("corp", URL, "eu-west-1", region="eu-west-1")
    answers = iter([True, False])
    p = Scripted(different_region=lambda d: next(answers),
                 which_accounts_get=["111111111111", "333333333333"],
                 region_for_2_accounts="us-east-1")
    got = wizard_profiles.ask_account_regions(p, base, _inventory(), Answers())
    assert got == {"111111111111": "us-east-1", "333333333333": "us-east-1"}
    assert "Another region for other accounts?" in p.asked
    # default no: nothing changes; remembered ones are said and kept
    kept = Scripted()
    remembered = replace(base, account_regions={"prod*": "sa-east-1"})
    assert wizard_profiles.ask_account_regions(kept, remembered, _inventory(), Answers()) == {
        "prod*": "sa-east-1"}
    assert any("prod* → sa-east-1" in q for q in kept.asked)
    # the flag answers it; --yes keeps what was remembered
    flags = Answers(account_regions={"dev": "ap-south-1"})
    assert wizard_profiles.ask_account_regions(Scripted(), base, _inventory(), flags) == {
        "dev": "ap-south-1"}
    assert wizard_profiles.ask_account_regions(prompter.DefaultsPrompter(), remembered,
                                               _inventory(), Answers()) == {"prod*": "sa-east-1"}


def test_write_question_summary_first_and_diff_on_request() -> None:
    from pathlib import Path

    from ssogen.app.setup import Change, WriteSummary

    summary = WriteSummary("acme", Path("/nonexistent/config"), (URL, "eu-west-1"),
                           (Change("create", ("a", "b")),), (("eu-west-1", 2),), None,
                           ("a warning",))
    shown: list[int] = []
    keys = iter(["d", "d", "n"])
    p = Scripted(write_these=lambda d: next(keys))
    assert wizard.ask_write(p, summary, show_diff=lambda: shown.append(1)) is False
    assert shown == [1, 1]  # the diff each time it was asked for, then the question again
    text = next(q for q in p.asked if q.startswith("say: Changes to"))
    assert "create" in text and "2 profiles" in text and "a, b" in text
    assert wizard.ask_write(Scripted(), summary, show_diff=lambda: None) is True  # default


# -- the terminal's questions are questionary's --------------------------------------------------
@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The terminal prompter in-process, on prompt_toolkit's pipe input and a dummy output.
    ``log["keys"]``: what is typed, one string per question (sent as its Application starts);
    ``log["runs"]``: every prompt_toolkit Application run; ``log["asked"]``: every
    ``questionary.Question.unsafe_ask``; ``log["stock"]``: questionary.text/confirm calls."""
    questionary = pytest.importorskip("questionary")
    from prompt_toolkit.application import Application, create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    monkeypatch.setenv("NO_COLOR", "1")  # TerminalPrompter may set it; restored afterwards
    log: dict[str, list[Any]] = {"keys": [], "runs": [], "asked": [], "stock": []}
    run, unsafe_ask = Application.run, questionary.Question.unsafe_ask

    def running(self: Any, *args: Any, **kwargs: Any) -> Any:
        log["runs"].append(self)
        if log["keys"]:
            inp.send_text(log["keys"].pop(0))
        return run(self, *args, **kwargs)

    def asking(self: Any, patch_stdout: bool = False) -> Any:
        log["asked"].append(self.application)
        return unsafe_ask(self, patch_stdout)

    monkeypatch.setattr(Application, "run", running)
    monkeypatch.setattr(questionary.Question, "unsafe_ask", asking)
    def counted(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def stock(*args: Any, **kwargs: Any) -> Any:
            log["stock"].append(name)
            return real(*args, **kwargs)

        return stock

    for name in ("text", "confirm"):
        monkeypatch.setattr(questionary, name, counted(name, getattr(questionary, name)))
    with create_pipe_input() as inp, create_app_session(input=inp, output=DummyOutput()):
        yield prompter.TerminalPrompter(), log, inp


def test_the_terminal_prompter_asks_through_questionary(terminal) -> None:  # type: ignore[no-untyped-def]
    """Every question of the terminal prompter is a ``questionary.Question`` asked with
    ``unsafe_ask`` (no prompt_toolkit Application runs otherwise) and erased when done (its
    answer line stays): the text and yes/no questions are ``questionary.text`` and
    ``questionary.confirm``; the lists and the one-key question are ssogen's Applications in
    questionary's Question. Answered as a person would: a region typo refused (Enter), not
    taken as typed (n), Tab takes the closest region; a filter typed into a select."""
    import questionary

    p, log, _ = terminal
    log["keys"] = ["acme\r",  # start URL
                   "eu-wset-1\r" "n" "\t\r",  # SSO region: the typo, refused
                   "\r",  # session name: the default
                   "read \x15\r",  # roles: uncheck ReadOnly (filter, space, clear, Enter)
                   "\r",  # accounts
                   "y",  # migrate?
                   "d",  # write? (d) view diff
                   "\r",  # default region: the default
                   "yaml\r"]  # output format: typed, the exact entry
    session = wizard_session.ask_session(p, [], Answers())
    assert (session.session, session.start_url, session.sso_region) == ("acme", URL, "eu-west-1")
    assert wizard_profiles.ask_selection(p, Settings("corp", URL, "eu-west-1"), _inventory()) == (
        [], ["ReadOnly"])
    assert wizard.ask_migrate(p, ["old"], URL, "acme") is True
    assert p.keys("Write these changes?", wizard.WRITE_CHOICES, default="y",
                  flag="--yes") == "d"
    assert wizard_profiles.ask_region_output(p, Settings("corp", URL, "eu-west-1"), Answers()) == (
        "eu-west-1", "yaml")
    assert len(log["runs"]) == 9 and not log["keys"]
    assert log["asked"] == log["runs"]  # each one asked by questionary's Question
    assert all(app.erase_when_done for app in log["runs"])
    assert log["stock"] == ["text", "text", "confirm"]  # start URL, session name, migrate
    assert all(isinstance(q, questionary.Question) for q in [
        picker.text_question("x"), picker.confirm_question("x", default=True),
        picker.keys_question("x", [("y", "yes")], default="y"),
        list_question.list_question(list_question.ListQuestion("x", listing.ListState.of([])))])


def test_ctrl_d_and_ctrl_c_interrupt_every_question(terminal) -> None:  # type: ignore[no-untyped-def]
    """Ctrl-C, and Ctrl-D on an empty line, are KeyboardInterrupt (exit 130) in every kind of
    question; so is the end of the input."""
    p, log, inp = terminal
    asks = [lambda: p.text("Name:", default="", flag="--x"),
            lambda: p.select("Output:", [Option("json", "json"), Option("yaml", "yaml")],
                             default="json", flag="--x"),
            lambda: p.region("Region:", [], default="eu-west-1", flag="--x", what="AWS region"),
            lambda: p.checkbox("Which?", [Option("a", "a")], flag="--x"),
            lambda: p.confirm("Sure?", default=True, flag="--x"),
            lambda: p.keys("Write?", wizard.WRITE_CHOICES, default="y", flag="--x")]
    from prompt_toolkit.input.typeahead import clear_typeahead

    for key in ("\x04", "\x03"):
        for ask in asks:
            log["keys"] = [key + "\r"]  # the Enter answers if the key did not interrupt
            with pytest.raises(KeyboardInterrupt):
                ask()
            clear_typeahead(inp)  # the Enter left over: not for the next question
    inp.close()
    with pytest.raises(KeyboardInterrupt):
        asks[1]()


@pytest.mark.parametrize("multi", [True, False])
def test_a_list_header_stands_over_its_columns(multi: bool) -> None:
    """The dim column header starts where the rows' text starts: past the pointer and, in
    a multi-select, past the check box -- "id" over the ids, "profiles" over the counts."""
    from ssogen.ui.wizard_profiles import _aligned

    header, *texts = _aligned([("account", "id", "profiles"),
                               ("acme-dev", "456789012345", "2 profiles"),
                               ("acme-production", "210987654321", "1 profile")])
    rows = [listing.Row(text, value=n) for n, text in enumerate(texts)]
    q = list_question.ListQuestion("Which accounts?", listing.ListState.of(rows, multi=multi),
                                   header=header)
    drawn = ["".join(text for _, text in line) for line in q.draw(24, 80)]
    head = next(line for line in drawn if line.lstrip().startswith("account"))
    body = [line for line in drawn if "456789012345" in line or "210987654321" in line]
    assert len(body) == 2
    for line in body:
        assert line.index("2109" if "2109" in line else "4567") == head.index("id")
        assert line.index(" profile") - 1 == head.index("profiles")  # "2 profiles"
        assert line.index("acme-") == head.index("account")
