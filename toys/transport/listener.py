"""The accept loop: each connection is admitted or refused before anything is made for it.

asyncio's own server makes a transport, a protocol and a task's worth of work for every socket
it accepts; a peer that reconnects as fast as it is refused would cost that much each time,
and with a few thousand sockets it kept the event loop busy enough that legitimate callers
timed out. Here a socket is accepted, judged by its peer address (toys.transport.admission)
and, when refused, reset at once: two system calls. Only an admitted socket gets a transport.

Running out of descriptors (EMFILE) pauses accepting briefly and says so once per pause,
instead of asyncio's second-long pause with a traceback.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
import struct
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger("toys.server")

ACCEPT_BATCH = 128  # sockets taken per wake-up, so that a flood cannot starve other work
RESOURCE_PAUSE_S = 0.1
_RESOURCE_ERRORS = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM}
_RESET_ON_CLOSE = struct.pack("ii", 1, 0)  # SO_LINGER on, 0 s: close sends RST


class Admissible(Protocol):
    """A connection's protocol, made before its transport: it admits or refuses itself."""

    def admitted(self, peer_host: str) -> bool: ...

    def connection_made(self, transport: asyncio.BaseTransport) -> None: ...

    def connection_lost(self, exc: Exception | None) -> None: ...


class Listener:
    """Accepts on a bound, listening socket; `protocol()` makes each connection's protocol,
    which admits or refuses it (`Admissible.admitted`)."""

    def __init__(self, sock: socket.socket, protocol: Callable[[], Admissible]) -> None:
        self._sock = sock
        self._protocol = protocol
        self._loop = asyncio.get_running_loop()
        self._closed = False
        self._starting: set[asyncio.Task[object]] = set()
        sock.setblocking(False)
        self._loop.add_reader(sock.fileno(), self._accept)

    def _accept(self) -> None:
        for _ in range(ACCEPT_BATCH):
            try:
                conn, address = self._sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                if exc.errno in _RESOURCE_ERRORS:
                    self._pause(exc)
                return
            protocol = self._protocol()
            if not protocol.admitted(str(address[0])):
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _RESET_ON_CLOSE)
                conn.close()
                continue
            conn.setblocking(False)
            starting = self._loop.create_task(self._start(conn, protocol))
            self._starting.add(starting)
            starting.add_done_callback(self._starting.discard)

    async def _start(self, conn: socket.socket, protocol: Admissible) -> None:
        try:
            # Both kinds of connection are asyncio.Protocol subclasses that also admit.
            await self._loop.connect_accepted_socket(lambda: protocol, conn)  # type: ignore[type-var]
        except Exception as exc:  # the peer went away at once: nobody to tell
            log.debug("an accepted connection could not start: %r", exc)
            protocol.connection_lost(exc)
            conn.close()

    def _pause(self, exc: OSError) -> None:
        log.warning("cannot accept connections for a moment: %s", exc.strerror)
        self._loop.remove_reader(self._sock.fileno())
        self._loop.call_later(RESOURCE_PAUSE_S, self._resume)

    def _resume(self) -> None:
        if not self._closed:
            self._loop.add_reader(self._sock.fileno(), self._accept)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._loop.remove_reader(self._sock.fileno())
        self._sock.close()

    async def wait_closed(self) -> None:
        if self._starting:
            await asyncio.wait(self._starting)
