"""Domain dataclasses as plain values (JSON-able) and back, driven by their type hints.

Every store maps toys through this module instead of naming each field by hand, so a field
added to the domain reaches the database through the schema migration alone. Plain values:
times are integer microseconds since the Unix epoch, enums their value, dataclasses mappings
keyed by field name, tuples lists. A mapping that lacks a field takes the field's default.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import json
import types
import typing
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, cast

type Plain = bool | int | str | list[Plain] | dict[str, Plain] | None

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def to_us(value: datetime) -> int:
    """Microseconds since the Unix epoch; the offset is folded into the instant."""
    return (value - _EPOCH) // _MICROSECOND


def from_us(value: int) -> datetime:
    return _EPOCH + value * _MICROSECOND


@functools.cache
def field_types(cls: Any) -> dict[str, Any]:
    """A dataclass's fields, in order, with their resolved types."""
    hints = typing.get_type_hints(cls)
    return {field.name: hints[field.name] for field in dataclasses.fields(cls)}


def is_document(kind: Any) -> bool:
    """Whether values of `kind` are structured (a dataclass or a tuple), perhaps optional."""
    kind = _unwrap_optional(kind)
    return typing.get_origin(kind) is tuple or (
        isinstance(kind, type) and dataclasses.is_dataclass(kind)
    )


def to_plain(value: object) -> Plain:
    if value is None or (isinstance(value, str | bool | int) and not isinstance(value, enum.Enum)):
        return value
    if isinstance(value, enum.Enum):
        plain: Plain = value.value
        return plain
    if isinstance(value, datetime):
        return to_us(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {name: to_plain(getattr(value, name)) for name in field_types(type(value))}
    if isinstance(value, tuple):
        return [to_plain(item) for item in value]
    raise TypeError(f"no plain form for {type(value).__name__}")


def from_plain(kind: Any, data: Plain) -> Any:
    """The value of type `kind` that `data` (from to_plain) stands for."""
    inner = _unwrap_optional(kind)
    if inner is not kind:
        return None if data is None else from_plain(inner, data)
    if kind is datetime:
        return from_us(_expect(int, data))
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(data)
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        document = _expect(dict, data)
        return kind(
            **{
                name: from_plain(hint, document[name])
                for name, hint in field_types(kind).items()
                if name in document
            }
        )
    if typing.get_origin(kind) is tuple:
        args = typing.get_args(kind)
        items = _expect(list, data)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(from_plain(args[0], item) for item in items)
        return tuple(from_plain(arg, item) for arg, item in zip(args, items, strict=True))
    if kind in (str, int, bool):
        return _expect(kind, data)
    raise TypeError(f"cannot read a {kind!r} from a plain value")


def _unwrap_optional(kind: Any) -> Any:
    """`X` for `X | None`, else `kind` itself."""
    if typing.get_origin(kind) in (types.UnionType, typing.Union):
        others = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        if len(others) == 1:
            return others[0]
    return kind


def _expect[T](kind: type[T], data: Plain) -> T:
    if not isinstance(data, kind) or (kind is int and isinstance(data, bool)):
        raise TypeError(f"expected {kind.__name__}, got {type(data).__name__}")
    return data


@functools.cache
def document_fields(cls: type) -> frozenset[str]:
    """The fields of `cls` that a store keeps as one JSON document (a run, a list of pairs)."""
    return frozenset(name for name, kind in field_types(cls).items() if is_document(kind))


@functools.cache
def time_fields(cls: type) -> frozenset[str]:
    return frozenset(
        name for name, kind in field_types(cls).items() if _unwrap_optional(kind) is datetime
    )


def to_columns(value: object, *, times: Literal["us", "datetime"]) -> list[object]:
    """A dataclass as column values in field order: documents as JSON text, enums as their
    value, times as microseconds or as they are (for a database with a time type)."""
    kind: Any = type(value)
    documents = document_fields(kind)
    columns: list[object] = []
    for name in field_types(kind):
        item = getattr(value, name)
        if name in documents:
            plain = to_plain(item)
            columns.append(
                None
                if plain is None
                else json.dumps(plain, separators=(",", ":"), ensure_ascii=False)
            )
        elif isinstance(item, datetime) and times == "datetime":
            columns.append(item)
        else:
            columns.append(to_plain(item))
    return columns


# A toy as `to_columns(toy, times="us")` gives it: the column values in field order, times as
# microseconds, documents as JSON text. What `toys-server copy` moves between stores, without
# making a Toy of every row.
type PlainRow = list[object]


def plain_to_datetimes(cls: type, row: PlainRow) -> PlainRow:
    """`row` with its times as datetimes (for a database with a time type)."""
    times = time_fields(cls)
    return [
        from_us(value) if name in times and isinstance(value, int) else value
        for name, value in zip(field_types(cls), row, strict=True)
    ]


def from_columns(cls: type, row: Mapping[str, object]) -> Any:
    """The dataclass a row of to_columns() stands for (times as microseconds, datetimes or
    ISO 8601 text; documents as JSON text or already parsed)."""
    documents = document_fields(cls)
    times = time_fields(cls)
    plain: dict[str, Plain] = {}
    for name in field_types(cls):
        value = row[name]
        if name in documents and isinstance(value, str):
            plain[name] = json.loads(value)
        elif isinstance(value, datetime):
            plain[name] = to_us(value)
        elif name in times and isinstance(value, str):  # ISO 8601, as a database's JSON has it
            plain[name] = to_us(datetime.fromisoformat(value))
        else:
            plain[name] = cast("Plain", value)
    return from_plain(cls, plain)


def toy_document(toy: object) -> str:
    """A whole dataclass as one JSON text (a change log keeps toys so)."""
    return json.dumps(to_plain(toy), separators=(",", ":"), ensure_ascii=False)


def from_document(cls: type, text: str | bytes) -> Any:
    return from_plain(cls, json.loads(text))
