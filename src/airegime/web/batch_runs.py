"""Inventories uploaded to the batch page and their results, for the members of the organisation
that sent them (the uploader's browser and person count for the quotas only).

An upload is parsed once: the inventory as read (its rows numbered as in the file) is kept in
the database as a compact Parquet table (``storage.batch_uploads``), never the spreadsheet, so
every server process can show it, assess it in another language or export it without the
spreadsheet reader (whose memory is the costly part). Each process keeps the results of the
latest runs in memory, computed once per language and compressed (``KeptResult``): a page
reads the columns its filters need and the rows it shows, a download writes the kept results
a batch at a time; nothing is assessed or parsed again.

Memory: at most ``KEEP`` runs, ``KEEP_PER_OWNER`` of one owner, within ``BUDGET_BYTES`` as held;
an owner's new upload evicts that owner's oldest runs first. A run evicted from memory is
assessed again from its table, never re-parsed. ``benchmarks/bench_batch_server.py`` measures
the server's resident memory over repeated uploads.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import io
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl
import pyarrow as pa

from airegime.batch import BatchResult, assess_inventory
from airegime.batch.io import NUMBERED, read_whole, result_writer
from airegime.batch.sheet_limits import UPLOAD_MAX_CELLS
from airegime.errors import InventoryReadError
from airegime.kb import KnowledgeBase, Lang
from airegime.storage.accounts import Principal
from airegime.storage.batch_uploads import BatchUploads
from airegime.web.downloads import safe_filename

KEEP = 20  # runs whose results a process keeps in memory at once
KEEP_PER_OWNER = 5  # of which one owner's (browser, person, organisation)
BUDGET_BYTES = 100_000_000  # their tables and compressed results, as held
KEPT_BATCH_ROWS = 1_000  # rows per record batch of kept results (a page reads the batches it shows)
KEPT_OVERHEAD = 200_000  # the counts and the first invalid cells kept beside a results table


@dataclass
class KeptResult:
    """Results computed once and kept compact: the counts and invalid cells as they are, the
    table as compressed Arrow (about 3 MB for 44,000 rows, where the live table takes ~40 MB),
    in record batches of ``KEPT_BATCH_ROWS`` rows: a page reads the few columns its filters need
    and the batches holding its rows; a download writes one batch at a time."""

    result: BatchResult  # without its table
    table: bytes  # an Arrow IPC file
    height: int

    @classmethod
    def of(cls, result: BatchResult) -> KeptResult:
        frame = result.table if result.table is not None else pl.DataFrame()
        arrow = frame.to_arrow()
        sink = pa.BufferOutputStream()
        with pa.ipc.new_file(sink, arrow.schema, options=pa.ipc.IpcWriteOptions(compression="zstd")) as writer:
            writer.write_table(arrow, max_chunksize=KEPT_BATCH_ROWS)
        return cls(replace(result, table=None), sink.getvalue().to_pybytes(), frame.height)

    def columns(self, names: Sequence[str]) -> pl.DataFrame:
        """Only these columns (the others are not even decompressed)."""
        return pl.read_ipc(io.BytesIO(self.table), columns=list(names))

    def rows(self, positions: Sequence[int]) -> pl.DataFrame:
        """The rows at these positions, in this order, read from the batches that hold them."""
        reader = pa.ipc.open_file(pa.py_buffer(self.table))
        parts, wanted = [], sorted(set(positions))
        for number in sorted({position // KEPT_BATCH_ROWS for position in wanted}):
            batch = _frame(reader.get_batch(number))
            offsets = [p - number * KEPT_BATCH_ROWS for p in wanted if p // KEPT_BATCH_ROWS == number]
            parts.append(batch.with_row_index("__position", offset=number * KEPT_BATCH_ROWS)[offsets])
        if not parts:
            return _frame(reader.schema.empty_table())
        found = pl.concat(parts, how="vertical_relaxed")
        order = pl.DataFrame({"__position": pl.Series(positions, dtype=found.schema["__position"])})
        return order.join(found, on="__position", how="left", maintain_order="left").drop("__position")

    def chunks(self) -> Iterator[pl.DataFrame]:
        reader = pa.ipc.open_file(pa.py_buffer(self.table))
        for number in range(reader.num_record_batches):
            yield _frame(reader.get_batch(number))

    def full(self) -> BatchResult:
        """The results with their whole table (for a caller that needs it: the page does not)."""
        return replace(self.result, table=pl.read_ipc(io.BytesIO(self.table)))


def _frame(arrow: pa.RecordBatch | pa.Table) -> pl.DataFrame:
    frame = pl.from_arrow(arrow)
    assert isinstance(frame, pl.DataFrame)
    return frame


@dataclass
class BatchRun:
    token: str
    owner: str  # the browser (its CSRF token), the person and the organisation that uploaded it (for quotas)
    organisation_id: int  # whose members see it
    filename: str
    table: bytes  # the inventory as read (Parquet, rows numbered as in the file)
    results: dict[Lang, KeptResult] = field(default_factory=dict)

    @property
    def size(self) -> int:
        """Bytes held: the table and the kept results."""
        return len(self.table) + sum(len(kept.table) + KEPT_OVERHEAD for kept in self.results.values())

    def kept(self, kb: KnowledgeBase, lang: Lang) -> KeptResult:
        """The results in ``lang``, computed once (from the table read at upload: words differ by language)."""
        if lang not in self.results:
            try:
                self.results[lang] = KeptResult.of(assess_table(kb, self.table, lang))
            finally:
                release_memory()
        return self.results[lang]

    def result(self, kb: KnowledgeBase, lang: Lang) -> BatchResult:
        """The results in ``lang`` with their whole table."""
        return self.kept(kb, lang).full()

    def export(self, kb: KnowledgeBase, lang: Lang, fmt: str) -> bytes:
        """The kept results as a .csv or .xlsx file, a batch at a time (the library's writers
        neutralise formulas)."""
        kept = self.kept(kb, lang)
        try:
            with tempfile.TemporaryDirectory(prefix="airegime-batch-") as folder:
                output = Path(folder) / f"results.{fmt}"
                with result_writer(output, kept.height) as writer:
                    for chunk in kept.chunks():
                        writer.write(chunk)
                return output.read_bytes()
        finally:
            release_memory()


def upload_name(filename: str) -> str:
    """The upload's name made safe for a file of our own (the library's messages name the file)."""
    path = Path(filename)
    return safe_filename(path.stem, "inventory") + path.suffix.lower()


def read_upload(data: bytes, filename: str) -> bytes:
    """Parse uploaded bytes once, within the upload limits: the inventory as read, as Parquet.

    Raises the library's ``InventoryReadError`` when they are no table.
    """
    with tempfile.TemporaryDirectory(prefix="airegime-batch-") as folder:
        source = Path(folder) / upload_name(filename)
        source.write_bytes(data)
        frame = read_whole(source, max_cells=UPLOAD_MAX_CELLS)
    buffer = io.BytesIO()
    frame.write_parquet(buffer, compression="zstd")
    return buffer.getvalue()


def assess_table(kb: KnowledgeBase, table: bytes, lang: Lang) -> BatchResult:
    """Assess an inventory read by ``read_upload`` (raises ``LayoutError`` when it has no inventory columns)."""
    with tempfile.TemporaryDirectory(prefix="airegime-batch-") as folder:
        source = Path(folder) / "inventory.parquet"
        source.write_bytes(table)
        return assess_inventory(kb=kb, source=source, kind=NUMBERED, lang=lang)


def assess_upload(kb: KnowledgeBase, data: bytes, filename: str, lang: Lang) -> tuple[bytes, BatchResult]:
    """Parse uploaded bytes once and assess them: (the table to keep, the results in ``lang``).

    Raises the library's ``InventoryReadError`` or ``LayoutError`` when they are no inventory.
    """
    table = read_upload(data, filename)
    try:
        return table, assess_table(kb, table, lang)
    finally:
        release_memory()


def release_memory() -> None:
    """Give the memory a parse freed back to the system (glibc keeps it otherwise, per thread)."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        library = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return library if library is not None and hasattr(library, "malloc_trim") else None


_LIBC = _libc()


class BatchRuns:
    """Uploads kept in the database, with the results of the latest (at most ``keep``, of which
    ``keep_per_owner`` of one owner, within ``budget`` bytes, the newest always kept) cached in
    this process; safe to use from its threads."""

    def __init__(
        self, uploads: BatchUploads, keep: int = KEEP, budget: int = BUDGET_BYTES, keep_per_owner: int = KEEP_PER_OWNER
    ) -> None:
        self.uploads = uploads
        self.keep = keep
        self.keep_per_owner = keep_per_owner
        self.budget = budget
        self._runs: OrderedDict[str, BatchRun] = OrderedDict()
        self._lock = threading.Lock()

    def add(
        self, *, owner: str, by: Principal, address: str, filename: str, table: bytes, lang: Lang, result: BatchResult
    ) -> str:
        """Store an assessed upload (``table``: as ``read_upload`` gives it; logged as ``by``'s); returns its token."""
        rows = result.table.height if result.table is not None else 0
        token = self.uploads.add(
            owner=owner,
            organisation_id=by.organisation_id,
            actor=by.username,
            address=address,
            filename=filename,
            table=table,
            rows=rows,
        )
        run = BatchRun(token, owner, by.organisation_id, filename, table, {lang: KeptResult.of(result)})
        self._keep(run)
        return token

    def get(self, token: str, organisation_id: int, *, owner: str = "") -> BatchRun | None:
        """The run, if it is still kept and the organisation's (read from the database when not in
        memory; ``owner``: who asks, for the per-owner count of runs kept in memory)."""
        with self._lock:
            run = self._runs.get(token)
            if run is not None:
                self._runs.move_to_end(token)
        if run is not None and run.organisation_id == organisation_id:
            if self.uploads.holds(token, organisation_id):  # not deleted since (another process may have)
                return run
            with self._lock:
                self._runs.pop(token, None)
            return None
        if run is not None:
            return None  # another organisation's: as good as unknown
        upload = self.uploads.get(token, organisation_id)
        if upload is None:
            return None
        try:  # a row from before tables were kept: parsed this once (within the upload limits)
            table = upload.table if upload.table is not None else read_upload(upload.data, upload.filename)
        except InventoryReadError:
            return None
        return self._keep(BatchRun(token, owner, organisation_id, upload.filename, table))

    def _keep(self, run: BatchRun) -> BatchRun:
        with self._lock:
            self._runs[run.token] = run
            self._runs.move_to_end(run.token)
            own = [token for token, kept in self._runs.items() if kept.owner == run.owner]
            for token in own[: max(0, len(own) - self.keep_per_owner)]:
                del self._runs[token]  # an owner's uploads evict that owner's first
            while len(self._runs) > 1 and (
                len(self._runs) > self.keep or sum(r.size for r in self._runs.values()) > self.budget
            ):
                self._runs.popitem(last=False)
        release_memory()
        return run

    def __len__(self) -> int:
        return len(self._runs)

    def owners(self) -> dict[str, int]:
        """Runs in memory per owner (for tests)."""
        counts: dict[str, int] = {}
        for run in list(self._runs.values()):
            counts[run.owner] = counts.get(run.owner, 0) + 1
        return counts
