"""The Windows config of a WSL2 mirror (:mod:`ssogen.app.windows`), planned by the same engine
(:func:`ssogen.app.generate.plan_session`) with the same settings and inventory as the Linux
one, on its own bytes: every byte outside the managed blocks stays, its line endings stay (a
new file gets CRLF), its hand-written profiles are adopted only with ``--adopt``. It is written
under its own lock (``config.ssogen.lock`` next to it), atomically, with a
``config.ssogen.bak``; a Windows file changed since it was read is read and planned again,
never overwritten. A file that cannot be read or written is refused as
:func:`~ssogen.app.windows_target.refuse` says.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ssogen import logs
from ssogen.app.windows_target import Target, refuse
from ssogen.errors import ConfigFileError
from ssogen.records import record, replace
from ssogen.store.mirror import Problem

if TYPE_CHECKING:
    from ssogen.app.generate import GenerationResult, Mode, Work
    from ssogen.app.ports import Reporter
    from ssogen.store.snapshot import ConfigSnapshot



@record(frozen=True)
class Options:
    """The run's planning flags (``--prune``, ``--adopt``, ``--migrate``), applied to the
    Windows file as to the Linux one."""

    prune: bool = False
    adopt: bool = False
    migrate: bool = False


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
        result, doc = plan_session(current, settings, inventory, prune=options.prune,
                                   adopt=options.adopt, migrate=options.migrate)
        final = doc.encode()
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
        logs.info(__name__, "no lock on %s (%s)", path, exc.strerror or exc)
        yield
        return
    try:
        yield
    finally:
        lock.release()


def write_config(target: Target, snapshot: ConfigSnapshot, work: Work, options: Options,
                 reporter: Reporter) -> list[GenerationResult]:
    """Plan and write the Windows file under its lock, as
    :func:`ssogen.app.generate.generate_all` does for the Linux one: read again when it
    changed since ``snapshot``, never overwrite a change."""
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
                    r.backup = str(target.config.with_name("config" + BACKUP_SUFFIX))
            return results
    raise ConfigFileError(f"{target.config} kept changing while ssogen worked; not written")


def mirror_config(target: Target, work: Work, mode: Mode, options: Options,
                  reporter: Reporter, linux: str,
                  snapshot: ConfigSnapshot | None = None) -> list[GenerationResult]:
    """The Windows file planned (and in write mode written); [] when it cannot be."""
    from ssogen.store.access import write_problem
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

