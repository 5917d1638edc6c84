"""Spreadsheet cells that could run as formulas (CSV injection): one rule for every table
airegime writes, whether a polars frame (the batch results) or a row at a time (the audit log)."""

from __future__ import annotations

import re

FORMULA_START = r"^[=+\-@\t\r]"  # what a spreadsheet may run as a formula


def inert(text: str) -> str:
    """``text`` as a cell a spreadsheet shows and never runs: an apostrophe before a formula."""
    return "'" + text if re.match(FORMULA_START, text) else text
