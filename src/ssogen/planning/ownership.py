"""Who owns which key of a managed section, and how ssogen updates it (the user-edits-survive
rule):

* identity keys (``sso_session``, ``sso_account_id``, ``sso_role_name``, the marker; for an
  ``[sso-session]``: ``sso_start_url``, ``sso_region``) are ssogen's: always brought in line;
* every other template key (``region``, ``output``, ``--profile-template`` keys) is written at
  creation, and later only follows a default changed through ssogen: a profile still holding
  the previous default (as remembered in ``[ssogen NAME]``) gets the new one, a value edited by
  hand is kept;
* keys the user added to a managed section are never touched.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ssogen.model.settings import MARKER
from ssogen.planning.templates import Block, BlockTemplate, ini_value

TYPE_CHECKING = False  # no typing import at run time (start-up time, memory)
if TYPE_CHECKING:
    from ssogen.inifile.model import SectionEdit, SectionInfo
    from ssogen.model.inventory import Account
    from ssogen.model.settings import Settings

PROFILE_IDENTITY = ("sso_session", "sso_account_id", "sso_role_name", MARKER)
SESSION_IDENTITY = ("sso_start_url", "sso_region", MARKER)


def update_profile(edit: Callable[[int], SectionEdit], s: SectionInfo, name: str, new: Block,
                   old: Callable[[], Block] | None, identity: tuple[str, ...]) -> str:
    """Plan a managed profile ``s`` towards ``new`` under the name ``name``: its keys
    (:func:`owned_update`) and its header when the name changes, through ``edit`` (the
    plan's edit of a section index). Returns the action: ``rename``, ``update`` or
    ``kept``."""
    to_set, to_delete = owned_update(s.options, new, old, identity)
    header = f"profile {name}" if s.name != name else None
    if to_set or to_delete or header:
        e = edit(s.index)
        e.header, e.set, e.delete = header, e.set + to_set, e.delete + to_delete
    return "rename" if header else "update" if to_set or to_delete else "kept"


def owned_update(options: Mapping[str, str], new: Block, old: Callable[[], Block] | None,
                 identity: tuple[str, ...]) -> tuple[list[tuple[str, str]], list[str]]:
    """Keys to set and delete in a managed section. ``old`` renders the block with the
    previous settings; it is called only when a value differs."""
    to_set: list[tuple[str, str]] = []
    to_delete: list[str] = []
    old_values: dict[str, str | None] | None = None
    for key, value in new:
        current = options.get(key)
        if key == MARKER and key in identity:  # read as botocore's users would: case, spaces
            if value is not None and (current or "").strip().lower() != value.lower():
                to_set.append((key, value))
            continue
        if current == value:  # in line (the common case: every key of an unchanged profile)
            continue
        if key in identity:
            if value is not None:
                to_set.append((key, value))
            continue
        if old is None:  # no remembered previous default
            continue
        if old_values is None:
            old_values = dict(old())
        if current == old_values.get(key):  # still the previous default: follow the new one
            if value is None:
                to_delete.append(key)
            else:
                to_set.append((key, value))
    return to_set, to_delete


def profile_ctx(settings: Settings, account: Account, role: str, session: str,
                ) -> dict[str, str | None]:
    return {"session": session, "account_id": account.id, "account_name": account.name,
            "role_name": role, "region": settings.region_for(account),
            "output": settings.output}


def extra_keys(keys: Mapping[str, str]) -> Block:
    return [(k, ini_value(k, v)) for k, v in keys.items()]


def profile_block(tpl: BlockTemplate, ctx: Mapping[str, str | None], extra: Block) -> Block:
    """The profile template rendered, the template-file keys before the marker (last)."""
    out = tpl.render(ctx)
    if not extra:
        return out
    at = next((i for i, (k, _) in enumerate(out) if k == MARKER), len(out))
    return out[:at] + extra + out[at:]
