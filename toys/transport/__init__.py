"""The network side of the server, for both ports: sockets, TLS, admission, connection and
message limits, abuse budgets, the drain.

This package is the only code that relies on grpclib, h2, uvicorn and asyncio internals,
namely:
- `Server._protocol_factory()`, `Server._server` and `Server._server_closed_fut` (server.py):
  to make our own protocol per connection and listen on a socket of our own;
- `H2Protocol` and its `connection` (`Connection._connection`, the h2 state machine;
  `Connection.feed`, wrapped to account each frame; `EventsProcessor.streams`), in
  connections.py: admission, TLS upgraded per connection, SETTINGS_MAX_CONCURRENT_STREAMS,
  the preface, first-call and idle timers, the abuse budgets, and closing a connection from
  the server side with GOAWAY;
- `asyncio.sslproto.SSLProtocol.max_size` (guarded.py): the read buffer of each TLS
  connection, lowered process-wide;
- uvicorn's `HttpToolsProtocol` (http_connections.py): its parser callbacks (`on_message_begin`,
  `on_headers_complete`, `on_message_complete`, `on_response_complete`), `scope`, `cycle`,
  `pipeline`, `parser`, `transport` and `timeout_keep_alive_task`, for the request deadlines,
  the header and pipelining bounds, the client certificate and the keep-alive; its `Config`
  and `ServerState` (http_server.py), instead of its Server;
- `Connection.create_stream()`, `Connection._transport`, `protocol.Stream.recv_data()` and
  `send_headers()` (streams.py): refusing an oversize or compressed message from its prefix,
  before its body is read, and announcing `grpc-accept-encoding`.
Tests that guard them: tests/integration/test_server.py (drain), tests/integration/test_limits.py
and test_attacks.py (limits, budgets, oversize and compressed messages),
test_http_limits.py (the HTTP port's bounds), tests/e2e (TLS, reloading).
"""
