"""The pipeline after discovery: settings + inventory + the current file -> new file.

Pure core (:mod:`ssogen.plan`), I/O only here: read the bytes, lock, write atomically with one
backup. ``mode="write"`` takes the lock (``<config>.ssogen.lock``) *before* reading, so two
runs never interleave their read-modify-write; ``dry-run`` and ``check`` only read.

Files written:

* the config itself (symlinks followed: the target is replaced; mode kept, 0600 when new,
  ``~/.aws`` created 0700 when missing);
* ``<config>.ssogen.bak``: the previous content, one backup overwritten by each write that
  changes something;
* ``<config>.ssogen.lock``: the (empty) lock file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ssogen.errors import ConfigFileError, UsageError
from ssogen.planning.naming import preview_names as _preview_names

if TYPE_CHECKING:
    from ssogen.inifile.document import ConfigDocument, ExistingSession
    from ssogen.model.inventory import Account, Inventory
    from ssogen.model.settings import Settings
    from ssogen.planning.plan import Plan

BACKUP_SUFFIX = ".ssogen.bak"
Mode = Literal["write", "dry-run", "check"]
MODES = ("write", "dry-run", "check")


@dataclass
class GenerationResult:
    plan: Plan
    changed: bool  # the file's bytes would change
    path: Path
    written: bool = False
    backup: Path | None = None
    notes: list[str] = field(default_factory=list)  # collisions, BOM, reused session...
    info: list[str] = field(default_factory=list)  # said, not warned (names the user kept)
    make_diff: Callable[[], str] | None = field(default=None, repr=False)
    _diff: str | None = field(default=None, repr=False)

    @property
    def diff(self) -> str:
        """Unified diff of the change (empty when nothing changes); computed on first use:
        a write that nobody looks at does not pay for diffing a 20,000-section file."""
        if self._diff is None:
            self._diff = self.make_diff() if self.make_diff and self.changed else ""
        return self._diff

    def summary(self) -> str:
        """``created N, updated N, adopted N, stale N, kept N``."""
        return self.plan.summary()


#: The last document parsed read-only (e.g. by managed_settings), by resolved path: sync reads
#: the remembered settings and then generates; parsing a 20,000-section file twice would
#: double the run time. Reused only if the bytes read again (under the lock) are identical.
_parsed: dict[str, ConfigDocument] = {}


def _load(config_path: Path, *, for_edit: bool = False) -> ConfigDocument:
    from ssogen.inifile.document import ConfigDocument, read_config
    from ssogen.store.fileio import resolve_target

    raw = read_config(config_path)
    key = f"{resolve_target(config_path)}\0{config_path}"
    doc = _parsed.pop(key, None)
    if doc is None or doc.raw != raw:
        doc = ConfigDocument(raw, str(config_path))
    if not for_edit:
        _parsed[key] = doc
    return doc


def generate(config_path: str | Path, settings: Settings, inventory: Inventory, *,
             mode: Mode = "write", prune: bool = False, adopt: bool = False,
             migrate: bool = False,
             confirm: Callable[[GenerationResult], bool] | None = None) -> GenerationResult:
    """Bring the profiles of ``settings.session`` in ``config_path`` in line with ``inventory``.

    ``confirm`` (write mode): called with the result (diff included) before writing; writing
    happens only if it returns True. ``migrate``: move legacy profiles with the session's start
    URL to ``sso_session`` (see :func:`ssogen.plan.build_plan`).
    """
    from contextlib import nullcontext

    from ssogen.planning.naming import resolve_template
    from ssogen.planning.plan import build_plan
    from ssogen.store.lock import ConfigLock

    if mode not in MODES:
        raise UsageError(f"unknown mode {mode!r}")
    resolve_template(settings.name_template)  # a bad template fails before anything else
    # data from an inventory file or the portal is written into the file: refuse what could
    # inject a section or key (a role name with a newline...) before anything else
    from ssogen.model.validate import header_name_problem

    inventory.validate(f"inventory for session {settings.session!r:.60}", session=False)
    problem = header_name_problem("sso-session", settings.session)
    if problem:
        raise UsageError(problem)
    path = Path(config_path)
    if mode == "write":
        _check_symlinks(path)
    with ConfigLock(path) if mode == "write" else nullcontext():
        doc = _load(path, for_edit=True)
        plan = build_plan(doc.model, settings, inventory, prune=prune, adopt=adopt,
                          migrate=migrate, source=str(path))
        doc.apply(plan)
        new = doc.encode()
        changed = new != (doc.raw or b"")
        result = GenerationResult(plan=plan, changed=changed, path=path,
                                  notes=doc.notes + plan.notes, info=list(plan.info),
                                  make_diff=lambda: doc.diff(str(path)))
        if mode == "write" and changed and (confirm is None or confirm(result)):
            from ssogen.store.fileio import atomic_write_bytes

            try:
                target = atomic_write_bytes(
                    path, new, new_mode=0o600, dir_mode=0o700,
                    backup_suffix=BACKUP_SUFFIX if doc.raw is not None else None)
            except OSError as exc:
                raise ConfigFileError(
                    f"{path}: cannot write ({exc.strerror or exc}); the file is unchanged"
                ) from None
            result.written = True
            if doc.raw is not None:
                result.backup = target.with_name(target.name + BACKUP_SUFFIX)
    return result


def _check_symlinks(path: Path) -> None:
    """A symlink pointing nowhere on the way to the file: create the file it names when that
    file's folder exists (a dotfiles repo without the file yet), else refuse -- never create
    folders behind a dangling link (``~/.aws`` -> ``/mnt/c/...`` with the drive unmounted)."""
    import os

    from ssogen.store.fileio import dangling_link, resolve_target

    link = dangling_link(path)
    if link is not None and not resolve_target(path).parent.is_dir():
        raise ConfigFileError(
            f"{link} is a symlink to {os.readlink(link)}, which does not exist (a drive not "
            "mounted?); ssogen created nothing",
            hint="mount the drive or fix the link, then run again")


def existing_sessions(config_path: str | Path) -> list[ExistingSession]:
    """The ``[sso-session]`` sections of the file (for the wizard to offer)."""
    from ssogen.inifile.document import sessions_of

    return sessions_of(_load(Path(config_path)).model)


def managed_settings(config_path: str | Path) -> list[Settings]:
    """Settings remembered in ``[ssogen NAME]`` sections, start URL and SSO region taken from
    the matching ``[sso-session NAME]`` (empty when that section is gone)."""
    from ssogen.model.settings import Settings

    model = _load(Path(config_path)).model
    sessions = {s.name: s for s in model.of_kind("sso-session")}
    out = []
    for s in model.of_kind("ssogen"):
        assert s.name is not None
        session = sessions.get(s.name)
        start_url = session.options.get("sso_start_url", "") if session else ""
        sso_region = session.options.get("sso_region", "") if session else ""
        out.append(Settings.from_section(s.name, start_url, sso_region, s.options,
                                         where=f"{config_path}:{s.line}"))
    return out


def preview_names(settings: Settings, inventory: Inventory) -> list[tuple[Account, str, str]]:
    """(account, role, profile name) as they would be generated (ignoring the file)."""
    return _preview_names(settings, inventory)
