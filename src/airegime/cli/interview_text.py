"""The lookup of `airegime interview`: :func:`airegime.i18n.translate` (legal texts come from the KB)."""

from __future__ import annotations

from airegime.i18n import translate
from airegime.kb.models import Lang


def say(key: str, lang: Lang, **values: object) -> str:
    return translate(key, lang, **values)
