"""What the commands print about their results: one renderer for setup and sync.

The diff goes to stdout (``--dry-run``/``--check``, or ``-v``); warnings, one summary line per
session and every change by name go to stderr; ``--json`` prints one JSON object on stdout
instead of the diff (stable keys, every change by name, for bots commenting on pull
requests). The wizard's last question shows :func:`summary_lines` instead of the diff (the
diff on request, through :func:`page`). Paths under the home directory are shown as ``~/…``.
"""

from __future__ import annotations

import json
import os
import sys

from ssogen.errors import EXIT_DRIFT, EXIT_OK
from ssogen.ui import terminal as ui

TYPE_CHECKING = False  # no typing import at run time (start-up time, memory)
if TYPE_CHECKING:
    from collections.abc import Sequence

    from ssogen.app.generate import GenerationResult
    from ssogen.app.setup import WriteSummary
    from ssogen.planning.plan import Plan, ProfileEntry


def count(n: int, noun: str, plural: str = "") -> str:
    """``1 profile``, ``2 profiles`` (never ``1 profile(s)``)."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def display_path(path: str | os.PathLike[str]) -> str:
    """``path`` as a person reads it: under the home directory as ``~/…``."""
    text = os.fspath(path)
    home = os.path.expanduser("~")
    if home not in ("", "/") and (text == home or text.startswith(home.rstrip("/") + "/")):
        return "~" + text[len(home.rstrip("/")):]
    return text


def suggest_profile(names: Sequence[str]) -> str | None:
    """The profile to suggest trying first: a read-only one when there is one (least
    privilege), else the first. The demo and setup's "next:" line agree by using this."""
    return next((n for n in names if "read" in n.lower()), names[0] if names else None)


def _names_fitting(names: Sequence[str], width: int) -> str:
    """As many of ``names`` as fit ``width``, then ``… +N more``."""
    shown: list[str] = []
    for i, name in enumerate(names):
        rest = len(names) - i - 1
        tail = f", … +{rest} more" if rest else ""
        candidate = ", ".join([*shown, name])
        if len(candidate) + len(tail) > width and shown:
            return ", ".join(shown) + f", … +{len(names) - i} more"
        shown.append(name)
    text = ", ".join(shown)
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


def summary_lines(summary: WriteSummary, width: int) -> list[str]:
    """The few lines above "Write these changes?": per kind of change the count and the first
    names, the regions of the new profiles, the new session, where the old file is kept."""
    width = max(40, width) - 1
    lines = [f"Changes to {display_path(summary.config)} (session {summary.session}):"]
    if summary.new_session:
        url, region = summary.new_session
        lines.append(ui.printable(f"  new      [sso-session {summary.session}]  {url} "
                                  f"({region})")[:width])
    for change in summary.changes:
        noun = count(len(change.names), "profile")
        head = f"  {change.kind:<8} {noun:>13}  "
        if change.kind == "stale":
            head = f"  {'stale':<8} {noun:>13}  (kept; --prune removes them)  "
        names = [ui.printable(n) for n in change.names]
        lines.append(head + _names_fitting(names, width - len(head)))
    if summary.regions:
        parts = [f"{region or 'no region'} ({n})" for region, n in summary.regions]
        lines.append(f"  {'region':<8} {'':>13}  " + _names_fitting(parts, width - 26))
    if not summary.changes and not summary.new_session:
        lines.append("  only the remembered settings ([ssogen NAME]) change")
    lines.append(f"  your answers are remembered in [ssogen {summary.session}] for "
                 "`ssogen sync`"[:width])
    after = (f"  the current file is kept as {display_path(summary.backup)}"
             if summary.backup else f"  {display_path(summary.config)} is created (mode 0600)")
    lines.append(after[:width])
    return lines


def say(message: str) -> None:
    """A message on stderr, wrapped at word boundaries to the terminal when stderr is one
    (a pipe or a log gets one line per message, as it was)."""
    ui.info(ui.fitted(message))


def warn(message: str) -> None:
    """A warning on stderr, wrapped like :func:`say` after its ``ssogen: warning:``."""
    ui.warn(ui.fitted(message, used=len("ssogen: warning: ")))


def page(text: str) -> None:
    """The full diff through the person's pager: ``$PAGER``, else ``less -R``; printed when
    neither can run."""
    import shlex
    import shutil
    import subprocess

    data = ui.color_diff(ui.printable_text(text), sys.stdout) or "(no changes)\n"
    command = os.environ.get("PAGER", "").strip()
    try:
        argv = shlex.split(command) if command else []
    except ValueError:
        argv = []
    if not argv and shutil.which("less"):
        argv = ["less", "-R"]
    if argv:
        try:
            subprocess.run(argv, input=data, text=True, check=False)
            return
        except OSError:
            pass
    sys.stdout.write(data)
    sys.stdout.flush()

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
            "sections_updated": list(plan.sections_updated),
            "profiles": groups, "warnings": list(r.notes), "info": list(r.info),
            "diff": r.diff if mode != "write" or r.changed else "",
            "windows_skipped": r.mirror_skipped}


def _print_diff(r: GenerationResult) -> None:
    """The result's diff on stdout, hunk by hunk as it is made: a big diff is never held
    whole."""
    wrote = False
    for chunk in r.diff_chunks():
        sys.stdout.write(ui.color_diff(ui.printable_text(chunk)))
        wrote = True
    if wrote:
        sys.stdout.flush()


def report(results: list[GenerationResult], mode: str, *, verbose: int = 0,
           next_steps: bool = False, as_json: bool = False) -> int:
    """Print the outcome; returns the exit code (1: ``--check`` found drift). A result's
    ``mirrors`` (the Windows config on WSL2) are reported after it, like another session."""
    primary = {id(r) for r in results}
    results = [x for r in results for x in (r, *r.mirrors)]
    drift = False
    for r in results:
        for note in r.notes:
            warn(note)
        for line in r.info:
            say(f"ssogen: {line}")
        if not as_json and (mode != "write" or verbose):
            _print_diff(r)
        unchecked = mode == "check" and r.mirror_skipped
        drift = drift or r.changed or unchecked
        if mode == "write":
            if r.written:
                tail = f"wrote {display_path(r.path)}" + (
                    f" (backup: {display_path(r.backup)})" if r.backup else "")
            elif r.changed:
                tail = "not written"
            else:
                tail = f"{display_path(r.path)} already up to date"
        elif mode == "check":
            tail = "out of date" if r.changed else "in sync"
            if unchecked:
                tail += "; its Windows copy could not be checked (see above)"
        else:
            tail = "dry run, nothing written"
        where = "" if id(r) in primary or mode == "write" else f" in {r.path}"
        say(f"ssogen: {r.plan.session}{where}: {r.summary()} — {tail}")
        for line in change_lines(r.plan, verbose=verbose):
            say(line)
        if next_steps and r.written and id(r) in primary:
            first = suggest_profile([p.name for p in r.plan.profiles if p.action == "create"])
            ui.info(f"next: ssogen login --session {r.plan.session}"
                    + (f"\n      aws sts get-caller-identity --profile {first}" if first else ""))
    code = EXIT_DRIFT if mode == "check" and drift else EXIT_OK
    if as_json:
        doc = {"mode": mode, "changed": drift, "exit_code": code,
               "sessions": [result_json(r, mode) for r in results]}
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return code


def interrupted_text(config: str | os.PathLike[str], since: float) -> str:
    """What a run interrupted by Ctrl-C wrote, exactly: usually ``nothing was written.``; a
    client registration or a login the token cache got before the interrupt is named (the
    config is written only after the last question, so it is untouched -- unless its
    modification time says otherwise). Only file names and key names are looked at."""
    from ssogen.store.tokens import cache_dir

    cached: list[str] = []
    try:
        entries = sorted(cache_dir().iterdir())
    except OSError:
        entries = []
    for path in entries:
        try:
            if path.suffix != ".json" or path.stat().st_mtime < since:
                continue
            data = json.loads(path.read_bytes())
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            kind = "a login" if "accessToken" in data else "a client registration"
            if kind not in cached:
                cached.append(kind)
    try:
        config_written = os.stat(config).st_mtime >= since
    except OSError:
        config_written = False
    if not cached and not config_written:
        return "nothing was written."
    state = (f"{display_path(config)} was written before the interrupt" if config_written
             else f"{display_path(config)} is untouched")
    if cached:
        state += (f"; {' and '.join(cached)} got cached in {display_path(cache_dir())}"
                  " (the next login reuses it)")
    return state + "."
