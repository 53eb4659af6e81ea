"""Each connection, guarded: how many there may be, how many calls each may run at once, how
long one may take to start speaking HTTP/2, and how long one may sit idle."""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any

from grpclib.protocol import H2Protocol
from h2.settings import SettingCodes

from toys.transport.limits import Limits
from toys.transport.message_size import bounded_streams

log = logging.getLogger("toys.server")

_PREFACE_BYTES = len(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")


class ConnectionGuard:
    """The open connections, admitted up to the limit."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.open: weakref.WeakSet[GuardedProtocol] = weakref.WeakSet()
        self.refused = 0

    def admit(self, protocol: GuardedProtocol) -> bool:
        if len(self.open) >= self.limits.max_connections:
            self.refused += 1
            if self.refused == 1 or self.refused % 1000 == 0:
                log.warning(
                    "connection limit (%d) reached: refused %d connections so far",
                    self.limits.max_connections,
                    self.refused,
                )
            return False
        self.open.add(protocol)
        return True

    def close_all(self) -> None:
        for protocol in list(self.open):
            protocol.close()


class GuardedProtocol(H2Protocol):
    """grpclib's HTTP/2 protocol, within the guard's limits."""

    def __init__(self, *args: Any, guard: ConnectionGuard) -> None:
        super().__init__(*args)
        self._guard = guard
        self._limits = guard.limits
        self._admitted = False
        self._preface_left = _PREFACE_BYTES
        self._last_activity = 0.0
        self._timers: list[asyncio.TimerHandle] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if not self._guard.admit(self):
            transport.close()
            return
        self._admitted = True
        super().connection_made(transport)
        bounded_streams(self.connection, self._limits.max_message_bytes)
        self.connection._connection.update_settings(
            {SettingCodes.MAX_CONCURRENT_STREAMS: self._limits.max_concurrent_streams}
        )
        self.connection.flush()
        loop = asyncio.get_running_loop()
        self._last_activity = loop.time()
        self._timers = [
            loop.call_later(self._limits.handshake_timeout_s, self._preface_missing),
            loop.call_later(self._limits.idle_timeout_s, self._check_idle),
        ]

    def data_received(self, data: bytes) -> None:
        if not self._admitted:
            return
        self._last_activity = asyncio.get_running_loop().time()
        if self._preface_left:
            self._preface_left = max(0, self._preface_left - len(data))
            if not self._preface_left:
                self._timers[0].cancel()
        super().data_received(data)

    def connection_lost(self, exc: BaseException | None) -> None:
        for timer in self._timers:
            timer.cancel()
        self._guard.open.discard(self)
        if self._admitted:
            super().connection_lost(exc)

    def _preface_missing(self) -> None:
        log.info(
            "closing a connection that sent no HTTP/2 preface within %gs",
            self._limits.handshake_timeout_s,
        )
        self.close()

    def _check_idle(self) -> None:
        loop = asyncio.get_running_loop()
        idle_for = loop.time() - self._last_activity
        calls = self.connection._connection.open_inbound_streams
        if not calls and idle_for >= self._limits.idle_timeout_s:
            self.close()
            return
        wait = self._limits.idle_timeout_s - idle_for if not calls else self._limits.idle_timeout_s
        self._timers[1] = loop.call_later(max(wait, 0.01), self._check_idle)

    def close(self) -> None:
        """Say GOAWAY and close the connection."""
        connection = getattr(self, "connection", None)  # unset before connection_made
        if connection is None or connection.is_closing():
            return
        connection._connection.close_connection()
        connection.flush()
        connection.close()
