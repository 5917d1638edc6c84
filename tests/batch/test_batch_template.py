"""The ready-to-fill workbook: columns, drop-down lists, help sheet, and it reads back."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from airegime.batch.columns import canonical_name, inventory_columns
from airegime.batch.inventory import assess_inventory
from airegime.batch.template import write_template
from airegime.kb import KnowledgeBase
from airegime.kb.models import Lang


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_one_column_per_question_with_its_allowed_answers(tmp_path: Path, kb: KnowledgeBase, lang: Lang) -> None:
    path = write_template(tmp_path / "inventory.xlsx", kb=kb, lang=lang)
    book = load_workbook(path)
    inventory, help_sheet, lists = book.worksheets
    header = [cell.value for cell in inventory[1]]
    answer_columns = [canonical_name(scope, q.id) for scope, q in inventory_columns(kb)]
    assert header == ["system_id", "system_name", "deployment_name", *answer_columns]
    assert lists.sheet_state == "hidden"
    validations = {str(v.sqref).split(":")[0]: v for v in inventory.data_validations.dataValidation}
    for position, (_scope, question) in enumerate(inventory_columns(kb), start=4):
        cell = inventory.cell(row=1, column=position)
        assert question.text.get(lang) in cell.comment.text
        validation = validations[f"{cell.column_letter}2"]
        sheet_range = validation.formula1.split("!")[1].replace("$", "")
        offered = [c.value for row in lists[sheet_range] for c in row]
        assert offered[:-1] == [o.label.get(lang) for o in question.options]
        assert offered[-1] == ("je ne sais pas" if lang == "fr" else "I don't know")
    help_text = "\n".join(str(c.value) for row in help_sheet.iter_rows() for c in row if c.value)
    for _scope, question in inventory_columns(kb):
        assert question.help.get(lang) in help_text
        for citation in question.sources:
            assert kb.source_by_id[citation.source].link(lang) in help_text
    assert kb.disclaimer.get(lang) in help_text


def test_a_template_filled_with_drop_down_labels_is_assessed(tmp_path: Path, kb: KnowledgeBase) -> None:
    path = write_template(tmp_path / "inventory.xlsx", kb=kb, lang="fr")
    book = load_workbook(path)
    inventory = book.worksheets[0]
    header = [cell.value for cell in inventory[1]]
    choice = {
        "system_id": "S1",
        "deployment_name": "Commissariat",
        "system.establishment": kb.question_by_id["establishment"].option("eu").label.fr,
        "deployment.personal_data": "Oui",
        "deployment.organisation_kind": kb.question_by_id["organisation_kind"].option("competent_authority").label.fr,
        "deployment.purpose": kb.question_by_id["purpose"].option("criminal_law").label.fr,
        "development.personal_data": "je ne sais pas",
    }
    for name, value in choice.items():
        inventory.cell(row=2, column=header.index(name) + 1, value=value)
    book.save(path)
    result = assess_inventory(kb=kb, source=path)
    assert result.valid, result.errors
    assert result.table is not None
    row = result.table.row(0, named=True)
    assert row["deployment_outcome"] == "police_justice"
    assert row["development_outcome"] == "undetermined"
    assert "Données personnelles (développement)" in row["development_questions"]


def test_the_help_sheet_lists_every_source_id_used_in_results(tmp_path: Path, kb: KnowledgeBase) -> None:
    path = write_template(tmp_path / "inventory.xlsx", kb=kb, lang="en")
    help_sheet = load_workbook(path).worksheets[1]
    first_column = {row[0] for row in help_sheet.iter_rows(values_only=True)}
    assert {source.id for source in kb.sources} <= first_column


def test_establishment_is_a_system_column_each_phase_may_override(tmp_path: Path, kb: KnowledgeBase) -> None:
    path = write_template(tmp_path / "inventory.xlsx", kb=kb, lang="en")
    book = load_workbook(path)
    header = {cell.value: cell for cell in book.worksheets[0][1]}
    assert {"system.establishment", "development.establishment", "deployment.establishment"} <= set(header)
    assert "system's answer" not in header["system.establishment"].comment.text
    for name in ("development.establishment", "deployment.establishment"):
        assert "Only if this phase differs from the system; blank = the system's answer." in header[name].comment.text
    help_text = "\n".join(str(c.value) for row in book.worksheets[1].iter_rows() for c in row if c.value)
    assert "a blank cell there takes the system's answer" in help_text
    for source in kb.sources:  # each source with what it says
        assert source.summary.en in help_text


def test_a_phase_establishment_overrides_the_systems_in_the_results(tmp_path: Path, kb: KnowledgeBase) -> None:
    path = write_template(tmp_path / "inventory.xlsx", kb=kb, lang="en")
    book = load_workbook(path)
    inventory = book.worksheets[0]
    header = [cell.value for cell in inventory[1]]
    rows = [
        {"system_id": "S", "deployment_name": "Paris", "system.establishment": "Established in the European Union"},
        {"system_id": "S", "deployment_name": "Abroad", "deployment.establishment": "outside"},
    ]
    for number, row in enumerate(rows, start=2):
        for name, value in {**row, "deployment.personal_data": "yes", "deployment.organisation_kind": "private_body",
                            "deployment.purpose": "other"}.items():  # fmt: skip
            inventory.cell(row=number, column=header.index(name) + 1, value=value)
    book.save(path)
    result = assess_inventory(kb=kb, source=path)
    assert result.valid and result.table is not None
    assert result.table.get_column("deployment_outcome").to_list() == ["gdpr", "not_applicable_territorial"]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_each_header_comment_gives_the_columns_label_and_a_file_headed_by_labels_reads_the_same(
    tmp_path: Path, kb: KnowledgeBase, lang: Lang
) -> None:
    from airegime.batch.columns import column_label, header_key, read_layout

    inventory = load_workbook(write_template(tmp_path / "inventory.xlsx", kb=kb, lang=lang)).worksheets[0]
    comments = {cell.value: cell.comment.text for cell in inventory[1]}
    for scope, question in inventory_columns(kb):
        assert comments[canonical_name(scope, question.id)].startswith(f"{column_label(scope, question, lang)} — ")
    labels = [column_label(scope, question, lang) for scope, question in inventory_columns(kb)]
    typed = ["system_id", *(header_key(label) if i % 2 else label.upper() for i, label in enumerate(labels))]
    layout = read_layout(typed, kb)  # as labelled, lower or upper case, with or without accents
    assert [c.canonical for c in layout.answers] == [canonical_name(s, q.id) for s, q in inventory_columns(kb)]
    assert layout.passthrough == ()
