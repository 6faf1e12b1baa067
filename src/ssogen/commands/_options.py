"""Flags that several commands share, defined once so they mean the same everywhere."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

TYPE_CHECKING = False  # no typing import at run time (start-up time, memory)
if TYPE_CHECKING:
    from typing import Any

    from ssogen.model.chain import ChainSpec


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


CHAIN_HELP = """\
chained profiles (--chain SPEC, repeatable; remembered for sync):
  SPEC is `SOURCE_GLOB=ROLE_ARN[:NAME_TEMPLATE]`, then optionally `;role_session_name=NAME`
  and `;duration_seconds=N`. Every generated profile whose name matches SOURCE_GLOB
  (case-insensitive, as --include) gets a profile of its own with
  `source_profile = <that profile>` and `role_arn = ROLE_ARN`.

  ROLE_ARN is arn:<partition>:iam::<account id>:role/[<path>/]<name>, in the session's
  partition; it may use {{ account_id }} (the source's account), account_name, role_name,
  role, source, session. NAME_TEMPLATE (default `{{ source }}-to-{{ target_role | kebab }}`)
  sees the same plus target_account_id and target_role, and the name template filters.

  role_session_name (2-64 of A-Z a-z 0-9 _+=,.@-) and duration_seconds (900-3600: AWS gives
  a role assumed from SSO role credentials at most one hour) are written as such.
  Chained profiles follow their source: renamed with it, stale and pruned with it.
  --no-chain forgets the remembered specs (their profiles go stale; --prune removes them).
"""


def add_chain_options(p: argparse.ArgumentParser) -> None:
    """``--chain SPEC`` (repeatable) and ``--no-chain`` (``setup`` and ``sync``)."""
    group = p.add_mutually_exclusive_group()
    group.add_argument("--chain", action="append", metavar="SPEC",
                       help="also a profile that assumes a role from each generated profile "
                       "matching a glob: 'SOURCE_GLOB=ROLE_ARN[:NAME_TEMPLATE]', options "
                       "after ';' (see below; repeatable; replaces the remembered ones)")
    group.add_argument("--no-chain", action="store_true",
                       help="forget the remembered --chain specs")


def chain_specs(args: argparse.Namespace) -> tuple[ChainSpec, ...] | None:
    """The --chain flags parsed (None: keep the remembered ones; (): --no-chain); a bad spec
    is a one-line exit-2 error naming it."""
    if args.no_chain:
        return ()
    if args.chain is None:
        return None
    from ssogen.errors import UsageError
    from ssogen.model import chain

    specs = []
    for text in args.chain:
        try:
            specs.append(chain.parse(text))
        except ValueError as exc:
            raise UsageError(f"--chain {text[:200]!r}: {exc}") from None
    return tuple(specs)
