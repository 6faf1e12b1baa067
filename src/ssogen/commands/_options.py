"""Flags that several commands share, defined once so they mean the same everywhere."""

from __future__ import annotations

import argparse


def add_login_options(p: argparse.ArgumentParser, *, no_login: bool = True) -> None:
    """``--no-browser`` (and ``--no-login``) for commands that may have to log in."""
    if no_login:
        p.add_argument("--no-login", action="store_true",
                       help="never start a device-code login (exit 4 without a valid or "
                       "refreshable token)")
    p.add_argument("--no-browser", action="store_true",
                   help="if a login is needed, only print the URL and code (never open a "
                   "browser: SSH, containers)")


def add_ownership_options(p: argparse.ArgumentParser) -> None:
    """Consent flags for touching profiles ssogen did not create (``setup`` and ``sync``)."""
    p.add_argument("--adopt", action="store_true",
                   help="take over hand-written profiles that point at the same "
                   "session/account/role (adds the ssogen_managed marker, nothing else)")
    p.add_argument("--migrate-legacy", action="store_true",
                   help="move legacy profiles (sso_start_url in the profile) with the "
                   "session's start URL to `sso_session = NAME`, editing only those keys "
                   "(--yes does not imply it)")


def add_session_choice(p: argparse.ArgumentParser, *, verb: str) -> None:
    """``--session NAME | --profile NAME``: which sso-session a command works with."""
    who = p.add_mutually_exclusive_group()
    who.add_argument("--session", metavar="NAME", help=f"[sso-session NAME] to {verb}")
    who.add_argument("--profile", metavar="NAME",
                     help=f"{verb} the session this profile uses (legacy profiles too)")
