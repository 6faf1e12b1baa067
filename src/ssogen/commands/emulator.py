"""``ssogen emulator``: run the built-in IAM Identity Center emulator alone, for the demo,
for trying ssogen (or the AWS CLI, or any SDK) without AWS, and for users' own tests."""

from __future__ import annotations

import argparse
import sys

from ssogen.commands import SUMMARY

TYPE_CHECKING = False  # typing itself is not imported: `ssogen COMMAND --help` stays light
if TYPE_CHECKING:
    from types import FrameType

EPILOG = """\
examples:
  ssogen emulator                              sample organisation (6 accounts), random port
  ssogen emulator --port 8765 --auto-approve-after 1
  ssogen emulator --generate 500 --rate-limit 20 --latency-ms 100
  ssogen emulator --data inventory.json        serve the accounts of a saved inventory
  ssogen emulator --fault-rate 0.05            5 % of portal calls fail (500 or dropped)

then, in another terminal, paste the export lines it prints and run e.g.:
  ssogen setup --start-url https://acme.awsapps.com/start --sso-region eu-west-1

approve the login at the printed /device page (or use --auto-approve-after), then:
  aws s3 ls --profile <a generated profile>     (STS and S3 are emulated too)

`aws sso login` (AWS CLI v2, PKCE or --use-device-code) works against it the same way.

Any start URL and region are accepted. Control API for scripts: GET <url>/_emulator/state,
POST <url>/_emulator/approve, POST <url>/_emulator/advance_clock {"seconds": N}, ...
Stops on Ctrl-C (exit 0).
"""


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return value


def _fraction(text: str) -> float:
    value = _positive_float(text)
    if value > 1:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return value


def _port(text: str) -> int:
    value = _count(text)
    if value > 65535:
        raise argparse.ArgumentTypeError("must be 0..65535")
    return value


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "emulator", parents=[common],
        help=SUMMARY["emulator"],
        description="Serve the sso-oidc and sso portal APIs on 127.0.0.1, as botocore speaks "
        "them, with a sample (or your) organisation, plus STS GetCallerIdentity and S3 "
        "ListBuckets for the role credentials it issues. Point any AWS tool at it with the "
        "AWS_ENDPOINT_URL_* variables it prints.",
        epilog=EPILOG,
    )
    p.add_argument("--port", type=_port, default=0, help="TCP port (default: 0 = a free one)")
    org = p.add_mutually_exclusive_group()
    org.add_argument("--data", metavar="FILE",
                     help="organisation from an inventory JSON file (only 'accounts' needed)")
    org.add_argument("--generate", type=_count, metavar="N",
                     help="N generated accounts with 1-4 roles each (deterministic, --seed)")
    p.add_argument("--seed", type=int, default=0, help="seed for --generate and faults")
    p.add_argument("--latency-ms", type=_positive_float, default=0, metavar="MS",
                   help="added to every API call (default 0)")
    p.add_argument("--rate-limit", type=_positive_float, default=None, metavar="RPS",
                   help="requests per second per portal API; more get 429 "
                   "TooManyRequestsException (default: unlimited)")
    p.add_argument("--fault-rate", type=_fraction, default=0.0, metavar="F",
                   help="fraction of portal calls that fail (default 0)")
    p.add_argument("--fault-kinds", default="500,drop", metavar="KINDS",
                   help="comma list of 500 (InternalServerException) and drop (connection "
                   "closed abruptly); default both")
    p.add_argument("--auto-approve-after", type=_count, default=None, metavar="K",
                   help="approve a login by itself after K pending polls (0 = at once)")
    p.add_argument("--token-ttl", type=_count, default=3600, metavar="SECONDS",
                   help="access token lifetime (default 3600)")
    p.add_argument("--session-ttl", type=_count, default=8 * 3600, metavar="SECONDS",
                   help="how long refresh tokens of one sign-in work (default 28800 = 8 h)")
    p.add_argument("--expires-in", type=_count, default=600, metavar="SECONDS",
                   help="device code lifetime (default 600)")
    p.add_argument("--interval", type=_count, default=1, metavar="SECONDS",
                   help="polling interval the device authorization asks for (default 1)")
    p.add_argument("--verification-style", choices=("classic", "signin"), default="classic",
                   help="device verification URL: classic (/device?user_code=...) or signin "
                   "(/platform/authorize?request_uri=..., no code in it, as AWS since 2026)")
    return p


def run(args: argparse.Namespace) -> int:
    from ssogen.emulator import Emulator, Organization
    from ssogen.errors import UsageError

    if args.data:
        org = Organization.load(args.data)
    elif args.generate is not None:
        org = Organization.generate(args.generate, seed=args.seed)
    else:
        org = Organization.sample()
    kinds = tuple(k.strip() for k in args.fault_kinds.split(",") if k.strip())
    try:
        emu = Emulator(org, latency_ms=args.latency_ms, rate_limit=args.rate_limit or None,
                       fault_rate=args.fault_rate, fault_kinds=kinds,
                       auto_approve_after=args.auto_approve_after, token_ttl=args.token_ttl,
                       expires_in=args.expires_in, interval=args.interval,
                       session_ttl=args.session_ttl, port=args.port,
                       seed=args.seed, verbose=bool(args.verbose),
                       verification_style=args.verification_style)
    except ValueError as exc:
        raise UsageError(f"emulator: {exc}") from None
    try:
        emu.start()
    except OSError as exc:
        raise UsageError(f"emulator: cannot listen on 127.0.0.1:{args.port} "
                         f"({exc.strerror or exc})") from None

    import signal
    import threading

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    try:
        out = sys.stdout
        exports = "".join(f"export {k}={v}\n" for k, v in emu.endpoint_env().items())
        out.write(
            f"ssogen emulator: IAM Identity Center (sso-oidc + sso portal) at {emu.url}\n"
            f"  {len(org)} accounts, {org.role_count} roles; approve logins at "
            f"{emu.url}/device\n"
            "  STS (GetCallerIdentity, AssumeRole), S3 ListBuckets and /federation (console\n"
            "  sign-in) answer the role credentials it issues\n"
            f"  point AWS tools here with:\n{exports}"
            "  Ctrl-C to stop.\n")
        out.flush()
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        emu.stop()
        signal.signal(signal.SIGTERM, previous)
    print("ssogen emulator: stopped.", file=sys.stderr)
    return 0
