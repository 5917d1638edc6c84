"""The interface's catalogues (src/airegime/locale) as the tests read them: id -> text.

A plural message (``airegime.i18n.plural``) stands as two ids, its own with its singular form and
``id.plural`` with its last form (the general plural), so both languages have the same ids."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from airegime.i18n import LOCALE_DIR


def po_path(lang: str) -> Path:
    return Path(LOCALE_DIR) / lang / "LC_MESSAGES" / "airegime.po"


@cache
def catalogue(lang: str) -> Catalog:
    with po_path(lang).open("rb") as file:
        return read_po(file, locale=lang)


@cache
def texts(lang: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for message in catalogue(lang):
        if not message.id:
            continue
        if message.pluralizable:
            singular, plural = message.id
            found[singular], found[plural] = message.string[0], message.string[-1]
        else:
            found[message.id] = message.string
    return found
