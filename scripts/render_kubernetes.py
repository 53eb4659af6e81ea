"""Render a kustomization the way `kubectl kustomize` does, for the features deploy/ uses:
`resources` (files and directories), `namespace`, `patches` of JSON 6902 operations with a
kind/name target, and `images` (what `kustomize edit set image` writes; every `image` field
is a container's in these manifests). Runs where no kustomize binary can be had; tests/repo
compares its output with `kubectl kustomize` wherever kubectl is installed.

    python -m scripts.render_kubernetes deploy/kubernetes/overlays/postgres
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

import yaml

CLUSTER_SCOPED = frozenset({"Namespace", "ClusterRole", "ClusterRoleBinding", "StorageClass"})


def _pointer(path: str) -> list[str]:
    return [part.replace("~1", "/").replace("~0", "~") for part in path.lstrip("/").split("/")]


def _apply(document: Any, operation: dict[str, Any]) -> None:
    """One RFC 6902 operation (add, replace, remove) on `document`, in place."""
    *parents, last = _pointer(operation["path"])
    node = document
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    op = operation["op"]
    value = copy.deepcopy(operation.get("value"))
    if isinstance(node, list):
        index = len(node) if last == "-" else int(last)
        if op == "add":
            node.insert(index, value)
        elif op == "replace":
            node[index] = value
        elif op == "remove":
            del node[index]
        else:
            raise ValueError(f"unsupported operation {op!r}")
    elif op in ("add", "replace"):
        if op == "replace" and last not in node:
            raise KeyError(f"{operation['path']}: nothing to replace")
        node[last] = value
    elif op == "remove":
        del node[last]
    else:
        raise ValueError(f"unsupported operation {op!r}")


def _set_image(node: Any, change: dict[str, str]) -> None:
    """`images` entry `change` (name, newName, newTag) applied to every image under `node`."""
    if isinstance(node, list):
        for item in node:
            _set_image(item, change)
    elif isinstance(node, dict):
        image = node.get("image")
        if isinstance(image, str):
            name, _, tag = image.partition(":")
            if name == change["name"]:
                node["image"] = f"{change.get('newName', name)}:{change.get('newTag', tag)}"
        for key, value in node.items():
            if key != "image":
                _set_image(value, change)


def render(directory: Path) -> list[dict[str, Any]]:
    """The resources of the kustomization in `directory`, patched and namespaced."""
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    documents: list[dict[str, Any]] = []
    for resource in kustomization.get("resources", []):
        path = directory / resource
        if path.is_dir():
            documents += render(path)
        else:
            documents += [d for d in yaml.safe_load_all(path.read_text()) if d]
    for patch in kustomization.get("patches", []):
        target = patch["target"]
        matched = [
            d
            for d in documents
            if d["kind"] == target["kind"] and d["metadata"]["name"] == target["name"]
        ]
        if not matched:
            raise ValueError(f"{directory}: no {target['kind']}/{target['name']} to patch")
        for document in matched:
            for operation in yaml.safe_load(patch["patch"]):
                _apply(document, operation)
    for change in kustomization.get("images", []):
        for document in documents:
            _set_image(document, change)
    namespace = kustomization.get("namespace")
    if namespace:
        for document in documents:
            if document["kind"] not in CLUSTER_SCOPED:
                document["metadata"]["namespace"] = namespace
    return documents


def main(argv: list[str] | None = None) -> int:
    for argument in argv if argv is not None else sys.argv[1:]:
        sys.stdout.write(yaml.safe_dump_all(render(Path(argument)), sort_keys=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
