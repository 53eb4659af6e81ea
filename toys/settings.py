"""Server configuration: command-line flags over TOYS_* environment variables over defaults."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from toys.defaults import DEFAULT_PORT

DEFAULT_HOST = "0.0.0.0"  # noqa: S104  # a server in a container must listen beyond loopback
DEFAULT_DB = "toys.db"
DEFAULT_GRACE_S = 10.0
DEFAULT_STORE_CHECK_S = 5.0
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    db: str = DEFAULT_DB
    shutdown_grace_s: float = DEFAULT_GRACE_S
    store_check_interval_s: float = DEFAULT_STORE_CHECK_S
    log_level: str = "INFO"
    log_format: str = "text"


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not between 0 and 65535")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 <= value < 3600:
        raise argparse.ArgumentTypeError(f"{value} is not between 0 and 3600 seconds")
    return value


def _level(text: str) -> str:
    if text.upper() not in LOG_LEVELS:
        raise argparse.ArgumentTypeError(f"{text!r} is not one of {', '.join(LOG_LEVELS)}")
    return text.upper()


def _log_format(text: str) -> str:
    if text.lower() not in ("text", "json"):
        raise argparse.ArgumentTypeError(f"{text!r} is not one of text, json")
    return text.lower()


@dataclass(frozen=True, slots=True)
class _Option:
    """One setting: its flag, its variable, its default (as text), how to read it."""

    field: str
    flag: str
    env: str
    default: str
    kind: Callable[[str], Any]
    help: str


_OPTIONS = (
    _Option("host", "--host", "TOYS_HOST", DEFAULT_HOST, str, "address to listen on"),
    _Option(
        "port", "--port", "TOYS_PORT", str(DEFAULT_PORT), _port, "TCP port; 0 picks a free one"
    ),
    _Option("db", "--db", "TOYS_DB", DEFAULT_DB, str, "SQLite database file, or :memory:"),
    _Option(
        "shutdown_grace_s",
        "--shutdown-grace",
        "TOYS_SHUTDOWN_GRACE",
        str(DEFAULT_GRACE_S),
        _seconds,
        "seconds in-flight calls get to finish after SIGTERM/SIGINT",
    ),
    _Option(
        "store_check_interval_s",
        "--store-check-interval",
        "TOYS_STORE_CHECK_INTERVAL",
        str(DEFAULT_STORE_CHECK_S),
        _seconds,
        "seconds a store health probe result is reused",
    ),
    _Option("log_level", "--log-level", "TOYS_LOG_LEVEL", "INFO", _level, "log level"),
    _Option(
        "log_format", "--log-format", "TOYS_LOG_FORMAT", "text", _log_format, "text or json lines"
    ),
)


def build_parser() -> argparse.ArgumentParser:
    """The flags; a flag left out falls back to its variable, then its default."""
    parser = argparse.ArgumentParser(
        prog="toys-server",
        description="Serve toys.v1.ToyService, grpc.health.v1.Health and server reflection.",
        epilog="Every flag can also be set by the TOYS_* variable shown beside it.",
    )
    for option in _OPTIONS:
        parser.add_argument(
            option.flag,
            dest=option.field,
            type=option.kind,
            default=None,
            help=f"{option.help} [env {option.env}; default: {option.default}]",
        )
    return parser


def load_settings(
    argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Settings from flags and environment; exits with status 2 and a message when invalid.

    Variables are read only after the flags are parsed, so `--help` works whatever they hold.
    """
    env = os.environ if environ is None else environ
    parser = build_parser()
    args = parser.parse_args(argv)
    values: dict[str, Any] = {}
    for option in _OPTIONS:
        value = getattr(args, option.field)
        if value is None:
            raw = env.get(option.env, option.default)
            try:
                value = option.kind(raw)
            except argparse.ArgumentTypeError as exc:
                parser.error(f"{option.env}: {exc}")
        values[option.field] = value
    return Settings(**values)
