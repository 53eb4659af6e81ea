"""Whether OpenTelemetry is on, and the one way in. Imports nothing from OpenTelemetry.

Configuration is only the standard OTEL_* environment: telemetry is off unless
OTEL_TRACES_EXPORTER or OTEL_METRICS_EXPORTER names an exporter (`otlp` or `console`), and
OTEL_SDK_DISABLED=true turns it off again. OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES and
OTEL_EXPORTER_OTLP_* (endpoint, headers, timeout) are read by the SDK. With telemetry off, the
`opentelemetry` packages are never imported, installed or not.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from grpclib.client import Channel
    from grpclib.server import Server

    from toys.store import ToyStore

log = logging.getLogger(__name__)

EXPORTER_VARIABLES = ("OTEL_TRACES_EXPORTER", "OTEL_METRICS_EXPORTER")


def exporters(value: str) -> list[str]:
    """The exporter names in an OTEL_*_EXPORTER value, without `none`."""
    names = (name.strip().lower() for name in value.split(","))
    return [name for name in names if name and name != "none"]


def requested(environ: Mapping[str, str]) -> bool:
    """True when the environment asks for any traces or metrics."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    return any(exporters(environ.get(name, "")) for name in EXPORTER_VARIABLES)


class Telemetry(Protocol):
    """What the server and toyctl need from a telemetry implementation."""

    def install_server(self, server: Server) -> None:
        """Trace and measure every call the server handles."""

    def instrument_store(self, store: ToyStore) -> ToyStore:
        """A store whose calls are child spans of the call that makes them."""

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
        from toys import _otel
    except ImportError as exc:
        log.warning(
            "OTEL_* asks for telemetry, but OpenTelemetry is not installed "
            "(install toy-factory[otel]): %s",
            exc,
        )
        return None
    return _otel.OtelTelemetry.from_environment(default_service_name, env)
