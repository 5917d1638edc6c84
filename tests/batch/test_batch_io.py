"""Every accepted format in and out, formula neutralisation, and files that cannot be read."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from ods_writer import write_ods

from airegime.batch.inventory import assess_inventory
from airegime.batch.io import neutralise_formulas
from airegime.cells import inert
from airegime.errors import InventoryReadError
from airegime.kb import KnowledgeBase

HEADER = ["system_id", "deployment_name", "system.establishment", "deployment.personal_data",
          "deployment.organisation_kind", "deployment.purpose", "deployment.legal_mission"]  # fmt: skip
ROWS = [
    ["A", "police use", "UE", "oui", "Police", "fins pénales", "oui"],
    ["A", '=HYPERLINK("x")', None, "yes", "company", "other", None],
    ["B", "@SUM(1)", "europe", "no", None, None, None],
    ["C", "customs", "eu", "yes", "autorité compétente", "mixte séparable", "yes"],
]
EXPECTED = ["police_justice", "gdpr", "not_applicable_no_personal_data", "split_police_justice_gdpr"]


def write_source(path: Path) -> None:
    frame = pl.DataFrame(ROWS, schema=HEADER, orient="row")
    kind = path.suffix
    if kind == ".csv":
        text = frame.write_csv(separator=";")  # as French spreadsheets export it, with a byte-order mark
        path.write_text("\ufeff" + text, encoding="utf-8")
    elif kind == ".xlsx":
        frame.write_excel(path)
    elif kind == ".ods":
        write_ods(path, [HEADER, *ROWS])
    elif kind == ".jsonl":
        frame.write_ndjson(path)
    else:
        frame.write_parquet(path)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".ods", ".jsonl", ".parquet"])
def test_every_input_format_is_read(tmp_path: Path, kb: KnowledgeBase, suffix: str) -> None:
    source = tmp_path / f"inventory{suffix}"
    write_source(source)
    result = assess_inventory(kb=kb, source=source, lang="en")
    assert result.valid, result.errors
    assert result.table is not None
    assert result.table.get_column("deployment_outcome").to_list() == EXPECTED
    assert result.table.columns[: len(HEADER)] == HEADER


def test_json_booleans_are_yes_and_no(tmp_path: Path, kb: KnowledgeBase) -> None:
    source = tmp_path / "inventory.jsonl"
    lines = [{"system_id": "A", "deployment.household": False, "deployment.personal_data": False}]
    source.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    result = assess_inventory(kb=kb, source=source)
    assert result.table is not None
    assert result.table.get_column("deployment_outcome").to_list() == ["not_applicable_no_personal_data"]


def read_back(path: Path) -> pl.DataFrame:
    if path.suffix == ".csv":
        return pl.read_csv(path, infer_schema=False)
    if path.suffix == ".xlsx":
        return pl.read_excel(path, engine="calamine", infer_schema_length=0)
    if path.suffix == ".jsonl":
        return pl.read_ndjson(path)
    return pl.read_parquet(path)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".jsonl", ".parquet"])
def test_every_output_format_is_written(tmp_path: Path, kb: KnowledgeBase, suffix: str) -> None:
    source = tmp_path / "inventory.csv"
    write_source(source)
    output = tmp_path / f"results{suffix}"
    result = assess_inventory(kb=kb, source=source, output=output, lang="fr")
    assert result.output == output and result.table is None
    written = read_back(output)
    assert written.get_column("deployment_outcome").to_list() == EXPECTED
    regimes = written.get_column("deployment_regime").to_list()
    assert regimes[1] == "RGPD"
    assert regimes[3] == "Police-justice pour les finalités pénales\u00a0; RGPD pour les autres"  # a split, legibly
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_spreadsheet_outputs_neutralise_formulas(tmp_path: Path, kb: KnowledgeBase, suffix: str) -> None:
    source = tmp_path / "inventory.csv"
    write_source(source)
    output = tmp_path / f"results{suffix}"
    assess_inventory(kb=kb, source=source, output=output)
    names = read_back(output).get_column("deployment_name").to_list()
    assert names == ["police use", '\'=HYPERLINK("x")', "'@SUM(1)", "customs"]


def test_neutralise_formulas_covers_every_dangerous_start() -> None:
    frame = pl.DataFrame({"cell": ["=1+1", "+1", "-1", "@A1", "\tx", "fine", None], "n": [1, 2, 3, 4, 5, 6, 7]})
    cells = neutralise_formulas(frame).get_column("cell").to_list()
    assert cells == ["'=1+1", "'+1", "'-1", "'@A1", "'\tx", "fine", None]


def test_a_failed_write_leaves_no_file(tmp_path: Path, kb: KnowledgeBase) -> None:
    source = tmp_path / "inventory.csv"
    write_source(source)
    with pytest.raises(InventoryReadError):
        assess_inventory(kb=kb, source=source, output=tmp_path / "results.docx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inventory.csv"]


@pytest.mark.parametrize(
    ("name", "content"),
    [("inventory.parquet", b"not parquet"), ("inventory.xlsx", b"PK\x03\x04 broken"), ("inventory.pdf", b"%PDF")],
)
def test_unreadable_files_raise_a_read_error(tmp_path: Path, kb: KnowledgeBase, name: str, content: bytes) -> None:
    source = tmp_path / name
    source.write_bytes(content)
    with pytest.raises(InventoryReadError):
        assess_inventory(kb=kb, source=source)


def test_column_names_are_neutralised_too(tmp_path: Path, kb: KnowledgeBase) -> None:
    source = tmp_path / "inventory.csv"
    pl.DataFrame({"system_id": ["A"], "=cmd|' /C calc'!A0": ["x"]}).write_csv(source)
    output = tmp_path / "results.csv"
    assess_inventory(kb=kb, source=source, output=output)
    assert "'=cmd|' /C calc'!A0" in read_back(output).columns


def test_xlsx_results_escape_xml_and_open_in_openpyxl(tmp_path: Path, kb: KnowledgeBase) -> None:
    from openpyxl import load_workbook

    source = tmp_path / "inventory.csv"
    pl.DataFrame({"system_id": ["A & B <1>", "C"], "note": ["x\x01y", None], "n": [1, 2]}).write_csv(source)
    output = tmp_path / "results.xlsx"
    assess_inventory(kb=kb, source=source, output=output, lang="en")
    sheet = load_workbook(output).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("system_id", "note", "n")
    assert rows[1][:3] == ("A & B <1>", "xy", "1")
    assert rows[2][:2] == ("C", None)
    assert (
        sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}3"
    )


def test_one_cell_at_a_time_follows_the_same_rule_as_a_whole_frame() -> None:
    cells = ["=1+1", "+1", "-1", "@A1", "\tx", "\rx", "fine", " =x", "", "'=already"]
    frame = neutralise_formulas(pl.DataFrame({"cell": cells}))
    assert [inert(cell) for cell in cells] == frame.get_column("cell").to_list()
    assert inert("=1+1") == "'=1+1" and inert("fine") == "fine"


FORMULAS = ["=extra", " =1+1", "\u3000=1", "\xa0+1", "\uff1dSUM(A1)", "\uff0b1", "\uff20A1", "\u200b=1", "\t=1",
            "\r=1", "\tplain", "-2", "@A1", "  @x"]  # fmt: skip
HARMLESS = ["plain", " plain", "a=b", "1-2", "'=already", ""]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_one_formula_rule_for_headers_and_cells_in_csv_and_xlsx(tmp_path: Path, kb: KnowledgeBase, suffix: str) -> None:
    """Issue 13, item 15: a header `=extra` stayed as it was in .xlsx but got an apostrophe in CSV;
    a leading space or a full-width ＝ was not neutralised at all."""
    import csv
    import io

    from openpyxl import load_workbook

    names = [f"{text}{n}" for n, text in enumerate(FORMULAS + HARMLESS)]  # headers must differ
    source = tmp_path / "inventory.parquet"  # Parquet keeps leading blanks in headers and cells
    pl.DataFrame({"system_id": ["A", "B"], **{name: [name, FORMULAS[0]] for name in names}}).write_parquet(source)
    output = tmp_path / f"results{suffix}"
    assess_inventory(kb=kb, source=source, output=output, lang="en")
    if suffix == ".csv":
        rows = list(csv.reader(io.StringIO(output.read_bytes().decode("utf-8-sig"), newline="")))
    else:
        sheet = load_workbook(output).active
        assert sheet is not None
        rows = [["" if value is None else str(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    header, first, second = rows[0], rows[1], rows[2]
    for position, name in enumerate(names, start=1):
        wanted = inert(name)
        assert (wanted != name) == (position <= len(FORMULAS))
        if suffix == ".xlsx":
            wanted = wanted.replace("\r", "\n")  # XML reads a carriage return as a line feed
        assert header[position] == wanted, (suffix, name)
        assert first[position] == wanted, (suffix, name)
        assert second[position] == "'=extra"


def test_the_frame_rule_and_the_one_cell_rule_agree_on_every_leading_character() -> None:
    """Polars' regular expressions and Python's read the one pattern alike (blanks listed one by one)."""
    firsts = [chr(code) for code in [*range(0, 0x3100), *range(0xFE00, 0x10000)] if not 0xD800 <= code < 0xE000]
    cells = [f"{first}=x" for first in firsts] + [f"{first}x" for first in firsts]
    frame = neutralise_formulas(pl.DataFrame({"cell": cells}))
    assert frame.get_column("cell").to_list() == [inert(cell) for cell in cells]
    assert inert("\u3000\uff1d1") == "'\u3000\uff1d1" and inert("x=1") == "x=1"


def test_a_header_that_becomes_another_columns_name_gets_one_more_apostrophe() -> None:
    frame = neutralise_formulas(pl.DataFrame({"=a": ["x"], "'=a": ["y"]}))
    assert frame.columns == ["''=a", "'=a"]
    categorical = neutralise_formulas(pl.DataFrame({"c": pl.Series(["=1", "ok"], dtype=pl.Categorical)}))
    assert categorical.get_column("c").to_list() == ["'=1", "ok"]
