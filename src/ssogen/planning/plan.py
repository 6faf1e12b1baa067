"""Desired profiles vs the current file -> :class:`Plan`. Pure: no I/O, no configupdater.

The current file comes in as a :class:`FileModel` (what :mod:`ssogen.awsconfig` read: every
section with its name as botocore routes it and its keys); the plan says, per section, what to
rename, set, delete or remove, and which new sections to insert where. Ownership (DESIGN §2):

* only sections carrying ``ssogen_managed = true`` are ever modified or removed;
* identity keys (``sso_session``, ``sso_account_id``, ``sso_role_name``, the marker) are owned;
* every other template key (``region``, ``output``...) is written at creation, and later only
  follows a default changed through ssogen: a profile still holding the previous default (as
  remembered in ``[ssogen NAME]``) gets the new one, a value edited by hand is kept;
* keys the user added to a managed profile are never touched;
* a hand-written profile for the same session/account/role is adopted (marker added, nothing
  else) only with ``adopt=True``; otherwise it is reported and no duplicate is generated.
"""

from __future__ import annotations

import functools
import hashlib
import re
import shlex
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ssogen.errors import UsageError
from ssogen.model.settings import SETTINGS_KEYS, SETTINGS_PREFIX, Settings, settings_section_name
from ssogen.model.validate import has_control, header_name_problem
from ssogen.planning import naming
from ssogen.resources import read_template

if TYPE_CHECKING:
    from ssogen.model.inventory import Account, Inventory

MARKER = "ssogen_managed"
PROFILE_IDENTITY = ("sso_session", "sso_account_id", "sso_role_name", MARKER)
SESSION_IDENTITY = ("sso_start_url", "sso_region", MARKER)


# -- the current file, as the planner sees it -----------------------------------------------
@dataclass
class SectionInfo:
    index: int  # position among the file's sections
    header: str  # the text between the brackets, as written
    kind: str  # "profile", "sso-session", "services", "ssogen" or "other" (botocore routing)
    name: str | None  # the name botocore (or ssogen) gives it; None if botocore drops it
    options: dict[str, str]  # lower-cased key -> value (as configparser reads it)
    line: int = 0  # 1-based line of the header

    @property
    def managed(self) -> bool:
        return self.options.get(MARKER, "").strip().lower() == "true"


_PLAIN = re.compile(r"[\t !#-&(-\[\]-~]*")  # printable ASCII without quotes and backslash


def classify(header: str) -> tuple[str, str | None]:
    """Route a section name exactly as botocore's ``build_profile_map`` does."""
    if header == "default":
        return "profile", "default"
    for prefix in ("profile", "sso-session", "services"):
        if header.startswith(prefix):
            if _PLAIN.fullmatch(header):  # what shlex.split gives, 50x faster
                parts = header.split()
            else:
                try:
                    parts = shlex.split(header)
                except ValueError:
                    return prefix, None
            return prefix, parts[1] if len(parts) == 2 else None
    parts = header.split()
    if len(parts) == 2 and parts[0] == SETTINGS_PREFIX:
        return "ssogen", parts[1]
    return "other", None


@dataclass
class FileModel:
    sections: list[SectionInfo] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[SectionInfo]:
        return [s for s in self.sections if s.kind == kind and s.name is not None]


# -- the plan -------------------------------------------------------------------------------
@dataclass
class SectionEdit:
    index: int  # SectionInfo.index
    header: str | None = None  # rename to this header
    set: list[tuple[str, str]] = field(default_factory=list)  # update or append, in order
    delete: list[str] = field(default_factory=list)
    remove: bool = False
    # (old key, new key, value): the new key takes the old one's line, in place
    replace: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.header or self.set or self.delete or self.remove or self.replace)


@dataclass
class NewSection:
    header: str
    keys: list[tuple[str, str]]


@dataclass
class ProfileEntry:
    action: str  # create | update | rename | adopt | stale | kept | migrate
    name: str
    account_id: str
    role: str
    account_name: str = ""
    removed: bool = False  # stale and pruned
    old_name: str = ""  # rename: the name it had


#: the kinds of change :meth:`Plan.changes` names, in the order they are reported
CHANGE_GROUPS = ("created", "renamed", "updated", "adopted", "migrated", "stale", "removed")


@dataclass
class Plan:
    session: str  # the sso-session name actually used (an existing one may be reused)
    edits: list[SectionEdit] = field(default_factory=list)
    new_sections: list[NewSection] = field(default_factory=list)
    anchor: int | None = None  # insert new sections after this SectionInfo.index (None: end)
    profiles: list[ProfileEntry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    info: list[str] = field(default_factory=list)  # worth saying, no warning (kept names...)

    def count(self, action: str) -> int:
        return sum(1 for p in self.profiles if p.action == action)

    @property
    def created(self) -> int:
        return self.count("create")

    @property
    def updated(self) -> int:  # renamed profiles are updated ones too
        return self.count("update") + self.count("rename")

    @property
    def adopted(self) -> int:
        return self.count("adopt")

    @property
    def stale(self) -> int:
        return self.count("stale")

    @property
    def kept(self) -> int:
        return self.count("kept")

    @property
    def renamed(self) -> int:
        return self.count("rename")

    @property
    def migrated(self) -> int:
        return self.count("migrate")

    @property
    def removed(self) -> int:
        return sum(1 for p in self.profiles if p.removed)

    @property
    def empty(self) -> bool:
        return not self.new_sections and all(e.empty for e in self.edits)

    def changes(self) -> dict[str, list[ProfileEntry]]:
        """The profiles each kind of change touches, by name: ``created``, ``renamed``,
        ``updated``, ``adopted``, ``migrated``, ``stale`` (kept) and ``removed`` (stale and
        pruned); each list sorted by name. Unchanged profiles are not listed."""
        groups: dict[str, list[ProfileEntry]] = {g: [] for g in CHANGE_GROUPS}
        group_of = {"create": "created", "rename": "renamed", "update": "updated",
                    "adopt": "adopted", "migrate": "migrated"}
        for p in self.profiles:
            if p.action == "stale":
                groups["removed" if p.removed else "stale"].append(p)
            elif p.action in group_of:
                groups[group_of[p.action]].append(p)
        return {g: sorted(v, key=lambda p: p.name) for g, v in groups.items()}

    def summary(self) -> str:
        stale = f"stale {self.stale}"
        if self.removed:
            stale += f" (removed {self.removed})"
        updated = f"updated {self.updated}"
        if self.renamed:
            updated += f" (renamed {self.renamed})"
        text = (f"created {self.created}, {updated}, adopted {self.adopted}, "
                f"{stale}, kept {self.kept}")
        if self.migrated:  # only when it happened: the five counts are a stable format
            text += f", migrated {self.migrated}"
        return text


# -- values written into the file -----------------------------------------------------------
def ini_value(key: str, value: str) -> str:
    """A value as it can be written on one ``key = value`` line and read back unchanged.

    configparser strips surrounding whitespace (so would every later comparison: the file
    would never converge) and a line break would start a new line in the file (an injected
    section): strip the first, refuse the second.
    """
    value = value.strip()
    if has_control(value):
        raise UsageError(f"refusing to write {key} = {value[:80]!r}: it contains a line break or "
                         "control character")
    return value


def _check_section_name(kind: str, name: str) -> None:
    problem = header_name_problem(kind, name)
    if problem:
        raise UsageError(problem)


# -- block templates (data in templates/*.ini) ----------------------------------------------
@dataclass(frozen=True)
class BlockTemplate:
    lines: tuple[tuple[str, str, tuple[str, ...]], ...]  # key, format, fields used

    def render(self, ctx: Mapping[str, str | None]) -> list[tuple[str, str | None]]:
        """(key, value) in template order; value None when a field it needs is unset."""
        out: list[tuple[str, str | None]] = []
        for key, fmt, fields in self.lines:
            if not fields:
                value: str | None = fmt
            elif len(fields) == 1 and fmt == f"{{{fields[0]}}}":
                value = ctx.get(fields[0])
            elif any(ctx.get(f) is None for f in fields):
                value = None
            else:
                value = fmt.format_map(ctx)
            out.append((key, None if value is None else ini_value(key, value)))
        return out


@functools.lru_cache(maxsize=4)
def block_template(name: str) -> BlockTemplate:
    lines = []
    for raw in read_template(name).splitlines():
        text = raw.strip()
        if not text or text.startswith(("#", ";")):
            continue
        key, sep, value = text.partition("=")
        if not sep:
            raise ValueError(f"templates/{name}: line without '=': {raw!r}")
        fmt = value.strip()
        fields = tuple(f for _, f, _, _ in string.Formatter().parse(fmt) if f)
        lines.append((key.strip().lower(), fmt, fields))
    return BlockTemplate(tuple(lines))


def _normalise_url(url: str) -> str:
    url = (url or "").strip().rstrip("/")
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url.lower()
    host, slash, path = rest.partition("/")
    return f"{scheme.lower()}://{host.lower()}{slash}{path}".rstrip("#/")


def same_start_url(a: str, b: str) -> bool:
    return _normalise_url(a) == _normalise_url(b)


def _portal_url(url: str) -> str:
    """A start URL as the portal spells it, minus the trailing ``/`` or ``#/`` a browser's
    address bar adds (``.../start``, ``.../start/`` and ``.../start#/`` are the same page)."""
    url = url.strip()
    while url.endswith(("/", "#")):
        url = url[:-1]
    return url


def legacy_matches(profile_url: str, session_url: str) -> bool:
    """May a legacy profile with ``profile_url`` be migrated to a session with ``session_url``?

    Stricter than :func:`same_start_url` (which only decides reusing a session): a migration
    changes which login a profile uses, so anything beyond the trailing ``/`` / ``#/`` that
    browsers add -- another host spelling, another path, a query -- may be another IAM Identity
    Center instance and is left alone. The legacy token cache is keyed by the exact URL string,
    so after a migration the profile simply uses the session's login instead.
    """
    return profile_url.strip() == session_url.strip() or (
        bool(_portal_url(profile_url)) and _portal_url(profile_url) == _portal_url(session_url))


def is_legacy(s: SectionInfo) -> bool:
    """A profile in the pre-``[sso-session]`` form: ``sso_start_url`` + ``sso_region`` in the
    profile itself and no ``sso_session``."""
    o = s.options
    return (s.kind == "profile" and s.name is not None and "sso_session" not in o
            and bool(o.get("sso_start_url", "").strip()) and bool(o.get("sso_region", "").strip()))


def _owned_update(options: Mapping[str, str], new: list[tuple[str, str | None]],
                  old: Callable[[], list[tuple[str, str | None]]] | None,
                  identity: tuple[str, ...]) -> tuple[list[tuple[str, str]], list[str]]:
    """Keys to set and delete in a managed section (see module docstring). ``old`` renders
    the block with the previous settings; called only when a value differs."""
    to_set: list[tuple[str, str]] = []
    to_delete: list[str] = []
    old_values: dict[str, str | None] | None = None
    for key, value in new:
        current = options.get(key)
        if key in identity:
            if value is None:
                continue
            if key == MARKER:
                if (current or "").strip().lower() != value.lower():
                    to_set.append((key, value))
            elif current != value:
                to_set.append((key, value))
            continue
        if current == value or old is None:  # in line, or no remembered previous default
            continue
        if old_values is None:
            old_values = dict(old())
        if current == old_values.get(key):  # still the previous default: follow the new one
            if value is None:
                to_delete.append(key)
            else:
                to_set.append((key, value))
    return to_set, to_delete


def _profile_ctx(settings: Settings, account: Account, role: str, session: str,
                 ) -> dict[str, str | None]:
    return {"session": session, "account_id": account.id, "account_name": account.name,
            "role_name": role, "region": settings.region_for(account.id),
            "output": settings.output}


def _extra_keys(keys: Mapping[str, str]) -> list[tuple[str, str | None]]:
    return [(k, ini_value(k, v)) for k, v in keys.items()]


def _profile_block(tpl: BlockTemplate, ctx: Mapping[str, str | None],
                   extra: list[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
    """The profile template rendered, the template-file keys before the marker (last)."""
    out = tpl.render(ctx)
    if not extra:
        return out
    at = next((i for i, (k, _) in enumerate(out) if k == MARKER), len(out))
    return out[:at] + extra + out[at:]


# -- planning -------------------------------------------------------------------------------
def build_plan(model: FileModel, settings: Settings, inventory: Inventory, *,
               prune: bool = False, adopt: bool = False, migrate: bool = False,
               source: str = "config") -> Plan:
    """Everything :meth:`ssogen.awsconfig.ConfigDocument.apply` must do to make the file match.

    The settings remembered by the last run (``[ssogen NAME]``) tell a default that ssogen
    wrote from a value the user chose. ``migrate``: legacy profiles for the session's start URL
    get ``sso_session = NAME`` in place of ``sso_start_url``/``sso_region`` (nothing else
    changes; they stay the user's, no marker); without it they are only reported.
    """
    notes: list[str] = []
    info: list[str] = []
    edits: dict[int, SectionEdit] = {}

    def edit(index: int) -> SectionEdit:
        return edits.setdefault(index, SectionEdit(index))

    # 1. the sso-session: reuse one with the same start URL, never duplicate
    sessions = model.of_kind("sso-session")
    by_name = next((s for s in sessions if s.name == settings.session), None)
    same_url = sorted((s for s in sessions
                       if same_start_url(s.options.get("sso_start_url", ""), settings.start_url)),
                      key=lambda s: (not s.managed, s.index))
    session_section: SectionInfo | None
    if by_name is not None and by_name in same_url:
        session_section = by_name
    elif same_url:
        session_section = same_url[0]
        notes.append(f"reusing [sso-session {session_section.name}] ({source}:"
                     f"{session_section.line}) for {settings.start_url}")
    elif by_name is not None:
        raise UsageError(
            f"{source}:{by_name.line}: [sso-session {by_name.name}] already points at "
            f"{by_name.options.get('sso_start_url', '(no start URL)')!r}, not "
            f"{settings.start_url!r}; choose another session name (--session)")
    else:
        session_section = None
    session = session_section.name if session_section is not None else settings.session
    assert session is not None
    _check_section_name("sso-session", session)  # also names [ssogen NAME]
    if session != settings.session:
        settings = _replace_session(settings, session)
    settings_section = next((s for s in model.of_kind("ssogen") if s.name == session), None)
    previous: Settings | None = None
    if settings_section is not None:
        opts = session_section.options if session_section is not None else {}
        previous = Settings.from_section(
            session, opts.get("sso_start_url", ""), opts.get("sso_region", ""),
            settings_section.options, where=f"{source}:{settings_section.line}")

    session_tpl = block_template("sso-session.ini")
    session_ctx = {"start_url": settings.start_url, "sso_region": settings.sso_region}
    new_sections: list[NewSection] = []
    if session_section is None:
        new_sections.append(NewSection(
            f"sso-session {session}",
            [(k, v) for k, v in session_tpl.render(session_ctx) if v is not None]))
    elif session_section.managed:
        before = previous
        old = None if before is None else lambda: session_tpl.render(
            {"start_url": before.start_url or settings.start_url,
             "sso_region": before.sso_region or settings.sso_region})
        to_set, to_delete = _owned_update(session_section.options,
                                          session_tpl.render(session_ctx), old, SESSION_IDENTITY)
        e = edit(session_section.index)
        e.set += to_set
        e.delete += to_delete
    else:
        region = session_section.options.get("sso_region")
        if region and region != settings.sso_region:
            notes.append(f"[sso-session {session}] says sso_region = {region}, the inventory "
                         f"{settings.sso_region}; keeping the file's value (not managed by ssogen)")

    # 2. remembered settings: [ssogen NAME], owned entirely by ssogen
    wanted_settings = {k: ini_value(k, v) for k, v in settings.to_section().items()}
    if settings_section is None:
        new_sections.append(NewSection(settings_section_name(session),
                                       list(wanted_settings.items())))
    else:
        e = edit(settings_section.index)
        e.set += [(k, v) for k, v in wanted_settings.items()
                  if settings_section.options.get(k) != v]
        e.delete += [k for k in SETTINGS_KEYS
                     if k in settings_section.options and k not in wanted_settings]

    # 3. profiles
    pairs = naming.wanted_pairs(settings, inventory)
    wanted = {(a.id, r.strip()): (a, r) for a, r in pairs}
    profiles = model.of_kind("profile")
    session_url = (session_section.options.get("sso_start_url", "")
                   if session_section is not None else settings.start_url)
    session_region = (session_section.options.get("sso_region", "")
                      if session_section is not None else settings.sso_region).strip()
    migrating = _legacy_to_migrate(profiles, session, session_url, session_region, migrate,
                                   notes, source)
    entries: list[ProfileEntry] = []
    for s in migrating:
        edit(s.index).replace.append(("sso_start_url", "sso_session", session))
        edit(s.index).delete.append("sso_region")
        entries.append(ProfileEntry("migrate", s.name or "", s.options.get("sso_account_id", ""),
                                    s.options.get("sso_role_name", "")))
    migrated_ids = {id(s) for s in migrating}
    # a migrated profile points at the session from now on: treated like any hand-written one
    # (no duplicate generated for its account/role, never adopted without --adopt next time)
    of_session = [s for s in profiles if (s.options.get("sso_session") == session
                                          or id(s) in migrated_ids) and s.name != "default"]
    managed: dict[tuple[str, str], SectionInfo] = {}
    stale: list[SectionInfo] = []
    hand_written: dict[tuple[str, str], SectionInfo] = {}
    for s in of_session:
        key = (s.options.get("sso_account_id", ""), s.options.get("sso_role_name", ""))
        if not s.managed and key in wanted:
            hand_written.setdefault(key, s)
    for s in of_session:
        if not s.managed:
            continue
        key = (s.options.get("sso_account_id", ""), s.options.get("sso_role_name", ""))
        if key in wanted and key not in managed and key not in hand_written:
            managed[key] = s
            continue
        stale.append(s)
        if key in hand_written:  # e.g. a legacy profile migrated after ssogen made this one
            other = hand_written[key]
            notes.append(f"managed profile {s.name!r} ({source}:{s.line}) points at the same "
                         f"{key[0]}/{key[1]} as your profile {other.name!r} ({source}:"
                         f"{other.line}); it is stale now (--prune removes it)")

    adopted: dict[tuple[str, str], SectionInfo] = {}
    for key, s in hand_written.items():
        account, role = wanted[key]
        if id(s) in migrated_ids:
            continue  # migrated in this run: the user's, not adopted in the same breath
        if adopt:
            adopted[key] = s
            edit(s.index).set.append((MARKER, "true"))
            entries.append(ProfileEntry("adopt", s.name or "", account.id, role, account.name))
        elif not any(k == key for k in managed):
            notes.append(f"profile {s.name!r} ({source}:{s.line}) already points at "
                         f"{account.id}/{role}; not generating another (--adopt lets ssogen "
                         "manage it)")

    needs_name = [(a, r) for a, r in pairs if (a.id, r.strip()) not in hand_written]
    bases = naming.base_names(settings, needs_name)
    chosen = _names_chosen_by_user(needs_name, bases, managed, settings, previous)
    # a managed profile keeps its name while its account/role exists: the name the user gave
    # it, or the one ssogen gave it (suffix included) as long as ssogen still gives it that
    # name; only a name ssogen generated under other settings or another account name changes
    current: dict[tuple[str, str], str] = dict(chosen)
    for (a, r), base in zip(needs_name, bases, strict=True):
        s = managed.get((a.id, r.strip()))
        if s is not None and s.name and naming.is_generated(s.name, base, a.id, r):
            current[(a.id, r)] = s.name
    # every other name in the file is taken -- also the names of profiles pruned or renamed in
    # this run: no name comes to mean another account/role in the run that frees it
    kept_ids = {id(managed[k]) for k in current if k in managed}
    state = {id(s): "renamed" for s in managed.values()}
    state.update({id(s): "pruned" if prune else "stale" for s in stale})
    taken = {s.name: _holder(s, state.get(id(s), ""), source) for s in profiles
             if s.name is not None and id(s) not in kept_ids}
    names, collisions = naming.resolve_collisions(needs_name, bases, taken, current,
                                                  chosen=chosen.values())
    for (a, r), base in zip(needs_name, bases, strict=True):
        if (a.id, r.strip()) in chosen:
            info.append(f"kept your name {chosen[(a.id, r.strip())]} for "
                        f"{a.name or a.id}/{r} (ssogen would call it {base})")
    notes += collisions

    profile_tpl = block_template("profile.ini")
    # --profile-template keys: written like region/output (at creation; later they follow a
    # template changed through ssogen, a value edited by hand stays); a key dropped from the
    # template leaves the profiles that still hold the value it had
    extra = _extra_keys(settings.profile_keys)
    if previous is not None:
        extra += [(k, None) for k in previous.profile_keys if k not in settings.profile_keys]
    old_extra = _extra_keys(previous.profile_keys) if previous is not None else []
    created: list[tuple[str, list[tuple[str, str]]]] = []
    for (account, role), name in zip(needs_name, names, strict=True):
        ctx = _profile_ctx(settings, account, role, session)
        new = _profile_block(profile_tpl, ctx, extra) if extra else profile_tpl.render(ctx)
        s = managed.get((account.id, role.strip()))
        if s is None:
            created.append((name, [(k, v) for k, v in new if v is not None]))
            entries.append(ProfileEntry("create", name, account.id, role, account.name))
            continue
        old = None if previous is None else functools.partial(
            _profile_block, profile_tpl, _profile_ctx(previous, account, role, session),
            old_extra)
        to_set, to_delete = _owned_update(s.options, new, old, PROFILE_IDENTITY)
        header = f"profile {name}" if s.name != name else None
        changed = bool(to_set or to_delete or header)
        if changed:
            e = edit(s.index)
            e.header, e.set, e.delete = header, e.set + to_set, e.delete + to_delete
        action = "rename" if header else "update" if changed else "kept"
        entries.append(ProfileEntry(action, name, account.id, role, account.name,
                                    old_name=s.name if header else ""))
    ours = {k for k, _, _ in profile_tpl.lines} | set(settings.profile_keys)
    if previous is not None:
        ours |= set(previous.profile_keys)
    for s in stale:
        if prune:
            edit(s.index).remove = True
            added = [k for k in s.options if k not in ours]
            if added:  # their comments stay in the file; these keys cannot (no section)
                notes.append(f"pruned profile {s.name or s.header} had keys you added: "
                             f"{', '.join(added)}")
        entries.append(ProfileEntry("stale", s.name or s.header, s.options.get(
            "sso_account_id", ""), s.options.get("sso_role_name", ""), removed=prune))
    new_sections += [NewSection(f"profile {n}", keys) for n, keys in sorted(created)]

    # 4. where new sections go: after the last remaining section of this session
    removed = {i for i, e in edits.items() if e.remove}
    members = [s.index for s in of_session if s.index not in removed]
    if session_section is not None:
        members.append(session_section.index)
    if settings_section is not None:
        members.append(settings_section.index)
    anchor = max(members) if members and new_sections else None

    return Plan(session=session, edits=[e for _, e in sorted(edits.items()) if not e.empty],
                new_sections=new_sections, anchor=anchor, profiles=entries, notes=notes,
                info=info)


def _holder(s: SectionInfo, state: str, source: str) -> naming.NameHolder:
    """Who holds a profile name, as the collision message says it. ``state``: what happens to
    a managed profile of this session in this run ("renamed", "pruned", "stale")."""
    account = s.options.get("sso_account_id") or None
    where = f"profile {s.name} ({source}:{s.line})"
    if state == "renamed":
        return naming.NameHolder(f"{where}, renamed in this run (a name is not reused in the "
                                 "run that frees it)", account)
    if state == "pruned":
        return naming.NameHolder(f"{where}, pruned in this run (a name is not reused in the "
                                 "run that frees it)", account)
    if state == "stale":
        return naming.NameHolder(f"{where}, whose account/role is gone (stale; --prune "
                                 "removes it)", account)
    if s.managed:
        other = s.options.get("sso_session") or "no session"
        return naming.NameHolder(f"{where} of [sso-session {other}] (managed by ssogen)",
                                 account)
    return naming.NameHolder(f"your {where} (not managed by ssogen)", account)


def _names_chosen_by_user(pairs: list[tuple[Account, str]], bases: list[str],
                          managed: Mapping[tuple[str, str], SectionInfo], settings: Settings,
                          previous: Settings | None) -> dict[tuple[str, str], str]:
    """(account id, role) -> name of each managed profile whose name ssogen did not give it.

    ssogen renames a managed profile only when its name is one ssogen generates: under the new
    settings, or under the settings remembered from the last run (a template changed through
    ssogen) -- for the account as it is called now or as it may have been called before (an
    account renamed in AWS). Any other name was chosen by the user and stays: renaming it
    would break ``--profile NAME``. Linear; the extra renders only for names that differ.
    """
    odd = [i for i, (a, r) in enumerate(pairs)
           if (s := managed.get((a.id, r.strip()))) is not None and s.name is not None
           and not naming.is_generated(s.name, bases[i], a.id, r)]
    if not odd:
        return {}
    odd_pairs = [pairs[i] for i in odd]
    olds = [settings] if previous is None else [previous, settings]
    old_bases = [bases[i] for i in odd] if previous is None else naming.base_names(
        previous, odd_pairs)
    chosen: dict[tuple[str, str], str] = {}
    left = []
    for (a, r), old in zip(odd_pairs, old_bases, strict=True):
        name = managed[(a.id, r.strip())].name or ""
        if not naming.is_generated(name, old, a.id, r):
            left.append((a, r))
    for tpl in olds:
        if not left:
            break
        fits = naming.any_account_name_matches(
            tpl, left, [managed[(a.id, r.strip())].name or "" for a, r in left])
        left = [pair for pair, fit in zip(left, fits, strict=True) if not fit]
    for a, r in left:
        chosen[(a.id, r.strip())] = managed[(a.id, r.strip())].name or ""
    return chosen


def _legacy_to_migrate(profiles: list[SectionInfo], session: str, session_url: str,
                       session_region: str, migrate: bool, notes: list[str], source: str,
                       ) -> list[SectionInfo]:
    """Legacy profiles that may move to ``[sso-session session]`` (all of them when
    ``migrate``; otherwise they are reported)."""
    fit: list[SectionInfo] = []
    for s in profiles:
        if "sso_session" in s.options or "sso_start_url" not in s.options:
            continue  # the common case first: one dict lookup per profile
        if not is_legacy(s) or s.managed:
            continue
        url = s.options.get("sso_start_url", "")
        if not legacy_matches(url, session_url):
            if same_start_url(url, session_url):
                notes.append(f"legacy profile {s.name!r} ({source}:{s.line}) is not migrated: "
                             f"its start URL {url.strip()!r} is not spelled like the session's "
                             f"{session_url.strip()!r}")
            continue
        region = s.options.get("sso_region", "").strip()
        if session_region and region != session_region:
            notes.append(f"legacy profile {s.name!r} ({source}:{s.line}) is not migrated: its "
                         f"sso_region {region} differs from [sso-session {session}]'s "
                         f"{session_region}")
            continue
        fit.append(s)
    if not fit:
        return []
    names = ", ".join(s.name or "" for s in fit)
    if not migrate:
        notes.append(f"legacy profiles with this start URL ({names}) are left as they are; "
                     f"--migrate-legacy moves them to [sso-session {session}]")
        return []
    sha = hashlib.sha1(session.encode("utf-8")).hexdigest()
    notes.append(f"legacy profile(s) {names} move to [sso-session {session}] and use its login "
                 f"from then on (token cache ~/.aws/sso/cache/{sha}.json, filled by ssogen's "
                 f"login; renew it with `ssogen login --session {session}` or `aws sso login "
                 f"--sso-session {session}`)")
    return fit


def _replace_session(settings: Settings, session: str) -> Settings:
    from dataclasses import replace

    return replace(settings, session=session)
