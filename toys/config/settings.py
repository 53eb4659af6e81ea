"""Server configuration: command-line flags over TOYS_* environment variables over defaults."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from toys import package_version
from toys.config import values
from toys.config.database import DatabaseSettingError, database
from toys.config.defaults import DEFAULT_PORT
from toys.config.options import OPTIONS
from toys.core.store import KEEP_CHANGES
from toys.watching.replica import DEFAULT_MAX_TOYS
from toys.watching.watches import MAX_LAG

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
    max_connections_per_peer: int = 100
    max_handshakes: int = 128
    max_handshakes_per_peer: int = 16
    idle_timeout_s: float = 300.0
    handshake_timeout_s: float = 10.0
    first_call_timeout_s: float = 10.0
    clock_skew_s: float = 300.0
    db_pool_size: int = 10
    db_statement_timeout_s: float = 5.0
    migrate: bool = True
    health_port: int = 0
    http_port: int | None = None  # None: no HTTP port; 0: a free one
    watch_history: int = KEEP_CHANGES
    watch_max_lag: int = MAX_LAG
    read_cache_max_toys: int = DEFAULT_MAX_TOYS

    @property
    def tls(self) -> bool:
        return bool(self.tls_cert)


_DEFAULTS = Settings()
COMMANDS = """commands (each with its own --help):
  toys-server migrate    bring a database's schema up to date, then exit
  toys-server copy       copy every toy from one store to another (SQLite, PostgreSQL)
  toys-server backup     back up a SQLite store, even while a server runs on it
  toys-server token new  make a bearer token and its access-file line
"""


def build_parser() -> argparse.ArgumentParser:
    """The flags; a flag left out falls back to its variable, then its default."""
    parser = argparse.ArgumentParser(
        prog="toys-server",
        usage="toys-server [FLAGS] | toys-server {migrate,copy,backup,token} ...",
        description="Serve toys.v1.ToyService, grpc.health.v1.Health and server reflection.",
        epilog=COMMANDS + "\nEvery flag can also be set by the TOYS_* variable shown beside it.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"toys-server {package_version()}")
    for option in OPTIONS:
        default = getattr(_DEFAULTS, option.field)
        shown = "unset" if default in ("", None) else default
        parser.add_argument(
            option.flag,
            dest=option.field,
            type=option.kind,
            default=None,
            help=f"{option.help} [env {option.env}; default: {shown}]",
        )
    parser.add_argument(
        "--db-file",
        metavar="PATH",
        help="read --db from the first line of this file (a mounted Secret: no password in "
        "the environment or on a command line) [env TOYS_DB_FILE]",
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
    for option in OPTIONS:
        value = getattr(args, option.field)
        if value is None and option.env in env:
            try:
                value = option.kind(env[option.env])
            except argparse.ArgumentTypeError as exc:
                parser.error(f"{option.env}: {exc}")
        if value is not None:
            found[option.field] = value
    try:
        found["db"] = database(args.db, args.db_file, env, default=_DEFAULTS.db)
    except DatabaseSettingError as exc:
        parser.error(str(exc))
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
