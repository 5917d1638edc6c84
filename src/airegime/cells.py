"""Spreadsheet cells that could run as formulas (CSV injection): ONE rule for every table
airegime writes, whether a polars frame (the batch results: cells and column names, CSV and
.xlsx) or a row at a time (the audit log).

Following the OWASP guidance on CSV injection, a text is made inert (an apostrophe before it)
when it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, and also when such a
formula character comes after leading blanks (spreadsheets trim spaces, including no-break and
ideographic ones, and zero-width characters are invisible) or is a full-width form (``＝``,
``＋``, ``－``, ``＠``: input methods turn them into their ASCII forms). The blanks are listed
one by one so that Python's ``re`` and polars' regular expressions read the same pattern.
"""

from __future__ import annotations

import re

# Unicode white space, the ASCII separators Python counts as space, and invisible characters.
_BLANKS = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u180e"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u200b\u200c\u200d\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u202f"
    "\u205f\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\u3000\ufeff"
)
_FORMULA_CHARACTERS = "=+\\-@\uff1d\uff0b\uff0d\uff20\u2212\ufe62\ufe63\ufe66"  # ASCII, full-width, minus signs
FORMULA_START = f"^(?:[\t\r]|[{_BLANKS}]*[{_FORMULA_CHARACTERS}])"  # what a spreadsheet may run as a formula
_FORMULA = re.compile(FORMULA_START)


def is_formula(text: str) -> bool:
    """Whether a spreadsheet could take ``text`` for a formula."""
    return _FORMULA.match(text) is not None


def inert(text: str) -> str:
    """``text`` as a cell a spreadsheet shows and never runs: an apostrophe before a formula."""
    return "'" + text if is_formula(text) else text
