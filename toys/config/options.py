"""The server's settings as flags and variables: each one's flag, TOYS_* variable, reader
and help (toys.config.settings builds the parser from this table)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from toys.config import values


@dataclass(frozen=True, slots=True)
class Option:
    """One setting: the Settings field, its flag and variable, how its text is read."""

    field: str
    flag: str
    env: str
    kind: Callable[[str], Any]
    help: str


OPTIONS = (
    Option("host", "--host", "TOYS_HOST", str, "address to listen on (0.0.0.0: every one)"),
    Option("port", "--port", "TOYS_PORT", values.port, "TCP port; 0 picks a free one"),
    Option(
        "health_port",
        "--health-port",
        "TOYS_HEALTH_PORT",
        values.port,
        "also serve grpc.health.v1 alone, in plaintext, on this port (0: no)",
    ),
    Option(
        "http_port",
        "--http-port",
        "TOYS_HTTP_PORT",
        values.port,
        "also serve HTTP on this port: Connect/JSON, Argo's http callbacks, /metrics, "
        "/healthz, /readyz (0 picks a free one)",
    ),
    Option(
        "db",
        "--db",
        "TOYS_DB",
        str,
        "SQLite database file, :memory:, or a postgresql:// URL (shared by replicas)",
    ),
    Option(
        "db_pool_size",
        "--db-pool-size",
        "TOYS_DB_POOL_SIZE",
        values.count,
        "PostgreSQL: connections in the pool",
    ),
    Option(
        "db_statement_timeout_s",
        "--db-statement-timeout",
        "TOYS_DB_STATEMENT_TIMEOUT",
        values.positive_seconds,
        "PostgreSQL: seconds a statement (or waiting for a pooled connection) may take",
    ),
    Option(
        "shutdown_grace_s",
        "--shutdown-grace",
        "TOYS_SHUTDOWN_GRACE",
        values.seconds,
        "seconds in-flight calls get to finish after SIGTERM/SIGINT",
    ),
    Option(
        "store_check_interval_s",
        "--store-check-interval",
        "TOYS_STORE_CHECK_INTERVAL",
        values.seconds,
        "seconds a store health probe result is reused",
    ),
    Option("log_level", "--log-level", "TOYS_LOG_LEVEL", values.level, "log level"),
    Option("log_format", "--log-format", "TOYS_LOG_FORMAT", values.log_format, "text or json"),
    Option("tls_cert", "--tls-cert", "TOYS_TLS_CERT", values.path, "TLS certificate chain (PEM)"),
    Option("tls_key", "--tls-key", "TOYS_TLS_KEY", values.path, "TLS private key (PEM)"),
    Option(
        "tls_client_ca",
        "--tls-client-ca",
        "TOYS_TLS_CLIENT_CA",
        values.path,
        "CA bundle (PEM) for client certificates; set, every client must present one (mTLS)",
    ),
    Option(
        "access_file",
        "--access-file",
        "TOYS_ACCESS_FILE",
        values.path,
        "who may call what: token hashes and certificate names with roles; unset, anyone may",
    ),
    Option(
        "files_check_interval_s",
        "--files-check-interval",
        "TOYS_FILES_CHECK_INTERVAL",
        values.positive_seconds,
        "seconds between checks for rotated TLS files and an edited access file",
    ),
    Option(
        "max_message_bytes",
        "--max-message-bytes",
        "TOYS_MAX_MESSAGE_BYTES",
        values.byte_count,
        "largest request accepted (K and M suffixes); larger is RESOURCE_EXHAUSTED",
    ),
    Option(
        "max_concurrent_streams",
        "--max-concurrent-streams",
        "TOYS_MAX_CONCURRENT_STREAMS",
        values.count,
        "calls one connection may run at once",
    ),
    Option(
        "max_connections",
        "--max-connections",
        "TOYS_MAX_CONNECTIONS",
        values.count,
        "open connections; more are closed at once",
    ),
    Option(
        "max_connections_per_peer",
        "--max-connections-per-peer",
        "TOYS_MAX_CONNECTIONS_PER_PEER",
        values.count_or_off,
        "open connections from one address (0: no per-address limit, for a proxy in front)",
    ),
    Option(
        "max_handshakes",
        "--max-handshakes",
        "TOYS_MAX_HANDSHAKES",
        values.count,
        "TLS handshakes in progress at once; more connections are refused until one ends",
    ),
    Option(
        "max_handshakes_per_peer",
        "--max-handshakes-per-peer",
        "TOYS_MAX_HANDSHAKES_PER_PEER",
        values.count_or_off,
        "TLS handshakes in progress from one address (0: no per-address limit)",
    ),
    Option(
        "idle_timeout_s",
        "--idle-timeout",
        "TOYS_IDLE_TIMEOUT",
        values.positive_seconds,
        "seconds a connection without calls or traffic stays open",
    ),
    Option(
        "handshake_timeout_s",
        "--handshake-timeout",
        "TOYS_HANDSHAKE_TIMEOUT",
        values.positive_seconds,
        "seconds a new connection gets for the TLS handshake, then for the HTTP/2 preface",
    ),
    Option(
        "first_call_timeout_s",
        "--first-call-timeout",
        "TOYS_FIRST_CALL_TIMEOUT",
        values.positive_seconds,
        "seconds a connection gets from its HTTP/2 preface to its first call",
    ),
    Option(
        "watch_history",
        "--watch-history",
        "TOYS_WATCH_HISTORY",
        values.count,
        "changes the store keeps for watches to resume from (older tokens: OUT_OF_RANGE)",
    ),
    Option(
        "watch_max_lag",
        "--watch-max-lag",
        "TOYS_WATCH_MAX_LAG",
        values.count,
        "changes a watch may have yet to send before it is ended ABORTED (to resume)",
    ),
    Option(
        "read_cache_max_toys",
        "--read-cache-max-toys",
        "TOYS_READ_CACHE_MAX_TOYS",
        values.count_or_off,
        "PostgreSQL: answer GetToy and ListToys from every toy in memory, kept current by "
        "the change feed, while the table holds at most this many (0: always read the "
        "database)",
    ),
    Option(
        "clock_skew_s",
        "--clock-skew",
        "TOYS_CLOCK_SKEW",
        values.seconds,
        "seconds a callback's times may run ahead of this server's clock",
    ),
)
