"""`airegime batch`: exit codes, the summary table, the template."""

from __future__ import annotations

from pathlib import Path

import polars as pl
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
            "system_id": ["A", "A", "B"],
            "household": ["no", None, "no"],
            "deployment.personal_data": ["yes", "yes", "yes"],
            "deployment.eu_link": ["yes", "yes", "yes"],
            "deployment.controller_kind": ["competent_authority", "private_body", "public_body"],
            "deployment.purpose": ["criminal_law", "other", "crowd_safety"],
        },
    )
    output = tmp_path / "results.csv"
    result = runner.invoke(app, ["batch", str(source), "-o", str(output), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Regimes per phase" in result.output
    assert "Case by case" in result.output  # the crowd-safety row of B
    assert "3 rows, 2 systems" in result.output
    assert "not legal advice" in result.output
    assert pl.read_csv(output).height == 3


def test_invalid_rows_are_listed_and_exit_1(tmp_path: Path) -> None:
    source = write(tmp_path / "inventory.csv", {"system_id": ["A", "B"], "household": ["maybe", "no"]})
    output = tmp_path / "results.csv"
    result = runner.invoke(app, ["batch", str(source), "-o", str(output), "--lang", "en"])
    assert result.exit_code == 1
    assert "Invalid cells" in result.output and "'maybe'" in result.output and "household" in result.output
    assert pl.read_csv(output).get_column("deployment_outcome").to_list() == [None, "undetermined"]


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
