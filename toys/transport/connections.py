"""Each connection, guarded from its first byte: admitted (toys.transport.admission), its TLS
handshake done here so that handshakes in progress are counted and bounded, its calls run at
most so many at once, its frames kept within the abuse budgets (toys.transport.budgets), and
closed when it takes too long to start speaking HTTP/2, to make its first call, or sits idle.

TLS: the server listens in plaintext and each admitted connection is upgraded with
`loop.start_tls`. Letting asyncio do TLS in the listener would start every handshake before
the server knew whose it is, with nothing to count them by. asyncio gives each TLS connection
a read buffer of `SSLProtocol.max_size` (256 KiB, written whole when it is made): 5,000 silent
sockets took 290 KB each. A TLS record holds at most 16 KiB, so the server lowers that buffer
to one record for every TLS connection in the process (`use_small_tls_buffers`); an idle TLS
connection then costs ~50 KB, a plaintext one ~16 KB.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from asyncio import sslproto
from collections.abc import Callable
from typing import Any, cast

from grpclib.config import Configuration
from grpclib.protocol import AbstractHandler, H2Protocol
from h2.config import H2Configuration
from h2.errors import ErrorCodes
from h2.settings import SettingCodes

from toys.transport.admission import ConnectionGuard
from toys.transport.budgets import FrameBudget
from toys.transport.limits import Limits
from toys.transport.streams import bounded_streams

log = logging.getLogger("toys.server")

_PREFACE_BYTES = len(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
TLS_READ_BUFFER = 16 * 1024 + 256  # one whole TLS record
TLS_SHUTDOWN_TIMEOUT_S = 2.0


def use_small_tls_buffers() -> None:
    """Every TLS connection of this process reads through a TLS_READ_BUFFER buffer."""
    sslproto.SSLProtocol.max_size = TLS_READ_BUFFER


async def upgrade_to_tls(
    raw: asyncio.Transport,
    protocol: asyncio.Protocol,
    context: ssl.SSLContext,
    limits: Limits,
    peer_host: str,
) -> asyncio.Transport | None:
    """`raw` upgraded to TLS as the server side, for `protocol`; None when the handshake
    failed, was abandoned or took longer than the limits allow (nobody to tell then)."""
    loop = asyncio.get_running_loop()
    try:
        return await loop.start_tls(
            raw,
            protocol,
            context,
            server_side=True,
            ssl_handshake_timeout=limits.handshake_timeout_s,
            # A closing connection keeps its TLS state until the peer's close_notify or
            # this long (asyncio's default, 30 s, kept shed connections' memory).
            ssl_shutdown_timeout=TLS_SHUTDOWN_TIMEOUT_S,
        )
    except Exception as exc:
        log.debug("TLS handshake with %s failed: %r", peer_host, exc)
        return None


class GuardedProtocol(H2Protocol):
    """grpclib's HTTP/2 protocol, within the guard's limits."""

    def __init__(
        self,
        make_handler: Callable[[], AbstractHandler],
        config: Configuration,
        h2_config: H2Configuration,
        *,
        guard: ConnectionGuard,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        # grpclib's handler (its per-connection tasks) is made only once HTTP/2 starts: a
        # refused connection or a failed handshake never makes one.
        super().__init__(cast("AbstractHandler", None), config, h2_config)
        self._make_handler = make_handler
        self._guard = guard
        self._limits = guard.limits
        self._tls = tls
        self.peer_host = ""
        self._raw: asyncio.Transport | None = None
        self._speaking = False  # HTTP/2 started (after the TLS handshake, if any)
        self._handshaking = False
        self._gone = False
        self._preface_left = _PREFACE_BYTES
        self._calls = 0
        self._last_activity = 0.0
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._upgrade: asyncio.Task[None] | None = None
        # What TLS decrypted between the handshake and HTTP/2 starting (asyncio delivers it
        # before start_tls returns): the preface, usually.
        self._early: list[bytes] = []

    # -- what admission asks -------------------------------------------------------------------

    @property
    def has_called(self) -> bool:
        return self._calls > 0

    @property
    def busy(self) -> bool:
        return self._speaking and bool(self.connection._connection.open_inbound_streams)

    def shed(self) -> None:
        if self._speaking:
            self.close()
        else:
            self._gone = True
            if self._raw is not None:
                self._raw.abort()

    # -- the connection's life -----------------------------------------------------------------

    def admitted(self, peer_host: str) -> bool:
        """Whether this connection, from `peer_host`, may start (the listener asks before it
        makes a transport for it)."""
        self.peer_host = peer_host
        return self._guard.admit(self, tls=self._tls is not None)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        raw = cast("asyncio.Transport", transport)  # a socket transport, from the loop
        self._raw = raw
        if self._gone:  # shed between admission and now
            raw.abort()
            return
        loop = asyncio.get_running_loop()
        self._last_activity = loop.time()
        if self._tls is None:
            self._start_http2(transport)
            return
        self._handshaking = True
        raw.pause_reading()  # start_tls takes over the socket; nothing is read before it
        self._upgrade = loop.create_task(self._start_tls(raw, self._tls))

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
        self._start_http2(transport)

    def _end_handshake(self) -> None:
        if self._handshaking:
            self._handshaking = False
            self._guard.handshake_over(self)

    def _start_http2(self, transport: asyncio.BaseTransport) -> None:
        self.handler = self._make_handler()
        super().connection_made(transport)
        self._speaking = True
        bounded_streams(self.connection, self._limits.max_message_bytes)
        h2_connection = self.connection._connection
        h2_connection.update_settings(
            {SettingCodes.MAX_CONCURRENT_STREAMS: self._limits.max_concurrent_streams}
        )
        self.connection.flush()
        budget = FrameBudget(self._limits, self.processor.streams.__contains__)
        feed = self.connection.feed

        def accounted(data: bytes) -> list[Any]:
            return self._accounted(budget, feed(data))

        # One cycle per connection (the connection holds this function, which holds it back).
        self.connection.feed = accounted  # type: ignore[method-assign]  # see above
        loop = asyncio.get_running_loop()
        self._last_activity = loop.time()
        self._timers = {
            "preface": loop.call_later(self._limits.handshake_timeout_s, self._preface_missing),
            "idle": loop.call_later(self._limits.idle_timeout_s, self._check_idle),
        }
        early, self._early = self._early, []
        for data in early:
            self.data_received(data)

    def _accounted(self, budget: FrameBudget, events: list[Any]) -> list[Any]:
        kept = budget.account(events)
        if budget.streams and not self._calls:
            self._cancel_timer("first_call")
        self._calls = budget.streams
        if budget.exceeded:
            self._calm_down(budget.exceeded)
        return kept

    def data_received(self, data: bytes) -> None:
        if self._gone:
            return
        if not self._speaking:
            self._early.append(data)  # at most one read's worth, before _start_http2 runs
            return
        self._last_activity = asyncio.get_running_loop().time()
        if self._preface_left:
            self._preface_left = max(0, self._preface_left - len(data))
            if not self._preface_left:
                self._cancel_timer("preface")
                if not self._calls:
                    self._timers["first_call"] = asyncio.get_running_loop().call_later(
                        self._limits.first_call_timeout_s, self._first_call_missing
                    )
        super().data_received(data)

    def connection_lost(self, exc: BaseException | None) -> None:
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

    # -- timers and refusals ---------------------------------------------------------------

    def _cancel_timer(self, name: str) -> None:
        timer = self._timers.pop(name, None)
        if timer is not None:
            timer.cancel()

    def _preface_missing(self) -> None:
        log.info(
            "closing a connection from %s that sent no HTTP/2 preface within %gs",
            self.peer_host,
            self._limits.handshake_timeout_s,
        )
        self.close()

    def _first_call_missing(self) -> None:
        if not self._calls:
            self.close()

    def _check_idle(self) -> None:
        loop = asyncio.get_running_loop()
        idle_for = loop.time() - self._last_activity
        calls = self.connection._connection.open_inbound_streams
        if not calls and idle_for >= self._limits.idle_timeout_s:
            self.close()
            return
        wait = self._limits.idle_timeout_s - idle_for if not calls else self._limits.idle_timeout_s
        self._timers["idle"] = loop.call_later(max(wait, 0.01), self._check_idle)

    def _calm_down(self, why: str) -> None:
        log.warning("closing a connection from %s (ENHANCE_YOUR_CALM): %s", self.peer_host, why)
        self.close(ErrorCodes.ENHANCE_YOUR_CALM, why)

    def close(self, error_code: int = ErrorCodes.NO_ERROR, why: str = "") -> None:
        """Say GOAWAY and close the connection."""
        connection = getattr(self, "connection", None)  # unset before HTTP/2 starts
        if connection is None or connection.is_closing():
            if self._raw is not None and not self._speaking:
                self._raw.abort()
            return
        self._gone = True
        connection._connection.close_connection(
            error_code=error_code, additional_data=why.encode()[:256] or None
        )
        connection.flush()
        connection.close()
