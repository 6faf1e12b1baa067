"""The user's profiles that start from an SSO profile this run renames or removes
(``source_profile = <it>``): said, never edited -- they are the user's. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Mapping

TYPE_CHECKING = False  # no typing import at run time (start-up time, memory)
if TYPE_CHECKING:
    from ssogen.inifile.model import SectionInfo


def dependent_notes(profiles: list[SectionInfo], renamed: Mapping[int, str],
                    removed: set[int], source: str) -> list[str]:
    """One note per hand-written profile whose ``source_profile`` is renamed (id(section) ->
    new name in ``renamed``) or removed (id in ``removed``) in this run."""
    if not renamed and not removed:
        return []
    sso = {s.name: s for s in profiles if s.name and (id(s) in renamed or id(s) in removed)}
    if not sso:
        return []
    notes = []
    for s in profiles:
        if "source_profile" not in s.options:
            continue
        src = sso.get(s.options["source_profile"].strip())
        if s.managed or src is None:
            continue
        what = f"renames it to {renamed[id(src)]}" if id(src) in renamed else "removes it"
        notes.append(f"your profile {s.name!r} ({source}:{s.line}) has source_profile "
                     f"= {src.name}, and this run {what}")
    return notes
