"""Listening sockets."""

from __future__ import annotations

import socket


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket for host:port (port 0 picks a free port)."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(512)
    except OSError:
        sock.close()
        raise
    return sock


def no_delay(sock: socket.socket) -> None:
    """Disable Nagle on the listener; Linux passes it on to every accepted connection.

    asyncio sets TCP_NODELAY itself only when the socket's proto is IPPROTO_TCP, which a socket
    made by socket.create_server() is not; without it, each small unary reply waits ~40 ms
    for the client's delayed ACK.
    """
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
