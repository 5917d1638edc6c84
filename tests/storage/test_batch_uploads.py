"""Uploaded inventories in the database: reached by token, by their organisation only, the newest
``keep`` per owner kept (one owner's uploads never delete another's), each upload logged; on
SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select

from airegime.kb import KnowledgeBase
from airegime.storage import Repository
from airegime.storage.audit import AuditLog
from airegime.storage.batch_uploads import BatchUploads
from airegime.storage.models import DEFAULT_ORGANISATION_ID, BatchUploadRow, OrganisationRow, now


def stored(repo: Repository) -> int:
    with repo.engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(BatchUploadRow)) or 0)


def add(
    uploads: BatchUploads, *, owner: str = "me", organisation_id: int = DEFAULT_ORGANISATION_ID, data: bytes = b"a,b\n"
) -> str:
    return uploads.add(
        owner=owner,
        organisation_id=organisation_id,
        actor="alice",
        address="127.0.0.1",
        filename="i.csv",
        table=data,
        rows=3,
    )


def test_an_upload_comes_back_whole_to_its_organisation_only(database_url: str, kb: KnowledgeBase) -> None:
    repo = Repository.open(database_url, kb)
    uploads = BatchUploads(repo.engine)
    data = bytes(range(256)) * 1000  # any bytes: an xlsx or parquet upload is binary
    token = add(uploads, data=data)
    mine, other = DEFAULT_ORGANISATION_ID, DEFAULT_ORGANISATION_ID + 1
    found = uploads.get(token, mine)
    assert found is not None and found.table == data and found.filename == "i.csv" and found.token == token
    assert uploads.holds(token, mine)
    assert uploads.get(token, other) is None and not uploads.holds(token, other)
    assert uploads.get(token + "x", mine) is None and not uploads.holds("unknown-token-000", mine)
    with repo.engine.connect() as connection:  # neither the token nor the owner is stored as it is
        row = connection.execute(select(BatchUploadRow.token_hash, BatchUploadRow.owner_hash)).one()
    assert token not in row and "me" not in row and len(row.token_hash) == len(row.owner_hash) == 64
    repo.engine.dispose()


def test_an_organisation_keeps_its_newest_uploads_and_no_other_organisation_loses_any(
    database_url: str, kb: KnowledgeBase
) -> None:
    repo = Repository.open(database_url, kb)
    with repo.engine.begin() as connection:
        other = connection.execute(
            OrganisationRow.__table__.insert().values(name="other", created_at=now()).returning(OrganisationRow.id)
        ).scalar_one()
    uploads = BatchUploads(repo.engine, keep=3)
    theirs = add(uploads, organisation_id=other)
    colleague = add(uploads, owner="colleague")
    mine = [add(uploads) for _ in range(5)]
    here = DEFAULT_ORGANISATION_ID
    assert [uploads.holds(t, here) for t in mine] == [False, False, True, True, True]
    assert uploads.holds(theirs, other) and uploads.holds(colleague, here) and stored(repo) == 5
    assert not uploads.holds(theirs, here) and not uploads.holds(colleague, other)
    log = AuditLog(repo.engine)
    assert log.count(DEFAULT_ORGANISATION_ID) == 6 and log.count(other) == 1
    entry = log.page(DEFAULT_ORGANISATION_ID)[0]
    assert (entry.action, entry.actor, entry.target, entry.detail) == ("batch.uploaded", "alice", "i.csv", "3 rows")
    repo.engine.dispose()
