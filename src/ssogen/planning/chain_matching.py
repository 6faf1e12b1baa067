"""The chain phase's context (:mod:`ssogen.planning.chains`) and its first step: which chained
profiles of the file this session answers for, and which of them are still wanted. Pure: no
I/O.

A chain's identity is (the source's account id, the source's role, the rendered role ARN); the
source is found through ``source_profile`` in the file, so a chain whose source is renamed is
still the same one. A managed chain lives while its source is a live generated SSO profile of
the session that a spec asks a chain of; otherwise it is stale.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from ssogen.inifile.model import NewSection, SectionEdit, SectionInfo, is_chain
from ssogen.planning.chain_specs import ChainKey, Source, Wanted
from ssogen.planning.plan import ProfileEntry
from ssogen.records import field, record

if TYPE_CHECKING:
    from ssogen.model.settings import Settings
    from ssogen.planning.templates import BlockTemplates


@record
class Existing:
    """A managed chain of the file, with its identity and source as the file has them."""

    section: SectionInfo
    key: ChainKey | None  # None: its source_profile is no SSO profile of the file
    source: SectionInfo | None


@record
class ChainContext:
    """What the SSO phases decided, as the chain phase needs it."""

    session: str
    settings: Settings
    previous: Settings | None
    profiles: list[SectionInfo]  # every [profile] of the file
    sources: list[Source]
    sso_names: set[str]  # every SSO profile name this run gives
    renamed: Mapping[int, str]  # id(SSO section) -> its new name
    removed: set[int]  # id(SSO section) removed in this run
    state: Mapping[int, str]  # id(SSO section) -> "renamed" / "pruned" / "stale" (Holders)
    other_sessions: list[str]  # every [ssogen NAME] of the file
    prune: bool
    adopt: bool
    source: str  # the file, for messages
    edit: Callable[[int], SectionEdit]
    templates: BlockTemplates
    entries: list[ProfileEntry] = field(default_factory=list)
    new_sections: list[NewSection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    info: list[str] = field(default_factory=list)
    members: list[int] = field(default_factory=list)  # indexes of this session's chains


def classify(ctx: ChainContext) -> tuple[list[Existing], dict[ChainKey, SectionInfo]]:
    """The managed chains this session answers for (those whose source is of the session;
    orphans -- no SSO source at all -- by their own sso_session, else by the first session of
    the file: so once), and the user's chains that look like one of ours."""
    by_name = {s.name: s for s in ctx.profiles if s.name is not None}
    first = min([*ctx.other_sessions, ctx.session])
    existing: list[Existing] = []
    look_alikes: dict[ChainKey, SectionInfo] = {}
    for s in ctx.profiles:
        if not is_chain(s) or s.name == "default":
            continue
        src = by_name.get(s.options.get("source_profile", "").strip())
        session = src.options.get("sso_session") if src is not None else None
        key = None if src is None or not session else (
            src.options.get("sso_account_id", ""), src.options.get("sso_role_name", ""),
            s.options.get("role_arn", "").strip())
        if not s.managed:
            if key is not None and session == ctx.session:
                look_alikes.setdefault(key, s)
        elif (session or s.options.get("sso_session", "").strip() or first) == ctx.session:
            existing.append(Existing(s, key, src if key is not None else None))
            ctx.members.append(s.index)
    return existing, look_alikes


def match(ctx: ChainContext, wanted: list[Wanted], existing: list[Existing],
          ) -> tuple[dict[ChainKey, SectionInfo], list[Existing]]:
    """Managed chains still wanted (the first per key, its source alive), the rest stale."""
    live = {s.old_name for s in ctx.sources if s.old_name}
    keys = {w.key for w in wanted}
    managed: dict[ChainKey, SectionInfo] = {}
    stale: list[Existing] = []
    for e in existing:
        k = e.key
        if k is not None and k in keys and k not in managed and e.source is not None \
                and e.source.name in live:
            managed[k] = e.section
        else:
            stale.append(e)
    return managed, stale
