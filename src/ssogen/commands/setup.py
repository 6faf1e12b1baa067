"""``ssogen setup``: the flags as a :class:`~ssogen.app.setup.SetupRequest`, the wizard (or
``--yes``) as its questions, the flow in :mod:`ssogen.app.setup`, the report printed."""

from __future__ import annotations

import argparse

from ssogen.commands import SUMMARY
from ssogen.commands._options import (
    CHAIN_HELP,
    add_chain_options,
    add_login_options,
    add_ownership_options,
    chain_specs,
)
from ssogen.commands._windows import add_setup_options, setup_choice
from ssogen.errors import UsageError
from ssogen.model.validate import OUTPUT_FORMATS
from ssogen.ui import terminal as ui

TYPE_CHECKING = False  # typing itself is not imported: `ssogen COMMAND --help` stays light
if TYPE_CHECKING:
    from ssogen.app.generate import GenerationResult
    from ssogen.app.setup import SetupOutcome as Outcome
    from ssogen.app.setup import SetupRequest

EPILOG = """\
examples:
  ssogen setup
        the wizard: pick or create a session, log in, choose names and roles, review, write
  ssogen setup --yes --start-url acme --sso-region eu-west-1
        unattended: every default, no terminal needed (prints the login URL and code);
        acme means https://acme.awsapps.com/start
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
  ssogen setup --yes --inventory acme.json --region eu-west-1 \\
        --account-region 'us-*=us-east-1' --account-region 210987654321=eu-central-1
        another region for some accounts (account id, or a glob on the account name)
  ssogen setup --yes --inventory acme.json --profile-template keys.ini
        also write the `key = value` lines of keys.ini (e.g. `cli_pager =`) into every profile
  ssogen setup --yes --start-url https://acme.awsapps.com/start --sso-region eu-west-1 \\
        --migrate-legacy
        also move legacy profiles (sso_start_url in the profile) to the [sso-session]
  ssogen setup --yes --inventory acme.json --chain \\
        '*admin*=arn:aws:iam::{{account_id}}:role/OrganizationAccountAccessRole'
        also, per admin profile, one that assumes OrganizationAccountAccessRole in its account
        (prod-administrator-access-to-organization-account-access-role)
  ssogen setup --yes --inventory acme.json --chain \\
        'prod-*=arn:aws:iam::123456789012:role/Deploy:{{ source }}-deploy'
        also one that assumes Deploy in account 123456789012, named <source>-deploy
        (;duration_seconds=900 after it: sessions of 15 minutes)

name template presets: account-role (default), account.role, account_role, role-account,
session-account-role, aws-cli, account-id-role. Templates are Jinja2 over account_name,
account_id, account_email, role_name, role (after aliases), session; filters kebab, snake,
lower, upper, strip_prefix, strip_suffix, alias, replace, truncate_to. Names are made safe
for every AWS tool; clashes get the account id appended and are reported.

Only profiles marked `ssogen_managed = true` are ever changed; the settings are remembered in
an [ssogen NAME] section so that `ssogen sync` can repeat this run without questions.

The wizard ends with a summary of the changes and every warning; answer y to write, n to
leave the file as it is, d to read the whole diff in your pager ($PAGER, else less -R).

exit codes: 0 written (or nothing to change), 1 the changes were declined at the prompt
            (the config is untouched), 2 usage or config file error, 3 login failed,
            5 AWS API failure, 130 interrupted
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "setup", parents=[common],
        help=SUMMARY["setup"],
        description="Pick or create an [sso-session], find its accounts and roles, preview "
        "the profile names, show the diff and write ~/.aws/config. Flags pre-answer the "
        "questions; --yes answers the rest with their defaults and needs no terminal.",
        epilog=EPILOG + "\n" + CHAIN_HELP,
    )
    p.add_argument("--yes", "-y", action="store_true",
                   help="answer every remaining question with its default (no terminal needed)")
    p.add_argument("--inventory", metavar="FILE",
                   help="accounts and roles from a saved inventory (`ssogen list --json`) "
                   "instead of logging in: offline generation")
    p.add_argument("--session", metavar="NAME",
                   help="sso-session name (default: the inventory's; an existing session with "
                   "the same start URL is reused)")
    p.add_argument("--start-url", metavar="URL",
                   help="IAM Identity Center start URL (https://acme.awsapps.com/start; also "
                   "understood: acme, acme.awsapps.com/start, the address bar's …/start/#/)")
    p.add_argument("--sso-region", metavar="REGION", help="region of IAM Identity Center")
    p.add_argument("--region", metavar="REGION",
                   help="default region written into new profiles (default: the SSO region; "
                   "a session set up before keeps its own)")
    p.add_argument("--account-region", action="append", metavar="ACCOUNT=REGION",
                   help="another region for the profiles of some accounts: ACCOUNT is an "
                   "account id or a glob on the account name (repeatable; remembered for "
                   "sync; replaces the remembered ones)")
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
    add_chain_options(p)
    add_ownership_options(p)
    p.add_argument("--dry-run", action="store_true",
                   help="print the unified diff, write nothing")
    p.add_argument("--json", action="store_true",
                   help="print the outcome as one JSON object on stdout (every change by "
                   "name); needs --yes")
    add_login_options(p, no_login=False)
    add_setup_options(p)
    return p


def run(args: argparse.Namespace) -> int:
    from ssogen.app import setup
    from ssogen.errors import EXIT_DECLINED
    from ssogen.ui import wizard
    from ssogen.ui.prompter import make_prompter
    from ssogen.ui.render import report, say
    from ssogen.ui.reporter import TerminalReporter

    request = make_request(args)  # bad flag values fail before any login or question
    if args.json and not args.yes:
        raise UsageError("--json needs --yes (the wizard talks to you on the terminal)")
    reporter = TerminalReporter()
    # no terminal and no --yes: exit 2; the wizard repeats the reporter's warnings at the end
    questions = wizard.Wizard(make_prompter(yes=args.yes), warnings=reporter.warnings)
    outcome = setup.run(request, reporter, questions)
    result = outcome.result
    if outcome.declined:
        say(f"ssogen: answered no: {declined_text(outcome)}")
        say("next: ssogen setup, when you want these changes written")
        return EXIT_DECLINED
    code = report([result], "dry-run" if args.dry_run else "write", verbose=args.verbose,
                  next_steps=outcome.offline, as_json=args.json)
    if result.written and not outcome.offline:
        line = next_line(result)
        if line:
            ui.info(line)
    return code


def next_line(result: GenerationResult) -> str | None:
    """The command to try first, on a profile setup created. Where the Windows copy gave
    that account/role another name (a hand-written Windows profile holds this one), the line
    says that name too: the Linux one means something else there, or nothing."""
    from ssogen.ui.render import suggest_profile

    created = [p for p in result.plan.profiles if p.action == "create"]
    first = suggest_profile([p.name for p in created])
    if first is None:
        return None
    entry = next(p for p in created if p.name == first)
    key = (entry.account_id, entry.role, entry.source_profile, entry.role_arn)
    elsewhere = sorted({p.name for mirror in result.mirrors for p in mirror.plan.profiles
                        if not p.removed and p.name != first
                        and (p.account_id, p.role, p.source_profile, p.role_arn) == key})
    also = f" (on Windows: --profile {elsewhere[0]})" if elsewhere else ""
    return f"next: aws s3 ls --profile {first}{also}"


def declined_text(outcome: Outcome) -> str:
    """Exactly what a declined run wrote: the config nothing; the token cache maybe a login
    or a client registration (so the next run needs no new login)."""
    from ssogen.store.tokens import cache_dir
    from ssogen.ui.render import display_path

    text = f"{display_path(outcome.result.path)} is untouched"
    if outcome.cached:
        verb = "stays" if len(outcome.cached) == 1 else "stay"
        text += (f"; the {' and the '.join(outcome.cached)} for session {outcome.session} "
                 f"{verb} cached in {display_path(cache_dir())}")
        if "login" in outcome.cached:
            text += ", so the next run needs no new login"
    return text


def make_request(args: argparse.Namespace) -> SetupRequest:
    """The flags, checked, as a request (one adapter: nothing else reads ``args``)."""
    from pathlib import Path

    from ssogen.app.setup import SetupRequest
    from ssogen.model import regions, starturl, validate
    from ssogen.planning.naming import resolve_template

    start_url = starturl.from_input(args.start_url).url if args.start_url else None
    sso_region = regions.validate_sso_region(args.sso_region) if args.sso_region else None
    if args.session:
        validate.check_session_name(args.session)
    if args.name_template:
        try:
            resolve_template(args.name_template)  # compiled and tried on a sample account
        except UsageError as exc:
            raise UsageError(f"--name-template: {exc.message}", hint=exc.hint) from None
    region = regions.validate_profile_region(args.region) if args.region is not None else None
    account_regions = (tuple(_account_region(v) for v in args.account_region)
                       if args.account_region else None)
    profile_keys = None
    if args.profile_template is not None:
        profile_keys = tuple(_profile_template(args.profile_template).items())
    chains = chain_specs(args)
    if chains:
        from ssogen.app.setup import check_chains

        check_chains(chains, args.session or "session", sso_region or "")
    return SetupRequest(
        config=Path(args.config), inventory=Path(args.inventory) if args.inventory else None,
        start_url=start_url, sso_region=sso_region, session=args.session,
        region=region, output=args.output, name_template=args.name_template,
        include=tuple(args.include) if args.include is not None else None,
        exclude=tuple(args.exclude) if args.exclude is not None else None,
        profile_keys=profile_keys, account_regions=account_regions, chains=chains,
        adopt=args.adopt, migrate_legacy=args.migrate_legacy, dry_run=args.dry_run,
        no_browser=args.no_browser, windows=setup_choice(args))


def _profile_template(path: str) -> dict[str, str]:
    """The keys of ``--profile-template FILE``; unreadable files are one-line exit-2 errors."""
    from pathlib import Path

    from ssogen.planning import profile_template
    from ssogen.store.fileio import ReadRefused, read_regular

    try:
        text = read_regular(Path(path), 1 << 20).decode("utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"--profile-template {path}: no such file") from None
    except ReadRefused as exc:
        raise UsageError(f"--profile-template {path}: is {exc.why}, not a template file") \
            from None
    except IsADirectoryError:
        raise UsageError(f"--profile-template {path}: is a directory") from None
    except UnicodeDecodeError:
        raise UsageError(f"--profile-template {path}: not UTF-8 text") from None
    except OSError as exc:
        raise UsageError(f"--profile-template {path}: cannot read "
                         f"({exc.strerror or exc})") from None
    return profile_template.parse(text, path)


def _account_region(value: str) -> tuple[str, str]:
    """``ACCOUNT=REGION`` → (pattern, region); the region checked like --region."""
    from ssogen.model import regions
    from ssogen.model.validate import unwritable

    pattern, sep, region = value.partition("=")
    pattern = pattern.strip()
    if not sep or not pattern or not region.strip():
        raise UsageError(f"--account-region {value!r} is not ACCOUNT=REGION",
                         hint="e.g. --account-region 210987654321=us-east-1 or "
                         "--account-region 'prod-*=eu-central-1'")
    if unwritable(pattern) or any(c in pattern for c in '"\\'):
        raise UsageError(f"--account-region: {pattern[:40]!r} cannot be an account pattern")
    return pattern, regions.validate_profile_region(region, flag="--account-region")
