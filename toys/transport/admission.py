"""Who gets a connection: the limits on open connections, per server and per peer address,
and on TLS handshakes in progress.

A peer address that holds its share of connections is refused more (the listener resets the
socket before anything is made for it). A server that is full does not refuse every newcomer
(that is what a pile of idle sockets from many addresses wants): it sheds its oldest idle
connection — one with no call in flight, those that never made a call first — and admits the
newcomer; only when every connection is busy is the newcomer refused. Handshakes in progress
count as connections, and have limits of their own, since each holds OpenSSL's state and a
read buffer before it has proved anything.

Per-peer limits assume clients come from their own addresses; behind a proxy or a load
balancer that makes every client one address, set the per-peer limit to 0 (off).
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Protocol

from toys.transport.limits import Limits

log = logging.getLogger("toys.server")


class Admitted(Protocol):
    """A connection as admission sees it."""

    peer_host: str

    @property
    def has_called(self) -> bool:
        """Whether it ever started a call."""

    @property
    def busy(self) -> bool:
        """Whether a call is in flight on it (or it is mid-handshake with a call to come)."""

    def shed(self) -> None:
        """Close it to make room: GOAWAY when it speaks HTTP/2, else just close."""


class ConnectionGuard:
    """The open connections (insertion order is age), admitted within the limits."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.open: dict[Admitted, None] = {}
        self.per_peer: Counter[str] = Counter()
        self.handshaking: Counter[str] = Counter()
        self.refused = 0
        self.shed = 0

    def admit(self, connection: Admitted, *, tls: bool) -> bool:
        """Take `connection` in (shedding an idle one to make room), or refuse it."""
        peer = connection.peer_host
        per_peer = self.limits.max_connections_per_peer
        if tls and not self._handshake_room(peer):
            return self._refuse("TLS handshakes in progress", peer)
        if per_peer and self.per_peer[peer] >= per_peer:
            return self._refuse(f"connections from one address ({per_peer})", peer)
        if len(self.open) >= self.limits.max_connections and not self._shed_one():
            return self._refuse(f"connections ({self.limits.max_connections})", peer)
        self.open[connection] = None
        self.per_peer[peer] += 1
        if tls:
            self.handshaking[peer] += 1
        return True

    def handshake_over(self, connection: Admitted) -> None:
        """Its TLS handshake ended (either way)."""
        self._decrement(self.handshaking, connection.peer_host)

    def release(self, connection: Admitted) -> None:
        """It closed; idempotent."""
        if connection in self.open:
            del self.open[connection]
            self._decrement(self.per_peer, connection.peer_host)

    def close_all(self) -> None:
        for connection in list(self.open):
            connection.shed()

    def _handshake_room(self, peer: str) -> bool:
        per_peer = self.limits.max_handshakes_per_peer
        if per_peer and self.handshaking[peer] >= per_peer:
            return False
        return self.handshaking.total() < self.limits.max_handshakes

    def _shed_one(self) -> bool:
        """Close the oldest idle connection, those that never made a call first; False when
        every one is busy."""
        oldest_idle: Admitted | None = None
        for connection in self.open:
            if connection.busy:
                continue
            if not connection.has_called:
                oldest_idle = connection
                break
            oldest_idle = oldest_idle or connection
        if oldest_idle is None:
            return False
        self.release(oldest_idle)
        oldest_idle.shed()
        self.shed += 1
        if self.shed == 1 or self.shed % 1000 == 0:
            log.warning("connection limits reached: shed %d idle connections so far", self.shed)
        return True

    def _refuse(self, what: str, peer: str) -> bool:
        self.refused += 1
        if self.refused == 1 or self.refused % 1000 == 0:
            log.warning(
                "limit on %s reached (latest from %s): refused %d connections so far",
                what,
                peer,
                self.refused,
            )
        return False

    @staticmethod
    def _decrement(counter: Counter[str], key: str) -> None:
        counter[key] -= 1
        if counter[key] <= 0:
            del counter[key]
