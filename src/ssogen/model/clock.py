"""How a moment is shown to the user: local time, and the date too unless it is today --
"until 00:51" said at 23:51 would read as an hour ago."""

from __future__ import annotations

from datetime import datetime


def shown(moment: datetime) -> str:
    """``14:02`` today (local time), else ``2026-11-25 14:02``."""
    local = moment.astimezone()
    same_day = local.date() == datetime.now(local.tzinfo).date()
    return local.strftime("%H:%M" if same_day else "%Y-%m-%d %H:%M")
