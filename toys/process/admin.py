"""`toys-server migrate` and `toys-server copy`: the store's administration, one shot each.

migrate applies the schema migrations and exits, for a Kubernetes Job or init container, so
that servers can start with --no-migrate. copy moves every toy, with the callbacks it
remembers, from one store to another (SQLite to PostgreSQL, or back).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from toys.core.store import BulkStore, PageCursor
from toys.domain import ToyError
from toys.stores.opening import StoreOptions, open_store, redacted

COPY_BATCH = 500


async def _migrate(db: str) -> int:
    store = await open_store(db, StoreOptions(migrate=True))
    await store.close()
    print(f"toys-server migrate: {redacted(db)} is at the current schema")
    return 0


async def copy_toys(source: BulkStore, target: BulkStore) -> int:
    """Every toy of `source` into `target`, in creation order; returns how many."""
    copied = 0
    after: PageCursor | None = None
    while True:
        batch = await source.list(status=None, after=after, limit=COPY_BATCH)
        if not batch:
            return copied
        await target.add_many(batch)
        copied += len(batch)
        after = PageCursor(batch[-1].create_time, batch[-1].id)


async def _copy(source_db: str, target_db: str, *, force: bool) -> int:
    source = await open_store(source_db)
    try:
        target = await open_store(target_db)
        try:
            present = await target.count()
            if present and not force:
                print(
                    f"toys-server copy: {redacted(target_db)} already holds {present} toys; "
                    "nothing was copied (pass --force to replace them)",
                    file=sys.stderr,
                )
                return 1
            if present:
                await target.clear()
            copied = await copy_toys(source, target)
            if await target.count() != copied:
                print("toys-server copy: the target's count disagrees; run again", file=sys.stderr)
                return 1
        finally:
            await target.close()
    finally:
        await source.close()
    print(f"toys-server copy: {copied} toys from {redacted(source_db)} to {redacted(target_db)}")
    return 0


def main(command: str, argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog=f"toys-server {command}")
    if command == "migrate":
        parser.description = "Bring the database's schema up to date, then exit."
        parser.add_argument("--db", required=True, help="SQLite file or postgresql:// URL")
    else:
        parser.description = (
            "Copy every toy (and the callbacks each remembers) between stores, either way. "
            "A target that already holds toys is left alone unless --force replaces them."
        )
        parser.add_argument("--from", dest="source", required=True, metavar="DB")
        parser.add_argument("--to", dest="target", required=True, metavar="DB")
        parser.add_argument("--force", action="store_true", help="replace the target's toys")
    args = parser.parse_args(argv)
    try:
        if command == "migrate":
            return asyncio.run(_migrate(args.db))
        return asyncio.run(_copy(args.source, args.target, force=args.force))
    except ToyError as exc:
        print(f"toys-server {command}: {exc.message}", file=sys.stderr)
        return 1
