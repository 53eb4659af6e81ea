"""How watches end, and that many cost little: a client that reads too slowly is ended ABORTED
and resumes without a gap; a drain ends every watch at once; 200 watches all see a change."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import cast

from grpclib.client import Channel
from grpclib.config import Configuration
from grpclib.const import Status

from tests.support import T0, serving
from tests.watch_support import EventType, watching
from toys._generated.toys import v1 as pb
from toys.core.store import BulkStore
from toys.domain import NewToy, Toy, create_toy
from toys.watching.watches import STALLED_S

# The smallest HTTP/2 window a client may offer: a client that stops reading fills it soon.
SMALL_WINDOW = 2**16 - 1


def bulk(first: int, count: int) -> list[Toy]:
    return [
        create_toy(NewToy(name=f"toy-{index}"), f"toy-{index:05d}", T0)
        for index in range(first, first + count)
    ]


async def test_a_watch_that_falls_behind_is_aborted_and_resumes_without_a_gap(
    db_path: Path,
) -> None:
    async with serving(db_path, watch_max_lag=50) as (server, _):
        store = cast("BulkStore", server.store)
        config = Configuration(
            http2_connection_window_size=SMALL_WINDOW, http2_stream_window_size=SMALL_WINDOW
        )
        slow = Channel("127.0.0.1", server.port, config=config)
        try:
            async with watching(slow, send_initial=True) as watch:
                await watch.synced()
                # 1,000 new toys, far more than the client's window, and the client reads
                # nothing for a while: the server's sends stall.
                for first in range(0, 1000, 100):
                    await store.add_many(bulk(first, 100))
                await asyncio.sleep(2 * STALLED_S)  # the slow client, not a wait for a result
                received, status = await watch.ending()
            assert status is Status.ABORTED
            assert 0 < len(received) < 1000
            async with watching(slow, resume_token=received[-1].resume_token) as resumed:
                rest = await resumed.take(1000 - len(received))
        finally:
            slow.close()
    names = [e.toy.name for e in received + rest if e.toy]
    assert names == [f"toy-{index}" for index in range(1000)]


async def test_a_drain_ends_every_watch_at_once_with_unavailable(db_path: Path) -> None:
    async with (
        serving(db_path, grace_s=30) as (server, channel),
        watching(channel, send_initial=True) as first,
        watching(channel, send_initial=True) as second,
    ):
        await first.synced()
        await second.synced()
        started = time.monotonic()
        shutdown = asyncio.ensure_future(server.shutdown())
        endings = [await first.ending(), await second.ending()]
        await shutdown
        took = time.monotonic() - started
    assert [status for _, status in endings] == [Status.UNAVAILABLE] * 2
    assert took < 3  # not the 30 s grace period


async def test_a_burst_larger_than_the_lag_limit_reaches_a_reading_client(
    db_path: Path,
) -> None:
    async with (
        serving(db_path, watch_max_lag=50) as (server, channel),
        watching(channel, send_initial=True) as watch,
    ):
        await watch.synced()
        await cast("BulkStore", server.store).add_many(bulk(0, 500))
        events = await watch.take(500)
    assert [e.toy.name for e in events if e.toy] == [f"toy-{index}" for index in range(500)]


async def test_two_hundred_watches_each_see_one_change(db_path: Path) -> None:
    async with serving(db_path, max_concurrent_streams=250) as (_, channel):
        async with asyncio.TaskGroup() as opening:
            contexts = [watching(channel, send_initial=True) for _ in range(200)]
            watches = [opening.create_task(context.__aenter__()) for context in contexts]
        try:
            for watch in watches:
                await watch.result().synced()
            await pb.ToyServiceStub(channel).create_toy(pb.CreateToyRequest(name="Car"))
            events = await asyncio.gather(*(watch.result().next() for watch in watches))
        finally:
            for context in contexts:
                await context.__aexit__(None, None, None)
    assert {(EventType(e.type).name, e.toy.name if e.toy else "") for e in events} == {
        ("ADDED", "Car")
    }
