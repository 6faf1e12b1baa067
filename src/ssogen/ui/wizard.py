"""The ``ssogen setup`` conversation: questions in, plain data out.

Everything here asks and answers; nothing logs in, discovers or writes. The caller
(``commands/setup.py``) runs the pipeline between the two halves:

1. :func:`ask_session` → :class:`SessionChoice` (reuse an ``[sso-session]``, adopt a legacy
   profile's start URL, or create one: start URL, SSO region, session name);
2. the caller logs in and discovers → ``Inventory``;
3. :func:`ask_profiles` → ``Settings`` (name template with a live preview, accounts/roles,
   default region and output);
4. the caller renders the diff; :func:`ask_confirm` → bool.

Every question has a flag that pre-answers it. A :class:`Prompter` asks: :class:`TerminalPrompter`
(questionary, needs a terminal) or :class:`DefaultsPrompter` (``--yes``: every default, no
terminal). A question without a usable default under ``--yes`` is a one-line UsageError naming
the flag that answers it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
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


def check_region(value: str) -> str | None:
    return validate.region_shape_problem(value)


# ---------------------------------------------------------------------------------------------
# step 1: the session
# ---------------------------------------------------------------------------------------------
def ask_session(p: Prompter, known: Sequence[Known], answers: Answers) -> SessionChoice:
    sessions = {k.name: k for k in known if not k.legacy}
    # --session naming an existing session: reuse it (a conflicting --start-url is an error)
    if answers.session and answers.session in sessions:
        k = sessions[answers.session]
        if answers.start_url and answers.start_url.strip() != k.start_url:
            raise UsageError(
                f"[sso-session {k.name}] already exists with start URL {k.start_url}",
                hint="choose another --session name, or leave out --start-url to reuse it")
        if answers.sso_region and answers.sso_region.strip() != k.sso_region:
            raise UsageError(
                f"[sso-session {k.name}] already exists with sso_region {k.sso_region}",
                hint="choose another --session name, or leave out --sso-region to reuse it")
        return SessionChoice(k.name, k.start_url, k.sso_region, reused=True)
    if answers.start_url:
        info = starturl.parse(answers.start_url)  # a bad URL fails now, before anything else
        if not answers.session:
            same = [k for k in known if not k.legacy and k.start_url == info.url
                    and (not answers.sso_region or answers.sso_region == k.sso_region)]
            if same:
                k = same[0]
                return SessionChoice(k.name, k.start_url, k.sso_region, reused=True)
        legacy = _legacy_profiles(known, info.url)
        return _new_session(p, known, answers, info.url, from_legacy=legacy)

    if known:
        options = []
        for k in known:
            if k.legacy:
                title = (f"Use the start URL of legacy profile {k.name}: {k.start_url} "
                         f"({k.sso_region}) in a new [sso-session]")
            else:
                title = f"Reuse [sso-session {k.name}]: {k.start_url} ({k.sso_region})"
                if k.managed:
                    title += " — managed by ssogen"
            options.append(Option(title, k))
        options.append(Option("Create a new [sso-session] (enter a start URL)", NEW))
        default = next((k for k in known if not k.legacy), known[0])
        picked = p.select("Which IAM Identity Center do you want to use?", options,
                          default=default, flag="--session")
        if picked is not NEW:
            k = picked
            if not k.legacy:
                return SessionChoice(k.name, k.start_url, k.sso_region, reused=True)
            return _new_session(p, known, replace(answers, sso_region=answers.sso_region
                                                  or k.sso_region), k.start_url,
                                from_legacy=_legacy_profiles(known, k.start_url))

    url = p.text("AWS access portal (start) URL:", default="", flag="--start-url",
                 validate=_problem(starturl.parse))
    info = starturl.parse(url)
    return _new_session(p, known, answers, info.url,
                        from_legacy=_legacy_profiles(known, info.url))


def _legacy_profiles(known: Sequence[Known], url: str) -> tuple[str, ...]:
    out: list[str] = []
    for k in known:
        if k.legacy and k.start_url == url:
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
    if info.kind == "custom" and p.interactive:
        # a custom domain redirects (once) to the AWS portal, whose host may name the region
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
    options = [Option(r.label, r.name) for r in all_regions]
    if not p.interactive and default is None:
        raise UsageError("--sso-region is required with --yes for this start URL",
                         hint="the IAM Identity Center region is shown in the AWS console "
                         "under IAM Identity Center > Settings (e.g. eu-west-1)")
    return str(p.select("IAM Identity Center (SSO) region:", options,
                        default=default or "us-east-1", flag="--sso-region", search=True))


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
    options = [Option(f"{name:21} {preview_text(replace(base, name_template=name), inventory, 2)}",
                      name, description=table[name]) for name in table]
    options.append(Option("custom Jinja2 template…", CUSTOM,
                          description="variables: account_name, account_id, role, role_name, "
                          "session; filters: kebab, snake, lower, upper"))
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


def ask_selection(p: Prompter, base: Any, inventory: Any) -> tuple[list[str], list[str]]:
    """Accounts and roles to generate (all checked by default, minus the current excludes).

    The answer is kept as ``exclude`` globs (account ids and exact role names) so that ``sync``
    repeats it and new accounts/roles are picked up. Returns (include, exclude)."""
    from ssogen.planning.naming import wanted_pairs

    wanted = {(a.id, r) for a, r in wanted_pairs(base, inventory)}
    accounts = sorted(inventory.accounts, key=lambda a: (a.name.lower(), a.id))
    role_accounts: dict[str, int] = {}
    for a in accounts:
        for r in set(a.roles):
            role_accounts[r] = role_accounts.get(r, 0) + 1
    options = []
    for a in accounts:
        on = any((a.id, r) in wanted for r in a.roles)
        label = f"account  {a.name or '(no name)'}  {a.id}  ({_count(len(set(a.roles)), 'role')})"
        options.append(Option(label, ("account", a.id), checked=on))
    for r in sorted(role_accounts, key=str.lower):
        on = any((a.id, r) in wanted for a in accounts if r in a.roles)
        n = role_accounts[r]
        options.append(Option(f"role     {r}  (in {_count(n, 'account')})",
                              ("role", r), checked=on))
    if not options:
        return list(base.include), list(base.exclude)
    def at_least_one(values: list[Any]) -> str | None:
        kinds = {kind for kind, _ in values}
        if kinds != {"account", "role"}:
            return "keep at least one account and one role checked"
        return None

    picked = set(p.checkbox("Accounts and roles to generate profiles for:", options,
                            flag="--include/--exclude", validate=at_least_one))
    if not p.interactive:
        return list(base.include), list(base.exclude)
    exclude = [e for e in base.exclude
               if not _is_exact_selection(e, accounts, role_accounts)]
    for o in options:
        if o.value not in picked:
            exclude.append(o.value[1])
    include = list(base.include)
    if include and any(o.value in picked and not o.checked for o in options):
        # something outside the old --include was checked: the list is now the whole answer
        include = []
    return include, exclude


def _is_exact_selection(pattern: str, accounts: Sequence[Any], roles: dict[str, int]) -> bool:
    """A glob that is one account id or one role name: the checkbox list rewrites those."""
    return any(pattern == a.id for a in accounts) or any(
        pattern.lower() == r.lower() for r in roles)


def ask_region_output(p: Prompter, base: Any, answers: Answers,
                      ) -> tuple[str | None, str | None]:
    if answers.region is not None:
        problem = check_region(answers.region)
        if problem:
            raise UsageError(problem)
        region: str | None = answers.region.strip() or None
    elif answers.remembered and not p.interactive:
        region = base.region  # --yes on a session set up before: what it remembered
    else:
        region = p.text("Default region for the profiles:",
                        default=base.region or base.sso_region, flag="--region",
                        validate=check_region, choices=regions.region_names()) or None
    if answers.output is not None:
        problem = validate.output_problem(answers.output)
        if problem:
            raise UsageError(problem)
        output: str | None = answers.output
    elif answers.remembered and not p.interactive:
        output = base.output
    else:
        output = str(p.select("Default output format:",
                              [Option(o, o) for o in validate.OUTPUT_FORMATS],
                              default=base.output or "json", flag="--output"))
    return region, output


def ask_profiles(p: Prompter, base: Any, inventory: Any, answers: Answers) -> Any:
    """Step 3: naming template, accounts/roles, default region and output → Settings."""
    settings = replace(base)
    if answers.include:
        settings.include = list(answers.include)
    if answers.exclude:
        settings.exclude = list(answers.exclude)
    settings.name_template = ask_template(p, settings, inventory, answers)
    if not (answers.include or answers.exclude):
        settings.include, settings.exclude = ask_selection(p, settings, inventory)
    settings.region, settings.output = ask_region_output(p, settings, answers)
    return settings


# ---------------------------------------------------------------------------------------------
# step 4: confirm
# ---------------------------------------------------------------------------------------------
def ask_confirm(p: Prompter, summary: str) -> bool:
    return p.confirm(f"Write these changes ({summary})?", default=True, flag="--yes")


def ask_migrate(p: Prompter, names: Sequence[str], start_url: str, session: str) -> bool:
    """Legacy profiles (``sso_start_url`` in the profile) for this start URL: move them to
    ``sso_session = NAME``? Default yes in the wizard; never without consent: --yes says no
    (``--migrate-legacy`` says yes)."""
    if not names or not p.interactive:
        return False
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    p.say(f"Legacy profiles ({shown}) keep sso_start_url/sso_region themselves; migrated, they "
          f"use [sso-session {session}] and its login (every other line stays as it is).")
    return p.confirm(f"Migrate {_count(len(names), 'legacy profile')} for {start_url} to "
                     f"[sso-session {session}]?", default=True, flag="--migrate-legacy")


def ask_adopt(p: Prompter, names: Sequence[str]) -> bool:
    """Hand-written profiles already pointing at a generated account/role: let ssogen manage
    them (adds ``ssogen_managed = true``, nothing else)? Never without consent: --yes says no."""
    if not names or not p.interactive:
        return False
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return p.confirm(f"{len(names)} profile(s) you wrote already point at these roles "
                     f"({shown}). Let ssogen manage them (adds ssogen_managed = true, nothing "
                     "else) instead of skipping those roles?", default=False, flag="--adopt")


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
    """The setup conversation on a :class:`Prompter` (:class:`ssogen.app.ports.Questions`)."""

    def __init__(self, prompter: Prompter) -> None:
        self.prompter = prompter
        self.interactive = prompter.interactive

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
        """The last step: the warnings, the coloured diff, then "write it?"."""
        from ssogen.ui import terminal as ui

        for note in result.notes:
            ui.warn(note)
        sys.stdout.write(ui.color_diff(ui.printable_text(result.diff)))
        sys.stdout.flush()
        result.notes = []  # shown already; the report would repeat them
        if ask_confirm(self.prompter, result.summary()):
            return True
        ui.info("ssogen: nothing written (answered no)")
        return False
