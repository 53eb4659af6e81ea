"""The network side of the server: sockets, TLS, admission, connection and message limits,
abuse budgets, the drain.

This package is the only code that relies on grpclib, h2 and asyncio internals, namely:
- `Server._protocol_factory()`, `Server._server` and `Server._server_closed_fut` (server.py):
  to make our own protocol per connection and listen on a socket of our own;
- `H2Protocol` and its `connection` (`Connection._connection`, the h2 state machine;
  `Connection.feed`, wrapped to account each frame; `EventsProcessor.streams`), in
  connections.py: admission, TLS upgraded per connection, SETTINGS_MAX_CONCURRENT_STREAMS,
  the preface, first-call and idle timers, the abuse budgets, and closing a connection from
  the server side with GOAWAY;
- `asyncio.sslproto.SSLProtocol.max_size` (connections.py): the read buffer of each TLS
  connection, lowered process-wide;
- `Connection.create_stream()`, `Connection._transport`, `protocol.Stream.recv_data()` and
  `send_headers()` (streams.py): refusing an oversize or compressed message from its prefix,
  before its body is read, and announcing `grpc-accept-encoding`.
Tests that guard them: tests/integration/test_server.py (drain), tests/integration/test_limits.py
and test_attacks.py (limits, budgets, oversize and compressed messages), tests/e2e
(TLS, reloading).
"""
