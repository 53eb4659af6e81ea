"""The network side of the server: sockets, TLS, connection and message limits, the drain.

This package is the only code that relies on grpclib internals, namely:
- `Server._protocol_factory()`, `Server._server` and `Server._server_closed_fut` (server.py):
  to make our own protocol per connection and to listen with a TLS handshake timeout, which
  `Server.start()` has no parameter for;
- `H2Protocol` and its `connection` (`Connection._connection`, the h2 state machine), in
  connections.py: connection limits, SETTINGS_MAX_CONCURRENT_STREAMS, the preface and idle
  timers, and closing a connection from the server side;
- `Connection.create_stream()`, `Connection._transport` and `protocol.Stream.recv_data()`
  (message_size.py): refusing an oversize message from its length prefix, before its body
  is read.
Tests that guard them: tests/integration/test_server.py (drain), tests/integration/test_limits.py
(limits, oversize messages), tests/e2e/test_tls.py (TLS, reloading).
"""
