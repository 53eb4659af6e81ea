"""CLIENT spans for toyctl: each command is a span, and its requests carry its context."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from grpclib.client import Channel
from grpclib.events import RecvTrailingMetadata, SendRequest, listen
from grpclib.exceptions import GRPCError
from opentelemetry import trace
from opentelemetry.trace import SpanKind, StatusCode, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from toys.telemetry.rpc import record_status, rpc_attributes


class ClientTracing:
    """A CLIENT span per command, named after the call it makes, propagated in `traceparent`."""

    def __init__(self, tracer: Tracer) -> None:
        self._tracer = tracer
        self._propagator = TraceContextTextMapPropagator()

    def install(self, channel: Channel) -> None:
        listen(channel, SendRequest, self._on_send_request)
        listen(channel, RecvTrailingMetadata, self._on_trailers)

    @contextmanager
    def span(self) -> Iterator[None]:
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
            span.set_attributes(rpc_attributes(event.method_name))
        carrier: dict[str, str] = {}
        self._propagator.inject(carrier)
        for key, value in carrier.items():
            event.metadata[key] = value

    async def _on_trailers(self, event: RecvTrailingMetadata) -> None:
        span = trace.get_current_span()
        if span.is_recording():
            record_status(span, event.status, event.status_message)
