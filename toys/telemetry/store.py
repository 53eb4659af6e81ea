"""A ToyStore whose every data operation is a span, child of the call being handled."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry.trace import SpanKind, StatusCode, Tracer

from toys.core.observed_store import ObservedStore
from toys.core.store import StoreUnavailable, ToyStore


def traced_store(inner: ToyStore, tracer: Tracer, db_system: str) -> ToyStore:
    """Spans named `<db.system> <operation>`; only StoreUnavailable marks one as an error."""

    @contextmanager
    def span(operation: str) -> Iterator[None]:
        with tracer.start_as_current_span(
            f"{db_system} {operation}",
            kind=SpanKind.INTERNAL,
            attributes={"db.system": db_system, "db.operation.name": operation},
            record_exception=False,
            set_status_on_exception=False,
        ) as current:
            try:
                yield
            except StoreUnavailable as exc:  # ToyNotFound and the like are not store faults
                current.record_exception(exc)
                current.set_status(StatusCode.ERROR, exc.message)
                raise

    return ObservedStore(inner, span)
