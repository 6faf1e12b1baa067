"""Step 3 of the ``ssogen setup`` conversation: :func:`ask_profiles` → ``Settings`` (name
template with a live preview, roles, accounts, default region, per-account regions, output;
the conversation: :mod:`ssogen.ui.wizard`)."""

from __future__ import annotations

from collections.abc import Sequence

from ssogen.app.ports import Answers
from ssogen.errors import SsogenError, UsageError
from ssogen.model import regions, validate
from ssogen.records import record, replace
from ssogen.ui.prompter import Option, Prompter
from ssogen.ui.textfit import count

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ssogen.model.inventory import Account, Inventory
    from ssogen.model.settings import Settings

#: the answer "custom Jinja2 template…" to "How should the profiles be named?"
CUSTOM = "__custom__"


def preview_text(settings: Settings, inventory: Inventory, limit: int = 3) -> str:
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


def ask_template(p: Prompter, base: Settings, inventory: Inventory, answers: Answers) -> str:
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
    picked = p.select("How should the profiles be named?", options, default=default,
                      flag="--name-template",
                      header="each way to name them, with the names it gives your profiles")
    if picked != CUSTOM:
        return str(picked)

    def check(value: str) -> str | None:
        if "{{" not in value:
            return "a template contains {{ ... }}, e.g. {{ account_name | kebab }}-{{ role }}"
        text = preview_text(replace(base, name_template=value), inventory)
        return text[2:] if text.startswith("✗") else None

    start = base.name_template if "{{" in base.name_template else table[next(iter(table))]
    def preview(value: str) -> str:  # a problem as the check says it: shown once, not twice
        text = preview_text(replace(base, name_template=value), inventory, limit=4)
        return text if text.startswith("✗") else "→ " + text

    return p.text("Template:", default=start, flag="--name-template", validate=check,
                  preview=preview)


def _aligned(cells: Sequence[Sequence[str]], *, limit: int = 40) -> list[str]:
    """Rows of cells as aligned columns (each column as wide as its widest cell, at most
    ``limit``; a longer cell is cut with ``…``)."""
    from ssogen.ui.textfit import fit

    widths = [min(limit, max((len(r[i]) for r in cells), default=0))
              for i in range(max((len(r) for r in cells), default=0))]
    return ["  ".join(fit(c, widths[i]).ljust(widths[i]) for i, c in enumerate(r)).rstrip()
            for r in cells]


def ask_selection(p: Prompter, base: Settings, inventory: Inventory) -> tuple[list[str], list[str]]:
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


@record
class _Selection:
    """What the role and account questions are asked about: the accounts (by name), the roles
    and in how many accounts each is, which ones the current include/exclude give, and the
    excludes the answer keeps (those that are not one account id or one role name)."""

    base: Settings
    inventory: Inventory
    accounts: list[Account]
    role_accounts: dict[str, int]
    roles: list[str]
    role_on: dict[str, bool]
    account_on: dict[str, bool]
    kept: list[str]

    @classmethod
    def of(cls, base: Settings, inventory: Inventory) -> _Selection:
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
    cells = [(r, f"in {count(sel.role_accounts[r], 'account')}") for r in roles]
    options = [Option(text, r, checked=sel.role_on[r], key=r)
               for text, r in zip(_aligned(cells, limit=48), roles, strict=True)]

    def role_summary(values: list[str]) -> str:
        return (f"{len(values)} of {count(len(roles), 'role')} → "
                f"{count(sel.profiles(set(values), chosen_ids), 'profile')}")

    n_accounts = count(len(sel.accounts), "account")
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
                     count(len(mine), "profile") if mine else "none of the chosen roles"))
    header, *texts = _aligned([("account", "id", "profiles"), *rows])
    options = [Option(text, a.id, checked=sel.account_on[a.id], key=a.id,
                      description=f"{a.name or a.id}: {', '.join(sorted(set(a.roles)))}")
               for text, a in zip(texts, sel.accounts, strict=True)]
    n_accounts = count(len(sel.accounts), "account")

    def account_summary(values: list[str]) -> str:
        return (f"{len(values)} of {n_accounts} → "
                f"{count(sel.profiles(chosen_roles, set(values)), 'profile')}")

    def some_profile(values: list[str]) -> str | None:
        if sel.profiles(chosen_roles, set(values)):
            return None
        return "no profile: check an account that has one of the chosen roles"

    return set(p.checkbox("Which accounts?", options, flag="--include/--exclude",
                          header=header, summary=account_summary, validate=some_profile))


def _is_exact_selection(pattern: str, accounts: Sequence[Account], roles: dict[str, int]) -> bool:
    """A glob that is one account id or one role name: the checkbox lists rewrite those."""
    return any(pattern == a.id for a in accounts) or any(
        pattern.lower() == r.lower() for r in roles)


NO_REGION = "none: leave `region` out of the profiles (AWS_REGION then decides)"


def ask_region_output(p: Prompter, base: Settings, answers: Answers,
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


def ask_account_regions(p: Prompter, base: Settings, inventory: Inventory, answers: Answers,
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
        def own(a: Account) -> str:
            return account_region(mapping, a.id, a.name) or base.region or "(no region)"

        header, *texts = _aligned([("account", "id", "region"),
                                   *((a.name or "(no name)", a.id, own(a)) for a in accounts)])
        options = [Option(text, a.id, checked=False, key=a.id)
                   for text, a in zip(texts, accounts, strict=True)]
        chosen = p.checkbox(
            "Which accounts get another region?", options, flag="--account-region",
            header=header, summary=lambda v: count(len(v), "account"),
            validate=lambda v: None if v else "check at least one account (or Ctrl-C)")
        region = p.region(f"Region for {count(len(chosen), 'account')}:",
                          regions.profile_regions(), default=base.region or base.sso_region,
                          flag="--account-region", what="AWS region")
        for account_id in chosen:
            mapping[str(account_id)] = region
        question = "Another region for other accounts?"
    return mapping


def ask_profiles(p: Prompter, base: Settings, inventory: Inventory, answers: Answers) -> Settings:
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
