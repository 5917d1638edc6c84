"""Bounds on a spreadsheet's real size, checked before any reader allocates it.

A spreadsheet reader sizes its grid from the furthest cell: one cell at XFD1048576 in a 1.5 kB
.xlsx asks for 17 billion cells and aborts the process, and a zip archive of a few megabytes may
inflate to gigabytes. So before reading, one streaming pass over the archive and the sheets' XML
checks the inflated size (counted as it is read, not as the archive claims), the number of
columns, the last row and the number of cells the grid would hold, and refuses early with a
message that says what was found and what to do. Memory stays that of the XML parser's buffer.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import Element

from defusedxml import DTDForbidden
from defusedxml.ElementTree import ParseError, iterparse

from airegime.batch.io import XLSX_MAX_ROWS, InventoryReadError

MAX_INFLATED_BYTES = 512 * 1024 * 1024  # every part of the archive, inflated
MAX_COLUMNS = 256  # an inventory has a few dozen
MAX_CELLS = 16_000_000  # the grid a reader builds: about 600 MB at calamine's ~40 bytes a cell
_CELL_REFERENCE = re.compile(r"([A-Z]{1,3})([0-9]{1,7})$")


@dataclass
class _Extent:
    rows: int = 0
    columns: int = 0

    def grow(self, row: int, column: int, where: str) -> None:
        self.rows, self.columns = max(self.rows, row), max(self.columns, column)
        if self.columns > MAX_COLUMNS:
            raise _too_large(where, f"a cell in column {self.columns:,}", f"at most {MAX_COLUMNS} columns")
        if self.rows > XLSX_MAX_ROWS + 1:
            raise _too_large(where, f"a row numbered {self.rows:,}", f"at most {XLSX_MAX_ROWS + 1:,} rows")
        if self.rows * self.columns > MAX_CELLS:
            raise _too_large(
                where,
                f"cells reaching row {self.rows:,} and column {self.columns:,} ({self.rows * self.columns:,} cells)",
                f"at most {MAX_CELLS:,} cells",
            )


def check_spreadsheet(path: Path) -> None:
    """Refuse an .xlsx or .ods whose inflated size or grid is beyond the limits (InventoryReadError)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return  # not an archive: the reader says what is wrong with it
    with archive:
        budget = _Budget(MAX_INFLATED_BYTES)
        declared = sum(info.file_size for info in archive.infolist())
        if declared > MAX_INFLATED_BYTES:
            raise _inflates(declared)
        for name in archive.namelist():
            try:
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    _check_xlsx_sheet(archive, name, budget)
                elif name == "content.xml":
                    _check_ods_content(archive, name, budget)
            except DTDForbidden:
                raise InventoryReadError(
                    "the spreadsheet holds a document type definition, which spreadsheets never need",
                    "save it again from the spreadsheet program, or as .csv",
                ) from None
            except (ParseError, zipfile.BadZipFile, EOFError) as error:
                raise InventoryReadError(
                    f"the spreadsheet is damaged ({name}: {error})", "save it again from the spreadsheet program"
                ) from None


class _Budget:
    """Bytes left to inflate, shared by every part read (an archive may understate its sizes)."""

    def __init__(self, left: int) -> None:
        self.left = left

    def reader(self, stream: IO[bytes]) -> _Counted:
        return _Counted(stream, self)


class _Counted:
    """A file-like view of a zip member that stops once the inflation budget is spent."""

    def __init__(self, stream: IO[bytes], budget: _Budget) -> None:
        self.stream, self.budget = stream, budget

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(1 << 16 if size < 0 else min(size, 1 << 16))
        self.budget.left -= len(data)
        if self.budget.left < 0:
            raise _inflates(MAX_INFLATED_BYTES + 1)
        return data


def _events(archive: zipfile.ZipFile, name: str, budget: _Budget) -> Iterator[tuple[str, Element]]:
    with archive.open(name) as stream:
        yield from iterparse(budget.reader(stream), events=("start", "end"), forbid_dtd=True)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _check_xlsx_sheet(archive: zipfile.ZipFile, name: str, budget: _Budget) -> None:
    extent, row, column = _Extent(), 0, 0
    where = f"sheet {name.rsplit('/', 1)[-1]}"
    for event, element in _events(archive, name, budget):
        tag, attributes = _local(element.tag), element.attrib
        if event == "end":
            if tag in ("c", "row"):
                element.clear()
        elif tag == "dimension":
            last = str(attributes.get("ref", "")).split(":")[-1]
            if found := _CELL_REFERENCE.match(last):
                extent.grow(int(found.group(2)), _column_number(found.group(1)), where)
        elif tag == "row":
            row = int(attributes["r"]) if str(attributes.get("r", "")).isdigit() else row + 1
            column = 0
            extent.grow(row, 1, where)
        elif tag == "c":
            found = _CELL_REFERENCE.match(str(attributes.get("r", "")))
            if found:
                row, column = int(found.group(2)), _column_number(found.group(1))
            else:
                column += 1
            extent.grow(row, column, where)


def _check_ods_content(archive: zipfile.ZipFile, name: str, budget: _Budget) -> None:
    """OpenDocument repeats rows and cells by count; only cells that hold something make the grid
    grow (a sheet often ends with a million repeated empty rows)."""
    extent, first_row, last_row, column = _Extent(), 0, 0, 0
    table = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
    office = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
    for event, element in _events(archive, name, budget):
        tag, attributes = _local(element.tag), element.attrib
        if event == "start" and tag == "table":
            last_row = 0
        elif event == "start" and tag == "table-row":
            first_row = last_row + 1
            last_row = first_row + _count(attributes.get(f"{table}number-rows-repeated")) - 1
            column = 0
        elif event == "end" and tag in ("table-cell", "covered-table-cell"):
            column += _count(attributes.get(f"{table}number-columns-repeated"))
            if attributes.get(f"{office}value-type") or len(element) or (element.text or "").strip():
                extent.grow(last_row, column, "the sheet")
            element.clear()


def _count(value: object) -> int:
    text = str(value or "1")
    return int(text) if text.isdigit() and len(text) < 9 else 100_000_000


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _too_large(where: str, found: str, limit: str) -> InventoryReadError:
    return InventoryReadError(
        f"the spreadsheet is too large to read: {where} has {found}, beyond the limit of {limit}",
        "delete the stray cells far from the table (select the empty rows and columns after it and delete "
        "them), or save the inventory as .csv",
    )


def _inflates(size: int) -> InventoryReadError:
    return InventoryReadError(
        f"the spreadsheet inflates to more than {MAX_INFLATED_BYTES // (1024 * 1024):,} MB"
        + (f" ({size:,} bytes declared)" if size > MAX_INFLATED_BYTES + 1 else ""),
        "an inventory is a few megabytes of data: save it again from the spreadsheet program, or as .csv",
    )
