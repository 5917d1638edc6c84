"""The audit log: who did what, when, from where — written in the same transaction as the change.

Entries are only ever added. Names are copied into each entry (not referenced), so the log
still reads right after a person, an assessment or an organisation is gone.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Literal

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from airegime.cells import inert
from airegime.storage.models import AssessmentRow, AuditRow, as_utc, now

AuditFormat = Literal["csv", "jsonl"]
MEDIA_TYPES: dict[str, str] = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One entry of the audit log: when, who, what, on what, details, from which address."""

    at: datetime
    actor: str
    action: str
    target: str
    detail: str
    address: str


FIELDS = tuple(field.name for field in fields(AuditEntry))  # the export's columns


def write_audit(
    session: Session,
    organisation_id: int | None,
    actor: str,
    action: str,
    target: str = "",
    detail: str = "",
    *,
    address: str = "",
) -> None:
    entry = AuditRow(
        at=now(),
        organisation_id=organisation_id,
        actor=actor[:100],
        action=action[:40],
        target=target[:300],
        detail=detail[:2000],
        address=address[:64],
    )
    session.add(entry)  # flushed with the change it records, in the same transaction


def audit_assessment(
    session: Session, row: AssessmentRow, action: str, detail: str = "", *, actor: str, address: str = ""
) -> None:
    """An entry about an assessment, in its organisation's log, naming it as it is now."""
    write_audit(
        session,
        organisation_id=row.organisation_id,
        actor=actor,
        action=action,
        target=f"#{row.id} {row.name}",
        detail=detail,
        address=address,
    )


class AuditLog:
    """Reading one organisation's audit log (newest first), a page at a time or whole for export."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def count(self, organisation_id: int) -> int:
        with Session(self.engine) as session:
            query = select(func.count()).where(AuditRow.organisation_id == organisation_id)
            return session.scalar(query) or 0

    def page(self, organisation_id: int, *, page: int = 1, per_page: int = 50) -> tuple[AuditEntry, ...]:
        query = (
            select(AuditRow)
            .where(AuditRow.organisation_id == organisation_id)
            .order_by(AuditRow.id.desc())
            .limit(per_page)
            .offset((max(1, page) - 1) * per_page)
        )
        with Session(self.engine) as session:
            return tuple(_entry(row) for row in session.scalars(query))

    def entries(self, organisation_id: int) -> Iterator[AuditEntry]:
        """Every entry, oldest first, read in batches (the log can be long)."""
        query = select(AuditRow).where(AuditRow.organisation_id == organisation_id).order_by(AuditRow.id)
        with Session(self.engine) as session:
            for row in session.scalars(query.execution_options(yield_per=1000)):
                yield _entry(row)

    def export(self, organisation_id: int, fmt: AuditFormat, *, actor: str, address: str = "") -> Iterator[str]:
        """The whole log as CSV (spreadsheet-safe) or JSON Lines, a chunk at a time; the export is
        itself recorded first (so it is the export's last line)."""
        with Session(self.engine) as session, session.begin():
            write_audit(
                session,
                organisation_id=organisation_id,
                actor=actor,
                action="audit.exported",
                target=fmt,
                address=address,
            )
        return self._lines(organisation_id, fmt)

    def _lines(self, organisation_id: int, fmt: AuditFormat) -> Iterator[str]:
        if fmt == "csv":
            yield ",".join(FIELDS) + "\r\n"
        for entry in self.entries(organisation_id):
            values = {name: getattr(entry, name) for name in FIELDS}
            values["at"] = entry.at.isoformat()
            if fmt == "jsonl":
                yield json.dumps(values, ensure_ascii=False) + "\n"
            else:
                buffer = io.StringIO()
                csv.writer(buffer).writerow([inert(str(values[name])) for name in FIELDS])
                yield buffer.getvalue()


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(as_utc(row.at), row.actor, row.action, row.target, row.detail, row.address)
