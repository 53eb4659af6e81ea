"""Check the Argo manifests in argo_samples/ as strictly as a cluster would, and then some.

Each manifest must validate against Argo's own schema (hera's generated models, no unknown
fields), every template it names must exist, and every {{workflow.parameters.X}},
{{inputs.parameters.X}} and {{workflow.outputs.parameters.X}} it uses must be declared. A
Workflow that references a WorkflowTemplate is checked against that template.

    python -m scripts.check_argo_manifests [FILE...]     # default: argo_samples/workflows/
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml
from hera.workflows.models import Workflow, WorkflowTemplate
from pydantic import ValidationError

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / "argo_samples" / "workflows"
MODELS: dict[str, type[Workflow] | type[WorkflowTemplate]] = {
    "Workflow": Workflow,
    "WorkflowTemplate": WorkflowTemplate,
}
_TAG = re.compile(r"\{\{\s*([\w.\-\[\]']+)\s*\}\}")


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, Mapping):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _tags(node: Any, prefix: str) -> set[str]:
    found = set()
    for text in _strings(node):
        for tag in _TAG.findall(text):
            if tag.startswith(prefix):
                found.add(tag[len(prefix) :])
    return found


def _names(items: Iterable[Mapping[str, Any]] | None) -> set[str]:
    return {str(item["name"]) for item in items or ()}


def _template_refs(spec: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(where, template name) for every template the spec runs."""
    if spec.get("entrypoint"):
        yield "spec.entrypoint", spec["entrypoint"]
    if spec.get("onExit"):
        yield "spec.onExit", spec["onExit"]
    for hook, body in (spec.get("hooks") or {}).items():
        if body.get("template"):
            yield f"spec.hooks.{hook}", body["template"]
    for template in spec.get("templates") or ():
        for group in template.get("steps") or ():
            for step in group:
                if step.get("template"):
                    yield f"template {template['name']} step {step['name']}", step["template"]
        for task in (template.get("dag") or {}).get("tasks") or ():
            if task.get("template"):
                yield f"template {template['name']} task {task['name']}", task["template"]


def _semantic_problems(doc: Mapping[str, Any], template_spec: Mapping[str, Any]) -> list[str]:
    """Names that do not resolve, for a document whose templates are in `template_spec`."""
    problems = []
    spec = doc.get("spec") or {}
    templates = {t["name"]: t for t in template_spec.get("templates") or ()}
    for where, name in _template_refs(template_spec):
        if name not in templates:
            problems.append(f"{where} names template {name!r}, which does not exist")
    declared = _names((template_spec.get("arguments") or {}).get("parameters"))
    supplied = _names((spec.get("arguments") or {}).get("parameters"))
    problems.extend(
        f"argument {name!r} is not a parameter of the workflow"
        for name in sorted(supplied - declared)
    )
    problems.extend(
        f"{{{{workflow.parameters.{name}}}}} is not a declared parameter"
        for name in sorted(_tags(doc, "workflow.parameters.") - declared - supplied)
    )
    required = {
        p["name"]
        for p in (template_spec.get("arguments") or {}).get("parameters") or ()
        if p.get("value") is None and p.get("valueFrom") is None
    }
    if doc.get("kind") == "Workflow":  # a template leaves required values to its workflows
        problems.extend(
            f"parameter {name!r} has no value and the workflow gives none"
            for name in sorted(required - supplied)
        )
    global_outputs = {
        p.get("globalName")
        for t in templates.values()
        for p in (t.get("outputs") or {}).get("parameters") or ()
    }
    problems.extend(
        f"{{{{workflow.outputs.parameters.{name}}}}} has no output with that globalName"
        for name in sorted(_tags(doc, "workflow.outputs.parameters.") - global_outputs)
    )
    for template in templates.values():
        inputs = _names((template.get("inputs") or {}).get("parameters"))
        problems.extend(
            f"template {template['name']} uses undeclared input {name!r}"
            for name in sorted(_tags(template, "inputs.parameters.") - inputs)
        )
    return problems


def problems(
    doc: Any, templates_by_name: Mapping[str, Mapping[str, Any]] | None = None
) -> list[str]:
    """Everything wrong with one manifest; empty when it would run."""
    if not isinstance(doc, Mapping) or doc.get("kind") not in MODELS:
        return ["not a Workflow or WorkflowTemplate"]
    try:
        MODELS[doc["kind"]].model_validate(doc, extra="forbid")
    except ValidationError as exc:
        return [
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()
        ]
    spec = doc.get("spec") or {}
    reference = (spec.get("workflowTemplateRef") or {}).get("name")
    if reference:
        template = (templates_by_name or {}).get(reference)
        if template is None:
            return [f"spec.workflowTemplateRef names {reference!r}, not among the manifests"]
        return _semantic_problems(doc, template.get("spec") or {})
    return _semantic_problems(doc, spec)


def check_files(paths: Iterable[Path]) -> dict[Path, list[str]]:
    """Problems per file; WorkflowTemplates among `paths` resolve workflowTemplateRef."""
    docs = {path: yaml.safe_load(path.read_text(encoding="utf-8")) for path in paths}
    templates = {
        doc["metadata"]["name"]: doc
        for doc in docs.values()
        if isinstance(doc, Mapping) and doc.get("kind") == "WorkflowTemplate"
    }
    return {path: problems(doc, templates) for path, doc in docs.items()}


def argo_manifests(directory: Path = WORKFLOWS) -> list[Path]:
    """The Workflows and WorkflowTemplates in `directory` (not its kustomization or RBAC)."""
    return [
        path
        for path in sorted(directory.glob("*.yaml"))
        if any(
            isinstance(doc, Mapping) and doc.get("kind") in MODELS
            for doc in yaml.safe_load_all(path.read_text(encoding="utf-8"))
        )
    ]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    paths = [Path(a) for a in args] or argo_manifests()
    failed = False
    for path, found in check_files(paths).items():
        for problem in found:
            failed = True
            print(f"{path}: {problem}", file=sys.stderr)
    if not failed:
        print(f"{len(paths)} Argo manifests ok")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
