"""The batch assessment's lookup: :func:`airegime.i18n.translate` (legal text stays in the KB)."""

from __future__ import annotations

from airegime.i18n import plural, translate
from airegime.kb.models import Lang


def rows_text(count: int, lang: Lang) -> str:
    """ "1 row", "2,000 rows" (in French "1 ligne", "2\u202f000 lignes")."""
    return plural("batch.rows", count, lang)


def w(key: str, lang: Lang, **values: object) -> str:
    return translate(key, lang, **values)
