"""The calls toyctl makes to toys.v1.ToyService, each through toyctl.channel."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from toyctl.channel import run, run_retrying
from toyctl.errors import ExitCode, ToyctlError
from toyctl.options import Target
from toys._generated.toys import v1 as pb

LIST_PAGE_SIZE = 500


def create_toy(
    target: Target,
    *,
    name: str,
    designer: str,
    design_time: datetime | None,
    manufacturer: str,
    say: Callable[[str], None],
) -> pb.Toy:
    """The new toy. The request carries a request_id of this invocation's own, so that its
    retries (when the server went away mid-call, say) never make a second toy."""
    request = pb.CreateToyRequest(
        name=name,
        designer=designer,
        design_time=design_time,
        manufacturor=manufacturer,
        request_id=str(uuid.uuid4()),
    )

    async def work(stub: pb.ToyServiceStub) -> pb.Toy:
        return _toy((await stub.create_toy(request)).toy)

    return run_retrying(target, work, say)


def get_toy(target: Target, toy_id: str) -> pb.Toy:
    async def work(stub: pb.ToyServiceStub) -> pb.Toy:
        return _toy((await stub.get_toy(pb.GetToyRequest(id=toy_id))).toy)

    return run(target, work)


def list_toys(
    target: Target, *, status: pb.ManufactureStatus | None = None, limit: int | None = None
) -> list[pb.Toy]:
    """Every toy (or the first `limit`), following next_page_token; each page has its deadline."""

    async def work(stub: pb.ToyServiceStub) -> list[pb.Toy]:
        toys: list[pb.Toy] = []
        token = ""
        while limit is None or len(toys) < limit:
            wanted = LIST_PAGE_SIZE if limit is None else min(LIST_PAGE_SIZE, limit - len(toys))
            page = await stub.list_toys(
                pb.ListToysRequest(
                    page_size=wanted,
                    page_token=token,
                    status=status or pb.ManufactureStatus.UNSPECIFIED,
                )
            )
            toys += page.toys
            token = page.next_page_token
            if not token:
                break
        return toys

    return run(target, work)


def update_status(
    target: Target, request: pb.UpdateManufactureStatusRequest
) -> pb.UpdateManufactureStatusResponse:
    async def work(stub: pb.ToyServiceStub) -> pb.UpdateManufactureStatusResponse:
        return await stub.update_manufacture_status(request)

    return run(target, work)


def delete_toy(target: Target, toy_id: str) -> None:
    async def work(stub: pb.ToyServiceStub) -> None:
        await stub.delete_toy(pb.DeleteToyRequest(id=toy_id))

    run(target, work)


def reset_toy(target: Target, toy_id: str) -> pb.Toy:
    async def work(stub: pb.ToyServiceStub) -> pb.Toy:
        return _toy((await stub.reset_toy(pb.ResetToyRequest(id=toy_id))).toy)

    return run(target, work)


def health(target: Target) -> pb.HealthCheckResponse:
    async def work(stub: pb.ToyServiceStub) -> pb.HealthCheckResponse:
        return await stub.health_check(pb.HealthCheckRequest())

    return run(target, work)


def _toy(toy: pb.Toy | None) -> pb.Toy:
    if toy is None:
        raise ToyctlError(ExitCode.ERROR, "the server answered without a toy")
    return toy
