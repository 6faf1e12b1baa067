"""Flags that several commands share, defined once so they mean the same everywhere."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any


class _LoginFlow(argparse.Action):
    """``--use-pkce`` / ``--use-device-code``: stored as ``login_flow`` and recorded for the
    run (:func:`ssogen.app.login.prefer`), so every login of the command uses that flow."""

    def __init__(self, option_strings: Sequence[str], dest: str, const: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, const=const, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: str | Sequence[Any] | None, option_string: str | None = None,
                 ) -> None:
        from ssogen.app.login import prefer

        setattr(namespace, self.dest, self.const)
        prefer(self.const)


def add_login_options(p: argparse.ArgumentParser, *, no_login: bool = True) -> None:
    """``--use-pkce`` | ``--use-device-code``, ``--no-browser`` (and ``--no-login``) for
    commands that may have to log in."""
    from ssogen.app.login import prefer

    prefer(None)  # a new parser, a new run: no flow asked for yet
    if no_login:
        p.add_argument("--no-login", action="store_true",
                       help="never start a login (exit 4 without a valid or refreshable "
                       "token)")
    flow = p.add_mutually_exclusive_group()
    flow.add_argument("--use-pkce", action=_LoginFlow, const="pkce", dest="login_flow",
                      default=None,
                      help="if a login is needed, log in through a browser on this machine "
                      "(authorization code with PKCE; the default on a desktop). On WSL2 the "
                      "Windows browser opens, and its redirect reaches ssogen on 127.0.0.1 "
                      "through WSL2's localhost forwarding (where that is off, e.g. "
                      "localhostForwarding=false, use --use-device-code)")
    flow.add_argument("--use-device-code", action=_LoginFlow, const="device-code",
                      dest="login_flow", default=None,
                      help="if a login is needed, show a URL and a code to approve in any "
                      "browser, on any device (the default over SSH, in containers, on WSL "
                      "and without a display)")
    p.add_argument("--no-browser", action="store_true",
                   help="if a login is needed, only print the URL (and code); never open a "
                   "browser (SSH, containers). Without --use-pkce it logs in with a device "
                   "code")


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
