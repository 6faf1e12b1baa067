"""Which login flow this run uses: ``--use-pkce`` / ``--use-device-code`` when given, else
the machine's default (:func:`ssogen.model.login_flow.choose_flow` over the facts gathered
here: SSH, container, WSL, display).

The flags reach every command through :func:`ssogen.commands._options.add_login_options`,
which records them here for the run (:func:`prefer`), like ``--no-color`` for the terminal:
so ``setup``, ``sync`` and ``list`` honour them without each request carrying a field. A
caller that knows the flow passes it explicitly instead (``flow=`` of
:func:`ssogen.app.online.token`), which wins.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # no typing import at run time (start-up time, memory)
if TYPE_CHECKING:  # imported where used: this module is imported while argv is parsed
    from collections.abc import Callable, Mapping

    from ssogen.model.login_flow import FlowChoice, MachineFacts

#: the flows :func:`prefer` accepts (``ssogen.model.login_flow.FLOWS``; a test checks it)
FLOWS = ("pkce", "device-code")

#: files that give a container away (Docker, Podman/CRI-O)
CONTAINER_FILES = ("/.dockerenv", "/run/.containerenv")
#: seconds the browser has to come back in a PKCE login (``SSOGEN_PKCE_TIMEOUT`` overrides)
PKCE_TIMEOUT_VARIABLE = "SSOGEN_PKCE_TIMEOUT"

_preferred: list[str | None] = [None]


def prefer(flow: str | None) -> None:
    """Record the flow the command line asked for (None: the machine's default)."""
    if flow is not None and flow not in FLOWS:
        raise ValueError(f"unknown login flow {flow!r}")
    _preferred[0] = flow


def preferred() -> str | None:
    return _preferred[0]


def machine_facts(environ: Mapping[str, str] | None = None, *,
                  exists: Callable[[str], bool] | None = None,
                  platform: str | None = None, proc_root: str = "/proc") -> MachineFacts:
    """What this machine looks like to the login-flow rule."""
    from ssogen.model.login_flow import MachineFacts

    env = os.environ if environ is None else environ
    plat = sys.platform if platform is None else platform
    found = os.path.exists if exists is None else exists
    container = next((f for f in CONTAINER_FILES if found(f)), "")
    if not container and env.get("KUBERNETES_SERVICE_HOST"):
        container = "Kubernetes"
    if plat == "darwin" or plat.startswith("win"):
        display = True
    else:
        display = bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))
    from ssogen.store.machine import is_wsl

    wsl = plat.startswith("linux") and is_wsl(env, proc_root)
    return MachineFacts(ssh=bool(env.get("SSH_CONNECTION") or env.get("SSH_TTY")),
                        container=container, wsl=wsl, display=display)


def choose(*, flow: str | None = None, legacy: bool = False,
           no_browser: bool = False) -> FlowChoice:
    """The flow for a login now: ``flow``, else the command line's, else the default."""
    from ssogen.model.login_flow import MachineFacts, choose_flow

    requested = flow if flow is not None else preferred()
    facts = MachineFacts() if requested is not None else machine_facts()
    return choose_flow(requested, facts, legacy=legacy, no_browser=no_browser)


def pkce_timeout(environ: Mapping[str, str] | None = None) -> float:
    """How long a PKCE login waits for the browser: ``SSOGEN_PKCE_TIMEOUT`` seconds, else
    600 (the AWS CLI's wait)."""
    from ssogen.aws.pkce import DEFAULT_TIMEOUT
    from ssogen.errors import UsageError

    raw = (os.environ if environ is None else environ).get(PKCE_TIMEOUT_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 86400:
        raise UsageError(f"{PKCE_TIMEOUT_VARIABLE}={raw[:20]!r} is not a positive number of "
                         "seconds (at most 86400)")
    return value
