"""The bounds a server keeps, whatever its clients do."""

from __future__ import annotations

from dataclasses import dataclass

MiB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    max_message_bytes: int = MiB
    max_concurrent_streams: int = 100  # per connection (SETTINGS_MAX_CONCURRENT_STREAMS)
    max_connections: int = 1000
    idle_timeout_s: float = 300.0  # a connection with no call and no traffic is closed
    handshake_timeout_s: float = 10.0  # TLS handshake, then the HTTP/2 preface
    # What a client may send before the server reads it (HTTP/2 flow control), per stream and
    # per connection: unread bytes a connection can make the server hold.
    stream_window_bytes: int = 256 * 1024
    connection_window_bytes: int = MiB
