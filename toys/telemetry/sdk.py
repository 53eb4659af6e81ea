"""OpenTelemetry's SDK for toys-server and toyctl: providers and exporters from OTEL_*, and
the listeners of toys.telemetry.server and .client on top. Imported only when telemetry is on.

There is no OpenTelemetry instrumentation for grpclib, so the listeners are our own, built on
grpclib.events. Spans follow the RPC semantic conventions.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager

from grpclib.client import Channel
from grpclib.const import Status
from grpclib.server import Server
from opentelemetry.sdk.metrics.export import ConsoleMetricExporter, MetricExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from prometheus_client.registry import CollectorRegistry

from toys import package_version
from toys.calls.context import CallContext
from toys.core.store import ToyStore
from toys.telemetry.client import ClientTracing
from toys.telemetry.env import exporters
from toys.telemetry.http_server import HttpTracing
from toys.telemetry.registry_export import DEFAULT_INTERVAL_S, RegistryExport, interval_from
from toys.telemetry.rpc import INSTRUMENTATION
from toys.telemetry.server import ServerTracing
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
    """Traces for toys-server and toyctl on a given tracer provider; the server's metrics
    (its registry) sent to `metric_exporters` (toys.telemetry.registry_export)."""

    def __init__(
        self,
        tracer_provider: TracerProvider,
        metric_exporters: Sequence[MetricExporter] = (),
        *,
        resource: Resource | None = None,
        export_interval_s: float = DEFAULT_INTERVAL_S,
    ) -> None:
        self._tracer_provider = tracer_provider
        self._tracer = tracer_provider.get_tracer(INSTRUMENTATION, package_version())
        self._server = ServerTracing(self._tracer)
        self._http = HttpTracing(self._tracer)
        self._client = ClientTracing(self._tracer)
        self._metric_exporters = metric_exporters
        self._resource = resource or Resource.create({})
        self._export_interval_s = export_interval_s
        self._export: RegistryExport | None = None

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
        metric_exporters = [
            found
            for name in exporters(environ.get("OTEL_METRICS_EXPORTER", ""))
            if (found := _metric_exporter(name)) is not None
        ]
        return cls(
            tracer_provider,
            metric_exporters,
            resource=resource,
            export_interval_s=interval_from(environ),
        )

    def export_metrics(self, registry: CollectorRegistry) -> None:
        if self._metric_exporters and self._export is None:
            scope = InstrumentationScope(INSTRUMENTATION, package_version())
            self._export = RegistryExport(
                registry, self._metric_exporters, self._resource, scope, self._export_interval_s
            )
            self._export.start()

    def flush_metrics(self) -> None:
        """Export the metrics now (tests; shutdown does it too)."""
        if self._export is not None:
            self._export.export_now()

    def trace_http_call(
        self, call: CallContext, headers: Mapping[str, str]
    ) -> AbstractContextManager[Callable[[Status, str], None]]:
        return self._http.call(call, headers)

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
        if self._export is not None:
            self._export.shutdown()
