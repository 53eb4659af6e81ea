"""SERVER spans for the HTTP port's calls, as toys.telemetry.server makes them for gRPC: the
parent from the request's W3C `traceparent`, the RPC attributes, the span current while the
call runs (so the store's spans are its children), the status recorded when it ends."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from grpclib.const import Status
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from toys.calls.context import CallContext
from toys.telemetry.rpc import record_status, rpc_attributes


class HttpTracing:
    def __init__(self, tracer: Tracer) -> None:
        self._tracer = tracer
        self._propagator = TraceContextTextMapPropagator()

    @contextmanager
    def call(
        self, call: CallContext, headers: Mapping[str, str]
    ) -> Iterator[Callable[[Status, str], None]]:
        """A span around `call`; what the context yields ends it with the call's status."""
        parent = self._propagator.extract(dict(headers))
        attributes: dict[str, str | int] = {
            **rpc_attributes(call.method),
            "network.protocol.name": "http",
        }
        host, _, port = call.peer.rpartition(":")
        if port.isdigit():
            attributes["client.address"] = host.strip("[]")
            attributes["client.port"] = int(port)
        span = self._tracer.start_span(
            call.method.lstrip("/"), context=parent, kind=SpanKind.SERVER, attributes=attributes
        )
        call.trace_id = format(span.get_span_context().trace_id, "032x")
        token = otel_context.attach(trace.set_span_in_context(span))

        def end(status: Status, message: str) -> None:
            record_status(span, status, message)
            span.end()

        try:
            yield end
        finally:
            otel_context.detach(token)
