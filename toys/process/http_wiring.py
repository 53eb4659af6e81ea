"""The HTTP port's parts, wired to the same answers, gate, credentials and audit trail as the
gRPC port's (toys.process.server calls it when --http-port is set)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from toys import package_version
from toys.auth.credentials import Credentials
from toys.calls.access_log import CallObserver
from toys.calls.drain import DrainGate
from toys.core.readiness import Readiness
from toys.http_api import codecs
from toys.http_api.app import HttpApi, Scrape
from toys.http_api.argo_callbacks import ArgoCallbacks
from toys.http_api.calls import CallTracing, HttpCalls
from toys.http_api.dashboard import Dashboard
from toys.http_api.probes import Probes
from toys.http_api.service import toy_service_app
from toys.messages.answers import ToyAnswers, WatchAnswers
from toys.transport.admission import ConnectionGuard
from toys.transport.http_server import HttpServer

# What a request body may hold beyond its one message: Connect's 5-byte envelope, with room.
ENVELOPE_ROOM = 1024


def build_http(
    *,
    answers: ToyAnswers,
    watch: WatchAnswers | None,
    readiness: Readiness,
    gate: DrainGate,
    credentials: Callable[[], Credentials] | None,
    observers: Sequence[CallObserver],
    guard: ConnectionGuard,
    metrics: Scrape | None = None,
    tracing: CallTracing | None = None,
) -> HttpServer:
    max_message = guard.limits.max_message_bytes
    codecs.install()
    calls = HttpCalls(
        gate=gate,
        credentials=credentials,
        observers=observers,
        max_request_bytes=max_message + ENVELOPE_ROOM,
        tracing=tracing,
    )
    app = HttpApi(
        calls=calls,
        connect=toy_service_app(answers, watch, max_message_bytes=max_message),
        argo=ArgoCallbacks(answers),
        probes=Probes(readiness, package_version()),
        metrics=metrics,
        dashboard=Dashboard(),
    )
    return HttpServer(app, guard=guard)
