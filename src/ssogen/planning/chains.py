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
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from ssogen.errors import UsageError
from ssogen.inifile.model import NewSection, SectionEdit, SectionInfo
from ssogen.model.chain import ChainSpec, parse_role_arn, partition_of, role_arn_problem
from ssogen.model.settings import MARKER, account_region
from ssogen.planning import naming
from ssogen.planning.name_templates import render_rows, short_role
from ssogen.planning.ownership import extra_keys, owned_update, profile_block
from ssogen.planning.plan import ProfileEntry
from ssogen.planning.templates import Block, block_template

if TYPE_CHECKING:
    from ssogen.model.inventory import Account
    from ssogen.model.settings import Settings

#: what a chain's name template sees; its role ARN template sees the first six
VARIABLES = ("source", "account_name", "account_id", "account_email", "role_name", "role",
             "target_account_id", "target_role")
ARN_VARIABLES = VARIABLES[:6]
CHAIN_IDENTITY = ("source_profile", "role_arn", "sso_session", MARKER)
#: assume-role keys come from the spec only (a --profile-template line never overrides them)
ASSUME_ROLE_KEYS = ("role_session_name", "duration_seconds", "external_id", "mfa_serial",
                    "source_profile", "role_arn", "credential_source")
ChainKey = tuple[str, str, str]  # (source account id, source role, role ARN)

_SAMPLE = ("example-read-only-access", "Example", "123456789012", "aws@example.com",
           "ReadOnlyAccess", "ReadOnlyAccess")


@dataclass(frozen=True)
class Source:
    """A generated SSO profile that lives after this run."""

    name: str
    account: Account
    role: str
    old_name: str | None = None  # its name in the file (None: created in this run)


@dataclass(frozen=True)
class Wanted:
    key: ChainKey
    source: Source
    spec: ChainSpec
    arn: str
    target_account_id: str
    target_role: str


@dataclass
class Existing:
    section: SectionInfo
    key: ChainKey | None  # None: its source_profile is no SSO profile of the file
    source: SectionInfo | None


def is_chain(s: SectionInfo) -> bool:
    """A profile that assumes a role from another profile: botocore resolves ``role_arn``
    first, so it is not an SSO profile, even with an ``sso_session`` (which ssogen writes
    into its chains, see ``templates/chain.ini``)."""
    return "role_arn" in s.options and "source_profile" in s.options


def _label(spec: ChainSpec) -> str:
    return f"--chain {spec.text!r:.200}"


def _arn_rows(source: Source, settings: Settings) -> tuple[str, ...]:
    a = source.account
    name = a.name if naming.sanitize(a.name) else a.id
    return (source.name, name, a.id, a.email, source.role,
            short_role(source.role, settings.role_aliases))


def render_arns(spec: ChainSpec, rows: list[tuple[str, ...]], settings: Settings,
                partition: str | None, names: list[str]) -> list[str]:
    """The spec's role ARN per source row, checked (UsageError naming the spec)."""
    if "{" not in spec.role_arn:
        arns = [spec.role_arn] * len(rows)
    else:
        arns = [a.strip() for a in render_rows(spec.role_arn, ARN_VARIABLES, rows,
                                               settings.session, settings.role_aliases,
                                               label=f"{_label(spec)}: the role ARN")]
    for arn, name in zip(arns, names, strict=True):
        problem = role_arn_problem(arn, partition)
        if problem:  # a templated ARN: for which profile (a fixed one is wrong for all)
            where = f" for {name}" if "{" in spec.role_arn else ""
            raise UsageError(f"{_label(spec)}:{where} {problem}")
    return arns


def render_names(spec: ChainSpec, wanted: list[Wanted], settings: Settings,
                 source_names: list[str] | None = None) -> list[str]:
    """Sanitised names (no collision handling), the source's name taken from
    ``source_names`` when given (its old name)."""
    rows = []
    for i, w in enumerate(wanted):
        row = _arn_rows(w.source, settings)
        src = source_names[i] if source_names is not None else row[0]
        rows.append((src, *row[1:], w.target_account_id, w.target_role))
    raw = render_rows(spec.template, VARIABLES, rows, settings.session, settings.role_aliases,
                      label=f"{_label(spec)}: the name template")
    return [naming._bounded(n, f"{row[0]}-{row[7]}") for n, row in zip(raw, rows, strict=True)]


def check_spec(spec: ChainSpec, settings: Settings) -> None:
    """Render a spec for a sample source (before any login): UsageError when its templates
    do not render or its role ARN is not one in the session's partition."""
    partition = partition_of(settings.sso_region) if settings.sso_region else None
    (arn,) = render_arns(spec, [_SAMPLE], settings, partition,
                         [f"a sample profile (account {_SAMPLE[2]}, {_SAMPLE[0]})"])
    parsed = parse_role_arn(arn)
    assert parsed is not None
    from ssogen.model.inventory import Account

    source = Source(_SAMPLE[0], Account(_SAMPLE[2], _SAMPLE[1], _SAMPLE[3], [_SAMPLE[4]]),
                    _SAMPLE[4])
    render_names(spec, [Wanted(("", "", arn), source, spec, arn, parsed.account_id,
                               parsed.name)], settings)


def wanted_chains(settings: Settings, sources: list[Source], notes: list[str],
                  info: list[str]) -> list[Wanted]:
    """Every (source, spec) pair the specs ask for, in spec order; a pair another spec
    already gave is said and left out."""
    partition = partition_of(settings.sso_region)
    out: dict[ChainKey, Wanted] = {}
    by_name = sorted(sources, key=lambda s: s.name)
    for spec in settings.chains:
        glob = spec.source_glob.lower()
        hits = [s for s in by_name if fnmatchcase(s.name.lower(), glob)]
        if not hits:
            notes.append(f"{_label(spec)} matches no generated profile of session "
                         f"{settings.session}")
            continue
        arns = render_arns(spec, [_arn_rows(s, settings) for s in hits], settings, partition,
                           [f"profile {s.name}" for s in hits])
        for source, arn in zip(hits, arns, strict=True):
            key = (source.account.id, source.role.strip(), arn)
            if key in out:
                info.append(f"{_label(spec)} repeats {_label(out[key].spec)} for profile "
                            f"{source.name} (the first one is used)")
                continue
            parsed = parse_role_arn(arn)
            assert parsed is not None  # checked by render_arns
            out[key] = Wanted(key, source, spec, arn, parsed.account_id, parsed.name)
    return list(out.values())


@dataclass
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
    entries: list[ProfileEntry] = field(default_factory=list)
    new_sections: list[NewSection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    info: list[str] = field(default_factory=list)
    members: list[int] = field(default_factory=list)  # indexes of this session's chains


def plan_chains(ctx: ChainContext) -> None:
    """The chain phase: entries, edits and new sections into ``ctx``."""
    if not ctx.settings.chains and not any(s.managed and is_chain(s) for s in ctx.profiles):
        warn_hand_written(ctx)  # no chain of ours, wanted or in the file: only the user's
        return
    wanted = wanted_chains(ctx.settings, ctx.sources, ctx.notes, ctx.info) \
        if ctx.settings.chains else []
    existing, look_alikes = classify(ctx)
    wanted = [w for w in wanted if not _look_alike(ctx, w, look_alikes)]
    managed, stale = match(ctx, wanted, existing)
    names = name_chains(ctx, wanted, managed, stale)
    write_chains(ctx, wanted, names, managed)
    stale_chains(ctx, stale)
    warn_hand_written(ctx)


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


def is_generated(name: str, base: str, w: Wanted, sources: tuple[str, ...]) -> bool:
    """Is ``name`` ``base`` or one of the collision suffixes a chain gets?"""
    if name == base:
        return True
    target = w.target_account_id
    suffixes = {f"-{target}"} | {f"-{s}" for s in sources} | {f"-{target}-{s}" for s in sources}
    if name in {naming._suffixed(base, x) for x in suffixes}:
        return True
    at = name.rfind(f"-{target}-")
    number = name[at + len(target) + 2:] if at >= 0 else ""
    return number.isdigit() and name == naming._suffixed(base, f"-{target}-{number}")


def _previous_spec(ctx: ChainContext, w: Wanted) -> ChainSpec | None:
    """The remembered spec this chain came from (the same source glob hit and role ARN)."""
    if ctx.previous is None:
        return None
    partition = partition_of(ctx.settings.sso_region)
    names = [n for n in (w.source.old_name, w.source.name) if n]
    for spec in ctx.previous.chains:
        if not any(fnmatchcase(n.lower(), spec.source_glob.lower()) for n in names):
            continue
        try:
            (arn,) = render_arns(spec, [_arn_rows(w.source, ctx.previous)], ctx.previous,
                                 partition, [w.source.name])
        except UsageError:
            continue
        if arn == w.arn:
            return spec
    return None


def _ssogen_gave(ctx: ChainContext, w: Wanted, name: str) -> bool:
    """Is a managed chain's name (not the one ssogen gives it now) one ssogen gave it under
    the remembered spec or the source's old name? Otherwise the user chose it."""
    old = w.source.old_name or w.source.name
    sources = tuple(dict.fromkeys((w.source.name, old)))
    prev = _previous_spec(ctx, w)
    specs = [w.spec] + ([prev] if prev is not None and prev.template != w.spec.template
                        else [])
    settings = [ctx.settings] + ([ctx.previous] if ctx.previous is not None else [])
    for spec in specs:
        for s in settings:
            for src in sources:
                (base,) = render_names(spec, [w], s, [src])
                if is_generated(name, base, w, sources):
                    return True
    return False


def _current_names(ctx: ChainContext, wanted: list[Wanted], bases: list[str],
                   managed: Mapping[ChainKey, SectionInfo]) -> dict[ChainKey, str]:
    """Names kept: the one ssogen still gives, or one the user gave (said)."""
    current: dict[ChainKey, str] = {}
    for w, base in zip(wanted, bases, strict=True):
        s = managed.get(w.key)
        if s is None or not s.name:
            continue
        sources = tuple(dict.fromkeys(n for n in (w.source.name, w.source.old_name) if n))
        if is_generated(s.name, base, w, sources):
            current[w.key] = s.name
        elif not _ssogen_gave(ctx, w, s.name):
            current[w.key] = s.name
            ctx.info.append(f"kept your name {s.name} for the chain {w.source.name} → "
                            f"{w.arn} (ssogen would call it {base})")
    return current


def _bases(ctx: ChainContext, wanted: list[Wanted]) -> list[str]:
    out: dict[ChainKey, str] = {}
    for spec in dict.fromkeys(w.spec for w in wanted):
        group = [w for w in wanted if w.spec == spec]
        for w, base in zip(group, render_names(spec, group, ctx.settings), strict=True):
            out[w.key] = base
    return [out[w.key] for w in wanted]


class _Claims:
    """Who holds a name: this run's chains and SSO profiles, then the file's profiles."""

    def __init__(self, ctx: ChainContext, kept: set[int], state: Mapping[int, str]) -> None:
        self.sections = {s.name: s for s in ctx.profiles if s.name and id(s) not in kept}
        self.holders = naming.Holders(self.sections, state, ctx.source)
        self.own: dict[str, tuple[str, str | None]] = {
            n: (f"the SSO profile {n} of [sso-session {ctx.session}]", None)
            for n in ctx.sso_names}
        for n in naming.RESERVED_NAMES:
            self.own.setdefault(n, ("reserved", None))

    def __contains__(self, name: str) -> bool:
        return name in self.own or name in self.sections

    def holder(self, name: str) -> tuple[str, str | None]:
        """(who holds it, the source profile when the holder is a chain)."""
        if name in self.own:
            return self.own[name]
        s = self.sections[name]
        return (self.holders[name].what,
                s.options.get("source_profile", "").strip() if is_chain(s) else None)


def _suffix_name(claims: _Claims, w: Wanted, base: str) -> str:
    target, source = w.target_account_id, w.source.name
    _, holder_source = claims.holder(base)
    order = [f"-{target}", f"-{source}"]
    if holder_source is not None and holder_source != source and source not in base:
        order.reverse()  # a fixed name shared by the chains of several sources
    for suffix in [*order, f"-{target}-{source}"]:
        name = naming._suffixed(base, suffix)
        if name not in claims:
            return name
    n = 2
    while naming._suffixed(base, f"-{target}-{n}") in claims:
        n += 1
    return naming._suffixed(base, f"-{target}-{n}")


def name_chains(ctx: ChainContext, wanted: list[Wanted], managed: dict[ChainKey, SectionInfo],
                stale: list[Existing]) -> list[str]:
    """Each wanted chain's name: kept while it lives, new ones clear of every name."""
    bases = _bases(ctx, wanted)
    current = _current_names(ctx, wanted, bases, managed)
    kept = {id(managed[k]) for k in current}
    state = dict(ctx.state)
    state.update({id(s): "renamed" for s in managed.values()})
    state.update({id(e.section): "pruned" if ctx.prune else "stale" for e in stale})
    claims = _Claims(ctx, kept, state)
    for w in wanted:
        if w.key in current:
            claims.own[current[w.key]] = (f"the chained profile {current[w.key]}",
                                          w.source.name)
    names: dict[ChainKey, str] = dict(current)
    for w, base in sorted(zip(wanted, bases, strict=True), key=lambda p: p[0].key):
        if w.key in names:
            continue
        name = base
        if base in claims:
            name = _suffix_name(claims, w, base)
            what, _ = claims.holder(base)
            why = "is reserved" if what == "reserved" else f"is taken by {what}"
            ctx.notes.append(f"profile name {base!r} {why}; the chain {w.source.name} → "
                             f"{w.arn} gets {name!r}")
        claims.own[name] = (f"the chained profile {name}", w.source.name)
        names[w.key] = name
    return [names[w.key] for w in wanted]


def _extra(settings: Settings) -> Block:
    return extra_keys({k: v for k, v in settings.profile_keys.items()
                       if k not in ASSUME_ROLE_KEYS})


def chain_block(settings: Settings, w: Wanted, spec: ChainSpec, source_profile: str,
                dropped: Block | None = None) -> Block:
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
    return profile_block(block_template("chain.ini"), ctx, _extra(settings) + (dropped or []))


def write_chains(ctx: ChainContext, wanted: list[Wanted], names: list[str],
                 managed: Mapping[ChainKey, SectionInfo]) -> None:
    settings, previous = ctx.settings, ctx.previous
    dropped: Block = [] if previous is None else [
        (k, None) for k, _ in _extra(previous) if k not in dict(_extra(settings))]
    created = []
    for w, name in zip(wanted, names, strict=True):
        new = chain_block(settings, w, w.spec, w.source.name, dropped)
        s = managed.get(w.key)
        if s is None:
            created.append(NewSection(f"profile {name}", [(k, v) for k, v in new
                                                          if v is not None]))
            ctx.entries.append(_entry("create", name, w))
            continue
        old = None if previous is None else functools.partial(
            _old_block, ctx, w, s.options.get("source_profile", ""))
        to_set, to_delete = owned_update(s.options, new, old, CHAIN_IDENTITY)
        header = f"profile {name}" if s.name != name else None
        if to_set or to_delete or header:
            e = ctx.edit(s.index)
            e.header, e.set, e.delete = header, e.set + to_set, e.delete + to_delete
        action = "rename" if header else "update" if to_set or to_delete else "kept"
        ctx.entries.append(_entry(action, name, w, old_name=(s.name or "") if header else ""))
    ctx.new_sections += sorted(created, key=lambda n: n.header)


def _old_block(ctx: ChainContext, w: Wanted, source_profile: str) -> Block:
    assert ctx.previous is not None
    spec = _previous_spec(ctx, w) or w.spec
    return chain_block(ctx.previous, w, spec, source_profile)


def _entry(action: str, name: str, w: Wanted, old_name: str = "") -> ProfileEntry:
    return ProfileEntry(action, name, w.target_account_id, w.target_role, old_name=old_name,
                        source_profile=w.source.name, role_arn=w.arn)


def stale_chains(ctx: ChainContext, stale: list[Existing]) -> None:
    """Stale chains are kept (their source_profile following a renamed source) or, with
    --prune or when their source goes, removed."""
    ours = set(block_template("chain.ini").keys) | set(ctx.settings.profile_keys)
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


def warn_hand_written(ctx: ChainContext) -> None:
    """Profiles of the user's that start from an SSO profile this run renames or removes:
    said (they are the user's to edit)."""
    if not ctx.renamed and not ctx.removed:
        return
    sso = {s.name: s for s in ctx.profiles if s.name and (id(s) in ctx.renamed
                                                          or id(s) in ctx.removed)}
    if not sso:
        return
    for s in ctx.profiles:
        if "source_profile" not in s.options:
            continue
        src = sso.get(s.options["source_profile"].strip())
        if s.managed or src is None:
            continue
        what = (f"renames it to {ctx.renamed[id(src)]}" if id(src) in ctx.renamed
                else "removes it")
        ctx.notes.append(f"your profile {s.name!r} ({ctx.source}:{s.line}) has source_profile "
                         f"= {src.name}, and this run {what}")
