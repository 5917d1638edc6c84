"""POST /batch: an inventory file in (CSV, Excel, OpenDocument, JSON Lines, Parquet), every row
assessed, the results out as JSON or as a file. Nothing is saved; the upload is size-limited."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, File, Query, Response, UploadFile

from airegime.api.deps import StrictJsonRoute
from airegime.api.models import BatchCellError, BatchOut, BatchSummaryOut, BatchUnreadColumn, ErrorBody, RuleSetOut
from airegime.batch.io import READ_FORMATS
from airegime.edge.deps import ApiLangDep, KbDep
from airegime.errors import ApiError, msg
from airegime.kb import Lang

if TYPE_CHECKING:
    from airegime.batch.inventory import BatchResult

router = APIRouter(tags=["batch"], route_class=StrictJsonRoute)
OutputFormat = Literal["json", "csv", "xlsx", "jsonl", "parquet"]
FILE_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jsonl": "application/x-ndjson",
    "parquet": "application/vnd.apache.parquet",
}
BATCH_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The results: JSON by default, or a file (output=csv, xlsx, jsonl, parquet).",
        "content": {t.split(";")[0]: {"schema": {"type": "string", "format": "binary"}} for t in FILE_TYPES.values()},
    },
    422: {"model": ErrorBody, "description": "The file cannot be read as an inventory (where: file)."},
}


@router.post("/batch", response_model=BatchOut, responses=BATCH_RESPONSES)
def batch(
    file: Annotated[UploadFile, File(description="the inventory; its name's extension says its format")],
    kb: KbDep,
    language: ApiLangDep,
    output: Annotated[OutputFormat, Query(description="json, or a results file format")] = "json",
) -> Any:
    """Assess every row of an inventory (one row per deployment, see `airegime batch --template`)."""
    from airegime.batch.inventory import assess_inventory
    from airegime.batch.sheet_limits import UPLOAD_MAX_CELLS
    from airegime.errors import InventoryReadError, LayoutError

    suffix = Path(file.filename or "").suffix.lower()
    if suffix not in READ_FORMATS:
        raise ApiError(
            422,
            "unreadable_inventory",
            msg("error.inventory.format", name=suffix) if suffix else msg("error.inventory.no_extension"),
            where="file",
            hint=msg("error.api.inventory_format.hint"),
        )
    with tempfile.TemporaryDirectory(prefix="airegime-batch-") as folder:
        source = Path(folder) / f"inventory{suffix}"
        with source.open("wb") as copy:
            while chunk := file.file.read(1 << 20):
                copy.write(chunk)
        target = None if output == "json" else Path(folder) / f"results.{output}"
        try:
            # A spreadsheet's extent and inflated size are checked before any reader allocates it.
            result = assess_inventory(kb=kb, source=source, output=target, lang=language, max_cells=UPLOAD_MAX_CELLS)
        except (InventoryReadError, LayoutError) as error:
            raise ApiError(422, "unreadable_inventory", error.said, where="file", hint=error.advice) from None
        if target is None:
            return _json_results(result, language)
        return Response(
            target.read_bytes(),
            media_type=FILE_TYPES[output],
            headers={"Content-Disposition": f'attachment; filename="airegime-results.{output}"'},
        )


def _json_results(result: BatchResult, lang: Lang) -> BatchOut:
    summary = result.summary
    rows = _as_text(result.table).to_dicts() if result.table is not None else []
    return BatchOut(
        rule_set=RuleSetOut(version=result.rule_set_version, hash=result.rule_set_hash),
        valid=result.valid,
        summary=BatchSummaryOut(
            rows=summary.rows,
            systems=summary.systems,
            invalid_rows=summary.invalid_rows,
            outcomes={phase: dict(counts) for phase, counts in summary.outcomes.items()},
            statuses={phase: dict(counts) for phase, counts in summary.statuses.items()},
        ),
        error_count=result.error_count,
        errors=[BatchCellError(row=e.row, column=e.column, value=e.value, expected=e.expected) for e in result.errors],
        unread_columns=[
            BatchUnreadColumn(column=c.name, suggestions=list(c.suggestions), message=c.message().text(lang))
            for c in result.unread_columns
        ],
        rows=rows,
    )


def _as_text(table: Any) -> Any:
    """Columns carried through from the file as text: a float NaN, raw bytes or a nested value have
    no JSON form of their own."""
    import polars as pl

    kept = (pl.String, pl.Boolean, pl.Null)
    columns = []
    for name, kind in table.schema.items():
        if kind in kept:
            continue
        column = table.get_column(name)
        if kind == pl.Binary:
            columns.append(column.bin.encode("base64"))
            continue
        try:
            columns.append(column.cast(pl.String, strict=False))
        except pl.exceptions.PolarsError:  # nested types: lists, structs
            columns.append(pl.Series(name, [None if v is None else str(v) for v in column.to_list()], pl.String))
    return table.with_columns(columns)
