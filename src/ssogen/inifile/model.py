"""The neutral view of an AWS config file: its sections as botocore routes them, and the
edits that can be made to them. No parsing library here: the scanner fills a
:class:`FileModel`, the planner reads it and answers with :class:`Edits`, the document applies
them.

Section routing is botocore's (``configloader.build_profile_map``): a header starting with
``profile``, ``sso-session`` or ``services`` is split with shlex and must give exactly two
tokens (else botocore drops it), ``default`` is the default profile, anything else is kept but
ignored -- except ``[ssogen NAME]``, ssogen's own remembered settings.
"""

from __future__ import annotations

import re

from ssogen.model.settings import MARKER, SETTINGS_PREFIX
from ssogen.records import field, record

TYPE_CHECKING = False  # no typing import at run time (start-up time, memory)
if TYPE_CHECKING:
    from collections.abc import Callable

_PLAIN = re.compile(r"[\t !#-&(-\[\]-~]*")  # printable ASCII without quotes and backslash


def classify(header: str) -> tuple[str, str | None]:
    """(kind, name) of a section header, exactly as botocore routes it; kind is
    ``profile``, ``sso-session``, ``services``, ``ssogen`` or ``other``; name is None when
    botocore drops the section (not two shlex tokens)."""
    if header == "default":
        return "profile", "default"
    for prefix in ("profile", "sso-session", "services"):
        if header.startswith(prefix):
            if _PLAIN.fullmatch(header):  # what shlex.split gives, 50x faster
                parts = header.split()
            else:
                import shlex  # only for quoted or unusual headers

                try:
                    parts = shlex.split(header)
                except ValueError:
                    return prefix, None
            return prefix, parts[1] if len(parts) == 2 else None
    parts = header.split()
    if len(parts) == 2 and parts[0] == SETTINGS_PREFIX:
        return "ssogen", parts[1]
    return "other", None


@record(slots=True)
class SectionInfo:
    index: int  # position among the file's sections
    header: str  # the text between the brackets, as written
    kind: str  # "profile", "sso-session", "services", "ssogen" or "other" (botocore routing)
    name: str | None  # the name botocore (or ssogen) gives it; None if botocore drops it
    options: dict[str, str]  # lower-cased key -> value (as configparser reads it)
    line: int = 0  # 1-based line of the header

    @property
    def managed(self) -> bool:
        value = self.options.get(MARKER)
        return value is not None and (value == "true" or value.strip().lower() == "true")


def is_chain(s: SectionInfo) -> bool:
    """A profile that assumes a role from another profile: botocore resolves ``role_arn``
    first, so it is not an SSO profile, even with an ``sso_session`` (which ssogen writes
    into its chains, see ``templates/chain.ini``)."""
    return "role_arn" in s.options and "source_profile" in s.options


@record
class FileModel:
    sections: list[SectionInfo] = field(default_factory=list)
    #: index -> all values of that section, read again from the text (set by the scan):
    #: the values of kinds the scan does not keep, for the few readers that need them
    reader: Callable[[int], dict[str, str]] | None = field(default=None, repr=False)

    def of_kind(self, kind: str) -> list[SectionInfo]:
        return [s for s in self.sections if s.kind == kind and s.name is not None]

    def values(self, s: SectionInfo) -> dict[str, str]:
        """Every value of ``s``, also of a kind the scan does not keep (``[services]``:
        what botocore's clients read), read again once."""
        if not s.options and self.reader is not None:
            s.options = self.reader(s.index)
        return s.options


@record(slots=True)
class SectionEdit:
    """What happens to one existing section (``index`` is :attr:`SectionInfo.index`)."""

    index: int
    header: str | None = None  # rename to this header
    set: list[tuple[str, str]] = field(default_factory=list)  # update or append, in order
    delete: list[str] = field(default_factory=list)
    remove: bool = False
    # (old key, new key, value): the new key takes the old one's line, in place
    replace: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.header or self.set or self.delete or self.remove or self.replace)


@record(slots=True)
class NewSection:
    header: str
    keys: list[tuple[str, str]]


@record
class Edits:
    """Everything to do to a file: edits of existing sections (in section order), new
    sections, and where the new ones go (after the section with index ``anchor``; None: at
    the end)."""

    edits: list[SectionEdit] = field(default_factory=list)
    new_sections: list[NewSection] = field(default_factory=list)
    anchor: int | None = None

    @property
    def empty(self) -> bool:
        return not self.new_sections and all(e.empty for e in self.edits)
