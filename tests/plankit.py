"""``build_plan`` as the tests call it: with the shipped block templates handed in, as
ssogen itself plans (:func:`ssogen.app.generate.shipped_templates`)."""

from __future__ import annotations

from typing import Any

from ssogen.app.generate import shipped_templates
from ssogen.inifile.model import FileModel
from ssogen.model.inventory import Inventory
from ssogen.model.settings import Settings
from ssogen.planning.plan import Plan
from ssogen.planning.plan import build_plan as _build_plan


def build_plan(model: FileModel, settings: Settings, inventory: Inventory,
               **kwargs: Any) -> Plan:
    return _build_plan(model, settings, inventory, templates=shipped_templates(), **kwargs)
