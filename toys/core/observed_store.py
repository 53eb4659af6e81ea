"""A ToyStore whose data operations each run inside a context of the caller's choosing: a span
(toys.telemetry.store), a timer (toys.metrics)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

from toys.core.store import Change, DelegatingStore, PageCursor, ToyStore
from toys.domain import ManufactureStatus, RequestKey, Toy


class ObservedStore(DelegatingStore):
    """`around(operation)` wraps add, get, list, update and delete; ping, the change log and
    the rest pass through (health probes and the feed run outside any call)."""

    def __init__(
        self, inner: ToyStore, around: Callable[[str], AbstractContextManager[object]]
    ) -> None:
        super().__init__(inner)
        self._around = around

    async def add(self, toy: Toy, request: RequestKey | None = None) -> Toy:
        with self._around("add"):
            return await self.inner.add(toy, request)

    async def get(self, toy_id: str) -> Toy:
        with self._around("get"):
            return await self.inner.get(toy_id)

    async def list(
        self, *, status: ManufactureStatus | None, after: PageCursor | None, limit: int
    ) -> list[Toy]:
        with self._around("list"):
            return await self.inner.list(status=status, after=after, limit=limit)

    async def update[R](self, toy_id: str, change: Change[R]) -> R:
        with self._around("update"):
            return await self.inner.update(toy_id, change)

    async def delete(self, toy_id: str) -> None:
        with self._around("delete"):
            await self.inner.delete(toy_id)
