"""The server's one set of metrics (toys.metrics, a prometheus-client registry) sent to
OpenTelemetry's metric exporters (OTLP, console) as they are, so that /metrics and OTLP show
the same numbers from the same counters: no second list of instruments to keep in step.

Every OTEL_METRIC_EXPORT_INTERVAL milliseconds (60 s by default, as OpenTelemetry's own
reader), a thread reads the registry and hands the exporters the families converted to
OpenTelemetry's data model: counters as cumulative monotonic sums, gauges and info as gauges,
histograms as cumulative explicit-bucket histograms (prometheus-client keeps no min or max:
they are sent as the SDK sends them when it does not record them, +inf and -inf).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from opentelemetry.sdk.metrics.export import (
    AggregationTemporality,
    Gauge,
    Histogram,
    HistogramDataPoint,
    Metric,
    MetricExporter,
    MetricsData,
    NumberDataPoint,
    ResourceMetrics,
    ScopeMetrics,
    Sum,
)
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from prometheus_client.registry import CollectorRegistry
from prometheus_client.samples import Sample

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_S = 60.0


def _number_points(samples: Iterable[Sample], start: int, now: int) -> list[NumberDataPoint]:
    return [NumberDataPoint(dict(s.labels), start, now, s.value) for s in samples]


@dataclass
class _Series:
    """One labelled histogram: its cumulative buckets (le, count), count and sum."""

    buckets: list[tuple[float, float]] = field(default_factory=list)
    count: float = 0.0
    sum: float = 0.0


def _histogram_points(samples: Sequence[Sample], start: int, now: int) -> list[HistogramDataPoint]:
    series: dict[tuple[tuple[str, str], ...], _Series] = {}
    for sample in samples:
        labels = tuple(sorted((k, v) for k, v in sample.labels.items() if k != "le"))
        one = series.setdefault(labels, _Series())
        if sample.name.endswith("_bucket"):
            one.buckets.append((float(sample.labels["le"]), sample.value))
        elif sample.name.endswith("_count"):
            one.count = sample.value
        elif sample.name.endswith("_sum"):
            one.sum = sample.value
    points = []
    for labels, one in series.items():
        counts, before = [], 0.0
        for _, seen in sorted(one.buckets):
            counts.append(int(seen - before))  # OpenTelemetry counts each bucket on its own
            before = seen
        points.append(
            HistogramDataPoint(
                dict(labels),
                start,
                now,
                count=int(one.count),
                sum=one.sum,
                bucket_counts=counts,
                explicit_bounds=[le for le, _ in sorted(one.buckets) if math.isfinite(le)],
                min=math.inf,
                max=-math.inf,
            )
        )
    return points


def metrics_data(
    registry: CollectorRegistry, resource: Resource, scope: InstrumentationScope, start: int
) -> MetricsData:
    """What `registry` holds now, as OpenTelemetry metrics since `start` (ns)."""
    now = time.time_ns()
    metrics = []
    for family in registry.collect():
        data: Sum | Gauge | Histogram
        if family.type == "counter":
            totals = [s for s in family.samples if s.name.endswith("_total")]
            data = Sum(_number_points(totals, start, now), AggregationTemporality.CUMULATIVE, True)
        elif family.type in ("gauge", "info"):
            data = Gauge(_number_points(family.samples, start, now))
        elif family.type == "histogram":
            points = _histogram_points(family.samples, start, now)
            data = Histogram(points, AggregationTemporality.CUMULATIVE)
        else:
            continue
        metrics.append(Metric(family.name, family.documentation, family.unit or None, data))
    return MetricsData([ResourceMetrics(resource, [ScopeMetrics(scope, metrics, "")], "")])


class RegistryExport:
    """Sends `registry` to `exporters` every `interval_s`, and once more at shutdown."""

    def __init__(
        self,
        registry: CollectorRegistry,
        exporters: Sequence[MetricExporter],
        resource: Resource,
        scope: InstrumentationScope,
        interval_s: float = DEFAULT_INTERVAL_S,
    ) -> None:
        self._registry = registry
        self._exporters = exporters
        self._resource = resource
        self._scope = scope
        self._interval_s = interval_s
        self._start = time.time_ns()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="toys-metrics-export", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def export_now(self) -> None:
        data = metrics_data(self._registry, self._resource, self._scope, self._start)
        for exporter in self._exporters:
            try:
                exporter.export(data)
            except Exception:  # an exporter's failure must not stop the others, or the server
                log.exception("exporting metrics failed")

    def _run(self) -> None:
        while not self._stop.wait(self._interval_s):
            self.export_now()

    def shutdown(self) -> None:
        if self._thread.is_alive():
            self._stop.set()
            self._thread.join(5)
        self.export_now()
        for exporter in self._exporters:
            exporter.shutdown()


def interval_from(environ: Mapping[str, str]) -> float:
    """OTEL_METRIC_EXPORT_INTERVAL (milliseconds) in seconds."""
    try:
        return max(float(environ["OTEL_METRIC_EXPORT_INTERVAL"]) / 1000, 1.0)
    except (KeyError, ValueError):
        return DEFAULT_INTERVAL_S
