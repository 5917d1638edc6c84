"""Reading inventories and writing results, chunk by chunk, so memory stays bounded.

Read: CSV (comma, semicolon or tab, detected), Excel .xlsx, OpenDocument .ods, JSON Lines,
Parquet. Write: CSV, .xlsx, JSON Lines, Parquet. Results are written to a temporary file
renamed at the end, so a failed run leaves no half-written file behind.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

import numpy as np
import polars as pl

from airegime.cells import FORMULA_START, inert
from airegime.errors import InventoryReadError, Message, msg
from airegime.files import replaced_when_done

ROW_INDEX = "__row"  # the row number in the file, as its user sees it (dropped from results)
READ_FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "excel",
    ".ods": "excel",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
}
NUMBERED = "numbered"  # a Parquet table already read, whose ROW_INDEX column keeps the file's row numbers
WRITE_FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
XLSX_MAX_ROWS = 1_048_575  # one sheet's rows, minus the header


@dataclass(frozen=True)
class Inventory:
    path: Path
    kind: str
    columns: list[str]
    total_rows: int | None  # None when it would cost a full read to know
    # A spreadsheet is read whole (its readers have no streaming mode): once, when it is opened.
    sheet: pl.DataFrame | None = field(default=None, repr=False, compare=False)

    def chunks(self, rows: int) -> Iterator[pl.DataFrame]:
        """The table in chunks of about ``rows`` rows, every cell as text or boolean, numbered."""
        reader = {
            "csv": _csv_chunks,
            "excel": _excel_chunks,
            "jsonl": _jsonl_chunks,
            "parquet": _parquet_chunks,
            NUMBERED: _numbered_table_chunks,
        }
        try:
            yield from reader[self.kind](self, rows)
        except _read_errors() as error:
            raise InventoryReadError(
                msg("error.inventory.unreadable", name=self.path.name, reason=_first_line(error)), _read_hint(self.kind)
            ) from None


def open_inventory(path: Path | str, kind: str | None = None, *, max_cells: int | None = None) -> Inventory:
    """Check the file is readable and get its header; raise InventoryReadError otherwise.

    ``max_cells``: a lower bound than the default on a spreadsheet's grid (a server's uploads).
    """
    path = Path(path)
    kind = kind or READ_FORMATS.get(path.suffix.lower())
    if kind is None:
        raise InventoryReadError(msg("error.inventory.format", name=path.name), msg("error.inventory.format.hint"))
    if not path.is_file():
        raise InventoryReadError(msg("error.inventory.no_file", path=str(path)), msg("error.check_path.hint"))
    try:
        if kind == "excel":
            sheet = _read_excel(path, max_cells)
            return Inventory(path, kind, sheet.columns, sheet.height, sheet)
        columns, total = _header(path, kind)
    except _read_errors() as error:
        raise InventoryReadError(
            msg("error.inventory.unreadable", name=path.name, reason=_first_line(error)), _read_hint(kind)
        ) from None
    return Inventory(path, kind, columns, total)


def _read_errors() -> tuple[type[Exception], ...]:
    """What the readers raise on a damaged or foreign file (fastexcel's errors are their own)."""
    import fastexcel

    return (pl.exceptions.PolarsError, OSError, ValueError, fastexcel.FastExcelError)


def _header(path: Path, kind: str) -> tuple[list[str], int | None]:
    if kind == "csv":
        frame = pl.read_csv(path, separator=_separator(path), infer_schema=False, n_rows=0, encoding="utf8")
        return [_clean(c) for c in frame.columns], _count_lines(path) - 1
    if kind == "excel":
        frame = _read_excel(path)
        return frame.columns, frame.height
    if kind == "jsonl":
        return pl.scan_ndjson(path, infer_schema_length=1000).collect_schema().names(), None
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(path)
    names = [name for name in meta.schema_arrow.names if kind != NUMBERED or name != ROW_INDEX]
    return names, meta.metadata.num_rows


def read_whole(path: Path | str, *, max_cells: int | None = None) -> pl.DataFrame:
    """The whole inventory as read, its rows numbered in ``ROW_INDEX`` as in the file: the form a
    server keeps, so that an upload is parsed once (``open_inventory(..., kind=NUMBERED)`` reads it
    back, in any language, without the spreadsheet reader)."""
    inventory = open_inventory(path, max_cells=max_cells)
    chunks = list(inventory.chunks(1 << 30))
    if not chunks:
        return pl.DataFrame(
            {
                ROW_INDEX: pl.Series([], dtype=pl.UInt32),
                **{c: pl.Series([], dtype=pl.String) for c in inventory.columns},
            }
        )
    return pl.concat(chunks, how="vertical_relaxed") if len(chunks) > 1 else chunks[0]


def _clean(name: str) -> str:
    return name.lstrip("\ufeff").strip()


def _separator(path: Path) -> str:
    """Comma, semicolon (French Excel) or tab: whichever the header line uses most."""
    with path.open("rb") as handle:
        first = handle.readline(1 << 16).decode("utf-8-sig", errors="replace")
    return max((",", ";", "\t"), key=first.count)


def _count_lines(path: Path) -> int:
    """Newlines in the file, plus one for a last line without one (numpy counts them, without
    holding the GIL, in a buffer read into again and again)."""
    lines = 0
    buffer = np.empty(1 << 22, dtype=np.uint8)
    last = 0
    with path.open("rb", buffering=0) as handle:
        while size := handle.readinto(buffer.data):
            lines += int(np.count_nonzero(buffer[:size] == _NEWLINE))
            last = int(buffer[size - 1])
        if lines and last != _NEWLINE:
            lines += 1
    return lines


_NEWLINE = ord("\n")


def _csv_chunks(inventory: Inventory, rows: int) -> Iterator[pl.DataFrame]:
    scan = pl.scan_csv(inventory.path, separator=_separator(inventory.path), infer_schema=False, encoding="utf8")
    scan = scan.rename(_clean)
    yield from _numbered(scan.collect_batches(chunk_size=rows), first=2)


def _excel_chunks(inventory: Inventory, rows: int) -> Iterator[pl.DataFrame]:
    sheet = inventory.sheet if inventory.sheet is not None else _read_excel(inventory.path)
    frame = sheet.with_row_index(ROW_INDEX, offset=2)
    cells = [c for c in frame.columns if c != ROW_INDEX]
    frame = frame.filter(pl.any_horizontal(pl.col(cells).is_not_null()))  # blank lines in a sheet mean nothing
    for start in range(0, frame.height, rows):
        yield frame.slice(start, rows)


def _read_excel(path: Path, max_cells: int | None = None) -> pl.DataFrame:
    """The first sheet, every cell as text; its real extent and inflated size are checked first
    (a reader sizes its grid from the furthest cell: one cell at XFD1048576 would abort the process)."""
    from airegime.batch.sheet_limits import MAX_CELLS, check_spreadsheet

    check_spreadsheet(path, max_cells=min(max_cells or MAX_CELLS, MAX_CELLS))
    frame = pl.read_excel(path, engine="calamine", infer_schema_length=0, drop_empty_rows=False)
    return frame.rename(_clean).with_columns(pl.col(pl.String).str.strip_chars().replace("", None))


def _jsonl_chunks(inventory: Inventory, rows: int) -> Iterator[pl.DataFrame]:
    scan = pl.scan_ndjson(inventory.path, infer_schema_length=1000)
    schema = scan.collect_schema()
    textual = [pl.col(n).cast(pl.String) for n, t in schema.items() if t not in (pl.String, pl.Boolean)]
    yield from _numbered(scan.with_columns(textual).collect_batches(chunk_size=rows), first=1)


def _parquet_chunks(inventory: Inventory, rows: int) -> Iterator[pl.DataFrame]:
    import pyarrow.parquet as pq

    batches = pq.ParquetFile(inventory.path).iter_batches(batch_size=rows)
    yield from _numbered((pl.from_arrow(batch) for batch in batches), first=1)


def _numbered_table_chunks(inventory: Inventory, rows: int) -> Iterator[pl.DataFrame]:
    import pyarrow.parquet as pq

    for batch in pq.ParquetFile(inventory.path).iter_batches(batch_size=rows):
        frame = pl.from_arrow(batch)
        assert isinstance(frame, pl.DataFrame)
        yield frame


def _numbered(chunks: Any, first: int) -> Iterator[pl.DataFrame]:
    offset = first
    for chunk in chunks:
        yield chunk.with_row_index(ROW_INDEX, offset=offset)
        offset += chunk.height


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _read_hint(kind: str) -> Message:
    return {
        "csv": msg("error.inventory.csv.hint"),
        "excel": msg("error.inventory.excel.hint"),
        "jsonl": msg("error.inventory.jsonl.hint"),
        "parquet": msg("error.inventory.parquet.hint"),
        NUMBERED: msg("error.inventory.numbered.hint"),
    }[kind]


# ── writing ──


class ResultWriter(Protocol):
    def write(self, frame: pl.DataFrame, trusted: Collection[str] = ()) -> None:
        """Append rows; ``trusted`` columns hold no user text (no formula to neutralise)."""

    def close(self) -> None: ...


def neutralise_formulas(frame: pl.DataFrame, trusted: Collection[str] = ()) -> pl.DataFrame:
    """Prefix text cells and column names a spreadsheet could run as a formula with an apostrophe.

    The rule is ``airegime.cells``' (one for every table written): CSV and .xlsx results, cells
    and headers alike. Categorical text (from a Parquet inventory) is checked as text.
    """
    taken = set(frame.columns)
    renames = {}
    for name in frame.columns:
        if name not in trusted and (safe := inert(name)) != name:
            while safe in taken:  # a column of that name already: another apostrophe
                safe = "'" + safe
            renames[name] = safe
            taken.add(safe)
    frame = frame.rename(renames)
    trusted = {renames.get(name, name) for name in trusted}
    texts = []
    for name, dtype in frame.schema.items():
        if name in trusted:
            continue
        if dtype == pl.String:
            column = pl.col(name)
        elif isinstance(dtype, (pl.Categorical, pl.Enum)):
            column = pl.col(name).cast(pl.String)
        else:
            continue
        texts.append(pl.when(column.str.contains(FORMULA_START)).then("'" + column).otherwise(column).alias(name))
    return frame.with_columns(texts) if texts else frame


@contextlib.contextmanager
def result_writer(path: Path, total_rows: int | None) -> Iterator[ResultWriter]:
    """A writer for ``path``'s format; the file appears only when everything was written."""
    kind = WRITE_FORMATS.get(path.suffix.lower())
    if kind is None:
        raise InventoryReadError(msg("error.results.format", name=path.name), msg("error.results.format.hint"))
    if kind == "xlsx" and total_rows is not None and total_rows > XLSX_MAX_ROWS:
        raise InventoryReadError(msg("error.results.rows", rows=total_rows), msg("error.results.too_many.hint"))
    from airegime.batch.xlsx import XlsxWriter

    writers: dict[str, Callable[[Path], ResultWriter]] = {
        "csv": _CsvWriter,
        "xlsx": XlsxWriter,
        "jsonl": _JsonlWriter,
        "parquet": _ParquetWriter,
    }
    with replaced_when_done(path) as temporary:
        writer = writers[kind](temporary)
        yield writer
        writer.close()


class _CsvWriter:
    def __init__(self, path: Path) -> None:
        self.handle: IO[bytes] = path.open("wb")
        self.first = True

    def write(self, frame: pl.DataFrame, trusted: Collection[str] = ()) -> None:
        # The byte-order mark makes spreadsheets read UTF-8 accents right.
        neutralise_formulas(frame, trusted).write_csv(self.handle, include_header=self.first, include_bom=self.first)
        self.first = False

    def close(self) -> None:
        self.handle.close()


class _JsonlWriter:
    def __init__(self, path: Path) -> None:
        self.handle: IO[bytes] = path.open("wb")

    def write(self, frame: pl.DataFrame, trusted: Collection[str] = ()) -> None:
        frame.write_ndjson(self.handle)

    def close(self) -> None:
        self.handle.close()


class _ParquetWriter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.writer: Any = None

    def write(self, frame: pl.DataFrame, trusted: Collection[str] = ()) -> None:
        import pyarrow.parquet as pq

        table = frame.to_arrow()
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, table.schema)
        self.writer.write_table(table.cast(self.writer.schema))

    def close(self) -> None:
        if self.writer is None:
            pl.DataFrame().write_parquet(self.path)
        else:
            self.writer.close()
