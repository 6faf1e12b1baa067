"""Access to the data files in ``templates/`` (shipped inside the wheel as ``ssogen/templates``)."""

from __future__ import annotations

import os


def templates_dir() -> str:
    """The directory holding the shipped templates and presets.

    In an installed wheel it is ``ssogen/templates``; in a source checkout (editable install)
    it is the top-level ``templates/`` directory. (Found beside this module: ssogen is never
    run from a zip, and ``importlib.resources`` would import zipfile for every run; os.path,
    not pathlib, which imports urllib.parse and ipaddress.)
    """
    here = os.path.dirname(os.path.realpath(__file__))
    packaged = os.path.join(here, "templates")
    if os.path.isdir(packaged):
        return packaged
    return os.path.join(os.path.dirname(os.path.dirname(here)), "templates")


def read_template(name: str) -> str:
    with open(os.path.join(templates_dir(), name), encoding="utf-8") as fh:
        return fh.read()
