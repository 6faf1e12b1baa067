"""The pipeline after discovery: settings + inventory + the config snapshot -> new file.

The planning is pure (:mod:`ssogen.planning.plan`); here it is run on the snapshot, the
document edited, and -- in write mode -- the result written atomically with one backup.

* ``mode="write"`` takes the lock (``<config>.ssogen.lock``) *before* reading, so two ssogen
  runs never interleave their read-modify-write; ``dry-run`` and ``check`` only read.
* Several sessions (``sync``) are planned one after the other on the text the previous one
  produced, and written once: all of them or none.
* Before the write the file is compared with what was read (inode, size, mtime, content): an
  edit another program made meanwhile (``aws configure set``, an editor) is never overwritten.
  The plan is made again on the new content (and confirmed again in the wizard).

Files written: the config itself (symlinks followed: the target is replaced; mode and
extended attributes kept, 0600 when new, ``~/.aws`` created 0700 when missing) and
``<config>.ssogen.bak``, the previous content.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence

from ssogen.errors import ConfigFileError, UsageError
from ssogen.records import field, record

TYPE_CHECKING = False  # no typing import at run time (start-up time, memory)
if TYPE_CHECKING:
    from typing import Literal

    from ssogen.app.ports import Reporter
    from ssogen.inifile.document import ConfigDocument
    from ssogen.model.inventory import Inventory
    from ssogen.model.settings import Settings
    from ssogen.planning.plan import Plan
    from ssogen.planning.templates import BlockTemplates
    from ssogen.store.lock import ConfigLock
    from ssogen.store.snapshot import ConfigSnapshot

    StrPath = str | os.PathLike[str]
    Mode = Literal["write", "dry-run", "check"]

BACKUP_SUFFIX = ".ssogen.bak"
MODES = ("write", "dry-run", "check")
#: how often a write is planned again because another program changed the file meanwhile
MAX_REPLANS = 3


@record
class GenerationResult:
    plan: Plan
    changed: bool  # the file's bytes would change
    path: str  # the config as given (--config, AWS_CONFIG_FILE...)
    written: bool = False
    backup: str | None = None
    notes: list[str] = field(default_factory=list)  # collisions, BOM, reused session...
    info: list[str] = field(default_factory=list)  # said, not warned (names the user kept)
    # the diff's pieces (whole lines), made when they are taken
    make_diff: Callable[[], Iterable[str]] | None = field(default=None, repr=False)
    _diff: str | None = field(default=None, repr=False)
    # the same session in other files (WSL2: the Windows config, ssogen.app.windows)
    mirrors: list[GenerationResult] = field(default_factory=list)
    mirror_skipped: bool = False  # its remembered Windows copy could not be planned

    @property
    def diff(self) -> str:
        """Unified diff of the change (empty when nothing changes); computed on first use:
        a write that nobody looks at does not pay for diffing a 20,000-section file."""
        if self._diff is None:
            self._diff = "".join(self.diff_chunks())
        return self._diff

    def diff_chunks(self) -> Iterator[str]:
        """:attr:`diff` in pieces of whole lines; made while they are taken (not kept) unless
        :attr:`diff` was asked for already: a diff printed as it is made is never all in
        memory."""
        if self._diff is not None:
            return iter((self._diff,) if self._diff else ())
        if self.make_diff is None or not self.changed:
            return iter(())
        return iter(self.make_diff())

    def summary(self) -> str:
        """``created N, updated N, adopted N, stale N, kept N``."""
        return self.plan.summary()


Work = Sequence[tuple["Settings", "Inventory"]]


def check_inputs(settings: Settings, inventory: Inventory) -> None:
    """What would be written into the file, refused before anything else when it could
    inject a section or key (a role name with a newline...) or cannot render."""
    from ssogen.model.validate import header_name_problem
    from ssogen.planning.naming import resolve_template

    resolve_template(settings.name_template)
    if settings.chains:
        from ssogen.planning.chain_specs import check_spec

        for spec in settings.chains:
            check_spec(spec, settings)
    inventory.validate(f"inventory for session {settings.session!r:.60}", session=False)
    problem = header_name_problem("sso-session", settings.session)
    if problem:
        raise UsageError(problem)


@functools.lru_cache(maxsize=1)
def shipped_templates() -> BlockTemplates:
    """The block templates shipped in ``templates/`` (package data), read once per process
    and handed to the planner (which reads no file)."""
    from ssogen.planning.templates import BlockTemplates
    from ssogen.resources import read_template

    return BlockTemplates.parse({name: read_template(name) for name in BlockTemplates.FILES})


def plan_session(snapshot: ConfigSnapshot, settings: Settings, inventory: Inventory, *,
                 prune: bool = False, adopt: bool = False, migrate: bool = False,
                 ) -> tuple[GenerationResult, ConfigDocument]:
    """The plan for one session on ``snapshot``, applied: (result, the edited document,
    whose ``encode()`` is the new file)."""
    from ssogen.planning.plan import build_plan

    check_inputs(settings, inventory)
    path = snapshot.path
    doc = snapshot.editable()
    plan = build_plan(doc.model, settings, inventory, templates=shipped_templates(),
                      prune=prune, adopt=adopt, migrate=migrate, source=str(path))
    doc.apply(plan)
    # the texts compared, not the bytes (UTF-8 both ways: the same answer), so that a check
    # or a dry run never holds the new file encoded beside its text
    changed = doc.render() != doc.decoded.original
    result = GenerationResult(plan=plan, changed=changed, path=path,
                              notes=doc.notes + plan.notes, info=list(plan.info),
                              make_diff=lambda: doc.diff_chunks(path))
    return result, doc


def generate_all(config_path: StrPath, work: Work, *, mode: Mode = "write",
                 prune: bool = False, adopt: bool = False, migrate: bool = False,
                 confirm: Callable[[GenerationResult], bool] | None = None,
                 snapshot: ConfigSnapshot | None = None,
                 reporter: Reporter | None = None) -> list[GenerationResult]:
    """Bring every session of ``work`` in line with its inventory (see the module docstring).

    ``snapshot``: the file as the caller already read it (re-read under the lock when it
    changed since). ``confirm`` (write mode, one session): called with the result before
    writing; the file is written only if it returns True."""
    from contextlib import nullcontext

    from ssogen.store.snapshot import ConfigSnapshot

    if mode not in MODES:
        raise UsageError(f"unknown mode {mode!r}")
    if confirm is not None and len(work) != 1:
        raise ValueError("confirm works on one session")
    for settings, inventory in work:  # a bad template or inventory fails before the lock
        check_inputs(settings, inventory)
    path = os.fspath(config_path)
    _check_target(path)  # in every mode: --dry-run says what the real run would
    with _lock(path, reporter) if mode == "write" else nullcontext():
        for _ in range(MAX_REPLANS):
            if snapshot is None or (mode == "write" and not snapshot.unchanged()):
                snapshot = ConfigSnapshot.read(path)
            results, final = _plan_all(snapshot, work, prune=prune, adopt=adopt,
                                       migrate=migrate, encode=mode == "write")
            if final is None or final == (snapshot.raw or b"") or not any(
                    r.changed for r in results):
                return results
            if confirm is not None and not confirm(results[0]):
                return results
            # another program wrote it while we planned: checked right before the rename (a
            # file that did not exist must still not exist; one that did, against the bytes
            # read -- the read that makes the backup)
            if (snapshot.raw is not None or snapshot.unchanged()) and \
                    _write(snapshot, final, results):
                return results
            if reporter is not None:
                reporter.warn(f"{path} was changed by another program while ssogen "
                              "worked; planning again on its new content")
            snapshot = None
    raise ConfigFileError(f"{path} kept changing while ssogen worked ({MAX_REPLANS} times); "
                          "nothing written", hint="run ssogen again when it is quiet")


def _lock(path: str, reporter: Reporter | None) -> ConfigLock:
    """The write's lock (imported only by a run that writes)."""
    from ssogen.store.lock import ConfigLock

    return ConfigLock(path, on_wait=reporter.info if reporter is not None else None)


def _plan_all(snapshot: ConfigSnapshot, work: Work, *, prune: bool, adopt: bool,
              migrate: bool, encode: bool) -> tuple[list[GenerationResult], bytes | None]:
    """Each session planned on the text the one before produced: (results, the new file's
    bytes when ``encode`` -- a write -- else None)."""
    from ssogen.store.snapshot import ConfigSnapshot

    results = []
    current = snapshot
    doc = None
    for n, (settings, inventory) in enumerate(work):
        result, doc = plan_session(current, settings, inventory, prune=prune, adopt=adopt,
                                   migrate=migrate)
        results.append(result)
        if result.changed and n + 1 < len(work):
            current = ConfigSnapshot.of_bytes(snapshot.path, doc.encode())
    if not encode:
        return results, None
    return results, doc.encode() if doc is not None else snapshot.raw or b""


def _write(snapshot: ConfigSnapshot, data: bytes, results: list[GenerationResult]) -> bool:
    """The new file written (True), or nothing because the file no longer holds the bytes
    the snapshot read (False)."""
    from ssogen.store.fileio import FileChanged, atomic_write_bytes

    path = snapshot.path
    try:
        target = atomic_write_bytes(
            path, data, new_mode=0o600, dir_mode=0o700, refuse_hard_links=True,
            backup_suffix=BACKUP_SUFFIX if snapshot.raw is not None else None,
            expect=snapshot.raw)
    except FileChanged:
        return False
    except OSError as exc:
        from ssogen.store.access import write_problem

        message, hint = write_problem(path, exc)
        raise ConfigFileError(f"{message}; the file is unchanged", hint=hint) from None
    for r in results:
        if r.changed:
            r.written = True
            if snapshot.raw is not None:
                r.backup = target + BACKUP_SUFFIX
    return True


def generate(config_path: StrPath, settings: Settings, inventory: Inventory, *,
             mode: Mode = "write", prune: bool = False, adopt: bool = False,
             migrate: bool = False, confirm: Callable[[GenerationResult], bool] | None = None,
             snapshot: ConfigSnapshot | None = None,
             reporter: Reporter | None = None) -> GenerationResult:
    """:func:`generate_all` for one session."""
    return generate_all(config_path, [(settings, inventory)], mode=mode, prune=prune,
                        adopt=adopt, migrate=migrate, confirm=confirm, snapshot=snapshot,
                        reporter=reporter)[0]


def check_writable(path: StrPath) -> None:
    """Before a run that is there to write the file asks anything or logs in: the errors its
    write would end with, when they can be seen now (a missing folder, a dangling link, a
    read-only file, folder or file system)."""
    _check_target(path)
    obstacle = write_obstacle(path)
    if obstacle is not None:
        message, hint = obstacle
        raise ConfigFileError(f"{message}; nothing was asked or changed", hint=hint)


def write_obstacle(path: StrPath) -> tuple[str, str | None] | None:
    """(one line, hint) for what would stop the file's write, when it can be seen now."""
    from ssogen.store.access import write_problem
    from ssogen.store.fileio import write_blocker

    blocker = write_blocker(path)
    return None if blocker is None else write_problem(path, blocker)


def _check_target(path: StrPath) -> None:
    """Where the file would be written must exist: a symlink pointing nowhere on the way to
    the file is followed only when the file's folder exists (a dotfiles repo without the file
    yet), never into folders ssogen would have to invent (``~/.aws`` -> ``/mnt/c/...`` with the
    drive unmounted); and of missing folders ssogen creates only a ``.aws`` folder (0700) in
    an existing one -- a typo in ``--config`` is said, not built."""
    from ssogen.store.fileio import dangling_link, resolve_target

    link = dangling_link(path)
    folder = os.path.dirname(resolve_target(path))
    if link is not None and not os.path.isdir(folder):
        raise ConfigFileError(
            f"{link} is a symlink to {os.readlink(link)}, which does not exist (a drive not "
            "mounted?); ssogen created nothing",
            hint="mount the drive or fix the link, then run again")
    if not os.path.exists(folder) and not (os.path.basename(folder) == ".aws"
                                           and os.path.isdir(os.path.dirname(folder))):
        raise ConfigFileError(
            f"{folder}: the folder does not exist; ssogen creates ~/.aws when it is missing, "
            "no other folder", hint=f"check the path, or create it: mkdir -p {folder}")


def managed_settings(snapshot: ConfigSnapshot) -> list[Settings]:
    """Settings remembered in ``[ssogen NAME]`` sections, start URL and SSO region taken from
    the matching ``[sso-session NAME]`` (empty when that section is gone)."""
    from ssogen.model.settings import Settings

    model = snapshot.model
    sessions = {s.name: s for s in model.of_kind("sso-session")}
    out = []
    for s in model.of_kind("ssogen"):
        assert s.name is not None
        session = sessions.get(s.name)
        start_url = session.options.get("sso_start_url", "") if session else ""
        sso_region = session.options.get("sso_region", "") if session else ""
        out.append(Settings.from_section(s.name, start_url, sso_region, s.options,
                                         where=f"{snapshot.path}:{s.line}"))
    return out
