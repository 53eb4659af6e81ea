"""One read of a value that changes, shared by every caller waiting at the time, and never
older than the call: a caller that arrives while a read is under way (it may have begun before
the last commit the caller knows of) waits for the next read, which every caller arriving
meanwhile shares. So N concurrent callers cost two reads, not N."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


class Latest[T]:
    def __init__(self, read: Callable[[], Awaitable[T]]) -> None:
        self._read = read
        self._running: asyncio.Future[T] | None = None  # begun before anyone waiting for next
        self._next: asyncio.Future[T] | None = None  # the read that starts when that one ends

    async def __call__(self) -> T:
        if self._running is None:
            self._running = self._start()
            return await asyncio.shield(self._running)
        if self._next is None:
            self._next = asyncio.get_running_loop().create_future()
            self._next.add_done_callback(_retrieved)
        return await asyncio.shield(self._next)

    def _start(self) -> asyncio.Future[T]:
        task = asyncio.ensure_future(self._read())
        task.add_done_callback(self._finished)
        return task

    def _finished(self, done: asyncio.Future[T]) -> None:
        _retrieved(done)
        waiting, self._next = self._next, None
        self._running = None
        if waiting is None:
            return
        self._running = self._start()
        self._running.add_done_callback(lambda read: _settle(waiting, read))


def _retrieved[T](future: asyncio.Future[T]) -> None:
    """Mark an exception as seen: the callers that awaited it have it; none may be left."""
    if not future.cancelled():
        future.exception()


def _settle[T](waiting: asyncio.Future[T], read: asyncio.Future[T]) -> None:
    if waiting.done():
        return
    if read.cancelled():
        waiting.cancel()
    elif (error := read.exception()) is not None:
        waiting.set_exception(error)
    else:
        waiting.set_result(read.result())
