"""A streaming .xlsx writer: polars turns whole chunks of rows into SpreadsheetML at once.

Writing cell by cell from Python (openpyxl, xlsxwriter) costs microseconds per cell, i.e. tens
of seconds for 100,000 rows of 30 columns. Here each chunk becomes one XML string built by
polars expressions, deflated into the archive as it goes: memory stays at one chunk. Every
text is written as an inline string, never as a formula. Cells carry no reference: the
SpreadsheetML standard places them one after another, and Excel, LibreOffice and calamine read
them so.
"""

from __future__ import annotations

import re
import time
import zipfile
from collections.abc import Collection
from pathlib import Path
from typing import IO

import polars as pl

from airegime.batch.io import XLSX_MAX_ROWS, neutralise_formulas
from airegime.errors import InventoryReadError, msg

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_NAME = "results"
OFFICE_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CONTENT_TYPES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="{OFFICE_TYPE}.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{OFFICE_TYPE}.worksheet+xml"/>
<Override PartName="/xl/styles.xml" ContentType="{OFFICE_TYPE}.styles+xml"/>
</Types>"""
ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PACKAGE_RELS}">
<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="{PACKAGE_RELS}">
<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{RELS}/styles" Target="styles.xml"/>
</Relationships>"""
STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{MAIN}">
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>\
<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""
SHEET_START = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="{MAIN}"><sheetViews><sheetView workbookViewId="0">\
<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>"""
NOT_XML = r"[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]"  # characters XML 1.0 cannot hold


XML_SPECIAL = r"[&<>\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]"


def _escaped(text: pl.Expr) -> pl.Expr:
    return (
        text.str.replace_all("&", "&amp;", literal=True)
        .str.replace_all("<", "&lt;", literal=True)
        .str.replace_all(">", "&gt;", literal=True)
        .str.replace_all(NOT_XML, "")
    )


def _cell(frame: pl.DataFrame, name: str) -> pl.Expr:
    """The XML of each cell of a column; a null cell is an empty ``<c/>``."""
    series = frame.get_column(name)
    if series.dtype.is_integer():
        return pl.format("<c><v>{}</v></c>", pl.col(name)).fill_null("<c/>")
    text = pl.col(name).cast(pl.String)
    # Escaping costs: only where needed (for an Enum column, its few categories tell).
    values = pl.Series(series.dtype.categories) if isinstance(series.dtype, pl.Enum) else series.cast(pl.String)
    if values.str.contains(XML_SPECIAL).any():
        text = _escaped(text)
    return pl.format('<c t="inlineStr"><is><t xml:space="preserve">{}</t></is></c>', text).fill_null("<c/>")


def column_letters(position: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


class XlsxWriter:
    def __init__(self, path: Path) -> None:
        self.archive = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        entry = zipfile.ZipInfo("xl/worksheets/sheet1.xml", date_time=time.localtime()[:6])
        entry.compress_type = zipfile.ZIP_DEFLATED
        self.sheet: IO[bytes] = self.archive.open(entry, "w", force_zip64=True)
        self.rows = 0
        self.width = 0

    def write(self, frame: pl.DataFrame, trusted: Collection[str] = ()) -> None:
        if self.rows + frame.height > XLSX_MAX_ROWS:
            raise InventoryReadError(msg("error.results.too_many"), msg("error.results.too_many.hint"))
        safe = neutralise_formulas(frame, trusted)  # the same rule as CSV, for the header too
        if self.width == 0:
            self.width = frame.width
            header = "".join(
                f'<c t="inlineStr" s="1"><is><t>{_escape_text(name)}</t></is></c>' for name in safe.columns
            )
            self.sheet.write(f"{SHEET_START}<row>{header}</row>".encode())
        if frame.height == 0:
            return
        rows = safe.select(pl.format("<row>{}</row>", pl.concat_str([_cell(safe, name) for name in safe.columns])))
        # One XML row per line, written by polars straight into the deflating archive.
        rows.write_csv(self.sheet, include_header=False, quote_style="never")
        self.rows += frame.height

    def close(self) -> None:
        if self.width == 0:
            self.sheet.write(f"{SHEET_START}".encode())
        last = f"{column_letters(max(self.width, 1))}{self.rows + 1}"
        self.sheet.write(f'</sheetData><autoFilter ref="A1:{last}"/></worksheet>'.encode())
        self.sheet.close()
        absolute = f"${column_letters(max(self.width, 1))}${self.rows + 1}"
        workbook = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{MAIN}" xmlns:r="{RELS}">'
            f'<sheets><sheet name="{SHEET_NAME}" sheetId="1" r:id="rId1"/></sheets><definedNames>'
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">{SHEET_NAME}!$A$1:{absolute}'
            "</definedName></definedNames></workbook>"
        )
        for name, text in (
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", ROOT_RELS),
            ("xl/workbook.xml", workbook),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
            ("xl/styles.xml", STYLES),
        ):
            self.archive.writestr(name, text)
        self.archive.close()


def _escape_text(text: str) -> str:
    return re.sub(NOT_XML, "", text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
