"""One server, both ports, real clients: curl on the HTTP port and grpcurl on the gRPC port
give the same answer, or the same status and message, for the same call."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest
from google.protobuf import json_format
from grpclib.const import Status

from tests.support import ServerProcess, grpcurl, require_tool
from toys._generated.pb2.toys.v1 import toys_pb2

GRPCURL_FAILED = 64  # grpcurl exits 64 + the status code of a failed call


def over_grpc(grpcurl_bin: str, server: ServerProcess, method: str, body: dict[str, Any]) -> Any:
    done = grpcurl(
        grpcurl_bin, server.address, f"toys.v1.ToyService/{method}", data=json.dumps(body)
    )
    if done.returncode == 0:
        return Status.OK, _normal(method, json.loads(done.stdout))
    message = done.stderr.split("Message: ", 1)[1].strip() if "Message: " in done.stderr else ""
    return Status(done.returncode - GRPCURL_FAILED), message


def over_http(server: ServerProcess, method: str, body: dict[str, Any]) -> Any:
    curl = require_tool("curl")
    done = subprocess.run(
        [
            curl, "-s", "-w", "\n%{http_code}", "-H", "content-type: application/json",
            "--data-binary", json.dumps(body),
            f"{server.http_url}/toys.v1.ToyService/{method}",
        ],
        capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    text, _, code = done.stdout.rpartition("\n")
    answer = json.loads(text)
    if code == "200":
        return Status.OK, _normal(method, answer)
    return Status[answer["code"].upper()], answer["message"]


def _normal(method: str, answer: dict[str, Any]) -> dict[str, Any]:
    """An answer in protobuf's JSON, however the client printed it."""
    message = getattr(toys_pb2, f"{method}Response")()
    return json_format.MessageToDict(json_format.ParseDict(answer, message))


@pytest.fixture(scope="module")
def toy_id(shared_server: ServerProcess, grpcurl_bin: str) -> str:
    _, created = over_grpc(grpcurl_bin, shared_server, "CreateToy", {"name": "Both ways"})
    return str(created["toy"]["id"])


CALLS: list[tuple[str, dict[str, Any]]] = [
    ("GetToy", {"id": "TOY"}),
    ("GetToy", {"id": "missing"}),
    ("GetToy", {"id": " spaced "}),
    ("ListToys", {"pageSize": -1}),
    ("ListToys", {"pageToken": "forged"}),
    ("CreateToy", {"name": ""}),
    ("CreateToy", {"name": "x" * 201}),
    ("ResetToy", {"id": "missing"}),
    ("DeleteToy", {"id": "missing"}),
    ("UpdateManufactureStatus", {"toyId": "TOY", "status": "MANUFACTURE_STATUS_SUCCEEDED"}),
    ("UpdateManufactureStatus", {"toyId": "missing"}),
    ("HealthCheck", {}),
]


@pytest.mark.parametrize(
    ("method", "body"), CALLS, ids=[f"{m}-{i}" for i, (m, _) in enumerate(CALLS)]
)
def test_the_same_call_gives_the_same_answer_on_both_ports(
    shared_server: ServerProcess, grpcurl_bin: str, toy_id: str, method: str, body: dict[str, Any]
) -> None:
    body = json.loads(json.dumps(body).replace('"TOY"', json.dumps(toy_id)))
    assert over_http(shared_server, method, body) == over_grpc(
        grpcurl_bin, shared_server, method, body
    )
