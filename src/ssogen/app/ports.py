"""How the flows talk to the person: through these two interfaces, never by printing.

The terminal implements them (:mod:`ssogen.ui`); a test, a library user or ``--yes`` hand in
their own. The data the conversation exchanges is defined here too, so that the flows and the
wizard agree on it without either importing the other's internals.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from ssogen.model.events import LoginPrompt
from ssogen.records import field, record

if TYPE_CHECKING:
    from ssogen.app.generate import GenerationResult
    from ssogen.app.sessions import Known
    from ssogen.model.events import ProgressSink
    from ssogen.model.inventory import Inventory
    from ssogen.model.settings import Settings


class Reporter(Protocol):
    """Where the flows say things (all of it on stderr in the terminal, never a secret)."""

    def info(self, message: str) -> None: ...

    def warn(self, message: str) -> None: ...

    def login_prompt(self, prompt: LoginPrompt) -> None:
        """A device-code login waits for approval: show the URL and code (and, on a
        desktop, open the browser)."""

    def progress(self, label: str) -> ProgressSink: ...


@record
class SessionChoice:
    session: str
    start_url: str
    sso_region: str
    reused: bool  # an existing [sso-session] is reused (not written anew)
    from_legacy: tuple[str, ...] = ()  # legacy profiles whose start URL this session takes over


@record
class Answers:
    """Flag values that pre-answer the wizard's questions (None = ask)."""

    start_url: str | None = None
    sso_region: str | None = None
    session: str | None = None
    region: str | None = None
    output: str | None = None
    name_template: str | None = None
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    account_regions: dict[str, str] | None = None  # --account-region: pattern -> region
    # the settings come from a previous run ([ssogen NAME]): under --yes they stay as they are
    remembered: bool = False


class Questions(Protocol):
    """The setup conversation (the wizard, or every default under ``--yes``)."""

    interactive: bool

    def ask_session(self, known: Sequence[Known], answers: Answers) -> SessionChoice: ...

    def ask_profiles(self, base: Settings, inventory: Inventory,
                     answers: Answers) -> Settings: ...

    def ask_migrate(self, names: Sequence[str], start_url: str, session: str) -> bool: ...

    def ask_adopt(self, names: Sequence[str]) -> bool: ...

    def ask_windows(self, folder: str, default: bool) -> bool:
        """WSL2: write the profiles into the Windows config in ``folder`` too, and copy each
        login there? (Asked only in the wizard; ``--yes`` keeps the remembered choice.)"""

    def confirm(self, result: GenerationResult) -> bool:
        """Show what is about to change and ask before writing."""
