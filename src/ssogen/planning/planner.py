"""The phases of :func:`ssogen.planning.plan.build_plan`, in order, each reading what the
previous ones decided:

1. the ``[sso-session]``: reuse one with the same start URL, never duplicate;
2. ``[ssogen NAME]``, the remembered settings, owned entirely by ssogen;
3. the profiles of the session: legacy ones to migrate, ssogen's, the user's, stale ones;
4. adoption of the user's look-alikes (only with consent);
5. names: kept while the account/role exists, new ones clear of every name in the file;
6. the edits and new sections for each profile, the chained profiles (``--chain``,
   :mod:`ssogen.planning.chains`) on top of them, then pruning;
7. where new sections go: after the last remaining section of the session.
"""

from __future__ import annotations

import functools

from ssogen.errors import UsageError
from ssogen.inifile.model import FileModel, NewSection, SectionEdit, SectionInfo, is_chain
from ssogen.model.settings import MARKER, SETTINGS_KEYS, Settings, settings_section_name
from ssogen.model.starturl import same_start_url
from ssogen.model.validate import DEFAULT_SCOPES, header_name_problem
from ssogen.planning import naming
from ssogen.planning.dependents import dependent_notes
from ssogen.planning.legacy import legacy_to_migrate
from ssogen.planning.ownership import (
    PROFILE_IDENTITY,
    SESSION_IDENTITY,
    extra_keys,
    owned_update,
    profile_block,
    profile_ctx,
    update_profile,
)
from ssogen.planning.plan import Plan, ProfileEntry
from ssogen.planning.templates import ini_value
from ssogen.records import replace

TYPE_CHECKING = False  # no typing import at run time (start-up time, memory)
if TYPE_CHECKING:
    from ssogen.model.inventory import Account, Inventory
    from ssogen.planning.templates import Block, BlockTemplate, BlockTemplates

Key = tuple[str, str]  # (account id, role name)


def _previous_block(tpl: BlockTemplate, previous: Settings, account: Account, role: str,
                    session: str, extra: Block) -> Block:
    """A profile's block under the remembered settings (rendered only when a value differs
    from the new block's: see :func:`~ssogen.planning.ownership.owned_update`)."""
    return profile_block(tpl, profile_ctx(previous, account, role, session), extra)


def _key(s: SectionInfo) -> Key:
    return s.options.get("sso_account_id", ""), s.options.get("sso_role_name", "")


class Planner:
    def __init__(self, model: FileModel, settings: Settings, inventory: Inventory, *,
                 templates: BlockTemplates, prune: bool, adopt: bool, migrate: bool,
                 source: str) -> None:
        self.model, self.settings, self.inventory = model, settings, inventory
        self.templates = templates
        self.prune, self.adopt, self.migrate, self.source = prune, adopt, migrate, source
        self.notes: list[str] = []
        self.info: list[str] = []
        self.edits: dict[int, SectionEdit] = {}
        self.new_sections: list[NewSection] = []
        self.entries: list[ProfileEntry] = []
        self.previous: Settings | None = None
        self.chain_members: list[int] = []

    def edit(self, index: int) -> SectionEdit:
        return self.edits.setdefault(index, SectionEdit(index))

    def run(self) -> Plan:
        self.session_phase()
        self.settings_phase()
        self.profiles_phase()
        self.adoption_phase()
        self.naming_phase()
        self.edits_phase()
        self.chains_phase()
        self.stale_phase()
        # the session's own sections, changed in place: said in the summary (a change of
        # settings alone would otherwise read "created 0, updated 0 ..." beside a diff)
        touched = [f"[{s.header}]" for s in (self.session_section, self.settings_section)
                   if s is not None and s.index in self.edits and not self.edits[s.index].empty]
        return Plan(session=self.session,
                    edits=[e for _, e in sorted(self.edits.items()) if not e.empty],
                    new_sections=self.new_sections, anchor=self.anchor(),
                    profiles=self.entries, notes=self.notes, info=self.info,
                    sections_updated=touched)

    # -- 1. the sso-session --------------------------------------------------------------------
    def session_phase(self) -> None:
        settings, source = self.settings, self.source
        sessions = self.model.of_kind("sso-session")
        by_name = next((s for s in sessions if s.name == settings.session), None)
        same_url = sorted((s for s in sessions if same_start_url(
            s.options.get("sso_start_url", ""), settings.start_url)),
            key=lambda s: (not s.managed, s.index))
        section: SectionInfo | None = None
        if by_name is not None and by_name in same_url:
            section = by_name
        elif same_url:
            section = same_url[0]
            self.notes.append(f"reusing [sso-session {section.name}] ({source}:{section.line}) "
                              f"for {settings.start_url}")
        elif by_name is not None:
            raise UsageError(
                f"{source}:{by_name.line}: [sso-session {by_name.name}] already points at "
                f"{by_name.options.get('sso_start_url', '(no start URL)')!r}, not "
                f"{settings.start_url!r}; choose another session name (--session)")
        self.session_section = section
        self.session = section.name if section is not None and section.name else settings.session
        problem = header_name_problem("sso-session", self.session)  # also names [ssogen NAME]
        if problem:
            raise UsageError(problem)
        if self.session != settings.session:
            self.settings = settings = replace(settings, session=self.session)
        self.settings_section = next(
            (s for s in self.model.of_kind("ssogen") if s.name == self.session), None)
        if self.settings_section is not None:
            opts = section.options if section is not None else {}
            self.previous = Settings.from_section(
                self.session, opts.get("sso_start_url", ""), opts.get("sso_region", ""),
                self.settings_section.options, where=f"{source}:{self.settings_section.line}")
        self._session_block()

    def _session_block(self) -> None:
        settings, section, before = self.settings, self.session_section, self.previous
        tpl = self.templates.session
        scopes = ",".join(DEFAULT_SCOPES)
        ctx = {"start_url": settings.start_url, "sso_region": settings.sso_region,
               "scopes": scopes}
        if section is None:
            self.new_sections.append(NewSection(
                f"sso-session {self.session}",
                [(k, v) for k, v in tpl.render(ctx) if v is not None]))
        elif section.managed:
            old = None if before is None else lambda: tpl.render(
                {"start_url": before.start_url or settings.start_url,
                 "sso_region": before.sso_region or settings.sso_region, "scopes": scopes})
            to_set, to_delete = owned_update(section.options, tpl.render(ctx), old,
                                             SESSION_IDENTITY)
            e = self.edit(section.index)
            e.set += to_set
            e.delete += to_delete
        else:
            region = section.options.get("sso_region")
            if region and region != settings.sso_region:
                self.notes.append(
                    f"[sso-session {self.session}] says sso_region = {region}, the inventory "
                    f"{settings.sso_region}; keeping the file's value (not managed by ssogen)")

    # -- 2. [ssogen NAME] ----------------------------------------------------------------------
    def settings_phase(self) -> None:
        wanted = {k: ini_value(k, v) for k, v in self.settings.to_section().items()}
        section = self.settings_section
        if section is None:
            self.new_sections.append(NewSection(settings_section_name(self.session),
                                                list(wanted.items())))
            return
        e = self.edit(section.index)
        e.set += [(k, v) for k, v in wanted.items() if section.options.get(k) != v]
        e.delete += [k for k in SETTINGS_KEYS if k in section.options and k not in wanted]

    # -- 3. the profiles of the session --------------------------------------------------------
    def profiles_phase(self) -> None:
        session, section = self.session, self.session_section
        self.pairs = naming.wanted_pairs(self.settings, self.inventory)
        self.wanted: dict[Key, tuple[Account, str]] = {
            (a.id, r.strip()): (a, r) for a, r in self.pairs}
        self.profiles = self.model.of_kind("profile")
        url = section.options.get("sso_start_url", "") if section else self.settings.start_url
        region = (section.options.get("sso_region", "") if section
                  else self.settings.sso_region).strip()
        migrating = legacy_to_migrate(self.profiles, session, url, region, self.migrate,
                                      self.notes, self.source)
        for s in migrating:
            self.edit(s.index).replace.append(("sso_start_url", "sso_session", session))
            self.edit(s.index).delete.append("sso_region")
            self.entries.append(ProfileEntry("migrate", s.name or "", *_key(s)))
        self.migrated_ids = {id(s) for s in migrating}
        # a migrated profile points at the session from now on: treated like any hand-written
        # one (no duplicate generated for its account/role, not adopted without --adopt)
        # (a chained profile names the session too, but botocore resolves its role_arn)
        self.of_session = [s for s in self.profiles if (
            s.options.get("sso_session") == session or id(s) in self.migrated_ids)
            and s.name != "default" and not is_chain(s)]
        self.hand_written: dict[Key, SectionInfo] = {}
        for s in self.of_session:
            if not s.managed and _key(s) in self.wanted:
                self.hand_written.setdefault(_key(s), s)
        self.managed: dict[Key, SectionInfo] = {}
        self.stale: list[SectionInfo] = []
        for s in self.of_session:
            if not s.managed:
                continue
            key = _key(s)
            if key in self.wanted and key not in self.managed and key not in self.hand_written:
                self.managed[key] = s
                continue
            self.stale.append(s)
            if key in self.hand_written:  # e.g. a legacy profile migrated after ssogen's
                other = self.hand_written[key]
                self.notes.append(
                    f"managed profile {s.name!r} ({self.source}:{s.line}) points at the same "
                    f"{key[0]}/{key[1]} as your profile {other.name!r} ({self.source}:"
                    f"{other.line}); it is stale now" + (
                        ", and removed (--prune)" if self.prune else " (--prune removes it)"))

    # -- 4. adoption ---------------------------------------------------------------------------
    def adoption_phase(self) -> None:
        for key, s in self.hand_written.items():
            account, role = self.wanted[key]
            if id(s) in self.migrated_ids:
                continue  # migrated in this run: the user's, not adopted in the same breath
            if self.adopt:
                self.edit(s.index).set.append((MARKER, "true"))
                self.entries.append(ProfileEntry("adopt", s.name or "", account.id, role,
                                                 account.name))
            else:
                self.notes.append(
                    f"profile {s.name!r} ({self.source}:{s.line}) already points at "
                    f"{account.id}/{role}; not generating another (--adopt lets ssogen "
                    "manage it)")

    # -- 5. names ------------------------------------------------------------------------------
    def naming_phase(self) -> None:
        self.needs_name = [(a, r) for a, r in self.pairs
                           if (a.id, r.strip()) not in self.hand_written]
        bases = naming.base_names(self.settings, self.needs_name)
        chosen = naming.names_chosen_by_user(self.needs_name, bases, self.managed,
                                             self.settings, self.previous)
        # a managed profile keeps its name while its account/role exists: the name the user
        # gave it, or the one ssogen gave it (suffix included) as long as ssogen still gives
        # it that name; only a name generated under other settings or account name changes
        current: dict[Key, str] = dict(chosen)
        for (a, r), base in zip(self.needs_name, bases, strict=True):
            holder = self.managed.get((a.id, r.strip()))
            if holder is not None and holder.name and naming.is_generated(holder.name, base,
                                                                           a.id, r):
                current[(a.id, r)] = holder.name
        # every other name in the file is taken -- also the names of profiles pruned or
        # renamed in this run: no name comes to mean another account/role in the run that
        # frees it
        kept = {id(self.managed[k]) for k in current if k in self.managed}
        state = {id(s): "renamed" for s in self.managed.values()}
        state.update({id(s): "pruned" if self.prune else "stale" for s in self.stale})
        taken = naming.Holders({s.name: s for s in self.profiles
                                if s.name is not None and id(s) not in kept},
                               state, self.source)
        self.names, collisions = naming.resolve_collisions(
            self.needs_name, bases, taken, current, chosen=chosen.values())
        for (a, r), base in zip(self.needs_name, bases, strict=True):
            if (a.id, r.strip()) in chosen:
                self.info.append(f"kept your name {chosen[(a.id, r.strip())]} for "
                                 f"{a.name or a.id}/{r} (ssogen would call it {base})")
        self.notes += collisions

    # -- 6. edits and new sections -------------------------------------------------------------
    def edits_phase(self) -> None:
        settings, previous, session = self.settings, self.previous, self.session
        tpl = self.templates.profile
        # --profile-template keys are written like region/output; a key dropped from the
        # template leaves the profiles that still hold the value it had
        extra = extra_keys(settings.profile_keys)
        if previous is not None:
            extra += [(k, None) for k in previous.profile_keys if k not in settings.profile_keys]
        old_extra = extra_keys(previous.profile_keys) if previous is not None else []
        created: list[tuple[str, list[tuple[str, str]]]] = []
        for (account, role), name in zip(self.needs_name, self.names, strict=True):
            ctx = profile_ctx(settings, account, role, session)
            s = self.managed.get((account.id, role.strip()))
            if s is not None and not extra and s.name == name and tpl.holds(ctx, s.options):
                self.entries.append(ProfileEntry("kept", name, account.id, role, account.name))
                continue  # in line: nothing to plan, no block to build
            new = profile_block(tpl, ctx, extra) if extra else tpl.render(ctx)
            if s is None:
                created.append((name, [(k, v) for k, v in new if v is not None]))
                self.entries.append(ProfileEntry("create", name, account.id, role,
                                                 account.name))
                continue
            old = None if previous is None else functools.partial(
                _previous_block, tpl, previous, account, role, session, old_extra)
            action = update_profile(self.edit, s, name, new, old, PROFILE_IDENTITY)
            self.entries.append(ProfileEntry(action, name, account.id, role, account.name,
                                             old_name=(s.name or "") if action == "rename"
                                             else ""))
        self.new_sections += [NewSection(f"profile {n}", keys) for n, keys in sorted(created)]

    def chains_phase(self) -> None:
        renamed = {}
        for (a, r), name in zip(self.needs_name, self.names, strict=True):
            s = self.managed.get((a.id, r.strip()))
            if s is not None and s.name != name:
                renamed[id(s)] = name
        removed = {id(s) for s in self.stale} if self.prune else set()
        if not self.settings.chains and not any(is_chain(s) and s.managed
                                                for s in self.profiles):
            # no chain of ours, wanted or in the file: only the user's profiles to mention
            self.notes += dependent_notes(self.profiles, renamed, removed, self.source)
            return
        from ssogen.planning.chain_matching import ChainContext
        from ssogen.planning.chain_specs import Source
        from ssogen.planning.chains import plan_chains

        sources = []
        for (a, r), name in zip(self.needs_name, self.names, strict=True):
            s = self.managed.get((a.id, r.strip()))
            sources.append(Source(name, a, r, s.name if s is not None else None))
        for key, s in self.hand_written.items() if self.adopt else ():
            if id(s) not in self.migrated_ids:  # adopted in this run: a source from now on
                sources.append(Source(s.name or "", *self.wanted[key], old_name=s.name))
        state = {id(s): "renamed" for s in self.managed.values()}
        state.update({id(s): "pruned" if self.prune else "stale" for s in self.stale})
        ctx = ChainContext(
            session=self.session, settings=self.settings, previous=self.previous,
            profiles=self.profiles, sources=sources, sso_names={s.name for s in sources},
            renamed=renamed, removed=removed, state=state,
            other_sessions=[s.name for s in self.model.of_kind("ssogen") if s.name],
            prune=self.prune, adopt=self.adopt, source=self.source, edit=self.edit,
            templates=self.templates)
        plan_chains(ctx)
        self.entries += ctx.entries
        self.new_sections += ctx.new_sections
        self.notes += ctx.notes
        self.info += ctx.info
        self.chain_members = ctx.members

    def stale_phase(self) -> None:
        ours = set(self.templates.profile.keys) | set(self.settings.profile_keys)
        if self.previous is not None:
            ours |= set(self.previous.profile_keys)
        for s in self.stale:
            if self.prune:
                self.edit(s.index).remove = True
                added = [k for k in s.options if k not in ours]
                if added:  # their comments stay in the file; these keys cannot (no section)
                    self.notes.append(f"pruned profile {s.name or s.header} had keys you "
                                      f"added: {', '.join(added)}")
            self.entries.append(ProfileEntry("stale", s.name or s.header, *_key(s),
                                             removed=self.prune))

    # -- 7. placement --------------------------------------------------------------------------
    def anchor(self) -> int | None:
        """New sections go after the last remaining section of this session."""
        removed = {i for i, e in self.edits.items() if e.remove}
        members = [i for i in [s.index for s in self.of_session] + self.chain_members
                   if i not in removed]
        if self.session_section is not None:
            members.append(self.session_section.index)
        if self.settings_section is not None:
            members.append(self.settings_section.index)
        return max(members) if members and self.new_sections else None
