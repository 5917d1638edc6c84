"""Inventories uploaded to the batch page and their results, for the browser that sent them.

An inventory is assessed by the batch library. The uploaded bytes go to the database
(``storage.batch_uploads``), so every server process can show, re-assess in another language,
or export them; each process keeps the results of the latest runs in memory (``KEEP`` runs
within ``BUDGET_BYTES``) and recomputes them from the upload when they are not there.
"""

from __future__ import annotations

import secrets
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from airegime.batch import BatchResult, assess_inventory
from airegime.kb import KnowledgeBase, Lang
from airegime.storage.accounts import Principal
from airegime.storage.batch_uploads import BatchUploads
from airegime.web.downloads import safe_filename

KEEP = 20  # runs whose results a process keeps in memory at once
BUDGET_BYTES = 300_000_000  # with their uploads, within this (a 5 MB CSV gives ~30 MB of results)


@dataclass
class BatchRun:
    token: str
    owner: str  # the browser (its CSRF token), the person and the organisation that uploaded it
    filename: str
    data: bytes
    results: dict[Lang, BatchResult] = field(default_factory=dict)

    @property
    def size(self) -> int:
        """Bytes held: the upload and the results tables."""
        tables = (int(r.table.estimated_size()) for r in self.results.values() if r.table is not None)
        return len(self.data) + sum(tables)

    def result(self, kb: KnowledgeBase, lang: Lang) -> BatchResult:
        """The results in ``lang`` (assessed again on first use in another language: words differ)."""
        if lang not in self.results:
            self.results[lang] = assess_upload(kb, self.data, self.filename, lang)
        return self.results[lang]

    def export(self, kb: KnowledgeBase, lang: Lang, fmt: str) -> bytes:
        """The results as a .csv or .xlsx file written by the batch library (formulas neutralised there)."""
        with tempfile.TemporaryDirectory(prefix="airegime-batch-") as folder:
            source = Path(folder) / upload_name(self.filename)
            source.write_bytes(self.data)
            output = Path(folder) / f"results.{fmt}"
            assess_inventory(kb=kb, source=source, output=output, lang=lang)
            return output.read_bytes()


def upload_name(filename: str) -> str:
    """The upload's name made safe for a file of our own (the library's messages name the file)."""
    path = Path(filename)
    return safe_filename(path.stem, "inventory") + path.suffix.lower()


def assess_upload(kb: KnowledgeBase, data: bytes, filename: str, lang: Lang) -> BatchResult:
    """Assess uploaded bytes (the library reads files: they go to a private temporary folder, then away).

    Raises the library's ``InventoryReadError`` or ``LayoutError`` when they are no inventory.
    """
    with tempfile.TemporaryDirectory(prefix="airegime-batch-") as folder:
        source = Path(folder) / upload_name(filename)
        source.write_bytes(data)
        return assess_inventory(kb=kb, source=source, lang=lang)


class BatchRuns:
    """Uploads kept in the database, with the results of the latest (at most ``keep``, within
    ``budget`` bytes, the newest always kept) cached in this process; safe to use from its threads."""

    def __init__(self, uploads: BatchUploads, keep: int = KEEP, budget: int = BUDGET_BYTES) -> None:
        self.uploads = uploads
        self.keep = keep
        self.budget = budget
        self._runs: OrderedDict[str, BatchRun] = OrderedDict()
        self._lock = threading.Lock()

    def add(
        self, *, owner: str, by: Principal, address: str, filename: str, data: bytes, lang: Lang, result: BatchResult
    ) -> str:
        """Store an assessed upload (logged as ``by``'s); returns the token that reaches it."""
        rows = result.table.height if result.table is not None else 0
        token = self.uploads.add(
            owner=owner,
            organisation_id=by.organisation_id,
            actor=by.username,
            address=address,
            filename=filename,
            data=data,
            rows=rows,
        )
        self._keep(BatchRun(token, owner, filename, data, {lang: result}))
        return token

    def get(self, token: str, owner: str) -> BatchRun | None:
        """The run, if it is still kept and ``owner``'s (read from the database when not in memory)."""
        with self._lock:
            run = self._runs.get(token)
        if run is not None and secrets.compare_digest(run.owner, owner):
            if self.uploads.holds(token, owner):  # not deleted since (another process may have)
                return run
            with self._lock:
                self._runs.pop(token, None)
            return None
        upload = self.uploads.get(token, owner)
        if upload is None:
            return None
        return self._keep(BatchRun(token, owner, upload.filename, upload.data))

    def _keep(self, run: BatchRun) -> BatchRun:
        with self._lock:
            self._runs[run.token] = run
            while len(self._runs) > 1 and (
                len(self._runs) > self.keep or sum(r.size for r in self._runs.values()) > self.budget
            ):
                self._runs.popitem(last=False)
        return run

    def __len__(self) -> int:
        return len(self._runs)
