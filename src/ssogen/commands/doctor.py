"""``ssogen doctor``: a read-only health check; one line per finding, with the fix."""

from __future__ import annotations

import argparse

from ssogen.commands import SUMMARY

EPILOG = """\
examples:
  ssogen doctor                     the config, the caches, the logins (online if logged in)
  ssogen doctor --session acme      one session only
  ssogen doctor --no-login --json   offline, as one JSON object (for scripts)

It never writes: no login, no token refresh. Exit codes: 0 healthy, 1 problems found,
2 the config file cannot be read.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "doctor", parents=[common], epilog=EPILOG,
        help=SUMMARY["doctor"],
        description="A read-only health check of ~/.aws/config, the SSO token cache and the "
        "logins: byte-order marks, duplicate sections, profiles naming a missing session, "
        "legacy profiles, two profiles for one role, roles no longer assigned, expired "
        "logins, loose cache permissions, clock skew, AWS_PROFILE naming a missing profile.",
    )
    p.add_argument("--session", metavar="NAME", help="check this [sso-session] only")
    p.add_argument("--no-login", action="store_true",
                   help="no network at all (doctor never logs in or refreshes anyway)")
    p.add_argument("--json", action="store_true", help="print the findings as one JSON object")
    return p


def run(args: argparse.Namespace) -> int:
    import json
    import sys
    from pathlib import Path

    from ssogen.app.doctor import DoctorRequest
    from ssogen.app.doctor import run as doctor
    from ssogen.errors import EXIT_DRIFT, EXIT_OK
    from ssogen.ui import terminal as ui
    from ssogen.ui.reporter import TerminalReporter

    report = doctor(DoctorRequest(Path(args.config), args.session, not args.no_login),
                    TerminalReporter())
    if args.json:
        sys.stdout.write(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        for note in report.notes:
            ui.info(f"ssogen: doctor: {note}")
        for f in report.findings:
            ui.info(f"ssogen: doctor: {f.where}: {f.problem} — fix: {f.fix}")
        count = len(report.findings)
        ui.info("ssogen: doctor: healthy" if report.healthy else
                f"ssogen: doctor: {count} problem{'' if count == 1 else 's'} found")
    return EXIT_OK if report.healthy else EXIT_DRIFT
