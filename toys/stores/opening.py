"""Which store `--db` names, opened: a `postgresql://` URL is PostgreSQL (the `postgres`
extra), anything else a SQLite file (or `:memory:`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from toys.core.store import KEEP_CHANGES, BulkStore, StoreUnavailable
from toys.stores.sqlite import SqliteToyStore

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres(db: str) -> bool:
    return db.startswith(POSTGRES_SCHEMES)


def redacted(db: str) -> str:
    """`db` fit for a log line: a URL's password replaced by ***."""
    return re.sub(r"^(postgres(?:ql)?://[^:/@]*):[^@]*@", r"\1:***@", db)


@dataclass(frozen=True, slots=True)
class StoreOptions:
    pool_size: int = 10
    statement_timeout_s: float = 5.0
    migrate: bool = True
    keep_changes: int = KEEP_CHANGES  # the change log's length: how far back a watch resumes
    # Told of the schema version found, then of each one a migration applies.
    on_version: Callable[[int, int], None] | None = None


async def open_store(db: str, options: StoreOptions | None = None) -> BulkStore:
    """The store `db` names, migrated unless `options.migrate` is off; StoreUnavailable
    when it cannot be opened."""
    options = options or StoreOptions()
    if not is_postgres(db):
        return await SqliteToyStore.open(
            db,
            migrate_schema=options.migrate,
            keep_changes=options.keep_changes,
            on_version=options.on_version,
        )
    try:
        from toys.stores.postgres import PostgresToyStore
    except ImportError as exc:
        raise StoreUnavailable(
            f"--db names PostgreSQL, but its driver is not installed ({exc}): "
            'install "toy-factory[postgres]"'
        ) from None
    return await PostgresToyStore.open(
        db,
        pool_size=options.pool_size,
        statement_timeout_s=options.statement_timeout_s,
        migrate_schema=options.migrate,
        keep_changes=options.keep_changes,
        on_version=options.on_version,
    )
