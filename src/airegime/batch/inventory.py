"""Assessing a whole inventory file, or an in-memory table, with bounded memory.

The file is read in chunks; a chunk is cut only between two systems (the rows of the system
at a chunk's end wait for the next chunk), so a system's rows are assessed together as long
as they follow each other in the file. A file smaller than one chunk may list them in any order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa

from airegime.batch.assess import MAX_REPORTED_ERRORS, CellError, Summary, assess_chunk
from airegime.batch.columns import Layout, UnreadColumn, read_layout
from airegime.batch.compiled import batch_program, prepare_batch_program
from airegime.batch.io import ROW_INDEX, open_inventory, result_writer
from airegime.i18n import plural, translate
from airegime.kb.models import KnowledgeBase, Lang

CHUNK_ROWS = 250_000
SHOWN_SPLIT_SYSTEMS = 20
Progress = Callable[[int, int | None], None]  # (rows done, total rows if known)


@dataclass
class BatchResult:
    """What an inventory gave: counts, the invalid cells, and the results (file or table)."""

    rule_set_version: str
    rule_set_hash: str
    summary: Summary = field(default_factory=Summary)
    errors: list[CellError] = field(default_factory=list)  # the first MAX_REPORTED_ERRORS
    error_count: int = 0  # every invalid cell, reported or not
    output: Path | None = None
    table: pl.DataFrame | None = None  # when no output file was asked for
    # Systems whose rows come back after other systems' in a later chunk (files over one chunk):
    # their groups were assessed apart. (system id, row where it comes back), the first few.
    split_systems: list[tuple[str, int]] = field(default_factory=list)
    split_system_count: int = 0
    # 1 when the inventory has the old (format-1) columns: read through airegime.upgrade, and
    # ``summary.notes`` (and each row's ``notes`` column) says where that reading is a guess.
    format: int = 2
    # Columns carried through unread that look like answer columns (a typo, a question asked in
    # both phases headed without its phase): each with the columns it may mean.
    unread_columns: tuple[UnreadColumn, ...] = ()

    @property
    def valid(self) -> bool:
        return self.error_count == 0

    def format1_said(self, lang: Lang) -> tuple[str, list[str]]:
        """A format-1 inventory, in words: that its answers were read in the current format, and
        each guess that reading made, with the columns and the number of rows it concerns."""
        if not self.summary.notes:
            return translate("format1.none", lang), []
        lead = translate("format1", lang, rows=plural("batch.rows", self.summary.noted_rows, lang))
        by_text: dict[str, list[tuple[str, int]]] = {}
        for note, count in self.summary.notes.items():
            by_text.setdefault(note.text(lang), []).append((note.location, count))
        notes = []
        for text, places in by_text.items():
            columns = ", ".join(location for location, _ in places)
            rows = plural("batch.rows", max(count for _, count in places), lang)
            notes.append(translate("format1.note", lang, columns=columns, rows=rows, text=text))
        return lead, notes


def assess_inventory(
    *,
    kb: KnowledgeBase,
    source: Path | str,
    output: Path | str | None = None,
    lang: Lang = "fr",
    kind: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
    progress: Progress | None = None,
    max_cells: int | None = None,
) -> BatchResult:
    """Assess every row of an inventory file; write the results to ``output`` or keep them in memory.

    ``max_cells``: a spreadsheet's grid may hold at most this many cells (a server passes
    ``sheet_limits.UPLOAD_MAX_CELLS``; by default ``sheet_limits.MAX_CELLS``).

    Raises ``InventoryReadError`` (unreadable file) or ``LayoutError`` (no inventory columns);
    invalid cells do not raise: they are in ``errors`` and in each row's ``errors`` column.
    """
    prepare_batch_program(kb)  # built while the file is opened and its first chunks read
    inventory = open_inventory(source, kind, max_cells=max_cells)
    layout = read_layout(inventory.columns, kb)
    result = BatchResult(kb.version, kb.hash, format=layout.format, unread_columns=layout.unread)
    chunks = _whole_systems(inventory.chunks(chunk_rows), layout.system_id)
    if output is None:
        tables = [t for t, _ in _assess_chunks(kb, layout, chunks, lang, result, inventory.total_rows, progress)]
        result.table = pl.concat(tables, how="vertical_relaxed") if tables else None
        return result
    result.output = Path(output)
    # Chunk k is written on another thread while chunk k+1 is assessed (polars and numpy
    # release the GIL); at most two chunks are in memory at once.
    with result_writer(result.output, inventory.total_rows) as writer, ThreadPoolExecutor(1) as background:
        pending: Future[None] | None = None
        for table, trusted in _assess_chunks(kb, layout, chunks, lang, result, inventory.total_rows, progress):
            if pending is not None:
                pending.result()
            pending = background.submit(writer.write, table, trusted)
        if pending is not None:
            pending.result()
    return result


def assess_table(
    table: pl.DataFrame | pa.Table | pa.RecordBatch, *, kb: KnowledgeBase, lang: Lang = "fr"
) -> pl.DataFrame:
    """The results of an in-memory batch holding whole systems: a pure function of its input.

    This is the unit to map over Dask or Spark partitions (see docs/batch.md).
    """
    assessed = assess_frame(table, kb=kb, lang=lang).table
    return assessed if assessed is not None else pl.DataFrame()


def assess_frame(
    table: pl.DataFrame | pa.Table | pa.RecordBatch, *, kb: KnowledgeBase, lang: Lang = "fr"
) -> BatchResult:
    """Like ``assess_inventory`` on a table already in memory (rows numbered from 1)."""
    frame = table if isinstance(table, pl.DataFrame) else pl.DataFrame(pl.from_arrow(table))
    layout = read_layout(frame.columns, kb)
    result = BatchResult(kb.version, kb.hash, format=layout.format, unread_columns=layout.unread)
    numbered = [frame.with_row_index(ROW_INDEX, offset=1)]
    result.table = next(_assess_chunks(kb, layout, numbered, lang, result, frame.height, None))[0]
    return result


def _assess_chunks(
    kb: KnowledgeBase,
    layout: Layout,
    chunks: Iterable[pl.DataFrame],
    lang: Lang,
    result: BatchResult,
    total: int | None,
    progress: Progress | None,
) -> Iterator[tuple[pl.DataFrame, frozenset[str]]]:
    program = batch_program(kb)
    done = 0
    seen = _SeenSystems(layout.system_id, result)
    for chunk in chunks:
        seen.check(chunk)
        assessed = assess_chunk(program, layout, chunk, lang=lang)
        result.summary.add(assessed.summary)
        result.error_count += assessed.error_count
        result.errors.extend(assessed.errors[: max(0, MAX_REPORTED_ERRORS - len(result.errors))])
        done += chunk.height
        if progress is not None:
            progress(done, total)
        yield assessed.table.drop(ROW_INDEX), assessed.trusted


class _SeenSystems:
    """The systems of earlier chunks, as 64-bit hashes: 8 bytes per system, whatever its id."""

    def __init__(self, system_id: str, result: BatchResult) -> None:
        self.system_id = system_id
        self.result = result
        self.hashes = pl.Series(dtype=pl.UInt64)

    def check(self, chunk: pl.DataFrame) -> None:
        hashes = chunk.get_column(self.system_id).cast(pl.String).hash(seed=20261128)
        if self.hashes.len():
            back = hashes.is_in(self.hashes.implode())
            if back.any():
                firsts = chunk.filter(back).unique(subset=self.system_id, keep="first", maintain_order=True)
                self.result.split_system_count += firsts.height
                room = SHOWN_SPLIT_SYSTEMS - len(self.result.split_systems)
                self.result.split_systems += [
                    (str(system), int(row))
                    for system, row in firsts.select(self.system_id, ROW_INDEX).head(max(room, 0)).iter_rows()
                ]
        self.hashes = pl.concat([self.hashes, hashes.unique()])


def _whole_systems(chunks: Iterable[pl.DataFrame], system_id: str) -> Iterator[pl.DataFrame]:
    """Re-cut chunks so that no system's run of consecutive rows is split between two.

    A chunk is held until the next one arrives: then the rows of its last system move to the
    next chunk. The last chunk goes whole, so a file of one chunk is assessed in one piece.
    """
    pending: pl.DataFrame | None = None
    for chunk in chunks:
        if pending is not None:
            head, tail = _cut_before_last_system(pending, system_id)
            if head.height:
                yield head
            chunk = pl.concat([tail, chunk], how="vertical_relaxed", rechunk=False)
        pending = chunk
    if pending is not None and pending.height:
        yield pending


def _cut_before_last_system(chunk: pl.DataFrame, system_id: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    if chunk.height == 0:
        return chunk, chunk
    ids = chunk.get_column(system_id).cast(pl.String)
    different = (ids != ids[-1]).fill_null(True).to_numpy()
    different[-1] = False
    cut = int(np.flatnonzero(different)[-1]) + 1 if different.any() else 0
    return chunk.slice(0, cut), chunk.slice(cut)
