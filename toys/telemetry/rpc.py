"""RPC semantic conventions shared by the server and client spans."""

from __future__ import annotations

from grpclib.const import Status
from opentelemetry.trace import Span, StatusCode

from toys.calls.faults import SERVER_FAULT_STATUSES

INSTRUMENTATION = "toy-factory"


def rpc_attributes(method_name: str) -> dict[str, str]:
    """'/toys.v1.ToyService/GetToy' -> rpc.system, rpc.service and rpc.method."""
    service, _, method = method_name.lstrip("/").partition("/")
    return {"rpc.system": "grpc", "rpc.service": service, "rpc.method": method}


def record_status(span: Span, status: Status, message: str | None) -> None:
    """The gRPC status on a span; only server faults mark it as an error."""
    span.set_attribute("rpc.grpc.status_code", status.value)
    if status in SERVER_FAULT_STATUSES:
        span.set_status(StatusCode.ERROR, message or status.name)
