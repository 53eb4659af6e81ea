"""Where SQLite work runs: one writer thread with its own connection, and reader threads with
theirs, so that neither the event loop nor a read ever waits on a write.

WAL lets readers see the last committed state while a write (or another process) holds the
write lock; writes are serialised on the one writer thread, and each takes the lock up front
(BEGIN IMMEDIATE) so another process cannot interleave either. A `:memory:` database exists
only on its one connection, so there the writer serves reads too.
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from toys.core.store import StoreUnavailable
from toys.domain import ToyError
from toys.stores.sqlite_schema import OnVersion, SchemaMismatch, migrate
from toys.stores.worker_threads import WorkerThreads

MEMORY = ":memory:"
READER_THREADS = 2
# Several servers opening a new file at once race for the lock that switching it to WAL takes;
# SQLite's busy handler does not cover every step of that, so opening retries for this long.
OPEN_RETRY_S = 20.0


def connect(path: str, busy_timeout_s: float, *, any_thread: bool = False) -> sqlite3.Connection:
    conn = sqlite3.connect(
        path,
        timeout=busy_timeout_s,
        isolation_level=None,  # transactions are explicit: BEGIN IMMEDIATE ... COMMIT
        check_same_thread=not any_thread,
    )
    conn.row_factory = sqlite3.Row
    if path != MEMORY:
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreUnavailable(f"{path}: could not switch the database to WAL (got {mode})")
    # FULL: a callback that was acknowledged survives a power cut too; Argo will not resend it.
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


@contextmanager
def read_transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One read transaction on `db`: every statement in it reads the same snapshot."""
    db.execute("BEGIN")
    try:
        yield db
    finally:
        if db.in_transaction:
            db.execute("COMMIT")


@contextmanager
def write_transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction on `db`, its lock taken up front; rolled back if the block fails."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def _locked(error: sqlite3.OperationalError) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


def open_and_migrate(
    path: str,
    busy_timeout_s: float,
    *,
    migrate_schema: bool = True,
    on_version: OnVersion | None = None,
) -> sqlite3.Connection:
    """The writer's connection, the schema migrated (or checked, not `migrate_schema`);
    retries while another opener holds a lock."""
    deadline = time.monotonic() + max(OPEN_RETRY_S, busy_timeout_s)
    while True:
        conn: sqlite3.Connection | None = None
        try:
            conn = connect(path, busy_timeout_s)
            migrate(conn, allowed=migrate_schema, on_version=on_version)
        except SchemaMismatch as exc:
            if conn is not None:
                conn.close()
            raise StoreUnavailable(f"{path}: {exc}") from None
        except sqlite3.OperationalError as exc:
            if conn is not None:
                conn.close()
            if not _locked(exc) or time.monotonic() > deadline:
                raise
            time.sleep(random.uniform(0.01, 0.05))  # noqa: S311  # jitter, not a secret
            continue
        except BaseException:
            if conn is not None:
                conn.close()
            raise
        return conn


def guarded[T](work: Callable[[], T]) -> T:
    """`work()`, with SQLite's errors as StoreUnavailable."""
    try:
        return work()
    except ToyError:
        raise
    except sqlite3.Error as exc:
        raise StoreUnavailable(f"database error: {exc}") from exc


class SqliteThreads:
    """The writer thread (its connection is `writer`) and the reader threads."""

    def __init__(self, path: str, busy_timeout_s: float) -> None:
        self.path = path
        self._busy_timeout_s = busy_timeout_s
        self._writer_pool = WorkerThreads(1, "toys-sqlite-w")
        self._reader_pool = (
            self._writer_pool if path == MEMORY else WorkerThreads(READER_THREADS, "toys-sqlite-r")
        )
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self.writer_conn: sqlite3.Connection | None = None
        self.closed = False

    def writer(self) -> sqlite3.Connection:
        if self.writer_conn is None:
            raise StoreUnavailable("the store is not open")
        return self.writer_conn

    def reader(self) -> sqlite3.Connection:
        """This reader thread's own connection (the writer's, for :memory:)."""
        if self._reader_pool is self._writer_pool:
            return self.writer()
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path, self._busy_timeout_s, any_thread=True)
            conn.execute("PRAGMA query_only=ON")
            self._local.conn = conn
            with self._readers_lock:
                self._readers.append(conn)
        return conn

    async def write[T](self, work: Callable[[], T]) -> T:
        return await self._submit(self._writer_pool, work)

    async def read[T](self, work: Callable[[], T]) -> T:
        return await self._submit(self._reader_pool, work)

    async def _submit[T](self, pool: WorkerThreads, work: Callable[[], T]) -> T:
        if self.closed:
            raise StoreUnavailable("the store is closed")
        try:
            future = pool.submit(lambda: guarded(work))
        except RuntimeError as exc:  # close() shut the pool down after the check above
            raise StoreUnavailable("the store is closed") from exc
        try:
            return await future
        finally:
            # An error's traceback holds this frame, and the future holds the error: without
            # this, every failed call would leave a reference cycle for the collector.
            del future

    async def close(self) -> None:
        if self.closed:
            return
        self.closed = True

        def close_writer() -> None:
            if self.writer_conn is not None:
                self.writer_conn.close()
                self.writer_conn = None

        try:
            await self._writer_pool.submit(close_writer)
        finally:
            self._writer_pool.shutdown()
            if self._reader_pool is not self._writer_pool:
                self._reader_pool.shutdown()
            # The readers' connections are only ever used by their threads, which have no more
            # work; closing them here is safe (they were opened for any thread).
            with self._readers_lock:
                for conn in self._readers:
                    conn.close()
                self._readers.clear()
