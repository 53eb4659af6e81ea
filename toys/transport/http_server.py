"""HttpServer: an ASGI application served over HTTP/1.1 by uvicorn's protocol, on our own
accept loop (toys.transport.listener) and connection guard, with TLS and a drain like the gRPC
port's.

uvicorn's Server class is not used: it binds, signals and logs on its own terms. What is used
of uvicorn is its Config (to load the protocol's settings), its ServerState (the protocol's
shared state) and HttpToolsProtocol (toys.transport.http_connections).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
from typing import Any

from uvicorn.config import Config
from uvicorn.server import ServerState

from toys.transport.admission import ConnectionGuard
from toys.transport.guarded import use_small_tls_buffers
from toys.transport.http_connections import HttpConnection
from toys.transport.listener import Listener
from toys.transport.server import CLOSE_TIMEOUT_S, LISTEN_BACKLOG
from toys.transport.sockets import no_delay

log = logging.getLogger("toys.server")


class HttpServer:
    """Serves `app` on the sockets given to `listen_on`, admitting connections with `guard`
    (the gRPC port's, so that the limits hold for the process)."""

    def __init__(self, app: Any, *, guard: ConnectionGuard) -> None:
        self.guard = guard
        self._config = Config(
            app,
            http="httptools",
            ws="none",
            lifespan="off",
            interface="asgi3",
            proxy_headers=False,  # X-Forwarded-For would let any client pick its address
            server_header=False,
            date_header=False,
            log_config=None,
            access_log=False,
            timeout_keep_alive=int(guard.limits.http_keep_alive_s),
        )
        self._config.load()
        self._state = ServerState()
        self._listeners: list[Listener] = []
        self._tls: ssl.SSLContext | None = None
        self._open: set[HttpConnection] = set()
        self._all_closed = asyncio.Event()
        self._all_closed.set()

    def _connection(self) -> HttpConnection:
        return HttpConnection(
            self._config,
            self._state,
            guard=self.guard,
            tls=self._tls,
            on_admitted=self._opened,
            on_lost=self._closed,
        )

    def _opened(self, connection: HttpConnection) -> None:
        # Only admitted ones: a refused connection is dropped with nothing kept of it.
        self._open.add(connection)
        self._all_closed.clear()

    def _closed(self, connection: HttpConnection) -> None:
        self._open.discard(connection)
        if not self._open:
            self._all_closed.set()

    async def listen_on(self, sock: socket.socket, tls: ssl.SSLContext | None = None) -> int:
        """Serve on a bound socket (TLS when `tls` is given); return its port."""
        no_delay(sock)
        if tls is not None:
            use_small_tls_buffers()
        self._tls = tls
        sock.listen(LISTEN_BACKLOG)
        self._listeners.append(Listener(sock, self._connection))
        return int(sock.getsockname()[1])

    @property
    def connections(self) -> int:
        """Connections admitted and not yet closed."""
        return len(self._open)

    @property
    def in_flight(self) -> int:
        return len(self._state.tasks)

    def close(self) -> None:
        """Stop accepting; idle connections close now, busy ones after their response."""
        for listener in self._listeners:
            listener.close()
        for connection in list(self._open):
            if connection in self._state.connections:
                connection.shutdown()
            else:
                connection.shed()  # still in its TLS handshake

    async def wait_closed(self) -> None:
        """Wait for the connections to close (CLOSE_TIMEOUT_S at most), then cut the rest."""
        for listener in self._listeners:
            await listener.wait_closed()
        try:
            await asyncio.wait_for(self._all_closed.wait(), CLOSE_TIMEOUT_S)
        except TimeoutError:
            log.warning("HTTP connections still open after %.1fs; closing anyway", CLOSE_TIMEOUT_S)
            for connection in list(self._open):
                connection.shed()
        if self._state.tasks:
            await asyncio.wait(list(self._state.tasks), timeout=CLOSE_TIMEOUT_S)
