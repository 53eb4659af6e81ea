"""/metrics on the HTTP port counts what both ports did: calls by method, code and port,
callbacks by outcome, toys by status, watchers, connections, store latency."""

from __future__ import annotations

import asyncio
from asyncio.subprocess import PIPE, STDOUT
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from grpclib.exceptions import GRPCError
from prometheus_client.parser import text_string_to_metric_families

from tests.http_support import call_json, stream_json
from tests.support import require_tool, serving
from toys._generated.toys import v1 as pb

Ports = tuple[pb.ToyServiceStub, httpx.AsyncClient]


@pytest.fixture
async def ports(tmp_path: Path) -> AsyncIterator[Ports]:
    async with serving(tmp_path / "toys.db", http_port=0) as (server, channel):
        client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.http_port}")
        try:
            yield pb.ToyServiceStub(channel), client
        finally:
            await client.aclose()


async def scrape(client: httpx.AsyncClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of one scrape, by name and labels."""
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def key(name: str, **labels: str) -> tuple[str, frozenset[tuple[str, str]]]:
    return name, frozenset(labels.items())


async def test_calls_are_counted_by_method_code_and_port(ports: Ports) -> None:
    stub, client = ports
    for _ in range(2):
        with pytest.raises(GRPCError):
            await stub.get_toy(pb.GetToyRequest(id="missing"))
    await call_json(client, "GetToy", {"id": "missing"})
    await call_json(client, "ListToys", {})
    samples = await scrape(client)
    calls = "toys_rpc_calls_total"
    assert samples[key(calls, method="GetToy", code="NOT_FOUND", wire="grpc")] == 2
    assert samples[key(calls, method="GetToy", code="NOT_FOUND", wire="http")] == 1
    assert samples[key(calls, method="ListToys", code="OK", wire="http")] == 1
    count = "toys_rpc_duration_seconds_count"
    assert samples[key(count, method="GetToy", wire="grpc")] == 2


def run(toy_id: str, uid: str) -> pb.UpdateManufactureStatusRequest:
    now = datetime.now(UTC)
    return pb.UpdateManufactureStatusRequest(
        toy_id=toy_id,
        status=pb.ManufactureStatus.SUCCEEDED,
        run=pb.WorkflowRun(
            name="wf",
            uid=uid,
            phase="Succeeded",
            creation_time=now - timedelta(minutes=1),
            started_time=now - timedelta(minutes=1),
            finished_time=now,
            units_produced=3,
        ),
    )


async def test_callbacks_are_counted_by_outcome(ports: Ports) -> None:
    stub, client = ports
    toy = (await stub.create_toy(pb.CreateToyRequest(name="Car"))).toy
    assert toy is not None
    await stub.update_manufacture_status(run(toy.id, "run-1"))
    await stub.update_manufacture_status(run(toy.id, "run-1"))
    with pytest.raises(GRPCError):
        await stub.update_manufacture_status(run("missing", "run-2"))
    samples = await scrape(client)
    assert samples[key("toys_callbacks_total", outcome="applied")] == 1
    assert samples[key("toys_callbacks_total", outcome="replay")] == 1
    assert samples[key("toys_callbacks_total", outcome="refused")] == 1


async def test_toys_are_counted_by_status(ports: Ports) -> None:
    stub, client = ports
    for name in ("Car", "Kite"):
        await stub.create_toy(pb.CreateToyRequest(name=name))
    samples = await scrape(client)
    assert samples[key("toys_toys", status="PENDING")] == 2
    assert samples[key("toys_toys", status="RUNNING")] == 0
    assert samples[key("toys_longest_running_seconds")] == 0
    assert samples[key("toys_ready")] == 1


async def test_open_watches_and_connections_are_gauged(ports: Ports) -> None:
    _, client = ports
    events = stream_json(client, "WatchToys", {"sendInitial": True})
    await anext(events)  # SYNCED: the watch is open
    async with httpx.AsyncClient(base_url=client.base_url) as other:
        samples = await scrape(other)
    await events.aclose()
    assert samples[key("toys_watchers")] == 1
    assert samples[key("toys_connections")] == 2  # the two HTTP clients (gRPC's is unused)


async def test_store_operations_are_timed(ports: Ports) -> None:
    stub, client = ports
    await stub.create_toy(pb.CreateToyRequest(name="Car"))
    samples = await scrape(client)
    assert samples[key("toys_store_operation_duration_seconds_count", operation="add")] == 1


async def test_the_scrape_passes_promtool(ports: Ports) -> None:
    promtool = require_tool("promtool")
    stub, client = ports
    await stub.create_toy(pb.CreateToyRequest(name="Car"))
    text = (await client.get("/metrics")).text
    checked = await asyncio.create_subprocess_exec(
        promtool, "check", "metrics", stdin=PIPE, stdout=PIPE, stderr=STDOUT
    )
    said, _ = await checked.communicate(text.encode())
    assert checked.returncode == 0, said.decode()
