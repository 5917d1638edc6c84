"""What the storage tests share besides fixtures: a database's rows, an export's lines, an old export."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, select

from airegime.storage import transfer
from airegime.storage.models import Base


def contents(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, by primary key; SQLite's naive times read as the UTC they are."""
    with engine.connect() as connection:
        return {
            table.name: [
                tuple(v.replace(tzinfo=UTC) if isinstance(v, datetime) and v.tzinfo is None else v for v in row)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
        }


def row_lines(path: Path) -> list[bytes]:
    with gzip.open(path) as lines:
        return lines.read().splitlines()[1:]


def export_as_is(engine: Engine, path: Path, revision: str) -> None:
    """The file ``airegime db export`` of the version at ``revision`` writes for this database: its
    tables and columns as they are (reflected), in the same format."""
    metadata = MetaData()
    metadata.reflect(engine)
    tables = [t for t in metadata.sorted_tables if t.name != "alembic_version"]
    lines = []
    with engine.connect() as connection:
        rows = {t.name: connection.execute(select(t).order_by(*t.primary_key.columns)).all() for t in tables}
    header = {
        "format": transfer.FORMAT,
        "format_version": transfer.FORMAT_VERSION,
        "alembic_revision": revision,
        "airegime_version": "2026.11",
        "exported_at": "2026-11-30T00:00:00+00:00",
        "source": engine.dialect.name,
        "tables": [{"name": t.name, "rows": len(rows[t.name]), "columns": [c.name for c in t.columns]} for t in tables],
    }
    lines.append(json.dumps(header))
    for t in tables:
        for row in rows[t.name]:
            values = {c.name: _plain(v) for c, v in zip(t.columns, row, strict=True)}
            lines.append(json.dumps({"table": t.name, "row": values}))
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    return value
