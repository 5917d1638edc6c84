"""The interface words are gettext catalogues (issue 15): every id the code or a template asks for is
in each catalogue with a text, none is unused, placeholders match between languages, the committed
.mo files are the .po compiled, and a third language is a catalogue dropped in, not code."""

from __future__ import annotations

import gettext
import io
import string
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from catalogues import catalogue, po_path, texts

from airegime import i18n
from airegime.errors import msg, msg_plural
from airegime.i18n import extract_ids, known, number, plural, plural_translator, translate, translator
from airegime.render.summary import colon, file_size

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "src" / "airegime" / "locale"
LANGS = ("fr", "en")


def messages(lang: str) -> dict[str, str]:
    return texts(lang)


@cache
def extracted() -> frozenset[str]:
    """The ids `pybabel extract -F babel.cfg … src` finds: the same configuration and extractors."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as file:
        method_map, options_map = parse_mapping_cfg(file)
    found = extract_from_dir(ROOT / "src", method_map, options_map)
    ids: set[str] = set()
    for _, _, message, _, _ in found:
        ids.update((message,) if isinstance(message, str) else message)  # a plural: its two ids
    return frozenset(ids)


def test_every_id_asked_for_is_in_each_catalogue_with_a_text() -> None:
    assert len(extracted()) > 500
    for lang in LANGS:
        texts = messages(lang)
        assert sorted(extracted() - texts.keys()) == [], f"{lang}: ids missing from {po_path(lang).name}"
        assert [key for key, text in texts.items() if not text] == [], f"{lang}: ids without a text"
        assert [message.id for message in catalogue(lang) if message.fuzzy and message.id] == [], lang


def test_no_id_is_unused_and_the_template_is_up_to_date() -> None:
    """An id neither passed to a lookup nor listed in DYNAMIC_IDS would be dropped by `pybabel update`."""
    with (LOCALE / "airegime.pot").open("rb") as file:
        template = {key for message in read_po(file) if message.id for key in _ids(message.id)}
    assert sorted(template ^ extracted()) == [], "run pybabel extract (README, Translations)"
    for lang in LANGS:
        assert sorted(messages(lang).keys() - extracted()) == [], f"{lang}: ids nothing uses"


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_placeholders_are_the_same_in_each_language() -> None:
    french, english = messages("fr"), messages("en")
    assert any(placeholders(text) for text in english.values())
    for key, text in english.items():
        assert placeholders(french[key]) == placeholders(text), key


def _ids(message_id: str | tuple[str, ...]) -> tuple[str, ...]:
    return (message_id,) if isinstance(message_id, str) else message_id


@pytest.mark.parametrize("lang", LANGS)
def test_the_committed_mo_is_the_po_compiled(lang: str) -> None:
    """The app reads the .mo (no build step in an editable install): it must say what the .po says."""
    with (LOCALE / lang / "LC_MESSAGES" / "airegime.mo").open("rb") as file:
        catalog: dict[str, str] = vars(gettext.GNUTranslations(file))["_catalog"]  # id: text, "" the header
    compiled = {key: text for key, text in catalog.items() if key}
    written = {message.id: message.string for message in catalogue(lang) if message.id and not message.pluralizable}
    for message in catalogue(lang):  # a plural is kept as (singular id, form index): text
        if message.pluralizable:
            written |= {(message.id[0], index): text for index, text in enumerate(message.string)}
    assert compiled == written, "run pybabel compile -d src/airegime/locale -D airegime"


def test_every_lookup_reads_the_catalogues() -> None:
    assert translate("status.determined", "fr") == translate("status.determined", "fr") == "déterminé"
    assert translator("en")("status.determined") == translate("status.determined", "en") == "determined"
    assert translate("progress", "en", n=2, total=9) == "question 2 of at most 9"
    assert translate("batch.progress", "fr") == "Évaluation" and plural("batch.rows", 2000, "en") == "2,000 rows"
    assert translator("fr")("batch.invalid_more", n=3).startswith("… et 3 autres")
    assert translator("fr")("batch.invalid_more").startswith("… et {n:,} autres")  # no values: the text as written


def test_a_count_takes_each_languages_plural_rule() -> None:
    assert [plural("test.scenarios", n, "en") for n in (0, 1, 2)] == ["0 scenarios", "1 scenario", "2 scenarios"]
    assert [plural("test.scenarios", n, "fr") for n in (0, 1, 2)] == ["0 scénario", "1 scénario", "2 scénarios"]
    assert plural("test.scenarios", 3, "de") == "3 scenarios"  # a language without a catalogue: English


def test_a_count_in_a_sentence_takes_the_plural_rule_wherever_it_is_said() -> None:
    """Python (``plural``), the templates (``ngettext``) and library errors (``msg_plural``) say a count
    in the form its number takes: never "row(s)"."""
    assert [plural("batch.matching", n, "en", total=9) for n in (0, 1, 2)] == [
        "0 rows of 9.",
        "1 row of 9.",
        "2 rows of 9.",
    ]
    assert [plural("batch.matching", n, "fr", total=9) for n in (0, 1, 2)] == [
        "0 ligne sur 9.",
        "1 ligne sur 9.",
        "2 lignes sur 9.",
    ]
    assert plural_translator("fr")("home.count", "home.count.plural", 1) == "1 analyse"
    assert plural_translator("en")("home.count", "home.count.plural", 2) == "2 assessments"
    one, two = msg_plural("error.kb.rule_keys", 1, keys=["x"]), msg_plural("error.kb.rule_keys", 2, keys=["x", "y"])
    assert (one.text("en"), two.text("en")) == ("unknown key ['x']", "unknown keys ['x', 'y']")
    assert two.text("fr") == "clés inconnues\u00a0: ['x', 'y']"
    for lang in LANGS:
        texts = [message.string for message in catalogue(lang) if message.id]
        assert not [text for text in texts if "(s)" in str(text)], f"{lang}: a count said as '(s)'"


def test_a_number_is_grouped_the_way_its_reader_groups_digits() -> None:
    """A French reader takes "12,000" for twelve: French groups with a narrow no-break space."""
    too_long = msg("error.too_long", limit=12_000)
    assert "12,000" in too_long.text("en") and "12\u202f000" in too_long.text("fr")
    assert (
        plural("batch.rows", 2_000, "fr") == "2\u202f000 lignes" and plural("batch.rows", 2_000, "en") == "2,000 rows"
    )
    assert number(1_234_567, "fr") == "1\u202f234\u202f567" and number(999, "fr") == "999"
    assert (number(0.02, "fr"), number(0.02, "en"), number(5.0, "fr")) == ("0,02", "0.02", "5")
    assert (file_size(1_400_000, "fr"), file_size(1_400_000, "en")) == ("1,4\u00a0Mo", "1.4\u00a0MB")
    assert translate("error.versions.no_entry", "en", id=12_345, index=1_000) == translate(
        "error.versions.no_entry", "en", id="12345", index="1000"
    )  # an id or a position is written as it is


def test_an_unknown_id_shows_as_itself() -> None:
    assert translate("no.such.id", "fr") == translator("en")("no.such.id") == "no.such.id"
    assert known("error.empty_name") and not known("error.no_such_code")


def test_a_third_language_is_a_catalogue_with_english_for_what_it_lacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    german = Catalog(locale="de", domain="airegime")
    german.add("status.determined", "bestimmt")
    german.add("number.decimal", ",")
    german.add("number.group", ".")
    german.add("punct.colon", ": ")
    for lang, catalog in (("de", german), ("en", catalogue("en"))):
        folder = tmp_path / lang / "LC_MESSAGES"
        folder.mkdir(parents=True)
        with (folder / "airegime.mo").open("wb") as file:
            write_mo(file, catalog)
    monkeypatch.setattr(i18n, "LOCALE_DIR", str(tmp_path))
    assert translate("status.determined", "de") == translator("de")("status.determined") == "bestimmt"
    assert translate("status.undetermined", "de") == "undetermined"
    assert translate("no.such.id", "de") == "no.such.id"
    assert (number(2.5, "de"), number(12_000, "de"), colon("de")) == ("2,5", "12.000", ": ")  # type: ignore[arg-type]


def test_extraction_finds_both_ids_of_a_choice_and_only_ids_passed_to_a_lookup() -> None:
    source = (
        b'translate("rows.one" if n == 1 else "rows.many", lang)\nprint("not.an.id")\ntranslator(lang)("copy.suffix")\n'
    )
    found = [key for _, _, key, _ in extract_ids(io.BytesIO(source), {}, [], {})]
    assert sorted(found) == ["copy.suffix", "rows.many", "rows.one"]
