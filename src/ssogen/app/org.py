"""``org inventory``: the inventory a user's own ``ssogen list --json`` would produce, for one
user, one group or every user, computed with an administrator's credentials
(:mod:`ssogen.aws.admin`) -- so a platform team can generate everyone's config without anyone's
login.

The inventories carry what the portal cannot tell: each account's ``ou_path`` and ``tags``.
The portal's start URL and region go into them as given (``--start-url``, ``--sso-region``), the
session name is the one ``ssogen setup`` derives from the start URL unless ``--session`` names
another. ``--all-users`` writes one ``<user name>.json`` per user into a directory, the names
made safe for any file system.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ssogen.errors import UsageError
from ssogen.records import field, record

if TYPE_CHECKING:
    from ssogen.app.ports import Reporter
    from ssogen.aws.admin import AdminView, Subject
    from ssogen.aws.admin_calls import AdminStats
    from ssogen.model.inventory import Inventory


@record(frozen=True)
class OrgInventoryRequest:
    """What to compute (exactly one of ``user``, ``group``, ``all_users``) and where to put it
    (``out``: a file for one user or group, None = the caller prints it; a directory for
    ``all_users``)."""

    config: Path
    start_url: str
    profile: str | None = None
    sso_region: str | None = None
    session: str | None = None
    instance_arn: str | None = None
    user: str | None = None
    group: str | None = None
    all_users: bool = False
    out: Path | None = None
    max_workers: int = 16


@record
class OrgInventoryOutcome:
    """One inventory per user (or the group), in the order of their names; the files written
    (``all_users`` or ``out``) and the run's counters."""

    inventories: list[tuple[Subject, Inventory]]
    written: list[Path]
    view: AdminView
    stats: AdminStats
    leftovers: list[Path] = field(default_factory=list)  # other *.json files in the directory
    unchanged: list[Path] = field(default_factory=list)  # of ``written``: held it already


def check(request: OrgInventoryRequest) -> OrgInventoryRequest:
    """One-line UsageErrors (exit 2) for flags that cannot work, before any AWS call."""
    from ssogen.model import starturl
    from ssogen.model.validate import check_session_name

    chosen = [request.user is not None, request.group is not None, request.all_users]
    if sum(chosen) != 1:
        raise UsageError("say whose inventory: --user NAME, --group NAME or --all-users")
    if request.user is not None and not request.user.strip():
        raise UsageError("--user: empty user name")
    if request.group is not None and not request.group.strip():
        raise UsageError("--group: empty group name")
    if request.all_users and request.out is None:
        raise UsageError("--all-users needs --out DIR (one <user name>.json per user)")
    if request.all_users and request.out is not None and request.out.exists() \
            and not request.out.is_dir():
        raise UsageError(f"--out {request.out}: not a directory")
    if not request.all_users and request.out is not None and request.out.is_dir():
        raise UsageError(f"--out {request.out}: is a directory (one inventory is one file)")
    starturl.parse(request.start_url)
    if request.session:
        check_session_name(request.session)
    if request.max_workers < 1:
        raise UsageError("the concurrency must be at least 1")
    return request


def run(request: OrgInventoryRequest, reporter: Reporter) -> OrgInventoryOutcome:
    import contextlib

    check(request)
    out = request.out
    missing = [] if out is None or not request.all_users else [
        p for p in (out, *out.parents) if not p.exists()]  # the folders --out will create
    _prepare_out(request)  # before any AWS call: a run must not end on a path it cannot write
    try:
        return _run(request, reporter)
    except BaseException:
        with contextlib.suppress(OSError):  # a failed run leaves no empty folder behind
            for folder in missing:  # deepest first; rmdir removes only an empty one
                folder.rmdir()
        raise


def _run(request: OrgInventoryRequest, reporter: Reporter) -> OrgInventoryOutcome:
    from ssogen.aws.admin import Target, discover_admin
    from ssogen.aws.admin_calls import AdminStats, admin_clients
    from ssogen.model import starturl
    from ssogen.model.regions import validate_sso_region
    from ssogen.store.snapshot import ConfigSnapshot

    snapshot = ConfigSnapshot.read(request.config)
    region = request.sso_region or starturl.infer_region(request.start_url)
    clients, region = admin_clients(profile=request.profile, region=region,
                                    config_path=str(request.config), model=snapshot.model,
                                    max_workers=request.max_workers)
    region = validate_sso_region(region)
    target = Target(user=request.user, group=request.group, all_users=request.all_users)
    stats = AdminStats()
    progress = reporter.progress("org inventory")
    try:
        view = discover_admin(clients, target, instance_arn=request.instance_arn,
                              progress=progress, max_workers=request.max_workers,
                              stats=stats, profile=request.profile)
    finally:
        progress.close()
    for warning in view.warnings:
        reporter.warn(warning)
    session = request.session or starturl.default_session_name(request.start_url)
    inventories = [(s, _inventory(s, session, request.start_url, region))
                   for s in view.subjects]
    written: list[Path] = []
    leftovers: list[Path] = []
    unchanged: list[Path] = []
    if request.all_users:
        assert request.out is not None
        written, leftovers, unchanged = _write_all(request.out, inventories)
    elif request.out is not None:
        if not _save(inventories[0][1], request.out):
            unchanged.append(request.out)
        written.append(request.out)
    return OrgInventoryOutcome(inventories, written, view, stats, leftovers, unchanged)


def _inventory(subject: Subject, session: str, start_url: str, region: str) -> Inventory:
    from ssogen.model.inventory import Inventory

    who = f"{subject.kind} {subject.name}"
    return Inventory(session=session, start_url=start_url, sso_region=region,
                     accounts=subject.accounts).validate(who)


def _save(inventory: Inventory, path: Path) -> bool:
    """``path`` replaced atomically by the inventory -- unless it holds this inventory
    already (all but ``generated_at``: a re-run leaves committed files without a diff);
    whether it was written. A one-line UsageError (2) when it cannot be written."""
    from ssogen.store.inventories import save_inventory

    existing = _check_replaceable(path)  # again: another program may have written it since
    if existing is not None and _content(existing) == _content(inventory):
        return False
    try:
        save_inventory(inventory, path)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write the inventory "
                         f"({exc.strerror or type(exc).__name__})") from None
    return True


def _content(inventory: Inventory) -> dict[str, object]:
    data = inventory.to_dict()
    del data["generated_at"]
    return data


def _prepare_out(request: OrgInventoryRequest) -> None:
    """The ``--all-users`` directory created; a single file's directory checked."""
    out = request.out
    if out is None:
        return
    if request.all_users:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"--out {out}: cannot create the directory "
                             f"({exc.strerror or type(exc).__name__})") from None
    elif not out.parent.is_dir():
        raise UsageError(f"--out {out}: the directory {out.parent} does not exist")
    else:
        _check_replaceable(out, "--out ")


def _check_replaceable(path: Path, flag: str = "") -> Inventory | None:
    """The inventory ``path`` holds (None: no file): an existing file is replaced only when
    it is an inventory (an earlier run's), so a typo in ``--out`` cannot turn
    ``~/.aws/config`` or a document into JSON."""
    from ssogen.errors import InventoryError
    from ssogen.store.inventories import load_inventory

    if not path.exists() and not path.is_symlink():
        return None
    try:
        return load_inventory(path)
    except InventoryError as exc:
        if "cannot read" in exc.message:  # an inventory, perhaps, but not readable: say that
            raise UsageError(f"{flag}{exc.message}") from None
        raise UsageError(f"{flag}{path}: exists and is not an inventory; ssogen replaces only "
                         "an inventory file", hint="give another file name, or move this "
                         "file away first") from None


def _write_all(out: Path, inventories: list[tuple[Subject, Inventory]],
               ) -> tuple[list[Path], list[Path], list[Path]]:
    """One file per user; returns the users' files, the other ``*.json`` already there (users
    gone since an earlier run? they are not removed: that is the caller's decision) and the
    users' files that held their inventory already (left as they were)."""
    names = safe_file_names([s.name for s, _ in inventories])
    written = [out / f"{name}.json" for name in names]
    for path in written:  # all checked before any is written
        _check_replaceable(path)
    # each file is written atomically and fsynced: in parallel, so 1,000 users do not wait
    # for 1,000 fsyncs one after another
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=8, thread_name_prefix="ssogen-write") as pool:
        changed = list(pool.map(_save, [inv for _, inv in inventories], written))
    ours = {p.name for p in written}
    leftovers = sorted(p for p in out.glob("*.json") if p.name not in ours)
    return written, leftovers, [p for p, new in zip(written, changed, strict=True) if not new]


_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]+")
#: names Windows refuses for a file whatever its extension (WSL2 users write to /mnt/c)
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                     *(f"LPT{i}" for i in range(1, 10))}
_MAX_STEM = 120


def safe_file_name(user_name: str) -> str:
    """A file stem for ``user_name`` that every file system and shell takes as it is: only
    ``A-Z a-z 0-9 . _ @ + -`` (other runs become ``_``), no leading dot or dash, no Windows
    device name, at most 120 characters; an empty result is ``user``."""
    stem = _UNSAFE.sub("_", user_name).lstrip(".-")[:_MAX_STEM]
    if not stem or set(stem) <= {"_", "."}:
        stem = "user"
    if stem.split(".")[0].upper() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    return stem


def safe_file_names(user_names: list[str]) -> list[str]:
    """:func:`safe_file_name` for each, never naming another user's file: a user name that is
    not a safe file stem as it is always gets ``-<8 hex digits of sha1(user name)>`` (so its
    file does not depend on who else is in the directory: a new user ``carol_ops`` cannot take
    over the file of ``carol/ops``), and names that would be one file on a case-insensitive
    file system are kept apart the same way (the first exact one by name keeps its stem).
    Deterministic."""
    out = [stem if stem == name else _hashed(stem, name)
           for stem, name in zip(map(safe_file_name, user_names), user_names, strict=True)]
    seen: dict[str, list[int]] = {}
    for i, stem in enumerate(out):
        seen.setdefault(stem.lower(), []).append(i)
    for indexes in seen.values():
        if len(indexes) < 2:
            continue
        keeper = min((i for i in indexes if out[i] == user_names[i]),
                     key=lambda i: user_names[i], default=None)
        for i in indexes:
            if i != keeper and out[i] == user_names[i]:
                out[i] = _hashed(out[i], user_names[i])
    return out


def _hashed(stem: str, user_name: str) -> str:
    digest = hashlib.sha1(user_name.encode("utf-8")).hexdigest()[:8]
    return f"{stem[:_MAX_STEM - 9]}-{digest}"
