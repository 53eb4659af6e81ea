"""One store contract, two implementations: every test here runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings

from tests.conftest import Backend
from tests.strategies import every_field_set, toys
from tests.support import T0, run_at
from toys.core.page_tokens import PageTokens
from toys.core.service import ToyService
from toys.core.store import BulkStore, PageCursor, StoreUnavailable
from toys.domain import (
    CallbackOutcome,
    ChangeKind,
    ManufactureStatus,
    NewToy,
    Toy,
    ToyNotFound,
    create_toy,
)

S = ManufactureStatus


def toy_named(name: str, minutes: int = 0) -> Toy:
    return create_toy(NewToy(name=name), f"id-{name}", T0 + timedelta(minutes=minutes))


def bump(toy: Toy) -> tuple[Toy | None, None]:
    """A change as the rules make one: the next revision."""
    return replace(
        toy, number_manufactured=toy.number_manufactured + 1, revision=toy.revision + 1
    ), None


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(toy=toys())
async def test_save_then_load_gives_the_same_toy(any_store: BulkStore, toy: Toy) -> None:
    await any_store.add(toy)
    try:
        assert await any_store.get(toy.id) == toy
    finally:
        await any_store.delete(toy.id)


async def test_every_field_survives_the_store(any_store: BulkStore) -> None:
    toy = every_field_set()
    await any_store.add(toy)
    loaded = await any_store.get(toy.id)
    for field in dataclasses.fields(Toy):
        assert getattr(loaded, field.name) == getattr(toy, field.name), field.name


async def test_list_pages_in_creation_order_with_filter(any_store: BulkStore) -> None:
    for index in range(5):
        toy = toy_named(f"t{index}", minutes=index)
        await any_store.add(replace(toy, status=S.RUNNING) if index % 2 else toy)
    first = await any_store.list(status=None, after=None, limit=2)
    assert [t.name for t in first] == ["t0", "t1"]
    rest = await any_store.list(
        status=None, after=PageCursor(first[-1].create_time, first[-1].id), limit=10
    )
    assert [t.name for t in rest] == ["t2", "t3", "t4"]
    running = await any_store.list(status=S.RUNNING, after=None, limit=10)
    assert [t.name for t in running] == ["t1", "t3"]


async def test_toys_created_at_the_same_instant_page_by_id(any_store: BulkStore) -> None:
    for name in ("b", "a", "c"):
        await any_store.add(toy_named(name))
    first = await any_store.list(status=None, after=None, limit=2)
    rest = await any_store.list(status=None, after=PageCursor(T0, first[-1].id), limit=5)
    assert [t.id for t in first + rest] == ["id-a", "id-b", "id-c"]


async def test_missing_toys_are_not_found(any_store: BulkStore) -> None:
    with pytest.raises(ToyNotFound):
        await any_store.get("nope")
    with pytest.raises(ToyNotFound):
        await any_store.delete("nope")
    with pytest.raises(ToyNotFound):
        await any_store.update("nope", lambda toy: (toy, None))


async def test_delete_removes_the_toy(any_store: BulkStore) -> None:
    await any_store.add(toy_named("Car"))
    await any_store.delete("id-Car")
    with pytest.raises(ToyNotFound):
        await any_store.get("id-Car")


async def test_a_failing_change_leaves_the_toy_untouched(any_store: BulkStore) -> None:
    await any_store.add(toy_named("Car"))

    def explode(toy: Toy) -> tuple[Toy | None, None]:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await any_store.update("id-Car", explode)
    assert (await any_store.get("id-Car")).number_manufactured == 0


async def test_concurrent_updates_lose_nothing(any_store: BulkStore) -> None:
    await any_store.add(toy_named("Car"))
    await asyncio.gather(*(any_store.update("id-Car", bump) for _ in range(200)))
    assert (await any_store.get("id-Car")).number_manufactured == 200


async def test_two_stores_on_one_database_lose_no_update(backend: Backend) -> None:
    """Two servers' stores on the same database serialise their changes to one toy."""
    first, second = await backend.open(), await backend.open()
    try:
        await first.add(toy_named("Car"))
        await asyncio.gather(
            *(store.update("id-Car", bump) for _ in range(50) for store in (first, second))
        )
        assert (await second.get("id-Car")).number_manufactured == 100
    finally:
        await first.close()
        await second.close()


async def test_a_replayed_or_stale_callback_counts_once_on_any_store(
    any_store: BulkStore,
) -> None:
    """The callbacks a toy remembers are stored with it: replays and stale runs are no-ops."""
    service = ToyService(any_store, PageTokens(await any_store.deployment_key()))
    toy = await service.create(NewToy(name="Car"))
    first = run_at("r1", S.SUCCEEDED, created=T0, units=5)
    assert (await service.report_run(toy.id, first)).outcome is CallbackOutcome.APPLIED
    assert (await service.report_run(toy.id, first)).outcome is CallbackOutcome.REPLAY
    newer = run_at("r2", S.SUCCEEDED, created=T0 + timedelta(hours=2), units=2)
    assert (await service.report_run(toy.id, newer)).outcome is CallbackOutcome.APPLIED
    older = run_at("r0", S.FAILED, created=T0 - timedelta(hours=2))
    assert (await service.report_run(toy.id, older)).outcome is CallbackOutcome.STALE
    assert (await service.report_run(toy.id, first)).outcome is CallbackOutcome.REPLAY
    assert (await any_store.get(toy.id)).number_manufactured == 7


async def test_a_page_token_from_one_server_works_on_another(backend: Backend) -> None:
    """Replicas on one database share its deployment key, so their page tokens too."""
    first, second = await backend.open(), await backend.open()
    try:
        for index in range(3):
            await first.add(toy_named(f"t{index}", minutes=index))
        one = ToyService(first, PageTokens(await first.deployment_key()))
        other = ToyService(second, PageTokens(await second.deployment_key()))
        page = await one.list(page_size=2)
        rest = await other.list(page_size=2, page_token=page.next_page_token)
        assert [t.name for t in page.toys + rest.toys] == ["t0", "t1", "t2"]
    finally:
        await first.close()
        await second.close()


async def test_bulk_operations_for_copying(any_store: BulkStore) -> None:
    await any_store.add_many([toy_named(f"t{i}", minutes=i) for i in range(30)])
    assert await any_store.count() == 30
    await any_store.clear()
    assert await any_store.count() == 0


async def test_the_health_probe_writes(any_store: BulkStore) -> None:
    await any_store.ping()
    await any_store.ping()


async def test_a_closed_store_refuses_work(any_store: BulkStore) -> None:
    await any_store.close()
    await any_store.close()
    with pytest.raises(StoreUnavailable, match="closed"):
        await any_store.get("x")


async def test_no_migrate_refuses_a_database_that_needs_migrating(backend: Backend) -> None:
    with pytest.raises(StoreUnavailable, match="run `toys-server migrate` first"):
        await backend.open(migrate=False)
    migrated = await backend.open()
    await migrated.close()
    checked = await backend.open(migrate=False)  # at the current schema: fine
    await checked.close()


async def test_every_change_is_the_next_revision(any_store: BulkStore) -> None:
    """A stored toy's revision counts its changes; a change that does not count is refused,
    since (id, revision) must name one state (the caches rely on it)."""
    await any_store.add(toy_named("Car"))
    for _ in range(3):
        await any_store.update("id-Car", bump)
    assert (await any_store.get("id-Car")).revision == 4
    with pytest.raises(AssertionError, match="kept revision"):
        await any_store.update("id-Car", lambda toy: (replace(toy, name="Other"), None))
    assert (await any_store.get("id-Car")).name == "Car"


async def test_status_summary_counts_toys_and_dates_the_longest_run(any_store: BulkStore) -> None:
    for index in range(5):
        toy = toy_named(f"t{index}", minutes=index)
        running = replace(toy, status=S.RUNNING, update_time=toy.update_time + timedelta(hours=1))
        await any_store.add(running if index in (1, 3) else toy)
    summary = await any_store.status_summary()
    assert dict(summary.counts) == {S.PENDING: 3, S.RUNNING: 2}
    assert summary.running_since == T0 + timedelta(minutes=1, hours=1)


async def test_status_summary_of_an_empty_store(any_store: BulkStore) -> None:
    summary = await any_store.status_summary()
    assert (dict(summary.counts), summary.running_since) == ({}, None)


async def test_a_toys_changes_are_read_back_oldest_first(any_store: BulkStore) -> None:
    toy = toy_named("Car")
    await any_store.add(toy)
    await any_store.add(toy_named("Other"))
    for _ in range(3):
        await any_store.update(toy.id, bump)
    changes = await any_store.changes_of(toy.id, 10)
    assert [c.kind for c in changes] == [ChangeKind.ADDED] + [ChangeKind.MODIFIED] * 3
    assert [c.toy.number_manufactured for c in changes] == [0, 1, 2, 3]
    newest = await any_store.changes_of(toy.id, 2)
    assert [c.toy.number_manufactured for c in newest] == [2, 3]


async def test_a_deleted_toys_changes_stay_readable(any_store: BulkStore) -> None:
    toy = toy_named("Car")
    await any_store.add(toy)
    await any_store.delete(toy.id)
    changes = await any_store.changes_of(toy.id, 10)
    assert [c.kind for c in changes] == [ChangeKind.ADDED, ChangeKind.DELETED]
