"""The one rule for text that people type and airegime stores, exports or shows.

- Control characters (C0 and C1, other than tab, line feed and carriage return) mean nothing in a
  name or a description, some databases refuse them (PostgreSQL refuses NUL), and on a terminal
  they can rewrite the screen. Input that people submit is refused with :func:`problem`; text
  that must be kept whatever it holds (a failed login's user name in the audit log) is stored
  :func:`cleaned`; text printed to a terminal is :func:`escaped`. Every text column of the
  database applies :func:`cleaned` to what it is given (``airegime.storage.models.CleanString``),
  and ``airegime db export`` / ``db import`` apply it to what they copy.
- A name made only of invisible characters (zero-width spaces, direction controls) would show as
  nothing, or reverse what follows it: :func:`problem` refuses it too.
- French puts a space before ? ! : ; » and after «, which must never let the mark start a line:
  :func:`french_spacing` makes it a no-break space (the knowledge base's French texts on loading;
  the catalogues' are written so).
"""

from __future__ import annotations

import re
import unicodedata

from airegime.errors import Message, msg

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
REPLACEMENT = "\ufffd"
FRENCH_MARK_SPACE = re.compile(r" (?=[?!:;»])|(?<=«) ")


def french_spacing(text: str) -> str:
    """``text`` with a no-break space, not a space, before ? ! : ; » and after «."""
    return FRENCH_MARK_SPACE.sub("\u00a0", text)


def has_control(text: str) -> bool:
    return CONTROL.search(text) is not None


def is_invisible(text: str) -> bool:
    """True when nothing in ``text`` would show: spaces, format characters (Cf), separators."""
    return all(c.isspace() or unicodedata.category(c) in ("Cf", "Zs", "Zl", "Zp", "Mn") for c in text)


def problem(text: str, *, required: bool = False) -> Message | None:
    """Why ``text`` cannot be accepted as a name or a description (words that follow "the text",
    e.g. "contains control characters…"), or None when it can."""
    if has_control(text):
        return msg("text.control")
    if text and is_invisible(text):
        return msg("text.invisible")
    if required and not text.strip():
        return msg("text.empty")
    return None


def cleaned(text: str) -> str:
    """``text`` with every control character replaced by U+FFFD, so that it can be stored anywhere."""
    return CONTROL.sub(REPLACEMENT, text)


def cleaning(text: str) -> tuple[str, int]:
    """:func:`cleaned` ``text``, and how many characters were replaced."""
    return CONTROL.subn(REPLACEMENT, text)


def escaped(text: str) -> str:
    """``text`` safe to print on a terminal: control characters shown as escapes (``\\x1b``)."""
    return CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)
