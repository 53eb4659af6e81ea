"""What pre-commit's hygiene hooks check, held for every tracked file, so that
`pre-commit run --all-files` passes on a clean checkout (CI runs the hooks on every file)."""

from __future__ import annotations

import re
import subprocess
from typing import Any

import pytest
import yaml

from tests.support import ROOT

CONFIG: dict[str, Any] = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
EXCLUDED = re.compile(CONFIG.get("exclude", "(?!)"))  # what pre-commit never looks at


def _tracked(*suffixes: str) -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split("\0")
    return [n for n in listed if n and n.endswith(suffixes) and not EXCLUDED.match(n)]


def _hook(hook_id: str) -> dict[str, Any]:
    hooks = (hook for repo in CONFIG["repos"] for hook in repo["hooks"])
    return next(hook for hook in hooks if hook["id"] == hook_id)


def _text_files() -> list[str]:
    binary = (".png", ".jpg", ".ico", ".woff2")
    return [name for name in _tracked("") if not name.endswith(binary)]


def test_no_tracked_file_has_trailing_whitespace() -> None:
    offenders = [
        f"{name}:{number}"
        for name in _text_files()
        for number, line in enumerate((ROOT / name).read_text(errors="replace").splitlines(), 1)
        if line != line.rstrip()
    ]
    assert offenders == []


def test_every_tracked_file_ends_with_one_newline() -> None:
    offenders = []
    for name in _text_files():
        data = (ROOT / name).read_bytes()
        if data and (not data.endswith(b"\n") or data.endswith(b"\n\n")):
            offenders.append(name)
    assert offenders == []


def test_every_yaml_file_check_yaml_sees_loads() -> None:
    hook = _hook("check-yaml")
    skipped = hook.get("exclude", "").lstrip("^")
    assert skipped == "tests/fixtures/hostile/"  # made to break parsers, on purpose
    for name in _tracked(".yaml", ".yml"):
        if name.startswith(skipped):
            continue
        with (ROOT / name).open() as handle:
            list(yaml.safe_load_all(handle))


@pytest.mark.parametrize("name", ["trailing-whitespace", "end-of-file-fixer", "check-yaml"])
def test_the_hygiene_hooks_are_configured(name: str) -> None:
    assert _hook(name)["additional_dependencies"] == ["pre-commit-hooks==6.0.0"]
