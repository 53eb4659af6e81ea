"""Plain responses of the HTTP port: Connect's error JSON with the HTTP status Connect gives
its code, JSON and text bodies."""

from __future__ import annotations

import json
from typing import Any

from connectrpc._protocol import ConnectWireError  # Connect's code -> HTTP status table
from connectrpc.code import Code
from grpclib.const import Status

Send = Any  # the ASGI send callable


async def send_body(
    send: Send,
    status: int,
    body: bytes,
    content_type: bytes,
    headers: list[tuple[bytes, bytes]] | None = None,
    *,
    cache: bytes = b"no-store",
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
                (b"x-content-type-options", b"nosniff"),
                (b"cache-control", cache),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def send_json(send: Send, status: int, value: Any) -> None:
    body = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    await send_body(send, status, body, b"application/json")


async def send_error(send: Send, status: Status, message: str) -> None:
    """Connect's error for a unary call: {"code": ..., "message": ...} and its HTTP status."""
    wire = ConnectWireError(Code[status.name], message, ())
    await send_body(send, wire.to_http_status().code, wire.to_json_bytes(), b"application/json")


def connect_code_status(code: str) -> Status:
    """The gRPC status of a Connect error code (`invalid_argument`)."""
    try:
        return Status[Code(code).name]
    except (ValueError, KeyError):
        return Status.UNKNOWN
