"""When telemetry is on: only when OTEL_* asks for an exporter."""

from __future__ import annotations

import pytest

from toys.telemetry import from_environment
from toys.telemetry.env import exporters, requested


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, False),
        ({"OTEL_TRACES_EXPORTER": "none"}, False),
        ({"OTEL_TRACES_EXPORTER": "otlp"}, True),
        ({"OTEL_METRICS_EXPORTER": "console"}, True),
        ({"OTEL_TRACES_EXPORTER": "none,console"}, True),
        ({"OTEL_TRACES_EXPORTER": "otlp", "OTEL_SDK_DISABLED": "true"}, False),
        ({"OTEL_SERVICE_NAME": "x", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, False),
    ],
)
def test_telemetry_is_off_unless_an_exporter_is_asked_for(
    environ: dict[str, str], expected: bool
) -> None:
    """Setting a service name or endpoint alone turns nothing on; an exporter does."""
    assert requested(environ) is expected


def test_exporter_lists_drop_none_and_blanks() -> None:
    """OTEL_*_EXPORTER is a comma list; 'none' and blanks mean nothing."""
    assert exporters(" OTLP , none,,console") == ["otlp", "console"]


def test_off_means_no_telemetry_object() -> None:
    """With telemetry off there is nothing to install."""
    assert from_environment("toys-server", {}) is None
