"""The bounds a server keeps, whatever its clients do (README: Security, "Limits")."""

from __future__ import annotations

from dataclasses import dataclass

MiB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    max_message_bytes: int = MiB
    max_concurrent_streams: int = 100  # per connection (SETTINGS_MAX_CONCURRENT_STREAMS)
    max_connections: int = 1000
    # Per peer address (0: off, for a proxy that makes every client one address).
    max_connections_per_peer: int = 100
    # TLS handshakes in progress, in all and per peer address (0: no per-peer limit).
    max_handshakes: int = 128
    max_handshakes_per_peer: int = 16
    idle_timeout_s: float = 300.0  # a connection with no call and no traffic is closed
    handshake_timeout_s: float = 10.0  # TLS handshake, then the HTTP/2 preface
    first_call_timeout_s: float = 10.0  # from the preface (HTTP/1.1: the connection) to a call
    http_keep_alive_s: float = 60.0  # an HTTP/1.1 connection idle between requests
    # From an HTTP/1.1 request's first byte: its headers, and the whole request, must be in.
    http_headers_timeout_s: float = 10.0
    http_request_timeout_s: float = 30.0
    # What a client may send before the server reads it (HTTP/2 flow control), per stream and
    # per connection: unread bytes a connection can make the server hold.
    stream_window_bytes: int = 256 * 1024
    connection_window_bytes: int = MiB
    # The abuse budgets of one connection (toys.transport.budgets).
    max_premature_resets: int = 100
    max_stream_errors: int = 100
    control_frame_burst: int = 1000
    control_frames_per_s: float = 100.0
