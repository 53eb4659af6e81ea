"""The SQLite ToyStore: schema, migrations, transactions. The only module that writes SQL.

All database work runs on one dedicated thread that owns the connection, so the event loop
never blocks on disk and no two changes to the database interleave inside this process.
Updates take SQLite's write lock up front (BEGIN IMMEDIATE), so a second process on the same
file cannot interleave either.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from toys.domain import (
    ManufactureStatus,
    StoreUnavailable,
    Toy,
    ToyError,
    ToyNotFound,
    WorkflowFailure,
    WorkflowRun,
)
from toys.store import PageCursor

MEMORY = ":memory:"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

# Each entry migrates the schema from version N to N + 1 (PRAGMA user_version). Never edit an
# entry that has shipped: append a new one.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """
        CREATE TABLE toys (
            id                  TEXT    NOT NULL PRIMARY KEY,
            name                TEXT    NOT NULL,
            designer            TEXT    NOT NULL,
            manufacturor        TEXT    NOT NULL,
            design_us           INTEGER NOT NULL,
            create_us           INTEGER NOT NULL,
            update_us           INTEGER NOT NULL,
            status              TEXT    NOT NULL
                CHECK (status IN ('Pending', 'Running', 'Succeeded', 'Failed', 'Error')),
            number_manufactured INTEGER NOT NULL
                CHECK (number_manufactured BETWEEN 0 AND 2147483647),
            manufacture_us      INTEGER,
            last_run            TEXT,
            applied_callbacks   TEXT    NOT NULL DEFAULT '[]'
        ) STRICT
        """,
        "CREATE INDEX toys_by_creation ON toys (create_us, id)",
        "CREATE INDEX toys_by_status ON toys (status, create_us, id)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

_COLUMN_NAMES = (
    "id",
    "name",
    "designer",
    "manufacturor",
    "design_us",
    "create_us",
    "update_us",
    "status",
    "number_manufactured",
    "manufacture_us",
    "last_run",
    "applied_callbacks",
)
_COLUMNS = ", ".join(_COLUMN_NAMES)
_SELECT_BY_ID = f"SELECT {_COLUMNS} FROM toys WHERE id = ?"
_INSERT = f"INSERT INTO toys ({_COLUMNS}) VALUES ({', '.join('?' * len(_COLUMN_NAMES))})"
# Every column but the id, in _COLUMN_NAMES order, then the id for WHERE.
_UPDATE = f"UPDATE toys SET {', '.join(f'{c} = ?' for c in _COLUMN_NAMES[1:])} WHERE id = ?"


def _to_us(value: datetime) -> int:
    return (value - _EPOCH) // _MICROSECOND


def _from_us(value: int) -> datetime:
    return _EPOCH + value * _MICROSECOND


def _opt_us(value: datetime | None) -> int | None:
    return None if value is None else _to_us(value)


def _opt_dt(value: int | None) -> datetime | None:
    return None if value is None else _from_us(value)


def _run_to_json(run: WorkflowRun) -> str:
    failures = [
        {
            "display_name": f.display_name,
            "message": f.message,
            "template_name": f.template_name,
            "phase": f.phase,
            "pod_name": f.pod_name,
            "finished_us": _opt_us(f.finished_at),
        }
        for f in run.failures
    ]
    document = {
        "uid": run.uid,
        "name": run.name,
        "namespace": run.namespace,
        "status": run.status.value,
        "creation_us": _to_us(run.creation_time),
        "started_us": _opt_us(run.started_at),
        "finished_us": _opt_us(run.finished_at),
        "message": run.message,
        "units_produced": run.units_produced,
        "failures": failures,
    }
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def _run_from_json(text: str) -> WorkflowRun:
    doc: dict[str, Any] = json.loads(text)
    return WorkflowRun(
        uid=doc["uid"],
        name=doc["name"],
        namespace=doc["namespace"],
        status=ManufactureStatus(doc["status"]),
        creation_time=_from_us(doc["creation_us"]),
        started_at=_opt_dt(doc["started_us"]),
        finished_at=_opt_dt(doc["finished_us"]),
        message=doc["message"],
        units_produced=doc["units_produced"],
        failures=tuple(
            WorkflowFailure(
                display_name=f["display_name"],
                message=f["message"],
                template_name=f["template_name"],
                phase=f["phase"],
                pod_name=f["pod_name"],
                finished_at=_opt_dt(f["finished_us"]),
            )
            for f in doc["failures"]
        ),
    )


def _row_values(toy: Toy) -> tuple[object, ...]:
    return (
        toy.id,
        toy.name,
        toy.designer,
        toy.manufacturor,
        _to_us(toy.design_time),
        _to_us(toy.create_time),
        _to_us(toy.update_time),
        toy.status.value,
        toy.number_manufactured,
        _opt_us(toy.manufacture_time),
        None if toy.last_run is None else _run_to_json(toy.last_run),
        json.dumps([[uid, status.value] for uid, status in toy.applied_callbacks]),
    )


def _toy_from_row(row: sqlite3.Row) -> Toy:
    return Toy(
        id=row["id"],
        name=row["name"],
        designer=row["designer"],
        manufacturor=row["manufacturor"],
        design_time=_from_us(row["design_us"]),
        create_time=_from_us(row["create_us"]),
        update_time=_from_us(row["update_us"]),
        status=ManufactureStatus(row["status"]),
        number_manufactured=row["number_manufactured"],
        manufacture_time=_opt_dt(row["manufacture_us"]),
        last_run=None if row["last_run"] is None else _run_from_json(row["last_run"]),
        applied_callbacks=tuple(
            (uid, ManufactureStatus(status)) for uid, status in json.loads(row["applied_callbacks"])
        ),
    )


def _connect(path: str, busy_timeout_s: float) -> sqlite3.Connection:
    conn = sqlite3.connect(
        path,
        timeout=busy_timeout_s,
        isolation_level=None,  # transactions are explicit: BEGIN IMMEDIATE ... COMMIT
        check_same_thread=True,
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


def _migrate(conn: sqlite3.Connection, path: str) -> int:
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise StoreUnavailable(
                f"{path}: schema version {version} is newer than this server "
                f"supports ({SCHEMA_VERSION}); upgrade toy-factory"
            )
        for target in range(version + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[target - 1]:
                conn.execute(statement)
            # PRAGMA takes no placeholders; `target` is an int from our own range.
            conn.execute(f"PRAGMA user_version = {int(target)}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return SCHEMA_VERSION


class SqliteToyStore:
    """ToyStore on one SQLite database file (or `:memory:` for a throwaway run)."""

    def __init__(self, path: str, *, busy_timeout_s: float = 5.0) -> None:
        self.path = path
        self._busy_timeout_s = busy_timeout_s
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="toys-sqlite")
        self._conn: sqlite3.Connection | None = None
        self._closed = False

    @classmethod
    async def open(cls, path: str, *, busy_timeout_s: float = 5.0) -> SqliteToyStore:
        """Open (creating if needed) and migrate the database; raise StoreUnavailable."""
        store = cls(path, busy_timeout_s=busy_timeout_s)
        try:
            await store._run(store._open_sync)
        except BaseException:
            await store.close()
            raise
        return store

    # -- plumbing ----------------------------------------------------------------------------

    async def _run[T](self, work: Callable[[], T]) -> T:
        if self._closed:
            raise StoreUnavailable("the store is closed")
        loop = asyncio.get_running_loop()
        try:
            future = loop.run_in_executor(self._executor, self._guarded, work)
        except RuntimeError as exc:  # close() shut the executor down after the check above
            raise StoreUnavailable("the store is closed") from exc
        return await future

    @staticmethod
    def _guarded[T](work: Callable[[], T]) -> T:
        try:
            return work()
        except ToyError:
            raise
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"database error: {exc}") from exc

    def _open_sync(self) -> None:
        conn = _connect(self.path, self._busy_timeout_s)
        try:
            _migrate(conn, self.path)
        except BaseException:
            conn.close()
            raise
        self._conn = conn

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreUnavailable("the store is not open")
        return self._conn

    def _select_one(self, toy_id: str) -> Toy:
        row = self._db().execute(_SELECT_BY_ID, (toy_id,)).fetchone()
        if row is None:
            raise ToyNotFound(toy_id)
        return _toy_from_row(row)

    # -- ToyStore ----------------------------------------------------------------------------

    async def add(self, toy: Toy) -> None:
        def work() -> None:
            self._db().execute(_INSERT, _row_values(toy))

        await self._run(work)

    async def get(self, toy_id: str) -> Toy:
        return await self._run(lambda: self._select_one(toy_id))

    async def list(
        self, *, status: ManufactureStatus | None, after: PageCursor | None, limit: int
    ) -> list[Toy]:
        clauses: list[str] = []
        params: list[object] = []
        if status is not None:
            clauses.append("status = ?")
            params.append(status.value)
        if after is not None:
            clauses.append("(create_us, id) > (?, ?)")
            params.extend((_to_us(after.create_time), after.toy_id))
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        sql = f"SELECT {_COLUMNS} FROM toys {where} ORDER BY create_us, id LIMIT ?"
        params.append(limit)

        def work() -> list[Toy]:
            return [_toy_from_row(row) for row in self._db().execute(sql, params)]

        return await self._run(work)

    async def update[R](self, toy_id: str, change: Callable[[Toy], tuple[Toy | None, R]]) -> R:
        def work() -> R:
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            try:
                new, result = change(self._select_one(toy_id))
                if new is not None:
                    db.execute(_UPDATE, (*_row_values(new)[1:], toy_id))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            return result

        return await self._run(work)

    async def delete(self, toy_id: str) -> None:
        def work() -> None:
            if self._db().execute("DELETE FROM toys WHERE id = ?", (toy_id,)).rowcount == 0:
                raise ToyNotFound(toy_id)

        await self._run(work)

    async def ping(self) -> None:
        def work() -> None:
            # Read the table and take the write lock: a database that is unreadable, or locked
            # by a stuck writer for longer than the busy timeout, cannot serve callbacks.
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute("SELECT 1 FROM toys LIMIT 1").fetchall()
            finally:
                db.execute("ROLLBACK")

        await self._run(work)

    async def schema_version(self) -> int:
        """The schema version the open database is at."""
        return await self._run(lambda: int(self._db().execute("PRAGMA user_version").fetchone()[0]))

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True

        def work() -> None:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._executor, work)
        finally:
            self._executor.shutdown(wait=False)
