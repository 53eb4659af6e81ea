"""How ToyService messages cross Connect's wire: the strict reading of requests and encoded
answers sent as they are, as on the gRPC port.

connect-python chooses a codec by the request's content type from a registry of its own and
decodes into protobuf's (pb2) messages; an undecodable body is then UNKNOWN, with the
parser's words. Its registry's binary and JSON codecs are replaced (`install`) by these:
- binary requests of this API are read by toys.messages.decoding (the wire walk, its
  budgets, betterproto2): the service gets the same betterproto2 messages as over gRPC;
- JSON requests are read by protobuf's JSON parser into the pb2 message (unknown fields
  refused), then the same way from its bytes;
- anything undecodable is INVALID_ARGUMENT, naming the field where it can;
- a call refused before it is read (no credentials, the server draining) is refused here,
  before any of its bytes are parsed;
- an Answer (encoded bytes and the pb2 type they are) is sent as it is in binary, and as
  protobuf's JSON of those bytes in JSON.
Messages of other APIs (none today) keep protobuf's own handling.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import betterproto2
from connectrpc import _codec as connect_codecs  # the registry connect-python reads
from connectrpc.code import Code
from connectrpc.errors import ConnectError
from google.protobuf import json_format
from google.protobuf.message import Message

from toys._generated.pb2.toys.v1 import toys_pb2
from toys._generated.toys import v1 as pb
from toys.calls.context import current_call
from toys.domain import InvalidArgument
from toys.messages.decoding import decode_request
from toys.messages.statuses import status_of
from toys.messages.wire_check import MAX_FIELDS


@dataclass(frozen=True, slots=True)
class Answer:
    """A response already encoded: `data` is a `message_type` (a pb2 class) on the wire."""

    data: bytes
    message_type: type[Message]


def ours(request: Any) -> Any:
    """`request` as the betterproto2 message the answers take: as it is when the codec's
    reading arrived, else (a pb2 message a stream reader filled in place) read strictly from
    its bytes."""
    if isinstance(request, betterproto2.Message):
        return request
    kind = _ours(request)
    if kind is None:
        return request
    return _read(request.SerializeToString(), request, kind)


def _ours(message: Message) -> type[betterproto2.Message] | None:
    """The betterproto2 class of a pb2 message of this API, or None."""
    descriptor = message.DESCRIPTOR
    if descriptor.file.package != "toys.v1":
        return None
    found = getattr(pb, descriptor.name, None)
    return found if isinstance(found, type) else None


def _admitted() -> None:
    """Raise the refusal of the call being read, if it has one (toys.http_api.calls decides
    before connect-python reads the request; raised here, connect-python sends it in the
    call's own protocol, and nothing of the request is parsed)."""
    call = current_call()
    if call is not None and call.refusal is not None:
        raise ConnectError(Code[call.refusal.status.name], call.refusal.message)


def _read(data: bytes, message: Message, ours: type[betterproto2.Message]) -> Any:
    try:
        return decode_request(data, ours)
    except InvalidArgument as exc:
        raise ConnectError(Code.INVALID_ARGUMENT, status_of(exc)[1]) from exc


def _pb2(message: Any) -> Message:
    """A message to write as protobuf's own."""
    if isinstance(message, Answer):
        return message.message_type.FromString(message.data)
    if isinstance(message, betterproto2.Message):
        message_type: type[Message] = getattr(toys_pb2, type(message).__name__)
        return message_type.FromString(bytes(message))
    return message  # type: ignore[no-any-return]  # already a pb2 message


class StrictBinaryCodec:
    def name(self) -> str:
        return "proto"

    def encode(self, message: Any) -> bytes:
        if isinstance(message, Answer):
            return message.data
        if isinstance(message, betterproto2.Message):
            return bytes(message)
        return message.SerializeToString()  # type: ignore[no-any-return]  # a pb2 message

    def decode(self, data: bytes | bytearray, message: Any) -> Any:
        _admitted()
        ours = _ours(message)
        if ours is None:
            message.ParseFromString(data)
            return message
        read = _read(bytes(data), message, ours)
        # connect-python's stream reader keeps `message`, filled in place, not what this
        # returns; protobuf parses checked bytes in a microsecond or two.
        message.ParseFromString(data)
        return read


def _bounded_json(data: bytes, name: str) -> Any:
    """`data` as JSON values, refused past MAX_FIELDS of them: protobuf's JSON parser builds
    its message in Python, ~5 µs a value, and a megabyte of `{},` is 340,000 values (1.7 s of
    the event loop). Python's own JSON parser (C) reads the text first, and the values are
    counted before protobuf's sees them, as the wire walk counts binary fields."""
    try:
        value = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise ConnectError(Code.INVALID_ARGUMENT, f"cannot decode {name}: {exc}") from exc
    pending, seen = [value], 0
    while pending:
        item = pending.pop()
        seen += 1
        if seen > MAX_FIELDS:
            raise ConnectError(
                Code.INVALID_ARGUMENT, f"request: {name}: has more than {MAX_FIELDS} values"
            )
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return value


class StrictJsonCodec:
    def name(self) -> str:
        return "json"

    def encode(self, message: Any) -> bytes:
        written = json_format.MessageToDict(_pb2(message))
        return json.dumps(written, ensure_ascii=False, separators=(",", ":")).encode()

    def decode(self, data: bytes | bytearray, message: Any) -> Any:
        _admitted()
        ours = _ours(message)
        name = message.DESCRIPTOR.name
        try:
            json_format.ParseDict(_bounded_json(bytes(data), name), message)
        except json_format.ParseError as exc:
            raise ConnectError(Code.INVALID_ARGUMENT, f"cannot decode {name}: {exc}") from exc
        if ours is None:
            return message
        return _read(message.SerializeToString(), message, ours)


def install() -> None:
    """Make connect-python read and write with the codecs above (idempotent)."""
    binary, text = StrictBinaryCodec(), StrictJsonCodec()
    registry = connect_codecs._codecs
    registry[connect_codecs.CODEC_NAME_PROTO] = binary
    registry[connect_codecs.CODEC_NAME_JSON] = text
    registry[connect_codecs.CODEC_NAME_JSON_CHARSET_UTF8] = text
