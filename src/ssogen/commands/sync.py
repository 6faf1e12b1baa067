"""``ssogen sync``: regenerate the ssogen-managed sessions with their remembered settings.

``run()`` is three steps, each its own function so the online path can slot in:

1. :func:`targets` -- which sessions, with the settings remembered in ``[ssogen NAME]``;
2. :func:`inventory_for` -- where each session's accounts and roles come from (``--inventory``
   today; login + discovery is :func:`discover_online`, the seam for the online path);
3. ``engine.generate`` per session, then :func:`report`.

Heavy modules (configupdater, jinja2, boto3) are imported inside functions: ``ssogen --help``
stays fast.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from ssogen.commands._options import add_login_options, add_ownership_options
from ssogen.errors import EXIT_DRIFT, EXIT_OK, UsageError

if TYPE_CHECKING:
    from ssogen.app.generate import GenerationResult
    from ssogen.model.inventory import Inventory
    from ssogen.model.settings import Settings

EPILOG = """\
examples:
  ssogen sync                                  regenerate every session ssogen set up
  ssogen sync acme --dry-run                   show the diff for session acme, write nothing
  ssogen sync --inventory acme.json --check    CI gate: exit 1 when the file is out of date
  ssogen sync --inventory acme.json --prune    also remove profiles whose role is gone
  ssogen sync --migrate-legacy                 also move legacy profiles (sso_start_url in the
                                               profile) to their [sso-session]

Profiles ssogen manages carry `ssogen_managed = true`; everything else in the file is left
byte for byte as it is. A `region`/`output` you changed by hand in a managed profile is kept,
as are keys and comments you added, and a name you gave it. Stale profiles (role gone) are
reported and kept unless --prune (their comments stay in the file). Before writing, the
previous file is saved as <config>.ssogen.bak.

exit codes: 0 ok (or in sync), 1 --check found differences, 2 usage or config file error,
            3 login failed, 4 not logged in and --no-login, 5 AWS API failure
"""


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser,
             ) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "sync", parents=[common],
        help="regenerate ssogen-managed profiles with the remembered settings",
        description="Bring the profiles of every ssogen-managed session (or those named) in "
        "line with the accounts and roles you can reach, using the settings `ssogen setup` "
        "remembered in the config file. No questions asked.",
        epilog=EPILOG,
    )
    p.add_argument("sessions", nargs="*", metavar="SESSION",
                   help="sso-session names to regenerate (default: all ssogen-managed ones)")
    p.add_argument("--inventory", action="append", default=[], metavar="FILE",
                   help="take accounts and roles from a saved inventory (`ssogen list --json`) "
                   "instead of calling AWS; repeat for several sessions")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--dry-run", action="store_true",
                      help="print the unified diff, write nothing (exit 0)")
    mode.add_argument("--check", action="store_true",
                      help="print the diff, write nothing; exit 1 if the file is out of date")
    p.add_argument("--prune", action="store_true",
                   help="remove managed profiles whose account or role is gone")
    add_ownership_options(p)
    add_login_options(p)
    p.add_argument("--json", action="store_true",
                   help="print the outcome as one JSON object on stdout (every change by "
                   "name, the diff, the warnings), e.g. for a bot commenting on a pull request")
    return p


def run(args: argparse.Namespace) -> int:
    from ssogen.app import generate as engine

    mode = "check" if args.check else "dry-run" if args.dry_run else "write"
    inventories = load_inventories(args.inventory)
    results = []
    # every session is discovered before anything is written: a failure (exit 4/5) for one
    # session must not leave the file with the other sessions' changes applied
    work = []
    chosen = targets(args, inventories)
    for settings in chosen:  # a broken remembered template fails before any login
        check_template(args, settings)
    for settings in chosen:
        inventory = inventory_for(args, settings, inventories)
        work.append((complete_settings(settings, inventory), inventory))
    for settings, inventory in work:
        warn_unmatched(settings, inventory)
        results.append(engine.generate(args.config, settings, inventory, mode=mode,
                                       prune=args.prune, adopt=args.adopt,
                                       migrate=args.migrate_legacy))
    return report(results, mode, verbose=args.verbose, as_json=args.json)


# -- step 1: which sessions, with which settings --------------------------------------------
def load_inventories(paths: list[str]) -> list[Inventory]:
    from ssogen.model.inventory import Inventory

    return [Inventory.load(p) for p in paths]


def _matches(settings: Settings, inventory: Inventory) -> bool:
    from ssogen.planning.plan import same_start_url

    return inventory.session == settings.session or (
        bool(settings.start_url) and same_start_url(inventory.start_url, settings.start_url))


def targets(args: argparse.Namespace, inventories: list[Inventory]) -> list[Settings]:
    from ssogen.app import generate as engine

    remembered = engine.managed_settings(args.config)
    if not remembered:
        raise UsageError(f"{args.config}: no session set up by ssogen yet (no [ssogen NAME] "
                         "section); run `ssogen setup` first")
    known = {s.session: s for s in remembered}
    if args.sessions:
        unknown = [n for n in args.sessions if n not in known]
        if unknown:
            raise UsageError(f"not an ssogen-managed session in {args.config}: "
                             f"{', '.join(unknown)} (managed: {', '.join(sorted(known))})")
        chosen = [known[n] for n in dict.fromkeys(args.sessions)]
    elif inventories:
        chosen = [s for s in remembered if any(_matches(s, i) for i in inventories)]
    else:
        chosen = remembered
    for inv in inventories:
        if not any(_matches(s, inv) for s in chosen):
            raise UsageError(
                f"inventory for session {inv.session!r} ({inv.start_url}) matches no "
                f"ssogen-managed session {'named ' if args.sessions else ''}in {args.config}"
                f" (managed: {', '.join(sorted(known))}); use `ssogen setup --inventory` first")
    return chosen


def check_template(args: argparse.Namespace, settings: Settings) -> None:
    from ssogen.model.settings import settings_section_name
    from ssogen.planning.naming import resolve_template

    try:
        resolve_template(settings.name_template)
    except UsageError as exc:
        raise UsageError(f"{args.config}: [{settings_section_name(settings.session)}] "
                         f"name_template: {exc.message}") from None


# -- step 2: where accounts and roles come from ---------------------------------------------
def inventory_for(args: argparse.Namespace, settings: Settings,
                  inventories: list[Inventory]) -> Inventory:
    for inv in inventories:
        if _matches(settings, inv):
            return inv
    return discover_online(args, settings)


def discover_online(args: argparse.Namespace, settings: Settings) -> Inventory:
    """The online path: the cached token (refreshed if it can be), a device-code login only
    when neither works (never with --no-login: exit 4), then discovery."""
    from ssogen.app import online

    if not settings.start_url or not settings.sso_region:
        raise UsageError(f"{args.config}: [sso-session {settings.session}] is missing (or has "
                         "no sso_start_url/sso_region); run `ssogen setup` again")
    session = online.sso_session(args.config, settings.session, settings.start_url,
                                 settings.sso_region)
    return online.login_and_discover(session, allow_login=not args.no_login,
                                     no_browser=getattr(args, "no_browser", False))


def warn_unmatched(settings: Settings, inventory: Inventory) -> None:
    """A remembered include glob that matches nothing any more: said, not refused (roles can
    legitimately vanish; their profiles are then stale as usual)."""
    from ssogen.planning.naming import unmatched_includes
    from ssogen.ui import terminal as ui

    for pattern in unmatched_includes(settings, inventory):
        ui.warn(f"--include {pattern!r} (remembered for session {settings.session}) matches "
                "no account or role")


def complete_settings(settings: Settings, inventory: Inventory) -> Settings:
    """Fill what the file no longer says (e.g. a deleted [sso-session]) from the inventory."""
    from dataclasses import replace

    return replace(settings, start_url=settings.start_url or inventory.start_url,
                   sso_region=settings.sso_region or inventory.sso_region)


# -- step 3: tell the user ------------------------------------------------------------------
#: created/updated lists longer than this are cut in the report (``-v`` lists every name)
LIST_LIMIT = 8


def _entry_text(group: str, p: object) -> str:
    name, account, role = p.name, p.account_id, p.role  # type: ignore[attr-defined]
    if group == "renamed":
        return f"{p.old_name} → {name}"  # type: ignore[attr-defined]
    if group in ("stale", "removed"):
        return f"{name} ({account}/{role})"
    return name


def change_lines(plan: object, *, verbose: int = 0) -> list[str]:
    """One line per kind of change, naming every profile it touches (created/updated lists
    cut after ``LIST_LIMIT`` names unless ``verbose``)."""
    lines = []
    labels = {"stale": "stale, kept (--prune removes them)", "removed": "removed (stale)"}
    for group, entries in plan.changes().items():  # type: ignore[attr-defined]
        if not entries:
            continue
        items = [_entry_text(group, e) for e in entries]
        limit = None if verbose or group not in ("created", "updated") else LIST_LIMIT
        shown = items[:limit]
        more = len(items) - len(shown)
        tail = f", … and {more} more (-v lists them all)" if more else ""
        lines.append(f"  {labels.get(group, group)} {len(entries)}: {', '.join(shown)}{tail}")
    return lines


def result_json(r: GenerationResult, mode: str) -> dict[str, object]:
    """One session's outcome for ``--json`` (stable keys; every change by name)."""
    plan = r.plan
    groups = {}
    for group, entries in plan.changes().items():
        groups[group] = [{"name": e.name, "account_id": e.account_id, "role": e.role,
                          **({"old_name": e.old_name} if e.old_name else {})}
                         for e in entries]
    return {"session": plan.session, "config": str(r.path), "changed": r.changed,
            "written": r.written, "backup": str(r.backup) if r.backup else None,
            "counts": {"created": plan.created, "updated": plan.updated,
                       "renamed": plan.renamed, "adopted": plan.adopted, "stale": plan.stale,
                       "removed": plan.removed, "kept": plan.kept, "migrated": plan.migrated},
            "profiles": groups, "warnings": list(r.notes), "info": list(r.info),
            "diff": r.diff if mode != "write" or r.changed else ""}


def report(results: list[GenerationResult], mode: str, *, verbose: int = 0,
           next_steps: bool = False, as_json: bool = False) -> int:
    """Diff on stdout (dry-run/check, or -v), notes, one summary line per session and the
    changes by name on stderr; with ``as_json`` one JSON object on stdout instead of the diff.
    Returns the exit code."""
    import json

    from ssogen.ui import terminal as ui

    drift = False
    for r in results:
        for note in r.notes:
            ui.warn(note)
        for line in r.info:
            ui.info(f"ssogen: {line}")
        if not as_json and (mode != "write" or verbose) and r.diff:
            sys.stdout.write(ui.color_diff(r.diff))
            sys.stdout.flush()
        drift = drift or r.changed
        if mode == "write":
            if r.written:
                tail = f"wrote {r.path}" + (f" (backup: {r.backup})" if r.backup else "")
            elif r.changed:
                tail = "not written"
            else:
                tail = f"{r.path} already up to date"
        elif mode == "check":
            tail = "out of date" if r.changed else "in sync"
        else:
            tail = "dry run, nothing written"
        ui.info(f"ssogen: {r.plan.session}: {r.summary()} — {tail}")
        for line in change_lines(r.plan, verbose=verbose):
            ui.info(line)
        if next_steps and r.written:
            first = next((p.name for p in r.plan.profiles if p.action == "create"), None)
            ui.info(f"next: ssogen login --session {r.plan.session}"
                    + (f"\n      aws sts get-caller-identity --profile {first}" if first else ""))
    code = EXIT_DRIFT if mode == "check" and drift else EXIT_OK
    if as_json:
        doc = {"mode": mode, "changed": drift, "exit_code": code,
               "sessions": [result_json(r, mode) for r in results]}
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return code
