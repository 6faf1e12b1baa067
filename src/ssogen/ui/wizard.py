"""The ``ssogen setup`` conversation: questions in, plain data out.

Everything here asks and answers; nothing logs in, discovers or writes. The caller
(``commands/setup.py``) runs the pipeline between the two halves, through :class:`Wizard`:

1. :func:`~ssogen.ui.wizard_session.ask_session` → :class:`SessionChoice` (reuse an
   ``[sso-session]`` -- also when the start URL typed is another spelling of its URL --,
   adopt a legacy profile's start URL, or create one: start URL, SSO region, session name);
2. the caller logs in and discovers → ``Inventory``;
3. :func:`~ssogen.ui.wizard_profiles.ask_profiles` → ``Settings`` (name template with a live
   preview, roles, accounts, default region, per-account regions, output);
4. here: :func:`ask_write`, a summary of the changes and every warning, then yes / no / view
   the diff → bool (and the questions around it: migrate legacy profiles, adopt hand-written
   ones, the Windows config on WSL2).

Every question has a flag that pre-answers it. A :class:`Prompter` asks: :class:`TerminalPrompter`
(the terminal, :mod:`ssogen.ui.picker`) or :class:`DefaultsPrompter` (``--yes``: every default,
no terminal). A question without a usable default under ``--yes`` is a one-line UsageError
naming the flag that answers it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ssogen.app.ports import Answers, SessionChoice
from ssogen.app.sessions import Known
from ssogen.ui import wizard_profiles, wizard_session
from ssogen.ui.prompter import Prompter
from ssogen.ui.textfit import count

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ssogen.app.generate import GenerationResult
    from ssogen.app.setup import WriteSummary
    from ssogen.model.inventory import Inventory
    from ssogen.model.settings import Settings


# ---------------------------------------------------------------------------------------------
# step 4: confirm
# ---------------------------------------------------------------------------------------------
def ask_migrate(p: Prompter, names: Sequence[str], start_url: str, session: str) -> bool:
    """Legacy profiles (``sso_start_url`` in the profile) for this start URL: move them to
    ``sso_session = NAME``? Default no (it edits profiles ssogen did not write); never under
    --yes (``--migrate-legacy`` says yes)."""
    if not names or not p.interactive:
        return False
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    p.say(f"Legacy profiles ({shown}) keep sso_start_url/sso_region themselves; migrated, they "
          f"use [sso-session {session}] and its login (every other line stays as it is).")
    return p.confirm(f"Migrate {count(len(names), 'legacy profile')} for {start_url} to "
                     f"[sso-session {session}]?", default=False, flag="--migrate-legacy")


def ask_adopt(p: Prompter, names: Sequence[str]) -> bool:
    """Hand-written profiles already pointing at a generated account/role: let ssogen manage
    them (adds ``ssogen_managed = true``, nothing else)? Never without consent: --yes says no."""
    if not names or not p.interactive:
        return False
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    wrote = (f"{count(len(names), 'profile')} you wrote already "
             f"{'points' if len(names) == 1 else 'point'} at these roles ({shown}).")
    return p.confirm(f"{wrote} Let ssogen manage {'it' if len(names) == 1 else 'them'} (adds "
                     "ssogen_managed = true, nothing else) instead of skipping those roles?",
                     default=False, flag="--adopt")


WRITE_CHOICES = (("y", "yes"), ("n", "no"), ("d", "view diff"))


def ask_write(p: Prompter, summary: WriteSummary, *, show_diff: Callable[[], None]) -> bool:
    """The summary of what changes (a few lines, never the whole diff), every warning right
    above the question, then: yes / no / view the diff (a pager), as often as wished."""
    from ssogen.ui import render
    from ssogen.ui.textfit import columns

    p.say("\n".join(render.summary_lines(summary, columns())))
    for note in summary.warnings:
        render.warn(note)
    question = f"Write these changes to {render.display_path(summary.config)}?"
    while True:
        key = p.keys(question, WRITE_CHOICES, default="y", flag="--yes")
        if key != "d":
            return key == "y"
        show_diff()


def ask_windows(p: Prompter, folder: str, default: bool) -> bool:
    """WSL2: the same profiles in the Windows config, and each login copied there?"""
    if not p.interactive:
        return default
    return p.confirm(f"Also write these profiles into the Windows config ({folder}) and copy "
                     "each login there, so `aws` in PowerShell needs no second login?",
                     default=default, flag="--windows/--no-windows")


class Wizard:
    """The setup conversation on a :class:`Prompter` (:class:`ssogen.app.ports.Questions`).
    ``warnings``: what was warned earlier in the run (the reporter's list), repeated above the
    final question so that none has scrolled away."""

    def __init__(self, prompter: Prompter, warnings: Sequence[str] = ()) -> None:
        self.prompter = prompter
        self.interactive = prompter.interactive
        self.warnings = warnings

    def ask_session(self, known: Sequence[Known], answers: Answers) -> SessionChoice:
        return wizard_session.ask_session(self.prompter, known, answers)

    def ask_profiles(self, base: Settings, inventory: Inventory, answers: Answers) -> Settings:
        return wizard_profiles.ask_profiles(self.prompter, base, inventory, answers)

    def ask_migrate(self, names: Sequence[str], start_url: str, session: str) -> bool:
        return ask_migrate(self.prompter, names, start_url, session)

    def ask_adopt(self, names: Sequence[str]) -> bool:
        return ask_adopt(self.prompter, names)

    def ask_windows(self, folder: str, default: bool) -> bool:
        return ask_windows(self.prompter, folder, default)

    def confirm(self, result: GenerationResult) -> bool:
        """The last step: the summary and the warnings, then "write them?" (the diff on
        request, through a pager)."""
        from ssogen.app.setup import write_summary
        from ssogen.ui import render

        summary = write_summary(result, earlier=self.warnings)
        result.notes = []  # shown now; the report would repeat them
        return ask_write(self.prompter, summary, show_diff=lambda: render.page(result.diff))
