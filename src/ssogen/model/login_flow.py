"""Which login flow a run uses, as a rule over plain facts about the machine.

Two flows log in to IAM Identity Center:

* **PKCE** (authorization code, RFC 7636): the browser on *this* machine opens the sign-in
  page, which redirects to ssogen on ``http://127.0.0.1:<port>``. Nothing to type; it needs a
  browser that can reach this machine's loopback address.
* **device code** (RFC 8628): a URL and a code, approved in any browser on any device. It
  works everywhere, including where no local browser exists or can reach ssogen.

``--use-pkce`` / ``--use-device-code`` choose; without them :func:`choose_flow` picks PKCE on a
desktop with a browser and the device code where a local browser is missing or cannot reach
the loopback callback: an SSH session, a container, Linux without a display, WSL (whose
Windows browser reaches ssogen only through WSL2's localhost forwarding, which some setups
turn off), ``--no-browser``, and legacy profiles (the AWS CLI v2 uses the device code for
those too, docs/AWS-NOW.md §a). The facts are gathered elsewhere (``ssogen.app.login``); this
module only decides, so the rule is tested without a machine.
"""

from __future__ import annotations

from ssogen.model.events import DEVICE_CODE, PKCE
from ssogen.records import record

FLOWS = (PKCE, DEVICE_CODE)
#: the flag that selects each flow (and that the one-line note suggests for the other)
FLAG = {PKCE: "--use-pkce", DEVICE_CODE: "--use-device-code"}


@record(frozen=True)
class MachineFacts:
    """What the default depends on. ``container``: what gave a container away (e.g.
    ``"/.dockerenv"``), or ""."""

    ssh: bool = False
    container: str = ""
    wsl: bool = False
    display: bool = False  # a graphical session (macOS and Windows always have one)


@record(frozen=True)
class FlowChoice:
    """The flow a login uses, and why."""

    flow: str  # PKCE | DEVICE_CODE
    reason: str  # e.g. "no local browser: SSH session"
    explicit: bool = False  # chosen by --use-pkce / --use-device-code
    other_works: bool = True  # False: the other flow is no way out here (no browser to use)

    @property
    def note(self) -> str:
        """The one line that says what the default picked ("" when a flag chose)."""
        if self.explicit:
            return ""
        if self.flow == PKCE:
            return (f"ssogen: logging in through the browser ({self.reason}) — "
                    f"{FLAG[DEVICE_CODE]} to use a code instead")
        if not self.other_works:  # --no-browser, or a legacy profile: no flag to offer
            return f"ssogen: logging in with a device code ({self.reason})"
        return (f"ssogen: logging in with a device code ({self.reason}) — "
                f"{FLAG[PKCE]} to use the browser flow")


def choose_flow(requested: str | None, facts: MachineFacts, *, legacy: bool = False,
                no_browser: bool = False) -> FlowChoice:
    """The flow for one login: ``requested`` (a flag's flow) when given, else the machine's
    default. A legacy profile always uses the device code (as ``aws sso login`` does); the
    caller refuses ``--use-pkce`` for one."""
    if requested is not None:
        if requested not in FLOWS:
            raise ValueError(f"unknown login flow {requested!r}")
        return FlowChoice(requested, f"{FLAG[requested]} given", explicit=True)
    if legacy:
        return FlowChoice(DEVICE_CODE, "a legacy profile without [sso-session]",
                          other_works=False)
    if no_browser:
        return FlowChoice(DEVICE_CODE, "--no-browser", other_works=False)
    if facts.ssh:
        return FlowChoice(DEVICE_CODE, "no local browser: SSH session")
    if facts.container:
        return FlowChoice(DEVICE_CODE, f"no local browser: container ({facts.container})")
    if facts.wsl:
        return FlowChoice(DEVICE_CODE, "WSL: the Windows browser may not reach 127.0.0.1 "
                          "here")
    if not facts.display:
        return FlowChoice(DEVICE_CODE, "no local browser: no display")
    return FlowChoice(PKCE, "a desktop with a browser")
