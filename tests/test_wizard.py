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
from ssogen.ui import prompter, wizard
from ssogen.ui.prompter import Option

URL = "https://acme.awsapps.com/start"


class Scripted:
    """Answers questions by a substring of their message; records what was asked."""

    interactive = True

    def __init__(self, **answers: Any) -> None:
        self.answers = answers
        self.asked: list[str] = []
        self.options: dict[str, Sequence[Option]] = {}

    def _answer(self, message: str, default: Any) -> Any:
        self.asked.append(message)
        for key, value in self.answers.items():
            if key.replace("_", " ").lower() in message.lower():
                return value(default) if callable(value) else value
        return default

    def text(self, message: str, *, default: str, flag: str,
             validate: Callable[[str], str | None] | None = None,
             preview: Callable[[str], str] | None = None, choices: Sequence[str] = ()) -> str:
        value = self._answer(message, default)
        if validate:
            problem = validate(value)
            assert problem is None, problem
        return value

    def select(self, message: str, options: Sequence[Option], *, default: Any, flag: str,
               search: bool = False) -> Any:
        self.options[message] = options
        return self._answer(message, default)

    def checkbox(self, message: str, options: Sequence[Option], *, flag: str,
                 validate: Callable[[list[Any]], str | None] | None = None) -> list[Any]:
        self.options[message] = options
        return self._answer(message, [o.value for o in options if o.checked])

    def confirm(self, message: str, *, default: bool, flag: str) -> bool:
        return bool(self._answer(message, default))

    def say(self, message: str) -> None:
        self.asked.append("say: " + message)


KNOWN = [Known("corp", URL, "eu-west-1", managed=True),
         Known("old", "https://old.awsapps.com/start", "us-east-1", legacy=True,
               profiles=("old", "old-admin"))]


def test_session_flag_reuses_existing_and_rejects_conflicts() -> None:
    c = wizard.ask_session(Scripted(), KNOWN, Answers(session="corp"))
    assert (c.session, c.reused) == ("corp", True)
    with pytest.raises(UsageError, match="already exists with start URL"):
        wizard.ask_session(Scripted(), KNOWN, Answers(session="corp",
                                                      start_url="https://x.awsapps.com/start"))


def test_start_url_matching_a_session_reuses_it() -> None:
    p = Scripted()
    c = wizard.ask_session(p, KNOWN, Answers(start_url=URL))
    assert (c.session, c.reused) == ("corp", True)
    assert p.asked == []  # nothing to ask


def test_pick_legacy_creates_session_from_its_url() -> None:
    legacy = KNOWN[1]
    p = Scripted(which_iam_identity_center=legacy)
    c = wizard.ask_session(p, KNOWN, Answers())
    assert c.reused is False
    assert (c.start_url, c.sso_region, c.session) == (legacy.start_url, "us-east-1", "old")
    assert c.from_legacy == ("old", "old-admin")
    titles = [o.title for o in p.options["Which IAM Identity Center do you want to use?"]]
    assert titles[0].startswith("Reuse [sso-session corp]") and "managed by ssogen" in titles[0]
    assert titles[-1].startswith("Create a new")


def test_new_session_name_must_be_free_and_valid() -> None:
    p = Scripted(which_iam_identity_center=wizard.NEW, start="https://corp.awsapps.com/start",
                 region=lambda d: "eu-west-2")
    c = wizard.ask_session(p, KNOWN, Answers())
    assert c.session == "corp-2"  # "corp" is taken: the default moves aside
    assert c.sso_region == "eu-west-2"
    with pytest.raises(UsageError, match="contains spaces"):
        wizard.ask_session(Scripted(), KNOWN, Answers(start_url="https://new.awsapps.com/start",
                                                      sso_region="eu-west-1", session="old2 x"))


def test_region_from_host_is_not_asked() -> None:
    p = Scripted()
    c = wizard.ask_session(p, [], Answers(
        start_url="https://ssoins-1.ap-south-2.portal.amazonaws.com", session="x"))
    assert c.sso_region == "ap-south-2"
    assert not any("region" in q.lower() for q in p.asked if not q.startswith("say:"))


def test_yes_defaults() -> None:
    d = prompter.DefaultsPrompter()
    with pytest.raises(UsageError, match="--start-url is required with --yes"):
        wizard.ask_session(d, [], Answers())
    with pytest.raises(UsageError, match="--sso-region is required with --yes"):
        wizard.ask_session(d, [], Answers(start_url="https://sso.acme.example.com"))
    gov = wizard.ask_session(d, [], Answers(
        start_url="https://start.us-gov-home.awsapps.com/directory/acme"))
    assert gov.sso_region.startswith("us-gov-") and gov.session == "acme"
    assert wizard.ask_session(d, KNOWN, Answers()).session == "corp"  # reuse the first


def _inventory() -> Inventory:
    return Inventory("corp", URL, "eu-west-1", [
        Account("111111111111", "prod", "", ["Admin", "ReadOnly"]),
        Account("222222222222", "dev", "", ["Admin", "ReadOnly"]),
        Account("333333333333", "sandbox", "", ["Admin"]),
    ])


def test_selection_becomes_exclude_globs() -> None:
    base = Settings("corp", URL, "eu-west-1", exclude=["222222222222", "legacy-*"])
    options_seen: dict[str, Any] = {}

    def pick(default: list[Any]) -> list[Any]:
        options_seen["default"] = list(default)
        # keep dev again, drop the sandbox account and the ReadOnly role
        return [("account", "111111111111"), ("account", "222222222222"), ("role", "Admin")]

    p = Scripted(accounts_and_roles=pick)
    include, exclude = wizard.ask_selection(p, base, _inventory())
    assert ("account", "222222222222") not in options_seen["default"]  # was excluded before
    assert include == []
    assert exclude == ["legacy-*", "333333333333", "ReadOnly"]


def test_profiles_questions_and_flags() -> None:
    base = Settings("corp", URL, "eu-west-1")
    p = Scripted(named="aws-cli", region="us-east-2", output="yaml")
    s = wizard.ask_profiles(p, base, _inventory(), Answers())
    assert (s.name_template, s.region, s.output) == ("aws-cli", "us-east-2", "yaml")
    titles = [o.title for o in next(v for k, v in p.options.items() if "named" in k)]
    assert any("prod-admin" in t for t in titles)  # the preview shows real names
    flags = Answers(name_template="account-role", region="", output="json", exclude=["dev"])
    p2 = Scripted()
    s2 = wizard.ask_profiles(p2, base, _inventory(), flags)
    assert p2.asked == []  # every question pre-answered by a flag
    assert (s2.region, s2.output, s2.exclude) == (None, "json", ["dev"])
    with pytest.raises(UsageError):
        wizard.ask_profiles(Scripted(), base, _inventory(), Answers(region="Europe"))


def test_preview_text_reports_template_errors() -> None:
    base = Settings("corp", URL, "eu-west-1", name_template="{{ nope }}")
    assert wizard.preview_text(base, _inventory()).startswith("✗")
    ok = Settings("corp", URL, "eu-west-1", name_template="{{ account_id }}")
    assert wizard.preview_text(ok, _inventory(), limit=1).startswith("111111111111")


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
    p = Scripted(accounts_and_roles=[v for v in everything if v[1] != "333333333333"])
    include, exclude = wizard.ask_selection(p, base, _inventory())
    assert include == []  # dev was checked although --include said prod only
    assert exclude == ["333333333333"]
    kept = Scripted()  # the defaults: only what include allowed stays checked
    assert wizard.ask_selection(kept, base, _inventory())[0] == ["prod"]


def test_adopt_needs_consent() -> None:
    assert wizard.ask_adopt(prompter.DefaultsPrompter(), ["mine"]) is False  # --yes never adopts
    assert wizard.ask_adopt(Scripted(profile=True), ["mine"]) is True
    assert wizard.ask_adopt(Scripted(profile=True), []) is False


def test_migrate_question_default_yes_and_never_under_yes() -> None:
    p = Scripted()
    assert wizard.ask_migrate(p, ["old", "old-admin"], URL, "acme") is True  # the default
    assert any(q == f"Migrate 2 legacy profiles for {URL} to [sso-session acme]?"
               for q in p.asked)
    assert wizard.ask_migrate(Scripted(migrate=False), ["old"], URL, "acme") is False
    assert wizard.ask_migrate(Scripted(), [], URL, "acme") is False  # nothing to ask
    assert wizard.ask_migrate(prompter.DefaultsPrompter(), ["old"], URL, "acme") is False
