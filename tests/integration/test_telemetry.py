"""OpenTelemetry through the SDK's in-memory exporters: one trace from toyctl to SQLite."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from grpclib.client import Channel
from opentelemetry.sdk.metrics.export import MetricExporter, MetricExportResult, MetricsData
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


class Collected(MetricExporter):
    """What the server exported, kept."""

    def __init__(self) -> None:
        super().__init__()
        self.exported: list[MetricsData] = []

    def export(
        self, metrics_data: MetricsData, timeout_millis: float = 10_000, **kwargs: Any
    ) -> MetricExportResult:
        self.exported.append(metrics_data)
        return MetricExportResult.SUCCESS

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        return True

    def shutdown(self, timeout_millis: float = 30_000, **kwargs: Any) -> None:
        pass


class Recorded:
    def __init__(self) -> None:
        self.spans = InMemorySpanExporter()
        self.metrics = Collected()
        tracer_provider = TracerProvider()
        tracer_provider.add_span_processor(SimpleSpanProcessor(self.spans))
        self.telemetry = OtelTelemetry(tracer_provider, [self.metrics])

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


def test_otlp_gets_the_metrics_prometheus_gets(
    traced_server: ThreadedServer, recorded: Recorded
) -> None:
    """The server's one registry, exported: calls counted and timed per method, status and
    port, the same series /metrics shows."""
    client.list_toys(target(traced_server))
    with pytest.raises(ToyctlError):
        client.get_toy(target(traced_server), "missing")
    recorded.telemetry.flush_metrics()
    data = recorded.metrics.exported[-1]
    points: dict[str, dict[tuple[str, str], Any]] = {}
    for resource in data.resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                for point in metric.data.data_points:
                    attributes: Any = point.attributes
                    if "method" in attributes:
                        key = (attributes["method"], attributes.get("code", ""))
                        points.setdefault(metric.name, {})[key] = point
    assert points["toys_rpc_calls"][("ListToys", "OK")].value == 1
    assert points["toys_rpc_calls"][("GetToy", "NOT_FOUND")].value == 1
    histogram = points["toys_rpc_duration_seconds"][("GetToy", "")]
    assert histogram.count == 1
    assert sum(histogram.bucket_counts) == 1
    assert histogram.sum > 0


def test_an_http_call_is_a_server_span_under_the_callers_trace(
    tmp_path: Path, recorded: Recorded
) -> None:
    """A Connect call with a traceparent: one SERVER span in the caller's trace, the store's
    span its child, and the access line's trace id."""
    server = ThreadedServer(tmp_path / "http.db", telemetry=recorded.telemetry, http=True).start()
    trace_id = "4bf92f3577b34da6a1ce929d0e0e4736"
    try:
        response = httpx.post(
            f"http://127.0.0.1:{server.http_port}/toys.v1.ToyService/GetToy",
            json={"id": "missing"},
            headers={"traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"},
        )
    finally:
        server.stop()
    assert response.json()["code"] == "not_found"
    span = recorded.one(SpanKind.SERVER, "toys.v1.ToyService/GetToy")
    assert format(span.context.trace_id, "032x") == trace_id
    assert span.attributes is not None
    assert span.attributes["rpc.grpc.status_code"] == 5
    [store_span] = [s for s in recorded.finished() if s.name == "sqlite get"]
    assert store_span.parent is not None
    assert store_span.parent.span_id == span.context.span_id


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
