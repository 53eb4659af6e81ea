"""The change log's contract, on SQLite and on PostgreSQL: every write is one change, in commit
order; snapshots are one state; the log is pruned to its length; commits wake the feed."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import replace
from datetime import timedelta

from tests.conftest import Backend
from tests.support import T0
from toys.core.store import BulkStore, Change
from toys.domain import ChangeKind, ManufactureStatus, NewToy, Toy, WatchFilter, create_toy

S = ManufactureStatus


def toy_named(name: str, minutes: int = 0) -> Toy:
    return create_toy(NewToy(name=name), f"id-{name}", T0 + timedelta(minutes=minutes))


def to(status: ManufactureStatus) -> Change[None]:
    def change(toy: Toy) -> tuple[Toy, None]:
        return replace(toy, status=status, revision=toy.revision + 1), None

    return change


async def test_each_write_is_one_change_in_commit_order(any_store: BulkStore) -> None:
    _, head = await any_store.change_history()
    await any_store.add(toy_named("a"))
    await any_store.update("id-a", to(S.RUNNING))
    await any_store.delete("id-a")
    changes = await any_store.changes_after(head, 10)
    assert [(c.kind, c.toy.status, c.previous_status) for c in changes] == [
        (ChangeKind.ADDED, S.PENDING, None),
        (ChangeKind.MODIFIED, S.RUNNING, S.PENDING),
        (ChangeKind.DELETED, S.RUNNING, S.RUNNING),
    ]
    assert [c.toy.revision for c in changes] == [1, 2, 2]
    sequences = [c.sequence for c in changes]
    assert sequences == sorted(sequences)
    assert sequences[0] > head
    assert (await any_store.change_history())[1] == sequences[-1]


async def test_a_logged_toy_reads_back_equal_to_the_stored_one(any_store: BulkStore) -> None:
    toy = toy_named("a")
    await any_store.add(toy)
    (change,) = await any_store.changes_after(0, 10)
    assert change.toy == toy == await any_store.get(toy.id)


async def test_a_failed_write_leaves_no_change(any_store: BulkStore) -> None:
    await any_store.add(toy_named("a"))
    _, head = await any_store.change_history()

    def refuse(toy: Toy) -> tuple[Toy, None]:
        raise RuntimeError("the rule refused")

    with contextlib.suppress(RuntimeError):
        await any_store.update("id-a", refuse)
    assert await any_store.changes_after(head, 10) == []


async def test_a_snapshot_is_one_state_while_writes_go_on(any_store: BulkStore) -> None:
    for index in range(5):
        await any_store.add(toy_named(f"t{index}", index))
    async with any_store.snapshot(WatchFilter()) as snapshot:
        first = await snapshot.next_toys(2)
        await any_store.add(toy_named("late", 10))
        await any_store.delete("id-t4")
        rest = await snapshot.next_toys(100)
        assert await snapshot.next_toys(100) == []
    assert [t.name for t in first + rest] == ["t0", "t1", "t2", "t3", "t4"]
    later = await any_store.changes_after(snapshot.sequence, 10)
    assert [(c.kind, c.toy.name) for c in later] == [
        (ChangeKind.ADDED, "late"),
        (ChangeKind.DELETED, "t4"),
    ]


async def test_a_snapshot_selects_by_status_and_by_id(any_store: BulkStore) -> None:
    for name in ("a", "b", "c"):
        await any_store.add(toy_named(name))
    await any_store.update("id-b", to(S.FAILED))
    async with any_store.snapshot(WatchFilter(status=S.PENDING)) as pending:
        assert [t.name for t in await pending.next_toys(10)] == ["a", "c"]
    async with any_store.snapshot(WatchFilter(toy_id="id-c")) as one:
        assert [t.name for t in await one.next_toys(10)] == ["c"]


async def test_the_log_keeps_its_newest_changes(backend: Backend) -> None:
    store = await backend.open(keep_changes=10)
    try:
        await store.add_many([toy_named(f"t{index}") for index in range(600)])
        await store.add(toy_named("last"))
        floor, head = await store.change_history()
        kept = await store.changes_after(floor, 1000)
        assert 10 <= len(kept) < 600
        assert kept[-1].sequence == head
        assert kept[-1].toy.name == "last"
    finally:
        await store.close()


async def test_a_watch_from_before_a_clear_cannot_miss_it(any_store: BulkStore) -> None:
    """SQLite forgets the log (a token from before is too old: re-list); PostgreSQL's trigger
    logs each toy DELETED."""
    await any_store.add(toy_named("a"))
    _, before = await any_store.change_history()
    await any_store.clear()
    floor, _ = await any_store.change_history()
    after_clear = [c.kind for c in await any_store.changes_after(before, 10)]
    assert floor >= before or after_clear == [ChangeKind.DELETED]


async def test_a_commit_on_another_store_wakes_a_waiter(backend: Backend) -> None:
    """Two stores on one database: two servers (on PostgreSQL, two replicas)."""
    waiting, writing = await backend.open(), await backend.open()
    try:
        await waiting.wait_for_changes(0.01)  # PostgreSQL: starts listening
        await waiting.wait_for_changes(0.01)
        started = time.monotonic()
        # SQLite sees another process's commits only at the timeout (the feed polls).
        timeout = 5 if backend.kind == "postgres" else 0.2
        waiter = asyncio.ensure_future(waiting.wait_for_changes(timeout))
        await asyncio.sleep(0)
        await writing.add(toy_named("a"))
        await waiter
        woken_after = time.monotonic() - started
        if backend.kind == "postgres":
            assert woken_after < 2
        assert [c.toy.name for c in await waiting.changes_after(0, 10)] == ["a"]
    finally:
        await waiting.close()
        await writing.close()


async def test_a_commit_on_the_same_store_wakes_its_waiter_at_once(any_store: BulkStore) -> None:
    await any_store.wait_for_changes(0.01)
    await any_store.wait_for_changes(0.01)
    started = time.monotonic()
    waiter = asyncio.ensure_future(any_store.wait_for_changes(10))
    await asyncio.sleep(0)
    await any_store.add(toy_named("a"))
    await waiter
    assert time.monotonic() - started < 2
