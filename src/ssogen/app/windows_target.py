"""Where a WSL2 Windows mirror (:mod:`ssogen.app.windows`) writes, and whether it can now.

A Windows folder ssogen must not write into (drive not mounted, a symlink, not a folder,
read-only) is checked before anything is written. Asked for with ``--windows``, that is an
error (exit 2, nothing written anywhere); remembered, it is one warning line and the Linux file
is written as usual (exit code unchanged).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ssogen.errors import ConfigFileError
from ssogen.records import record
from ssogen.store.mirror import Problem

if TYPE_CHECKING:
    from ssogen.app.ports import Reporter


@record(frozen=True)
class Target:
    """One Windows ``.aws`` folder to mirror into, and how a problem with it is reported."""

    folder: Path  # the Windows user's .aws folder, as WSL sees it
    explicit: bool = False  # --windows: a problem is an error, not a warning
    shown: str = ""  # as Windows names it (C:\Users\me\.aws), when known

    @property
    def config(self) -> Path:
        return self.folder / "config"

    @property
    def label(self) -> str:
        return self.shown or str(self.folder)


def problem_of(target: Target) -> Problem | None:
    """Why the Windows side cannot be written now (the drive's mount first), or None."""
    from ssogen.app.wsl import automount_problem, drive_root
    from ssogen.store.mirror import folder_problem

    root = drive_root()
    if root in target.folder.parents and not root.is_dir():
        located = automount_problem(root)
        return Problem.of_error(root, located.problem or "", located.hint)
    return folder_problem(target.folder)


def refuse(target: Target, problem: Problem, reporter: Reporter, linux: str,
           written: bool = False) -> None:
    """Asked for (``--windows``): an error. Remembered: one warning line (and the hint)."""
    if target.explicit:
        tail = (f"{linux} was written, the Windows config is unchanged" if written
                else "nothing written (--windows asked for the Windows copy)")
        raise ConfigFileError(f"{problem}; {tail}", hint=problem.hint)
    reporter.warn(f"Windows copy skipped: {problem}; {linux} is handled as usual")
    if problem.hint:
        reporter.info(f"  hint: {problem.hint}")

