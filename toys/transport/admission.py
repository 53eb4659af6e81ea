"""Who gets a connection: the limits on open connections, per server and per peer address,
and on TLS handshakes in progress.

A peer address that holds its share of connections, or of handshakes in progress, is refused
more (the listener resets the socket before anything is made for it). A server that is full
does not refuse every newcomer (that is what a pile of idle sockets wants): it sheds an idle
connection — one with no call in flight — of the address holding the most, and admits the
newcomer, if that address holds at least two more than the newcomer's. Addresses so share a
full server evenly (max-min fair): a crowd of idle sockets from many addresses cannot keep a
new client out, nor churn each other without end. Among the chosen address's idle
connections, those that never made a call go first, oldest first.
Handshakes in progress count as connections, and have limits of their own, since each holds
OpenSSL's state and a read buffer before it has proved anything: when all the slots are
taken, the oldest handshake in progress gives way (a real one takes a round trip or two).

Per-peer limits assume clients come from their own addresses; behind a proxy or a load
balancer that makes every client one address, set the per-peer limit to 0 (off): a full
server then sheds that address's own oldest idle connection for each newcomer.
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
        """Whether a call is in flight on it."""

    def shed(self) -> None:
        """Close it to make room: GOAWAY when it speaks HTTP/2, else just close."""


class ConnectionGuard:
    """The open connections (insertion order is age), by address, and those still in their
    TLS handshake; admitted within the limits."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.open: dict[Admitted, None] = {}
        self._by_peer: dict[str, dict[Admitted, None]] = {}
        self.per_peer: Counter[str] = Counter()
        self._handshakes: dict[Admitted, None] = {}
        self.handshaking: Counter[str] = Counter()
        self.refused = 0
        self.shed = 0

    def admit(self, connection: Admitted, *, tls: bool) -> bool:
        """Take `connection` in (shedding another to make room), or refuse it."""
        peer = connection.peer_host
        per_peer = self.limits.max_connections_per_peer
        if tls and not self._handshake_room(peer):
            return self._refuse("TLS handshakes in progress from one address", peer)
        if per_peer and self.per_peer[peer] >= per_peer:
            return self._refuse(f"connections from one address ({per_peer})", peer)
        if len(self.open) >= self.limits.max_connections and not self._make_room(peer):
            return self._refuse(f"connections ({self.limits.max_connections})", peer)
        self.open[connection] = None
        self._by_peer.setdefault(peer, {})[connection] = None
        self.per_peer[peer] += 1
        if tls:
            self._handshakes[connection] = None
            self.handshaking[peer] += 1
        return True

    def handshake_over(self, connection: Admitted) -> None:
        """Its TLS handshake ended (either way); idempotent."""
        if connection in self._handshakes:
            del self._handshakes[connection]
            self._decrement(self.handshaking, connection.peer_host)

    def release(self, connection: Admitted) -> None:
        """It closed; idempotent."""
        self.handshake_over(connection)
        if connection in self.open:
            del self.open[connection]
            peer = connection.peer_host
            mine = self._by_peer[peer]
            del mine[connection]
            if not mine:
                del self._by_peer[peer]
            self._decrement(self.per_peer, peer)

    def close_all(self) -> None:
        for connection in list(self.open):
            connection.shed()

    def _handshake_room(self, peer: str) -> bool:
        """Room for one more handshake from `peer`: none when it has its share; when every
        slot is taken, the oldest handshake in progress is shed to make room."""
        per_peer = self.limits.max_handshakes_per_peer
        if per_peer and self.handshaking[peer] >= per_peer:
            return False
        if len(self._handshakes) < self.limits.max_handshakes:
            return True
        self._shed(next(iter(self._handshakes)))
        return True

    def _make_room(self, peer: str) -> bool:
        """Shed an idle connection of the address holding the most, if it holds at least two
        more than `peer`; with per-peer limits off (a proxy: one address for every client),
        else one of `peer`'s own. False when there is none to shed fairly."""
        held = self.per_peer[peer]
        if max(self.per_peer.values(), default=0) >= held + 2:
            for address, count in self.per_peer.most_common():
                if count < held + 2:
                    break
                victim = self._idle_of(address)
                if victim is not None:
                    self._shed(victim)
                    return True
        victim = None if self.limits.max_connections_per_peer else self._idle_of(peer)
        if victim is None:
            return False
        self._shed(victim)
        return True

    def _idle_of(self, peer: str) -> Admitted | None:
        """`peer`'s oldest idle connection that never made a call, else its oldest idle one."""
        idle = None
        for connection in self._by_peer.get(peer, {}):
            if connection.busy:
                continue
            if not connection.has_called:
                return connection
            idle = idle or connection
        return idle

    def _shed(self, connection: Admitted) -> None:
        self.release(connection)
        connection.shed()
        self.shed += 1
        if self.shed == 1 or self.shed % 1000 == 0:
            log.warning("connection limits reached: shed %d connections so far", self.shed)

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
