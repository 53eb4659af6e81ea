"""How messages cross the gRPC wire: the codec that turns undecodable requests into
INVALID_ARGUMENT (never UNKNOWN) and sends encoded answers as they are."""

from __future__ import annotations

from typing import Any

import betterproto2
from grpclib.encoding.proto import ProtoCodec

from toys.domain import InvalidArgument
from toys.grpc_api.statuses import grpc_error
from toys.messages import decoding
from toys.messages.encoded import Encoded


class StrictProtoCodec(ProtoCodec):
    """Protobuf codec that reads requests strictly (toys.messages.decoding) and sends responses
    already encoded (toys.messages.encoded.Encoded) as they are. Health and reflection
    messages are protobuf's own and decode as grpclib does."""

    def warm_up(self) -> None:
        decoding.warm_up()

    def encode(self, message: Any, message_type: Any) -> bytes:
        if type(message) is Encoded:
            return message.data
        return super().encode(message, message_type)

    def decode(self, data: bytes, message_type: Any) -> Any:
        if isinstance(message_type, type) and issubclass(message_type, betterproto2.Message):
            try:
                return decoding.decode_request(data, message_type)
            except InvalidArgument as exc:
                raise grpc_error(exc) from exc
        name = getattr(message_type, "__name__", "message")
        try:
            return super().decode(data, message_type)
        except Exception as exc:
            raise grpc_error(InvalidArgument("request", f"cannot decode {name}: {exc}")) from exc
