"""Examples for tools this machine does not run (poetry, docker, kubectl, argo) name files,
scripts, tasks and modules that exist."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.readme import README, blocks, is_live
from tests.support import ROOT


def _tasks() -> set[str]:
    return set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["poe"]["tasks"])


def test_examples_for_other_tools_name_things_that_exist() -> None:
    """poetry, docker, kubectl and argo examples name real files, scripts, tasks, modules."""
    tasks = _tasks()
    checked = 0
    for block in blocks():
        if is_live(block):
            continue
        text = block.body
        for path in re.findall(r"(?:argo_samples|scripts|otel)/[\w./-]+", text):
            assert (ROOT / path).exists(), f"README line {block.line}: {path}"
            checked += 1
        for task in re.findall(r"\bpoe (\w[\w-]*)", text):
            assert task in tasks, f"README line {block.line}: poe {task}"
            checked += 1
        for module in re.findall(r"python -m ([\w.]+)", text):
            assert (ROOT / (module.replace(".", "/") + ".py")).exists(), module
            checked += 1
    assert checked >= 3
    for command in re.findall(r"`poetry run poe ([\w-]+)`", README.read_text()):
        assert command in tasks, command
    compose = (ROOT / "docker-compose.yml").read_text()
    for service in ("server:", "callback:", "otel-collector:"):
        assert service in compose


def test_the_readme_gives_poetry_2_commands_only() -> None:
    """Poetry 2 has no `poetry shell`; activating is `eval "$(poetry env activate)"`."""
    text = README.read_text()
    assert "poetry env activate" in text
    assert all("poetry shell`:" in line or "poetry shell" not in line for line in text.splitlines())


def test_grpcurl_comes_with_the_dev_environment() -> None:
    """`poetry run grpcurl`, as the README says, finds a grpcurl that runs."""
    grpcurl = Path(sys.executable).parent / "grpcurl"
    result = subprocess.run([grpcurl, "-version"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0
    assert "poetry run grpcurl" in README.read_text()


def test_the_readme_names_every_step_of_poe_check() -> None:
    """The Development table's `poe check` row lists each task the check runs."""
    tasks = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["poe"]["tasks"]
    row = next(line for line in README.read_text().splitlines() if "`poetry run poe check`" in line)
    for step in tasks["check"]["sequence"]:
        assert step in row, step


def test_one_image_name_and_tag_everywhere() -> None:
    """README, compose, the Kubernetes manifests and the WorkflowTemplate all name the image
    toy-factory:VERSION, the project's version (what `docker build -t` in the README makes)."""
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    places = [
        ROOT / "README.md",
        ROOT / "docker-compose.yml",
        ROOT / "scripts" / "compose-smoke.sh",
        ROOT / "scripts" / "demo-secrets.sh",
        *sorted((ROOT / "deploy").rglob("*.yaml")),
        *sorted((ROOT / "argo_samples" / "workflows").glob("*.yaml")),
    ]
    named = {
        (path.relative_to(ROOT).as_posix(), image)
        for path in places
        for image in re.findall(r"\btoy-factory:[\w.-]+", path.read_text())
    }
    assert named
    assert {image for _, image in named} == {f"toy-factory:{version}"}, named
