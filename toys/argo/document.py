"""A payload's text -> the one YAML (or JSON) document in it, within bounds.

A payload comes from a file or a pipe that toyctl does not control, so the loader refuses what
only an attack needs: aliases and anchors (a few hundred bytes of them expand to gigabytes),
nesting deeper than any Argo document, and more nodes than one could hold. Scalars stay text
except null and booleans: timestamps and numbers are read by the reader, which checks them
(PyYAML would make naive datetimes of some times, and integers of any length).
"""

from __future__ import annotations

from typing import Any

import yaml

from toys.argo.reader import PayloadError

MAX_DEPTH = 32
MAX_NODES = 20_000
_KEPT_TAGS = ("tag:yaml.org,2002:null", "tag:yaml.org,2002:bool")


class _Refused(Exception):
    """The document is outside the loader's bounds."""


class _Loader(yaml.SafeLoader):
    """SafeLoader with the bounds above and only null and booleans resolved implicitly."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        # The stubs leave peek_event untyped; its result is only inspected here.
        event: Any = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused("YAML anchors and aliases (&name, *name) are not accepted")
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise _Refused(f"more than {MAX_NODES} values; no Argo payload is that large")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(f"nested more than {MAX_DEPTH} levels deep")
            node: Any = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        # Marks (positions, for error messages) are most of a node's memory; the reader names
        # fields by path instead, so they are dropped as soon as the node is whole.
        if node is not None:
            node.start_mark = node.end_mark = None
        return node


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag in _KEPT_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_document(text: str, source: str) -> Any:
    """The single document of `text`; PayloadError for bad YAML, a document outside the bounds,
    or not exactly one document."""
    try:
        documents = [d for d in yaml.load_all(text, Loader=_Loader) if d is not None]
    except _Refused as exc:
        raise PayloadError(source, "", str(exc)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "cannot be parsed"
        raise PayloadError(source, "", f"not valid YAML or JSON{where}: {problem}") from None
    if len(documents) != 1:
        raise PayloadError(source, "", f"expected one document, found {len(documents)}")
    return documents[0]
