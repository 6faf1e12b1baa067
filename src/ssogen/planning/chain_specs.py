"""What the ``--chain`` specs ask for (:mod:`ssogen.planning.chains`): each spec's role ARN
and name template rendered over the generated SSO profiles its source glob matches. Pure: no
I/O.

A chain's templates see the source (:data:`VARIABLES`; the role ARN template the first six);
a rendered role ARN must be one of the session's partition, and a spec is checked on a sample
source before any login (:func:`check_spec`).
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from ssogen.errors import UsageError
from ssogen.model.chain import ChainSpec, parse_role_arn, partition_of, role_arn_problem
from ssogen.planning import naming
from ssogen.planning.name_templates import render_rows, short_role
from ssogen.records import record

if TYPE_CHECKING:
    from ssogen.model.inventory import Account
    from ssogen.model.settings import Settings

#: what a chain's name template sees; its role ARN template sees the first six
VARIABLES = ("source", "account_name", "account_id", "account_email", "role_name", "role",
             "target_account_id", "target_role")
ARN_VARIABLES = VARIABLES[:6]
ChainKey = tuple[str, str, str]  # (source account id, source role, role ARN)

_SAMPLE = ("example-read-only-access", "Example", "123456789012", "aws@example.com",
           "ReadOnlyAccess", "ReadOnlyAccess")


@record(frozen=True)
class Source:
    """A generated SSO profile that lives after this run."""

    name: str
    account: Account
    role: str
    old_name: str | None = None  # its name in the file (None: created in this run)


@record(frozen=True)
class Wanted:
    """A chain a spec asks for: its source and the role ARN rendered for it."""

    key: ChainKey
    source: Source
    spec: ChainSpec
    arn: str
    target_account_id: str
    target_role: str


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
    return [naming.bounded(n, f"{row[0]}-{row[7]}") for n, row in zip(raw, rows, strict=True)]


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


def previous_spec(w: Wanted, settings: Settings, previous: Settings | None) -> ChainSpec | None:
    """The remembered spec this chain came from (the same source glob hit and role ARN)."""
    if previous is None:
        return None
    partition = partition_of(settings.sso_region)
    names = [n for n in (w.source.old_name, w.source.name) if n]
    for spec in previous.chains:
        if not any(fnmatchcase(n.lower(), spec.source_glob.lower()) for n in names):
            continue
        try:
            (arn,) = render_arns(spec, [_arn_rows(w.source, previous)], previous, partition,
                                 [w.source.name])
        except UsageError:
            continue
        if arn == w.arn:
            return spec
    return None
