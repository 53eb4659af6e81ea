"""The server's metrics: one registry, one list of what is measured, read by Prometheus at
/metrics (and, with OpenTelemetry on, exported from the same registry; toys.metrics.export).

What each call adds is two dictionary lookups and two increments (~2 µs); what the store and
the connections hold is read when scraped, never kept up to date on the hot path.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from grpclib.const import Status
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from toys.calls.context import CallContext
from toys.core.store import StatusSummary
from toys.domain import ManufactureStatus
from toys.transport.admission import ConnectionGuard

CALLBACK_METHOD = "UpdateManufactureStatus"
# Calls take ~0.3 ms to seconds (a watch: as long as it is open, not measured here).
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
STREAMING = frozenset({"WatchToys"})


class ServerMetrics:
    """Everything /metrics shows, in `registry`."""

    def __init__(self, version: str) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        Info("toys_build", "The server's release", registry=r).info({"version": version})
        self.calls = Counter(
            "toys_rpc_calls",
            "Calls handled, by method, status code (gRPC's names) and port",
            ["method", "code", "wire"],
            registry=r,
        )
        self.latency = Histogram(
            "toys_rpc_duration_seconds",
            "How long unary calls took, by method and port",
            ["method", "wire"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.callbacks = Counter(
            "toys_callbacks",
            "Argo callbacks by outcome: applied, replay, stale, refused (any error)",
            ["outcome"],
            registry=r,
        )
        self.store_latency = Histogram(
            "toys_store_operation_duration_seconds",
            "How long store operations took",
            ["operation"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.ready = Gauge("toys_ready", "1 while the server takes calls, else 0", registry=r)
        self._call_children: dict[tuple[str, str, str], tuple[Counter, Histogram | None]] = {}

    # -- per call ------------------------------------------------------------------------------

    def finished(self, call: CallContext, status: Status) -> None:
        """`call` ended with `status` (an observer of both ports' calls)."""
        method = call.method.rpartition("/")[2]
        key = (method, status.name, call.wire)
        children = self._call_children.get(key)
        if children is None:
            latency = None if method in STREAMING else self.latency.labels(method, call.wire)
            children = (self.calls.labels(method, status.name, call.wire), latency)
            self._call_children[key] = children
        children[0].inc()
        if children[1] is not None:
            children[1].observe(time.perf_counter() - call.started)
        if method == CALLBACK_METHOD:
            outcome = call.outcome.lower() if status is Status.OK and call.outcome else "refused"
            self.callbacks.labels(outcome).inc()

    def store_operation(self, operation: str) -> Callable[[float], None]:
        """What records one `operation`'s duration in seconds."""
        return self.store_latency.labels(operation).observe

    # -- read when scraped ---------------------------------------------------------------------

    def watch_state(
        self,
        *,
        guard: ConnectionGuard,
        watchers: Callable[[], int],
        summary: Callable[[], StatusSummary | None],
    ) -> None:
        """Report, at each scrape, the connections `guard` holds, the watches open and the
        latest summary of the store."""
        self.registry.register(_StateCollector(guard, watchers, summary))


class _StateCollector(Collector):
    def __init__(
        self,
        guard: ConnectionGuard,
        watchers: Callable[[], int],
        summary: Callable[[], StatusSummary | None],
    ) -> None:
        self._guard = guard
        self._watchers = watchers
        self._summary = summary

    def describe(self) -> Iterator[Metric]:
        return iter(())  # collected on demand; nothing to check at registration

    def collect(self) -> Iterator[Metric]:
        guard = self._guard
        yield GaugeMetricFamily(
            "toys_connections", "Connections open (both ports)", value=len(guard.open)
        )
        yield CounterMetricFamily(
            "toys_connections_refused",
            "Connections refused at a limit (per address, handshakes, full server)",
            value=guard.refused,
        )
        yield CounterMetricFamily(
            "toys_connections_shed",
            "Idle connections closed to make room for newcomers",
            value=guard.shed,
        )
        yield GaugeMetricFamily("toys_watchers", "WatchToys streams open", value=self._watchers())
        summary = self._summary()
        if summary is None:
            return
        toys = GaugeMetricFamily("toys_toys", "Toys by status", labels=["status"])
        for status in ManufactureStatus:
            toys.add_metric([status.name], summary.counts.get(status, 0))
        yield toys
        age = 0.0
        if summary.running_since is not None:
            age = max(0.0, (datetime.now(UTC) - summary.running_since).total_seconds())
        yield GaugeMetricFamily(
            "toys_longest_running_seconds",
            "How long the toy RUNNING longest has been running (0: none runs)",
            value=age,
        )
