"""Hostile spreadsheets for the tests: a far-away cell, a zip bomb, each a small file."""

from __future__ import annotations

import zipfile
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _parts(archive: zipfile.ZipFile) -> None:
    archive.writestr(
        "[Content_Types].xml",
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{OFFICE}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{OFFICE}.worksheet+xml"/>'
        "</Types>",
    )
    archive.writestr(
        "_rels/.rels",
        f'<?xml version="1.0"?><Relationships xmlns="{PACKAGE}">'
        f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    )
    archive.writestr(
        "xl/workbook.xml",
        f'<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
        '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
    )
    archive.writestr(
        "xl/_rels/workbook.xml.rels",
        f'<?xml version="1.0"?><Relationships xmlns="{PACKAGE}">'
        f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    )


def write_xlsx(path: Path, sheet: str) -> Path:
    """A minimal valid workbook whose one sheet is ``sheet`` (SpreadsheetML)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        _parts(archive)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def one_far_cell(reference: str, row: int) -> str:
    """``system_id`` in A1 and one more cell at ``reference``+``row`` (e.g. XFD, 1048576)."""
    return (
        f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>system_id</t></is></c></row>'
        f'<row r="{row}"><c r="{reference}{row}" t="inlineStr"><is><t>x</t></is></c></row>'
        "</sheetData></worksheet>"
    )


def far_cell_xlsx(path: Path, reference: str, row: int) -> Path:
    return write_xlsx(path, one_far_cell(reference, row))


def zip_bomb_xlsx(path: Path, inflated: int = 1 << 30) -> Path:
    """A valid workbook of a few MB whose sheet inflates to ``inflated`` bytes (one huge cell text)."""
    block = b"A" * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        _parts(archive)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData>'
                '<row r="1"><c r="A1" t="inlineStr"><is><t>system_id</t></is></c></row>'
                '<row r="2"><c r="A2" t="inlineStr"><is><t>'.encode()
            )
            for _ in range(inflated // len(block)):
                sheet.write(block)
            sheet.write(b"</t></is></c></row></sheetData></worksheet>")
    return path
