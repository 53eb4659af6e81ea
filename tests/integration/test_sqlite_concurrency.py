"""SQLite under contention: servers opening one new file at once, reads beside a held write
lock, one deployment key per database."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

from tests.support import T0
from toys.domain import NewToy, create_toy
from toys.stores.sqlite import SqliteToyStore

TRIALS = 30


async def test_servers_opening_a_new_file_at_once_all_start(tmp_path: Path) -> None:
    """Two stores migrate the same fresh file together, thirty times: neither ever fails."""
    for trial in range(TRIALS):
        path = str(tmp_path / f"race-{trial}.db")
        stores = await asyncio.gather(SqliteToyStore.open(path), SqliteToyStore.open(path))
        try:
            keys = {await store.deployment_key() for store in stores}
            assert len(keys) == 1  # migrated once: one key
        finally:
            for store in stores:
                await store.close()


async def test_reads_do_not_wait_for_a_write_lock_held_elsewhere(db_path: Path) -> None:
    """Another process mid-write: get and list answer at once, long before the busy timeout."""
    store = await SqliteToyStore.open(str(db_path), busy_timeout_s=60)
    toy = create_toy(NewToy(name="Car"), "toy-1", T0)
    await store.add(toy)
    with closing(sqlite3.connect(db_path, isolation_level=None)) as holder:
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("UPDATE toys SET name = 'Held' WHERE id = 'toy-1'")
        try:
            # Bounded well below the 60 s a queued read would wait.
            got = await asyncio.wait_for(store.get("toy-1"), timeout=10)
            listed = await asyncio.wait_for(store.list(status=None, after=None, limit=5), 10)
        finally:
            holder.execute("ROLLBACK")
            await store.close()
    assert got.name == "Car"  # the last committed state
    assert [t.id for t in listed] == ["toy-1"]


async def test_the_deployment_key_survives_reopening(db_path: Path) -> None:
    """The key is the database's, not the process's: page tokens outlive a restart."""
    first = await SqliteToyStore.open(str(db_path))
    key = await first.deployment_key()
    await first.close()
    second = await SqliteToyStore.open(str(db_path))
    try:
        assert await second.deployment_key() == key
        assert len(key) == 32
    finally:
        await second.close()
