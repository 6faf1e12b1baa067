"""The block templates (``templates/profile.ini``, ``templates/sso-session.ini``,
``templates/chain.ini``): which keys a generated section has, in which order, filled from which
fields -- data, not code.

Planning reads no file: the caller hands the templates' text in (:class:`BlockTemplates`;
:func:`ssogen.app.generate.shipped_templates` reads the shipped ones).
"""

from __future__ import annotations

import functools
import string
from collections.abc import Iterator, Mapping

from ssogen.errors import UsageError
from ssogen.model.validate import has_control
from ssogen.records import record

#: (key, format, fields used) for one line of a block template
TemplateLine = tuple[str, str, tuple[str, ...]]
Block = list[tuple[str, str | None]]  # (key, value or None: not written)
_CHECKED_MAX = 200_000  # values remembered per template (a bound on its memory)


def ini_value(key: str, value: str) -> str:
    """A value as it can be written on one ``key = value`` line and read back unchanged.

    configparser strips surrounding whitespace (so would every later comparison: the file
    would never converge) and a line break would start a new line in the file (an injected
    section): strip the first, refuse the second.
    """
    value = value.strip()
    if not value.isprintable() and has_control(value):
        raise UsageError(f"refusing to write {key} = {value[:80]!r}: it contains a line break "
                         "or control character")
    return value


@record(frozen=True)
class BlockTemplate:
    lines: tuple[TemplateLine, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(k for k, _, _ in self.lines)

    @functools.cached_property
    def _compiled(self) -> tuple[tuple[str, int, str, tuple[str, ...]], ...]:
        """Each line as (key, kind, constant value or field, fields): 0 a constant (checked
        once, here), 1 one field as the whole value, 2 a format of several fields."""
        out = []
        for key, fmt, fields in self.lines:
            if not fields:
                out.append((key, 0, ini_value(key, fmt), fields))
            elif len(fields) == 1 and fmt == f"{{{fields[0]}}}":
                out.append((key, 1, fields[0], fields))
            else:
                out.append((key, 2, fmt, fields))
        return tuple(out)

    @functools.cached_property
    def _checked(self) -> dict[str, str]:
        """Values already passed through :func:`ini_value` -> what it made of them: the same
        session, region, output and account id recur in profile after profile."""
        return {}

    def render(self, ctx: Mapping[str, str | None]) -> Block:
        """(key, value) in template order; value None when a field it needs is unset."""
        return list(self._values(ctx))

    def holds(self, ctx: Mapping[str, str | None], options: Mapping[str, str]) -> bool:
        """Whether ``options`` already hold the block exactly (a key whose value is None
        absent), found without building it: an unchanged profile, the common one, is
        only compared. Refuses what :meth:`render` refuses."""
        get = options.get
        return all(get(key) == value for key, value in self._values(ctx))

    def _values(self, ctx: Mapping[str, str | None]) -> Iterator[tuple[str, str | None]]:
        checked = self._checked
        for key, kind, data, fields in self._compiled:
            if kind == 0:
                yield key, data
                continue
            if kind == 1:
                value = ctx.get(data)
            elif any(ctx.get(f) is None for f in fields):
                value = None
            else:
                value = data.format_map(ctx)
            if value is not None:
                done = checked.get(value)
                if done is None:  # refused values are never stored: refused every time
                    done = ini_value(key, value)
                    if len(checked) < _CHECKED_MAX:
                        checked[value] = done
                value = done
            yield key, value


def parse_block_template(text: str, source: str) -> BlockTemplate:
    lines = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise ValueError(f"{source}: line without '=': {raw!r}")
        fmt = value.strip()
        fields = tuple(f for _, f, _, _ in string.Formatter().parse(fmt) if f)
        lines.append((key.strip().lower(), fmt, fields))
    return BlockTemplate(tuple(lines))


@record(frozen=True)
class BlockTemplates:
    """The block templates a plan writes with: ``[profile]``, ``[sso-session]`` and a
    chained ``[profile]``."""

    profile: BlockTemplate
    session: BlockTemplate
    chain: BlockTemplate

    #: the shipped file of each, under ``templates/``
    FILES = ("profile.ini", "sso-session.ini", "chain.ini")

    @classmethod
    def parse(cls, texts: Mapping[str, str]) -> BlockTemplates:
        """From the text of each file of :attr:`FILES` (name -> text)."""
        profile, session, chain = (parse_block_template(texts[name], f"templates/{name}")
                                   for name in cls.FILES)
        return cls(profile, session, chain)
