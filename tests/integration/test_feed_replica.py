"""The read replica in memory (toys.watching.replica) over a real store and change feed: it
answers as the store does, and never older than the store was when the read arrived."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from toys.core.store import DelegatingStore, PageCursor, Snapshot, StoreUnavailable
from toys.domain import ManufactureStatus, NewToy, Toy, ToyNotFound, WatchFilter, create_toy
from toys.stores import sqlite
from toys.stores.sqlite import SqliteToyStore
from toys.watching.feed import ChangeFeed
from toys.watching.replica import FeedReplica, load_in_background

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def made(index: int) -> Toy:
    return create_toy(
        NewToy(name=f"toy-{index}"), f"toy-{index:05d}", T0 + timedelta(seconds=index)
    )


def running(toy: Toy) -> tuple[Toy, None]:
    return dataclasses.replace(
        toy, status=ManufactureStatus.RUNNING, revision=toy.revision + 1
    ), None


@pytest.fixture
async def feed(store: SqliteToyStore) -> AsyncIterator[ChangeFeed]:
    # Polls that never come within a test: whatever the replica reads, it reads on demand.
    opened = ChangeFeed(store, poll_interval_s=3600)
    yield opened
    opened.close()
    await opened.stopped()


async def loaded(store: SqliteToyStore, feed: ChangeFeed, max_toys: int = 1000) -> FeedReplica:
    replica = FeedReplica(store, max_toys=max_toys)
    await replica.load(feed)
    return replica


def serving(replica: FeedReplica) -> bool:
    return replica.serving


async def every_page(
    source: SqliteToyStore | FeedReplica, status: ManufactureStatus | None
) -> list[list[Toy]]:
    pages: list[list[Toy]] = []
    after: PageCursor | None = None
    while page := await source.list(status=status, after=after, limit=7):
        pages.append(page)
        after = PageCursor(page[-1].create_time, page[-1].id)
    return pages


async def test_a_loaded_replica_lists_every_page_as_the_store_does(
    store: SqliteToyStore, feed: ChangeFeed
) -> None:
    for index in range(30):
        await store.add(made(index))
    for index in range(0, 30, 3):
        await store.update(f"toy-{index:05d}", running)
    replica = await loaded(store, feed)
    assert replica.serving
    for status in (None, ManufactureStatus.RUNNING, ManufactureStatus.PENDING):
        assert await every_page(replica, status) == await every_page(store, status)


async def test_a_write_made_behind_its_back_is_read_at_once(
    store: SqliteToyStore, feed: ChangeFeed
) -> None:
    """Writes straight to the store (as another replica makes them): the very next read has
    each one, although the feed was never told (it polls once an hour here)."""
    replica = await loaded(store, feed)
    for index in range(20):
        toy = await store.add(made(index))
        assert await replica.get(toy.id) == toy
        await store.update(toy.id, running)
        assert (await replica.get(toy.id)).status is ManufactureStatus.RUNNING
        assert [
            t.id
            for t in await replica.list(status=ManufactureStatus.RUNNING, after=None, limit=100)
        ][-1] == toy.id
        await store.delete(toy.id)
        with pytest.raises(ToyNotFound):
            await replica.get(toy.id)
    assert await replica.list(status=None, after=None, limit=100) == []


async def test_changes_made_while_it_loads_are_not_lost(
    store: SqliteToyStore, feed: ChangeFeed
) -> None:
    """The feed read further than the snapshot (it started first): the replica catches up."""
    await feed.start()
    for index in range(5):
        await store.add(made(index))
    await feed.reach((await store.change_history())[1])
    replica = await loaded(store, feed)
    assert [t.id for t in await replica.list(status=None, after=None, limit=10)] == [
        f"toy-{index:05d}" for index in range(5)
    ]


async def test_more_toys_than_allowed_leave_reads_on_the_store(
    store: SqliteToyStore, feed: ChangeFeed
) -> None:
    for index in range(3):
        await store.add(made(index))
    replica = await loaded(store, feed, max_toys=3)
    assert replica.serving
    await store.add(made(3))
    assert (await replica.get("toy-00003")).name == "toy-3"
    assert not serving(replica)
    await store.add(made(4))
    assert len(await replica.list(status=None, after=None, limit=10)) == 5


async def test_a_closed_feed_leaves_reads_on_the_store(
    store: SqliteToyStore, feed: ChangeFeed
) -> None:
    replica = await loaded(store, feed)
    feed.close()
    toy = await store.add(made(1))
    assert await replica.get(toy.id) == toy


class SnapshotFailsOnce(DelegatingStore):
    def __init__(self, inner: SqliteToyStore) -> None:
        super().__init__(inner)
        self.failed = False

    def snapshot(self, watch: WatchFilter) -> AbstractAsyncContextManager[Snapshot]:
        if not self.failed:
            self.failed = True
            raise StoreUnavailable("the database is restarting")
        return super().snapshot(watch)


async def test_a_store_failing_while_it_loads_is_tried_again(
    store: SqliteToyStore, feed: ChangeFeed
) -> None:
    await store.add(made(1))
    flaky = SnapshotFailsOnce(store)
    replica = FeedReplica(flaky)
    await load_in_background(replica, feed, retry_s=0)
    assert flaky.failed
    assert serving(replica)
    assert [t.id for t in await replica.list(status=None, after=None, limit=10)] == ["toy-00001"]


async def test_changes_the_log_let_go_of_before_they_were_applied_are_read_again(
    db_path: Path, store: SqliteToyStore, feed: ChangeFeed, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process writes more than the log keeps while this server's feed sleeps: the
    replica cannot follow the log across the gap, so it loads again and misses nothing."""
    replica = await loaded(store, feed)
    monkeypatch.setattr(sqlite, "PRUNE_EVERY", 1)
    other = await SqliteToyStore.open(str(db_path), keep_changes=2)
    try:
        for index in range(6):
            await other.add(made(index))
    finally:
        await other.close()
    listed = [t.id for t in await replica.list(status=None, after=None, limit=10)]
    assert listed == [f"toy-{index:05d}" for index in range(6)]
