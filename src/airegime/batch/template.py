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
from airegime.files import replaced_when_done
from airegime.i18n import N_, translate
from airegime.kb.models import KnowledgeBase, Lang, Question, Scope
from airegime.render.summary import colon

VALIDATED_ROWS = 20_000  # rows that get the drop-down lists (more can be added by copying)
SHEETS = {
    "inventory": N_("template.sheet.inventory"),
    "help": N_("template.sheet.help"),
    "lists": N_("template.sheet.lists"),
}
IDENTITY = {  # the columns before the answers, and their header comment
    SYSTEM_ID: N_("template.column.system_id"),
    "system_name": N_("template.column.system_name"),
    "deployment_name": N_("template.column.deployment_name"),
}
GUIDE = (  # the help sheet's first lines
    N_("template.guide.rows"),
    N_("template.guide.once"),
    N_("template.guide.blank"),
    N_("template.guide.establishment"),
    N_("template.guide.labels"),
    N_("template.guide.assess"),
)
SCOPE_WORDS = {
    "system": N_("phase.system"),
    "development": N_("phase.development"),
    "deployment": N_("phase.deployment"),
}
HEADINGS = (
    N_("template.heading.column"),
    N_("template.heading.phase"),
    N_("template.heading.question"),
    N_("template.heading.help"),
    N_("template.heading.answers"),
    N_("template.heading.sources"),
)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")


def write_template(path: Path | str, *, kb: KnowledgeBase, lang: Lang = "fr") -> Path:
    """Write the workbook to ``path`` (.xlsx) and return the path."""
    path = Path(path)
    book = Workbook()
    inventory = book.active
    assert inventory is not None
    inventory.title = translate(SHEETS["inventory"], lang)
    lists = book.create_sheet(translate(SHEETS["lists"], lang))
    lists.sheet_state = "hidden"
    columns = inventory_columns(kb)
    for position, (name, label) in enumerate(IDENTITY.items(), start=1):
        _header(inventory, position, name, translate(label, lang), width=24)
    for offset, (scope, question) in enumerate(columns):
        position = len(IDENTITY) + 1 + offset
        name = canonical_name(scope, question.id)
        comment = f"{column_label(scope, question, lang)} — {question.text.get(lang)}"
        if scope != "system" and question.overridable:
            comment += f"\n{translate('template.override', lang)}"
        _header(inventory, position, name, comment, width=28)
        _drop_down(inventory, lists, position, offset + 1, question, lang)
    inventory.freeze_panes = "B2"
    _help_sheet(book.create_sheet(translate(SHEETS["help"], lang), index=1), kb, columns, lang)
    with replaced_when_done(path) as temporary:
        book.save(temporary)
    return path


def _header(sheet: Worksheet, position: int, name: str, text: str, *, width: int) -> None:
    cell = sheet.cell(row=1, column=position, value=name)
    cell.font = Font(bold=True)
    cell.fill = HEADER_FILL
    cell.comment = Comment(text, "airegime", width=320, height=120)
    sheet.column_dimensions[get_column_letter(position)].width = width


def _answer_labels(question: Question, lang: Lang) -> list[str]:
    return [option.label.get(lang) for option in question.options] + [translate("answer.unknown", lang)]


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
        sheet.append([translate(line, lang)])
    sheet.append([f"{translate('disclaimer', lang)}{colon(lang)}{kb.disclaimer.get(lang)}"])
    sheet.append([f"{translate('rule_set', lang)} {kb.version} ({kb.hash})"])
    sheet.append([])
    sheet.append([translate(heading, lang) for heading in HEADINGS])
    heading_row = sheet.max_row
    for cell in sheet[heading_row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for scope, question in columns:
        answers = "\n".join(f"{o.label.get(lang)} = {o.code}" for o in question.options)
        answers += f"\n{translate('answer.unknown', lang)} = unknown"
        sources = "\n".join(
            f"{kb.citation_label(c, lang)} — {kb.source_by_id[c.source].link(lang)}" for c in question.sources
        )
        override = f"\n{translate('template.override', lang)}" if scope != "system" and question.overridable else ""
        sheet.append(
            [
                canonical_name(scope, question.id),
                translate(SCOPE_WORDS[scope], lang),
                question.text.get(lang) + override,
                question.help.get(lang),
                answers,
                sources,
            ]
        )
    sheet.append([])
    sheet.append(
        ["Sources (id)", "", translate("explain.sources", lang), translate("template.heading.source_text", lang), "URL"]
    )
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for source in kb.sources:
        sheet.append([source.id, "", source.title.get(lang), source.summary.get(lang), source.link(lang)])
    for letter, width in zip("ABCDEF", (30, 14, 50, 80, 50, 70), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=heading_row + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
