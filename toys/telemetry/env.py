"""Whether the OTEL_* environment asks for telemetry.

Telemetry is off unless OTEL_TRACES_EXPORTER or OTEL_METRICS_EXPORTER names an exporter
(`otlp` or `console`), and OTEL_SDK_DISABLED=true turns it off again. OTEL_SERVICE_NAME,
OTEL_RESOURCE_ATTRIBUTES and OTEL_EXPORTER_OTLP_* (endpoint, headers, timeout) are read by the
SDK itself.
"""

from __future__ import annotations

from collections.abc import Mapping

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
