"""A message as toyctl's machine output shows it: proto3 JSON names and values, in the proto's
field order, every field present (an unset message field is null, not left out)."""

from __future__ import annotations

from typing import Any

from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message

TIMESTAMP = "google.protobuf.Timestamp"


def document(message: Message) -> dict[str, Any]:
    shown = MessageToDict(message, always_print_fields_with_no_presence=True)
    return _ordered(message.DESCRIPTOR, shown)


def _ordered(descriptor: Any, shown: dict[str, Any]) -> dict[str, Any]:
    ordered: dict[str, Any] = {}
    for field in descriptor.fields:
        value = shown.get(field.json_name)
        nested = field.message_type
        if value is not None and nested is not None and nested.full_name != TIMESTAMP:
            if field.is_repeated:
                value = [_ordered(nested, item) for item in value]
            else:
                value = _ordered(nested, value)
        ordered[field.json_name] = value
    return ordered
