"""Every command the README shows works as written.

Shell blocks that use only toyctl, grpcurl and the shell run against a live server, in order;
blocks for tools this machine has no business running (poetry, docker, kubectl, argo...) are
checked instead: the files, scripts, tasks and modules they name must exist. `console` blocks
run their `$ ` commands, and a table they show must have the header toyctl really prints.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import ROOT, ServerProcess

pytestmark = pytest.mark.e2e

README = ROOT / "README.md"
BIN = Path(sys.executable).parent
LIVE_COMMANDS = {"toyctl", "grpcurl", "TOY=$(toyctl", "sed"}
_FENCE = re.compile(r"^```(?P<info>\w*)\n(?P<body>.*?)^```$", re.MULTILINE | re.DOTALL)
_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
# The toy ids the README's examples use (the uuids of workflow runs are left alone).
_EXAMPLE_TOY_ID = re.compile(
    r"(?:--toy-id\s+|toyctl get\s+|\"id\":\s*\"|\"toy_id\":\s*\")(?P<id>[0-9a-f-]{36})"
)


@dataclass(frozen=True)
class Block:
    info: str
    body: str
    line: int

    def commands(self) -> list[str]:
        """Shell commands: continuation lines joined; for console blocks, the `$ ` lines."""
        text = self.body.replace("\\\n", " ")
        lines = text.splitlines()
        if self.info == "console":
            return [line[2:] for line in lines if line.startswith("$ ")]
        # A command starts a line; lines inside a quoted JSON body are indented or start with
        # a quote or brace.
        return [line for line in lines if line[:1].isalpha()]


def blocks() -> Iterator[Block]:
    text = README.read_text()
    for match in _FENCE.finditer(text):
        if match["info"] in ("sh", "console"):
            yield Block(match["info"], match["body"], text[: match.start()].count("\n") + 1)


def _is_live(block: Block) -> bool:
    commands = block.commands()
    if block.info == "sh" and any(c.startswith(("poetry", "OTEL_")) for c in commands):
        return False
    return bool(commands) and all(
        any(c.lstrip("| ").startswith(word) for word in LIVE_COMMANDS) for c in commands
    )


def test_the_readme_has_live_examples() -> None:
    """The extraction finds the toyctl, grpcurl and Argo examples (so the test cannot pass
    by finding nothing)."""
    live = [b for b in blocks() if _is_live(b)]
    assert len(live) >= 8
    assert any("UpdateManufactureStatus" in b.body for b in live)
    assert any("--payload -" in b.body for b in live)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, grpcurl_bin: str) -> Iterator[dict[str, str]]:
    server = ServerProcess(db=tmp_path_factory.mktemp("readme") / "toys.db").start()
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{Path(grpcurl_bin).parent}{os.pathsep}{os.environ['PATH']}",
        "TOYCTL_SERVER": server.address,
        "NO_COLOR": "1",
    }
    env.pop("OTEL_TRACES_EXPORTER", None)
    try:
        yield env
    finally:
        server.kill()


def _run(command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", command],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
        cwd=ROOT,
    )


def _real_toy(env: dict[str, str], known: dict[str, str], example_id: str) -> str:
    if example_id not in known:
        made = _run("toyctl manufacture --name 'README toy' -o name", env)
        assert made.returncode == 0, made.stderr
        known[example_id] = made.stdout.strip()
    return known[example_id]


def _prepared(command: str, env: dict[str, str], known: dict[str, str]) -> str:
    """The command for the live server: its address, and real toys for the example ids."""
    command = command.replace("localhost:50051", env["TOYCTL_SERVER"])
    for match in _EXAMPLE_TOY_ID.finditer(command):
        example = match["id"]
        command = command.replace(example, _real_toy(env, known, example))
    return command


def test_every_live_example_runs(live: dict[str, str]) -> None:
    """toyctl, grpcurl and Argo-callback examples run in README order and succeed."""
    known: dict[str, str] = {}
    ran = 0
    for block in blocks():
        if not _is_live(block):
            continue
        if block.info == "sh":
            result = _run(_prepared(block.body.replace("\\\n", " "), live, known), live)
            assert result.returncode == 0, (
                f"README line {block.line}:\n{block.body}\n{result.stderr}"
            )
            ran += 1
            continue
        outputs = re.split(r"^\$ .*$", block.body, flags=re.MULTILINE)[1:]
        for command, shown in zip(block.commands(), outputs, strict=True):
            result = _run(_prepared(command, live, known), live)
            assert result.returncode == 0, f"README line {block.line}: {command}\n{result.stderr}"
            header = next((line for line in shown.splitlines() if line.startswith("ID ")), None)
            if header is not None:
                assert result.stdout.splitlines()[0].split() == header.split(), command
            ran += 1
    assert ran >= 10


def _tasks() -> set[str]:
    return set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["poe"]["tasks"])


def test_examples_for_other_tools_name_things_that_exist() -> None:
    """poetry, docker, kubectl and argo examples name real files, scripts, tasks, modules."""
    tasks = _tasks()
    checked = 0
    for block in blocks():
        if _is_live(block):
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
        for image in re.findall(r"toy-factory:\w+", text):
            assert image == "toy-factory:dev", f"README line {block.line}: {image}"
    assert checked >= 3
    for command in re.findall(r"`poetry run poe ([\w-]+)`", README.read_text()):
        assert command in tasks, command
    compose = (ROOT / "docker-compose.yml").read_text()
    for service in ("server:", "callback:", "otel-collector:"):
        assert service in compose
