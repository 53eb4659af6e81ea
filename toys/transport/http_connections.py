"""Each HTTP/1.1 connection, guarded like the gRPC port's: admitted by the same guard
(toys.transport.admission), its TLS handshake counted and upgraded here, and held to time and
size bounds that uvicorn does not keep on its own.

uvicorn's httptools protocol parses and runs the ASGI application. What it leaves open, and
this class closes:
- a request's headers may arrive as slowly as a peer likes (slowloris), and a new
  connection may wait for ever before its first request: the first request must begin within
  `first_call_timeout_s`, and each request's headers and body must be in within
  `http_headers_timeout_s` and `http_request_timeout_s` of its first byte;
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

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from toys.transport.admission import ConnectionGuard
from toys.transport.guarded import GuardedStart

log = logging.getLogger("toys.server")

MAX_HEADER_BYTES = 16 * 1024
MAX_PIPELINED = 16
PEER_CERTIFICATE = "toys.peer_certificate"  # the scope key of the client's certificate


class HttpConnection(GuardedStart, HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol within the guard's limits."""

    def __init__(
        self,
        config: Config,
        state: ServerState,
        *,
        guard: ConnectionGuard,
        tls: ssl.SSLContext | None = None,
        on_admitted: Callable[[HttpConnection], None] = lambda _: None,
        on_lost: Callable[[HttpConnection], None] = lambda _: None,
    ) -> None:
        super().__init__(config, state, app_state={}, _loop=asyncio.get_running_loop())
        self._guarded(guard, tls)
        self._on_admitted = on_admitted
        self._on_lost = on_lost
        self._requests = 0
        self._in_headers = False
        self._header_bytes = 0

    # -- what admission asks -------------------------------------------------------------------

    @property
    def has_called(self) -> bool:
        return self._requests > 0

    @property
    def busy(self) -> bool:
        return self._in_headers or (self.cycle is not None and not self.cycle.response_complete)

    def shed(self) -> None:
        self._abort_raw()
        if self._speaking:
            self.transport.abort()

    # -- the connection's life -----------------------------------------------------------------

    def admitted(self, peer_host: str) -> bool:
        if not super().admitted(peer_host):
            return False
        self._on_admitted(self)
        return True

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._arm("first", self._limits.first_call_timeout_s, self._expire("made no request"))
        self._connect(transport)

    def _speak(self, transport: asyncio.Transport) -> None:
        super().connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self._held_back(data):
            return
        super().data_received(data)
        if self._in_headers and self.parser is not None:
            self._header_bytes += len(data)
            if self._header_bytes > MAX_HEADER_BYTES:
                self._refuse(431, "request headers are larger than 16 KiB")

    def connection_lost(self, exc: Exception | None) -> None:
        self._lost()
        self._on_lost(self)
        if self._speaking:
            self._speaking = False
            super().connection_lost(exc)

    # -- each request --------------------------------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._requests += 1
        self._in_headers = True
        self._header_bytes = 0
        self._cancel("first")
        self._arm(
            "headers",
            self._limits.http_headers_timeout_s,
            self._expire("sent its request headers too slowly"),
        )
        self._arm(
            "request",
            self._limits.http_request_timeout_s,
            self._expire("sent its request too slowly"),
        )
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

    # -- refusals ------------------------------------------------------------------------------

    def _expire(self, why: str) -> Callable[[], None]:
        def expired() -> None:
            log.info("closing a connection from %s that %s", self.peer_host, why)
            self._refuse(408, f"the connection {why}")

        return expired

    def _refuse(self, status: int, message: str) -> None:
        """Answer `status` and close, when no response has started; else just close."""
        if not self._speaking or self.transport.is_closing():
            self._abort_raw()
            return
        self._gone = True
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
