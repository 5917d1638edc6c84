"""The report templates ship in the wheel: pyproject's package-data names every one of them."""

from __future__ import annotations

import fnmatch
import tomllib

from airegime.render.pdf import TEMPLATES

from .helpers import ROOT


def test_every_report_template_is_package_data() -> None:
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["airegime"]
    templates = sorted(path.name for path in TEMPLATES.iterdir() if path.is_file())
    assert {"report.typ", "methodology.typ", "common.typ", "picture.typ", "report.html.j2"} <= set(templates)
    for name in templates:
        packaged = f"render/templates/{name}"
        assert any(fnmatch.fnmatch(packaged, pattern) for pattern in globs), f"{packaged} is not package data"
