"""Interface words, in every language: one lookup, ``translate(key, lang, **values)``, over gettext catalogues.

Message ids are stable keys ("status.determined"), not English sentences: English is a catalogue like
French. Catalogues: ``locale/<lang>/LC_MESSAGES/airegime.po``, with the compiled ``.mo`` beside each,
committed, so that an editable install (no build step) has them and Python's own :mod:`gettext` reads
them: no dependency at run time. Babel (dev extra) extracts, updates and compiles them (README,
"Development", "Translations"); tests/core/test_translations.py fails on a stale ``.mo``, or an id missing, empty or
unused. Measured: loading French and its English fallback (591 ids each) ~3 ms, once per process; a
lookup ~0.2 µs (0.1 µs more than the dicts it replaced), and a result page makes 200–400 of them.

A count is a plural message (``plural``; ``ngettext`` in the templates), and a number written ``{n:,}``
is grouped as its reader groups digits (``fill``).

A missing id shows as the id itself, never a crash; a language falls back on English for the ids its
catalogue lacks, so a third language is a catalogue, not code. Legal content (questions, rules,
outcomes) stays in the knowledge base's YAML. The library's error messages are ids too: an error
carries ``airegime.errors.msg(key, **values)``, said in the reader's language at the edge.
"""

from __future__ import annotations

import ast
import gettext
import string
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import IO, Any

DOMAIN = "airegime"
LOCALE_DIR = str(Path(__file__).parent / "locale")
FALLBACK = "en"


@cache
def _catalogue(lang: str, locale_dir: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, locale_dir, languages=[lang, FALLBACK], fallback=True)


def translate(key: str, lang: str, **values: object) -> str:
    """The text of ``key`` in ``lang``, its ``{placeholders}`` filled from ``values`` (if any are given)."""
    text = _catalogue(lang, LOCALE_DIR).gettext(key)
    return fill(text, lang, values) if values else text


def _number_marks(lang: str) -> dict[int, str]:
    return {ord(","): translate("number.group", lang), ord("."): translate("number.decimal", lang)}


class _Grouping(string.Formatter):
    """``str.format`` but for numbers written ``{n:,}`` (or ``{n:,.1f}``), which take the digit
    grouping and decimal mark of the language (``number.group``, ``number.decimal``): "12,000.5" in
    English, "12 000,5" in French. Babel's ``format_decimal`` would do it with CLDR's data, a
    dependency of 36 MB installed that the core does not otherwise need."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        text: str = super().format_field(value, format_spec)
        return text.translate(_number_marks(self.lang)) if "," in format_spec else text


def fill(text: str, lang: str, values: Mapping[str, object]) -> str:
    """``text``'s ``{placeholders}`` filled from ``values``, numbers grouped the way ``lang`` groups them."""
    return _Grouping(lang).vformat(text, (), values) if ":," in text else text.format_map(values)


def translator(lang: str) -> Callable[..., str]:
    """``translate`` bound to ``lang``: the ``_(key, **values)`` of the web templates."""
    lookup = _catalogue(lang, LOCALE_DIR).gettext

    def _(key: str, **values: Any) -> str:
        text = lookup(key)
        return fill(text, lang, values) if values else text

    return _


def number(value: float, lang: str) -> str:
    """``value`` as ``lang`` writes it: "12,000" and "0.02" in English, "12 000" (a narrow no-break
    space) and "0,02" in French, never "12,000" or "0.02" for a French reader. A float shows its
    significant digits, not trailing zeros ("5", not "5.0")."""
    return fill("{n:,}" if isinstance(value, int) else "{n:,g}", lang, {"n": value})


def plural(key: str, n: int, lang: str, **values: object) -> str:
    """The text of ``key`` for ``n`` things in ``lang``, by its catalogue's plural rule (French says
    "0 réussi", English "0 passed" but "0 scenarios"), ``{n}`` and the other ``values`` filled. The
    catalogues hold such a message as ``key`` with the plural id ``key`` + ".plural"."""
    return fill(_catalogue(lang, LOCALE_DIR).ngettext(key, key + ".plural", n), lang, {"n": n, **values})


def plural_translator(lang: str) -> Callable[..., str]:
    """``plural`` bound to ``lang``: the templates' ``ngettext(key, key ~ ".plural", n, **values)``,
    gettext's own name, which Jinja's extractor reads as one message with its plural."""

    def ngettext(key: str, _plural_key: str, n: int, **values: object) -> str:
        return plural(key, n, lang, **values)

    return ngettext


def known(key: str) -> bool:
    """Whether ``key`` is an id of the catalogues (English has them all)."""
    return _catalogue(FALLBACK, LOCALE_DIR).gettext(key) != key


def N_(key: str) -> str:
    """gettext's mark for an id looked up later: returns it unchanged."""
    return key


# Ids that code or templates build at run time (f"status.{x}", "sort." ~ field, tables of ids), marked
# here so that extraction (babel.cfg) finds them; the test fails on an id neither extracted nor listed.
DYNAMIC_IDS = (
    # statuses, phases, answers, kinds and scopes named by a value
    N_("status.determined"),
    N_("status.case_by_case"),
    N_("batch.status.determined"),
    N_("batch.status.undetermined"),
    N_("batch.status.case_by_case"),
    N_("batch.status.invalid"),
    N_("answer.yes"),
    N_("answer.no"),
    N_("answer.not_asked"),
    N_("truth.met"),
    N_("truth.not_met"),
    N_("truth.open"),
    N_("cond.all"),
    N_("cond.any"),
    N_("cond.not"),
    N_("cond.answered"),
    N_("method.kind.regime"),
    N_("method.kind.split"),
    N_("method.kind.not_applicable"),
    N_("method.kind.case_by_case"),
    N_("method.scope.system"),
    N_("method.scope.development"),
    N_("method.scope.deployment"),
    N_("scope.system"),
    N_("scope.development"),
    N_("phases.both"),
    N_("phases.development"),
    N_("phases.deployment"),
    N_("invalid.development"),
    N_("invalid.deployment"),
    N_("role.admin"),
    N_("role.editor"),
    N_("role.reader"),
    N_("sort.created"),
    N_("sort.name"),
    N_("sort.organisation"),
    N_("sort.updated"),
    # what changed in a phase, between two sides of a comparison (compare.html)
    N_("compare.change.regime"),
    N_("compare.change.added"),
    N_("compare.change.removed"),
    N_("compare.change.reason"),
    # history events and error pages
    N_("event.created"),
    N_("event.details"),
    N_("event.duplicated"),
    N_("event.imported"),
    N_("event.rechecked"),
    N_("event.upgraded"),
    N_("event.context_added"),
    N_("event.context_removed"),
    N_("event.context_renamed"),
    N_("event.development_added"),
    N_("event.development_removed"),
    N_("event.development_renamed"),
    N_("error.bad_request.title"),
    N_("error.bad_request.text"),
    N_("error.batch_gone.title"),
    N_("error.batch_gone.text"),
    N_("error.csrf.title"),
    N_("error.csrf.text"),
    N_("error.forbidden.title"),
    N_("error.forbidden.text"),
    N_("error.method.title"),
    N_("error.method.text"),
    N_("error.no_accounts.title"),
    N_("error.no_accounts.text"),
    N_("error.not_found.title"),
    N_("error.not_found.text"),
    N_("error.render.title"),
    N_("error.render.text"),
    N_("error.server.title"),
    N_("error.server.text"),
    N_("error.too_large.title"),
    N_("error.too_large.text"),
    N_("error.duplicate_name"),
    N_("error.empty_name"),
    N_("error.last_deployment"),
    # tables of ids: downloads, tabs, forms, the methodology's and reports' words
    N_("download.json"),
    N_("download.lead"),
    N_("download.yaml"),
    N_("download.report.docx"),
    N_("download.report.html"),
    N_("download.report.json"),
    N_("download.report.md"),
    N_("download.report.pdf"),
    N_("method.download.html"),
    N_("method.download.md"),
    N_("method.download.pdf"),
    N_("batch.download.csv"),
    N_("batch.download.xlsx"),
    N_("tabs.interview"),
    N_("tabs.contexts"),
    N_("tabs.result"),
    N_("tabs.history"),
    N_("field.development_description"),
    N_("field.first_context"),
    N_("form.control"),
    N_("form.invalid"),
    N_("form.invisible"),
    N_("form.required"),
    N_("form.too_long"),
    N_("report.description"),
    N_("report.diagram"),
    N_("report.of"),
    N_("report.open_questions"),
    N_("report.outcome"),
    N_("report.page"),
    N_("report.possible"),
    N_("report.reasons"),
    N_("report.unknown_mark"),
    N_("explain.answers"),
    N_("explain.conditions"),
    N_("explain.if"),
    N_("explain.then"),
    N_("diagram.start"),
    N_("method.diagram"),
    N_("reason.none"),
    N_("undetermined.possible"),
    N_("result.all_lead_here"),
    N_("result.if_changed"),
    N_("result.missing"),
    N_("result.reasons"),
    # web messages chosen by a route, batch cells and pages
    N_("account.tokens_need_accounts"),
    N_("import.empty"),
    N_("interview.choose"),
    N_("interview.done_text"),
    N_("login.refused"),
    N_("login.throttled"),
    N_("password.blank"),
    N_("password.common"),
    N_("password.length"),
    N_("password.mismatch"),
    N_("password.name"),
    N_("password.wrong"),
    N_("batch.bad_extension"),
    N_("batch.empty"),
    N_("batch.kept_note"),
    N_("batch.no_file"),
    N_("batch.no_rows"),
    N_("batch.too_large"),
    N_("batch.unreadable"),
    N_("cell.blank_id"),
    N_("cell.conflict"),
    N_("cell.invalid"),
    N_("summary.invalid_phases"),
    N_("web.not_assessed"),
    N_("web.problems"),
    # the terminal interview's prompts and menu
    N_("ask.name"),
    N_("ask.deployment"),
    N_("ask.new_name"),
    N_("ask.which_answer"),
    N_("ask.which_deployment"),
    N_("change.keys"),
    N_("keys"),
    N_("menu.add"),
    N_("menu.change"),
    N_("menu.finish"),
    N_("menu.remove"),
    N_("menu.rename"),
)

# Functions whose first argument is a message id (or ids, as in `translate("a" if x else "b", lang)`).
KEYWORDS = frozenset({"_", "translate", "N_", "_tell", "translator", "msg"})
PLURAL_KEYWORDS = frozenset({"plural", "msg_plural"})  # their id and its plural (id + ".plural"), as one message


def extract_ids(fileobj: IO[bytes], keywords: object, comment_tags: object, options: object) -> Iterator[Any]:
    """Babel extractor for Python (babel.cfg): the ids passed to the KEYWORDS functions. Babel's own
    extractor joins the two ids of a conditional expression into one."""
    tree = ast.parse(fileobj.read())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args and _name(node.func) in KEYWORDS:
            for lineno, key in _strings(node.args[0]):
                yield lineno, "", key, []
        elif isinstance(node, ast.Call) and node.args and _name(node.func) in PLURAL_KEYWORDS:
            for lineno, key in _strings(node.args[0]):
                yield lineno, "ngettext", (key, key + ".plural"), []


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return _name(func.func) if isinstance(func, ast.Call) else ""  # translator(lang)("id")


def _strings(node: ast.expr) -> Iterator[tuple[int, str]]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.lineno, node.value
    elif isinstance(node, ast.IfExp):
        yield from _strings(node.body)
        yield from _strings(node.orelse)
