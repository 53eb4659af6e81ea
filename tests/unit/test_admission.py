"""Admission with connections that only say who they are and whether they are busy."""

from __future__ import annotations

from dataclasses import dataclass

from toys.transport.admission import ConnectionGuard
from toys.transport.limits import Limits


@dataclass(eq=False)
class Connection:
    peer_host: str
    busy: bool = False
    has_called: bool = False
    was_shed: bool = False

    def shed(self) -> None:
        self.was_shed = True


def guard(**limits: int) -> ConnectionGuard:
    return ConnectionGuard(Limits(**limits))


def test_a_full_server_sheds_an_idle_connection_of_the_address_holding_the_most() -> None:
    admission = guard(max_connections=4)
    crowd = [Connection("crowd") for _ in range(3)]
    alone = Connection("alone")
    for connection in [*crowd, alone]:
        assert admission.admit(connection, tls=False)
    newcomer = Connection("new")
    assert admission.admit(newcomer, tls=False)
    assert crowd[0].was_shed
    assert not alone.was_shed
    assert newcomer in admission.open


def test_a_full_server_refuses_an_address_that_holds_nearly_as_many_as_any() -> None:
    admission = guard(max_connections=4)
    for peer in ("b", "b", "a", "a"):
        admission.admit(Connection(peer), tls=False)
    assert not admission.admit(Connection("a"), tls=False)
    assert admission.refused == 1


def test_a_full_server_behind_a_proxy_sheds_the_proxys_oldest_idle_connection() -> None:
    admission = guard(max_connections=2, max_connections_per_peer=0)
    first, second = Connection("proxy"), Connection("proxy")
    admission.admit(first, tls=False)
    admission.admit(second, tls=False)
    assert admission.admit(Connection("proxy"), tls=False)
    assert first.was_shed


def test_connections_that_never_called_are_shed_before_those_that_did() -> None:
    admission = guard(max_connections=2)
    worked, lurking = Connection("a", has_called=True), Connection("a")
    admission.admit(worked, tls=False)
    admission.admit(lurking, tls=False)
    admission.admit(Connection("b"), tls=False)
    assert lurking.was_shed
    assert not worked.was_shed


def test_a_server_whose_connections_are_busy_refuses_a_newcomer() -> None:
    admission = guard(max_connections=1)
    admission.admit(Connection("a", busy=True), tls=False)
    assert not admission.admit(Connection("b"), tls=False)
    assert admission.refused == 1


def test_a_peer_over_its_share_is_refused_and_sheds_nobody() -> None:
    admission = guard(max_connections=10, max_connections_per_peer=2)
    other = Connection("b")
    admission.admit(other, tls=False)
    mine = [Connection("a") for _ in range(2)]
    assert all(admission.admit(connection, tls=False) for connection in mine)
    assert not admission.admit(Connection("a"), tls=False)
    assert not any(connection.was_shed for connection in [other, *mine])
    assert admission.admit(Connection("b"), tls=False)


def test_a_per_peer_limit_of_zero_is_no_limit() -> None:
    admission = guard(max_connections=10, max_connections_per_peer=0)
    assert all(admission.admit(Connection("a"), tls=False) for _ in range(10))


def test_handshakes_beyond_a_peers_share_are_refused_not_shed() -> None:
    admission = guard(max_handshakes_per_peer=2)
    first = Connection("a")
    assert admission.admit(first, tls=True)
    assert admission.admit(Connection("a"), tls=True)
    assert not admission.admit(Connection("a"), tls=True)
    assert not first.was_shed
    admission.handshake_over(first)
    assert admission.admit(Connection("a"), tls=True)


def test_when_every_handshake_slot_is_taken_the_oldest_handshake_gives_way() -> None:
    admission = guard(max_handshakes=2, max_handshakes_per_peer=0)
    oldest, younger = Connection("a"), Connection("b")
    assert admission.admit(oldest, tls=True)
    assert admission.admit(younger, tls=True)
    assert admission.admit(Connection("c"), tls=True)
    assert oldest.was_shed
    assert not younger.was_shed
    assert admission.handshaking.total() == 2


def test_releasing_twice_counts_once() -> None:
    admission = guard()
    connection = Connection("a")
    admission.admit(connection, tls=False)
    admission.release(connection)
    admission.release(connection)
    assert admission.per_peer["a"] == 0
    assert not admission.open
