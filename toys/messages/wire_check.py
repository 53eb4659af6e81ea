"""A strict reading of protobuf wire bytes against a betterproto2 message class, before parsing.

betterproto2 accepts a field sent with the wrong wire type (a varint where a string belongs
becomes an int; a length-delimited value in an enum field becomes a list) and stops quietly at a
truncated length. Handlers would then meet values of the wrong Python type. This walk checks
every field the message knows: its wire type, that lengths and varints fit the bytes, that
strings are UTF-8 and that int32 values fit. Unknown fields are skipped (proto3's rule); groups
are refused, since no message of this API has them. Errors are InvalidArgument naming the proto
path of the field.

It is also what keeps one request's price bounded. betterproto2 parses in Python, at ~9 µs per
nested message and worse than linearly in unknown fields (500,000 of them in 1 MB took 11 s of
the event loop), so the walk refuses, before anything is parsed, a request with more than
MAX_FIELDS fields in all (at any depth, packed values included), more than MAX_UNKNOWN_FIELDS
fields this API does not know, or more than MAX_REPEATED values in one repeated field. The
largest valid request (a run with 100 failures) has about 850 fields; at the limits the walk
and the parse together take ~20 ms (benchmarks/attacks.py).
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any, cast

import betterproto2

from toys.domain import InvalidArgument

VARINT, I64, LEN, I32 = 0, 1, 2, 5
MAX_DEPTH = 16
MAX_FIELDS = 2000
MAX_UNKNOWN_FIELDS = 100
MAX_REPEATED = 1000

_WIRE_OF_TYPE = {
    betterproto2.TYPE_INT32: VARINT,
    betterproto2.TYPE_INT64: VARINT,
    betterproto2.TYPE_UINT32: VARINT,
    betterproto2.TYPE_UINT64: VARINT,
    betterproto2.TYPE_SINT32: VARINT,
    betterproto2.TYPE_SINT64: VARINT,
    betterproto2.TYPE_BOOL: VARINT,
    betterproto2.TYPE_ENUM: VARINT,
    betterproto2.TYPE_FIXED64: I64,
    betterproto2.TYPE_SFIXED64: I64,
    betterproto2.TYPE_DOUBLE: I64,
    betterproto2.TYPE_FIXED32: I32,
    betterproto2.TYPE_SFIXED32: I32,
    betterproto2.TYPE_FLOAT: I32,
    betterproto2.TYPE_STRING: LEN,
    betterproto2.TYPE_BYTES: LEN,
    betterproto2.TYPE_MESSAGE: LEN,
}
_INT32_TYPES = (betterproto2.TYPE_INT32, betterproto2.TYPE_ENUM)
_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1


@dataclasses.dataclass(frozen=True, slots=True)
class _Field:
    name: str
    proto_type: str
    repeated: bool
    message: type[betterproto2.Message] | None


@functools.cache
def _fields(message_type: type[betterproto2.Message]) -> dict[int, _Field]:
    found: dict[int, _Field] = {}
    classes = cast("Any", message_type)._betterproto.cls_by_field
    for field in dataclasses.fields(cast("Any", message_type)):
        meta = betterproto2.FieldMetadata.get(field)
        nested: type[betterproto2.Message] | None = None
        if meta.proto_type == betterproto2.TYPE_MESSAGE:
            nested = meta.unwrap() if meta.unwrap is not None else classes[field.name]
        found[meta.number] = _Field(field.name, meta.proto_type, bool(meta.repeated), nested)
    return found


def _varint(data: bytes, pos: int, where: str) -> tuple[int, int]:
    value = shift = 0
    for index in range(10):
        if pos + index >= len(data):
            raise InvalidArgument(where, "ends inside a varint")
        byte = data[pos + index]
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos + index + 1
        shift += 7
    raise InvalidArgument(where, "has a varint longer than 10 bytes")


def _as_int32(value: int) -> int:
    value &= (1 << 64) - 1
    return value - (1 << 64) if value >= 1 << 63 else value


def _check_scalar(field: _Field, wire: int, payload: bytes | int, where: str) -> None:
    if field.proto_type == betterproto2.TYPE_STRING and isinstance(payload, bytes):
        try:
            payload.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidArgument(where, "is not UTF-8 text") from None
    elif (
        field.proto_type in _INT32_TYPES
        and isinstance(payload, int)
        and not _INT32_MIN <= _as_int32(payload) <= _INT32_MAX
    ):
        raise InvalidArgument(where, "does not fit in 32 bits")


class _Budget:
    """What one request may still spend: fields in all, unknown fields, values per repeated
    field (by the path of the message that holds it and the field's number)."""

    __slots__ = ("fields", "repeated", "unknown")

    def __init__(self) -> None:
        self.fields = MAX_FIELDS
        self.unknown = MAX_UNKNOWN_FIELDS
        self.repeated: dict[tuple[str, int], int] = {}

    def spend(self, where: str, *, known: bool) -> None:
        self.fields -= 1
        if self.fields < 0:
            raise InvalidArgument("request", f"has more than {MAX_FIELDS} fields")
        if not known:
            self.unknown -= 1
            if self.unknown < 0:
                raise InvalidArgument(
                    where, f"is one of more than {MAX_UNKNOWN_FIELDS} fields this API does not know"
                )

    def spend_repeated(self, path: str, number: int, where: str, count: int = 1) -> None:
        key = (path, number)
        used = self.repeated.get(key, 0) + count
        if used > MAX_REPEATED:
            raise InvalidArgument(where, f"has more than {MAX_REPEATED} values")
        self.repeated[key] = used


def _check_packed(
    field: _Field, payload: bytes, where: str, budget: _Budget, path: str, number: int
) -> None:
    expected = _WIRE_OF_TYPE[field.proto_type]
    pos = 0
    while pos < len(payload):
        budget.spend(where, known=True)
        budget.spend_repeated(path, number, where)
        if expected == VARINT:
            value, pos = _varint(payload, pos, where)
            _check_scalar(field, VARINT, value, where)
        else:
            pos += 8 if expected == I64 else 4
            if pos > len(payload):
                raise InvalidArgument(where, "ends inside a packed value")


def check_wire(data: bytes, message_type: type[betterproto2.Message]) -> None:
    """Raise InvalidArgument for the first field of `data` that `message_type` cannot hold,
    or when `data` has more fields than any request of this API needs."""
    _check_message(data, message_type, "", _Budget())


def _check_message(
    data: bytes, message_type: type[betterproto2.Message], path: str, budget: _Budget
) -> None:
    if path.count(".") >= MAX_DEPTH:
        raise InvalidArgument(path.rstrip("."), "is nested too deeply")
    fields = _fields(message_type)
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos, path.rstrip(".") or "message")
        number, wire = key >> 3, key & 7
        field = fields.get(number)
        where = f"{path}{field.name}" if field else f"{path}<field {number}>"
        budget.spend(where, known=field is not None)
        if number == 0:
            raise InvalidArgument(where, "has field number 0")
        payload: bytes | int
        if wire == VARINT:
            payload, pos = _varint(data, pos, where)
        elif wire in (I64, I32):
            size = 8 if wire == I64 else 4
            payload, pos = data[pos : pos + size], pos + size
            if pos > len(data):
                raise InvalidArgument(where, "ends inside a fixed-size value")
        elif wire == LEN:
            length, pos = _varint(data, pos, where)
            payload, pos = data[pos : pos + length], pos + length
            if pos > len(data):
                raise InvalidArgument(where, f"claims {length} bytes that are not there")
        else:
            raise InvalidArgument(where, f"has wire type {wire}, which this API never uses")
        if field is not None:
            _check_field(field, wire, payload, where, budget, path, number)


def _check_field(
    field: _Field,
    wire: int,
    payload: bytes | int,
    where: str,
    budget: _Budget,
    path: str,
    number: int,
) -> None:
    expected = _WIRE_OF_TYPE.get(field.proto_type, LEN)
    if wire == LEN and field.repeated and expected != LEN and isinstance(payload, bytes):
        _check_packed(field, payload, where, budget, path, number)
        return
    if field.repeated:
        budget.spend_repeated(path, number, where)
    if wire != expected:
        raise InvalidArgument(where, "has the wrong wire type")
    if field.message is not None and isinstance(payload, bytes):
        _check_message(payload, field.message, f"{where}.", budget)
    else:
        _check_scalar(field, wire, payload, where)
