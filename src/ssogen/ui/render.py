"""What the commands print about their results: one renderer for setup and sync.

The diff goes to stdout (``--dry-run``/``--check``, or ``-v``); warnings, one summary line per
session and every change by name go to stderr; ``--json`` prints one JSON object on stdout
instead of the diff (stable keys, every change by name, for bots commenting on pull
requests).
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from ssogen.errors import EXIT_DRIFT, EXIT_OK
from ssogen.ui import terminal as ui

if TYPE_CHECKING:
    from ssogen.app.generate import GenerationResult
    from ssogen.planning.plan import Plan, ProfileEntry

#: lists longer than this are cut in the report (``-v`` lists every name; ``--json`` always)
LIST_LIMIT = {"created": 8, "updated": 8}
OTHER_LIMIT = 20
_LABELS = {"stale": "stale, kept (--prune removes them)", "removed": "removed (stale)"}


def _entry_text(group: str, p: ProfileEntry) -> str:
    if group == "renamed":
        return f"{p.old_name} → {p.name}"
    if group in ("stale", "removed"):
        if p.source_profile or p.role_arn:  # a chained profile: where it starts, what it is
            return f"{p.name} ({p.source_profile} → {p.role_arn or '?'})"
        return f"{p.name} ({p.account_id}/{p.role})"
    return p.name


def change_lines(plan: Plan, *, verbose: int = 0) -> list[str]:
    """One line per kind of change, naming the profiles it touches."""
    lines = []
    for group, entries in plan.changes().items():
        if not entries:
            continue
        items = [ui.printable(_entry_text(group, e)) for e in entries]
        limit = None if verbose else LIST_LIMIT.get(group, OTHER_LIMIT)
        shown = items[:limit]
        more = len(items) - len(shown)
        tail = f", … and {more} more (-v lists them all)" if more else ""
        lines.append(f"  {_LABELS.get(group, group)} {len(entries)}: {', '.join(shown)}{tail}")
    return lines


def result_json(r: GenerationResult, mode: str) -> dict[str, object]:
    """One session's outcome for ``--json``."""
    plan = r.plan
    groups = {group: [{"name": e.name, "account_id": e.account_id, "role": e.role,
                       **({"old_name": e.old_name} if e.old_name else {}),
                       **({"source_profile": e.source_profile, "role_arn": e.role_arn}
                          if e.source_profile or e.role_arn else {})} for e in entries]
              for group, entries in plan.changes().items()}
    return {"session": plan.session, "config": str(r.path), "changed": r.changed,
            "written": r.written, "backup": str(r.backup) if r.backup else None,
            "counts": {"created": plan.created, "updated": plan.updated,
                       "renamed": plan.renamed, "adopted": plan.adopted, "stale": plan.stale,
                       "removed": plan.removed, "kept": plan.kept, "migrated": plan.migrated},
            "profiles": groups, "warnings": list(r.notes), "info": list(r.info),
            "diff": r.diff if mode != "write" or r.changed else ""}


def report(results: list[GenerationResult], mode: str, *, verbose: int = 0,
           next_steps: bool = False, as_json: bool = False) -> int:
    """Print the outcome; returns the exit code (1: ``--check`` found drift)."""
    drift = False
    for r in results:
        for note in r.notes:
            ui.warn(note)
        for line in r.info:
            ui.info(f"ssogen: {line}")
        if not as_json and (mode != "write" or verbose) and r.diff:
            sys.stdout.write(ui.color_diff(ui.printable_text(r.diff)))
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
