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
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.readme import blocks, is_live
from tests.support import ROOT, ServerProcess

BIN = Path(sys.executable).parent
_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
# The toy ids the README's examples use (the uuids of workflow runs are left alone).
_EXAMPLE_TOY_ID = re.compile(
    r"(?:--toy-id\s+|toyctl get\s+|\"id\":\s*\"|\"toy_id\":\s*\")(?P<id>[0-9a-f-]{36})"
)


def test_the_readme_has_live_examples() -> None:
    """The extraction finds the toyctl, grpcurl and Argo examples (so the test cannot pass
    by finding nothing)."""
    live = [b for b in blocks() if is_live(b)]
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
        if not is_live(block):
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
