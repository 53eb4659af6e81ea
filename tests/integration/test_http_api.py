"""The HTTP port against the gRPC port of the same server: the same calls give the same
results and statuses, in Connect's JSON, its binary, its GET form and gRPC-Web."""

from __future__ import annotations

import asyncio
import logging
import re
import struct
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from google.protobuf import json_format
from grpclib.client import Channel
from grpclib.const import Status
from grpclib.exceptions import GRPCError

from tests.access import METHODS
from tests.http_support import call_binary, call_get, call_json, call_json_text, stream_json
from tests.support import ROOT, serving
from toys._generated.pb2.toys.v1 import toys_pb2
from toys._generated.toys import v1 as pb
from toys.domain.limits import MAX_FAILURES
from toys.process.lifecycle import ToyServer

Ports = tuple[ToyServer, pb.ToyServiceStub, httpx.AsyncClient]


@pytest.fixture
async def ports(tmp_path: Path) -> AsyncIterator[Ports]:
    async with serving(tmp_path / "toys.db", http_port=0) as (server, channel):
        client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.http_port}")
        try:
            yield server, pb.ToyServiceStub(channel), client
        finally:
            await client.aclose()


def as_json(toy: pb.Toy) -> dict[str, object]:
    """A toy as Connect's JSON writes it (protobuf's JSON mapping)."""
    return json_format.MessageToDict(toys_pb2.Toy.FromString(bytes(toy)))


async def test_a_toy_reads_the_same_on_both_ports(ports: Ports) -> None:
    _, stub, client = ports
    created = (await stub.create_toy(pb.CreateToyRequest(name="Car", designer="Ann"))).toy
    assert created is not None
    status, body = await call_json(client, "GetToy", {"id": created.id})
    assert status is Status.OK
    assert body == {"toy": as_json(created)}


async def test_a_toy_created_over_http_is_the_one_grpc_reads(ports: Ports) -> None:
    _, stub, client = ports
    status, body = await call_json(client, "CreateToy", {"name": "Kite", "designer": "Bo"})
    assert status is Status.OK
    toy = (await stub.get_toy(pb.GetToyRequest(id=body["toy"]["id"]))).toy
    assert toy is not None
    assert body == {"toy": as_json(toy)}


async def test_binary_answers_are_the_grpc_port_bytes(ports: Ports) -> None:
    _, stub, client = ports
    await stub.create_toy(pb.CreateToyRequest(name="Car"))
    grpc_page = await stub.list_toys(pb.ListToysRequest())
    status, data = await call_binary(client, "ListToys", bytes(pb.ListToysRequest()))
    assert status is Status.OK
    assert pb.ListToysResponse.parse(data) == grpc_page


async def test_get_form_reads_like_post(ports: Ports) -> None:
    _, stub, client = ports
    await stub.create_toy(pb.CreateToyRequest(name="Car"))
    posted = await call_json(client, "ListToys", {})
    fetched = await call_get(client, "ListToys", {})
    assert fetched.status_code == 200
    assert fetched.json() == posted[1]


async def test_get_is_refused_for_a_method_that_writes(ports: Ports) -> None:
    _, _, client = ports
    response = await call_get(client, "DeleteToy", {"id": "x"})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


@pytest.mark.parametrize(
    ("method", "message", "status"),
    [
        ("GetToy", {"id": "missing"}, Status.NOT_FOUND),
        ("CreateToy", {"name": ""}, Status.INVALID_ARGUMENT),
        ("ResetToy", {"id": "missing"}, Status.NOT_FOUND),
        (
            "UpdateManufactureStatus",
            {"toyId": "missing", "status": "MANUFACTURE_STATUS_SUCCEEDED"},
            Status.INVALID_ARGUMENT,
        ),
    ],
)
async def test_errors_carry_the_same_status_and_message_on_both_ports(
    ports: Ports, method: str, message: dict[str, object], status: Status
) -> None:
    _, stub, client = ports
    request = getattr(pb, f"{method}Request").from_dict(message)
    with pytest.raises(GRPCError) as caught:
        await getattr(stub, _snake(method))(request)
    got, body = await call_json(client, method, message)
    assert (caught.value.status, got) == (status, status)
    assert body["message"] == caught.value.message


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b'{"id": 7}'),
        ("application/json", b'{"id": "x", "colour": "red"}'),
        ("application/json", b"{not json"),
        ("application/json", b"[" * 5000),
        ("application/proto", b"\x0a\xff\xff\xff\xff\x0f"),
        ("application/proto", b"\x0a\x02\xff\xfe"),
    ],
)
async def test_undecodable_requests_are_invalid_argument(
    ports: Ports, content_type: str, body: bytes
) -> None:
    _, _, client = ports
    response = await client.post(
        "/toys.v1.ToyService/GetToy", content=body, headers={"content-type": content_type}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_argument"


async def test_a_compressed_request_is_refused_before_it_is_inflated(ports: Ports) -> None:
    _, _, client = ports
    response = await client.post(
        "/toys.v1.ToyService/GetToy",
        content=b"\x1f\x8b" + b"\x00" * 30,
        headers={"content-type": "application/json", "content-encoding": "gzip"},
    )
    assert response.json()["code"] == "unimplemented"


async def test_a_body_over_the_message_limit_is_resource_exhausted(ports: Ports) -> None:
    _, _, client = ports
    response = await client.post(
        "/toys.v1.ToyService/CreateToy",
        content=b'{"name": "' + b"x" * (2 * 1024 * 1024) + b'"}',
        headers={"content-type": "application/json"},
    )
    assert response.json()["code"] == "resource_exhausted"


async def test_watch_is_a_connect_stream_that_sees_grpc_writes(ports: Ports) -> None:
    _, stub, client = ports
    first = (await stub.create_toy(pb.CreateToyRequest(name="Car"))).toy
    assert first is not None
    events = stream_json(client, "WatchToys", {"sendInitial": True})
    assert (await anext(events))["toy"]["id"] == first.id
    assert (await anext(events))["type"] == "WATCH_EVENT_TYPE_SYNCED"
    later = (await stub.create_toy(pb.CreateToyRequest(name="Kite"))).toy
    assert later is not None
    added = await anext(events)
    assert (added["type"], added["toy"]) == ("WATCH_EVENT_TYPE_ADDED", as_json(later))
    await events.aclose()


async def test_a_watch_error_ends_the_stream_with_its_code(ports: Ports) -> None:
    _, _, client = ports
    events = [e async for e in stream_json(client, "WatchToys", {"resumeToken": "forged"})]
    assert events[-1]["end"]["error"]["code"] == "invalid_argument"


async def test_grpc_web_reads_a_toy(ports: Ports) -> None:
    _, stub, client = ports
    toy = (await stub.create_toy(pb.CreateToyRequest(name="Car"))).toy
    assert toy is not None
    data = bytes(pb.GetToyRequest(id=toy.id))
    response = await client.post(
        "/toys.v1.ToyService/GetToy",
        content=struct.pack(">BI", 0, len(data)) + data,
        headers={"content-type": "application/grpc-web+proto", "x-grpc-web": "1"},
    )
    body = response.content
    length = struct.unpack(">I", body[1:5])[0]
    assert pb.GetToyResponse.parse(body[5 : 5 + length]).toy == toy
    trailers = body[5 + length + 5 :].decode()
    assert "grpc-status:0" in trailers.replace(" ", "")


async def test_each_http_call_writes_an_access_line(
    ports: Ports, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="toys.access")
    _, _, client = ports
    await call_json(client, "GetToy", {"id": "missing"})
    lines = [r.getMessage() for r in caplog.records if r.name == "toys.access"]
    assert len(lines) == 1
    assert "method=/toys.v1.ToyService/GetToy status=NOT_FOUND" in lines[0]
    assert "wire=http" in lines[0]
    assert "toy_id=missing" in lines[0]


async def test_probes_answer_liveness_and_readiness(ports: Ports) -> None:
    server, _, client = ports
    assert (await client.get("/healthz")).status_code == 200
    assert (await client.get("/readyz")).json()["status"] == "SERVING"
    server.readiness.begin_drain()
    ready = await client.get("/readyz")
    assert (ready.status_code, ready.json()["status"]) == (503, "NOT_SERVING")


async def test_a_draining_server_refuses_new_http_calls(ports: Ports) -> None:
    server, _, client = ports
    server.begin_drain()
    status, body = await call_json(client, "ListToys", {})
    assert status is Status.UNAVAILABLE
    assert "shutting down" in body["message"]


async def test_unknown_paths_are_not_found(ports: Ports) -> None:
    _, _, client = ports
    response = await client.get("/nothing-here")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


async def test_http_port_is_off_unless_asked(tmp_path: Path) -> None:
    async with serving(tmp_path / "toys.db") as (server, channel):
        assert server.http is None
        assert isinstance(channel, Channel)


async def test_a_watch_whose_client_left_ends_at_once(ports: Ports) -> None:
    server, _, client = ports
    events = stream_json(client, "WatchToys", {"sendInitial": True})
    await anext(events)  # SYNCED
    assert server.watches is not None
    assert server.watches.open == 1
    await events.aclose()
    await asyncio.wait_for(server.watches.none_open(), 5)


async def test_json_with_more_values_than_any_request_holds_is_refused_unparsed(
    ports: Ports,
) -> None:
    """A megabyte of `{},` is 340,000 values for protobuf's JSON parser to build in Python:
    refused by count first, like the binary wire walk's budget."""
    _, _, client = ports
    failures = ",".join(["{}"] * 340_000)
    status, body = await call_json_text(
        client, "UpdateManufactureStatus", f'{{"toyId": "x", "run": {{"failures": [{failures}]}}}}'
    )
    assert status is Status.INVALID_ARGUMENT
    assert "more than 2000 values" in body["message"]


async def test_the_largest_valid_callback_is_read_from_json(ports: Ports) -> None:
    _, stub, client = ports
    toy = (await stub.create_toy(pb.CreateToyRequest(name="Car"))).toy
    assert toy is not None
    failure = {
        "displayName": "step",
        "message": "exit code 1",
        "templateName": "assemble",
        "phase": "Failed",
        "podName": "pod",
        "finishedTime": "2026-12-01T10:05:00Z",
    }
    run = {
        "uid": "run-1",
        "name": "wf",
        "phase": "Failed",
        "creationTime": "2026-12-01T10:00:00Z",
        "startedTime": "2026-12-01T10:00:00Z",
        "finishedTime": "2026-12-01T10:05:00Z",
        "failures": [failure] * MAX_FAILURES,
    }
    status, body = await call_json(
        client,
        "UpdateManufactureStatus",
        {"toyId": toy.id, "status": "MANUFACTURE_STATUS_FAILED", "run": run},
    )
    assert status is Status.OK, body
    assert len(body["toy"]["lastRun"]["failures"]) == MAX_FAILURES


async def test_a_toys_history_reads_the_same_on_both_ports(ports: Ports) -> None:
    """Each change of a toy, oldest first: created, its run started and ended, reset."""
    _, stub, client = ports
    toy = (await stub.create_toy(pb.CreateToyRequest(name="Car"))).toy
    assert toy is not None
    for reported, phase in ((pb.ManufactureStatus.RUNNING, "Running"), (SUCCEEDED, "Succeeded")):
        await stub.update_manufacture_status(callback(toy.id, reported, phase))
    await stub.reset_toy(pb.ResetToyRequest(id=toy.id))
    over_grpc = await stub.get_toy_history(pb.GetToyHistoryRequest(id=toy.id))
    statuses = [entry.toy.status.name for entry in over_grpc.entries if entry.toy]
    assert statuses == ["PENDING", "RUNNING", "SUCCEEDED", "PENDING"]
    assert over_grpc.complete
    last_run = over_grpc.entries[2].toy.last_run if over_grpc.entries[2].toy else None
    assert last_run is not None
    assert (last_run.uid, last_run.phase, last_run.units_produced) == ("run-1", "Succeeded", 3)
    status, body = await call_json(client, "GetToyHistory", {"id": toy.id})
    assert status is Status.OK
    expected = json_format.MessageToDict(
        toys_pb2.GetToyHistoryResponse.FromString(bytes(over_grpc))
    )
    assert body == expected


async def test_history_of_no_toy_is_not_found(ports: Ports) -> None:
    _, _, client = ports
    assert (await call_json(client, "GetToyHistory", {"id": "missing"}))[0] is Status.NOT_FOUND


SUCCEEDED = pb.ManufactureStatus.SUCCEEDED


def callback(
    toy_id: str, status: pb.ManufactureStatus, phase: str
) -> pb.UpdateManufactureStatusRequest:
    now = datetime.now(UTC)
    ended = phase != "Running"
    return pb.UpdateManufactureStatusRequest(
        toy_id=toy_id,
        status=status,
        run=pb.WorkflowRun(
            uid="run-1",
            name="wf",
            phase=phase,
            creation_time=now - timedelta(minutes=2),
            started_time=now - timedelta(minutes=2),
            finished_time=now if ended else None,
            units_produced=3 if ended else 0,
        ),
    )


async def test_the_dashboard_page_comes_with_a_strict_content_security_policy(
    ports: Ports,
) -> None:
    _, _, client = ports
    for path in ("/", "/toys/some-id", "/ui/app.js"):
        response = await client.get(path)
        assert response.status_code == 200, path
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert "unsafe" not in policy
        assert "frame-ancestors 'none'" in policy
        etag = response.headers["etag"]
        assert (await client.get(path, headers={"if-none-match": etag})).status_code == 304
    assert (await client.get("/ui/missing.js")).status_code == 404


STATIC = ROOT / "toys" / "http_api" / "static"


def test_the_dashboard_only_reads() -> None:
    """The page's code names no method that changes anything."""
    code = " ".join(p.read_text() for p in STATIC.glob("*.js"))
    called = set(re.findall(r'"(\w+)"', code)) & METHODS
    assert called == {"GetToy", "GetToyHistory"}
    assert "WatchToys" in code
