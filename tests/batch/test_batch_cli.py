"""`airegime batch`: exit codes, the summary table, the template."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from airegime.cli.app import app

runner = CliRunner()


def write(path: Path, rows: dict[str, list[str | None]]) -> Path:
    pl.DataFrame(rows).write_csv(path)
    return path


def test_valid_inventory_prints_the_summary_and_exits_0(tmp_path: Path) -> None:
    source = write(
        tmp_path / "inventory.csv",
        {
            "system_id": ["A", "A", "B", "C"],
            "system.establishment": ["eu", None, "eu", "eu"],
            "deployment.personal_data": ["yes", "yes", "yes", "yes"],
            "deployment.organisation_kind": [
                "competent_authority",
                "private_body",
                "competent_authority",
                "competent_authority",
            ],
            "deployment.purpose": ["criminal_law", "other", "mixed_inseparable", "mixed_separable"],
            "deployment.legal_mission": ["yes", None, "yes", "yes"],
        },
    )
    output = tmp_path / "results.csv"
    result = runner.invoke(app, ["batch", str(source), "-o", str(output), "--lang", "en"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Regimes per phase" in result.output
    assert "Case by case" in result.output  # the inseparable purposes of B
    assert "Police-justice for the criminal-law purposes; GDPR for the others" in result.output  # C: split
    assert "Under each regime, wholly or for some purposes" in result.output
    assert "4 rows, 3 systems" in result.output
    assert "not legal advice" in result.output
    assert "format 1" not in result.output
    written = pl.read_csv(output)
    assert written.get_column("deployment_outcome").to_list() == [
        "police_justice",
        "gdpr",
        "case_by_case_police_justice_or_gdpr",
        "split_police_justice_gdpr",
    ]
    assert written.get_column("notes").null_count() == 4


def test_regimes_under_a_split_are_counted_under_each_of_its_regimes(tmp_path: Path) -> None:
    """The 'under each regime' lines: A's GDPR deployment, and C's split, count under GDPR."""
    source = write(
        tmp_path / "inventory.csv",
        {
            "system_id": ["A", "C"],
            "system.establishment": ["eu", "eu"],
            "deployment.personal_data": ["yes", "yes"],
            "deployment.organisation_kind": ["private_body", "competent_authority"],
            "deployment.purpose": ["other", "mixed_separable"],
            "deployment.legal_mission": [None, "yes"],
        },
    )
    result = runner.invoke(app, ["batch", str(source), "--lang", "en"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    under = lines[next(i for i, line in enumerate(lines) if "Under each regime" in line) :]
    counts = {
        cells[0]: cells[-1] for line in under if len(cells := [c.strip() for c in line.split("│") if c.strip()]) >= 2
    }
    assert counts["GDPR"] == "2"
    assert counts["Police-justice (Directive 2016/680, Titre III of the French Act)"] == "1"


def test_invalid_rows_are_listed_and_exit_1(tmp_path: Path) -> None:
    source = write(tmp_path / "inventory.csv", {"system_id": ["A", "B"], "development_uses": ["maybe", "various"]})
    output = tmp_path / "results.csv"
    result = runner.invoke(app, ["batch", str(source), "-o", str(output), "--lang", "en"])
    assert result.exit_code == 1
    assert "Invalid cells" in result.output and "'maybe'" in result.output and "development_uses" in result.output
    written = pl.read_csv(output)  # the bad cell is a development answer: only A's development is not assessed
    assert written.get_column("development_outcome").to_list() == ["invalid", "undetermined"]
    assert written.get_column("deployment_outcome").to_list() == ["undetermined", "undetermined"]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_an_old_inventory_is_read_and_its_guesses_are_shown(tmp_path: Path, lang: str) -> None:
    source = write(
        tmp_path / "inventory.csv",
        {
            "system_id": ["A", "B"],
            "household": ["yes", "no"],
            "deployment.personal_data": ["yes", "yes"],
            "deployment.eu_link": ["yes", "yes"],
            "deployment.controller_kind": ["private_body", "competent_authority"],
            "deployment.purpose": ["other", "criminal_law"],
        },
    )
    output = tmp_path / "results.csv"
    result = runner.invoke(app, ["batch", str(source), "-o", str(output), "--lang", lang], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())  # as one line, whatever the terminal's width
    assert "format 1" in said and ("on 1 row;" in said or "sur 1 ligne ;" in said)
    assert "development.organisation_kind, deployment.organisation_kind (1 " in said
    assert ("individual" if lang == "en" else "particulier") in said
    written = pl.read_csv(output)
    assert written.get_column("deployment_outcome").to_list() == ["not_applicable_household", "police_justice"]
    notes = written.get_column("notes").to_list()
    controller = "Controller" if lang == "en" else "Responsable du traitement"
    development, deployment = ("development", "deployment") if lang == "en" else ("développement", "déploiement")
    assert notes[1] is None and f"{controller} ({development}), {controller} ({deployment})" in notes[0]
    assert "organisation_kind" not in notes[0]  # the columns in words, not by question code


def test_unreadable_file_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "inventory.parquet"
    source.write_bytes(b"nope")
    output = tmp_path / "results.csv"
    result = runner.invoke(app, ["batch", str(source), "-o", str(output)])
    assert result.exit_code == 2
    assert not output.exists()


def test_missing_system_id_column_exits_2(tmp_path: Path) -> None:
    source = write(tmp_path / "inventory.csv", {"name": ["A"]})
    result = runner.invoke(app, ["batch", str(source), "--lang", "en"])
    assert result.exit_code == 2
    assert "system_id" in result.output


def test_template_is_written_in_the_chosen_language(tmp_path: Path) -> None:
    path = tmp_path / "modele.xlsx"
    result = runner.invoke(app, ["batch", "--template", str(path), "--lang", "fr"])
    assert result.exit_code == 0, result.output
    assert "Modèle écrit" in result.output
    assert pl.read_excel(path, engine="calamine").columns[0] == "system_id"


def test_template_must_be_xlsx(tmp_path: Path) -> None:
    result = runner.invoke(app, ["batch", "--template", str(tmp_path / "t.csv")])
    assert result.exit_code == 2


def test_columns_that_look_like_answer_columns_are_named_on_standard_error(tmp_path: Path) -> None:
    source = write(tmp_path / "inventory.csv", {"system_id": ["A"], "organisation_kind": ["private_body"]})
    result = runner.invoke(app, ["batch", str(source), "--lang", "en"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    said = " ".join(result.stderr.split())
    assert "Column “organisation_kind” is not an answer column: it was carried through unread." in said
    assert "development.organisation_kind, deployment.organisation_kind" in said
    assert "carried through unread" not in result.stdout  # the results on standard output stay clean


def test_a_file_with_only_its_header_says_there_is_nothing_to_assess(tmp_path: Path) -> None:
    source = tmp_path / "inventory.csv"
    source.write_text("system_id,deployment.purpose\n", encoding="utf-8")
    result = runner.invoke(app, ["batch", str(source), "--lang", "en"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "This file has no row to assess" in result.stderr and "0 rows, 0 systems" in result.stdout
