"""Revocation fails closed through a running server: the access file and the client CA."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from grpclib.client import Channel
from grpclib.const import Status
from grpclib.exceptions import GRPCError

from tests.pki import make_pki
from tests.support import serving
from toys._generated.toys import v1 as pb
from toys.auth.credentials import new_token, token_hash
from toys.transport.tls import client_context

KEPT, REVOKED = new_token(), new_token()


async def list_status(channel: Channel, token: str) -> Status:
    stub = pb.ToyServiceStub(channel, metadata={"authorization": f"Bearer {token}"})
    try:
        await stub.list_toys(pb.ListToysRequest())
    except GRPCError as exc:
        return exc.status
    return Status.OK


async def test_a_token_removed_in_an_edit_with_a_typo_is_refused_at_once(tmp_path: Path) -> None:
    access = tmp_path / "access"
    access.write_text(f"kept reader {token_hash(KEPT)}\nrevoked reader {token_hash(REVOKED)}\n")
    async with serving(tmp_path / "toys.db", access_file=str(access)) as (server, channel):
        assert await list_status(channel, REVOKED) is Status.OK
        access.write_text(f"kept reader {token_hash(KEPT)}\nthis line is a typo\n")
        assert server.access is not None
        server.access.reload_if_changed()
        assert await list_status(channel, REVOKED) is Status.UNAUTHENTICATED
        assert await list_status(channel, KEPT) is Status.OK


async def test_a_deleted_access_file_refuses_every_token(tmp_path: Path) -> None:
    access = tmp_path / "access"
    access.write_text(f"kept reader {token_hash(KEPT)}\n")
    async with serving(tmp_path / "toys.db", access_file=str(access)) as (server, channel):
        access.unlink()
        assert server.access is not None
        server.access.reload_if_changed()
        assert await list_status(channel, KEPT) is Status.UNAUTHENTICATED


async def _health_over(port: int, context: ssl.SSLContext) -> None:
    channel = Channel("127.0.0.1", port, ssl=context)
    try:
        await pb.ToyServiceStub(channel).health_check(pb.HealthCheckRequest(), timeout=10)
    finally:
        channel.close()


async def test_a_client_ca_that_cannot_be_read_refuses_new_tls_connections(
    tmp_path: Path,
) -> None:
    pki = make_pki(tmp_path / "pki")
    client = pki.client("batch")
    context = client_context(str(pki.ca_file), str(client.cert), str(client.key))
    ca_text = pki.ca_file.read_bytes()
    async with serving(
        tmp_path / "toys.db",
        tls_cert=str(pki.server.cert),
        tls_key=str(pki.server.key),
        tls_client_ca=str(pki.ca_file),
    ) as (server, _):
        assert server.tls is not None
        await _health_over(server.port, context)
        pki.ca_file.write_text("not a certificate\n")
        server.tls.files.reload_if_changed()
        with pytest.raises((ssl.SSLError, ConnectionError)):
            await _health_over(server.port, context)
        pki.ca_file.write_bytes(ca_text)
        server.tls.files.reload_if_changed()
        await _health_over(server.port, context)
