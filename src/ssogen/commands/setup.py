"""``ssogen setup``: choose a session, its accounts and roles, and write their profiles.

``run()`` is three steps, each its own function so the wizard and the online path can slot in:

1. :func:`inventory_source` -- accounts and roles: ``--inventory FILE`` (offline), else login +
   discovery (:func:`discover_online`, the seam for the online path);
2. :func:`settings_source` -- flags over what a previous run remembered over defaults (the
   wizard will pre-fill its questions from the same values);
3. ``engine.generate``, then the shared report of ``ssogen sync``.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from ssogen.commands._options import add_login_options, add_ownership_options
from ssogen.errors import UsageError
from ssogen.model.validate import OUTPUT_FORMATS
from ssogen.ui import terminal as ui

if TYPE_CHECKING:
    from ssogen.app import generate as engine
    from ssogen.model.inventory import Inventory
    from ssogen.model.settings import Settings
    from ssogen.ui import wizard

EPILOG = """\
examples:
  ssogen setup
        the wizard: pick or create a session, log in, choose names and roles, review, write
  ssogen setup --yes --start-url https://acme.awsapps.com/start --sso-region eu-west-1
        unattended: every default, no terminal needed (prints the login URL and code)
  ssogen setup --no-browser        over SSH / in WSL2: only print the URL and code
  ssogen setup --yes --inventory acme.json
        offline: profiles for every account/role in a saved inventory (`ssogen list --json`)
  ssogen setup --yes --inventory acme.json --region eu-west-1 --output json --dry-run
        show the diff only
  ssogen setup --yes --inventory acme.json --name-template aws-cli
        name profiles like `aws configure sso` does: <role>-<account id>
  ssogen setup --yes --inventory acme.json \\
        --name-template '{{ account_name | kebab }}.{{ role | alias }}'
  ssogen setup --yes --inventory acme.json --include 'prod-*' --exclude '*ReadOnly*'
  ssogen setup --yes --inventory acme.json --profile-template keys.ini
        also write the `key = value` lines of keys.ini (e.g. `cli_pager =`) into every profile
  ssogen setup --yes --start-url https://acme.awsapps.com/start --sso-region eu-west-1 \\
        --migrate-legacy
        also move legacy profiles (sso_start_url in the profile) to the [sso-session]

name template presets: account-role (default), account.role, account_role, role-account,
session-account-role, aws-cli, account-id-role. Templates are Jinja2 over account_name,
account_id, account_email, role_name, role (after aliases), session; filters kebab, snake,
lower, upper, strip_prefix, strip_suffix, alias, replace. Names are made safe for every AWS
tool; clashes get the account id appended and are reported.

Only profiles marked `ssogen_managed = true` are ever changed; the settings are remembered in
an [ssogen NAME] section so that `ssogen sync` can repeat this run without questions.
"""


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser,
             ) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "setup", parents=[common],
        help="set up a session and write a profile for every account and role",
        description="Pick or create an [sso-session], find its accounts and roles, preview "
        "the profile names, show the diff and write ~/.aws/config. Flags pre-answer the "
        "questions; --yes answers the rest with their defaults and needs no terminal.",
        epilog=EPILOG,
    )
    p.add_argument("--yes", "-y", action="store_true",
                   help="answer every remaining question with its default (no terminal needed)")
    p.add_argument("--inventory", metavar="FILE",
                   help="accounts and roles from a saved inventory (`ssogen list --json`) "
                   "instead of logging in: offline generation")
    p.add_argument("--session", metavar="NAME",
                   help="sso-session name (default: the inventory's; an existing session with "
                   "the same start URL is reused)")
    p.add_argument("--start-url", metavar="URL", help="IAM Identity Center start URL")
    p.add_argument("--sso-region", metavar="REGION", help="region of IAM Identity Center")
    p.add_argument("--region", metavar="REGION",
                   help="default region written into new profiles (default: the SSO region; "
                   "a session set up before keeps its own)")
    p.add_argument("--output", choices=OUTPUT_FORMATS,
                   help="default output format for new profiles (default: json)")
    p.add_argument("--name-template", metavar="T",
                   help="profile-name preset or Jinja2 template (default: account-role)")
    p.add_argument("--profile-template", metavar="FILE",
                   help="extra `key = value` lines for every generated profile (e.g. "
                   "`cli_pager =`); remembered for sync (an empty file clears them)")
    p.add_argument("--include", action="append", metavar="GLOB",
                   help="only accounts/roles matching (account name, account id or role "
                   "name; case-insensitive; repeatable)")
    p.add_argument("--exclude", action="append", metavar="GLOB",
                   help="leave out accounts/roles matching (repeatable)")
    add_ownership_options(p)
    p.add_argument("--dry-run", action="store_true",
                   help="print the unified diff, write nothing")
    p.add_argument("--json", action="store_true",
                   help="print the outcome as one JSON object on stdout (every change by "
                   "name); needs --yes")
    add_login_options(p, no_login=False)
    return p


def run(args: argparse.Namespace) -> int:
    from ssogen.app import generate as engine
    from ssogen.commands.sync import report
    from ssogen.ui import wizard

    check_flags(args)  # bad flag values fail before any login or question
    if args.json and not args.yes:
        raise UsageError("--json needs --yes (the wizard talks to you on the terminal)")
    prompter = wizard.make_prompter(yes=args.yes)  # no terminal and no --yes: exit 2 here
    args.prompter = prompter
    inventory = inventory_source(args)
    settings = settings_source(args, inventory)
    # the wizard's questions; with --yes their defaults, online and offline alike (as
    # `aws configure sso`: region = the SSO region, output = json), except for a session set up
    # before: --yes keeps what it remembered (no silent default change in existing profiles)
    given = answers(args)
    given.remembered = any(s.session == settings.session
                           for s in engine.managed_settings(args.config))
    settings = wizard.ask_profiles(prompter, settings, inventory, given)
    check_filters(settings, inventory)
    mode = "dry-run" if args.dry_run else "write"
    if prompter.interactive and not (args.adopt and args.migrate_legacy):
        probe = engine.generate(args.config, settings, inventory, mode="dry-run", adopt=True,
                                migrate=True)
        if not args.migrate_legacy:
            args.migrate_legacy = wizard.ask_migrate(
                prompter, [p.name for p in probe.plan.profiles if p.action == "migrate"],
                settings.start_url, probe.plan.session)
        if not args.adopt:
            args.adopt = wizard.ask_adopt(
                prompter, [p.name for p in probe.plan.profiles if p.action == "adopt"])
    confirm = None
    if prompter.interactive and mode == "write":
        def confirm(result: engine.GenerationResult) -> bool:
            return show_and_confirm(prompter, result)
    result = engine.generate(args.config, settings, inventory, mode=mode, adopt=args.adopt,
                             migrate=args.migrate_legacy, confirm=confirm)
    code = report([result], mode, verbose=args.verbose, next_steps=bool(args.inventory),
                  as_json=args.json)
    if result.written and not args.inventory:
        first = next((p.name for p in result.plan.profiles if p.action == "create"), None)
        if first:
            ui.info(f"next: aws s3 ls --profile {first}")
    return code


def check_flags(args: argparse.Namespace) -> None:
    from ssogen.model import regions, starturl, validate
    from ssogen.planning.naming import resolve_template

    if args.start_url:
        starturl.parse(args.start_url)
    if args.sso_region:
        args.sso_region = regions.validate_sso_region(args.sso_region)
    if args.session:
        validate.check_session_name(args.session)
    if args.name_template:
        try:
            resolve_template(args.name_template)  # compiled and tried on a sample account
        except UsageError as exc:
            raise UsageError(f"--name-template: {exc.message}", hint=exc.hint) from None
    if args.region:
        _region(args.region)
    args.profile_keys = None
    if args.profile_template is not None:
        from ssogen.planning import profile_template

        args.profile_keys = profile_template.load(args.profile_template)


def check_filters(settings: Settings, inventory: Inventory) -> None:
    """An --include that matches nothing is said (one line each); filters that leave nothing
    at all to generate are refused (exit 2) rather than writing an empty session."""
    from ssogen.planning.naming import unmatched_includes, wanted_pairs

    for pattern in unmatched_includes(settings, inventory):
        ui.warn(f"--include {pattern!r} matches no account or role")
    if (settings.include or settings.exclude) and inventory.role_count \
            and not wanted_pairs(settings, inventory):
        flags = " ".join([*(f"--include {p!r}" for p in settings.include),
                          *(f"--exclude {p!r}" for p in settings.exclude)])
        raise UsageError(f"{flags} leave no account or role to generate a profile for "
                         "(see `ssogen list`); nothing written")


def answers(args: argparse.Namespace) -> wizard.Answers:
    from ssogen.ui import wizard

    return wizard.Answers(start_url=args.start_url, sso_region=args.sso_region,
                          session=args.session, region=args.region, output=args.output,
                          name_template=args.name_template, include=list(args.include or []),
                          exclude=list(args.exclude or []))


def show_and_confirm(prompter: wizard.Prompter, result: engine.GenerationResult) -> bool:
    """The wizard's last step: the coloured diff, then "write it?"."""
    from ssogen.ui import wizard

    for note in result.notes:
        ui.warn(note)
    sys.stdout.write(ui.color_diff(result.diff))
    sys.stdout.flush()
    result.notes = []  # shown already; the report would repeat them
    if wizard.ask_confirm(prompter, result.summary()):
        return True
    ui.info("ssogen: nothing written (answered no)")
    return False


# -- step 1: where accounts and roles come from ---------------------------------------------
def inventory_source(args: argparse.Namespace) -> Inventory:
    from ssogen.model.inventory import Inventory

    if args.inventory:
        return Inventory.load(args.inventory)
    return discover_online(args)


def discover_online(args: argparse.Namespace) -> Inventory:
    """The online path: pick or create the session (wizard, or flags with --yes), log in
    (device code only when no cached token can be used or refreshed), discover."""
    from ssogen.app import online
    from ssogen.ui import wizard

    prompter = getattr(args, "prompter", None) or wizard.make_prompter(yes=args.yes)
    choice = wizard.ask_session(prompter, online.known_identities(args.config), answers(args))
    args.session = choice.session  # legacy profiles of choice.from_legacy: see the plan notes
    session = online.sso_session(args.config, choice.session, choice.start_url,
                                 choice.sso_region)
    return online.login_and_discover(session, no_browser=args.no_browser)


# -- step 2: the settings --------------------------------------------------------------------
def settings_source(args: argparse.Namespace, inventory: Inventory) -> Settings:
    """Flags, over what a previous run remembered for this session, over the defaults."""
    from dataclasses import replace

    from ssogen.app import generate as engine
    from ssogen.model.settings import Settings
    from ssogen.model.validate import check_session_name
    from ssogen.planning.naming import resolve_template
    from ssogen.planning.plan import same_start_url

    if args.start_url and not same_start_url(args.start_url, inventory.start_url):
        raise UsageError(f"--start-url {args.start_url} does not match the inventory's start "
                         f"URL {inventory.start_url}")
    if args.sso_region and args.sso_region != inventory.sso_region:
        raise UsageError(f"--sso-region {args.sso_region} does not match the inventory's "
                         f"sso_region {inventory.sso_region}")
    session = check_session_name(args.session) if args.session else inventory.session
    remembered = engine.managed_settings(args.config)
    previous = next((s for s in remembered if s.session == session), None) or next(
        (s for s in remembered if same_start_url(s.start_url, inventory.start_url)), None)
    base = previous or Settings(session=session, start_url=inventory.start_url,
                                sso_region=inventory.sso_region)
    settings = replace(base, start_url=inventory.start_url, sso_region=inventory.sso_region)
    if args.region:
        settings.region = _region(args.region)
    if args.output:
        settings.output = args.output
    if args.name_template:
        resolve_template(args.name_template)
        settings.name_template = args.name_template
    if args.include is not None:
        settings.include = list(args.include)
    if args.exclude is not None:
        settings.exclude = list(args.exclude)
    if getattr(args, "profile_keys", None) is not None:
        settings.profile_keys = dict(args.profile_keys)
    return settings


def _region(value: str) -> str:
    from ssogen.model.validate import region_shape_problem

    if not value.strip() or region_shape_problem(value):
        raise UsageError(f"--region {value!r} does not look like an AWS region (e.g. eu-west-1)")
    return value
