"""The network side of the server: sockets, the grpclib Server subclass, and the drain.

This is the only module that relies on grpclib internals, namely:
- `Server._protocol_factory()` (private) makes one H2Protocol per connection: overridden to
  remember connections, so that a drain can close idle ones;
- `H2Protocol.connection` (set in connection_made) and its `close()`: closing a connection
  from the server side, which grpclib 0.4 has no public call for.
tests/integration/test_server.py guards both: the drain tests fail if a kept-open client
connection holds up shutdown, or if a stuck call is not answered UNAVAILABLE.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import weakref
from collections.abc import Sequence

from grpclib._typing import IServable
from grpclib.encoding.base import CodecBase
from grpclib.protocol import H2Protocol
from grpclib.server import Server

from toys.calls.drain import DrainGate

log = logging.getLogger("toys.server")

# How long closing connections may take once in-flight calls are done or cancelled.
CLOSE_TIMEOUT_S = 5.0


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket for host:port (port 0 picks a free port)."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def no_delay(sock: socket.socket) -> None:
    """Disable Nagle on the listener; Linux passes it on to every accepted connection.

    asyncio sets TCP_NODELAY itself only when the socket's proto is IPPROTO_TCP, which a socket
    made by socket.create_server() is not; without it, each small unary reply waits ~40 ms
    for the client's delayed ACK.
    """
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class GrpcServer(Server):
    """grpclib's Server, remembering its connections so that a drain can close idle ones.

    Python 3.12's asyncio.Server.wait_closed() waits until every client has disconnected, and
    grpclib 0.4 offers no way to close server-side connections; without this a client that
    keeps its channel open (a load balancer, a probe) would hold up every shutdown.
    """

    def __init__(self, handlers: Sequence[IServable], *, codec: CodecBase) -> None:
        super().__init__(handlers, codec=codec)
        self._connections: weakref.WeakSet[H2Protocol] = weakref.WeakSet()

    def _protocol_factory(self) -> H2Protocol:
        protocol = super()._protocol_factory()
        self._connections.add(protocol)
        return protocol

    def close_connections(self) -> None:
        for protocol in list(self._connections):
            connection = getattr(protocol, "connection", None)  # unset before connection_made
            if connection is not None:
                connection.close()

    async def listen_on(self, sock: socket.socket) -> int:
        """Serve on a bound, listening socket; return its port."""
        no_delay(sock)
        await self.start(sock=sock)
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
        self.close()
        self.close_connections()
        try:
            await asyncio.wait_for(self.wait_closed(), CLOSE_TIMEOUT_S)
        except TimeoutError:
            log.warning("connections still open after %.1fs; closing anyway", CLOSE_TIMEOUT_S)
