"""A ToyStore whose data operations are timed into toys_store_operation_duration_seconds.

Timed inline rather than through ObservedStore's context managers: a generator-based context
manager costs a few microseconds a call, which every GetToy would pay."""

from __future__ import annotations

from time import perf_counter

from toys.core.store import Change, DelegatingStore, PageCursor, ToyStore
from toys.domain import ManufactureStatus, RequestKey, Toy
from toys.metrics.server_metrics import ServerMetrics


class TimedStore(DelegatingStore):
    def __init__(self, inner: ToyStore, metrics: ServerMetrics) -> None:
        super().__init__(inner)
        self._add = metrics.store_operation("add")
        self._get = metrics.store_operation("get")
        self._list = metrics.store_operation("list")
        self._update = metrics.store_operation("update")
        self._delete = metrics.store_operation("delete")

    async def add(self, toy: Toy, request: RequestKey | None = None) -> Toy:
        started = perf_counter()
        try:
            return await self.inner.add(toy, request)
        finally:
            self._add(perf_counter() - started)

    async def get(self, toy_id: str) -> Toy:
        started = perf_counter()
        try:
            return await self.inner.get(toy_id)
        finally:
            self._get(perf_counter() - started)

    async def list(
        self, *, status: ManufactureStatus | None, after: PageCursor | None, limit: int
    ) -> list[Toy]:
        started = perf_counter()
        try:
            return await self.inner.list(status=status, after=after, limit=limit)
        finally:
            self._list(perf_counter() - started)

    async def update[R](self, toy_id: str, change: Change[R]) -> R:
        started = perf_counter()
        try:
            return await self.inner.update(toy_id, change)
        finally:
            self._update(perf_counter() - started)

    async def delete(self, toy_id: str) -> None:
        started = perf_counter()
        try:
            await self.inner.delete(toy_id)
        finally:
            self._delete(perf_counter() - started)


def timed_store(inner: ToyStore, metrics: ServerMetrics) -> ToyStore:
    return TimedStore(inner, metrics)
