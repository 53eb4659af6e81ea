"""Composition root: `create_server(settings)` wires store, use cases, servicer, readiness,
health, reflection, the per-call listeners and telemetry; `main()` is `toys-server`.

Nothing is built at import time: everything happens inside the event loop that serves.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import Sequence
from dataclasses import dataclass

from grpclib.health.service import Health
from grpclib.reflection.service import ServerReflection

from toys import package_version
from toys.calls.access_log import AccessLog
from toys.calls.drain import DrainGate
from toys.domain import ToyError
from toys.health import Readiness, ReadinessCheck
from toys.logs import configure_logging
from toys.page_tokens import PageTokens
from toys.reflection import reflection_pool
from toys.service import ToyService
from toys.servicer import ToyServicer
from toys.settings import Settings, load_settings
from toys.store import ToyStore
from toys.stores.sqlite import SqliteToyStore
from toys.telemetry import Telemetry
from toys.telemetry import from_environment as telemetry_from_environment
from toys.transport.server import GrpcServer
from toys.transport.sockets import bind_socket
from toys.wire import StrictProtoCodec

log = logging.getLogger("toys.server")


@dataclass(slots=True)
class ToyServer:
    """A wired server: start it on a socket, later drain and close it."""

    grpc: GrpcServer
    store: ToyStore
    gate: DrainGate
    readiness: Readiness
    settings: Settings
    port: int = 0
    stopped: bool = False

    async def start(self, sock: socket.socket | None = None) -> int:
        """Listen on `sock` (or on settings.host:port) and return the port."""
        if sock is None:
            sock = bind_socket(self.settings.host, self.settings.port)
        self.port = await self.grpc.listen_on(sock)
        return self.port

    def begin_drain(self) -> None:
        """Health NOT_SERVING and new ToyService calls UNAVAILABLE, from now on."""
        self.readiness.begin_drain()

    async def shutdown(self, grace_s: float | None = None) -> None:
        """Drain: NOT_SERVING first, refuse new calls, let in-flight calls finish for up to
        `grace_s` seconds (default: the settings'), then cancel what is left and close."""
        self.begin_drain()
        await self.finish_drain(grace_s)

    async def finish_drain(self, grace_s: float | None = None) -> None:
        """Once draining: wait for in-flight calls, close connections, close the store."""
        grace = self.settings.shutdown_grace_s if grace_s is None else grace_s
        await self.grpc.drain(self.gate, grace)
        await self.store.close()
        self.stopped = True


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
        store = telemetry.instrument_store(store, "sqlite")
    readiness = Readiness(store.ping, interval_s=settings.store_check_interval_s)
    service = ToyService(store, PageTokens(await store.deployment_key()))
    servicer = ToyServicer(service, version=package_version(), readiness=readiness)
    # grpc.health.v1 answers for "" (the whole server) and toys.v1.ToyService alike.
    health = Health({servicer: [ReadinessCheck(readiness)]})
    services = ServerReflection.extend([servicer, health], pool=reflection_pool())
    grpc_server = GrpcServer(services, codec=StrictProtoCodec())
    gate = DrainGate(readiness)
    # Per-call listeners, in any order.
    gate.install(grpc_server)
    AccessLog().install(grpc_server)
    if telemetry is not None:
        telemetry.install_server(grpc_server)
    return ToyServer(grpc_server, store, gate, readiness, settings)


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
