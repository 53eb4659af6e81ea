"""A ToyStore whose data operations are timed into toys_store_operation_duration_seconds."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from toys.core.observed_store import ObservedStore
from toys.core.store import ToyStore
from toys.metrics.server_metrics import ServerMetrics


def timed_store(inner: ToyStore, metrics: ServerMetrics) -> ToyStore:
    observers = {
        operation: metrics.store_operation(operation)
        for operation in ("add", "get", "list", "update", "delete")
    }

    @contextmanager
    def timed(operation: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            observers[operation](time.perf_counter() - started)

    return ObservedStore(inner, timed)
