"""grpc.health.v1's view of the server: readiness (store and drain) for "" and
toys.v1.ToyService, and a liveness name that checks nothing."""

from __future__ import annotations

import asyncio
from typing import Any

from grpclib.health.check import CheckBase

from toys.core.readiness import Readiness


class _Liveness:
    """A name for grpc.health.v1 without checks: SERVING while the process answers at all.
    Kubernetes' liveness probe asks for it; readiness asks for "" (store and drain)."""

    def __mapping__(self) -> dict[str, Any]:
        return {"/liveness/Check": None}


LIVENESS = _Liveness()


class ReadinessCheck(CheckBase):
    """grpc.health.v1's view of a Readiness; while someone watches, the store is re-probed
    every interval so that the watch sees changes."""

    def __init__(self, readiness: Readiness) -> None:
        self._readiness = readiness
        self._poller: asyncio.Task[None] | None = None
        self._events: set[asyncio.Event] = set()

    def __status__(self) -> bool:
        return self._readiness.serving

    async def __check__(self) -> bool:
        return await self._readiness.refresh()

    async def __subscribe__(self) -> asyncio.Event:
        event = self._readiness.subscribe()
        self._events.add(event)
        if self._poller is None:
            self._poller = asyncio.create_task(self._poll())
        return event

    async def __unsubscribe__(self, event: asyncio.Event) -> None:
        self._readiness.unsubscribe(event)
        self._events.discard(event)
        if not self._events and self._poller is not None:
            self._poller.cancel()
            self._poller = None

    async def _poll(self) -> None:
        while True:
            await self._readiness.refresh()
            await asyncio.sleep(max(self._readiness.interval_s, 0.5))
