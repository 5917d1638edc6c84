"""A ready-to-fill inventory workbook: one column per question, drop-down answers, a help sheet.

The first sheet is the inventory itself (the batch reader reads the first sheet); its header
holds the fixed column names, each with the question as a comment. The drop-down lists offer
the answers' labels in the chosen language, which the reader accepts like codes.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from airegime.batch.columns import SYSTEM_ID, canonical_name, column_label, inventory_columns
from airegime.i18n import t
from airegime.kb.models import KnowledgeBase, Lang, Question, Scope

VALIDATED_ROWS = 20_000  # rows that get the drop-down lists (more can be added by copying)
SHEETS = {"inventory": ("inventaire", "inventory"), "help": ("aide", "help"), "lists": ("listes", "lists")}
IDENTITY = {
    SYSTEM_ID: (
        "Identifiant du système (le même sur chaque ligne du système)",
        "System id (the same on every row of the system)",
    ),
    "system_name": ("Nom du système", "System name"),
    "deployment_name": (
        "Contexte de déploiement (qui l’utilise, pour quoi)",
        "Deployment context (who uses it, for what)",
    ),
}
GUIDE = (
    (
        "Une ligne par contexte de déploiement. Les lignes d’un même système portent le même identifiant.",
        "One row per deployment context. The rows of one system share its id.",
    ),
    (
        "Les réponses « système » et « développement » se donnent une fois par système (sur l’une de ses lignes) "
        "ou identiques sur chaque ligne.",
        "System and development answers are given once per system (on any of its rows) or the same on every row.",
    ),
    (
        "Une cellule vide signifie « je ne sais pas » : le résultat dira quelles questions restent à trancher.",
        "A blank cell means “I don't know”: the results say which questions remain to be settled.",
    ),
    (
        "L’établissement se donne pour le système (colonne system.establishment) ; remplissez "
        "development.establishment ou deployment.establishment seulement si cette phase relève d’un organisme "
        "établi ailleurs : une cellule vide y reprend la réponse du système.",
        "Establishment is given for the system (column system.establishment); fill in development.establishment "
        "or deployment.establishment only if that phase is run by an organisation established elsewhere: a blank "
        "cell there takes the system's answer.",
    ),
    (
        "Une colonne peut aussi porter son libellé, en français ou en anglais (« Finalité (déploiement) », "
        "« Purpose (deployment) ») : les résultats et les messages nomment les colonnes par ces libellés.",
        "A column may also be headed by its label, in French or English (“Purpose (deployment)”, "
        "“Finalité (déploiement)”): the results and messages name columns by these labels.",
    ),
    (
        "Évaluez le fichier avec : airegime batch inventaire.xlsx -o resultats.xlsx",
        "Assess it with: airegime batch inventory.xlsx -o results.xlsx",
    ),
)
SCOPE_WORDS = {
    "system": ("Système", "System"),
    "development": ("Développement", "Development"),
    "deployment": ("Déploiement", "Deployment"),
}
OVERRIDE = (
    "Seulement si cette phase diffère du système ; vide = la réponse du système.",
    "Only if this phase differs from the system; blank = the system's answer.",
)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")


def _pick(pair: tuple[str, str], lang: Lang) -> str:
    return pair[0] if lang == "fr" else pair[1]


def write_template(path: Path | str, *, kb: KnowledgeBase, lang: Lang = "fr") -> Path:
    """Write the workbook to ``path`` (.xlsx) and return the path."""
    path = Path(path)
    book = Workbook()
    inventory = book.active
    assert inventory is not None
    inventory.title = _pick(SHEETS["inventory"], lang)
    lists = book.create_sheet(_pick(SHEETS["lists"], lang))
    lists.sheet_state = "hidden"
    columns = inventory_columns(kb)
    for position, (name, label) in enumerate(IDENTITY.items(), start=1):
        _header(inventory, position, name, _pick(label, lang), width=24)
    for offset, (scope, question) in enumerate(columns):
        position = len(IDENTITY) + 1 + offset
        name = canonical_name(scope, question.id)
        comment = f"{column_label(scope, question, lang)} — {question.text.get(lang)}"
        if scope != "system" and question.overridable:
            comment += f"\n{_pick(OVERRIDE, lang)}"
        _header(inventory, position, name, comment, width=28)
        _drop_down(inventory, lists, position, offset + 1, question, lang)
    inventory.freeze_panes = "B2"
    _help_sheet(book.create_sheet(_pick(SHEETS["help"], lang), index=1), kb, columns, lang)
    book.save(path)
    return path


def _header(sheet: Worksheet, position: int, name: str, text: str, *, width: int) -> None:
    cell = sheet.cell(row=1, column=position, value=name)
    cell.font = Font(bold=True)
    cell.fill = HEADER_FILL
    cell.comment = Comment(text, "airegime", width=320, height=120)
    sheet.column_dimensions[get_column_letter(position)].width = width


def _answer_labels(question: Question, lang: Lang) -> list[str]:
    return [option.label.get(lang) for option in question.options] + [t("answer.unknown", lang)]


def _drop_down(
    inventory: Worksheet, lists: Worksheet, position: int, list_column: int, question: Question, lang: Lang
) -> None:
    """Offer the answers' labels in a list kept on the hidden sheet (inline lists are capped at 255 characters)."""
    labels = _answer_labels(question, lang)
    for row, label in enumerate(labels, start=1):
        lists.cell(row=row, column=list_column, value=label)
    letter = get_column_letter(list_column)
    validation = DataValidation(
        type="list",
        formula1=f"'{lists.title}'!${letter}$1:${letter}${len(labels)}",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=question.id,
        error=" / ".join(labels)[:255],
    )
    target = get_column_letter(position)
    validation.add(f"{target}2:{target}{VALIDATED_ROWS + 1}")
    inventory.add_data_validation(validation)


def _help_sheet(sheet: Worksheet, kb: KnowledgeBase, columns: list[tuple[Scope, Question]], lang: Lang) -> None:
    sheet.append([kb.title.get(lang)])
    sheet["A1"].font = Font(bold=True, size=13)
    for line in GUIDE:
        sheet.append([_pick(line, lang)])
    sheet.append(
        [
            f"{t('disclaimer', lang)} : {kb.disclaimer.get(lang)}"
            if lang == "fr"
            else f"{t('disclaimer', lang)}: {kb.disclaimer.get(lang)}"
        ]
    )
    sheet.append([f"{t('rule_set', lang)} {kb.version} ({kb.hash})"])
    sheet.append([])
    headings = {
        "fr": ("Colonne", "Phase", "Question", "Aide", "Réponses possibles (libellé = code)", "Sources"),
        "en": ("Column", "Phase", "Question", "Help", "Allowed answers (label = code)", "Sources"),
    }[lang]
    sheet.append(list(headings))
    heading_row = sheet.max_row
    for cell in sheet[heading_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for scope, question in columns:
        answers = "\n".join(f"{o.label.get(lang)} = {o.code}" for o in question.options)
        answers += f"\n{t('answer.unknown', lang)} = unknown"
        sources = "\n".join(
            f"{kb.citation_label(c, lang)} — {kb.source_by_id[c.source].link(lang)}" for c in question.sources
        )
        override = f"\n{_pick(OVERRIDE, lang)}" if scope != "system" and question.overridable else ""
        sheet.append(
            [
                canonical_name(scope, question.id),
                _pick(SCOPE_WORDS[scope], lang),
                question.text.get(lang) + override,
                question.help.get(lang),
                answers,
                sources,
            ]
        )
    sheet.append([])
    summary_heading = "Ce que dit le texte" if lang == "fr" else "What the text says"
    sheet.append(["Sources (id)", "", t("explain.sources", lang), summary_heading, "URL"])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for source in kb.sources:
        sheet.append([source.id, "", source.title.get(lang), source.summary.get(lang), source.link(lang)])
    for letter, width in zip("ABCDEF", (30, 14, 50, 80, 50, 70), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=heading_row + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
