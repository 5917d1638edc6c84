"""Inventories uploaded to the batch page, in the database: every server process sees them,
and they outlive a restart. Results are not stored: the batch library recomputes them from the
upload (the web app keeps them in memory while it can).

Each upload is reached by an unguessable token and shown only to its owner (the browser, person
and organisation that sent it); both are stored as SHA-256 digests. An organisation keeps its
``KEEP`` newest uploads; older ones are deleted when a new one arrives.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine, delete, select

from airegime.storage.audit import write_audit
from airegime.storage.database import sessions
from airegime.storage.models import BatchUploadRow, digest, now

KEEP = 20  # per organisation


@dataclass(frozen=True, slots=True)
class BatchUpload:
    token: str
    filename: str
    data: bytes


class BatchUploads:
    def __init__(self, engine: Engine, *, keep: int = KEEP) -> None:
        self.keep = keep
        self._reads, self._sessions = sessions(engine)

    def add(
        self, *, owner: str, organisation_id: int, actor: str, address: str, filename: str, data: bytes, rows: int
    ) -> str:
        """Keep an upload (``rows``: how many systems it held, for the audit log); returns its token."""
        token = secrets.token_urlsafe(18)
        with self._sessions.begin() as session:
            session.add(
                BatchUploadRow(
                    token_hash=digest(token),
                    owner_hash=digest(owner),
                    organisation_id=organisation_id,
                    filename=filename,
                    data=data,
                    created_at=now(),
                )
            )
            session.flush()
            kept = (
                select(BatchUploadRow.id)
                .where(BatchUploadRow.organisation_id == organisation_id)
                .order_by(BatchUploadRow.id.desc())
                .limit(self.keep)
                .scalar_subquery()
            )
            session.execute(
                delete(BatchUploadRow).where(
                    BatchUploadRow.organisation_id == organisation_id, BatchUploadRow.id.not_in(kept)
                )
            )
            write_audit(
                session,
                organisation_id=organisation_id,
                actor=actor,
                action="batch.uploaded",
                target=filename,
                detail=f"{rows} rows",
                address=address,
            )
        return token

    def holds(self, token: str, owner: str) -> bool:
        """Whether the upload is still kept and belongs to ``owner`` (without reading its bytes)."""
        query = select(BatchUploadRow.owner_hash).where(BatchUploadRow.token_hash == digest(token))
        with self._reads() as session:
            owner_hash = session.scalar(query)
        return owner_hash is not None and hmac.compare_digest(owner_hash, digest(owner))

    def get(self, token: str, owner: str) -> BatchUpload | None:
        """The upload, or None when it is gone or belongs to someone else (the same answer for both)."""
        with self._reads() as session:
            row = session.scalar(select(BatchUploadRow).where(BatchUploadRow.token_hash == digest(token)))
        if row is None or not hmac.compare_digest(row.owner_hash, digest(owner)):
            return None
        return BatchUpload(token, row.filename, row.data)
