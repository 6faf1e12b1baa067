"""Chained profiles (``--chain``): ``[profile X]`` blocks with ``source_profile = <a generated
SSO profile>`` and ``role_arn``, under the rules of the SSO profiles. Pure: no I/O.

* Identity: (the source's account id, the source's role, the rendered role ARN). The source is
  found through ``source_profile`` in the file, so when the source is renamed the chain is
  still the same one, and its ``source_profile`` follows.
* A chain lives while its source is a live generated SSO profile of the session (created,
  kept, renamed or adopted in this run) that a spec's glob matches; otherwise it is stale:
  reported, and removed with ``--prune`` -- the same run that prunes its source. A chain is
  never written pointing at a profile the written file would not have.
* Names: the spec's template over the source (:data:`VARIABLES`), sanitised like the SSO
  names; a chain keeps its name while it lives (a name the user gave it too); new names are
  clear of every name in the file and of every name this run gives (SSO ones first).
  Collisions get ``-<source>`` when the holder is a chain of another source and the name does
  not say the source yet, else ``-<target account id>``.
* Keys: ``source_profile``, ``role_arn``, ``sso_session`` (the source's: see
  ``templates/chain.ini`` why) and the marker are owned; ``role_session_name``,
  ``duration_seconds``, ``region`` (of the target account), ``output`` and the
  ``--profile-template`` keys (except assume-role ones) follow the SSO profiles' rule.

The parts: :mod:`~ssogen.planning.chain_specs` (what the specs ask for),
:mod:`~ssogen.planning.chain_matching` (the context; which chains of the file are this
session's and still wanted), :mod:`~ssogen.planning.chain_names` (their names); this module
runs the phase and writes: the chains created, updated, renamed, adopted, stale or removed.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ssogen.inifile.model import NewSection, SectionInfo
from ssogen.model.chain import ChainSpec, parse_role_arn
from ssogen.model.settings import MARKER, account_region
from ssogen.planning.chain_matching import ChainContext, Existing, classify, match
from ssogen.planning.chain_names import name_chains
from ssogen.planning.chain_specs import ChainKey, Wanted, previous_spec, wanted_chains
from ssogen.planning.dependents import dependent_notes
from ssogen.planning.ownership import extra_keys, profile_block, update_profile
from ssogen.planning.plan import ProfileEntry
from ssogen.planning.templates import Block, BlockTemplate

if TYPE_CHECKING:
    from ssogen.model.settings import Settings

CHAIN_IDENTITY = ("source_profile", "role_arn", "sso_session", MARKER)
#: assume-role keys come from the spec only (a --profile-template line never overrides them)
ASSUME_ROLE_KEYS = ("role_session_name", "duration_seconds", "external_id", "mfa_serial",
                    "source_profile", "role_arn", "credential_source")


def plan_chains(ctx: ChainContext) -> None:
    """The chain phase: entries, edits and new sections into ``ctx``. (The planner runs it
    when there is chain work: a spec, or a managed chain in the file.)"""
    wanted = wanted_chains(ctx.settings, ctx.sources, ctx.notes, ctx.info) \
        if ctx.settings.chains else []
    existing, look_alikes = classify(ctx)
    wanted = [w for w in wanted if not _look_alike(ctx, w, look_alikes)]
    managed, stale = match(ctx, wanted, existing)
    names = name_chains(ctx, wanted, managed, stale)
    write_chains(ctx, wanted, names, managed)
    stale_chains(ctx, stale)
    # the user's profiles that start from an SSO profile this run renames or removes
    ctx.notes += dependent_notes(ctx.profiles, ctx.renamed, ctx.removed, ctx.source)


def _look_alike(ctx: ChainContext, w: Wanted, look_alikes: dict[ChainKey, SectionInfo]
                ) -> bool:
    """A chain the user wrote for the same source and role: adopted with consent (the marker
    and the sso_session ssogen's chains carry, nothing else), else said; either way no second
    one is generated."""
    s = look_alikes.get(w.key)
    if s is None:
        return False
    if ctx.adopt:
        if s.options.get("sso_session") != ctx.session:
            ctx.edit(s.index).set.append(("sso_session", ctx.session))
        ctx.edit(s.index).set.append((MARKER, "true"))
        ctx.entries.append(_entry("adopt", s.name or "", w))
    else:
        ctx.notes.append(f"profile {s.name!r} ({ctx.source}:{s.line}) already assumes "
                         f"{w.arn} from {w.source.name}; not generating another (--adopt "
                         "lets ssogen manage it)")
    return True


def _extra(settings: Settings) -> Block:
    return extra_keys({k: v for k, v in settings.profile_keys.items()
                       if k not in ASSUME_ROLE_KEYS})


def chain_block(tpl: BlockTemplate, settings: Settings, w: Wanted, spec: ChainSpec,
                source_profile: str, dropped: Block | None = None) -> Block:
    """The chained profile's keys (the ``--profile-template`` ones before the marker)."""
    ctx: dict[str, str | None] = {
        "source_profile": source_profile, "role_arn": w.arn,
        "role_session_name": spec.role_session_name,
        "duration_seconds": None if spec.duration_seconds is None
        else str(spec.duration_seconds),
        "session": settings.session,
        "region": account_region(settings.account_regions, w.target_account_id, "")
        or settings.region,
        "output": settings.output}
    return profile_block(tpl, ctx, _extra(settings) + (dropped or []))


def write_chains(ctx: ChainContext, wanted: list[Wanted], names: list[str],
                 managed: Mapping[ChainKey, SectionInfo]) -> None:
    settings, previous = ctx.settings, ctx.previous
    dropped: Block = [] if previous is None else [
        (k, None) for k, _ in _extra(previous) if k not in dict(_extra(settings))]
    created = []
    for w, name in zip(wanted, names, strict=True):
        new = chain_block(ctx.templates.chain, settings, w, w.spec, w.source.name, dropped)
        s = managed.get(w.key)
        if s is None:
            created.append(NewSection(f"profile {name}", [(k, v) for k, v in new
                                                          if v is not None]))
            ctx.entries.append(_entry("create", name, w))
            continue
        old = None if previous is None else functools.partial(
            _old_block, ctx, w, s.options.get("source_profile", ""))
        action = update_profile(ctx.edit, s, name, new, old, CHAIN_IDENTITY)
        ctx.entries.append(_entry(action, name, w,
                                  old_name=(s.name or "") if action == "rename" else ""))
    ctx.new_sections += sorted(created, key=lambda n: n.header)


def _old_block(ctx: ChainContext, w: Wanted, source_profile: str) -> Block:
    assert ctx.previous is not None
    spec = previous_spec(w, ctx.settings, ctx.previous) or w.spec
    return chain_block(ctx.templates.chain, ctx.previous, w, spec, source_profile)


def _entry(action: str, name: str, w: Wanted, old_name: str = "") -> ProfileEntry:
    return ProfileEntry(action, name, w.target_account_id, w.target_role, old_name=old_name,
                        source_profile=w.source.name, role_arn=w.arn)


def stale_chains(ctx: ChainContext, stale: list[Existing]) -> None:
    """Stale chains are kept (their source_profile following a renamed source) or, with
    --prune or when their source goes, removed."""
    ours = set(ctx.templates.chain.keys) | set(ctx.settings.profile_keys)
    if ctx.previous is not None:
        ours |= set(ctx.previous.profile_keys)
    for e in stale:
        s, src = e.section, e.source
        arn = s.options.get("role_arn", "").strip()
        parsed = parse_role_arn(arn)
        source_profile = s.options.get("source_profile", "").strip()
        remove = ctx.prune or (src is not None and id(src) in ctx.removed)
        if remove:
            ctx.edit(s.index).remove = True
            added = [k for k in s.options if k not in ours]
            if added:
                ctx.notes.append(f"pruned profile {s.name} had keys you added: "
                                 f"{', '.join(added)}")
        elif src is not None and id(src) in ctx.renamed:
            source_profile = ctx.renamed[id(src)]
            ctx.edit(s.index).set.append(("source_profile", source_profile))
        ctx.entries.append(ProfileEntry(
            "stale", s.name or s.header, parsed.account_id if parsed else "",
            parsed.name if parsed else "", removed=remove, source_profile=source_profile,
            role_arn=arn))
