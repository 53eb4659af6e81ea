"""Serving a call leaves no reference cycles behind: cyclic garbage is freed only by the
collector's full passes, which stall every call in flight (the latency tail)."""

from __future__ import annotations

import contextlib
import gc
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from grpclib.client import Channel
from grpclib.exceptions import GRPCError

from tests.support import serving
from toys._generated.toys import v1 as pb

OURS = ("grpclib", "h2", "hpack", "toys", "betterproto2")


@contextmanager
def cyclic_garbage() -> Iterator[list[object]]:
    """The objects that became unreachable cycles inside the block (and only those)."""
    found: list[object] = []
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        yield found
        gc.collect()
        found += [o for o in gc.garbage if type(o).__module__.split(".")[0] in OURS]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


async def test_calls_of_every_kind_leave_no_cycles(db_path: Path) -> None:
    async with serving(db_path) as (server, _):
        channel = Channel("127.0.0.1", server.port)
        stub = pb.ToyServiceStub(channel)
        try:
            toy = (await stub.create_toy(pb.CreateToyRequest(name="Car", designer="Ada"))).toy
            assert toy is not None
            with cyclic_garbage() as garbage:
                for index in range(10):
                    await stub.create_toy(pb.CreateToyRequest(name=f"toy-{index}"))
                    await stub.get_toy(pb.GetToyRequest(id=toy.id))
                    await stub.list_toys(pb.ListToysRequest(page_size=5))
                    await stub.reset_toy(pb.ResetToyRequest(id=toy.id))
                    with contextlib.suppress(GRPCError):  # NOT_FOUND: the error paths too
                        await stub.get_toy(pb.GetToyRequest(id=str(uuid.uuid4())))
                    with contextlib.suppress(GRPCError):  # INVALID_ARGUMENT
                        await stub.create_toy(pb.CreateToyRequest(name=""))
        finally:
            channel.close()
    assert garbage == []
