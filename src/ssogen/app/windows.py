"""WSL2, one login for both sides: the profiles written into the Windows user's
``.aws\\config`` too, and every login copied into its token cache.

What is remembered and what the flags mean is :mod:`ssogen.model.windows`; where the Windows
folder is, :mod:`ssogen.app.wsl`; the Windows-side files, :mod:`ssogen.store.mirror`.

* The Windows config is planned by the same engine (:func:`ssogen.app.generate.plan_session`)
  with the same settings and inventory as the Linux one, on its own bytes: every byte outside
  the managed blocks stays, its line endings stay (a new file gets CRLF), its hand-written
  profiles are adopted only with ``--adopt``. It is written under its own lock
  (``config.ssogen.lock`` next to it), atomically, with a ``config.ssogen.bak``, after the
  Linux file and only when the Linux write was not declined; a Windows file changed since it
  was read is read and planned again, never overwritten.
* A Windows folder ssogen must not write into (drive not mounted, a symlink, not a folder,
  read-only) is checked before anything is written. Asked for with ``--windows``, that is an
  error (exit 2, nothing written anywhere); remembered, it is one warning line and the Linux
  file is written as usual (exit code unchanged).
* Tokens: a run arms the sessions that remember a folder (:func:`arm_remembered`), and
  :func:`ssogen.store.mirror.token_saved` copies each token the moment it is saved (a login,
  a refresh); ``setup``, ``sync`` and ``login`` copy the current one at the end as well (a
  login made by ``aws sso login``).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ssogen.errors import ConfigFileError, SsogenError, UsageError
from ssogen.model.windows import AUTO, OFF, is_folder
from ssogen.store.mirror import Problem

if TYPE_CHECKING:
    from ssogen.app.generate import GenerationResult, Mode, Work
    from ssogen.app.ports import Questions, Reporter
    from ssogen.app.wsl import Located
    from ssogen.model.inventory import Inventory
    from ssogen.model.session import SsoSession
    from ssogen.model.settings import Settings
    from ssogen.store.snapshot import ConfigSnapshot

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Target:
    folder: Path  # the Windows user's .aws folder, as WSL sees it
    explicit: bool = False  # --windows: a problem is an error, not a warning
    shown: str = ""  # as Windows names it (C:\Users\me\.aws), when known

    @property
    def config(self) -> Path:
        return self.folder / "config"

    @property
    def label(self) -> str:
        return self.shown or str(self.folder)


@dataclass(frozen=True)
class Options:
    prune: bool = False
    adopt: bool = False
    migrate: bool = False


def problem_of(target: Target) -> Problem | None:
    """Why the Windows side cannot be written now (the drive's mount first), or None."""
    from ssogen.app.wsl import automount_problem, drive_root
    from ssogen.store.mirror import folder_problem

    root = drive_root()
    if root in target.folder.parents and not root.is_dir():
        located = automount_problem(root)
        return Problem.of_error(root, located.problem or "", located.hint)
    return folder_problem(target.folder)


def refuse(target: Target, problem: Problem, reporter: Reporter, linux: Path,
           written: bool = False) -> None:
    """Asked for (``--windows``): an error. Remembered: one warning line (and the hint)."""
    if target.explicit:
        tail = (f"{linux} was written, the Windows config is unchanged" if written
                else "nothing written (--windows asked for the Windows copy)")
        raise ConfigFileError(f"{problem}; {tail}", hint=problem.hint)
    reporter.warn(f"Windows copy skipped: {problem}; {linux} is handled as usual")
    if problem.hint:
        reporter.info(f"  hint: {problem.hint}")


# -- the Windows config ----------------------------------------------------------------------
def windows_work(work: Work) -> Work:
    """The same sessions for the Windows file; it does not remember a mirror of itself."""
    return [(replace(s, windows_mirror=None), inv) for s, inv in work]


def plan_file(snapshot: ConfigSnapshot, work: Work, options: Options,
              ) -> tuple[list[GenerationResult], bytes]:
    """Every session of ``work`` planned on the Windows file, one after the other; the new
    bytes (CRLF throughout when the file is new or empty)."""
    from ssogen.app.generate import plan_session
    from ssogen.model.windows import crlf
    from ssogen.store.snapshot import ConfigSnapshot

    results = []
    current, final = snapshot, snapshot.raw or b""
    for settings, inventory in windows_work(work):
        result, final = plan_session(current, settings, inventory, prune=options.prune,
                                     adopt=options.adopt, migrate=options.migrate)
        results.append(result)
        if result.changed:
            current = ConfigSnapshot.of_bytes(snapshot.path, final)
    if not snapshot.raw and final:
        final = crlf(final)
    return results, final


@contextlib.contextmanager
def _locked(path: Path, reporter: Reporter) -> Iterator[None]:
    """The config lock next to the Windows file; a drive whose filesystem refuses ``flock``
    is written without it (Windows programs never take it anyway)."""
    from ssogen.store.lock import ConfigLock

    lock = ConfigLock(path, on_wait=reporter.info)
    try:
        lock.acquire()
    except OSError as exc:
        log.info("no lock on %s (%s)", path, exc.strerror or exc)
        yield
        return
    try:
        yield
    finally:
        lock.release()


def write_config(target: Target, snapshot: ConfigSnapshot, work: Work, options: Options,
                 reporter: Reporter) -> list[GenerationResult]:
    """Plan and write the Windows file under its lock, as :func:`generate_all` does for the
    Linux one: read again when it changed since ``snapshot``, never overwrite a change."""
    from ssogen.app.generate import MAX_REPLANS
    from ssogen.store.mirror import BACKUP_SUFFIX, write_file
    from ssogen.store.snapshot import ConfigSnapshot

    with _locked(target.config, reporter):
        for _ in range(MAX_REPLANS):
            if not snapshot.unchanged():
                snapshot = ConfigSnapshot.read(target.config)
            results, final = plan_file(snapshot, work, options)
            if final == (snapshot.raw or b""):
                return results
            if not snapshot.unchanged():
                reporter.warn(f"{target.config} was changed by another program while ssogen "
                              "worked; planning again on its new content")
                continue
            write_file(target.config, final, backup=snapshot.raw is not None)
            for r in results:
                r.written = r.changed
                if r.changed and snapshot.raw is not None:
                    r.backup = target.config.with_name("config" + BACKUP_SUFFIX)
            return results
    raise ConfigFileError(f"{target.config} kept changing while ssogen worked; not written")


def mirror_config(target: Target, work: Work, mode: Mode, options: Options,
                  reporter: Reporter, linux: Path,
                  snapshot: ConfigSnapshot | None = None) -> list[GenerationResult]:
    """The Windows file planned (and in write mode written); [] when it cannot be."""
    from ssogen.store.fileio import write_problem
    from ssogen.store.snapshot import ConfigSnapshot

    try:
        snapshot = snapshot or ConfigSnapshot.read(target.config)
        if mode != "write":
            return plan_file(snapshot, work, options)[0]
        return write_config(target, snapshot, work, options, reporter)
    except ConfigFileError as exc:
        refuse(target, Problem.of_error(target.config, exc.message, exc.hint), reporter,
               linux, written=mode == "write")
    except OSError as exc:
        message, hint = write_problem(target.config, exc)
        refuse(target, Problem.of_error(target.config, message, hint), reporter, linux,
               written=mode == "write")
    return []


def attach(results: Sequence[GenerationResult], mirrored: Sequence[GenerationResult]) -> None:
    """Each Windows result goes with the Linux result of its session (the report shows both,
    ``--check`` counts both)."""
    by_session = {r.plan.session: r for r in results}
    for m in mirrored:
        owner = by_session.get(m.plan.session)
        if owner is not None:
            owner.mirrors.append(m)


# -- the token cache -------------------------------------------------------------------------
def push(session: SsoSession, target: Target, reporter: Reporter) -> None:
    """Copy the session's login to Windows now, and say what happened (one line)."""
    from ssogen.store.mirror import push_tokens

    pushed = push_tokens(session, target.folder)
    if pushed.problem is not None:
        reporter.warn(f"the login was not copied to Windows: {pushed.problem}")
    elif pushed.kept_newer is not None:
        reporter.info(f"ssogen: {session.label}: the Windows login ({pushed.kept_newer}) is "
                      "newer than this one (refreshed on Windows); kept")
    elif pushed.copied:
        reporter.info(f"ssogen: {session.label}: login copied to {target.label}")


def remembered_targets(snapshot: ConfigSnapshot) -> dict[str, Target]:
    """Session name → its remembered Windows folder."""
    from ssogen.app.generate import managed_settings

    try:
        remembered = managed_settings(snapshot)
    except SsogenError:
        return {}
    return {s.session: Target(Path(s.windows_mirror or "")) for s in remembered
            if is_folder(s.windows_mirror)}


def arm_remembered(snapshot: ConfigSnapshot, reporter: Reporter) -> None:
    """Every token saved from now on for a session that remembers a usable Windows folder is
    copied there at once (problems are said by the flows, not here)."""
    from ssogen.app.sessions import session_by_name
    from ssogen.store.mirror import arm, same_file
    from ssogen.store.tokens import cache_dir

    for name, target in remembered_targets(snapshot).items():
        if problem_of(target) is not None or same_file(cache_dir(), target.folder / "sso"
                                                       / "cache"):
            continue
        try:
            session = session_by_name(snapshot, name)
        except SsogenError:
            continue
        arm(session, target.folder, reporter.warn)


def after_login(snapshot: ConfigSnapshot, session: SsoSession, reporter: Reporter) -> None:
    """``ssogen login``: the session's login copied to Windows when it remembers a folder
    (also a login that was valid already: it may be missing or older there)."""
    target = None if session.legacy else remembered_targets(snapshot).get(session.name)
    if target is None:
        return
    problem = problem_of(target)
    if problem is not None:
        reporter.warn(f"the login was not copied to Windows: {problem}")
        if problem.hint:
            reporter.info(f"  hint: {problem.hint}")
        return
    push(session, target, reporter)


# -- sync ------------------------------------------------------------------------------------
class SyncMirror:
    """``sync``'s Windows side: the remembered folders, checked and armed before any login;
    planned (and written) after the Linux file."""

    def __init__(self, snapshot: ConfigSnapshot, reporter: Reporter) -> None:
        self.snapshot = snapshot
        self.reporter = reporter
        self.targets: dict[Path, Target] = {}

    @classmethod
    def start(cls, snapshot: ConfigSnapshot, chosen: Sequence[Settings], reporter: Reporter,
              *, enabled: bool = True) -> SyncMirror:
        """``enabled=False`` (``--no-windows``): the Windows side is left alone this once."""
        from ssogen.store.mirror import same_file

        mirror = cls(snapshot, reporter)
        folders = {Path(s.windows_mirror or "") for s in chosen if is_folder(s.windows_mirror)}
        if not enabled:
            return mirror
        for folder in sorted(folders):
            target = Target(folder)
            if same_file(target.config, snapshot.path):
                continue  # ~/.aws is the Windows folder: there is nothing to mirror
            problem = problem_of(target)
            if problem is not None:
                refuse(target, problem, reporter, snapshot.path)
                continue
            mirror.targets[folder] = target
        arm_remembered(snapshot, reporter)
        return mirror

    def finish(self, results: Sequence[GenerationResult], work: Work, mode: Mode,
               options: Options) -> None:
        from ssogen.app.sessions import login_session

        for folder, target in self.targets.items():
            mine = [(s, i) for s, i in work if s.windows_mirror == str(folder)]
            attach(results, mirror_config(target, mine, mode, options, self.reporter,
                                          self.snapshot.path))
            if mode != "write":
                continue
            for settings, _ in mine:
                push(login_session(self.snapshot, settings.session, settings.start_url,
                                   settings.sso_region), target, self.reporter)


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
