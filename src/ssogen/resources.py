"""Access to the data files in ``templates/`` (shipped inside the wheel as ``ssogen/templates``)."""

from __future__ import annotations

from pathlib import Path


def templates_dir() -> Path:
    """The directory holding the shipped templates and presets.

    In an installed wheel it is ``ssogen/templates``; in a source checkout (editable install)
    it is the top-level ``templates/`` directory. (Found beside this module: ssogen is never
    run from a zip, and ``importlib.resources`` would import zipfile for every run.)
    """
    packaged = Path(__file__).resolve().parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


def read_template(name: str) -> str:
    return (templates_dir() / name).read_text(encoding="utf-8")
