"""Composition root: wires store, use cases, servicer, health, reflection and the drain.

`create_server(settings)` builds everything inside the running event loop; `main()` is the
`toys-server` entry point.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import weakref
from collections.abc import Sequence
from dataclasses import dataclass

from grpclib._typing import IServable
from grpclib.encoding.base import CodecBase
from grpclib.health.check import ServiceCheck, ServiceStatus
from grpclib.health.service import Health
from grpclib.protocol import H2Protocol
from grpclib.reflection.service import ServerReflection
from grpclib.server import Server

from toys import package_version
from toys.calls import CallTracker
from toys.domain import ToyError
from toys.logs import configure_logging
from toys.reflection import reflection_pool
from toys.service import ToyService
from toys.servicer import StrictProtoCodec, ToyServicer
from toys.settings import Settings, load_settings
from toys.sqlite_store import SqliteToyStore
from toys.store import ToyStore
from toys.telemetry import Telemetry
from toys.telemetry import from_environment as telemetry_from_environment

log = logging.getLogger("toys.server")

# How long closing connections may take once in-flight calls are done or cancelled.
_CLOSE_TIMEOUT_S = 5.0


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


def _no_delay(sock: socket.socket) -> None:
    """Disable Nagle on the listener; Linux passes it on to every accepted connection.

    asyncio sets TCP_NODELAY itself only when the socket's proto is IPPROTO_TCP, which a socket
    made by socket.create_server() is not; without it, each small unary reply waits ~40 ms
    for the client's delayed ACK.
    """
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _Server(Server):
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


@dataclass(slots=True)
class ToyServer:
    """A wired server: start it on a socket, later drain and close it."""

    grpc: _Server
    store: ToyStore
    calls: CallTracker
    serving: ServiceStatus
    settings: Settings
    port: int = 0

    async def start(self, sock: socket.socket | None = None) -> int:
        """Listen on `sock` (or on settings.host:port) and return the port."""
        if sock is None:
            sock = bind_socket(self.settings.host, self.settings.port)
        _no_delay(sock)
        self.port = int(sock.getsockname()[1])
        await self.grpc.start(sock=sock)
        return self.port

    def begin_drain(self) -> None:
        """Health NOT_SERVING and new ToyService calls UNAVAILABLE, from now on."""
        self.serving.set(False)
        self.calls.stop_accepting()

    async def shutdown(self, grace_s: float | None = None) -> None:
        """Drain: NOT_SERVING first, refuse new calls, let in-flight calls finish for up to
        `grace_s` seconds, then cancel what is left and close the store."""
        self.begin_drain()
        await self.finish_drain(grace_s)

    async def finish_drain(self, grace_s: float | None = None) -> None:
        """Wait up to `grace_s` (default: the settings') for in-flight calls, then close."""
        grace = self.settings.shutdown_grace_s if grace_s is None else grace_s
        if self.calls.in_flight:
            log.info("draining %d in-flight calls (up to %.1fs)", self.calls.in_flight, grace)
        try:
            await asyncio.wait_for(self.calls.wait_idle(), grace)
        except TimeoutError:
            log.warning("grace period over: cancelling %d calls", self.calls.in_flight)
            await self.calls.cancel_in_flight()
        # Stops listening and cancels what is left (health watches, reflection streams).
        self.grpc.close()
        self.grpc.close_connections()
        try:
            await asyncio.wait_for(self.grpc.wait_closed(), _CLOSE_TIMEOUT_S)
        except TimeoutError:
            log.warning("connections still open after %.1fs; closing anyway", _CLOSE_TIMEOUT_S)
        await self.store.close()


async def create_server(
    settings: Settings, *, store: ToyStore | None = None, telemetry: Telemetry | None = None
) -> ToyServer:
    """Wire a server for `settings`; `store` replaces the SQLite store (tests use fakes), and
    `telemetry`, when given, traces and measures every call and store operation.

    Must run inside the event loop that will serve. Raises ToyError when the store cannot open.
    """
    if store is None:
        store = await SqliteToyStore.open(settings.db)
    if telemetry is not None:
        store = telemetry.instrument_store(store)
    service = ToyService(store)
    calls = CallTracker()
    servicer = ToyServicer(service, version=package_version(), accepting=lambda: calls.accepting)

    async def store_healthy() -> bool:
        report = await service.health()
        if not report.store_ok:
            log.warning("store health probe failed: %s", report.store_detail)
        return report.store_ok

    serving = ServiceStatus()
    serving.set(True)
    store_check = ServiceCheck(store_healthy, check_ttl=settings.store_check_interval_s)
    # Health's "" (overall) entry gets the union of these checks.
    health = Health({servicer: [serving, store_check]})
    services = ServerReflection.extend([servicer, health], pool=reflection_pool())
    grpc_server = _Server(services, codec=StrictProtoCodec())
    calls.install(grpc_server)  # first: the telemetry hooks read the call it records
    if telemetry is not None:
        telemetry.install_server(grpc_server)
    return ToyServer(grpc_server, store, calls, serving, settings)


async def serve(settings: Settings, telemetry: Telemetry | None = None) -> int:
    """Run until SIGTERM or SIGINT, then drain. Returns the process exit status."""
    try:
        server = await create_server(settings, telemetry=telemetry)
    except ToyError as exc:
        log.error("cannot open the store %s: %s", settings.db, exc.message)
        return 1
    try:
        port = await server.start()
    except OSError as exc:
        log.error("cannot listen on %s:%d: %s", settings.host, settings.port, exc.strerror)
        await server.store.close()
        return 1
    log.info(
        "toys-server %s listening on %s:%d (db %s)",
        package_version(),
        settings.host,
        port,
        settings.db,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    log.info("shutting down: health NOT_SERVING, draining calls")
    await server.shutdown()
    log.info("stopped")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    settings = load_settings(argv)
    configure_logging(settings.log_level, settings.log_format)
    telemetry = telemetry_from_environment("toys-server")
    try:
        with contextlib.suppress(KeyboardInterrupt):
            return asyncio.run(serve(settings, telemetry))
        return 130
    finally:
        if telemetry is not None:
            telemetry.shutdown()
