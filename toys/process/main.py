"""`toys-server`: its commands, or serving until SIGTERM or SIGINT and then draining."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import ssl
import sys
from collections.abc import Sequence

from toys import package_version
from toys.auth import token_command
from toys.auth.credentials import AccessFileError
from toys.config.settings import Settings, load_settings
from toys.domain import ToyError
from toys.process.admin import commands as admin
from toys.process.logs import configure_logging
from toys.process.server import create_server
from toys.stores.opening import redacted
from toys.telemetry import Telemetry
from toys.telemetry import from_environment as telemetry_from_environment

log = logging.getLogger("toys.server")


def _warn_about_exposure(settings: Settings) -> None:
    """One clear line each when the server is open to anyone who can reach it."""
    if not settings.tls:
        log.warning(
            "serving plaintext: traffic is unencrypted and nobody is authenticated by TLS; "
            "for anything beyond this machine pass --tls-cert and --tls-key"
        )
    if not settings.access_file:
        log.warning(
            "no --access-file: every caller may create, delete and report runs (local use only)"
        )


def _settle_heap() -> None:
    """What is loaded by now (modules, descriptors, the wired server) lives as long as the
    process: keep it out of the garbage collector's full passes. Under load those passes came
    every few hundred ms and walked ~50,000 objects for ~20 ms, a stall for every call in
    flight (GetToy's p99 at 64 in flight: 37 ms with them, 21 ms without)."""
    gc.collect()
    gc.freeze()


async def serve(settings: Settings, telemetry: Telemetry | None = None) -> int:
    """Run until SIGTERM or SIGINT, then drain. Returns the process exit status."""
    try:
        server = await create_server(settings, telemetry=telemetry)
    except ToyError as exc:
        log.error("cannot open the store %s: %s", redacted(settings.db), exc.message)
        return 1
    except (OSError, ssl.SSLError, AccessFileError) as exc:
        log.error("cannot start: %s", exc)
        return 1
    try:
        port = await server.start()
    except OSError as exc:
        log.error("cannot listen on %s:%d: %s", settings.host, settings.port, exc.strerror)
        await server.store.close()
        return 1
    log.info(
        "toys-server %s listening on %s:%d%s (%s, db %s)",
        package_version(),
        settings.host,
        port,
        f", HTTP on port {server.http_port}" if server.http is not None else "",
        ("mutual TLS" if settings.tls_client_ca else "TLS") if settings.tls else "plaintext",
        redacted(settings.db),
    )
    _warn_about_exposure(settings)
    _settle_heap()
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
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["token"]:
        return token_command.main(args[1:])
    if args[:1] in (["migrate"], ["copy"], ["backup"]):
        return admin.main(args[0], args[1:])
    settings = load_settings(args)
    configure_logging(settings.log_level, settings.log_format)
    telemetry = telemetry_from_environment("toys-server")
    try:
        with contextlib.suppress(KeyboardInterrupt):
            return asyncio.run(serve(settings, telemetry))
        return 130
    finally:
        if telemetry is not None:
            telemetry.shutdown()
