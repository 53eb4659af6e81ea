"""Each HTTP/1.1 connection, guarded like the gRPC port's: admitted by the same guard
(toys.transport.admission), its TLS handshake counted and upgraded here, and held to time and
size bounds that uvicorn does not keep on its own.

uvicorn's httptools protocol parses and runs the ASGI application. What it leaves open, and
this class closes:
- a request's headers may arrive as slowly as a peer likes (slowloris), and a new
  connection may wait for ever before its first request: the first request must begin within
  `first_call_timeout_s`, and each request's headers and body must be in within
  REQUEST_HEADERS_TIMEOUT_S and REQUEST_TIMEOUT_S of its first byte;
- llhttp puts no bound on a header block: one of more than MAX_HEADER_BYTES is answered 431;
- pipelined requests queue without bound: more than MAX_PIPELINED waiting close the
  connection.
Between requests the connection may stay idle for `http_keep_alive_s`.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Callable
from typing import Any, cast

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from toys.transport.admission import ConnectionGuard
from toys.transport.connections import upgrade_to_tls

log = logging.getLogger("toys.server")

MAX_HEADER_BYTES = 16 * 1024
MAX_PIPELINED = 16
REQUEST_HEADERS_TIMEOUT_S = 10.0
REQUEST_TIMEOUT_S = 30.0
PEER_CERTIFICATE = "toys.peer_certificate"  # the scope key of the client's certificate


class HttpConnection(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol within the guard's limits."""

    def __init__(
        self,
        config: Config,
        state: ServerState,
        *,
        guard: ConnectionGuard,
        tls: ssl.SSLContext | None = None,
        on_lost: Callable[[HttpConnection], None] = lambda _: None,
    ) -> None:
        super().__init__(config, state, app_state={}, _loop=asyncio.get_running_loop())
        self._on_lost = on_lost
        self._guard = guard
        self._limits = guard.limits
        self._tls = tls
        self.peer_host = ""
        self._raw: asyncio.Transport | None = None
        self._speaking = False
        self._handshaking = False
        self._gone = False
        self._requests = 0
        self._in_headers = False
        self._header_bytes = 0
        self._peer_certificate: dict[str, Any] | None = None
        # What TLS decrypted before start_tls returned (asyncio hands it over first).
        self._early: list[bytes] = []
        self._timers: dict[str, asyncio.TimerHandle] = {}

    # -- what admission asks -------------------------------------------------------------------

    @property
    def has_called(self) -> bool:
        return self._requests > 0

    @property
    def busy(self) -> bool:
        return self._in_headers or (self.cycle is not None and not self.cycle.response_complete)

    def shed(self) -> None:
        self._gone = True
        if self._raw is not None:
            self._raw.abort()
        if self._speaking:
            self.transport.abort()

    def admitted(self, peer_host: str) -> bool:
        self.peer_host = peer_host
        return self._guard.admit(self, tls=self._tls is not None)

    # -- the connection's life -----------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        raw = cast("asyncio.Transport", transport)
        self._raw = raw
        if self._gone:
            raw.abort()
            return
        self._arm("first", self._limits.first_call_timeout_s, "made no request")
        if self._tls is None:
            self._start_http(raw)
            return
        self._handshaking = True
        raw.pause_reading()
        asyncio.get_running_loop().create_task(self._start_tls(raw, self._tls))

    async def _start_tls(self, raw: asyncio.Transport, context: ssl.SSLContext) -> None:
        try:
            transport = await upgrade_to_tls(raw, self, context, self._limits, self.peer_host)
        finally:
            self._end_handshake()
        if transport is None or self._gone:
            if transport is not None:
                transport.abort()
            raw.abort()
            self._lost()
            return
        ssl_object = transport.get_extra_info("ssl_object")
        self._peer_certificate = ssl_object.getpeercert() if ssl_object is not None else None
        self._start_http(transport)

    def _end_handshake(self) -> None:
        if self._handshaking:
            self._handshaking = False
            self._guard.handshake_over(self)

    def _start_http(self, transport: asyncio.Transport) -> None:
        super().connection_made(transport)
        self._speaking = True
        early, self._early = self._early, []
        for data in early:
            self.data_received(data)

    def data_received(self, data: bytes) -> None:
        if self._gone:
            return
        if not self._speaking:
            self._early.append(data)  # at most one read's worth, before _start_http runs
            return
        super().data_received(data)
        if self._in_headers and self.parser is not None:
            self._header_bytes += len(data)
            if self._header_bytes > MAX_HEADER_BYTES:
                self._refuse(431, "request headers are larger than 16 KiB")

    def connection_lost(self, exc: Exception | None) -> None:
        self._lost()
        if self._speaking:
            self._speaking = False
            super().connection_lost(exc)

    def _lost(self) -> None:
        self._gone = True
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        self._end_handshake()
        self._guard.release(self)
        self._on_lost(self)

    # -- each request --------------------------------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._requests += 1
        self._in_headers = True
        self._header_bytes = 0
        self._cancel("first")
        self._arm("headers", REQUEST_HEADERS_TIMEOUT_S, "sent its request headers too slowly")
        self._arm("request", REQUEST_TIMEOUT_S, "sent its request too slowly")
        if self._peer_certificate:
            self.scope[PEER_CERTIFICATE] = self._peer_certificate  # type: ignore[literal-required]  # an extension key of ours

    def on_headers_complete(self) -> None:
        self._in_headers = False
        self._cancel("headers")
        super().on_headers_complete()
        if len(self.pipeline) > MAX_PIPELINED:
            log.info("closing a connection from %s: too many pipelined requests", self.peer_host)
            self.transport.abort()

    def on_message_complete(self) -> None:
        self._cancel("request")
        super().on_message_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # uvicorn arms its keep-alive timer here; ours replaces its length.
        if self.timeout_keep_alive_task is not None:
            self.timeout_keep_alive_task.cancel()
            self.timeout_keep_alive_task = self.loop.call_later(
                self._limits.http_keep_alive_s, self.timeout_keep_alive_handler
            )

    # -- timers and refusals -------------------------------------------------------------------

    def _arm(self, name: str, delay: float, why: str) -> None:
        self._cancel(name)
        self._timers[name] = asyncio.get_running_loop().call_later(delay, self._expire, why)

    def _cancel(self, name: str) -> None:
        timer = self._timers.pop(name, None)
        if timer is not None:
            timer.cancel()

    def _expire(self, why: str) -> None:
        log.info("closing a connection from %s that %s", self.peer_host, why)
        self._refuse(408, f"the connection {why}")

    def _refuse(self, status: int, message: str) -> None:
        """Answer `status` and close, when no response has started; else just close."""
        self._gone = True
        if not self._speaking or self.transport.is_closing():
            if self._raw is not None:
                self._raw.abort()
            return
        if self.cycle is None or not self.cycle.response_started:
            body = message.encode()
            self.transport.write(
                b"HTTP/1.1 %d %s\r\ncontent-type: text/plain; charset=utf-8\r\n"
                b"content-length: %d\r\nconnection: close\r\n\r\n%s"
                % (status, _REASONS[status], len(body), body)
            )
            self.transport.close()
        else:
            self.transport.abort()


_REASONS = {408: b"Request Timeout", 431: b"Request Header Fields Too Large"}
