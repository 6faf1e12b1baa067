"""``ssogen org inventory``: everyone's inventory from an administrator's credentials (no
user logs in); the flags as an :class:`~ssogen.app.org.OrgInventoryRequest`, the flow in
:mod:`ssogen.app.org`, the JSON on stdout or in files, a summary on stderr."""

from __future__ import annotations

import argparse
import sys

from ssogen.commands import SUMMARY
from ssogen.errors import EXIT_USAGE, UsageError

TYPE_CHECKING = False  # typing itself is not imported: `ssogen COMMAND --help` stays light
if TYPE_CHECKING:
    from ssogen.app.org import OrgInventoryOutcome, OrgInventoryRequest

EPILOG = """\
examples:
  ssogen org inventory --profile admin --start-url https://acme.awsapps.com/start \\
        --sso-region eu-west-1 --user alice@example.com > alice.json
        what alice's portal lists, as `ssogen list --json` would print it for her
  ssogen org inventory --profile admin --start-url https://acme.awsapps.com/start \\
        --group Developers --out developers.json
        what the group's assignments give its members
  ssogen org inventory --profile admin --start-url https://acme.awsapps.com/start \\
        --all-users --out inventories/
        one inventory per user: inventories/<user name>.json
  ssogen setup --yes --inventory inventories/alice@example.com.json \\
        --config alice.config --name-template '{{ ou }}-{{ account_name }}-{{ role }}'
        her config, without her login

The admin profile needs read access to IAM Identity Center (sso:ListInstances,
sso:ListAccountAssignmentsForPrincipal, sso:DescribePermissionSet), the identity store
(identitystore:GetUserId, DescribeUser, ListUsers, GetGroupId, ListGroups,
ListGroupMemberships, ListGroupMembershipsForMember) and AWS Organizations
(organizations:ListRoots, ListOrganizationalUnitsForParent, ListAccountsForParent,
ListTagsForResource), in the management or delegated-administrator account.
Inventories from here also carry each account's ou_path and tags, for the name-template
variables ou_path, ou and tags (e.g. '{{ tags.Team | default("shared") }}-{{ role }}').
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "org", parents=[common], epilog=EPILOG,
        help=SUMMARY["org"],
        description="For platform teams: compute the inventory each user's AWS access portal "
        "lists (the format of `ssogen list --json`) with the credentials of the IAM Identity "
        "Center management or delegated-administrator account, for one user, one group or "
        "every user -- no user has to log in.",
    )
    sub = p.add_subparsers(dest="org_command", metavar="SUBCOMMAND")
    inv = sub.add_parser(
        "inventory", parents=[common], epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        help="the inventory of a user, a group or every user",
        description="Read the assignments (sso-admin), users and groups (identitystore) and "
        "accounts with their OUs and tags (organizations) and write the inventory a user's "
        "portal would give: the same accounts and roles (permission sets), plus ou_path and "
        "tags per account.",
    )
    who = inv.add_mutually_exclusive_group()
    who.add_argument("--user", metavar="NAME",
                     help="one user, by UserName or primary e-mail: JSON on stdout (or --out)")
    who.add_argument("--group", metavar="NAME",
                     help="what one group's assignments give its members (by display name)")
    who.add_argument("--all-users", action="store_true",
                     help="every user: one <user name>.json each in --out DIR")
    inv.add_argument("--profile", metavar="ADMIN",
                     help="AWS profile with the admin credentials (default: botocore's chain: "
                     "AWS_PROFILE, environment, default profile)")
    inv.add_argument("--start-url", metavar="URL", required=True,
                     help="the AWS access portal URL your users sign in to (written into "
                     "the inventory)")
    inv.add_argument("--sso-region", metavar="REGION",
                     help="region of IAM Identity Center (default: from the start URL, else "
                     "the admin profile's region)")
    inv.add_argument("--session", metavar="NAME",
                     help="sso-session name in the inventory (default: derived from the start "
                     "URL, as `ssogen setup` does)")
    inv.add_argument("--instance-arn", metavar="ARN",
                     help="the IAM Identity Center instance, when the account sees several")
    inv.add_argument("--out", metavar="PATH",
                     help="file to write (--user, --group; `-`: stdout), directory "
                     "(--all-users); an existing file is replaced only when it is an "
                     "inventory")
    inv.add_argument("--concurrency", metavar="N", type=int, default=16,
                     help="API calls in flight at once (default: 16; calls are paced to the "
                     "service's throttle limits either way)")
    return p


def run(args: argparse.Namespace) -> int:
    if getattr(args, "org_command", None) != "inventory":
        from ssogen.ui import terminal as ui

        ui.error("say what to do: ssogen org inventory ... (see `ssogen org --help`)")
        return EXIT_USAGE
    from ssogen.app import org
    from ssogen.ui.reporter import TerminalReporter

    request = make_request(args)
    outcome = org.run(request, TerminalReporter())
    if request.out is None:
        sys.stdout.write(outcome.inventories[0][1].to_json())
    report(outcome, request, verbose=bool(args.verbose))
    return 0


def make_request(args: argparse.Namespace) -> OrgInventoryRequest:
    """The flags, checked, as a request (bad values fail before any AWS call)."""
    from pathlib import Path

    from ssogen.app.org import OrgInventoryRequest, check
    from ssogen.model import regions, starturl

    sso_region = regions.validate_sso_region(args.sso_region) if args.sso_region else None
    if args.user is None and args.group is None and not args.all_users:
        raise UsageError("say whose inventory: --user NAME, --group NAME or --all-users")
    if args.out == "-" and args.all_users:
        raise UsageError("--all-users needs --out DIR (one <user name>.json per user), not "
                         "stdout")
    # the start URL in every form setup takes (acme, the address bar's .../start/#/)
    start_url = starturl.from_input(args.start_url).url
    return check(OrgInventoryRequest(
        config=Path(args.config), start_url=start_url, profile=args.profile,
        sso_region=sso_region, session=args.session, instance_arn=args.instance_arn,
        user=args.user, group=args.group, all_users=args.all_users,
        out=Path(args.out) if args.out and args.out != "-" else None,
        max_workers=args.concurrency))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def report(outcome: OrgInventoryOutcome, request: OrgInventoryRequest, *,
           verbose: bool) -> None:
    """The summary on stderr: whose inventory, how much, where it went, what it cost."""
    from ssogen.ui import terminal as ui

    stats, view = outcome.stats, outcome.view
    cost = f"{stats.calls} API calls in {stats.elapsed:.1f} s"
    if stats.throttled:
        cost += f", {stats.throttled} throttled and retried"
    if stats.retried:
        cost += f", {stats.retried} transient errors retried"
    context = f"{_count(view.org_accounts, 'account')} in the organization; {cost}"
    if request.all_users:
        users = len(outcome.inventories)
        empty = sum(1 for s, _ in outcome.inventories if not s.accounts)
        none = f", {empty} of them with no access" if empty else ""
        files = f"{users} inventor{'y' if users == 1 else 'ies'}"
        if outcome.unchanged:
            files += f" ({len(outcome.unchanged)} unchanged: left as they were)"
        ui.info(f"ssogen: org: wrote {files} to "
                f"{ui.printable(str(request.out))} ({_count(users, 'user')}{none}, "
                f"{_count(view.groups, 'group')}; {context})")
        if outcome.leftovers:
            shown = ", ".join(ui.printable(p.name) for p in outcome.leftovers[:5])
            more = f" and {len(outcome.leftovers) - 5} more" if len(outcome.leftovers) > 5 \
                else ""
            ui.warn(f"{ui.printable(str(request.out))}: "
                    f"{_count(len(outcome.leftovers), 'other inventory file')} not from this "
                    f"run (users gone?) left as they are: {shown}{more}")
        return
    subject, inventory = outcome.inventories[0]
    who = f"{subject.kind} {ui.printable(subject.name)}"
    if subject.members is not None:
        who += f" ({_count(subject.members, 'member')})"
    where = f" -> {ui.printable(str(request.out))}" if request.out is not None else ""
    if outcome.unchanged:
        where += " (unchanged: left as it was)"
    ui.info(f"ssogen: org: {who}: {_count(len(inventory.accounts), 'account')}, "
            f"{_count(inventory.role_count, 'role')}{where} ({context})")
    if verbose:
        ui.info(f"  instance {view.instance_arn}, identity store {view.identity_store_id}")
