"""A WatchToys client for tests: open a watch, read its events one by one within a bound,
and read the status it ended with."""

from __future__ import annotations

import asyncio
import queue
import subprocess
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from grpclib.client import Channel, Stream
from grpclib.const import Cardinality, Status
from grpclib.exceptions import GRPCError, StreamTerminatedError

from toys._generated.toys import v1 as pb

BOUND_S = 10.0  # no event below is expected to take more than a fraction of this
EventType = pb.WatchEventType


class Watch:
    def __init__(self, stream: Stream[Any, Any]) -> None:
        self._stream = stream
        self.ended = False

    async def next(self, timeout_s: float = BOUND_S) -> pb.WatchToysResponse:
        try:
            async with asyncio.timeout(timeout_s):
                event = await self._stream.recv_message()
        except StreamTerminatedError:
            self.ended = True
            # grpclib cancelled this task to end the stream and did not uncancel it.
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                task.uncancel()
            raise
        assert event is not None, "the watch ended"
        return event  # type: ignore[no-any-return]

    async def synced(self) -> list[pb.WatchToysResponse]:
        """The initial events (send_initial) up to SYNCED, which is left out."""
        events = []
        while (event := await self.next()).type != EventType.SYNCED:
            events.append(event)
        return events

    async def until_lost(self) -> list[pb.WatchToysResponse]:
        """The events still to come before the connection is lost (which it must be)."""
        events = []
        while True:
            try:
                events.append(await self.next())
            except StreamTerminatedError:
                return events

    async def take(self, count: int) -> list[pb.WatchToysResponse]:
        return [await self.next() for _ in range(count)]

    async def ending(self, timeout_s: float = BOUND_S) -> tuple[list[pb.WatchToysResponse], Status]:
        """The events still to come, and the status the watch ends with."""
        events = []
        async with asyncio.timeout(timeout_s):
            try:
                while (event := await self._stream.recv_message()) is not None:
                    events.append(event)
                await self._stream.recv_trailing_metadata()
            except GRPCError as exc:
                return events, exc.status
            finally:
                self.ended = True
        return events, Status.OK


@asynccontextmanager
async def watching(channel: Channel, **request: Any) -> AsyncIterator[Watch]:
    """A watch as `request` asks. A watch "from now" starts when the server gets to it, which
    a client cannot observe: tests that count on it start with send_initial and `synced()`."""
    async with channel.request(
        "/toys.v1.ToyService/WatchToys",
        Cardinality.UNARY_STREAM,
        pb.WatchToysRequest,
        pb.WatchToysResponse,
    ) as stream:
        await stream.send_message(pb.WatchToysRequest(**request), end=True)
        watch = Watch(stream)
        yield watch
        if not watch.ended:  # leaving a live stream would wait for its end: cancel it
            await stream.cancel()


def names(events: list[pb.WatchToysResponse]) -> list[tuple[str, str]]:
    """(event type, toy name) of each event, in order."""
    return [(EventType(e.type).name, e.toy.name if e.toy else "") for e in events]


class Lines:
    """A running command's stdout, a line at a time, each within a bound."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self._lines: queue.Queue[str] = queue.Queue()
        self.proc = proc
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line)

    def next(self) -> str:
        return self._lines.get(timeout=BOUND_S)
