"""Where the data directories are: `templates/`, `static/` and
`excel_templates/` sit beside the package in a source checkout (the layout
the README shows) and inside it when installed from the wheel, which maps
them there (pyproject.toml, package-dir)."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    installed = PACKAGE / name
    return installed if installed.is_dir() else PACKAGE.parent / name
