"""``make screens``: the wizard's main screens, as text, in docs/screens/.

It runs the real ``ssogen setup`` in a pseudo-terminal (pexpect) against the built-in
emulator (40 generated accounts, the same every run), types what a person types -- a short
start URL, a region typo, a filter in the account picker -- and renders the terminal with pyte
at 80×24. Each screen is written as ``docs/screens/NN-name.txt`` (framed, so the terminal's
edge shows) and listed in ``docs/screens/README.md``. The sandbox HOME is temporary: nothing
outside it is read or written.

What changes from run to run is made stable so that a regeneration only shows real changes:
the emulator's port becomes ``PORT``, the login code ``ABCD-EFGH``.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))  # the pty harness the wizard's tests use

from ptyscreen import CTRL_U, ENTER, SPACE, TAB, PtyScreen  # noqa: E402
from ssogen.emulator import Emulator, Organization  # noqa: E402

OUT = REPO / "docs" / "screens"
ROWS, COLS = 24, 80

#: (file stem, what the screen shows)
SCREENS: list[tuple[str, str]] = []


def shot(s: PtyScreen, stem: str, caption: str, code: str, port: int) -> None:
    s.settle(0.6)
    text = "\n".join(s.lines)
    text = text.replace(code, "ABCD-EFGH").replace(f"127.0.0.1:{port}", "127.0.0.1:PORT")
    frame = "+" + "-" * COLS + "+"
    body = "\n".join(f"|{line.ljust(COLS)}|" for line in text.split("\n"))
    (OUT / f"{stem}.txt").write_text(f"{frame}\n{body}\n{frame}\n", encoding="utf-8")
    SCREENS.append((stem, caption))
    print(f"  {stem}.txt  {caption}")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.txt"):
        old.unlink()
    root = Path(tempfile.mkdtemp(prefix="ssogen-screens-"))
    home = root / "home"
    home.mkdir()
    # the login waits a few polls for approval, so the countdown is on screen for a moment
    emu = Emulator(Organization.generate(40), auto_approve_after=3).start()
    port = int(emu.url.rsplit(":", 1)[1])
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("AWS_") and k not in ("BROWSER", "PAGER")}
    env.update(emu.endpoint_env())
    env.update({"HOME": str(home), "AWS_CONFIG_FILE": str(home / ".aws" / "config"),
                "NO_COLOR": "1"})
    s = PtyScreen([sys.executable, "-m", "ssogen", "setup", "--no-browser"], env=env,
                  cwd=home, rows=ROWS, cols=COLS)
    code = "\0"
    try:
        print(f"docs/screens/ ({COLS}x{ROWS}):")
        s.wait(r"AWS access portal \(start\) URL:")
        s.type("acme")
        s.wait(r"→ https://acme\.awsapps\.com/start")
        shot(s, "01-start-url", "the start URL: `acme` is understood, the URL it will use "
             "is shown", code, port)
        s.send(ENTER)
        s.wait(r"IAM Identity Center \(SSO\) region:")
        s.type("eu-wset-1")
        s.wait("closest: eu-west-1")
        s.send(ENTER)
        s.wait_words("Take eu-wset-1 as typed?")
        shot(s, "02-sso-region-typo", "a region typo: refused, the closest region offered "
             "(Tab takes it), taken as typed only after a y", code, port)
        s.send("n", TAB, ENTER)
        s.wait(r"Name of the \[sso-session\]")
        s.send(ENTER)
        m = s.wait(r"^([A-Z]{4}-[A-Z]{4})$")
        code = m.group(1)
        s.wait(r"code expires in \d+:\d\d")
        shot(s, "03-login", "the device-code login: URL and code, a countdown to the code's "
             "expiry", code, port)
        s.wait("How should the profiles be named")
        shot(s, "04-names", "profile names: presets with a live preview of the real names",
             code, port)
        s.send(ENTER)
        s.wait(r"Which roles, in every account\?")
        shot(s, "05-roles", "roles, chosen for every account at once, with how many accounts "
             "have each", code, port)
        s.send(ENTER)
        s.wait(r"Which accounts\?")
        s.type("prod")
        s.wait(r"shown; ctrl-a/n/t act on these")
        s.send(SPACE)
        s.wait(r"→ 39 of 40 accounts")
        shot(s, "06-accounts", "accounts: aligned names and ids, profiles per account, a "
             "filter on the question line, all/none/invert on what it shows", code, port)
        s.send(CTRL_U, ENTER)
        s.wait("Default region for the profiles")
        s.send(ENTER)
        s.wait("Default output format")
        s.send(ENTER)
        s.wait(r"Different region for some accounts\?")
        s.send("y")
        s.wait(r"Which accounts get another region\?")
        s.type("payments")
        s.send(SPACE, CTRL_U, ENTER)
        s.wait(r"Region for 1 account:")
        s.type("us-east-1")
        s.send(ENTER)
        s.wait(r"Another region for other accounts\?")
        s.send(ENTER)
        s.wait(r"Write these changes to ~/\.aws/config\?")
        shot(s, "07-summary", "the last question: a summary that fits one screen, every "
             "warning above it; the diff only on request (d)", code, port)
        s.send("y")
        status = s.finish()
        shot(s, "08-written", "written: what changed, and what to run next", code, port)
        if status != 0:
            print(f"setup exited {status}", file=sys.stderr)
            return 1
    finally:
        s.close()
        emu.stop()
        shutil.rmtree(root, ignore_errors=True)
    lines = ["# The wizard's screens", "",
             f"What `ssogen setup` shows at {COLS}×{ROWS}, rendered from a pseudo-terminal by "
             "pyte. Generated by `make screens` (tools/screens.py) from the real wizard against "
             "the built-in emulator (40 generated accounts); the emulator's port and the "
             "login code are replaced by `PORT` and `ABCD-EFGH` so that a regeneration shows "
             "only real changes.", ""]
    lines += [f"* [{stem}]({stem}.txt): {caption}" for stem, caption in SCREENS]
    (OUT / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
