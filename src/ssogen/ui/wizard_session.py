"""Step 1 of the ``ssogen setup`` conversation: which ``[sso-session]``. :func:`ask_session`
→ :class:`SessionChoice`: reuse an ``[sso-session]`` -- also when the start URL typed is
another spelling of its URL --, adopt a legacy profile's start URL, or create one: start URL,
SSO region, session name (the conversation: :mod:`ssogen.ui.wizard`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ssogen.app.ports import Answers, SessionChoice
from ssogen.app.sessions import Known
from ssogen.errors import SsogenError, UsageError
from ssogen.model import regions, starturl, validate
from ssogen.records import replace
from ssogen.ui.prompter import Option, Prompter

#: the answer "create a new [sso-session]" to "Which IAM Identity Center?"
NEW = "__new__"


def _problem(fn: Callable[[str], object]) -> Callable[[str], str | None]:
    """A validator: ``fn``'s one-line problem, or None."""
    def check(value: str) -> str | None:
        try:
            fn(value)
        except SsogenError as exc:
            return exc.message
        return None
    return check


def _same(known: Sequence[Known], url: str, *, legacy: bool = False) -> list[Known]:
    """The known sessions (or legacy profiles) whose start URL is this portal's: compared
    normalised (case of the host, a trailing ``/`` or ``#/`` do not matter)."""
    return [k for k in known if k.legacy == legacy and starturl.same_start_url(k.start_url, url)]


def _reuse(p: Prompter, k: Known, why: str = "") -> SessionChoice:
    if why:
        p.say(f"{why}: reusing [sso-session {k.name}] ({k.start_url}, {k.sso_region})")
    return SessionChoice(k.name, k.start_url, k.sso_region, reused=True)


def ask_session(p: Prompter, known: Sequence[Known], answers: Answers) -> SessionChoice:
    """The session the profiles use: the one --session names, the one --start-url leads to,
    or the one chosen (a known session or legacy profile, else a start URL typed)."""
    sessions = {k.name: k for k in known if not k.legacy}
    if answers.session and answers.session in sessions:
        return _named_session(sessions[answers.session], answers)
    if answers.start_url:
        return _session_for_url(p, known, answers, answers.start_url)
    if known:
        picked = _pick_known(p, known)
        if picked is not NEW:
            return _from_known(p, known, answers, picked)
    return _typed_session(p, known, answers)


def _named_session(k: Known, answers: Answers) -> SessionChoice:
    """--session naming an existing session: reuse it (a conflicting --start-url or
    --sso-region is an error)."""
    if answers.start_url and not starturl.same_start_url(
            starturl.from_input(answers.start_url).url, k.start_url):
        raise UsageError(
            f"[sso-session {k.name}] already exists with start URL {k.start_url}",
            hint="choose another --session name, or leave out --start-url to reuse it")
    if answers.sso_region and answers.sso_region.strip().lower() != k.sso_region:
        raise UsageError(
            f"[sso-session {k.name}] already exists with sso_region {k.sso_region}",
            hint="choose another --session name, or leave out --sso-region to reuse it")
    return SessionChoice(k.name, k.start_url, k.sso_region, reused=True)


def _session_for_url(p: Prompter, known: Sequence[Known], answers: Answers,
                     start_url: str) -> SessionChoice:
    """--start-url: the session with that URL (unless --session names a new one), else a new
    session for it."""
    info = starturl.from_input(start_url)  # a bad URL fails now, before all else
    if not answers.session:
        same = [k for k in _same(known, info.url)
                if not answers.sso_region or answers.sso_region == k.sso_region]
        if same:
            return _reuse(p, same[0], f"{info.url} is the start URL of an existing session")
    return _new_session(p, known, answers, info.url,
                        from_legacy=_legacy_profiles(known, info.url))


def _pick_known(p: Prompter, known: Sequence[Known]) -> Any:
    """Which IAM Identity Center: a known session, a legacy profile's start URL, or
    :data:`NEW`."""
    options = []
    for k in known:
        if k.legacy:
            title = (f"Use the start URL of legacy profile {k.name}: {k.start_url} "
                     f"({k.sso_region}) in a new [sso-session]")
            short = f"the start URL of legacy profile {k.name} ({k.start_url})"
        else:
            title = f"Reuse [sso-session {k.name}]: {k.start_url} ({k.sso_region})"
            if k.managed:
                title += " — managed by ssogen"
            short = f"[sso-session {k.name}] ({k.start_url})"
        options.append(Option(title, k, short=short))
    options.append(Option("Create a new [sso-session] (enter a start URL)", NEW,
                          short="a new [sso-session]"))
    default = next((k for k in known if not k.legacy), known[0])
    return p.select("Which IAM Identity Center do you want to use?", options,
                    default=default, flag="--session")


def _from_known(p: Prompter, known: Sequence[Known], answers: Answers,
                k: Known) -> SessionChoice:
    """A known session, reused; or a legacy profile's start URL (and its SSO region, unless
    --sso-region) in a new session."""
    if not k.legacy:
        return SessionChoice(k.name, k.start_url, k.sso_region, reused=True)
    return _new_session(p, known, replace(answers, sso_region=answers.sso_region
                                          or k.sso_region), k.start_url,
                        from_legacy=_legacy_profiles(known, k.start_url))


def _typed_session(p: Prompter, known: Sequence[Known], answers: Answers) -> SessionChoice:
    """The start URL typed (with a live preview of what it is understood as): the session
    with that URL, else a new one."""
    url = p.text("AWS access portal (start) URL:", default="", flag="--start-url",
                 validate=_problem(starturl.from_input),
                 preview=lambda text: _start_url_preview(known, text),
                 answer=lambda v: starturl.from_input(v).url)
    info = starturl.from_input(url)
    same = _same(known, info.url)
    if same:  # pasted from the address bar, another spelling of a session's URL
        return _reuse(p, same[0], f"{info.url} is the start URL of an existing session")
    return _new_session(p, known, answers, info.url,
                        from_legacy=_legacy_profiles(known, info.url))


def _start_url_preview(known: Sequence[Known], text: str) -> str:
    """Under the start URL as it is typed: the URL it is understood as (and its SSO region, or
    the session that has it), or its problem."""
    if not text.strip():
        return ("the URL of your AWS access portal; also understood: acme, "
                "acme.awsapps.com/start, d-1234567890")
    try:
        info = starturl.from_input(text)
    except SsogenError as exc:
        return f"✗ {exc.message}"
    same = _same(known, info.url)
    if same:
        return f"→ {info.url}  (the start URL of [sso-session {same[0].name}]: reused)"
    return f"→ {info.url}" + (f"  (SSO region {info.region})" if info.region else "")


def _legacy_profiles(known: Sequence[Known], url: str) -> tuple[str, ...]:
    out: list[str] = []
    for k in _same(known, url, legacy=True):
        out.extend(k.profiles or (k.name,))
    return tuple(out)


def _new_session(p: Prompter, known: Sequence[Known], answers: Answers, url: str, *,
                 from_legacy: tuple[str, ...] = ()) -> SessionChoice:
    info = starturl.parse(url)
    if answers.sso_region:
        sso_region = regions.validate_sso_region(answers.sso_region)
    else:
        sso_region = ask_sso_region(p, info)
    taken = {k.name for k in known if not k.legacy}

    def check_name(value: str) -> str | None:
        problem = validate.session_name_problem(value)
        if problem:
            return problem
        if value in taken:
            return f"[sso-session {value}] already exists; choose another name"
        return None

    default = answers.session or _free_name(starturl.default_session_name(url), taken)
    if answers.session:
        problem = check_name(answers.session)
        if problem:
            raise UsageError(problem)
        session = answers.session
    else:
        session = p.text("Name of the [sso-session]:", default=default, flag="--session",
                         validate=check_name)
    return SessionChoice(session, info.url, sso_region, reused=False, from_legacy=from_legacy)


def _free_name(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def ask_sso_region(p: Prompter, info: starturl.StartUrl) -> str:
    if info.region:  # the host names it: no question
        p.say(f"SSO region {info.region} (from the start URL)")
        return info.region
    if info.kind == "custom":
        # a custom domain redirects (once) to the AWS portal, whose host may name the region
        # (as the AWS CLI since 2.35.13 finds it, with --yes too)
        from ssogen.aws.start_url import resolve_custom

        target = resolve_custom(info.url)
        if target is not None and target.region:
            p.say(f"{info.host} leads to {target.host}: SSO region {target.region}")
            return target.region
        if target is not None:
            info = target
    all_regions = regions.all_regions()
    if info.partition:  # e.g. China or GovCloud: offer that partition first
        all_regions = tuple(sorted(all_regions, key=lambda r: r.partition != info.partition))
    default: str | None = None
    if info.partition and info.partition != "aws":
        default = regions.region_names(info.partition)[0]
    if not p.interactive and default is None:
        raise UsageError("--sso-region is required with --yes for this start URL (its "
                         "address does not lead to a portal that names the region)",
                         hint="the IAM Identity Center region is shown in the AWS console "
                         "under IAM Identity Center > Settings (e.g. eu-west-1)")
    return p.region("IAM Identity Center (SSO) region:", all_regions,
                    default=default or "us-east-1", flag="--sso-region",
                    what="IAM Identity Center region")
