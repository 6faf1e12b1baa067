"""WSL2, one login for both sides: the profiles written into the Windows user's
``.aws\\config`` too, and every login copied into its token cache.

What is remembered and what the flags mean is :mod:`ssogen.model.windows`; where the Windows
folder is, :mod:`ssogen.app.wsl`; the Windows-side files, :mod:`ssogen.store.mirror`.

This module is the Windows side of a run as ``setup`` and ``sync`` drive it
(:class:`SetupMirror`, :class:`SyncMirror`): the folders checked and the sessions armed before
any login, the Windows file planned (and written) after the Linux one -- in ``setup`` only when
the Linux write was not declined -- and each session's login copied at the end (a login made
by ``aws sso login``). The parts it composes, one role each:

* :mod:`~ssogen.app.windows_target`: the folder, and why it cannot be written now -- an error
  when asked for with ``--windows`` (exit 2, nothing written anywhere), one warning line when
  remembered (the Linux file is written as usual, exit code unchanged);
* :mod:`~ssogen.app.windows_config`: the Windows config, planned by the same engine on its own
  bytes and written under its own lock, never over a change made since it was read;
* :mod:`~ssogen.app.windows_tokens`: the logins copied into the Windows token cache, as they
  are saved and on demand (``login`` and ``list`` use it directly).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ssogen.app.windows_config import Options, attach, mirror_config, plan_file
from ssogen.app.windows_target import Target, problem_of, refuse
from ssogen.app.windows_tokens import arm_remembered, push
from ssogen.errors import ConfigFileError, UsageError
from ssogen.model.windows import AUTO, OFF, is_folder
from ssogen.records import replace
from ssogen.store.mirror import Problem

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ssogen.app.generate import GenerationResult, Mode, Work
    from ssogen.app.ports import Questions, Reporter
    from ssogen.app.wsl import Located
    from ssogen.model.inventory import Inventory
    from ssogen.model.settings import Settings
    from ssogen.store.snapshot import ConfigSnapshot


# -- sync ------------------------------------------------------------------------------------
class SyncMirror:
    """``sync``'s Windows side: the remembered folders, checked and armed before any login;
    planned (and written) after the Linux file."""

    def __init__(self, snapshot: ConfigSnapshot, reporter: Reporter) -> None:
        self.snapshot = snapshot
        self.reporter = reporter
        self.targets: dict[Path, Target] = {}
        self.skipped: set[Path] = set()  # remembered folders skipped (said in a warning)

    @classmethod
    def start(cls, snapshot: ConfigSnapshot, chosen: Sequence[Settings], reporter: Reporter,
              *, enabled: bool = True) -> SyncMirror:
        """``enabled=False`` (``--no-windows``): the Windows side is left alone this once."""
        from ssogen.app.wsl import is_wsl
        from ssogen.store.mirror import same_file

        mirror = cls(snapshot, reporter)
        folders = {Path(s.windows_mirror or "") for s in chosen if is_folder(s.windows_mirror)}
        if not enabled:
            return mirror
        if folders and not is_wsl():  # the config came from WSL (dotfiles, CI): not a gap
            reporter.info(f"ssogen: not on WSL: the remembered Windows copy "
                          f"({', '.join(map(str, sorted(folders)))}) is left alone here")
            return mirror
        for folder in sorted(folders):
            target = Target(folder)
            if same_file(target.config, snapshot.path):
                continue  # ~/.aws is the Windows folder: there is nothing to mirror
            problem = problem_of(target)
            if problem is not None:
                refuse(target, problem, reporter, snapshot.path)
                mirror.skipped.add(folder)
                continue
            mirror.targets[folder] = target
        arm_remembered(snapshot, reporter)
        return mirror

    def finish(self, results: Sequence[GenerationResult], work: Work, mode: Mode,
               options: Options) -> None:
        from ssogen.app.sessions import login_session

        for folder, target in self.targets.items():
            mine = [(s, i) for s, i in work if s.windows_mirror == str(folder)]
            mirrored = mirror_config(target, mine, mode, options, self.reporter,
                                     self.snapshot.path)
            if not mirrored:
                self.skipped.add(folder)
            attach(results, mirrored)
            if mode != "write":
                continue
            for settings, _ in mine:
                push(login_session(self.snapshot, settings.session, settings.start_url,
                                   settings.sso_region), target, self.reporter)
        # --check is a gate: a Windows copy that could not be checked is not "in sync"
        unchecked = {s.session for s, _ in work if is_folder(s.windows_mirror)
                     and Path(s.windows_mirror or "") in self.skipped}
        for r in results:
            r.mirror_skipped = r.plan.session in unchecked


# -- setup -----------------------------------------------------------------------------------
class SetupMirror:
    """``setup``'s Windows side: ``--windows`` checked before any login, the choice made
    after the profile questions (before the one Linux write, which remembers it), the
    Windows file written after the Linux one."""

    def __init__(self, flag: str | None, snapshot: ConfigSnapshot,
                 reporter: Reporter) -> None:
        self.flag = flag  # None, "off" (--no-windows), "auto" (--windows) or a folder
        self.snapshot = snapshot
        self.reporter = reporter
        self.target: Target | None = None
        self.windows: ConfigSnapshot | None = None

    @classmethod
    def start(cls, flag: str | None, snapshot: ConfigSnapshot,
              reporter: Reporter) -> SetupMirror:
        mirror = cls(flag, snapshot, reporter)
        if flag == OFF:
            return mirror
        arm_remembered(snapshot, reporter)
        if flag is not None:
            mirror.target = mirror._explicit(flag)
        return mirror

    def _explicit(self, flag: str) -> Target | None:
        from ssogen.app.wsl import locate

        if flag == AUTO:
            found = locate()
            if found.folder is None:
                raise UsageError(f"--windows: {found.problem}", hint=found.hint)
            target = Target(found.folder, explicit=True, shown=found.shown)
        else:
            target = Target(Path(flag), explicit=True)
        return self._usable(target)

    def _usable(self, target: Target) -> Target | None:
        """``target`` when it can be written; else an error (asked for) or a warning."""
        from ssogen.store.mirror import same_file

        if same_file(target.config, self.snapshot.path):
            self.reporter.info(f"ssogen: {self.snapshot.path} is the Windows config already "
                               "(the same file); nothing to mirror")
            return None
        problem = problem_of(target)
        if problem is not None:
            refuse(target, problem, self.reporter, self.snapshot.path)
            return None
        return target

    def choose(self, settings: Settings, inventory: Inventory,
               questions: Questions) -> Settings:
        """The settings with the choice to remember; the Windows file read and planned now,
        so that a file ssogen cannot use is said before anything is written."""
        if self.flag == OFF:
            return replace(settings, windows_mirror=OFF)
        if self.target is None and self.flag is None:
            remembered, self.target = self._ask(settings, questions)
            if self.target is None:
                return replace(settings, windows_mirror=remembered)
        if self.target is None:
            return settings
        if not self._preplan(settings, inventory):
            return settings
        return replace(settings, windows_mirror=str(self.target.folder))

    def _preplan(self, settings: Settings, inventory: Inventory) -> bool:
        from ssogen.store.snapshot import ConfigSnapshot

        assert self.target is not None
        try:
            self.windows = ConfigSnapshot.read(self.target.config)
            plan_file(self.windows, [(settings, inventory)], Options())
        except ConfigFileError as exc:
            problem = Problem.of_error(self.target.config, exc.message, exc.hint)
            refuse(self.target, problem, self.reporter, self.snapshot.path)
            self.target = None
            return False
        return True

    def _ask(self, settings: Settings, questions: Questions) -> tuple[str | None, Target | None]:
        """No flag: (what to remember, the target) from what was remembered, what was found,
        and the wizard's answer. ``--yes`` keeps the remembered choice and never turns the
        mirror on by itself."""
        remembered = settings.windows_mirror
        if is_folder(remembered):
            target = self._usable(Target(Path(remembered or "")))
            if target is None or not questions.interactive:
                return remembered, target
            return self._answer(questions, target, default=True)
        if remembered == OFF and not questions.interactive:
            return remembered, None
        found = self._found(quiet=remembered == OFF)
        if found is None:
            return remembered, None
        if not questions.interactive:
            if remembered != OFF:
                self.reporter.info(f"ssogen: found the Windows user's .aws folder "
                                   f"({found.label}); `ssogen setup --windows` also writes "
                                   "these profiles and copies each login there")
            return remembered, None
        return self._answer(questions, found, default=remembered != OFF)

    def _answer(self, questions: Questions, target: Target, *, default: bool,
                ) -> tuple[str | None, Target | None]:
        if questions.ask_windows(target.label, default):
            return str(target.folder), target
        return OFF, None

    def _found(self, *, quiet: bool = False) -> Target | None:
        """The Windows folder found on this machine (WSL only; the reason in one line when
        WSL has no reachable one, unless ``quiet``)."""
        from ssogen.app.wsl import is_wsl, locate

        if not is_wsl():
            return None
        found: Located = locate()
        if found.folder is None:
            if quiet:
                return None
            self.reporter.info(f"ssogen: no Windows copy offered: {found.problem}")
            if found.hint and "automount" in (found.problem or ""):
                self.reporter.info(f"  hint: {found.hint}")
            return None
        return self._usable(Target(found.folder, shown=found.shown))

    def finish(self, result: GenerationResult, settings: Settings, inventory: Inventory,
               mode: Mode, options: Options) -> None:
        """After the Linux file (unless its write was declined): the Windows file, then the
        session's login copied."""
        from ssogen.app.sessions import login_session

        if self.target is None or (mode == "write" and result.changed and not result.written):
            return
        attach([result], mirror_config(self.target, [(settings, inventory)], mode, options,
                                       self.reporter, self.snapshot.path, self.windows))
        if mode == "write":
            push(login_session(self.snapshot, settings.session, settings.start_url,
                               settings.sso_region), self.target, self.reporter)
