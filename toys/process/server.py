"""Composition root: `create_server(settings)` wires store, use cases, both ports, readiness,
health, reflection, the per-call listeners, metrics and telemetry (the command that serves:
toys.process.main).

Nothing is built at import time: everything happens inside the event loop that serves.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from grpclib.health.service import Health
from grpclib.reflection.service import ServerReflection

from toys import package_version
from toys.auth.credentials import (
    AccessFileError,
    Credentials,
    read_access_file,
    removals_only,
)
from toys.calls.access_log import AccessLog
from toys.calls.audit import AuditTrail
from toys.calls.auth import Authorization
from toys.calls.context import install_message_facts
from toys.calls.drain import DrainGate
from toys.config.settings import Settings
from toys.config.watched_files import WatchedFiles
from toys.core.page_tokens import PageTokens
from toys.core.readiness import Readiness
from toys.core.service import ToyService
from toys.core.store import ToyStore
from toys.grpc_api.codec import StrictProtoCodec
from toys.grpc_api.health import LIVENESS, ReadinessCheck
from toys.grpc_api.reflection import reflection_pool
from toys.grpc_api.servicer import ToyServicer
from toys.messages.answers import ToyAnswers, WatchAnswers
from toys.messages.encoded import EncodedToys
from toys.metrics.scrape import Scraper
from toys.metrics.server_metrics import ServerMetrics
from toys.metrics.timed_store import timed_store
from toys.process.http_wiring import build_http
from toys.process.lifecycle import ToyServer
from toys.stores.opening import StoreOptions, is_postgres, open_store
from toys.telemetry import Telemetry
from toys.transport.limits import Limits
from toys.transport.server import GrpcServer
from toys.transport.tls import ReloadingServerTls, ServerTlsFiles
from toys.watching.feed import ChangeFeed
from toys.watching.replica import FeedReplica
from toys.watching.tokens import ResumeTokens
from toys.watching.watches import Watches

log = logging.getLogger("toys.server")


async def create_server(
    settings: Settings, *, store: ToyStore | None = None, telemetry: Telemetry | None = None
) -> ToyServer:
    """Wire a server for `settings`; `store` replaces the SQLite store (tests use fakes), and
    `telemetry`, when given, traces and measures every call and store operation.

    Must run inside the event loop that will serve. Raises ToyError when the store cannot open.
    """
    # Files first: a bad certificate or access file stops the server before it opens anything.
    tls = ReloadingServerTls(_tls_files(settings)) if settings.tls else None
    access = (
        WatchedFiles(
            [settings.access_file],
            lambda: read_access_file(settings.access_file),
            what=f"access file {settings.access_file}",
            errors=(OSError, AccessFileError),
            degrade=lambda current, _: _removals_only(settings.access_file, current),
        )
        if settings.access_file
        else None
    )
    if store is None:
        store = await open_store(settings.db, store_options(settings))
    opened = store  # what the server closes (and tests reach), under its observers
    if telemetry is not None:
        store = telemetry.instrument_store(
            store, "postgresql" if is_postgres(settings.db) else "sqlite"
        )
    replica = (
        FeedReplica(store, max_toys=settings.read_cache_max_toys)
        if is_postgres(settings.db) and settings.read_cache_max_toys
        else None
    )
    metrics = ServerMetrics(package_version())
    store = timed_store(replica or store, metrics)
    readiness = Readiness(store.ping, interval_s=settings.store_check_interval_s)
    key = await store.deployment_key()
    service = ToyService(
        store, PageTokens(key), clock_skew=timedelta(seconds=settings.clock_skew_s)
    )
    encoded = EncodedToys()
    feed = ChangeFeed(store)
    watches = Watches(store, feed, max_lag=settings.watch_max_lag)
    watch = WatchAnswers(watches, ResumeTokens(key), encoded)
    answers = ToyAnswers(
        service, version=package_version(), readiness=readiness, encoded_toys=encoded
    )
    servicer = ToyServicer(answers, watch)
    # grpc.health.v1 answers for "" (the whole server) and toys.v1.ToyService alike.
    health = Health({servicer: [ReadinessCheck(readiness)], LIVENESS: []})
    services = ServerReflection.extend([servicer, health], pool=reflection_pool())
    codec = StrictProtoCodec()
    codec.warm_up()
    grpc_server = GrpcServer(services, codec=codec, limits=_limits(settings))
    gate = DrainGate(readiness)
    # Per-call listeners, in any order.
    gate.install(grpc_server)
    install_message_facts(grpc_server)
    AccessLog(observers=[metrics]).install(grpc_server)
    audit = AuditTrail(auth_enabled=access is not None)
    audit.install(grpc_server)
    credentials = (lambda: access.value) if access is not None else None
    if credentials is not None:
        Authorization(credentials).install(grpc_server)
    if telemetry is not None:
        telemetry.install_server(grpc_server)
        telemetry.export_metrics(metrics.registry)
    # The plaintext health port answers grpc.health.v1 and reflection (so that grpcurl can
    # ask it too), nothing else.
    health_grpc = (
        GrpcServer(
            ServerReflection.extend([health], pool=reflection_pool()),
            codec=codec,
            limits=_limits(settings),
        )
        if settings.health_port
        else None
    )
    scrape = Scraper(metrics, store, readiness)
    metrics.watch_state(
        guard=grpc_server.guard, watchers=lambda: watches.open, summary=lambda: scrape.summary
    )
    http = (
        build_http(
            answers=answers,
            watch=watch,
            readiness=readiness,
            gate=gate,
            credentials=credentials,
            observers=[audit, metrics],
            guard=grpc_server.guard,
            metrics=scrape,
            tracing=telemetry.trace_http_call if telemetry is not None else None,
        )
        if settings.http_port is not None
        else None
    )
    return ToyServer(
        grpc_server,
        opened,
        gate,
        readiness,
        settings,
        feed,
        tls,
        access,
        health_grpc,
        http,
        watches,
        replica,
    )


def _removals_only(path: str, current: Credentials) -> tuple[Credentials, str]:
    kept = removals_only(path, current)
    return kept, (
        f"only removals apply: {len(kept)} of its {len(current)} credentials stay in force, "
        "none is added or changed"
    )


def store_options(settings: Settings) -> StoreOptions:
    return StoreOptions(
        pool_size=settings.db_pool_size,
        statement_timeout_s=settings.db_statement_timeout_s,
        migrate=settings.migrate,
        keep_changes=settings.watch_history,
    )


def _tls_files(settings: Settings) -> ServerTlsFiles:
    return ServerTlsFiles(settings.tls_cert, settings.tls_key, settings.tls_client_ca)


def _limits(settings: Settings) -> Limits:
    return Limits(
        max_message_bytes=settings.max_message_bytes,
        max_concurrent_streams=settings.max_concurrent_streams,
        max_connections=settings.max_connections,
        max_connections_per_peer=settings.max_connections_per_peer,
        max_handshakes=settings.max_handshakes,
        max_handshakes_per_peer=settings.max_handshakes_per_peer,
        idle_timeout_s=settings.idle_timeout_s,
        handshake_timeout_s=settings.handshake_timeout_s,
        first_call_timeout_s=settings.first_call_timeout_s,
    )
