"""`toys-server backup`: a consistent copy of a SQLite store, running server or not.

SQLite's online backup API copies the database page by page from a connection that may only
read, into a temporary file beside the target; the copy is integrity-checked, flushed to disk
and only then renamed to the target, so that the target is always either absent, the old
file, or a whole, checked backup. A torn copy of a WAL database (what `cp` can make while a
server writes) is never the result. Restore with `toys-server copy --from BACKUP --to DB`.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from toys.process.admin.progress import progress
from toys.process.admin.refusals import AdminExit, Refused
from toys.stores.opening import is_postgres
from toys.stores.sqlite import MEMORY

PAGES_PER_STEP = 1024


def backup(db: str, to: Path, *, force: bool) -> int:
    """Back up the SQLite store `db` to `to`; returns the pages copied. Refused for a source
    that does not exist, a target that does (unless `force`), or a PostgreSQL store."""
    if is_postgres(db):
        raise Refused(
            AdminExit.USAGE,
            "backup is for SQLite; for PostgreSQL use pg_dump (README: Backups and restores)",
        )
    if db == MEMORY or not Path(db).exists():
        raise Refused(AdminExit.NO_SOURCE, f"{db} does not exist; nothing was backed up")
    if to.exists() and not force:
        raise Refused(
            AdminExit.TARGET_HOLDS_DATA,
            f"{to} exists; nothing was backed up (pass --force to replace it)",
        )
    if to.exists() and to.resolve() == Path(db).resolve():
        raise Refused(AdminExit.SAME_DATABASE, f"{to} is the database itself")
    partial = to.with_name(f".{to.name}.{os.getpid()}.partial")
    try:
        pages = _copy(db, partial)
        _check(partial)
        _fsync(partial)
        os.replace(partial, to)
        _fsync(to.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return pages


def _copy(db: str, to: Path) -> int:
    source = sqlite3.connect(f"file:{db}?mode=rw", uri=True)  # never creates the file
    target = sqlite3.connect(to)
    try:
        source.execute("PRAGMA query_only = ON")
        total = source.execute("PRAGMA page_count").fetchone()[0]
        with progress("backing up", total, "pages") as tally:

            def step(status: int, remaining: int, pages: int) -> None:
                tally.total = pages
                tally.advance(pages - remaining - tally.done)

            source.backup(target, pages=PAGES_PER_STEP, progress=step)
        return int(target.execute("PRAGMA page_count").fetchone()[0])
    finally:
        target.close()
        source.close()


def _check(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        conn.execute("PRAGMA journal_mode = DELETE")  # one file: nothing beside it to lose
    finally:
        conn.close()
    if result != "ok":
        raise RuntimeError(f"the copy failed its integrity check: {result}")


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
