"""Request bytes -> a betterproto2 message, strictly: what cannot be read is InvalidArgument.

check_wire refuses wrong wire types, truncated lengths and requests past the walk's budgets
before anything is parsed; after parsing, a scalar field betterproto2 left None (a group where
a string belongs) is refused too. betterproto2's own errors (a Timestamp outside years
1..9999, bytes that are not UTF-8) become InvalidArgument with its message.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import betterproto2

from toys._generated.toys import v1 as pb
from toys.domain import InvalidArgument
from toys.messages.wire_check import check_wire


def _check_decoded(message: Any, path: str = "") -> None:
    """Raise InvalidArgument for a scalar field that decoded to None."""
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


def decode_request[M: betterproto2.Message](data: bytes, message_type: type[M]) -> M:
    """`data` read as a `message_type`, or InvalidArgument on the field `request`."""
    name = message_type.__name__
    try:
        check_wire(data, message_type)
        message = message_type.parse(data)
        _check_decoded(message)
    except InvalidArgument as exc:
        raise InvalidArgument("request", f"{name}.{exc.message}") from exc
    except Exception as exc:
        raise InvalidArgument("request", f"cannot decode {name}: {exc}") from exc
    return message


def warm_up() -> None:
    """Decode a request with nested messages once, at start-up: betterproto2 imports and
    builds what it needs on its first nested message (150 ms here), which would otherwise
    stall the event loop under the first callback."""
    sample = pb.UpdateManufactureStatusRequest(
        toy_id="warm-up", run=pb.WorkflowRun(failures=[pb.WorkflowFailure(message="x")])
    )
    decode_request(bytes(sample), pb.UpdateManufactureStatusRequest)
