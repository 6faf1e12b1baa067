"""``ssogen console``: the AWS console in the browser, signed in as a profile's role.

The login URL signs in whoever opens it for 15 minutes, so it is handled as a secret: opened in
the browser and never shown, or -- only with ``--print`` -- written to stdout, with a warning on
stderr. When no browser can be opened that is said before any credentials are fetched.
"""

from __future__ import annotations

import argparse
import sys

from ssogen.commands import SUMMARY

EPILOG = """\
examples:
  ssogen console --profile prod-admin                 open the console in your browser
  ssogen console --profile prod-admin --destination /ec2/home?region=eu-west-1
  ssogen console --profile prod-admin --duration 43200    a 12-hour console session
  ssogen console --profile prod-admin --print         print the sign-in URL instead (a secret)

The role credentials come from the cached SSO token (refreshed when possible; nothing logs in
here), exactly as `ssogen export-credentials` gets them; profiles with temporary credentials in
~/.aws/credentials (`ssogen import-credentials`) work too. They are exchanged for a sign-in
token at the federation endpoint of the profile's partition, chosen by its region (else its
sso_region): signin.aws.amazon.com, signin.amazonaws.cn, signin.amazonaws-us-gov.com, or
<region>.signin.amazonaws-eusc.eu (the last not confirmed by AWS documentation).

environment:
  AWS_ENDPOINT_URL_SIGNIN   replaces the federation endpoint (e.g. the built-in emulator:
                            http://127.0.0.1:PORT; /federation is appended); ignored under
                            AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true
  BROWSER                   the browser to open (on WSL2 the Windows browser is used)

The sign-in URL is valid for 15 minutes and signs in anyone who opens it: without --print it
is never printed or logged. On WSL2 it opens in the Windows browser.

exit codes: 0 opened (or printed), 2 bad flag, unknown profile or no browser (use --print),
            4 not logged in (`ssogen login --profile NAME`), 5 AWS refused or unreachable
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "console", parents=[common], epilog=EPILOG,
        help=SUMMARY["console"],
        description="Open the AWS Management Console in your browser (on WSL2 the Windows "
        "browser), signed in with a profile's role credentials through the AWS sign-in "
        "federation endpoint.",
    )
    p.add_argument("--profile", required=True, metavar="NAME",
                   help="profile in the config file (or the credentials file)")
    p.add_argument("--print", action="store_true", dest="print_url",
                   help="print the sign-in URL on stdout instead of opening it (a secret: it "
                   "signs anyone in for 15 minutes)")
    p.add_argument("--destination", metavar="URL",
                   help="console page to land on: an https URL, or a path on the partition's "
                   "console such as /s3/home (default: the console home)")
    p.add_argument("--duration", type=int, metavar="SECONDS",
                   help="console session length, 900-43200 seconds (default: as long as the "
                   "role credentials last)")
    return p


def run(args: argparse.Namespace) -> int:
    from ssogen.app.console import ConsoleRequest, sign_in
    from ssogen.errors import UsageError
    from ssogen.store.snapshot import ConfigSnapshot
    from ssogen.ui import browser
    from ssogen.ui import terminal as ui

    no_browser = UsageError(
        "no browser can be opened here; run again with --print to get the sign-in URL")
    if not args.print_url and browser.plan_open("https://console.aws.amazon.com/") is None:
        raise no_browser  # said before a sign-in token exists
    snapshot = ConfigSnapshot.read(args.config)
    request = ConsoleRequest(profile=args.profile, config_path=args.config,
                             destination=args.destination, duration=args.duration)
    signin = sign_in(request, snapshot)
    who = f" ({signin.who})" if signin.who else ""
    if signin.unconfirmed_endpoint:
        ui.warn(f"the {signin.partition} sign-in endpoint {signin.federation_host} is not "
                "confirmed by AWS documentation")
    if args.print_url:
        ui.warn(f"this URL signs anyone who opens it in to the AWS console as profile "
                f"{signin.profile}{who} for 15 minutes: do not share or log it")
        sys.stdout.write(signin.url + "\n")
        sys.stdout.flush()
        return 0
    if not browser.open_url(signin.url):
        raise no_browser
    ui.info(f"Opened the AWS console for profile {signin.profile}{who} in your browser.")
    return 0
