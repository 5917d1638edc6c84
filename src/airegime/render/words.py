"""The documents' lookup (reports, the methodology, the diagram): :func:`airegime.i18n.translate`."""

from __future__ import annotations

from airegime.i18n import translate
from airegime.kb.models import Lang


def w(key: str, lang: Lang) -> str:
    return translate(key, lang)
