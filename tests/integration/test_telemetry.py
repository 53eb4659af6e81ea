"""OpenTelemetry through the SDK's in-memory exporters: one trace from toyctl to SQLite."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from grpclib.client import Channel
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from tests.fakes import BrokenGetStore
from tests.support import ThreadedServer
from tests.watch_support import watching
from toyctl import channel, client
from toyctl.errors import ToyctlError
from toyctl.options import Target
from toys.telemetry.sdk import OtelTelemetry

T0 = datetime(2026, 1, 1, tzinfo=UTC)


class Recorded:
    def __init__(self) -> None:
        self.spans = InMemorySpanExporter()
        self.metrics = InMemoryMetricReader()
        tracer_provider = TracerProvider()
        tracer_provider.add_span_processor(SimpleSpanProcessor(self.spans))
        self.telemetry = OtelTelemetry(
            tracer_provider, MeterProvider(metric_readers=[self.metrics])
        )

    def finished(self) -> list[ReadableSpan]:
        return list(self.spans.get_finished_spans())

    def one(self, kind: SpanKind, name: str | None = None) -> ReadableSpan:
        found = [s for s in self.finished() if s.kind is kind and (name is None or s.name == name)]
        assert len(found) == 1, [(s.name, s.kind) for s in self.finished()]
        return found[0]


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> Recorded:
    """Telemetry for both toyctl's client and the server, into memory."""
    telemetry = Recorded()
    monkeypatch.setattr(channel, "telemetry", lambda: telemetry.telemetry)
    return telemetry


@pytest.fixture
def traced_server(tmp_path: Path, recorded: Recorded) -> Iterator[ThreadedServer]:
    server = ThreadedServer(tmp_path / "otel.db", telemetry=recorded.telemetry).start()
    try:
        yield server
    finally:
        server.stop()


def target(server: ThreadedServer) -> Target:
    return Target(server.address, 10)


def test_a_call_is_one_trace_from_toyctl_to_sqlite(
    traced_server: ThreadedServer, recorded: Recorded
) -> None:
    """toyctl's CLIENT span is the parent of the server's SERVER span, whose child is the
    store's span; all share one trace and carry the RPC attributes."""
    toy = client.create_toy(
        target(traced_server), name="Car", designer="", design_time=T0, manufacturer="", say=print
    )
    client_span = recorded.one(SpanKind.CLIENT)
    server_span = recorded.one(SpanKind.SERVER, "toys.v1.ToyService/CreateToy")
    store_span = recorded.one(SpanKind.INTERNAL, "sqlite add")
    assert client_span.name == "toys.v1.ToyService/CreateToy"
    trace_ids = {s.context.trace_id for s in (client_span, server_span, store_span)}
    assert len(trace_ids) == 1
    assert server_span.parent is not None
    assert server_span.parent.span_id == client_span.context.span_id
    assert store_span.parent is not None
    assert store_span.parent.span_id == server_span.context.span_id
    for span in (client_span, server_span):
        attributes: Any = span.attributes
        assert attributes["rpc.system"] == "grpc"
        assert attributes["rpc.service"] == "toys.v1.ToyService"
        assert attributes["rpc.method"] == "CreateToy"
        assert attributes["rpc.grpc.status_code"] == 0
        assert span.status.status_code is StatusCode.UNSET
    assert store_span.attributes is not None
    assert store_span.attributes["db.system"] == "sqlite"
    assert toy.id


def test_a_caller_error_records_its_status_without_marking_an_error(
    traced_server: ThreadedServer, recorded: Recorded
) -> None:
    """NOT_FOUND is recorded as status code 5 on both spans, which stay unmarked."""
    with pytest.raises(ToyctlError):
        client.get_toy(target(traced_server), "no-such-toy")
    for kind in (SpanKind.CLIENT, SpanKind.SERVER):
        span = recorded.one(kind)
        assert span.attributes is not None
        assert span.attributes["rpc.grpc.status_code"] == 5
        assert span.status.status_code is StatusCode.UNSET


def test_a_server_fault_marks_both_spans_as_errors(tmp_path: Path, recorded: Recorded) -> None:
    """INTERNAL (a bug in the store here) is an error on the server and the client span."""
    server = ThreadedServer(
        tmp_path / "broken.db", telemetry=recorded.telemetry, wrap_store=BrokenGetStore
    ).start()
    try:
        with pytest.raises(ToyctlError):
            client.get_toy(target(server), "any")
    finally:
        server.stop()
    for kind in (SpanKind.CLIENT, SpanKind.SERVER):
        span = recorded.one(kind)
        assert span.attributes is not None
        assert span.attributes["rpc.grpc.status_code"] == 13
        assert span.status.status_code is StatusCode.ERROR


def test_an_unreachable_server_marks_the_client_span(recorded: Recorded) -> None:
    """No answer at all (connection refused) is an error on toyctl's span."""
    with pytest.raises(ToyctlError):
        client.health(Target("127.0.0.1:1", 2))
    span = recorded.one(SpanKind.CLIENT)
    assert span.status.status_code is StatusCode.ERROR


def test_calls_are_counted_and_timed_per_method_and_status(
    traced_server: ThreadedServer, recorded: Recorded
) -> None:
    """Each call adds to the per-method, per-status counter and duration histogram."""
    client.list_toys(target(traced_server))
    with pytest.raises(ToyctlError):
        client.get_toy(target(traced_server), "missing")
    data = recorded.metrics.get_metrics_data()
    assert data is not None
    points: dict[str, dict[tuple[str, int], Any]] = {}
    for resource in data.resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                for point in metric.data.data_points:
                    attributes: Any = point.attributes
                    key = (attributes["rpc.method"], attributes["rpc.grpc.status_code"])
                    points.setdefault(metric.name, {})[key] = point
    assert points["toys.server.calls"][("ListToys", 0)].value == 1
    assert points["toys.server.calls"][("GetToy", 5)].value == 1
    histogram = points["rpc.server.call.duration"][("GetToy", 5)]
    assert histogram.count == 1
    assert histogram.sum > 0


def test_a_watch_is_one_span_with_an_event_per_message(
    traced_server: ThreadedServer, recorded: Recorded
) -> None:
    client.create_toy(
        target(traced_server), name="Car", designer="", design_time=T0, manufacturer="", say=print
    )

    async def watch_until_synced() -> None:
        host, port = traced_server.address.rsplit(":", 1)
        to_server = Channel(host, int(port))
        try:
            async with watching(to_server, send_initial=True) as watch:
                await watch.synced()
        finally:
            to_server.close()

    asyncio.run(watch_until_synced())
    traced_server.stop()  # every span ended
    span = recorded.one(SpanKind.SERVER, "toys.v1.ToyService/WatchToys")
    assert [(e.name, dict(e.attributes or {})) for e in span.events] == [
        ("message", {"message.type": "SENT", "message.id": 1}),
        ("message", {"message.type": "SENT", "message.id": 2}),
    ]
