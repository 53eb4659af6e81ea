"""A wired server's life: listening (the API port, and a plaintext health port if asked),
following its files, draining and closing. toys.process.server builds it."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass, field
from typing import Any

from toys.auth.credentials import Credentials
from toys.calls.drain import DrainGate
from toys.config.settings import Settings
from toys.config.watched_files import WatchedFiles
from toys.core.readiness import Readiness
from toys.core.store import ToyStore
from toys.transport.http_server import HttpServer
from toys.transport.server import GrpcServer
from toys.transport.sockets import bind_socket
from toys.transport.tls import ReloadingServerTls
from toys.watching.feed import ChangeFeed
from toys.watching.replica import FeedReplica, load_in_background
from toys.watching.watches import Watches


@dataclass(slots=True)
class ToyServer:
    """A wired server: start it on a socket, later drain and close it."""

    grpc: GrpcServer
    store: ToyStore
    gate: DrainGate
    readiness: Readiness
    settings: Settings
    feed: ChangeFeed
    tls: ReloadingServerTls | None = None
    access: WatchedFiles[Credentials] | None = None
    # grpc.health.v1 alone, in plaintext, for probes that cannot speak TLS (Kubernetes' own).
    health_grpc: GrpcServer | None = None
    # The HTTP port (Connect, Argo's http callbacks, probes, metrics), when asked for.
    http: HttpServer | None = None
    watches: Watches | None = None
    # PostgreSQL: every toy in memory, loaded once serving, then kept current by the feed.
    replica: FeedReplica | None = None
    port: int = 0
    health_port: int = 0
    http_port: int = 0
    stopped: bool = False
    _background: list[asyncio.Task[None]] = field(default_factory=list)

    async def start(
        self, sock: socket.socket | None = None, http_sock: socket.socket | None = None
    ) -> int:
        """Listen on `sock` (or on settings.host:port), and on `http_sock` (or
        settings.host:http_port) when the server has an HTTP port; return the gRPC port."""
        if sock is None:
            sock = bind_socket(self.settings.host, self.settings.port)
        context = self.tls.context if self.tls is not None else None
        if self.http is not None:
            if http_sock is None:
                http_sock = bind_socket(self.settings.host, self.settings.http_port or 0)
            self.http_port = await self.http.listen_on(http_sock, context)
        self.port = await self.grpc.listen_on(sock, context)
        if self.health_grpc is not None:
            health_sock = bind_socket(self.settings.host, self.settings.health_port)
            self.health_port = await self.health_grpc.listen_on(health_sock)
        interval = self.settings.files_check_interval_s
        # Files followed while serving: the TLS certificate and key, the access file.
        watched: list[WatchedFiles[Any]] = [self.tls.files] if self.tls is not None else []
        watched += [self.access] if self.access is not None else []
        self._background = [asyncio.create_task(files.watch(interval)) for files in watched]
        if self.replica is not None:
            self._background.append(
                asyncio.create_task(load_in_background(self.replica, self.feed))
            )
        return self.port

    def begin_drain(self) -> None:
        """Health NOT_SERVING and new ToyService calls UNAVAILABLE, from now on; open watches
        end at once (UNAVAILABLE: their clients resume on another server)."""
        self.readiness.begin_drain()
        self.feed.close()

    async def shutdown(self, grace_s: float | None = None) -> None:
        """Drain: NOT_SERVING first, refuse new calls, let in-flight calls finish for up to
        `grace_s` seconds (default: the settings'), then cancel what is left and close."""
        self.begin_drain()
        await self.finish_drain(grace_s)

    async def finish_drain(self, grace_s: float | None = None) -> None:
        """Once draining: wait for in-flight calls, close connections, close the store."""
        grace = self.settings.shutdown_grace_s if grace_s is None else grace_s
        for task in self._background:
            task.cancel()
        await self.grpc.drain(self.gate, grace)  # the gate counts both ports' calls
        if self.http is not None:
            self.http.close()
            await self.http.wait_closed()
        if self.health_grpc is not None:  # answering NOT_SERVING to the very end
            await self.health_grpc.drain(self.gate, 0)
        await self.feed.stopped()
        await self.store.close()
        self.stopped = True
