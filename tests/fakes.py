"""Simple test doubles for the ToyStore port (no mocks)."""

from __future__ import annotations

import asyncio

from toys.core.store import Change, DelegatingStore, StoreUnavailable, ToyStore
from toys.domain import Toy


class GatedStore(DelegatingStore):
    """Holds every update until the test opens the gate; `entered` tells one is waiting."""

    def __init__(self, inner: ToyStore) -> None:
        super().__init__(inner)
        self.entered = asyncio.Event()
        self.gate = asyncio.Event()

    async def update[R](self, toy_id: str, change: Change[R]) -> R:
        self.entered.set()
        await self.gate.wait()
        return await self.inner.update(toy_id, change)


class BrokenGetStore(DelegatingStore):
    """A store with a bug: get raises an error that is not a ToyError."""

    async def get(self, toy_id: str) -> Toy:
        raise ZeroDivisionError("a bug, not a domain error")


class FailingPingStore(DelegatingStore):
    """A store whose health probe fails, as a full disk or a lost volume would."""

    async def ping(self) -> None:
        raise StoreUnavailable("database error: disk I/O error")


class CountingPingStore(DelegatingStore):
    """Counts the health probes that reach the store."""

    def __init__(self, inner: ToyStore) -> None:
        super().__init__(inner)
        self.pings = 0

    async def ping(self) -> None:
        self.pings += 1
        await self.inner.ping()


class CountingGatedStore(GatedStore):
    """A GatedStore that counts the updates waiting inside it; `reached` is set once `count`
    of them are in at the same time."""

    def __init__(self, inner: ToyStore, count: int) -> None:
        super().__init__(inner)
        self.inside = 0
        self.most = 0
        self._count = count
        self.reached = asyncio.Event()

    async def update[R](self, toy_id: str, change: Change[R]) -> R:
        self.inside += 1
        self.most = max(self.most, self.inside)
        if self.inside >= self._count:
            self.reached.set()
        try:
            return await super().update(toy_id, change)
        finally:
            self.inside -= 1
