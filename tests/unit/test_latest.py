"""toys.core.latest: concurrent callers share reads, and none gets a read begun before it."""

from __future__ import annotations

import asyncio

import pytest

from toys.core.latest import Latest


class Reads:
    """A read that returns how many reads had begun, and ends when the test says so."""

    def __init__(self) -> None:
        self.begun = 0
        self.release = asyncio.Event()

    async def __call__(self) -> int:
        self.begun += 1
        number = self.begun
        await self.release.wait()
        return number


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_callers_arriving_during_a_read_share_the_next_one() -> None:
    reads = Reads()
    latest = Latest(reads)
    first = asyncio.create_task(latest())
    await settle()
    later = [asyncio.create_task(latest()) for _ in range(50)]
    await settle()
    reads.release.set()
    assert await first == 1
    assert await asyncio.gather(*later) == [2] * 50
    assert reads.begun == 2


async def test_a_caller_after_a_read_ended_gets_a_new_read() -> None:
    reads = Reads()
    reads.release.set()
    latest = Latest(reads)
    assert [await latest(), await latest()] == [1, 2]


async def test_a_failed_read_fails_every_caller_that_shared_it() -> None:
    async def failing() -> int:
        await asyncio.sleep(0)
        raise OSError("down")

    latest = Latest(failing)
    results = await asyncio.gather(*(latest() for _ in range(3)), return_exceptions=True)
    assert all(isinstance(result, OSError) for result in results)


async def test_a_cancelled_caller_leaves_the_shared_read_to_the_others() -> None:
    reads = Reads()
    latest = Latest(reads)
    first = asyncio.create_task(latest())
    await settle()
    quitter, stayer = asyncio.create_task(latest()), asyncio.create_task(latest())
    await settle()
    quitter.cancel()
    reads.release.set()
    assert await first == 1
    assert await stayer == 2
    with pytest.raises(asyncio.CancelledError):
        await quitter
