"""Server configuration: command-line flags over TOYS_* environment variables over defaults."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from toys import setting_values as values
from toys.defaults import DEFAULT_PORT

DEFAULT_HOST = "127.0.0.1"  # loopback unless told: plaintext must not reach a network by accident
DEFAULT_DB = "toys.db"


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    db: str = DEFAULT_DB
    shutdown_grace_s: float = 10.0
    store_check_interval_s: float = 5.0
    log_level: str = "INFO"
    log_format: str = "text"
    tls_cert: str = ""
    tls_key: str = ""
    tls_client_ca: str = ""
    access_file: str = ""
    files_check_interval_s: float = 5.0
    max_message_bytes: int = 1024 * 1024
    max_concurrent_streams: int = 100
    max_connections: int = 1000
    idle_timeout_s: float = 300.0
    handshake_timeout_s: float = 10.0
    clock_skew_s: float = 300.0
    db_pool_size: int = 10
    db_statement_timeout_s: float = 5.0
    migrate: bool = True
    health_port: int = 0

    @property
    def tls(self) -> bool:
        return bool(self.tls_cert)


@dataclass(frozen=True, slots=True)
class _Option:
    """One setting: the Settings field, its flag and variable, how its text is read."""

    field: str
    flag: str
    env: str
    kind: Callable[[str], Any]
    help: str


_DEFAULTS = Settings()
_OPTIONS = (
    _Option("host", "--host", "TOYS_HOST", str, "address to listen on (0.0.0.0: every one)"),
    _Option("port", "--port", "TOYS_PORT", values.port, "TCP port; 0 picks a free one"),
    _Option(
        "health_port",
        "--health-port",
        "TOYS_HEALTH_PORT",
        values.port,
        "also serve grpc.health.v1 alone, in plaintext, on this port (0: no)",
    ),
    _Option(
        "db",
        "--db",
        "TOYS_DB",
        str,
        "SQLite database file, :memory:, or a postgresql:// URL (shared by replicas)",
    ),
    _Option(
        "db_pool_size",
        "--db-pool-size",
        "TOYS_DB_POOL_SIZE",
        values.count,
        "PostgreSQL: connections in the pool",
    ),
    _Option(
        "db_statement_timeout_s",
        "--db-statement-timeout",
        "TOYS_DB_STATEMENT_TIMEOUT",
        values.positive_seconds,
        "PostgreSQL: seconds a statement (or waiting for a pooled connection) may take",
    ),
    _Option(
        "shutdown_grace_s",
        "--shutdown-grace",
        "TOYS_SHUTDOWN_GRACE",
        values.seconds,
        "seconds in-flight calls get to finish after SIGTERM/SIGINT",
    ),
    _Option(
        "store_check_interval_s",
        "--store-check-interval",
        "TOYS_STORE_CHECK_INTERVAL",
        values.seconds,
        "seconds a store health probe result is reused",
    ),
    _Option("log_level", "--log-level", "TOYS_LOG_LEVEL", values.level, "log level"),
    _Option("log_format", "--log-format", "TOYS_LOG_FORMAT", values.log_format, "text or json"),
    _Option("tls_cert", "--tls-cert", "TOYS_TLS_CERT", values.path, "TLS certificate chain (PEM)"),
    _Option("tls_key", "--tls-key", "TOYS_TLS_KEY", values.path, "TLS private key (PEM)"),
    _Option(
        "tls_client_ca",
        "--tls-client-ca",
        "TOYS_TLS_CLIENT_CA",
        values.path,
        "CA bundle (PEM) for client certificates; set, every client must present one (mTLS)",
    ),
    _Option(
        "access_file",
        "--access-file",
        "TOYS_ACCESS_FILE",
        values.path,
        "who may call what: token hashes and certificate names with roles; unset, anyone may",
    ),
    _Option(
        "files_check_interval_s",
        "--files-check-interval",
        "TOYS_FILES_CHECK_INTERVAL",
        values.positive_seconds,
        "seconds between checks for rotated TLS files and an edited access file",
    ),
    _Option(
        "max_message_bytes",
        "--max-message-bytes",
        "TOYS_MAX_MESSAGE_BYTES",
        values.byte_count,
        "largest request accepted (K and M suffixes); larger is RESOURCE_EXHAUSTED",
    ),
    _Option(
        "max_concurrent_streams",
        "--max-concurrent-streams",
        "TOYS_MAX_CONCURRENT_STREAMS",
        values.count,
        "calls one connection may run at once",
    ),
    _Option(
        "max_connections",
        "--max-connections",
        "TOYS_MAX_CONNECTIONS",
        values.count,
        "open connections; more are closed at once",
    ),
    _Option(
        "idle_timeout_s",
        "--idle-timeout",
        "TOYS_IDLE_TIMEOUT",
        values.positive_seconds,
        "seconds a connection without calls or traffic stays open",
    ),
    _Option(
        "handshake_timeout_s",
        "--handshake-timeout",
        "TOYS_HANDSHAKE_TIMEOUT",
        values.positive_seconds,
        "seconds a new connection gets for the TLS handshake, then for the HTTP/2 preface",
    ),
    _Option(
        "clock_skew_s",
        "--clock-skew",
        "TOYS_CLOCK_SKEW",
        values.seconds,
        "seconds a callback's times may run ahead of this server's clock",
    ),
)


def build_parser() -> argparse.ArgumentParser:
    """The flags; a flag left out falls back to its variable, then its default."""
    parser = argparse.ArgumentParser(
        prog="toys-server",
        description="Serve toys.v1.ToyService, grpc.health.v1.Health and server reflection. "
        "`toys-server token new --role ROLE` makes a bearer token for the access file.",
        epilog="Every flag can also be set by the TOYS_* variable shown beside it.",
    )
    for option in _OPTIONS:
        default = getattr(_DEFAULTS, option.field)
        shown = "unset" if default == "" else default
        parser.add_argument(
            option.flag,
            dest=option.field,
            type=option.kind,
            default=None,
            help=f"{option.help} [env {option.env}; default: {shown}]",
        )
    parser.add_argument(
        "--no-migrate",
        dest="migrate",
        action="store_false",
        default=None,
        help="refuse to start on a schema that needs migrating, rather than migrate it "
        "(`toys-server migrate` does it alone) [env TOYS_NO_MIGRATE]",
    )
    return parser


def _consistent(settings: Settings) -> str | None:
    """Why the settings cannot work together, or None."""
    if bool(settings.tls_cert) != bool(settings.tls_key):
        return "--tls-cert and --tls-key go together"
    if settings.tls_client_ca and not settings.tls_cert:
        return "--tls-client-ca needs --tls-cert and --tls-key (mutual TLS is TLS first)"
    return None


def load_settings(
    argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Settings from flags and environment; exits with status 2 and a message when invalid.

    Variables are read only after the flags are parsed, so `--help` works whatever they hold.
    """
    env = os.environ if environ is None else environ
    parser = build_parser()
    args = parser.parse_args(argv)
    found: dict[str, Any] = {}
    for option in _OPTIONS:
        value = getattr(args, option.field)
        if value is None and option.env in env:
            try:
                value = option.kind(env[option.env])
            except argparse.ArgumentTypeError as exc:
                parser.error(f"{option.env}: {exc}")
        if value is not None:
            found[option.field] = value
    if args.migrate is not None:
        found["migrate"] = args.migrate
    elif "TOYS_NO_MIGRATE" in env:
        try:
            found["migrate"] = not values.yes(env["TOYS_NO_MIGRATE"])
        except argparse.ArgumentTypeError as exc:
            parser.error(f"TOYS_NO_MIGRATE: {exc}")
    settings = Settings(**found)
    problem = _consistent(settings)
    if problem is not None:
        parser.error(problem)
    return settings
