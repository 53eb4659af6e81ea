"""OpenTelemetry's SDK for toys-server and toyctl: providers and exporters from OTEL_*, and
the listeners of toys.telemetry.server and .client on top. Imported only when telemetry is on.

There is no OpenTelemetry instrumentation for grpclib, so the listeners are our own, built on
grpclib.events. Spans follow the RPC semantic conventions.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from contextlib import AbstractContextManager

from grpclib.client import Channel
from grpclib.server import Server
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import (
    ConsoleMetricExporter,
    MetricExporter,
    MetricReader,
    PeriodicExportingMetricReader,
)
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter

from toys import package_version
from toys.core.store import ToyStore
from toys.telemetry.client import ClientTracing
from toys.telemetry.env import exporters
from toys.telemetry.rpc import INSTRUMENTATION
from toys.telemetry.server import CallMetrics, ServerTracing
from toys.telemetry.store import traced_store

log = logging.getLogger(__name__)


def _span_exporter(name: str) -> SpanExporter | None:
    if name == "console":
        return ConsoleSpanExporter(out=sys.stderr)  # stdout carries toyctl's data
    if name == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter()
    log.warning("OTEL_TRACES_EXPORTER: unknown exporter %r ignored (otlp, console, none)", name)
    return None


def _metric_exporter(name: str) -> MetricExporter | None:
    if name == "console":
        return ConsoleMetricExporter(out=sys.stderr)
    if name == "otlp":
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

        return OTLPMetricExporter()
    log.warning("OTEL_METRICS_EXPORTER: unknown exporter %r ignored (otlp, console, none)", name)
    return None


class OtelTelemetry:
    """Traces and metrics for toys-server and toyctl, on given SDK providers."""

    def __init__(
        self, tracer_provider: TracerProvider, meter_provider: MeterProvider | None = None
    ) -> None:
        self._tracer_provider = tracer_provider
        self._meter_provider = meter_provider
        self._tracer = tracer_provider.get_tracer(INSTRUMENTATION, package_version())
        metrics = None
        if meter_provider is not None:
            meter = meter_provider.get_meter(INSTRUMENTATION, package_version())
            metrics = CallMetrics(
                duration=meter.create_histogram(
                    "rpc.server.call.duration", unit="s", description="Duration of handled calls"
                ),
                calls=meter.create_counter(
                    "toys.server.calls", unit="{call}", description="Handled calls"
                ),
            )
        self._server = ServerTracing(self._tracer, metrics)
        self._client = ClientTracing(self._tracer)

    @classmethod
    def from_environment(
        cls, default_service_name: str, environ: Mapping[str, str]
    ) -> OtelTelemetry:
        named = "OTEL_SERVICE_NAME" in environ or "service.name=" in environ.get(
            "OTEL_RESOURCE_ATTRIBUTES", ""
        )
        # Resource.create reads OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES itself.
        resource = Resource.create({} if named else {"service.name": default_service_name})
        tracer_provider = TracerProvider(resource=resource)
        for name in exporters(environ.get("OTEL_TRACES_EXPORTER", "")):
            span_exporter = _span_exporter(name)
            if span_exporter is not None:
                tracer_provider.add_span_processor(BatchSpanProcessor(span_exporter))
        readers: list[MetricReader] = []
        for name in exporters(environ.get("OTEL_METRICS_EXPORTER", "")):
            metric_exporter = _metric_exporter(name)
            if metric_exporter is not None:
                readers.append(PeriodicExportingMetricReader(metric_exporter))
        meter_provider = (
            MeterProvider(resource=resource, metric_readers=readers) if readers else None
        )
        return cls(tracer_provider, meter_provider)

    def install_server(self, server: Server) -> None:
        self._server.install(server)

    def instrument_store(self, store: ToyStore, db_system: str) -> ToyStore:
        return traced_store(store, self._tracer, db_system)

    def install_client(self, channel: Channel) -> None:
        self._client.install(channel)

    def client_span(self) -> AbstractContextManager[None]:
        return self._client.span()

    def shutdown(self) -> None:
        self._tracer_provider.shutdown()
        if self._meter_provider is not None:
            self._meter_provider.shutdown()
