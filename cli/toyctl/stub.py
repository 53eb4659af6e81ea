"""toys.v1.ToyService for toyctl, on protobuf's generated messages (toys_pb2).

toyctl does not use the server's betterproto2 dataclasses: importing them (and betterproto2,
dateutil and the descriptor pool behind them) cost every command about 30 ms before it could
send a byte. grpclib's default codec speaks protobuf's messages directly.
"""

from __future__ import annotations

from grpclib.client import Channel, UnaryUnaryMethod

from toys._generated.pb2.toys.v1 import toys_pb2 as pb2

SERVICE = "/toys.v1.ToyService/"
WATCH_TOYS = SERVICE + "WatchToys"
type Metadata = dict[str, str] | None


class ToyService:
    """One method per RPC; each call carries the stub's deadline and metadata (the token)."""

    __slots__ = ("channel", "metadata", "timeout")

    def __init__(
        self, channel: Channel, timeout: float | None = None, metadata: Metadata = None
    ) -> None:
        self.channel = channel
        self.timeout = timeout
        self.metadata = metadata

    async def _unary[R](self, name: str, request: object, reply: type[R]) -> R:
        method = UnaryUnaryMethod[object, R](self.channel, SERVICE + name, type(request), reply)
        return await method(request, timeout=self.timeout, metadata=self.metadata)

    async def create_toy(self, request: pb2.CreateToyRequest) -> pb2.CreateToyResponse:
        return await self._unary("CreateToy", request, pb2.CreateToyResponse)

    async def get_toy(self, request: pb2.GetToyRequest) -> pb2.GetToyResponse:
        return await self._unary("GetToy", request, pb2.GetToyResponse)

    async def list_toys(self, request: pb2.ListToysRequest) -> pb2.ListToysResponse:
        return await self._unary("ListToys", request, pb2.ListToysResponse)

    async def update_manufacture_status(
        self, request: pb2.UpdateManufactureStatusRequest
    ) -> pb2.UpdateManufactureStatusResponse:
        return await self._unary(
            "UpdateManufactureStatus", request, pb2.UpdateManufactureStatusResponse
        )

    async def delete_toy(self, request: pb2.DeleteToyRequest) -> pb2.DeleteToyResponse:
        return await self._unary("DeleteToy", request, pb2.DeleteToyResponse)

    async def reset_toy(self, request: pb2.ResetToyRequest) -> pb2.ResetToyResponse:
        return await self._unary("ResetToy", request, pb2.ResetToyResponse)

    async def health_check(self, request: pb2.HealthCheckRequest) -> pb2.HealthCheckResponse:
        return await self._unary("HealthCheck", request, pb2.HealthCheckResponse)
