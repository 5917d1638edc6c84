"""The web app's language cookie and its ``_(key, **values)``: :func:`airegime.i18n.translator`.
Legal content (questions, rules, outcomes, sources) comes from the knowledge base."""

from __future__ import annotations

from airegime.i18n import translator

__all__ = ["LANG_COOKIE", "translator"]

LANG_COOKIE = "airegime_lang"
