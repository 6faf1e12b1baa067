"""The names of the chained profiles (:mod:`ssogen.planning.chains`). Pure: no I/O.

A name is the spec's template over the source, sanitised like the SSO names. A chain keeps its
name while it lives, a name the user gave it too (one ssogen did not give it under the current
or the remembered spec, or the source's old name); new names are clear of every name in the
file and of every name this run gives (SSO ones first). Collisions get ``-<source>`` when the
holder is a chain of another source and the name does not say the source yet, else
``-<target account id>``.
"""

from __future__ import annotations

from collections.abc import Mapping

from ssogen.inifile.model import SectionInfo, is_chain
from ssogen.planning import naming
from ssogen.planning.chain_matching import ChainContext, Existing
from ssogen.planning.chain_specs import ChainKey, Wanted, previous_spec, render_names


def is_generated(name: str, base: str, w: Wanted, sources: tuple[str, ...]) -> bool:
    """Is ``name`` ``base`` or one of the collision suffixes a chain gets?"""
    if name == base:
        return True
    target = w.target_account_id
    suffixes = {f"-{target}"} | {f"-{s}" for s in sources} | {f"-{target}-{s}" for s in sources}
    if name in {naming.with_suffix(base, x) for x in suffixes}:
        return True
    at = name.rfind(f"-{target}-")
    number = name[at + len(target) + 2:] if at >= 0 else ""
    return number.isdigit() and name == naming.with_suffix(base, f"-{target}-{number}")


def _ssogen_gave(ctx: ChainContext, w: Wanted, name: str) -> bool:
    """Is a managed chain's name (not the one ssogen gives it now) one ssogen gave it under
    the remembered spec or the source's old name? Otherwise the user chose it."""
    old = w.source.old_name or w.source.name
    sources = tuple(dict.fromkeys((w.source.name, old)))
    prev = previous_spec(w, ctx.settings, ctx.previous)
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
        name = naming.with_suffix(base, suffix)
        if name not in claims:
            return name
    n = 2
    while naming.with_suffix(base, f"-{target}-{n}") in claims:
        n += 1
    return naming.with_suffix(base, f"-{target}-{n}")


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
