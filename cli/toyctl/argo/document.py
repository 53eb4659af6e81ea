"""A payload's text -> the one YAML (or JSON) document in it."""

from __future__ import annotations

from typing import Any

import yaml

from toyctl.argo.reader import PayloadError


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps timestamps as the strings they are (PyYAML would make naive
    datetimes of some and shift others); the reader parses them and insists on an offset."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_document(text: str, source: str) -> Any:
    """The single document of `text`; PayloadError for bad YAML or not exactly one document."""
    try:
        documents = [d for d in yaml.load_all(text, Loader=_Loader) if d is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "cannot be parsed"
        raise PayloadError(source, "", f"not valid YAML or JSON{where}: {problem}") from None
    if len(documents) != 1:
        raise PayloadError(source, "", f"expected one document, found {len(documents)}")
    return documents[0]
