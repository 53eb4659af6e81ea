"""What every guarded connection does before it speaks HTTP, on either port: admitted by the
guard before its transport exists, upgraded to TLS here (so that handshakes in progress are
counted and bounded), and released from the guard once, whenever and however it ends.

TLS: the server listens in plaintext and each admitted connection is upgraded with
`loop.start_tls`. Letting asyncio do TLS in the listener would start every handshake before
the server knew whose it is, with nothing to count them by. asyncio gives each TLS connection
a read buffer of `SSLProtocol.max_size` (256 KiB, written whole when it is made): 5,000 silent
sockets took 290 KB each. A TLS record holds at most 16 KiB, so the server lowers that buffer
to one record for every TLS connection in the process (`use_small_tls_buffers`); an idle TLS
connection then costs ~50 KB, a plaintext one ~16 KB.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from asyncio import sslproto
from collections.abc import Callable
from typing import Any, cast

from toys.transport.admission import ConnectionGuard
from toys.transport.limits import Limits

log = logging.getLogger("toys.server")

TLS_READ_BUFFER = 16 * 1024 + 256  # one whole TLS record
TLS_SHUTDOWN_TIMEOUT_S = 2.0


def use_small_tls_buffers() -> None:
    """Every TLS connection of this process reads through a TLS_READ_BUFFER buffer."""
    sslproto.SSLProtocol.max_size = TLS_READ_BUFFER


class GuardedStart:
    """The start and end of a guarded connection; a protocol class mixes it in first and
    implements `_speak` (its own protocol begins on the transport given)."""

    def _guarded(self, guard: ConnectionGuard, tls: ssl.SSLContext | None) -> None:
        self._guard = guard
        self._limits: Limits = guard.limits
        self._tls = tls
        self.peer_host = ""
        self._raw: asyncio.Transport | None = None
        self._speaking = False  # its HTTP began (after the TLS handshake, if any)
        self._handshaking = False
        self._gone = False
        self._peer_certificate: dict[str, Any] | None = None
        self._timers: dict[str, asyncio.TimerHandle] = {}
        # What TLS decrypted before start_tls returned (asyncio hands it over first).
        self._early: list[bytes] = []
        self._upgrading: asyncio.Task[None] | None = None  # held: the loop holds tasks weakly

    def _speak(self, transport: asyncio.Transport) -> None:
        raise NotImplementedError

    def admitted(self, peer_host: str) -> bool:
        """Whether this connection, from `peer_host`, may start (the listener asks before it
        makes a transport for it)."""
        self.peer_host = peer_host
        return self._guard.admit(cast("Any", self), tls=self._tls is not None)

    def _connect(self, transport: asyncio.BaseTransport) -> None:
        """connection_made: speak at once, or after the TLS handshake."""
        raw = cast("asyncio.Transport", transport)  # a socket transport, from the loop
        self._raw = raw
        if self._gone:  # shed between admission and now
            raw.abort()
            return
        if self._tls is None:
            self._begin(raw)
            return
        self._handshaking = True
        raw.pause_reading()  # start_tls takes over the socket; nothing is read before it
        self._upgrading = asyncio.get_running_loop().create_task(self._upgrade(raw, self._tls))

    async def _upgrade(self, raw: asyncio.Transport, context: ssl.SSLContext) -> None:
        loop = asyncio.get_running_loop()
        try:
            transport: asyncio.Transport | None = await loop.start_tls(
                raw,
                cast("asyncio.BaseProtocol", self),
                context,
                server_side=True,
                ssl_handshake_timeout=self._limits.handshake_timeout_s,
                # A closing connection keeps its TLS state until the peer's close_notify or
                # this long (asyncio's default, 30 s, kept shed connections' memory).
                ssl_shutdown_timeout=TLS_SHUTDOWN_TIMEOUT_S,
            )
        except Exception as exc:  # failed, abandoned or timed out: nobody to tell
            log.debug("TLS handshake with %s failed: %r", self.peer_host, exc)
            transport = None
        finally:
            self._end_handshake()
        if transport is None or self._gone:
            if transport is not None:
                transport.abort()
            raw.abort()
            self._lost()
            return
        ssl_object = transport.get_extra_info("ssl_object")
        self._peer_certificate = ssl_object.getpeercert() if ssl_object is not None else None
        self._begin(transport)

    def _begin(self, transport: asyncio.Transport) -> None:
        self._speak(transport)
        self._speaking = True
        early, self._early = self._early, []
        for data in early:
            cast("asyncio.Protocol", self).data_received(data)

    def _held_back(self, data: bytes) -> bool:
        """Whether `data` is not for the protocol yet: the connection is gone, or has not
        begun to speak (then it is kept for when it does)."""
        if self._gone:
            return True
        if not self._speaking:
            self._early.append(data)  # at most one read's worth, before _begin runs
            return True
        return False

    def _end_handshake(self) -> None:
        if self._handshaking:
            self._handshaking = False
            self._guard.handshake_over(cast("Any", self))

    def _lost(self) -> None:
        self._gone = True
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        self._end_handshake()
        self._guard.release(cast("Any", self))

    def _abort_raw(self) -> None:
        self._gone = True
        if self._raw is not None:
            self._raw.abort()

    # -- timers --------------------------------------------------------------------------------

    def _arm(self, name: str, delay: float, callback: Callable[[], None]) -> None:
        self._cancel(name)
        self._timers[name] = asyncio.get_running_loop().call_later(delay, callback)

    def _cancel(self, name: str) -> None:
        timer = self._timers.pop(name, None)
        if timer is not None:
            timer.cancel()
