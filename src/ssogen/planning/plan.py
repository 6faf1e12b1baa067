"""Desired profiles vs the current file -> :class:`Plan`. Pure: no I/O, no configupdater.

The current file comes in as a :class:`~ssogen.inifile.model.FileModel` (every section with
its name as botocore routes it and its keys); the plan says, per section, what to rename, set,
delete or remove, and which new sections to insert where (the neutral edits of
:mod:`ssogen.inifile.model`, which the document applies). Ownership (docs/ARCHITECTURE.md):

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

from ssogen.inifile.model import NewSection, SectionEdit
from ssogen.records import field, record

TYPE_CHECKING = False  # no typing import at run time (start-up time, memory)
if TYPE_CHECKING:
    from ssogen.inifile.model import FileModel
    from ssogen.model.inventory import Inventory
    from ssogen.model.settings import Settings
    from ssogen.planning.templates import BlockTemplates


@record(slots=True)
class ProfileEntry:
    action: str  # create | update | rename | adopt | stale | kept | migrate
    name: str
    account_id: str
    role: str
    account_name: str = ""
    removed: bool = False  # stale and pruned
    old_name: str = ""  # rename: the name it had
    # a chained profile (--chain): the profile it starts from and the role it assumes (then
    # account_id/role are the role's)
    source_profile: str = ""
    role_arn: str = ""


#: the kinds of change :meth:`Plan.changes` names, in the order they are reported
CHANGE_GROUPS = ("created", "renamed", "updated", "adopted", "migrated", "stale", "removed")


@record
class Plan:
    session: str  # the sso-session name actually used (an existing one may be reused)
    edits: list[SectionEdit] = field(default_factory=list)
    new_sections: list[NewSection] = field(default_factory=list)
    anchor: int | None = None  # insert new sections after this SectionInfo.index (None: end)
    profiles: list[ProfileEntry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    info: list[str] = field(default_factory=list)  # worth saying, no warning (kept names...)
    # the session's [sso-session]/[ssogen] sections changed in place ("[ssogen acme]")
    sections_updated: list[str] = field(default_factory=list)

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
        if self.sections_updated:
            text += f"; {' and '.join(self.sections_updated)} updated"
        return text


def build_plan(model: FileModel, settings: Settings, inventory: Inventory, *,
               templates: BlockTemplates, prune: bool = False, adopt: bool = False,
               migrate: bool = False, source: str = "config") -> Plan:
    """Everything :meth:`ssogen.inifile.document.ConfigDocument.apply` must do to make the file
    match (the phases are :class:`ssogen.planning.planner.Planner`'s).

    The settings remembered by the last run (``[ssogen NAME]``) tell a default that ssogen
    wrote from a value the user chose. ``migrate``: legacy profiles for the session's start URL
    get ``sso_session = NAME`` in place of ``sso_start_url``/``sso_region`` (nothing else
    changes; they stay the user's, no marker); without it they are only reported.
    """
    from ssogen.planning.planner import Planner

    return Planner(model, settings, inventory, templates=templates, prune=prune, adopt=adopt,
                   migrate=migrate, source=source).run()
