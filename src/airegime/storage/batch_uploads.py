"""Inventories uploaded to the batch page, in the database: every server process sees them,
and they outlive a restart. What is kept is the inventory as read at upload (a Parquet table,
rows numbered as in the file), so it is never parsed again; results are recomputed from it
(the web app keeps them in memory while it can). Rows stored before this kept the raw upload.

Each upload is reached by an unguessable token, and shown to any member of the organisation that
sent it (a link to its results works in a colleague's browser); to anyone else the token is as
good as unknown. The owner (the browser and person that sent it) counts only for the quotas;
token and owner are stored as SHA-256 digests. Quotas: an owner keeps its
``KEEP_PER_OWNER`` newest uploads (a new one deletes only that owner's oldest, never a
colleague's); an organisation holds at most ``MAX_PER_ORGANISATION``, beyond which a new upload
is refused (``QuotaExceeded``) until older ones expire (``RETENTION``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, delete, func, select

from airegime.errors import QuotaExceeded
from airegime.storage.audit import write_audit
from airegime.storage.database import sessions
from airegime.storage.models import BatchUploadRow, digest, now

KEEP_PER_OWNER = 20
MAX_PER_ORGANISATION = 500
RETENTION = timedelta(days=30)
TABLE_MARK = b"airegime-inventory-table/1\x00"  # before the Parquet table (a raw upload never starts so)


@dataclass(frozen=True, slots=True)
class BatchUpload:
    token: str
    filename: str
    data: bytes  # the raw upload, for rows stored before tables were kept (else empty)
    table: bytes | None  # the inventory as read (Parquet)


class BatchUploads:
    def __init__(
        self,
        engine: Engine,
        *,
        keep: int = KEEP_PER_OWNER,
        organisation_limit: int = MAX_PER_ORGANISATION,
        retention: timedelta = RETENTION,
    ) -> None:
        self.keep = keep
        self.organisation_limit = organisation_limit
        self.retention = retention
        self._reads, self._sessions = sessions(engine)

    def add(
        self, *, owner: str, organisation_id: int, actor: str, address: str, filename: str, table: bytes, rows: int
    ) -> str:
        """Keep an upload's table (``rows``: how many systems it held, for the audit log); returns its token.

        Deletes the owner's uploads beyond its quota and every upload past the retention; raises
        ``QuotaExceeded`` when the organisation holds its most uploads still.
        """
        token = secrets.token_urlsafe(18)
        owner_hash = digest(owner)
        with self._sessions.begin() as session:
            session.execute(
                delete(BatchUploadRow).where(
                    BatchUploadRow.organisation_id == organisation_id,
                    BatchUploadRow.created_at < now() - self.retention,
                )
            )
            own = (
                select(BatchUploadRow.id)
                .where(BatchUploadRow.organisation_id == organisation_id, BatchUploadRow.owner_hash == owner_hash)
                .order_by(BatchUploadRow.id.desc())
                .offset(self.keep - 1)
                .scalar_subquery()
            )
            session.execute(  # room for the new one among the owner's own
                delete(BatchUploadRow).where(
                    BatchUploadRow.organisation_id == organisation_id,
                    BatchUploadRow.owner_hash == owner_hash,
                    BatchUploadRow.id.in_(own),
                )
            )
            held = session.scalar(
                select(func.count())
                .select_from(BatchUploadRow)
                .where(BatchUploadRow.organisation_id == organisation_id)
            )
            if (held or 0) >= self.organisation_limit:
                raise QuotaExceeded(self.organisation_limit)
            session.add(
                BatchUploadRow(
                    token_hash=digest(token),
                    owner_hash=owner_hash,
                    organisation_id=organisation_id,
                    filename=filename,
                    data=TABLE_MARK + table,
                    created_at=now(),
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

    def holds(self, token: str, organisation_id: int) -> bool:
        """Whether the upload is still kept and belongs to the organisation (without reading its bytes)."""
        query = select(BatchUploadRow.id).where(
            BatchUploadRow.token_hash == digest(token), BatchUploadRow.organisation_id == organisation_id
        )
        with self._reads() as session:
            return session.scalar(query) is not None

    def get(self, token: str, organisation_id: int) -> BatchUpload | None:
        """The upload, or None when it is gone or belongs to another organisation (the same answer for both).

        The token is looked up by its digest (an index lookup: nothing compares the token itself)."""
        query = select(BatchUploadRow).where(
            BatchUploadRow.token_hash == digest(token), BatchUploadRow.organisation_id == organisation_id
        )
        with self._reads() as session:
            row = session.scalar(query)
        if row is None:
            return None
        if row.data.startswith(TABLE_MARK):
            return BatchUpload(token, row.filename, b"", row.data[len(TABLE_MARK) :])
        return BatchUpload(token, row.filename, row.data, None)
