"""Each gRPC connection, guarded from its first byte: admitted and upgraded to TLS as every
guarded connection is (toys.transport.guarded), its calls run at most so many at once, its
frames kept within the abuse budgets (toys.transport.budgets), and closed when it takes too
long to start speaking HTTP/2, to make its first call, or sits idle.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Callable
from typing import Any, cast

from grpclib.config import Configuration
from grpclib.protocol import AbstractHandler, H2Protocol
from h2.config import H2Configuration
from h2.errors import ErrorCodes
from h2.settings import SettingCodes

from toys.transport.admission import ConnectionGuard
from toys.transport.budgets import FrameBudget
from toys.transport.guarded import GuardedStart
from toys.transport.streams import bounded_streams

log = logging.getLogger("toys.server")

_PREFACE_BYTES = len(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")


class GuardedProtocol(GuardedStart, H2Protocol):
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
        self._guarded(guard, tls)
        self._make_handler = make_handler
        self._preface_left = _PREFACE_BYTES
        self._calls = 0
        self._last_activity = 0.0

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
            self._abort_raw()

    # -- the connection's life -----------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._last_activity = asyncio.get_running_loop().time()
        self._connect(transport)

    def _speak(self, transport: asyncio.Transport) -> None:
        self.handler = self._make_handler()
        super().connection_made(transport)
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
        self._last_activity = asyncio.get_running_loop().time()
        self._arm("preface", self._limits.handshake_timeout_s, self._preface_missing)
        self._arm("idle", self._limits.idle_timeout_s, self._check_idle)

    def _accounted(self, budget: FrameBudget, events: list[Any]) -> list[Any]:
        kept = budget.account(events)
        if budget.streams and not self._calls:
            self._cancel("first_call")
        self._calls = budget.streams
        if budget.exceeded:
            self._calm_down(budget.exceeded)
        return kept

    def data_received(self, data: bytes) -> None:
        if self._held_back(data):
            return
        self._last_activity = asyncio.get_running_loop().time()
        if self._preface_left:
            self._preface_left = max(0, self._preface_left - len(data))
            if not self._preface_left:
                self._cancel("preface")
                if not self._calls:
                    self._arm(
                        "first_call", self._limits.first_call_timeout_s, self._first_call_missing
                    )
        super().data_received(data)

    def connection_lost(self, exc: BaseException | None) -> None:
        self._lost()
        if self._speaking:
            self._speaking = False
            super().connection_lost(exc)

    # -- timers and refusals ---------------------------------------------------------------

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
        self._arm("idle", max(wait, 0.01), self._check_idle)

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
