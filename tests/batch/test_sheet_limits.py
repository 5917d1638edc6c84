"""Hostile spreadsheets are refused before any reader allocates their grid: a far-away cell, a
sheet wider than an inventory can be, a zip that inflates without end, OpenDocument repeats."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from batch.hostile import MAIN, one_far_cell, write_xlsx

from airegime.batch import sheet_limits
from airegime.batch.sheet_limits import check_spreadsheet
from airegime.errors import InventoryReadError


def test_a_cell_at_the_last_column_of_the_last_row_is_refused(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "far.xlsx", one_far_cell("XFD", 1048576))
    assert path.stat().st_size < 2000
    with pytest.raises(InventoryReadError, match="column 16,384, beyond the limit of at most 256 columns"):
        check_spreadsheet(path)


def test_a_sheet_that_would_hold_too_many_cells_is_refused(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "tall.xlsx", one_far_cell("IV", 100_000))  # 256 columns, 100,000 rows
    with pytest.raises(InventoryReadError, match="25,600,000 cells"):
        check_spreadsheet(path)


def test_a_declared_dimension_counts_too(tmp_path: Path) -> None:
    sheet = f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><dimension ref="A1:ZZ100000"/><sheetData/></worksheet>'
    with pytest.raises(InventoryReadError, match="column 702"):
        check_spreadsheet(write_xlsx(tmp_path / "dim.xlsx", sheet))


def test_an_ordinary_inventory_passes(tmp_path: Path) -> None:
    rows = "".join(
        f'<row r="{r}">'
        + "".join(f'<c r="{c}{r}" t="inlineStr"><is><t>v</t></is></c>' for c in "ABCDEFGHIJ")
        + "</row>"
        for r in range(1, 2001)
    )
    check_spreadsheet(
        write_xlsx(
            tmp_path / "ok.xlsx",
            f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>',
        )
    )


def test_a_zip_that_inflates_beyond_the_budget_is_refused_while_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sheet_limits, "MAX_INFLATED_BYTES", 4 * 1024 * 1024)
    padding = " " * (8 * 1024 * 1024)  # whitespace between elements: valid XML, 8 MB inflated
    sheet = f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData>{padding}</sheetData></worksheet>'
    path = write_xlsx(tmp_path / "bomb.xlsx", sheet)
    assert path.stat().st_size < 64 * 1024
    with pytest.raises(InventoryReadError, match="inflates to more than 4 MB"):
        check_spreadsheet(path)


def test_an_archive_that_understates_its_size_is_caught_by_counting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sheet_limits, "MAX_INFLATED_BYTES", 4 * 1024 * 1024)
    padding = " " * (8 * 1024 * 1024)
    path = write_xlsx(
        tmp_path / "bomb.xlsx",
        f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData>{padding}</sheetData></worksheet>',
    )
    real_infolist = zipfile.ZipFile.infolist

    def understated(self: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
        copies = []
        for info in real_infolist(self):
            copy = zipfile.ZipInfo(info.filename)
            copy.file_size = 10
            copies.append(copy)
        return copies

    monkeypatch.setattr(zipfile.ZipFile, "infolist", understated)
    with pytest.raises(InventoryReadError, match="inflates"):
        check_spreadsheet(path)


def test_an_xml_entity_bomb_is_refused(tmp_path: Path) -> None:
    sheet = (
        '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row></sheetData></worksheet>'
    )
    with pytest.raises(InventoryReadError, match="document type definition"):
        check_spreadsheet(write_xlsx(tmp_path / "dtd.xlsx", sheet))


def write_ods(path: Path, table: str) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr(
            "content.xml",
            '<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
            f"<office:body><office:spreadsheet><table:table>{table}</table:table></office:spreadsheet></office:body>"
            "</office:document-content>",
        )
    return path


def test_opendocument_trailing_empty_repeats_pass_but_a_repeated_value_far_away_does_not(tmp_path: Path) -> None:
    header = '<table:table-row><table:table-cell office:value-type="string"><text:p>system_id</text:p></table:table-cell><table:table-cell table:number-columns-repeated="16383"/></table:table-row>'
    empty_tail = '<table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    check_spreadsheet(write_ods(tmp_path / "ok.ods", header + empty_tail))
    far = '<table:table-row table:number-rows-repeated="1000000"><table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>'
    with pytest.raises(InventoryReadError, match="row numbered"):
        check_spreadsheet(write_ods(tmp_path / "far.ods", header + far + far))
    wide = '<table:table-row><table:table-cell table:number-columns-repeated="5000"/><table:table-cell><text:p>x</text:p></table:table-cell></table:table-row>'
    with pytest.raises(InventoryReadError, match="column 5,001"):
        check_spreadsheet(write_ods(tmp_path / "wide.ods", header + wide))


def test_a_file_that_is_no_zip_archive_is_refused_before_the_reader_guesses_another_format(tmp_path: Path) -> None:
    """The readers would try an old binary .xls (which this pass cannot check) under any name."""
    path = tmp_path / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024)  # a compound document, as .xls are
    with pytest.raises(InventoryReadError, match=r"is not a spreadsheet: an \.xlsx or \.ods file is a zip archive"):
        check_spreadsheet(path)


def test_a_sheet_below_the_command_lines_cell_limit_may_be_above_an_uploads(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "tall.xlsx", one_far_cell("Z", 100_000))  # 26 columns, 100,000 rows
    check_spreadsheet(path)
    with pytest.raises(InventoryReadError, match="2,600,000 cells"):
        check_spreadsheet(path, max_cells=sheet_limits.UPLOAD_MAX_CELLS)


def test_a_sheet_whose_compressed_bytes_are_damaged_is_refused_as_damaged(tmp_path: Path) -> None:
    """Deflate data that zlib cannot inflate (a reserved block type) is a damaged file, not a crash."""
    path = tmp_path / "damaged.xlsx"
    sheet = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(sheet, f'<worksheet xmlns="{MAIN}">' + "<row/>" * 1000 + "</worksheet>")
    content = bytearray(path.read_bytes())
    start = content.index(sheet.encode()) + len(sheet)  # the entry's data follows its local header's name
    content[start : start + 8] = b"\xff" * 8  # BFINAL=1, BTYPE=11: "invalid block type"
    path.write_bytes(bytes(content))
    with pytest.raises(InventoryReadError, match="damaged"):
        check_spreadsheet(path)
