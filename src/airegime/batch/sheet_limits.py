"""Bounds on a spreadsheet's real size, checked before any reader allocates it.

A spreadsheet reader sizes its grid from the furthest cell: one cell at XFD1048576 in a 1.5 kB
.xlsx asks for 17 billion cells and aborts the process, and a zip archive of a few megabytes may
inflate to gigabytes. So before reading, one streaming pass over the archive and the sheets' XML
checks the inflated size (counted as it is read, not as the archive claims), the number of
columns, the last row and the number of cells the grid would hold, and refuses early with a
message that says what was found and what to do. Memory stays that of the XML parser's buffer.

The pass uses expat (the parser under Python's XML modules) with handlers for the few elements
that matter, and refuses any document type definition (so no entity can expand): a sheet of
two million cells is checked in under a second, about eight times faster than building
elements. A server may pass a smaller cell limit than the command line (``max_cells``).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.parsers import expat

from airegime.batch.io import XLSX_MAX_ROWS
from airegime.errors import InventoryReadError, Message, msg

MAX_INFLATED_BYTES = 512 * 1024 * 1024  # every part of the archive, inflated
MAX_COLUMNS = 256  # an inventory has a few dozen
MAX_CELLS = 16_000_000  # the grid a reader builds: about 1.2 GB of peak memory (~75 bytes a cell)
# An upload to the server (web page, API): 2 million cells, some 150 MB at the peak, is more than
# a 5 MB upload holds as CSV (about 50,000 rows of 30 columns).
UPLOAD_MAX_CELLS = 2_000_000
_DIGITS = "0123456789"
_CELL_REFERENCE = re.compile(r"([A-Z]{1,3})([0-9]{1,7})$")


@dataclass
class _Extent:
    max_cells: int = MAX_CELLS
    rows: int = 0
    columns: int = 0

    def grow(self, row: int, column: int, where: str) -> None:
        if row <= self.rows and column <= self.columns:
            return  # the usual case, kept cheap: called for every cell
        self.rows, self.columns = max(self.rows, row), max(self.columns, column)
        if self.columns > MAX_COLUMNS:
            raise _too_large(
                where,
                msg("error.sheet.cell_in_column", column=self.columns),
                msg("error.sheet.max_columns", count=MAX_COLUMNS),
            )
        if self.rows > XLSX_MAX_ROWS + 1:
            raise _too_large(
                where,
                msg("error.sheet.row_numbered", row=self.rows),
                msg("error.sheet.max_rows", count=XLSX_MAX_ROWS + 1),
            )
        if self.rows * self.columns > self.max_cells:
            raise _too_large(
                where,
                msg("error.sheet.cells_reaching", row=self.rows, column=self.columns, cells=self.rows * self.columns),
                msg("error.sheet.max_cells", count=self.max_cells),
            )


class _DocumentType(Exception):
    """The XML declares a document type (entities could expand from it): spreadsheets never do."""


def check_spreadsheet(path: Path, *, max_cells: int = MAX_CELLS) -> None:
    """Refuse an .xlsx or .ods whose inflated size or grid is beyond the limits (InventoryReadError)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        # An .xlsx or .ods is always a zip archive; the readers would try other formats (an old
        # binary .xls, say) that this pass cannot check.
        raise InventoryReadError(msg("error.sheet.not_zip", name=path.name), msg("error.sheet.not_zip.hint")) from None
    with archive:
        budget = _Budget(MAX_INFLATED_BYTES)
        declared = sum(info.file_size for info in archive.infolist())
        if declared > MAX_INFLATED_BYTES:
            raise _inflates(declared)
        for name in archive.namelist():
            try:
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    _parse(archive, name, budget, _XlsxSheet(_Extent(max_cells), name))
                elif name == "content.xml":
                    _parse(archive, name, budget, _OdsContent(_Extent(max_cells)))
            except _DocumentType:
                raise InventoryReadError(msg("error.sheet.dtd"), msg("error.sheet.save_again_or_csv.hint")) from None
            except (expat.ExpatError, zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
                raise InventoryReadError(
                    msg("error.sheet.damaged", name=name, reason=error), msg("error.sheet.save_again.hint")
                ) from None


class _Budget:
    """Bytes left to inflate, shared by every part read (an archive may understate its sizes)."""

    def __init__(self, left: int) -> None:
        self.left = left

    def take(self, data: bytes) -> bytes:
        self.left -= len(data)
        if self.left < 0:
            raise _inflates(MAX_INFLATED_BYTES + 1)
        return data


class _Handlers:
    """Element handlers for expat: names arrive as ``namespace}local``. Only the handlers a
    subclass defines are given to the parser (each call costs: a sheet has millions of elements)."""

    start: Callable[[str, dict[str, str]], None] | None = None
    end: Callable[[str], None] | None = None
    text: Callable[[str], None] | None = None


def _refuse_document_type(*_: Any) -> None:
    raise _DocumentType


def _parse(archive: zipfile.ZipFile, name: str, budget: _Budget, handlers: _Handlers) -> None:
    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    refuse: Callable[..., None] = _refuse_document_type
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    if handlers.start is not None:
        parser.StartElementHandler = handlers.start
    if handlers.end is not None:
        parser.EndElementHandler = handlers.end
    if handlers.text is not None:
        parser.CharacterDataHandler = handlers.text
    with archive.open(name) as stream:
        while data := stream.read(1 << 16):
            parser.Parse(budget.take(data), False)
    parser.Parse(b"", True)


class _XlsxSheet(_Handlers):
    def __init__(self, extent: _Extent, name: str) -> None:
        self.extent, self.row, self.column = extent, 0, 0
        self.where = f"sheet {name.rsplit('/', 1)[-1]}"

    def start(self, name: str, attributes: dict[str, str]) -> None:
        tag = name[name.rfind("}") + 1 :]
        if tag == "c":
            reference = attributes.get("r", "")
            letters = reference.rstrip(_DIGITS)
            if 0 < len(letters) < 4 and letters.isupper() and letters.isascii() and len(reference) - len(letters) < 8:
                self.row, self.column = int(reference[len(letters) :] or 0), _column_number(letters)
            else:
                self.column += 1
            self.extent.grow(self.row, self.column, self.where)
        elif tag == "row":
            number = attributes.get("r", "")
            self.row = int(number) if number.isdigit() and len(number) < 12 else self.row + 1
            self.column = 0
            self.extent.grow(self.row, 1, self.where)
        elif tag == "dimension":
            last = attributes.get("ref", "").split(":")[-1]
            if found := _CELL_REFERENCE.match(last):
                self.extent.grow(int(found.group(2)), _column_number(found.group(1)), self.where)


class _OdsContent(_Handlers):
    """OpenDocument repeats rows and cells by count; only cells that hold something make the grid
    grow (a sheet often ends with a million repeated empty rows)."""

    TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
    OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
    CELLS = (f"{TABLE}table-cell", f"{TABLE}covered-table-cell")

    def __init__(self, extent: _Extent) -> None:
        self.extent, self.first_row, self.last_row, self.column = extent, 0, 0, 0
        self.cell_depth = 0  # inside a cell: how deep (0: not in a cell)
        self.cell_columns = 1
        self.cell_filled = False

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if self.cell_depth:
            self.cell_depth += 1
            self.cell_filled = True  # a paragraph, an annotation, anything: the cell holds something
        elif name in self.CELLS:
            self.cell_depth = 1
            self.cell_columns = _count(attributes.get(f"{self.TABLE}number-columns-repeated"))
            self.cell_filled = bool(attributes.get(f"{self.OFFICE}value-type"))
        elif name == f"{self.TABLE}table-row":
            self.first_row = self.last_row + 1
            self.last_row = self.first_row + _count(attributes.get(f"{self.TABLE}number-rows-repeated")) - 1
            self.column = 0
        elif name == f"{self.TABLE}table":
            self.last_row = 0

    def end(self, name: str) -> None:
        if not self.cell_depth:
            return
        self.cell_depth -= 1
        if self.cell_depth == 0:
            self.column += self.cell_columns
            if self.cell_filled:
                self.extent.grow(self.last_row, self.column, "the sheet")

    def text(self, data: str) -> None:
        if self.cell_depth == 1 and data.strip():
            self.cell_filled = True


def _count(value: object) -> int:
    text = str(value or "1")
    return int(text) if text.isdigit() and len(text) < 9 else 100_000_000


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _too_large(where: str, found: Message, limit: Message) -> InventoryReadError:
    return InventoryReadError(
        msg("error.sheet.too_large", where=where, found=found, limit=limit), msg("error.sheet.too_large.hint")
    )


def _inflates(size: int) -> InventoryReadError:
    megabytes = MAX_INFLATED_BYTES // (1024 * 1024)
    said = (
        msg("error.sheet.inflates_declared", megabytes=megabytes, size=size)
        if size > MAX_INFLATED_BYTES + 1
        else msg("error.sheet.inflates", megabytes=megabytes)
    )
    return InventoryReadError(said, msg("error.sheet.inflates.hint"))
