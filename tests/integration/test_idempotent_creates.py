"""Idempotent creates (AIP-155) on both stores: the same request_id makes one toy, however
often and however concurrently it is sent; a different request under it is refused."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest

from tests.conftest import Backend
from tests.support import T0
from toys.core.page_tokens import PageTokens
from toys.core.service import ToyService
from toys.core.store import BulkStore
from toys.domain import NewToy, RequestIdReused
from toys.domain.requests import REMEMBER_REQUESTS


def service_on(store: BulkStore) -> ToyService:
    return ToyService(store, PageTokens(b"k" * 32))


async def test_the_same_request_twice_makes_one_toy(any_store: BulkStore) -> None:
    service = service_on(any_store)
    request_id = str(uuid.uuid4())
    first = await service.create(NewToy(name="Car"), request_id)
    again = await service.create(NewToy(name="Car"), request_id)
    assert again == first
    assert await any_store.count() == 1


async def test_the_same_request_sent_at_once_many_times_makes_one_toy(any_store: BulkStore) -> None:
    service = service_on(any_store)
    request_id = str(uuid.uuid4())
    made = await asyncio.gather(
        *(service.create(NewToy(name="Car"), request_id) for _ in range(20))
    )
    assert len({toy.id for toy in made}) == 1
    assert await any_store.count() == 1


async def test_the_same_request_on_two_replicas_at_once_makes_one_toy(backend: Backend) -> None:
    replicas = [await backend.open(), await backend.open()]
    try:
        request_id = str(uuid.uuid4())
        made = await asyncio.gather(
            *(service_on(store).create(NewToy(name="Car"), request_id) for store in replicas * 5)
        )
        assert len({toy.id for toy in made}) == 1
        assert await replicas[0].count() == 1
    finally:
        for store in replicas:
            await store.close()


async def test_a_different_request_under_a_used_request_id_is_refused(any_store: BulkStore) -> None:
    service = service_on(any_store)
    request_id = str(uuid.uuid4())
    await service.create(NewToy(name="Car"), request_id)
    with pytest.raises(RequestIdReused):
        await service.create(NewToy(name="Truck"), request_id)
    assert await any_store.count() == 1


async def test_requests_without_a_request_id_each_make_a_toy(any_store: BulkStore) -> None:
    service = service_on(any_store)
    await service.create(NewToy(name="Car"))
    await service.create(NewToy(name="Car"))
    assert await any_store.count() == 2


async def test_a_request_id_that_is_not_a_uuid_is_invalid(any_store: BulkStore) -> None:
    from toys.domain import InvalidArgument

    with pytest.raises(InvalidArgument, match="request_id"):
        await service_on(any_store).create(NewToy(name="Car"), "retry-1")


async def test_a_request_id_is_forgotten_after_a_day(any_store: BulkStore) -> None:
    """Old requests go when the store prunes (every few hundred writes): one made a day and a
    minute before the store's clock is forgotten, and the same request_id makes a new toy."""
    clock = [T0]
    service = ToyService(any_store, PageTokens(b"k" * 32), clock=lambda: clock[0])
    request_id = str(uuid.uuid4())
    await service.create(NewToy(name="Car"), request_id)
    clock[0] = T0 + REMEMBER_REQUESTS + timedelta(minutes=1)  # T0 is long past: so is T0+1d
    for index in range(600):
        await service.create(NewToy(name=f"filler-{index}"))
    again = await service.create(NewToy(name="Car"), request_id)
    assert again.name == "Car"
    assert await any_store.count() == 602
