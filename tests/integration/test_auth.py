"""Who may call what, through the composed server: every role against every method, missing and
unknown tokens, client certificates as identities, open health and reflection, the audit."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from grpclib.client import Channel
from grpclib.const import Status
from grpclib.exceptions import GRPCError
from grpclib.health.v1.health_grpc import HealthStub
from grpclib.health.v1.health_pb2 import HealthCheckRequest

from tests.access import METHODS, TOKENS, assert_role_decides
from tests.pki import make_pki
from tests.support import serving
from toys._generated.toys import v1 as pb
from toys.auth.credentials import new_token, token_hash
from toys.auth.roles import Role
from toys.transport.tls import client_context

Call = Callable[[pb.ToyServiceStub], Awaitable[Any]]


async def _watch(stub: pb.ToyServiceStub) -> None:
    """A watch that ends at once when allowed (its token is refused: INVALID_ARGUMENT)."""
    async for _ in stub.watch_toys(pb.WatchToysRequest(resume_token="not-a-token")):
        break


CALLS: dict[str, Call] = {
    "CreateToy": lambda s: s.create_toy(pb.CreateToyRequest(name="Car")),
    "GetToy": lambda s: s.get_toy(pb.GetToyRequest(id="missing")),
    "ListToys": lambda s: s.list_toys(pb.ListToysRequest()),
    "DeleteToy": lambda s: s.delete_toy(pb.DeleteToyRequest(id="missing")),
    "ResetToy": lambda s: s.reset_toy(pb.ResetToyRequest(id="missing")),
    "UpdateManufactureStatus": lambda s: s.update_manufacture_status(
        pb.UpdateManufactureStatusRequest(toy_id="missing")
    ),
    "HealthCheck": lambda s: s.health_check(pb.HealthCheckRequest()),
    "GetToyHistory": lambda s: s.get_toy_history(pb.GetToyHistoryRequest(id="missing")),
    "WatchToys": _watch,
}


async def status_of(channel: Channel, method: str, token: str | None) -> Status:
    metadata = {"authorization": f"Bearer {token}"} if token is not None else None
    try:
        await CALLS[method](pb.ToyServiceStub(channel, metadata=metadata))
    except GRPCError as exc:
        return exc.status
    return Status.OK


def test_every_method_is_in_the_role_table() -> None:
    assert set(CALLS) == METHODS


@pytest.mark.parametrize("role", list(Role))
async def test_each_role_may_call_exactly_its_methods(
    tmp_path: Path, access_file: Path, role: Role
) -> None:
    async with serving(tmp_path / "toys.db", access_file=str(access_file)) as (_, channel):
        for method in CALLS:
            assert_role_decides(role, method, await status_of(channel, method, TOKENS[role]))


@pytest.mark.parametrize(("token", "why"), [(None, "needs credentials"), ("tft_forged", "not one")])
async def test_no_token_or_an_unknown_one_is_unauthenticated(
    tmp_path: Path, access_file: Path, token: str | None, why: str
) -> None:
    async with serving(tmp_path / "toys.db", access_file=str(access_file)) as (_, channel):
        with pytest.raises(GRPCError) as caught:
            await CALLS["ListToys"](
                pb.ToyServiceStub(
                    channel, metadata={"authorization": f"Bearer {token}"} if token else None
                )
            )
    assert caught.value.status is Status.UNAUTHENTICATED
    assert why in (caught.value.message or "")


async def test_health_stays_open_without_credentials(tmp_path: Path, access_file: Path) -> None:
    async with serving(tmp_path / "toys.db", access_file=str(access_file)) as (_, channel):
        assert await status_of(channel, "HealthCheck", None) is Status.OK
        await HealthStub(channel).Check(HealthCheckRequest())


async def test_a_known_client_certificate_is_an_identity(tmp_path: Path, access_file: Path) -> None:
    """With mutual TLS, a certificate whose CN the access file names needs no token."""
    pki = make_pki(tmp_path / "pki")
    batch, stranger = pki.client("batch"), pki.client("stranger")
    async with serving(
        tmp_path / "toys.db",
        access_file=str(access_file),
        tls_cert=str(pki.server.cert),
        tls_key=str(pki.server.key),
        tls_client_ca=str(pki.ca_file),
        channel_tls=client_context(str(pki.ca_file), str(batch.cert), str(batch.key)),
    ) as (server, channel):
        assert await status_of(channel, "CreateToy", None) is Status.OK
        assert await status_of(channel, "UpdateManufactureStatus", None) is (
            Status.PERMISSION_DENIED
        )
        other = Channel(
            "127.0.0.1",
            server.port,
            ssl=client_context(str(pki.ca_file), str(stranger.cert), str(stranger.key)),
        )
        try:
            assert await status_of(other, "ListToys", None) is Status.UNAUTHENTICATED
        finally:
            other.close()


async def test_every_mutating_call_writes_one_audit_record(
    tmp_path: Path, access_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="toys.audit")
    async with serving(tmp_path / "toys.db", access_file=str(access_file)) as (_, channel):
        writer = pb.ToyServiceStub(
            channel, metadata={"authorization": f"Bearer {TOKENS[Role.WRITER]}"}
        )
        toy = (await writer.create_toy(pb.CreateToyRequest(name="Car"))).toy
        assert toy is not None
        await writer.list_toys(pb.ListToysRequest())  # a read: not audited
        assert (
            await status_of(channel, "DeleteToy", TOKENS[Role.READER]) is Status.PERMISSION_DENIED
        )
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "toys.audit"]
    assert [(r["who"], r["method"], r["status"]) for r in records] == [
        ("writer-holder", "/toys.v1.ToyService/CreateToy", "OK"),
        ("reader-holder", "/toys.v1.ToyService/DeleteToy", "PERMISSION_DENIED"),
    ]
    assert records[0]["toy_id"] == toy.id


async def test_an_edited_access_file_takes_effect_without_a_restart(
    tmp_path: Path, access_file: Path
) -> None:
    newcomer = new_token()
    async with serving(tmp_path / "toys.db", access_file=str(access_file)) as (server, channel):
        assert await status_of(channel, "ListToys", newcomer) is Status.UNAUTHENTICATED
        with access_file.open("a") as out:
            out.write(f"newcomer reader {token_hash(newcomer)}\n")
        assert server.access is not None
        assert server.access.reload_if_changed()
        assert await status_of(channel, "ListToys", newcomer) is Status.OK
