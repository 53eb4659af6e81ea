"""How messages cross the wire: the codec that turns undecodable requests into
INVALID_ARGUMENT (never UNKNOWN)."""

from __future__ import annotations

import dataclasses
from typing import Any

import betterproto2
from grpclib.encoding.proto import ProtoCodec

from toys._generated.toys import v1 as pb
from toys.domain import InvalidArgument
from toys.grpc_api.encoded import Encoded
from toys.grpc_api.statuses import grpc_error
from toys.grpc_api.wire_check import check_wire


def _check_decoded(message: Any, path: str = "") -> None:
    """Raise InvalidArgument for a scalar field that decoded to None.

    betterproto2 leaves a field None when the wire carried it with the wrong wire type (say, a
    group where a string belongs); the handlers would otherwise trip over it.
    """
    for field in dataclasses.fields(message):
        meta = betterproto2.FieldMetadata.get(field)
        value = getattr(message, field.name)
        name = f"{path}{field.name}"
        if value is None:
            if not meta.optional and meta.group is None:
                raise InvalidArgument(name, "has the wrong wire type")
        elif meta.proto_type == betterproto2.TYPE_MESSAGE and meta.unwrap is None:
            for index, item in enumerate(value if meta.repeated else [value]):
                _check_decoded(item, f"{name}[{index}]." if meta.repeated else f"{name}.")


class StrictProtoCodec(ProtoCodec):
    """Protobuf codec that answers an undecodable request with INVALID_ARGUMENT, not UNKNOWN,
    and sends responses already encoded (toys.grpc_api.encoded.Encoded) as they are.

    betterproto2 raises plain Python errors for, e.g., a Timestamp outside years 1..9999 or
    bytes that are not UTF-8 in a string field. Paths in its messages are proto paths.
    """

    def warm_up(self) -> None:
        """Decode a request with nested messages once, at start-up: betterproto2 imports and
        builds what it needs on its first nested message (150 ms here), which would
        otherwise stall the event loop under the first callback."""
        sample = pb.UpdateManufactureStatusRequest(
            toy_id="warm-up", run=pb.WorkflowRun(failures=[pb.WorkflowFailure(message="x")])
        )
        self.decode(bytes(sample), pb.UpdateManufactureStatusRequest)

    def encode(self, message: Any, message_type: Any) -> bytes:
        if type(message) is Encoded:
            return message.data
        return super().encode(message, message_type)

    def decode(self, data: bytes, message_type: Any) -> Any:
        name = getattr(message_type, "__name__", "message")
        try:
            if isinstance(message_type, type) and issubclass(message_type, betterproto2.Message):
                check_wire(data, message_type)  # health and reflection are protobuf's own
            message = super().decode(data, message_type)
            if isinstance(message, betterproto2.Message):
                _check_decoded(message)
        except InvalidArgument as exc:
            raise grpc_error(InvalidArgument("request", f"{name}.{exc.message}")) from exc
        except Exception as exc:
            raise grpc_error(InvalidArgument("request", f"cannot decode {name}: {exc}")) from exc
        return message
