"""Responses as bytes, each toy encoded once per revision.

betterproto2 takes ~180 µs to encode one Toy; protobuf's runtime, given the same values, takes a
few. A toy's encoding is kept by (id, revision) — a revision names one state of a toy (see
toys.core.by_revision) — so a toy read again is not encoded again, and a page of a hundred is a
hundred dictionary lookups and a join. Responses are then put together from those bytes by
the rules of the protobuf wire format: a message field is its tag, its length, its bytes. Every
response but a watch event holds its toy (or toys) in field 1, so a toy is kept as that field,
framed: a response is the field itself, or a join of them.

The values come from the same translation tables as betterproto2's messages
(toys.messages.translate);
tests/unit/test_encoded.py checks that both encodings decode to the same message.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from toys._generated.pb2.toys.v1 import toys_pb2 as pb2
from toys.core.by_revision import DEFAULT_CAPACITY, ByRevision
from toys.domain import Toy
from toys.messages import translate

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(slots=True)
class Encoded:
    """A response already in wire form; the codec sends `data` as it is. `toy_id` and
    `outcome` are what the per-call listeners read off a response."""

    data: bytes
    toy_id: str = ""
    outcome: str = ""


def _timestamp(when: datetime) -> Timestamp:
    delta = when - _EPOCH
    return Timestamp(seconds=delta.days * 86400 + delta.seconds, nanos=delta.microseconds * 1000)


def _values(table: Sequence[translate.FieldMap], value: object) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for field in table:
        item = getattr(value, field.domain)
        if item is None:
            continue
        if field.domain == "last_run":
            found[field.proto] = pb2.WorkflowRun(**_values(_RUN_TABLE, item))
        elif field.domain == "failures":
            found[field.proto] = [
                pb2.WorkflowFailure(**_values(translate.FAILURE_FIELDS, f)) for f in item
            ]
        else:
            converted = field.to_pb(item)
            if isinstance(converted, datetime):
                converted = _timestamp(converted)
            elif isinstance(converted, IntEnum):
                converted = int(converted)
            found[field.proto] = converted
    return found


_RUN_TABLE = (*translate.RUN_FIELDS, translate.RUN_STATUS)


def toy_bytes(toy: Toy) -> bytes:
    """The toy as a toys.v1.Toy message, encoded by protobuf's runtime."""
    return bytes(pb2.Toy(**_values(translate.TOY_FIELDS, toy)).SerializeToString())


def toy_field(toy: Toy) -> bytes:
    """The toy as field 1 of a response: its tag, its length, its encoding."""
    return _message_field(1, toy_bytes(toy))


class EncodedToys:
    """Toys as field 1 (toy_field), by (id, revision): bounded, least recently used go first."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._bytes: ByRevision[bytes] = ByRevision(capacity)

    def __call__(self, toy: Toy) -> bytes:
        return self._bytes.get_or_make(toy.id, toy.revision, toy_field, toy)

    def __len__(self) -> int:
        return len(self._bytes)


def _varint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _message_field(number: int, payload: bytes) -> bytes:
    """Field `number` (below 16) holding a length-delimited value."""
    return bytes((number << 3 | 2,)) + _varint(len(payload)) + payload


def toy_response(toy_field: bytes) -> bytes:
    """{Get,Create,Reset}ToyResponse: the toy is field 1, and nothing else."""
    return toy_field


def list_response(toy_fields: Iterable[bytes], next_page_token: str) -> bytes:
    """ListToysResponse: repeated toys (1), next_page_token (2)."""
    parts = list(toy_fields)
    if next_page_token:
        parts.append(_message_field(2, next_page_token.encode()))
    return b"".join(parts)


def callback_response(toy_field: bytes, outcome: int) -> bytes:
    """UpdateManufactureStatusResponse: the toy (1), the outcome (2, an enum)."""
    return toy_field + b"\x10" + _varint(outcome)


def watch_response(event_type: int, toy_field: bytes | None, resume_token: str) -> bytes:
    """WatchToysResponse: the type (1, an enum), the toy (2: field 1's bytes, retagged), the
    resume token (3)."""
    parts = [b"\x08" + _varint(event_type)] if event_type else []
    if toy_field is not None:
        parts.append(b"\x12" + toy_field[1:])
    parts.append(_message_field(3, resume_token.encode()))
    return b"".join(parts)
