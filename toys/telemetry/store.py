"""A ToyStore whose every call is a span, child of the call being handled."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry.trace import SpanKind, StatusCode, Tracer

from toys.core.store import Change, DelegatingStore, PageCursor, StoreUnavailable, ToyStore
from toys.domain import ManufactureStatus, RequestKey, Toy


class TracedStore(DelegatingStore):
    """Spans named `<db.system> <operation>`; only StoreUnavailable marks one as an error."""

    def __init__(self, inner: ToyStore, tracer: Tracer, db_system: str) -> None:
        super().__init__(inner)
        self._tracer = tracer
        self._db_system = db_system

    @contextmanager
    def _span(self, operation: str) -> Iterator[None]:
        with self._tracer.start_as_current_span(
            f"{self._db_system} {operation}",
            kind=SpanKind.INTERNAL,
            attributes={"db.system": self._db_system, "db.operation.name": operation},
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            try:
                yield
            except StoreUnavailable as exc:  # ToyNotFound and the like are not store faults
                span.record_exception(exc)
                span.set_status(StatusCode.ERROR, exc.message)
                raise

    async def add(self, toy: Toy, request: RequestKey | None = None) -> Toy:
        with self._span("add"):
            return await self.inner.add(toy, request)

    async def get(self, toy_id: str) -> Toy:
        with self._span("get"):
            return await self.inner.get(toy_id)

    async def list(
        self, *, status: ManufactureStatus | None, after: PageCursor | None, limit: int
    ) -> list[Toy]:
        with self._span("list"):
            return await self.inner.list(status=status, after=after, limit=limit)

    async def update[R](self, toy_id: str, change: Change[R]) -> R:
        with self._span("update"):
            return await self.inner.update(toy_id, change)

    async def delete(self, toy_id: str) -> None:
        with self._span("delete"):
            await self.inner.delete(toy_id)

    # ping and close pass through: health probes run outside any call (no root span noise).
