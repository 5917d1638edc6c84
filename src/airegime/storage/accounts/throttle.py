"""Login throttling: failed logins counted in the table ``login_throttle``, so the limit holds
across workers and restarts.

Each attempt is counted against three keys (account and address, account, address), up front,
before the password is checked, by one atomic statement per key; a right password takes it off
again (``forgive``). Names and addresses are stored as hashes. Counting and sweeping run in
their own transactions (a failure must stay counted when the login is refused); ``forgive`` and
``unlock`` join the caller's.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import DateTime, Table, case, delete, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from airegime.storage.models import LoginThrottleRow, as_utc, digest, now

FAILURE_WINDOW = timedelta(minutes=15)
# Failed logins allowed in a window of 15 minutes (from the first failure), then refused untried:
MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS = 5  # one account from one address (the person elsewhere still can)
MAX_FAILURES_PER_ACCOUNT = 50  # one account from every address (ten addresses to lock a person out)
MAX_FAILURES_PER_ADDRESS = 100  # one address guessing many names (behind an untrusted proxy: everyone)
THROTTLE: Table = LoginThrottleRow.__table__  # type: ignore[assignment]  # a Table, typed as its base

Keys = list[tuple[str, int]]  # (counter key, its limit), always in the order of ``throttle_keys``


class _AtLimit(Exception):
    def __init__(self, wait: int) -> None:
        self.wait = wait


def throttle_keys(name: str, address: str) -> Keys:
    """The counters a login attempt goes against, with their limits, always in this order.

    Names and addresses are stored as hashes (whatever was typed: the key is plain ASCII); the
    account's hash starts both of its keys, so ``unlock`` finds them all.
    """
    account = digest(name)
    keys = [
        (f"na:{account}:{digest(address)[:32]}", MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS),
        (f"n:{account}", MAX_FAILURES_PER_ACCOUNT),
    ]
    if address:
        keys.append((f"a:{digest(address)}", MAX_FAILURES_PER_ADDRESS))
    return keys


def count_attempt(writes: sessionmaker[Session], keys: Keys) -> int:
    """Count an attempt against each of ``keys`` (key, limit), all or none, before the password
    is checked; the seconds to wait if one is at its limit (then nothing is counted), else 0.

    Each count is one conditional UPDATE, which the database runs atomically (PostgreSQL locks
    the row, SQLite the file): of concurrent attempts, only as many as the limit get through.
    The keys are always taken in the same order, so two attempts cannot deadlock.
    """
    moment = now()
    expired = THROTTLE.c.window_start <= moment - FAILURE_WINDOW
    try:
        with writes.begin() as session:
            for key, limit in keys:
                for _attempt in range(3):  # a sweep may delete the row between insert and update
                    _insert_counter(session, key, moment)
                    counted = session.execute(
                        update(THROTTLE)
                        .where(THROTTLE.c.key == key, or_(expired, THROTTLE.c.failures < limit))
                        .values(
                            failures=case((expired, 1), else_=THROTTLE.c.failures + 1),
                            window_start=case(
                                (expired, literal(moment, DateTime(timezone=True))),
                                else_=THROTTLE.c.window_start,
                            ),
                        )
                    )
                    if counted.rowcount:  # type: ignore[attr-defined]
                        break
                    start = session.scalar(select(THROTTLE.c.window_start).where(THROTTLE.c.key == key))
                    if start is not None:
                        left = as_utc(start) + FAILURE_WINDOW - moment
                        raise _AtLimit(max(1, int(left.total_seconds()) + 1))  # rolls the others back
                else:
                    raise _AtLimit(1)  # the row kept vanishing: refuse this once rather than not count
    except _AtLimit as at_limit:
        return at_limit.wait
    return 0


def sweep(writes: sessionmaker[Session]) -> None:
    """Forget counters whose window has ended (best effort: a clash with a login is harmless)."""
    try:
        with writes.begin() as session:
            session.execute(delete(THROTTLE).where(THROTTLE.c.window_start < now() - 2 * FAILURE_WINDOW))
    except DBAPIError:  # e.g. a deadlock with a concurrent count: the next sweep does it
        return


def forgive(session: Session, keys: Keys) -> None:
    """A right password: this account's failures from this address are forgotten, and the attempt
    counted up front comes off the other counters."""
    for index, (key, _limit) in enumerate(keys):
        failures = 0 if index == 0 else THROTTLE.c.failures - 1
        session.execute(
            update(THROTTLE).where(THROTTLE.c.key == key, THROTTLE.c.failures > 0).values(failures=failures)
        )


def unlock(session: Session, username: str) -> None:
    """Forget an account's failed logins, from every address (an operator's decision)."""
    account = digest(username)
    session.execute(
        delete(THROTTLE).where(or_(THROTTLE.c.key == f"n:{account}", THROTTLE.c.key.startswith(f"na:{account}:")))
    )


def _insert_counter(session: Session, key: str, moment: datetime) -> None:
    """The counter's row, if it is new (a concurrent insert of the same row is no error)."""
    values = {"key": key, "failures": 0, "window_start": moment}
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        session.execute(sqlite.insert(THROTTLE).values(**values).on_conflict_do_nothing(index_elements=["key"]))
        return
    if dialect == "postgresql":
        session.execute(postgresql.insert(THROTTLE).values(**values).on_conflict_do_nothing(index_elements=["key"]))
        return
    if session.scalar(select(THROTTLE.c.key).where(THROTTLE.c.key == key)) is None:  # pragma: no cover
        try:
            with session.begin_nested():
                session.execute(THROTTLE.insert().values(**values))
        except IntegrityError:
            pass
