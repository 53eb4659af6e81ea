"""GrpcServer: grpclib's Server with our guarded connections, TLS and drain."""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
from collections.abc import Sequence

from grpclib._typing import IServable
from grpclib.config import Configuration
from grpclib.encoding.base import CodecBase
from grpclib.protocol import AbstractHandler
from grpclib.server import Server

from toys.calls.drain import DrainGate
from toys.transport.admission import ConnectionGuard
from toys.transport.connections import GuardedProtocol
from toys.transport.guarded import use_small_tls_buffers
from toys.transport.limits import Limits
from toys.transport.listener import Listener
from toys.transport.memory import give_back_after_crowds
from toys.transport.sockets import no_delay

log = logging.getLogger("toys.server")

# How long closing connections may take once in-flight calls are done or cancelled.
CLOSE_TIMEOUT_S = 5.0
# Connections the kernel may hold for the accept loop (capped by net.core.somaxconn).
LISTEN_BACKLOG = 4096


class GrpcServer(Server):
    """grpclib's Server whose connections are guarded (toys.transport.connections).

    Its connections are known, so a drain can close idle ones: Python 3.12's
    asyncio.Server.wait_closed() waits until every client has disconnected, and grpclib 0.4
    offers no way to close server-side connections; without this a client that keeps its
    channel open (a load balancer, a probe) would hold up every shutdown.
    """

    def __init__(
        self, handlers: Sequence[IServable], *, codec: CodecBase, limits: Limits | None = None
    ) -> None:
        self.limits = limits or Limits()
        config = Configuration(
            http2_connection_window_size=self.limits.connection_window_bytes,
            http2_stream_window_size=self.limits.stream_window_bytes,
        )
        super().__init__(handlers, codec=codec, config=config)
        self.guard = ConnectionGuard(self.limits)
        self._tls: ssl.SSLContext | None = None
        self._trimming: asyncio.Task[None] | None = None

    def _protocol_factory(self) -> GuardedProtocol:
        return GuardedProtocol(
            self._new_handler, self._config, self._h2_config, guard=self.guard, tls=self._tls
        )

    def _new_handler(self) -> AbstractHandler:
        """grpclib's handler for one connection, registered with this server."""
        return super()._protocol_factory().handler

    async def listen_on(self, sock: socket.socket, tls: ssl.SSLContext | None = None) -> int:
        """Serve on a bound, listening socket (TLS when `tls` is given: each connection is
        upgraded once admitted, toys.transport.connections); return its port."""
        if self._server is not None:
            raise RuntimeError("the server is already listening")
        no_delay(sock)
        if tls is not None:
            use_small_tls_buffers()
        self._tls = tls
        sock.listen(LISTEN_BACKLOG)
        # grpclib's Server only ever calls close() and wait_closed() on what it listens with.
        self._server = Listener(sock, self._protocol_factory)  # type: ignore[assignment]
        self._server_closed_fut = asyncio.get_running_loop().create_future()
        self._trimming = asyncio.create_task(give_back_after_crowds(lambda: len(self.guard.open)))
        return int(sock.getsockname()[1])

    async def drain(self, gate: DrainGate, grace_s: float) -> None:
        """Wait up to `grace_s` for gated calls in flight, cancel what is left, then stop
        listening and close every connection. New calls must already be refused."""
        if gate.in_flight:
            log.info("draining %d in-flight calls (up to %.1fs)", gate.in_flight, grace_s)
        try:
            await asyncio.wait_for(gate.wait_idle(), grace_s)
        except TimeoutError:
            log.warning("grace period over: cancelling %d calls", gate.in_flight)
            await gate.cancel_in_flight()
        # Stops listening and cancels what is left (health watches, reflection streams).
        if self._trimming is not None:
            self._trimming.cancel()
        self.close()
        self.guard.close_all()
        try:
            await asyncio.wait_for(self.wait_closed(), CLOSE_TIMEOUT_S)
        except TimeoutError:
            log.warning("connections still open after %.1fs; closing anyway", CLOSE_TIMEOUT_S)
