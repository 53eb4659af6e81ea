"""Simple test doubles for the ToyStore port (no mocks)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from toys.domain import ManufactureStatus, StoreUnavailable, Toy
from toys.store import PageCursor, ToyStore


class DelegatingStore:
    """Passes every call to a real store; subclasses override what a test needs."""

    def __init__(self, inner: ToyStore) -> None:
        self.inner = inner

    async def add(self, toy: Toy) -> None:
        await self.inner.add(toy)

    async def get(self, toy_id: str) -> Toy:
        return await self.inner.get(toy_id)

    async def list(
        self, *, status: ManufactureStatus | None, after: PageCursor | None, limit: int
    ) -> list[Toy]:
        return await self.inner.list(status=status, after=after, limit=limit)

    async def update[R](self, toy_id: str, change: Callable[[Toy], tuple[Toy | None, R]]) -> R:
        return await self.inner.update(toy_id, change)

    async def delete(self, toy_id: str) -> None:
        await self.inner.delete(toy_id)

    async def ping(self) -> None:
        await self.inner.ping()

    async def close(self) -> None:
        await self.inner.close()


class GatedStore(DelegatingStore):
    """Holds every update until the test opens the gate; `entered` tells one is waiting."""

    def __init__(self, inner: ToyStore) -> None:
        super().__init__(inner)
        self.entered = asyncio.Event()
        self.gate = asyncio.Event()

    async def update[R](self, toy_id: str, change: Callable[[Toy], tuple[Toy | None, R]]) -> R:
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
