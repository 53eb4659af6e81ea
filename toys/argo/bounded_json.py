"""JSON inside a payload (Argo's {{workflow.failures}} is JSON text in a YAML string), read
within bounds: at most MAX_JSON_VALUES objects and numbers, at most MAX_JSON_DEPTH deep, and
numbers kept as text (the reader checks them), so that no JSON text can make toyctl recurse,
allocate without end, or convert a five-thousand-digit number."""

from __future__ import annotations

import json
from typing import Any

MAX_JSON_VALUES = 10_000
MAX_JSON_DEPTH = 32


class JsonRefused(Exception):
    """The JSON is malformed or outside the bounds; the message says which."""


class _CountedValues:
    """json.loads hooks that stop a document with too many objects or numbers, as it parses."""

    def __init__(self) -> None:
        self.seen = 0

    def _one(self) -> None:
        self.seen += 1
        if self.seen > MAX_JSON_VALUES:
            raise JsonRefused(f"holds more than {MAX_JSON_VALUES} JSON values")

    def object(self, value: dict[str, Any]) -> dict[str, Any]:
        self._one()
        return value

    def number(self, text: str) -> str:
        # Kept as text: the reader checks numbers, and 5,000 digits never become an int here.
        self._one()
        return text


def _json_depth(text: str) -> int:
    """How deep brackets nest in `text`, ignoring those inside strings (an upper bound)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def load_bounded_json(text: str) -> Any:
    if _json_depth(text) > MAX_JSON_DEPTH:
        raise JsonRefused(f"is JSON nested more than {MAX_JSON_DEPTH} levels deep")
    counted = _CountedValues()
    try:
        return json.loads(
            text, object_hook=counted.object, parse_int=counted.number, parse_float=counted.number
        )
    except json.JSONDecodeError as exc:
        raise JsonRefused(f"is not valid JSON: {exc.msg}") from None
