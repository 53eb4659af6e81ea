"""SERVER spans for toys-server's gRPC calls, on grpclib.events (metrics: toys.metrics).

`RecvRequest` starts a SERVER span whose parent comes from the request's W3C `traceparent`,
makes it current while the handler runs, and gives the call context its trace id;
`SendTrailingMetadata` records the status and ends it. A streaming call (WatchToys) is one
span, each message it sends a span event.
"""

from __future__ import annotations

import asyncio
import contextvars
from dataclasses import dataclass
from typing import Any

from grpclib.const import Status
from grpclib.events import RecvRequest, SendMessage, SendTrailingMetadata, listen
from grpclib.server import Server, Stream
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from toys.calls.context import call_context
from toys.telemetry.rpc import record_status, rpc_attributes

# Calls that send a stream of messages: each message is a span event.
STREAMING_METHODS = frozenset({"/toys.v1.ToyService/WatchToys"})


@dataclass(slots=True)
class _ServerCall:
    span: Span
    streaming: bool = False
    sent: int = 0
    ended: bool = False


_server_call: contextvars.ContextVar[_ServerCall | None] = contextvars.ContextVar(
    "toys_otel_server_call", default=None
)


class ServerTracing:
    """The listeners that trace every call a server handles."""

    def __init__(self, tracer: Tracer) -> None:
        self._tracer = tracer
        self._propagator = TraceContextTextMapPropagator()

    def install(self, server: Server) -> None:
        listen(server, RecvRequest, self._on_request)
        listen(server, SendTrailingMetadata, self._on_trailers)
        listen(server, SendMessage, self._on_message)

    async def _on_request(self, event: RecvRequest) -> None:
        carrier = {k: v for k, v in event.metadata.items() if isinstance(v, str)}
        parent = self._propagator.extract(carrier)
        address = event.peer.addr() if event.peer is not None else None
        span_attributes: dict[str, Any] = dict(rpc_attributes(event.method_name))
        if address is not None:
            span_attributes["client.address"] = str(address[0])
            span_attributes["client.port"] = int(address[1])
        span = self._tracer.start_span(
            event.method_name.lstrip("/"),
            context=parent,
            kind=SpanKind.SERVER,
            attributes=span_attributes,
        )
        streaming = event.method_name in STREAMING_METHODS
        record = _ServerCall(span, streaming)
        _server_call.set(record)
        call_context(event).trace_id = format(span.get_span_context().trace_id, "032x")
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

    async def _on_message(self, event: SendMessage) -> None:
        record = _server_call.get()
        if record is not None and record.streaming:
            record.sent += 1  # the semantic conventions' RPC message event
            record.span.add_event("message", {"message.type": "SENT", "message.id": record.sent})

    async def _on_trailers(self, event: SendTrailingMetadata) -> None:
        record = _server_call.get()
        if record is not None:
            self._finish(record, event.status, event.status_message)

    def _finish(self, record: _ServerCall, status: Status, message: str | None) -> None:
        if record.ended:
            return
        record.ended = True
        record_status(record.span, status, message)
        record.span.end()
