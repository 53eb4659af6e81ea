"""The HTTP port's connections within their bounds, through a real HttpServer on a socket:
slow or silent peers are closed, oversized header blocks and pipelining floods refused, and
the per-peer limit is shared with whatever else uses the guard."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest

from toys.transport.admission import ConnectionGuard
from toys.transport.http_server import HttpServer
from toys.transport.limits import Limits


async def hello(scope: Any, receive: Any, send: Any) -> None:
    """Reads the whole request, then answers ok."""
    while (await receive()).get("more_body", False):
        pass
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]}
    )
    await send({"type": "http.response.body", "body": b"ok"})


QUICK = Limits(
    first_call_timeout_s=0.3,
    http_headers_timeout_s=0.3,
    http_request_timeout_s=0.6,
    http_keep_alive_s=0.3,
    max_connections_per_peer=3,
)


@pytest.fixture
async def port() -> AsyncIterator[int]:
    server = HttpServer(hello, guard=ConnectionGuard(QUICK))
    bound = await server.listen_on(socket.create_server(("127.0.0.1", 0)))
    yield bound
    server.close()
    await server.wait_closed()


async def read_all(reader: asyncio.StreamReader) -> bytes:
    return await asyncio.wait_for(reader.read(), 5)


async def test_a_request_is_answered(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
    assert (await read_all(reader)).endswith(b"\r\n\r\nok")
    writer.close()


async def test_a_connection_that_never_asks_is_closed(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    assert (await read_all(reader)).startswith(b"HTTP/1.1 408")
    writer.close()


async def test_headers_sent_too_slowly_are_cut_off(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET / HTTP/1.1\r\nx-slow: ")  # and never the rest
    answer = await read_all(reader)
    assert answer.startswith(b"HTTP/1.1 408")
    assert b"headers too slowly" in answer
    writer.close()


async def test_a_body_sent_too_slowly_is_cut_off(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\nabc")
    answer = await read_all(reader)
    assert answer.startswith(b"HTTP/1.1 408")
    assert b"request too slowly" in answer
    writer.close()


async def test_an_oversized_header_block_is_431(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET / HTTP/1.1\r\n" + b"x-big: " + b"a" * 40_000 + b"\r\n")
    assert (await read_all(reader)).startswith(b"HTTP/1.1 431")
    writer.close()


async def test_a_few_pipelined_requests_are_all_answered(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        b"GET / HTTP/1.1\r\nhost: x\r\n\r\n" * 9 + b"GET / HTTP/1.1\r\nconnection: close\r\n\r\n"
    )
    assert (await read_all(reader)).count(b"HTTP/1.1 200") == 10
    writer.close()


async def test_a_flood_of_pipelined_requests_closes_the_connection(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n" * 1000)
    try:
        answered = (await read_all(reader)).count(b"HTTP/1.1 200")
    except ConnectionResetError:
        answered = 0
    assert answered < 1000
    writer.close()


async def refused(port: int) -> bool:
    """Whether a new connection is reset before it is answered."""
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except ConnectionResetError:
        return True
    try:
        writer.write(b"GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        answer = await asyncio.wait_for(reader.read(), 5)
    except ConnectionResetError:
        answer = b""
    finally:
        writer.close()
    return answer == b""


async def test_one_address_gets_its_share_of_connections_and_no_more(port: int) -> None:
    held = [await asyncio.open_connection("127.0.0.1", port) for _ in range(3)]
    assert await refused(port)
    other_reader, other_writer = await asyncio.open_connection(
        "127.0.0.1", port, local_addr=("127.0.0.2", 0)
    )
    other_writer.write(b"GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
    assert (await read_all(other_reader)).endswith(b"ok")
    other_writer.close()
    for _, held_writer in held:
        held_writer.close()
        await held_writer.wait_closed()


async def test_refused_connections_leave_nothing_behind() -> None:
    """A connection refused at the per-address limit is dropped whole: the server keeps only
    the ones it admitted."""
    server = HttpServer(hello, guard=ConnectionGuard(QUICK))
    port = await server.listen_on(socket.create_server(("127.0.0.1", 0)))
    held = [await asyncio.open_connection("127.0.0.1", port) for _ in range(3)]
    for _ in range(20):
        assert await refused(port)
    assert server.connections == 3
    for _, writer in held:
        writer.close()
        await writer.wait_closed()
    server.close()
    await server.wait_closed()
