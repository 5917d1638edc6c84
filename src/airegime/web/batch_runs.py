"""Inventories uploaded to the batch page, kept in memory for the browser that sent them.

An inventory is assessed by the batch library; the web app keeps the uploaded bytes (so results
can be downloaded, or shown again in another language) and the results per language. Nothing
goes to the database: the runs live until the server stops, the oldest dropped beyond ``KEEP``.
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
from airegime.web.downloads import safe_filename

KEEP = 20  # runs kept in memory at once
BUDGET_BYTES = 300_000_000  # and their uploads plus results within this (a 5 MB CSV gives ~30 MB of results)


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
    """The last runs (at most ``keep``, within ``budget`` bytes, the newest always kept), by
    unguessable token; safe to use from the server's threads."""

    def __init__(self, keep: int = KEEP, budget: int = BUDGET_BYTES) -> None:
        self.keep = keep
        self.budget = budget
        self._runs: OrderedDict[str, BatchRun] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, *, owner: str, filename: str, data: bytes, lang: Lang, result: BatchResult) -> str:
        token = secrets.token_urlsafe(18)
        with self._lock:
            self._runs[token] = BatchRun(token, owner, filename, data, {lang: result})
            while len(self._runs) > 1 and (
                len(self._runs) > self.keep or sum(r.size for r in self._runs.values()) > self.budget
            ):
                self._runs.popitem(last=False)
        return token

    def get(self, token: str, owner: str) -> BatchRun | None:
        with self._lock:
            run = self._runs.get(token)
        if run is None or not secrets.compare_digest(run.owner, owner):
            return None
        return run

    def __len__(self) -> int:
        return len(self._runs)
