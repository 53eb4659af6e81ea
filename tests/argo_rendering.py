"""Argo Workflows' rendering of a template, step for step, for the tests of what it hands the
exit handler.

Two steps, both in Argo's Go code:
- workflow/controller/operator.go sets the global `workflow.failures` to
  strconv.Quote(json.Marshal(failedNodes)), "so that the escaped quotes are not removed during
  parameter substitution": a clean run's is `"null"`, quotes included;
- util/template/simple_template.go replaces each {{tag}} in the JSON-marshalled template with
  strconv.Quote(value)[1:-1], and the JSON is read back into the template.
`go_quote` and `go_json` are Go's strconv.Quote and json.Marshal (for the values they meet).
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from tests.support import ROOT

SAMPLES = ROOT / "argo_samples"
WORKFLOWS = SAMPLES / "workflows"
TEMPLATE = WORKFLOWS / "manufacture-toy.workflowtemplate.yaml"
HTTP_TEMPLATE = WORKFLOWS / "manufacture-toy-http.workflowtemplate.yaml"

# Failure messages that test every quoting on the way: quotes, backslashes, newlines, tabs,
# braces and tags, non-ASCII, markup.
HARD_MESSAGES = [
    "child 'x' failed: \"quoted\" \\ back\nslash\ttab: {braces} {{workflow.name}}",
    "Fehler: Größe überschritten — 玩具 🚗 <script>&amp;</script>",
    "exit code 1\r\n\u00e9 \\n not a newline",
]

_SHORT = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}
_TAG = re.compile(r"\{\{([\w.\-]+)\}\}")


def _go_printable(ch: str) -> bool:
    """Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and U+0020."""
    return ch == " " or unicodedata.category(ch)[0] in "LMNPS"


def go_quote(text: str) -> str:
    out = ['"']
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif _go_printable(ch):
            out.append(ch)
        elif ch in _SHORT:
            out.append(_SHORT[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    out.append('"')
    return "".join(out)


def _go_json_string(text: str) -> str:
    out = ['"']
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch])
        elif ord(ch) < 0x20 or ch in "<>&\u2028\u2029":  # Go escapes these for HTML's sake
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def go_json(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return _go_json_string(value)
    if isinstance(value, bool | int):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ",".join(go_json(item) for item in value) + "]"
    return "{" + ",".join(f"{_go_json_string(k)}:{go_json(v)}" for k, v in value.items()) + "}"


def failures_global(failed_nodes: list[dict[str, str]] | None) -> str:
    """The value Argo gives {{workflow.failures}}."""
    return go_quote(go_json(failed_nodes))


def render(template: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    """`template` with its {{tags}} substituted as Argo does; unknown tags stay as they are."""
    marshalled = json.dumps(template, ensure_ascii=False)
    substituted = _TAG.sub(
        lambda m: go_quote(values[m[1]])[1:-1] if m[1] in values else m[0], marshalled
    )
    rendered: dict[str, Any] = json.loads(substituted)
    return rendered


def argo_values(sample: str, **parameters: str) -> dict[str, str]:
    """The values Argo would give the tags of a run like `sample`'s (an exit-handler payload
    in argo_samples/), with `parameters` replaced (toy_id= for toy-id)."""
    workflow = yaml.safe_load((SAMPLES / sample).read_text())["workflow"]
    values = {
        f"workflow.{key}": str(workflow[key])
        for key in ("name", "namespace", "uid", "status", "creationTimestamp", "duration")
    }
    values |= {f"workflow.parameters.{k}": v for k, v in workflow["parameters"].items()}
    values |= {
        f"workflow.parameters.{name.replace('_', '-')}": value for name, value in parameters.items()
    }
    outputs = (workflow.get("outputs") or {}).get("parameters") or {}
    values |= {
        f"workflow.outputs.parameters.{k}": v for k, v in outputs.items() if not v.startswith("{{")
    }
    values["workflow.failures"] = failures_global(json.loads(workflow.get("failures") or "null"))
    return values


def _template(path: Path, name: str) -> dict[str, Any]:
    spec = yaml.safe_load(path.read_text())["spec"]
    found: dict[str, Any] = {t["name"]: t for t in spec["templates"]}[name]
    return found


def rendered_artifact(path: Path, template: str, values: dict[str, str]) -> str:
    """The raw artifact a container template hands toyctl, rendered by Argo."""
    raw: str = render(_template(path, template), values)["inputs"]["artifacts"][0]["raw"]["data"]
    return raw


def rendered_http(path: Path, template: str, values: dict[str, str]) -> dict[str, Any]:
    """An http template's request (url, method, headers, body), rendered by Argo."""
    http: dict[str, Any] = render(_template(path, template), values)["http"]
    return http
