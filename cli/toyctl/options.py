"""Values behind toyctl's options, kept in a module that imports nothing heavy."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from toys.defaults import DEFAULT_PORT

DEFAULT_SERVER = f"localhost:{DEFAULT_PORT}"
DEFAULT_TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class Target:
    """Where and how patiently to call: `host:port` and the deadline of each call."""

    server: str
    timeout: float


class Output(enum.StrEnum):
    """-o/--output: how commands that show toys print them."""

    TABLE = "table"
    WIDE = "wide"
    JSON = "json"
    YAML = "yaml"
    NAME = "name"


class StatusFilter(enum.StrEnum):
    """--status: the manufacture statuses a user can filter on."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    ERROR = "ERROR"
