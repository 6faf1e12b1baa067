"""Inventory files (``ssogen list --json``, ``--inventory FILE``) on disk."""

from __future__ import annotations

import os

from ssogen.errors import InventoryError
from ssogen.model.inventory import Inventory

#: the largest inventory ssogen reads (10,000 accounts with ten roles are about 3 MB)
MAX_INVENTORY_BYTES = 64 << 20


def load_inventory(path: str | os.PathLike[str]) -> Inventory:
    """The inventory in ``path``; one-line InventoryError (exit 2) for anything else."""
    from ssogen.store.fileio import ReadRefused, read_regular

    p = os.fspath(path)
    try:
        raw = read_regular(p, MAX_INVENTORY_BYTES)
    except FileNotFoundError:
        raise InventoryError(f"{p}: inventory file not found",
                             hint="write one with `ssogen list --json > FILE`") from None
    except ReadRefused as exc:
        raise InventoryError(f"{p}: is {exc.why}, not an inventory file") from None
    except IsADirectoryError:
        raise InventoryError(f"{p}: is a directory, not an inventory file") from None
    except OSError as exc:
        raise InventoryError(f"{p}: cannot read inventory ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InventoryError(f"{p}: not UTF-8 text (bad byte at offset {exc.start})") from None
    return Inventory.from_json(text, p)


def save_inventory(inventory: Inventory, path: str | os.PathLike[str]) -> None:
    from ssogen.store.fileio import atomic_write_bytes

    atomic_write_bytes(path, inventory.to_json().encode("utf-8"), new_mode=0o644)
