"""Typed reading of a loaded payload, scoped to a path, so that every error names its field."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from toys.argo.bounded_json import JsonRefused, load_bounded_json
from toys.domain import ManufactureStatus, ToyError
from toys.domain.limits import INT32_MAX

# Argo leaves a tag it cannot resolve as it is (an output of a step that never ran).
_UNRESOLVED_TAG = re.compile(r"\{\{.*\}\}")


class PayloadError(ToyError):
    """The payload cannot be used; `field` says where, in the payload's own terms."""

    def __init__(self, source: str, field: str, problem: str) -> None:
        where = f"{field}: " if field else ""
        super().__init__(f"payload {source}: {where}{problem}")
        self.field = field


def kind_of(value: Any) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "text", bool: "a boolean"}.get(
        type(value), type(value).__name__
    )


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class Reader:
    """A mapping inside a payload, at `path` (e.g. `workflow.outputs`); absent means empty."""

    def __init__(self, source: str, value: Any, path: str = "") -> None:
        if value is None:
            value = {}
        elif not isinstance(value, Mapping):
            raise PayloadError(
                source, path or "document", f"expected a mapping, got {kind_of(value)}"
            )
        self.source = source
        self.path = path
        self._doc: Mapping[str, Any] = value

    def at(self, key: str) -> str:
        return join(self.path, key)

    def fail(self, key: str, problem: str) -> PayloadError:
        return PayloadError(self.source, self.at(key) if key else self.path, problem)

    def has(self, key: str) -> bool:
        return key in self._doc

    def raw(self, key: str) -> Any:
        return self._doc.get(key)

    def child(self, key: str, *, required: bool = False) -> Reader:
        value = self._doc.get(key)
        if value is None and required:
            raise self.fail(key, f"expected a mapping, got {kind_of(value)}")
        return Reader(self.source, value, self.at(key))

    def children(self) -> Iterator[tuple[str, Reader]]:
        """Every entry, as a Reader (status.nodes: node id -> node)."""
        for key in self._doc:
            yield str(key), self.child(str(key), required=True)

    def text(self, key: str, *, required: bool = False) -> str:
        value = self._doc.get(key)
        if value is None or value == "":
            if required:
                raise self.fail(key, "is required")
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(key, f"expected text, got {kind_of(value)}")
        return str(value)

    def time(self, key: str, *, required: bool = False) -> datetime | None:
        text = self.text(key, required=required)
        return parse_time(text, self.source, self.at(key)) if text else None

    def required_time(self, key: str) -> datetime:
        return parse_time(self.text(key, required=True), self.source, self.at(key))

    def status(self, key: str) -> ManufactureStatus:
        value = self.text(key, required=True)
        for status in ManufactureStatus:
            if value.casefold() == status.value.casefold():
                return status
        allowed = ", ".join(s.value for s in ManufactureStatus)
        raise self.fail(key, f"unknown status {value!r} (expected one of {allowed})")

    def json_text(self, key: str) -> Any:
        """JSON inside a YAML string (Argo's {{workflow.failures}}), read within bounds: at most
        MAX_JSON_VALUES values, at most MAX_JSON_DEPTH deep."""
        return self.json_in(key, str(self._doc.get(key)))

    def json_in(self, key: str, text: str) -> Any:
        """`text`, the value at `key` or what it held, read as bounded JSON."""
        try:
            return load_bounded_json(text)
        except JsonRefused as exc:
            raise self.fail(key, str(exc)) from None

    def parameters(self, key: str) -> Parameters:
        """Argo parameters at `key`: a name -> value mapping, a list of {name, value} (a
        Workflow's arguments), or the JSON text of such a list."""
        value = self._doc.get(key)
        where = self.at(key)
        if value is None or value == "":
            return Parameters({}, self.source, where)
        if isinstance(value, str):
            value = self.json_text(key)
        found: dict[str, tuple[Any, str]] = {}
        if isinstance(value, Mapping):
            found = {str(name): (raw, join(where, str(name))) for name, raw in value.items()}
        elif isinstance(value, list):
            for index, item in enumerate(value):
                entry = Reader(self.source, item, f"{where}[{index}]")
                name = entry.text("name", required=True)
                found[name] = (entry.raw("value"), entry.at("value"))
        else:
            raise self.fail(key, f"expected parameters, got {kind_of(value)}")
        return Parameters(
            {
                name: ("" if raw is None else str(raw), path)
                for name, (raw, path) in found.items()
                if not (isinstance(raw, str) and _UNRESOLVED_TAG.fullmatch(raw.strip()))
            },
            self.source,
            where,
        )


class Parameters:
    """Argo parameters by name, each with the payload path it came from."""

    def __init__(self, values: Mapping[str, tuple[str, str]], source: str, where: str) -> None:
        self._values = values
        self._source = source
        self._where = where

    def get(self, name: str) -> str:
        """The parameter's value; "" when it is absent."""
        return self._values.get(name, ("", ""))[0]

    def path(self, name: str) -> str:
        """Where the parameter is (or would be) in the payload."""
        found = self._values.get(name)
        return found[1] if found else join(self._where, name)

    def count(self, name: str) -> int:
        """A whole number from 0 to INT32_MAX."""
        value = self.get(name).strip()
        if not value.lstrip("-").isdigit():
            raise PayloadError(
                self._source, self.path(name), f"expected a whole number, got {value!r}"
            )
        # Compare digits before converting: a 5,000-digit number is refused, not converted.
        digits = value.lstrip("-").lstrip("0")
        if (
            (value.startswith("-") and digits)
            or len(digits) > len(str(INT32_MAX))
            or (int(digits or "0") > INT32_MAX)
        ):
            shown = value if len(value) <= 20 else f"{value[:20]}... ({len(value)} digits)"
            raise PayloadError(
                self._source, self.path(name), f"must be between 0 and {INT32_MAX}, got {shown}"
            )
        return int(digits or "0")


def parse_time(text: str, source: str, field: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise PayloadError(source, field, f"{text!r} is not an RFC 3339 timestamp") from None
    if value.utcoffset() is None:
        raise PayloadError(source, field, f"{text!r} has no UTC offset (add Z or +HH:MM)")
    return value
