"""OpenTelemetry for grpclib, built on grpclib.events (there is no instrumentation library for it).

Server: `RecvRequest` starts a SERVER span whose parent comes from the request's W3C
`traceparent` and makes it current while the handler runs; `SendTrailingMetadata` records the
status and ends it. Client: each toyctl command is a CLIENT span, and `SendRequest` injects
its context into the request metadata. Spans follow the RPC semantic conventions; only server
faults (UNKNOWN, INTERNAL, UNAVAILABLE, DEADLINE_EXCEEDED, DATA_LOSS, UNIMPLEMENTED) mark a span
as an error. Imported only when telemetry is on (see toys.telemetry).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from grpclib.client import Channel
from grpclib.const import Status
from grpclib.events import (
    RecvRequest,
    RecvTrailingMetadata,
    SendRequest,
    SendTrailingMetadata,
    listen,
)
from grpclib.exceptions import GRPCError
from grpclib.server import Server, Stream
from opentelemetry import context as otel_context
from opentelemetry import trace
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
from opentelemetry.trace import Span, SpanKind, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from toys import package_version
from toys.calls import SERVER_FAULT_STATUSES, current_call
from toys.domain import ManufactureStatus, StoreUnavailable, Toy
from toys.store import PageCursor, ToyStore
from toys.telemetry import exporters

log = logging.getLogger(__name__)

INSTRUMENTATION = "toy-factory"


def _split(method_name: str) -> tuple[str, str]:
    """'/toys.v1.ToyService/GetToy' -> ('toys.v1.ToyService', 'GetToy')."""
    service, _, method = method_name.lstrip("/").partition("/")
    return service, method


def _rpc_attributes(method_name: str) -> dict[str, str]:
    service, method = _split(method_name)
    return {"rpc.system": "grpc", "rpc.service": service, "rpc.method": method}


def _record_status(span: Span, status: Status, message: str | None) -> None:
    span.set_attribute("rpc.grpc.status_code", status.value)
    if status in SERVER_FAULT_STATUSES:
        span.set_status(StatusCode.ERROR, message or status.name)


@dataclass(slots=True)
class _ServerCall:
    span: Span
    started: float
    attributes: dict[str, str]
    ended: bool = False


_server_call: contextvars.ContextVar[_ServerCall | None] = contextvars.ContextVar(
    "toys_otel_server_call", default=None
)


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
        self._propagator = TraceContextTextMapPropagator()
        self._duration = None
        self._calls = None
        if meter_provider is not None:
            meter = meter_provider.get_meter(INSTRUMENTATION, package_version())
            self._duration = meter.create_histogram(
                "rpc.server.call.duration", unit="s", description="Duration of handled calls"
            )
            self._calls = meter.create_counter(
                "toys.server.calls", unit="{call}", description="Handled calls"
            )

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

    def shutdown(self) -> None:
        self._tracer_provider.shutdown()
        if self._meter_provider is not None:
            self._meter_provider.shutdown()

    # -- server ------------------------------------------------------------------------------

    def install_server(self, server: Server) -> None:
        listen(server, RecvRequest, self._on_request)
        listen(server, SendTrailingMetadata, self._on_trailers)

    async def _on_request(self, event: RecvRequest) -> None:
        carrier = {k: v for k, v in event.metadata.items() if isinstance(v, str)}
        parent = self._propagator.extract(carrier)
        attributes = _rpc_attributes(event.method_name)
        address = event.peer.addr() if event.peer is not None else None
        span_attributes: dict[str, Any] = dict(attributes)
        if address is not None:
            span_attributes["client.address"] = str(address[0])
            span_attributes["client.port"] = int(address[1])
        span = self._tracer.start_span(
            event.method_name.lstrip("/"),
            context=parent,
            kind=SpanKind.SERVER,
            attributes=span_attributes,
        )
        record = _ServerCall(span, time.perf_counter(), attributes)
        _server_call.set(record)
        call = current_call()
        if call is not None:
            call.trace_id = format(span.get_span_context().trace_id, "032x")
        handler = event.method_func

        async def traced(stream: Stream[Any, Any]) -> None:
            token = otel_context.attach(trace.set_span_in_context(span))
            try:
                await handler(stream)
            except asyncio.CancelledError:
                # No trailers will follow (the client went away): end the span here.
                self._finish(record, Status.CANCELLED, "cancelled")
                raise
            finally:
                otel_context.detach(token)

        event.method_func = traced

    async def _on_trailers(self, event: SendTrailingMetadata) -> None:
        record = _server_call.get()
        if record is not None:
            self._finish(record, event.status, event.status_message)

    def _finish(self, record: _ServerCall, status: Status, message: str | None) -> None:
        if record.ended:
            return
        record.ended = True
        _record_status(record.span, status, message)
        record.span.end()
        attributes = {**record.attributes, "rpc.grpc.status_code": status.value}
        if self._duration is not None and self._calls is not None:
            self._duration.record(time.perf_counter() - record.started, attributes)
            self._calls.add(1, attributes)

    def instrument_store(self, store: ToyStore) -> ToyStore:
        return TracedStore(store, self._tracer.start_as_current_span)

    # -- client ------------------------------------------------------------------------------

    def install_client(self, channel: Channel) -> None:
        listen(channel, SendRequest, self._on_send_request)
        listen(channel, RecvTrailingMetadata, self._on_client_trailers)

    @contextmanager
    def client_span(self) -> Iterator[None]:
        with self._tracer.start_as_current_span(
            "toyctl",
            kind=SpanKind.CLIENT,
            attributes={"rpc.system": "grpc"},
            set_status_on_exception=False,
        ) as span:
            try:
                yield
            except GRPCError:
                raise  # its status came with the trailers
            except Exception as exc:  # no answer at all: connection refused, deadline...
                span.record_exception(exc)
                span.set_status(StatusCode.ERROR, f"{type(exc).__name__}: {exc}")
                raise

    async def _on_send_request(self, event: SendRequest) -> None:
        span = trace.get_current_span()
        if span.is_recording():
            span.update_name(event.method_name.lstrip("/"))
            span.set_attributes(_rpc_attributes(event.method_name))
        carrier: dict[str, str] = {}
        self._propagator.inject(carrier)
        for key, value in carrier.items():
            event.metadata[key] = value

    async def _on_client_trailers(self, event: RecvTrailingMetadata) -> None:
        span = trace.get_current_span()
        if span.is_recording():
            _record_status(span, event.status, event.status_message)


class TracedStore:
    """A ToyStore whose every call is a span (child of the call being handled)."""

    def __init__(self, inner: ToyStore, start_span: Callable[..., Any]) -> None:
        self.inner = inner
        self._start_span = start_span

    @contextmanager
    def _span(self, operation: str) -> Iterator[None]:
        with self._start_span(
            f"sqlite {operation}",
            kind=SpanKind.INTERNAL,
            attributes={"db.system": "sqlite", "db.operation.name": operation},
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            try:
                yield
            except StoreUnavailable as exc:  # ToyNotFound and the like are not store faults
                span.record_exception(exc)
                span.set_status(StatusCode.ERROR, exc.message)
                raise

    async def add(self, toy: Toy) -> None:
        with self._span("add"):
            await self.inner.add(toy)

    async def get(self, toy_id: str) -> Toy:
        with self._span("get"):
            return await self.inner.get(toy_id)

    async def list(
        self, *, status: ManufactureStatus | None, after: PageCursor | None, limit: int
    ) -> list[Toy]:
        with self._span("list"):
            return await self.inner.list(status=status, after=after, limit=limit)

    async def update[R](self, toy_id: str, change: Callable[[Toy], tuple[Toy | None, R]]) -> R:
        with self._span("update"):
            return await self.inner.update(toy_id, change)

    async def delete(self, toy_id: str) -> None:
        with self._span("delete"):
            await self.inner.delete(toy_id)

    async def ping(self) -> None:
        await self.inner.ping()  # health probes run outside any call: no root span noise

    async def close(self) -> None:
        await self.inner.close()
