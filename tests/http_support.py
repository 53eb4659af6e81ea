"""Calling the HTTP port as its users do, with httpx (HTTP/1.1, keep-alive): Connect unary in
JSON or binary, its GET form, its server streams, and reading Connect's errors."""

from __future__ import annotations

import json
import struct
from collections.abc import AsyncGenerator
from typing import Any
from urllib.parse import quote

import httpx
from grpclib.const import Status

SERVICE = "/toys.v1.ToyService/"


def status_of_code(code: str) -> Status:
    return Status[code.upper()]


def bearer(token: str | None) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"} if token else {}


async def call_json(
    client: httpx.AsyncClient, method: str, message: dict[str, Any], token: str | None = None
) -> tuple[Status, dict[str, Any]]:
    """A Connect unary call in JSON: its status and its body (a message, or the error)."""
    return await call_json_text(client, method, json.dumps(message), token)


async def call_json_text(
    client: httpx.AsyncClient, method: str, text: str, token: str | None = None
) -> tuple[Status, dict[str, Any]]:
    """A Connect unary call of JSON text as it is."""
    response = await client.post(
        f"{SERVICE}{method}",
        content=text.encode(),
        headers={"content-type": "application/json", **bearer(token)},
    )
    body = response.json()
    if response.status_code == 200:
        return Status.OK, body
    return status_of_code(body["code"]), body


async def call_binary(
    client: httpx.AsyncClient, method: str, data: bytes, token: str | None = None
) -> tuple[Status, bytes]:
    response = await client.post(
        f"{SERVICE}{method}",
        content=data,
        headers={"content-type": "application/proto", **bearer(token)},
    )
    if response.status_code == 200:
        return Status.OK, response.content
    return status_of_code(response.json()["code"]), response.content


async def call_get(
    client: httpx.AsyncClient, method: str, message: dict[str, Any], token: str | None = None
) -> httpx.Response:
    """Connect's GET form of a read-only method, in JSON."""
    text = quote(json.dumps(message))
    return await client.get(
        f"{SERVICE}{method}?encoding=json&message={text}", headers=bearer(token)
    )


def envelope(message: dict[str, Any]) -> bytes:
    data = json.dumps(message).encode()
    return struct.pack(">BI", 0, len(data)) + data


async def stream_json(
    client: httpx.AsyncClient, method: str, message: dict[str, Any], token: str | None = None
) -> AsyncGenerator[dict[str, Any]]:
    """The messages of a Connect server stream in JSON; its end message last, as
    {"end": {...}} (holding "error" when the stream failed)."""
    async with client.stream(
        "POST",
        f"{SERVICE}{method}",
        content=envelope(message),
        headers={"content-type": "application/connect+json", **bearer(token)},
    ) as response:
        buffer = b""
        async for chunk in response.aiter_bytes():
            buffer += chunk
            while len(buffer) >= 5:
                flags, length = struct.unpack(">BI", buffer[:5])
                if len(buffer) < 5 + length:
                    break
                payload, buffer = buffer[5 : 5 + length], buffer[5 + length :]
                if flags & 0x02:
                    yield {"end": json.loads(payload)}
                    return
                yield json.loads(payload)
