"""The ``ssogen setup`` conversation: questions in, plain data out.

Everything here asks and answers; nothing logs in, discovers or writes. The caller
(``commands/setup.py``) runs the pipeline between the two halves:

1. :func:`ask_session` → :class:`SessionChoice` (reuse an ``[sso-session]`` -- also when the
   start URL typed is another spelling of its URL --, adopt a legacy profile's start URL, or
   create one: start URL, SSO region, session name);
2. the caller logs in and discovers → ``Inventory``;
3. :func:`ask_profiles` → ``Settings`` (name template with a live preview, roles, accounts,
   default region, per-account regions, output);
4. :func:`ask_write`: a summary of the changes and every warning, then yes / no / view the
   diff → bool.

Every question has a flag that pre-answers it. A :class:`Prompter` asks: :class:`TerminalPrompter`
(the terminal, :mod:`ssogen.ui.picker`) or :class:`DefaultsPrompter` (``--yes``: every default,
no terminal). A question without a usable default under ``--yes`` is a one-line UsageError
naming the flag that answers it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ssogen.app.ports import Answers, SessionChoice
from ssogen.app.sessions import Known
from ssogen.errors import SsogenError, UsageError
from ssogen.model import regions, starturl, validate
from ssogen.ui.prompter import Option, Prompter

CUSTOM = "__custom__"
NEW = "__new__"


# ---------------------------------------------------------------------------------------------
# validators (return a one-line problem, or None)
# ---------------------------------------------------------------------------------------------
def _problem(fn: Callable[[str], object]) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        try:
            fn(value)
        except SsogenError as exc:
            return exc.message
        return None
    return check


# ---------------------------------------------------------------------------------------------
# step 1: the session
# ---------------------------------------------------------------------------------------------
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
        target = starturl.resolve_custom(info.url)
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


# ---------------------------------------------------------------------------------------------
# step 3: profiles
# ---------------------------------------------------------------------------------------------
def preview_text(settings: Any, inventory: Any, limit: int = 3) -> str:
    """``a, b, c … (+N more)``: real names this template gives for this inventory."""
    from ssogen.planning.naming import preview_names

    try:
        names = [n for _, _, n in preview_names(settings, inventory)]
    except SsogenError as exc:
        return f"✗ {exc.message}"
    except Exception as exc:  # a half-typed Jinja2 template
        return f"✗ {type(exc).__name__}: {str(exc).splitlines()[0][:80] if str(exc) else ''}"
    if not names:
        return "(no profiles)"
    shown = ", ".join(names[:limit])
    return shown + (f" … (+{len(names) - limit} more)" if len(names) > limit else "")


def ask_template(p: Prompter, base: Any, inventory: Any, answers: Answers) -> str:
    from ssogen.planning.name_templates import presets, resolve_template

    if answers.name_template:
        resolve_template(answers.name_template)  # unknown preset → exit 2 now
        return answers.name_template
    table = presets()
    width = max(len(name) for name in table)
    options = [Option(f"{name:<{width}}  "
                      f"{preview_text(replace(base, name_template=name), inventory, 2)}",
                      name, description=table[name], key=name, short=name) for name in table]
    options.append(Option("custom Jinja2 template…", CUSTOM,
                          description="variables: account_name, account_id, role, role_name, "
                          "session; filters: kebab, snake, lower, upper",
                          short="a custom template"))
    default = base.name_template if base.name_template in table else (
        CUSTOM if "{{" in base.name_template else next(iter(table)))
    picked = p.select("How should the profiles be named? (live preview of your names)",
                      options, default=default, flag="--name-template")
    if picked != CUSTOM:
        return str(picked)

    def check(value: str) -> str | None:
        if "{{" not in value:
            return "a template contains {{ ... }}, e.g. {{ account_name | kebab }}-{{ role }}"
        text = preview_text(replace(base, name_template=value), inventory)
        return text[2:] if text.startswith("✗") else None

    start = base.name_template if "{{" in base.name_template else table[next(iter(table))]
    return p.text("Template:", default=start, flag="--name-template", validate=check,
                  preview=lambda v: "→ " + preview_text(replace(base, name_template=v),
                                                        inventory, limit=4))


def _aligned(cells: Sequence[Sequence[str]], *, limit: int = 40) -> list[str]:
    """Rows of cells as aligned columns (each column as wide as its widest cell, at most
    ``limit``; a longer cell is cut with ``…``)."""
    from ssogen.ui.textfit import fit

    widths = [min(limit, max((len(r[i]) for r in cells), default=0))
              for i in range(max((len(r) for r in cells), default=0))]
    return ["  ".join(fit(c, widths[i]).ljust(widths[i]) for i, c in enumerate(r)).rstrip()
            for r in cells]


def ask_selection(p: Prompter, base: Any, inventory: Any) -> tuple[list[str], list[str]]:
    """Roles, then accounts, to generate profiles for: two questions, because a role is
    chosen for every account at once ("which roles, in every account?") and accounts are the
    long list (filter, all/none/invert on what the filter shows). Both show how many profiles
    the answer makes. Checked by default: what the current include/exclude give.

    The answer is kept as ``exclude`` globs (account ids and exact role names) so that ``sync``
    repeats it and new accounts/roles are picked up. Returns (include, exclude)."""
    sel = _Selection.of(base, inventory)
    if not sel.accounts or not sel.roles:
        return list(base.include), list(base.exclude)
    chosen_roles = {r for r in sel.roles if sel.role_on[r]}
    chosen_ids = {a.id for a in sel.accounts if sel.account_on[a.id]}
    if len(sel.roles) > 1:
        chosen_roles = _ask_roles(p, sel, chosen_ids)
    if len(sel.accounts) > 1:
        chosen_ids = _ask_accounts(p, sel, chosen_roles)
    elif not sel.profiles(chosen_roles, chosen_ids):
        raise UsageError("no profile to generate: the one account has none of the chosen roles")
    if not p.interactive:
        return list(base.include), list(base.exclude)
    return sel.globs(chosen_roles, chosen_ids)


@dataclass
class _Selection:
    """What the role and account questions are asked about: the accounts (by name), the roles
    and in how many accounts each is, which ones the current include/exclude give, and the
    excludes the answer keeps (those that are not one account id or one role name)."""

    base: Any
    inventory: Any
    accounts: list[Any]
    role_accounts: dict[str, int]
    roles: list[str]
    role_on: dict[str, bool]
    account_on: dict[str, bool]
    kept: list[str]

    @classmethod
    def of(cls, base: Any, inventory: Any) -> _Selection:
        from ssogen.planning.naming import wanted_pairs

        wanted = {(a.id, r) for a, r in wanted_pairs(base, inventory)}
        accounts = sorted(inventory.accounts, key=lambda a: (a.name.lower(), a.id))
        role_accounts: dict[str, int] = {}
        for a in accounts:
            for r in set(a.roles):
                role_accounts[r] = role_accounts.get(r, 0) + 1
        roles = sorted(role_accounts, key=str.lower)
        role_on = {r: any((a.id, r) in wanted for a in accounts if r in a.roles) for r in roles}
        account_on = {a.id: any((a.id, r) in wanted for r in a.roles) for a in accounts}
        kept = [e for e in base.exclude if not _is_exact_selection(e, accounts, role_accounts)]
        return cls(base, inventory, accounts, role_accounts, roles, role_on, account_on, kept)

    def globs(self, chosen_roles: set[str], chosen_ids: set[str]) -> tuple[list[str], list[str]]:
        """(include, exclude) that give these roles in these accounts."""
        exclude = self.kept + [a.id for a in self.accounts if a.id not in chosen_ids] + [
            r for r in self.roles if r not in chosen_roles]
        include = list(self.base.include)
        if include and (any(not self.role_on[r] for r in chosen_roles)
                        or any(not self.account_on[i] for i in chosen_ids)):
            # something outside the old --include was checked: the lists are now the answer
            include = []
        return include, exclude

    def profiles(self, chosen_roles: set[str], chosen_ids: set[str]) -> int:
        """How many profiles these roles in these accounts make."""
        from ssogen.planning.naming import wanted_pairs

        include, exclude = self.globs(chosen_roles, chosen_ids)
        return len(wanted_pairs(replace(self.base, include=include, exclude=exclude),
                                self.inventory))


def _ask_roles(p: Prompter, sel: _Selection, chosen_ids: set[str]) -> set[str]:
    """Which roles, in every account? (the answer line: how many profiles they make)"""
    roles = sel.roles
    cells = [(r, f"in {_count(sel.role_accounts[r], 'account')}") for r in roles]
    options = [Option(text, r, checked=sel.role_on[r], key=r)
               for text, r in zip(_aligned(cells, limit=48), roles, strict=True)]

    def role_summary(values: list[Any]) -> str:
        return (f"{len(values)} of {_count(len(roles), 'role')} → "
                f"{_count(sel.profiles(set(values), chosen_ids), 'profile')}")

    n_accounts = _count(len(sel.accounts), "account")
    return set(p.checkbox(
        "Which roles, in every account?", options, flag="--include/--exclude",
        header=f"a role left unchecked gets no profile in any of the {n_accounts}",
        summary=role_summary,
        validate=lambda v: None if v else "check at least one role"))


def _ask_accounts(p: Prompter, sel: _Selection, chosen_roles: set[str]) -> set[str]:
    """Which accounts? (each with how many profiles the chosen roles give it; at least one
    profile in all)"""
    rows = []
    for a in sel.accounts:
        mine = sorted(set(a.roles) & chosen_roles)
        rows.append((a.name or "(no name)", a.id,
                     _count(len(mine), "profile") if mine else "none of the chosen roles"))
    header, *texts = _aligned([("account", "id", "profiles"), *rows])
    options = [Option(text, a.id, checked=sel.account_on[a.id], key=a.id,
                      description=f"{a.name or a.id}: {', '.join(sorted(set(a.roles)))}")
               for text, a in zip(texts, sel.accounts, strict=True)]
    n_accounts = _count(len(sel.accounts), "account")

    def account_summary(values: list[Any]) -> str:
        return (f"{len(values)} of {n_accounts} → "
                f"{_count(sel.profiles(chosen_roles, set(values)), 'profile')}")

    def some_profile(values: list[Any]) -> str | None:
        if sel.profiles(chosen_roles, set(values)):
            return None
        return "no profile: check an account that has one of the chosen roles"

    return set(p.checkbox("Which accounts?", options, flag="--include/--exclude",
                          header=header, summary=account_summary, validate=some_profile))


def _is_exact_selection(pattern: str, accounts: Sequence[Any], roles: dict[str, int]) -> bool:
    """A glob that is one account id or one role name: the checkbox lists rewrite those."""
    return any(pattern == a.id for a in accounts) or any(
        pattern.lower() == r.lower() for r in roles)


NO_REGION = "none: leave `region` out of the profiles (AWS_REGION then decides)"


def ask_region_output(p: Prompter, base: Any, answers: Answers,
                      ) -> tuple[str | None, str | None]:
    if answers.region is not None:
        region: str | None = regions.validate_profile_region(answers.region) or None
    elif answers.remembered and not p.interactive:
        region = base.region  # --yes on a session set up before: what it remembered
    else:
        region = p.region("Default region for the profiles:", regions.profile_regions(),
                          default=base.region or base.sso_region, flag="--region",
                          what="AWS region", none=NO_REGION) or None
    if answers.output is not None:
        problem = validate.output_problem(answers.output)
        if problem:
            raise UsageError(problem)
        output: str | None = answers.output
    elif answers.remembered and not p.interactive:
        output = base.output
    else:
        output = str(p.select("Default output format:",
                              [Option(o, o, key=o) for o in validate.OUTPUT_FORMATS],
                              default=base.output or "json", flag="--output"))
    return region, output


def ask_account_regions(p: Prompter, base: Any, inventory: Any, answers: Answers,
                        ) -> dict[str, str]:
    """"Different region for some accounts?" (default no): groups of accounts, each with its
    region, remembered in ``[ssogen NAME]`` as account id -> region (``--account-region``
    answers it, also with globs on the account name)."""
    from ssogen.model.settings import account_region

    if answers.account_regions is not None:
        return dict(answers.account_regions)
    mapping = dict(base.account_regions)
    accounts = sorted(inventory.accounts, key=lambda a: (a.name.lower(), a.id))
    if not p.interactive or len(accounts) < 2:
        return mapping
    if mapping:
        shown = ", ".join(f"{k} → {v}" for k, v in list(mapping.items())[:4])
        more = f" and {len(mapping) - 4} more" if len(mapping) > 4 else ""
        p.say(f"Accounts with their own region (remembered, kept): {shown}{more}")
    question = "Different region for some accounts?"
    while p.confirm(question, default=False, flag="--account-region"):
        def own(a: Any) -> str:
            return account_region(mapping, a.id, a.name) or base.region or "(no region)"

        header, *texts = _aligned([("account", "id", "region"),
                                   *((a.name or "(no name)", a.id, own(a)) for a in accounts)])
        options = [Option(text, a.id, checked=False, key=a.id)
                   for text, a in zip(texts, accounts, strict=True)]
        chosen = p.checkbox(
            "Which accounts get another region?", options, flag="--account-region",
            header=header, summary=lambda v: _count(len(v), "account"),
            validate=lambda v: None if v else "check at least one account (or Ctrl-C)")
        region = p.region(f"Region for {_count(len(chosen), 'account')}:",
                          regions.profile_regions(), default=base.region or base.sso_region,
                          flag="--account-region", what="AWS region")
        for account_id in chosen:
            mapping[str(account_id)] = region
        question = "Another region for other accounts?"
    return mapping


def ask_profiles(p: Prompter, base: Any, inventory: Any, answers: Answers) -> Any:
    """Step 3: naming template, roles and accounts, default region (and per-account ones),
    output → Settings."""
    settings = replace(base)
    if answers.include:
        settings.include = list(answers.include)
    if answers.exclude:
        settings.exclude = list(answers.exclude)
    settings.name_template = ask_template(p, settings, inventory, answers)
    if not (answers.include or answers.exclude):
        settings.include, settings.exclude = ask_selection(p, settings, inventory)
    settings.region, settings.output = ask_region_output(p, settings, answers)
    settings.account_regions = ask_account_regions(p, settings, inventory, answers)
    return settings


# ---------------------------------------------------------------------------------------------
# step 4: confirm
# ---------------------------------------------------------------------------------------------
def ask_migrate(p: Prompter, names: Sequence[str], start_url: str, session: str) -> bool:
    """Legacy profiles (``sso_start_url`` in the profile) for this start URL: move them to
    ``sso_session = NAME``? Default no (it edits profiles ssogen did not write); never under
    --yes (``--migrate-legacy`` says yes)."""
    if not names or not p.interactive:
        return False
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    p.say(f"Legacy profiles ({shown}) keep sso_start_url/sso_region themselves; migrated, they "
          f"use [sso-session {session}] and its login (every other line stays as it is).")
    return p.confirm(f"Migrate {_count(len(names), 'legacy profile')} for {start_url} to "
                     f"[sso-session {session}]?", default=False, flag="--migrate-legacy")


def ask_adopt(p: Prompter, names: Sequence[str]) -> bool:
    """Hand-written profiles already pointing at a generated account/role: let ssogen manage
    them (adds ``ssogen_managed = true``, nothing else)? Never without consent: --yes says no."""
    if not names or not p.interactive:
        return False
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    wrote = (f"{_count(len(names), 'profile')} you wrote already "
             f"{'points' if len(names) == 1 else 'point'} at these roles ({shown}).")
    return p.confirm(f"{wrote} Let ssogen manage {'it' if len(names) == 1 else 'them'} (adds "
                     "ssogen_managed = true, nothing else) instead of skipping those roles?",
                     default=False, flag="--adopt")


WRITE_CHOICES = (("y", "yes"), ("n", "no"), ("d", "view diff"))


def ask_write(p: Prompter, summary: Any, *, show_diff: Callable[[], None]) -> bool:
    """The summary of what changes (a few lines, never the whole diff), every warning right
    above the question, then: yes / no / view the diff (a pager), as often as wished."""
    from ssogen.ui import render
    from ssogen.ui import terminal as ui
    from ssogen.ui.textfit import columns, wrap

    p.say("\n".join(render.summary_lines(summary, columns())))
    for note in summary.warnings:
        ui.warn(wrap(note, columns(), used=len("ssogen: warning: ")))
    question = f"Write these changes to {render.display_path(summary.config)}?"
    while True:
        key = p.keys(question, WRITE_CHOICES, default="y", flag="--yes")
        if key != "d":
            return key == "y"
        show_diff()


def ask_windows(p: Prompter, folder: str, default: bool) -> bool:
    """WSL2: the same profiles in the Windows config, and each login copied there?"""
    if not p.interactive:
        return default
    return p.confirm(f"Also write these profiles into the Windows config ({folder}) and copy "
                     "each login there, so `aws` in PowerShell needs no second login?",
                     default=default, flag="--windows/--no-windows")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


class Wizard:
    """The setup conversation on a :class:`Prompter` (:class:`ssogen.app.ports.Questions`).
    ``warnings``: what was warned earlier in the run (the reporter's list), repeated above the
    final question so that none has scrolled away."""

    def __init__(self, prompter: Prompter, warnings: Sequence[str] = ()) -> None:
        self.prompter = prompter
        self.interactive = prompter.interactive
        self.warnings = warnings

    def ask_session(self, known: Sequence[Known], answers: Answers) -> SessionChoice:
        return ask_session(self.prompter, known, answers)

    def ask_profiles(self, base: Any, inventory: Any, answers: Answers) -> Any:
        return ask_profiles(self.prompter, base, inventory, answers)

    def ask_migrate(self, names: Sequence[str], start_url: str, session: str) -> bool:
        return ask_migrate(self.prompter, names, start_url, session)

    def ask_adopt(self, names: Sequence[str]) -> bool:
        return ask_adopt(self.prompter, names)

    def ask_windows(self, folder: str, default: bool) -> bool:
        return ask_windows(self.prompter, folder, default)

    def confirm(self, result: Any) -> bool:
        """The last step: the summary and the warnings, then "write them?" (the diff on
        request, through a pager)."""
        from ssogen.app.setup import write_summary
        from ssogen.ui import render

        summary = write_summary(result, earlier=self.warnings)
        result.notes = []  # shown now; the report would repeat them
        return ask_write(self.prompter, summary, show_diff=lambda: render.page(result.diff))
