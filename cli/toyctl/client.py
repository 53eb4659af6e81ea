"""The calls toyctl makes to toys.v1.ToyService, each through toyctl.channel."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp

from toyctl.channel import run, run_retrying
from toyctl.errors import ExitCode, ToyctlError
from toyctl.options import Target
from toyctl.stub import ToyService
from toys._generated.pb2.toys.v1 import toys_pb2 as pb2

LIST_PAGE_SIZE = 500


def create_toy(
    target: Target,
    *,
    name: str,
    designer: str,
    design_time: datetime | None,
    manufacturer: str,
    say: Callable[[str], None],
) -> pb2.Toy:
    """The new toy. The request carries a request_id of this invocation's own, so that its
    retries (when the server went away mid-call, say) never make a second toy."""
    request = pb2.CreateToyRequest(
        name=name,
        designer=designer,
        manufacturor=manufacturer,
        request_id=str(uuid.uuid4()),
    )
    if design_time is not None:
        request.design_time.CopyFrom(_timestamp(design_time))

    async def work(stub: ToyService) -> pb2.Toy:
        return _toy(await stub.create_toy(request))

    return run_retrying(target, work, say)


def get_toy(target: Target, toy_id: str) -> pb2.Toy:
    async def work(stub: ToyService) -> pb2.Toy:
        return _toy(await stub.get_toy(pb2.GetToyRequest(id=toy_id)))

    return run(target, work)


def list_toys(
    target: Target, *, status: str = "MANUFACTURE_STATUS_UNSPECIFIED", limit: int | None = None
) -> list[pb2.Toy]:
    """Every toy (or the first `limit`), following next_page_token; each page has its deadline."""

    async def work(stub: ToyService) -> list[pb2.Toy]:
        toys: list[pb2.Toy] = []
        token = ""
        while limit is None or len(toys) < limit:
            wanted = LIST_PAGE_SIZE if limit is None else min(LIST_PAGE_SIZE, limit - len(toys))
            page = await stub.list_toys(
                pb2.ListToysRequest(
                    page_size=wanted,
                    page_token=token,
                    status=status,
                )
            )
            toys += page.toys
            token = page.next_page_token
            if not token:
                break
        return toys

    return run(target, work)


def update_status(
    target: Target, request: pb2.UpdateManufactureStatusRequest
) -> pb2.UpdateManufactureStatusResponse:
    async def work(stub: ToyService) -> pb2.UpdateManufactureStatusResponse:
        return await stub.update_manufacture_status(request)

    return run(target, work)


def delete_toy(target: Target, toy_id: str) -> None:
    async def work(stub: ToyService) -> None:
        await stub.delete_toy(pb2.DeleteToyRequest(id=toy_id))

    run(target, work)


def reset_toy(target: Target, toy_id: str) -> pb2.Toy:
    async def work(stub: ToyService) -> pb2.Toy:
        return _toy(await stub.reset_toy(pb2.ResetToyRequest(id=toy_id)))

    return run(target, work)


def health(target: Target) -> pb2.HealthCheckResponse:
    async def work(stub: ToyService) -> pb2.HealthCheckResponse:
        return await stub.health_check(pb2.HealthCheckRequest())

    return run(target, work)


def _timestamp(when: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(when)
    return stamp


def _toy(answer: pb2.CreateToyResponse | pb2.GetToyResponse | pb2.ResetToyResponse) -> pb2.Toy:
    if not answer.HasField("toy"):
        raise ToyctlError(ExitCode.ERROR, "the server answered without a toy")
    return answer.toy
