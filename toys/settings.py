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


def build_parser(environ: Mapping[str, str]) -> argparse.ArgumentParser:
    """Flags whose defaults come from the environment, so `--help` shows what is in force."""
    parser = argparse.ArgumentParser(
        prog="toys-server",
        description="Serve toys.v1.ToyService, grpc.health.v1.Health and server reflection.",
        epilog="Every flag can also be set by the TOYS_* variable shown beside it.",
    )

    def option(
        flag: str, env: str, default: str, kind: Callable[[str], Any], help_text: str
    ) -> None:
        raw = environ.get(env, default)
        try:
            value = kind(raw)
        except argparse.ArgumentTypeError as exc:
            parser.error(f"{env}: {exc}")
        parser.add_argument(
            flag, default=value, type=kind, help=f"{help_text} [env {env}; default: {default}]"
        )

    option("--host", "TOYS_HOST", DEFAULT_HOST, str, "address to listen on")
    option("--port", "TOYS_PORT", str(DEFAULT_PORT), _port, "TCP port; 0 picks a free one")
    option("--db", "TOYS_DB", DEFAULT_DB, str, "SQLite database file, or :memory:")
    option(
        "--shutdown-grace",
        "TOYS_SHUTDOWN_GRACE",
        str(DEFAULT_GRACE_S),
        _seconds,
        "seconds in-flight calls get to finish after SIGTERM/SIGINT",
    )
    option(
        "--store-check-interval",
        "TOYS_STORE_CHECK_INTERVAL",
        str(DEFAULT_STORE_CHECK_S),
        _seconds,
        "seconds a store health probe result is reused",
    )
    option("--log-level", "TOYS_LOG_LEVEL", "INFO", _level, "log level")
    option("--log-format", "TOYS_LOG_FORMAT", "text", _log_format, "log lines as text or json")
    return parser


def load_settings(
    argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Settings from flags and environment; exits with status 2 and a message when invalid."""
    env = os.environ if environ is None else environ
    args = build_parser(env).parse_args(argv)
    return Settings(
        host=args.host,
        port=args.port,
        db=args.db,
        shutdown_grace_s=args.shutdown_grace,
        store_check_interval_s=args.store_check_interval,
        log_level=args.log_level,
        log_format=args.log_format,
    )
