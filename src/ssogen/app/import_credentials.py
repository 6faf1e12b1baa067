"""``ssogen import-credentials``'s flow: credentials pasted from the access portal into
``[NAME]`` of the shared credentials file, with the config engine's guarantees.

The pasted text is parsed and checked first (:mod:`ssogen.model.portal_credentials`): nothing
is read, locked or written for text that is not one complete credential set. Then, under the
lock (``<credentials>.ssogen.lock``), the file is read once into a snapshot, the edit is made as
an :class:`~ssogen.inifile.model.Edits` on the inifile document -- the three ``aws_*`` keys of
an existing ``[NAME]`` replaced in place (its other keys and comments stay), or a new ``[NAME]``
appended -- so every other byte of the file stays as it was (comments, order, CRLF). Before
the write the result is read back the way botocore reads it: every other section must hold
exactly what it held, ``[NAME]`` the new keys. The write is atomic, with one backup
(``<credentials>.ssogen.bak``), 0600 for a new file, and never through a symlink: credentials
are secrets, and a link may lead to a place other users can read (a shared drive, ``/mnt/c``).
A file another program changed meanwhile is read again (up to three times), never overwritten.

Nothing here prints; the reporter hears about waits and warnings, never a secret.
"""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ssogen.errors import ConfigFileError, UsageError
from ssogen.records import field, record

if TYPE_CHECKING:
    from ssogen.app.ports import Reporter
    from ssogen.inifile.model import Edits
    from ssogen.model.portal_credentials import PortalCredentials
    from ssogen.store.snapshot import ConfigSnapshot

#: how often the file is read again because another program changed it meanwhile
MAX_REREADS = 3
#: keys of a ``[profile NAME]`` in the config that botocore prefers to the credentials file
SHADOWING_KEYS = ("role_arn", "web_identity_token_file", "sso_session", "sso_start_url",
                  "sso_account_id", "sso_role_name", "sso_region")
_NAME_FORBIDDEN = set(" \t[]#;=\"'\\")
#: scanner findings that quote a line of the file -- which here may hold a secret
_QUOTING = ("comes before any [section]", "cannot parse", "nested value line")
_UNREADABLE = ("a line botocore and the AWS CLI cannot read (not 'key = value', a comment or "
               "a [section])")
_LOCATION = re.compile(r"^.*?:(?P<line>\d+): ")


@record(frozen=True)
class ImportRequest:
    text: str = field(repr=False)  # what was pasted: secrets
    credentials_path: str
    profile: str | None = None  # None: the name the pasted block carries
    config_path: str | None = None  # checked for a [profile NAME] that would shadow the keys


@record
class ImportResult:
    profile: str
    path: Path
    created_file: bool  # the credentials file did not exist
    replaced: bool  # an existing [NAME] had its keys replaced
    written: bool  # False: [NAME] already held exactly these credentials
    backup: Path | None
    account_id: str | None
    role_name: str | None
    expiration: datetime | None
    forms: tuple[str, ...]
    shadowed_by: list[str] = field(default_factory=list)  # config keys that win over these


def profile_name_problem(name: str) -> str | None:
    """Can ``name`` be the ``[NAME]`` of a credentials file, read back as ``NAME`` by botocore
    (configparser ends a header at ``]``; ``DEFAULT`` is its defaults section)?"""
    if not name:
        return "the profile name is empty"
    if name == "DEFAULT":
        return "[DEFAULT] is not a profile: its keys would apply to every section"
    if (len(name) > 128 or not name.isascii() or not name.isprintable()
            or any(c in _NAME_FORBIDDEN for c in name)):
        return (f"profile name {name[:60]!r} cannot be a [NAME] section of the credentials "
                "file; use letters, digits and . _ - @ +")
    return None


def choose_name(requested: str | None, creds: PortalCredentials) -> str:
    name = requested if requested is not None else creds.profile
    if name is None:
        raise UsageError("the pasted text names no profile (only the credentials-file block "
                         "does); give --profile NAME")
    problem = profile_name_problem(name)
    if problem:
        raise UsageError(problem)
    return name


def plan_edit(snapshot: ConfigSnapshot, name: str, creds: PortalCredentials,
              ) -> tuple[Edits, bool]:
    """The edit that puts ``creds`` into ``[name]``: (edits, whether the section exists)."""
    from ssogen.inifile.model import Edits, NewSection, SectionEdit

    keys = creds.file_keys()
    existing = [s for s in snapshot.model.sections if s.header == name]
    if existing:
        return Edits(edits=[SectionEdit(existing[-1].index, set=keys)]), True
    return Edits(new_sections=[NewSection(name, keys)]), False


def _sections(text: str, source: str) -> dict[str, dict[str, str]]:
    """Every section's keys as botocore reads them (configparser, no interpolation)."""
    import configparser

    parser = configparser.RawConfigParser()
    try:
        parser.read_string(text, source)
    except configparser.Error:
        raise ConfigFileError(f"{source}: ssogen could not edit it the way botocore reads it; "
                              "nothing written") from None
    return {s: dict(parser.items(s)) for s in parser.sections()}


def _verify(old: str, new: str, name: str, creds: PortalCredentials, source: str) -> None:
    """The new text, read back: ``[name]`` holds the new keys (and its other keys), every other
    section exactly what it held. Raises instead of writing anything else."""
    before, after = _sections(old, source), _sections(new, source)
    expected = dict(before)
    expected[name] = {**before.get(name, {}), **dict(creds.file_keys())}
    if after != expected or list(after) != list(expected):
        raise ConfigFileError(f"{source}: ssogen could not edit [{name}] without changing "
                              "something else; nothing written")


def _read(path: Path) -> ConfigSnapshot:
    """The credentials file, scanned, with any finding that quotes one of its lines (which may
    hold a secret) replaced by one that only names the line."""
    from ssogen.store.snapshot import ConfigSnapshot

    snapshot = ConfigSnapshot.read(path)
    try:
        snapshot.scanned  # noqa: B018  (scan now, under the lock: findings surface here)
    except ConfigFileError as exc:
        from ssogen.inifile.linescan import also_hint

        where = _LOCATION.match(exc.message) if _quotes(exc.message) else None
        if where is None and not any(_quotes(what) for _, what in exc.more):
            raise
        message = exc.message if where is None else (
            f"{path}:{where.group('line')}: {_UNREADABLE}; fix it by hand (ssogen left the "
            "file untouched)")
        more = tuple((n, _UNREADABLE if _quotes(what) else what) for n, what in exc.more)
        raise ConfigFileError(message, hint=also_hint(more), more=more) from None
    return snapshot


def _quotes(what: str) -> bool:
    """Whether a finding quotes a line of the file (which may hold a secret)."""
    return any(q in what for q in _QUOTING)


def _refuse_links(path: Path) -> None:
    """The file, its backup and its lock file must not be symlinks: the backup holds the old
    secrets, and ConfigLock truncates its lock file (wherever a link would lead)."""
    from ssogen.app.generate import BACKUP_SUFFIX
    from ssogen.store.lock import LOCK_SUFFIX

    for p in (path, *(path.with_name(path.name + s) for s in (BACKUP_SUFFIX, LOCK_SUFFIX))):
        if p.is_symlink():
            raise ConfigFileError(
                f"{p} is a symlink; ssogen does not write credentials through a symlink "
                "(the place it leads to may be readable by others); nothing written")


def _shadowing(config_path: str | None, name: str) -> list[str]:
    """Keys of ``[profile name]`` in the config that make botocore ignore the credentials
    file's keys for that profile (an unreadable config: none known)."""
    from ssogen.store.snapshot import ConfigSnapshot

    if not config_path:
        return []
    try:
        model = ConfigSnapshot.read(config_path).model
    except ConfigFileError:
        return []
    keys: list[str] = []
    for s in model.of_kind("profile"):
        if s.name == name:
            keys = [k for k in SHADOWING_KEYS if s.options.get(k, "").strip()]
    return keys


def import_credentials(request: ImportRequest, reporter: Reporter | None = None,
                       ) -> ImportResult:
    """Write the pasted credentials into the credentials file (see the module docstring);
    one-line SsogenErrors (exit 2) for text that is not one complete set, a bad name, or a file
    that cannot be edited safely -- the file is then untouched."""
    from ssogen.app.generate import BACKUP_SUFFIX
    from ssogen.model.portal_credentials import parse
    from ssogen.store.fileio import FileChanged, atomic_write_bytes
    from ssogen.store.lock import ConfigLock

    creds = parse(request.text)
    name = choose_name(request.profile, creds)
    path = Path(request.credentials_path)
    _refuse_links(path)
    on_wait = reporter.info if reporter is not None else None
    with ConfigLock(path, on_wait=on_wait):
        for _ in range(MAX_REREADS):
            snapshot = _read(path)
            edits, exists = plan_edit(snapshot, name, creds)
            doc = snapshot.editable()
            doc.apply(edits)
            new = doc.encode()
            old = snapshot.raw
            _verify(snapshot.scanned[0].text, doc.render(), name, creds, str(path))
            result = ImportResult(
                profile=name, path=path, created_file=old is None, replaced=exists,
                written=False, backup=None, account_id=creds.account_id,
                role_name=creds.role_name, expiration=creds.expiration, forms=creds.forms)
            if new == (old or b"") and old is not None:
                break  # [NAME] already holds these credentials: nothing to write
            _refuse_links(path)
            try:  # still what was read: checked here, and by the read that makes the backup
                if not snapshot.unchanged():
                    raise FileChanged(str(path))
                atomic_write_bytes(path, new, new_mode=0o600, dir_mode=0o700,
                                   backup_suffix=BACKUP_SUFFIX if old is not None else None,
                                   expect=old, follow_symlinks=False)
            except FileChanged:
                if reporter is not None:
                    reporter.warn(f"{path} was changed by another program while ssogen "
                                  "worked; reading it again")
                continue
            except OSError as exc:
                raise ConfigFileError(f"{path}: cannot write ({exc.strerror or exc}); the file "
                                      "is unchanged") from None
            result.written = True
            if old is not None:
                result.backup = path.with_name(path.name + BACKUP_SUFFIX)
            break
        else:
            raise ConfigFileError(f"{path} kept changing while ssogen worked ({MAX_REREADS} "
                                  "times); nothing written")
    if reporter is not None:
        _warn_mode(path, reporter)
    result.shadowed_by = _shadowing(request.config_path, name)
    return result


def _warn_mode(path: Path, reporter: Reporter) -> None:
    import stat

    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return
    if mode & 0o077:
        reporter.warn(f"{path} can be read by other users (mode {mode:04o}); "
                      f"`chmod 600 {path}` keeps the credentials private")
