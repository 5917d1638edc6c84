"""Every row of every table to one file, and back: ``airegime db export`` / ``airegime db import``.

The file is gzip'd JSON Lines (described in docs/database.md), one line each:

    {"format": "airegime-db", "format_version": 1, "alembic_revision": "0002", "airegime_version": "…",
     "exported_at": "2026-…+00:00", "source": "sqlite",
     "tables": [{"name": "organisations", "rows": 1, "columns": ["id", "name", "created_at"]}, …]}
    {"table": "organisations", "row": {"id": 1, "name": "default", "created_at": "2026-…+00:00"}}
    …                                  one line per row, table after table in the header's order

Tables and columns come from ``Base.metadata`` (referenced tables first), so a table added to
the models travels with no change here. Values are JSON's own; times are ISO 8601 in UTC, bytes
base64, decimals strings. Both directions read and write in batches; an import is one
transaction, so a refused or failed import leaves the database as it was.

Text goes through the one rule for stored text both ways (``airegime.text.cleaned``): control
characters that an older airegime let into a database are replaced by U+FFFD in the file (so
PostgreSQL, which refuses NUL, can import it), and in an older file as it is imported; both
say how many. The import reads a hostile file in bounded memory: a line longer than
``LINE_LIMIT`` or nested too deeply is refused, with its number; so is a value outside the
ones its column allows (``info["allowed"]`` in the models, e.g. a role).
"""

from __future__ import annotations

import base64
import gzip
import json
import uuid
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import cache
from io import BufferedIOBase
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, Table, func, select
from sqlalchemy.exc import DBAPIError

from airegime._version import __version__
from airegime.errors import Said, TransferError, msg, msg_plural
from airegime.files import replaced_when_done
from airegime.storage.database import MIGRATIONS, open_engine
from airegime.storage.developments import development_rows
from airegime.storage.format1 import upgrade_saved_answers
from airegime.storage.models import Base, as_utc
from airegime.text import cleaning

FORMAT = "airegime-db"
FORMAT_VERSION = 1
BATCH_ROWS = 1000
BATCH_BYTES = 16 << 20  # an import's batch goes in sooner if its lines add up to this: long rows, few at a time
HEADER_LIMIT = 1 << 20  # a header is a few kB: a longer first line is not an export
# The longest line read (or written): the largest rows are uploaded inventories (a 5 MB upload
# at most, kept as a Parquet table: under 15 MB in base64); a longer line is refused unread.
LINE_LIMIT = 32 << 20
GZIP_MAGIC = b"\x1f\x8b"

Progress = Callable[[str, int, int], None]
"""``progress(table, rows done, rows in the table)``, after each batch; once with 0 done for an empty table."""


@dataclass(frozen=True, slots=True)
class TransferSummary:
    path: Path
    alembic_revision: str
    tables: dict[str, int]  # rows per table, in the file's order
    replaced: int = 0  # rows the import deleted first (with replace=True)
    cleaned: Cleaned = field(default_factory=lambda: Cleaned())  # control characters replaced on the way

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


@dataclass(slots=True)
class Cleaned:
    """Control characters replaced by U+FFFD (``airegime.text.cleaned``) in the texts copied:
    ``characters`` in all, in ``texts`` values."""

    characters: int = 0
    texts: int = 0

    def clean(self, value: str) -> str:
        value, count = cleaning(value)
        if count:
            self.characters += count
            self.texts += 1
        return value

    def __str__(self) -> str:
        texts = "text" if self.texts == 1 else "texts"
        characters = "character" if self.characters == 1 else "characters"
        return f"{self.characters:,} control {characters} in {self.texts:,} {texts}"


# Export


def export_database(engine: Engine, path: Path | str, progress: Progress | None = None) -> TransferSummary:
    """Write every row of every table to ``path``, from one consistent snapshot of the database.

    The file appears only once complete, readable by its owner alone (0600) like the database it
    copies; a failed export leaves the file that was there.
    """
    path = Path(path)
    report = progress or _silent
    tables = Base.metadata.sorted_tables
    replaced = Cleaned()
    codecs = {table.name: _codecs(table, engine.dialect.name, replaced) for table in tables}
    with _snapshot(engine) as connection:
        revision = _revision(connection)
        if revision != _head_revision():
            raise TransferError(
                msg("error.transfer.not_head", database=_where(engine), revision=revision, head=_head_revision()),
                hint=msg("error.transfer.not_head.hint", function="airegime.storage.database.open_engine"),
            )
        counts = {table.name: connection.scalar(select(func.count()).select_from(table)) or 0 for table in tables}
        header = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "alembic_revision": revision,
            "airegime_version": __version__,
            "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "source": engine.dialect.name,
            "tables": [
                {"name": table.name, "rows": counts[table.name], "columns": [c.name for c in table.columns]}
                for table in tables
            ],
        }
        try:
            with (
                replaced_when_done(path, mode=0o600) as temporary,
                temporary.open("wb") as raw,
                gzip.GzipFile(path.name, "wb", compresslevel=6, fileobj=raw) as out,
            ):
                out.write(_json_line(header))
                for table in tables:
                    _write_table(connection, out, table, codecs[table.name], counts[table.name], report)
        except OSError as error:
            raise TransferError(
                msg("error.transfer.cannot_write", path=str(path), reason=error.strerror or str(error)),
                hint=msg("error.transfer.cannot_write.hint"),
            ) from error
    return TransferSummary(path, revision, counts, cleaned=replaced)


def _write_table(
    connection: Connection, out: BufferedIOBase, table: Table, codecs: list[_Codec], total: int, report: Progress
) -> None:
    query = select(table).order_by(*table.primary_key.columns).execution_options(yield_per=BATCH_ROWS)
    done = 0
    for batch in connection.execute(query).partitions():
        lines = [_json_line({"table": table.name, "row": _encode_row(codecs, row)}) for row in batch]
        for line, row in zip(lines, batch, strict=True):
            if len(line) > LINE_LIMIT:
                key = ", ".join(f"{c.name} {getattr(row, c.name)}" for c in table.primary_key.columns)
                raise TransferError(
                    msg(
                        "error.transfer.row_too_long",
                        table=table.name,
                        key=key,
                        size=len(line),
                        limit=LINE_LIMIT,
                    ),
                    hint=msg("error.transfer.row_too_long.hint"),
                )
        out.write(b"".join(lines))
        done += len(batch)
        report(table.name, done, total)
    if done == 0:
        report(table.name, 0, total)


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection that sees one state of every table, however long the export takes."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            # A deferred BEGIN (the engine's own begins IMMEDIATE, for writers): WAL keeps its snapshot.
            connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.exec_driver_sql("BEGIN")
        else:
            connection.execution_options(isolation_level="REPEATABLE READ")
        yield connection  # closing the connection ends the (read-only) transaction


def _json_line(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


# Import


def import_database(
    engine: Engine, path: Path | str, progress: Progress | None = None, *, replace: bool = False
) -> TransferSummary:
    """Load a file written by :func:`export_database` into the database of ``engine``, in one transaction.

    The database must be at the file's migration (``open_engine`` brings it to the newest) and
    hold nothing but what its migrations create, unless ``replace``: then its rows are deleted
    first, in the same transaction. Primary keys are kept; PostgreSQL sequences move past them.
    """
    path = Path(path)
    report = progress or _silent
    replaced = Cleaned()
    with _open_export(path) as stream:
        header = _read_header(stream, path)
        with engine.begin() as connection:
            _lock_for_writing(connection)
            steps = _check_revision(connection, header["alembic_revision"], path, engine)
            absent = _added_columns(steps)
            declared = _declared_tables(header, path, absent)
            deleted = _make_room(connection, engine, replace=replace)
            lines = _numbered_lines(stream, path)
            imported = _insert_rows(connection, lines, declared, path, report, absent, replaced)
            _check_counts(connection, declared, imported, path)
            _reset_sequences(connection)
            for step in steps:  # what the migrations after the file's did to the data (new rows: after the reset)
                step.change(connection)
    tables = {t.name: rows for t, rows in declared}
    return TransferSummary(path, header["alembic_revision"], tables, deleted, cleaned=replaced)


@contextmanager
def _open_export(path: Path) -> Iterator[BufferedIOBase]:
    """The file's bytes, uncompressed: gzip'd as written, or plain JSON Lines after a gunzip."""
    try:
        raw = path.open("rb")
    except OSError as error:
        raise TransferError(
            msg("error.transfer.cannot_read", path=str(path), reason=error.strerror or str(error)),
            hint=msg("error.db.no_file.hint"),
        ) from error
    with raw:
        compressed = raw.read(2) == GZIP_MAGIC
        raw.seek(0)
        if compressed:
            with gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
                yield unzipped
        else:
            yield raw


def _read_header(stream: BufferedIOBase, path: Path) -> dict[str, Any]:
    not_export = TransferError(
        msg("error.transfer.not_export", path=str(path)),
        hint=msg("error.db.no_file.hint"),
    )
    try:
        line = stream.readline(HEADER_LIMIT)
        header = json.loads(line)
    except (ValueError, OSError, EOFError, zlib.error, RecursionError):
        raise not_export from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise not_export
    version = header.get("format_version")
    if version != FORMAT_VERSION:
        newer = isinstance(version, int) and version > FORMAT_VERSION
        raise TransferError(
            msg("error.transfer.format_version", path=str(path), version=version, expected=FORMAT_VERSION),
            hint=msg("error.transfer.upgrade" if newer else "error.transfer.export_again"),
        )
    tables = header.get("tables")
    valid = (
        isinstance(header.get("alembic_revision"), str)
        and isinstance(tables, list)
        and all(
            isinstance(t, dict)
            and isinstance(t.get("name"), str)
            and type(t.get("rows")) is int
            and isinstance(t.get("columns"), list)
            for t in tables
        )
    )
    if not valid:
        raise TransferError(
            msg("error.transfer.bad_header", path=str(path)),
            hint=msg("error.transfer.bad_header.hint"),
        )
    return header


def _numbered_lines(stream: BufferedIOBase, path: Path) -> Iterator[tuple[int, bytes]]:
    """The lines after the header, numbered as a text editor shows them; a cut-short file is an
    error, and so is a line longer than ``LINE_LIMIT`` (refused without reading it whole)."""
    number = 1
    try:
        while line := stream.readline(LINE_LIMIT + 1):
            number += 1
            if len(line) > LINE_LIMIT:
                raise TransferError(
                    msg("error.transfer.line_too_long", path=str(path), line=number, limit=LINE_LIMIT),
                    hint=msg("error.transfer.not_written.hint"),
                )
            if not line.endswith(b"\n"):
                raise TransferError(msg("error.transfer.stops_short", path=str(path), line=number), hint=_AGAIN)
            yield number, line
            del line  # not held while the next one is read
    except EOFError as error:
        raise TransferError(msg("error.transfer.truncated", path=str(path), line=number), hint=_AGAIN) from error
    except (OSError, zlib.error) as error:
        raise TransferError(
            msg("error.transfer.corrupted", path=str(path), line=number, reason=str(error)), hint=_AGAIN
        ) from error


_AGAIN = msg("error.transfer.again")


def _lock_for_writing(connection: Connection) -> None:
    """Keep other writers out from the emptiness check to the commit."""
    if connection.dialect.name == "postgresql":  # SQLite: the transaction began IMMEDIATE (open_engine)
        names = ", ".join(connection.dialect.identifier_preparer.format_table(t) for t in Base.metadata.sorted_tables)
        connection.exec_driver_sql(f"LOCK TABLE {names} IN EXCLUSIVE MODE")


@dataclass(frozen=True, slots=True)
class ImportStep:
    """A migration a file exported just before it can still be imported across: it changes data
    (``change``, made to the imported rows as the migration made it to the stored ones) and at most
    adds columns that have a default (``added``: table -> columns) and tables (``tables``), which
    older files lack."""

    to: str
    change: Callable[[Connection], object]
    added: dict[str, frozenset[str]] = field(default_factory=dict)
    tables: frozenset[str] = frozenset()


IMPORT_STEPS: dict[str, ImportStep] = {  # by the revision a file was exported at
    "0003": ImportStep("0004", upgrade_saved_answers),  # format-1 answers of saved assessments to format 2
    "0004": ImportStep(  # several development processings: each assessment's one becomes a row
        "0005", development_rows, {"deployment_contexts": frozenset({"phase"})}
    ),
    "0005": ImportStep("0006", lambda _connection: None, tables=frozenset({"login_throttle"})),  # failed logins
    "0006": ImportStep(  # accountability: review status, archiving, notes, evidence, actions, profiles, links
        "0007",
        lambda _connection: None,
        {"assessments": frozenset({"status", "review_flag", "archived_at"})},
        frozenset({"answer_notes", "attachments", "reviews", "actions", "organisation_profiles", "share_links"}),
    ),
}


def _check_revision(connection: Connection, revision: str, path: Path, engine: Engine) -> list[ImportStep]:
    """Refuse a file from another schema; return the migrations to make after importing it."""
    target = _revision(connection)
    steps: list[ImportStep] = []
    at = revision
    while at != target and at in IMPORT_STEPS:
        step = IMPORT_STEPS[at]
        at = step.to
        steps.append(step)
    if at == target:
        return steps
    if revision not in _known_revisions():
        raise TransferError(
            msg("error.transfer.newer", path=str(path), revision=revision, target=target),
            hint=msg("error.transfer.newer.hint"),
        )
    raise TransferError(
        msg("error.transfer.other_revision", path=str(path), revision=revision, database=_where(engine), target=target),
        hint=msg("error.transfer.other_revision.hint"),
    )


def _added_columns(steps: list[ImportStep]) -> dict[str, frozenset[str]]:
    """The columns added after the file's revision, by table (``ALL``: the whole table): the file lacks them."""
    added: dict[str, frozenset[str]] = {}
    for step in steps:
        for table, columns in step.added.items():
            added[table] = added.get(table, frozenset()) | columns
        for table in step.tables:
            added[table] = ALL
    return added


ALL = frozenset({"*"})  # a table added since the file's revision


def _declared_tables(header: dict[str, Any], path: Path, absent: dict[str, frozenset[str]]) -> list[tuple[Table, int]]:
    """The header's tables, checked against the models: same tables, same columns (but ``absent``)."""
    known = Base.metadata.tables
    named = [t["name"] for t in header["tables"]]
    if sorted(named) != sorted(name for name in known if absent.get(name) != ALL):
        raise TransferError(
            msg("error.transfer.tables", path=str(path), tables=", ".join(named), known=", ".join(sorted(known))),
            hint=msg("error.transfer.same_version"),
        )
    declared = []
    for entry in header["tables"]:
        table = known[entry["name"]]
        expected = [c.name for c in table.columns if c.name not in absent.get(table.name, frozenset())]
        if sorted(entry["columns"]) != sorted(expected):
            raise TransferError(
                msg(
                    "error.transfer.columns",
                    path=str(path),
                    table=table.name,
                    columns=", ".join(entry["columns"]),
                    expected=", ".join(expected),
                ),
                hint=msg("error.transfer.same_version"),
            )
        declared.append((table, entry["rows"]))
    return declared


def _make_room(connection: Connection, engine: Engine, *, replace: bool) -> int:
    """Delete what the database holds: refused, unless ``replace``, if that is more than the rows
    its migrations create (e.g. the default organisation). Returns how many rows were more."""
    tables = Base.metadata.sorted_tables
    seeded = _seeded_keys()
    held: dict[str, int] = {}
    for table in tables:
        rows = connection.scalar(select(func.count()).select_from(table)) or 0
        seeds = seeded.get(table.name)
        if rows and seeds:
            in_seeds = sa.tuple_(*table.primary_key.columns).in_(list(seeds))
            rows -= connection.scalar(select(func.count()).select_from(table).where(in_seeds)) or 0
        if rows:
            held[table.name] = rows
    if held and not replace:
        listed: Said = ""
        for name, rows in held.items():
            here = msg_plural("error.transfer.held", rows, table=name)
            listed = msg("error.list", first=listed, next=here) if listed else here
        raise TransferError(
            msg("error.transfer.not_empty", database=_where(engine), rows=listed),
            hint=msg("error.transfer.not_empty.hint", option="--replace"),
        )
    if connection.dialect.name == "postgresql":
        # Row by row, each cascade check would scan the dead rows of the tables emptied before it.
        names = ", ".join(connection.dialect.identifier_preparer.format_table(t) for t in tables)
        connection.exec_driver_sql(f"TRUNCATE {names}")
    else:
        for table in reversed(tables):
            connection.execute(table.delete())
    return sum(held.values())


@cache
def _seeded_keys() -> dict[str, set[tuple[Any, ...]]]:
    """Primary keys of the rows a fresh database holds after its migrations (run on a scratch SQLite)."""
    scratch = open_engine("sqlite://")
    try:
        with scratch.connect() as connection:
            return {
                table.name: {tuple(row) for row in connection.execute(select(*table.primary_key.columns))}
                for table in Base.metadata.sorted_tables
                if len(table.primary_key.columns)
            }
    finally:
        scratch.dispose()


def _insert_rows(
    connection: Connection,
    lines: Iterator[tuple[int, bytes]],
    declared: list[tuple[Table, int]],
    path: Path,
    report: Progress,
    absent: dict[str, frozenset[str]],
    replaced: Cleaned,
) -> dict[str, int]:
    """Insert the file's rows, batch by batch, table by table in the header's order; count them.
    Columns ``absent`` from the file (added since) take their default; control characters in
    texts are counted in ``replaced`` as they are replaced."""
    writers = [
        _TableWriter(connection, table, rows, path, report, absent.get(table.name, frozenset()), replaced)
        for table, rows in declared
    ]
    position = {writer.table.name: index for index, writer in enumerate(writers)}
    current = 0
    for number, line in lines:
        name, row = _parse_line(line, number, path)
        index = position.get(name)
        if index is None:
            raise TransferError(msg("error.transfer.no_table", path=str(path), line=number, table=name), hint=_AGAIN)
        if index < current:
            raise TransferError(
                msg(
                    "error.transfer.order",
                    path=str(path),
                    line=number,
                    table=name,
                    previous=writers[current].table.name,
                ),
                hint=msg("error.transfer.order.hint"),
            )
        while current < index:
            writers[current].finish()
            current += 1
        writers[index].add(number, row, len(line))
        del line, row  # not held while the next line is read (a line may take up to LINE_LIMIT)
    for writer in writers[current:]:
        writer.finish()
    return {writer.table.name: writer.done for writer in writers}


def _parse_line(line: bytes, number: int, path: Path) -> tuple[str, dict[str, Any]]:
    try:
        data = json.loads(line)
    except ValueError as error:
        reason = (
            msg("error.transfer.json_column", column=error.colno, said=error.msg)
            if isinstance(error, json.JSONDecodeError)
            else msg("error.transfer.not_utf8")
        )
        raise TransferError(
            msg("error.transfer.not_json", path=str(path), line=number, reason=reason), hint=_AGAIN
        ) from None
    except RecursionError:  # Python's JSON reader stops nesting at its recursion limit (about 1,000)
        raise TransferError(
            msg("error.transfer.too_deep", path=str(path), line=number),
            hint=msg("error.transfer.not_written.hint"),
        ) from None
    if not (
        isinstance(data, dict)
        and data.keys() == {"table", "row"}
        and isinstance(data["table"], str)
        and isinstance(data["row"], dict)
    ):
        raise TransferError(
            msg("error.transfer.not_row", path=str(path), line=number, shape='{"table": …, "row": {…}}'), hint=_AGAIN
        )
    return data["table"], data["row"]


class _TableWriter:
    """One table's rows, inserted BATCH_ROWS at a time (fewer when their lines reach BATCH_BYTES,
    so that long rows cannot fill memory); a refused batch names its lines."""

    def __init__(
        self,
        connection: Connection,
        table: Table,
        total: int,
        path: Path,
        report: Progress,
        absent: frozenset[str] = frozenset(),
        replaced: Cleaned | None = None,
    ) -> None:
        self.connection = connection
        self.table = table
        self.total = total
        self.path = path
        self.report = report
        codecs = _codecs(table, connection.dialect.name, replaced)
        self.codecs = [c for c in codecs if c.name not in absent]
        self.insert = table.insert()
        self.batch: list[dict[str, Any]] = []
        self.first_line = 0
        self.last_line = 0
        self.done = 0
        self.size = 0  # bytes of the batch's lines

    def add(self, number: int, row: dict[str, Any], size: int = 0) -> None:
        try:
            values = _decode_row(self.codecs, row)
        except _BadValue as error:
            raise TransferError(
                msg(
                    "error.transfer.bad_value",
                    path=str(self.path),
                    line=number,
                    table=self.table.name,
                    reason=str(error),
                ),
                hint=_AGAIN,
            ) from None
        if not self.batch:
            self.first_line = number
        self.last_line = number
        self.batch.append(values)
        self.size += size
        if len(self.batch) >= BATCH_ROWS or self.size >= BATCH_BYTES:
            self.flush()

    def flush(self) -> None:
        if not self.batch:
            return
        try:
            self.connection.execute(self.insert, self.batch)
        except DBAPIError as error:
            reason = " ".join(str(error.orig).split())[:400]
            raise TransferError(
                msg(
                    "error.transfer.refused",
                    path=str(self.path),
                    first=self.first_line,
                    last=self.last_line,
                    table=self.table.name,
                    reason=reason,
                ),
                hint=msg("error.transfer.refused.hint"),
            ) from error
        self.done += len(self.batch)
        self.batch = []
        self.size = 0
        self.report(self.table.name, self.done, self.total)

    def finish(self) -> None:
        self.flush()
        if self.done == 0:
            self.report(self.table.name, 0, self.total)


def _check_counts(
    connection: Connection, declared: list[tuple[Table, int]], imported: dict[str, int], path: Path
) -> None:
    for table, rows in declared:
        if imported[table.name] != rows:
            raise TransferError(
                msg_plural(
                    "error.transfer.count",
                    imported[table.name],
                    path=str(path),
                    table=table.name,
                    announced=rows,
                ),
                hint=_AGAIN,
            )
        stored = connection.scalar(select(func.count()).select_from(table))
        if stored != rows:
            raise TransferError(
                msg("error.transfer.stored", table=table.name, stored=stored or 0, rows=rows),
                hint=msg("error.transfer.stored.hint"),
            )


def _reset_sequences(connection: Connection) -> None:
    """Explicit ids do not move PostgreSQL's sequences: set each past its table's largest id."""
    if connection.dialect.name != "postgresql":
        return
    for table in Base.metadata.sorted_tables:
        column = table.autoincrement_column
        if column is None:
            continue
        name = connection.dialect.identifier_preparer.format_table(table)
        sequence = func.pg_get_serial_sequence(name, column.name)
        connection.execute(select(func.setval(sequence, func.coalesce(func.max(column), 0) + 1, False)))


# Shared


def _silent(_table: str, _done: int, _total: int) -> None:
    pass


def _where(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _revision(connection: Connection) -> str:
    return MigrationContext.configure(connection).get_current_revision() or "none (never migrated)"


def _scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def _head_revision() -> str:
    return _scripts().get_current_head() or ""


def _known_revisions() -> set[str]:
    return {script.revision for script in _scripts().walk_revisions()}


# Values: one codec per column, chosen by its type


class _BadValue(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class _Codec:
    """How one column's values are written to JSON (encode) and read back (decode)."""

    name: str  # in the database and the file
    key: str  # in SQLAlchemy's parameters (the same, unless the model renames it)
    nullable: bool
    encode: Callable[[Any], Any] | None  # None: the value is JSON already
    decode: Callable[[Any], Any]


def _codecs(table: Table, dialect: str, replaced: Cleaned | None = None) -> list[_Codec]:
    """The columns' codecs; text is cleaned both ways, its replacements counted in ``replaced``."""
    tally = replaced if replaced is not None else Cleaned()
    return [_codec(column, table, dialect, tally) for column in table.columns]


def _codec(column: sa.Column[Any], table: Table, dialect: str, replaced: Cleaned) -> _Codec:
    kind = column.type
    if isinstance(kind, sa.TypeDecorator):  # e.g. models.CleanString: stored as the type it decorates
        kind = kind.impl_instance
    encode: Callable[[Any], Any] | None = None
    decode: Callable[[Any], Any]
    if isinstance(kind, sa.Boolean):
        decode = _expect(bool)
    elif isinstance(kind, sa.Integer):
        decode = _expect(int)
    elif isinstance(kind, sa.Float) or (isinstance(kind, sa.Numeric) and not kind.asdecimal):
        decode = _expect(float, int, then=float)
    elif isinstance(kind, sa.Numeric):
        encode, decode = str, _expect(str, then=Decimal)
    elif isinstance(kind, sa.DateTime):
        encode, decode = _encode_datetime, _datetime_decoder(aware=kind.timezone)
    elif isinstance(kind, sa.Date):
        encode, decode = date.isoformat, _expect(str, then=date.fromisoformat)
    elif isinstance(kind, sa.Time):
        encode, decode = time.isoformat, _expect(str, then=time.fromisoformat)
    elif isinstance(kind, sa.LargeBinary):
        encode = _encode_bytes
        decode = _expect(str, then=lambda text: base64.b64decode(text, validate=True))
    elif isinstance(kind, sa.Uuid):
        encode, decode = str, _expect(str, then=uuid.UUID if kind.as_uuid else lambda text: str(uuid.UUID(text)))
    elif isinstance(kind, sa.Enum) and kind.enum_class is not None:
        members = kind.enum_class.__members__
        encode, decode = (lambda member: member.name), _expect(str, then=lambda name: members[name])
    elif isinstance(kind, sa.String):
        encode = replaced.clean
        allowed = column.info.get("allowed")
        decode = _string_decoder(kind.length if dialect == "postgresql" else None, replaced, allowed)
    elif isinstance(kind, sa.JSON):
        decode = _same
    else:
        raise TransferError(
            msg("error.transfer.no_codec", column=f"{table.name}.{column.name}", type=repr(kind)),
            hint=msg("error.transfer.no_codec.hint", place="airegime/storage/transfer.py (_codec)"),
        )
    return _Codec(column.name, column.key, bool(column.nullable), encode, decode)


def _encode_row(codecs: list[_Codec], row: sa.Row[Any]) -> dict[str, Any]:
    return {
        codec.name: value if value is None or codec.encode is None else codec.encode(value)
        for codec, value in zip(codecs, row, strict=True)
    }


def _decode_row(codecs: list[_Codec], row: dict[str, Any]) -> dict[str, Any]:
    if len(row) != len(codecs) or any(codec.name not in row for codec in codecs):
        expected = ", ".join(codec.name for codec in codecs)
        raise _BadValue(f"the row has the columns {', '.join(row)}, expected {expected}")
    values = {}
    for codec in codecs:
        value = row[codec.name]
        if value is None:
            if not codec.nullable:
                raise _BadValue(f"{codec.name} is null, the column needs a value")
        else:
            try:
                value = codec.decode(value)
            except (ValueError, TypeError, KeyError, ArithmeticError) as error:
                raise _BadValue(f"{codec.name}: {error}") from None
        values[codec.key] = value
    return values


def _same(value: Any) -> Any:
    return value


def _describe(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:40] + "…"


_JSON_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}


def _expect(*accepted: type, then: Callable[[Any], Any] = _same) -> Callable[[Any], Any]:
    """A decoder that accepts only these JSON types (an integer is no boolean), then converts."""

    def decode(value: Any) -> Any:
        if type(value) not in accepted:
            raise ValueError(f"expected {_JSON_NAMES[accepted[0]]}, found {_describe(value)}")
        return then(value)

    return decode


def _string_decoder(
    length: int | None, replaced: Cleaned, allowed: tuple[str, ...] | None = None
) -> Callable[[Any], Any]:
    """Text, cleaned (control characters replaced, and counted); a column that allows only some
    values refuses others; on PostgreSQL, the length it enforces is checked here so the error
    names the line."""

    def decode(value: Any) -> Any:
        if type(value) is not str:
            raise ValueError(f"expected a string, found {_describe(value)}")
        if allowed is not None and value not in allowed:
            raise ValueError(f"{_describe(value)} is not one of {', '.join(allowed)}")
        if length is not None and len(value) > length:
            raise ValueError(f"{len(value):,} characters, the column holds {length:,}")
        return replaced.clean(value)

    return decode


def _encode_datetime(moment: datetime) -> str:
    return as_utc(moment).astimezone(UTC).isoformat()


def _datetime_decoder(*, aware: bool) -> Callable[[Any], Any]:
    def decode(value: Any) -> Any:
        if type(value) is not str:
            raise ValueError(f"expected a time as a string, found {_describe(value)}")
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError(f"{value} has no UTC offset")
        moment = moment.astimezone(UTC)
        return moment if aware else moment.replace(tzinfo=None)

    return decode


def _encode_bytes(data: bytes) -> str:
    return base64.b64encode(bytes(data)).decode("ascii")
