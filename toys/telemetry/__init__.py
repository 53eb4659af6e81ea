"""Telemetry: the port the server and toyctl use, and the one way in. Imports no OpenTelemetry.

Configuration is only the standard OTEL_* environment (see toys.telemetry.env). With telemetry
off, the `opentelemetry` packages are never imported, installed or not; on, toys.telemetry.sdk
builds the SDK providers and the grpclib listeners.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Protocol

from toys.telemetry.env import requested

if TYPE_CHECKING:
    from grpclib.client import Channel
    from grpclib.const import Status
    from grpclib.server import Server
    from prometheus_client.registry import CollectorRegistry

    from toys.calls.context import CallContext
    from toys.core.store import ToyStore

log = logging.getLogger(__name__)


class Telemetry(Protocol):
    """What the server and toyctl need from a telemetry implementation."""

    def install_server(self, server: Server) -> None:
        """Trace every gRPC call the server handles."""

    def trace_http_call(
        self, call: CallContext, headers: Mapping[str, str]
    ) -> AbstractContextManager[Callable[[Status, str], None]]:
        """A span around one call of the HTTP port; what it yields ends it with the status."""

    def export_metrics(self, registry: CollectorRegistry) -> None:
        """Send the server's metrics (its one registry) to the configured exporters."""

    def instrument_store(self, store: ToyStore, db_system: str) -> ToyStore:
        """A store whose calls are child spans of the call that makes them (`db_system` is
        the semantic conventions' name of the database, e.g. `sqlite`)."""

    def install_client(self, channel: Channel) -> None:
        """Propagate the current trace on every request sent through `channel`."""

    def client_span(self) -> AbstractContextManager[None]:
        """A CLIENT span around one toyctl command; its calls carry its trace."""

    def shutdown(self) -> None:
        """Flush and stop exporters."""


def from_environment(
    default_service_name: str, environ: Mapping[str, str] | None = None
) -> Telemetry | None:
    """Telemetry as OTEL_* asks for it, or None when it is off (or not installed)."""
    env = os.environ if environ is None else environ
    if not requested(env):
        return None
    try:
        from toys.telemetry import sdk
    except ImportError as exc:
        log.warning(
            "OTEL_* asks for telemetry, but OpenTelemetry is not installed "
            "(install toy-factory[otel]): %s",
            exc,
        )
        return None
    return sdk.OtelTelemetry.from_environment(default_service_name, env)
