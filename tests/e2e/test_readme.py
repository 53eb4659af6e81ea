"""Every toyctl and grpcurl example in the README works as written and prints what it shows.

Blocks whose commands are all toyctl, grpcurl, sed or `VAR=$(toyctl …)` run against one live
server, in README order, sharing their variables (`$ID`). A `console` block's shown output
must match what the command prints (stdout, then stderr), once ids, times and ages are masked.
Blocks for other tools are checked in tests/repo/test_readme_references.py.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.readme import Example, blocks, is_live
from tests.support import ROOT, ServerProcess

BIN = Path(sys.executable).parent
_ASSIGNMENT = re.compile(r"^(?P<name>\w+)=\$\((?P<command>.*)\)$")
_MASKS = (
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"), "<uuid>"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)"), "<time>"),
    # The UPDATED column of a table: kubectl-style ages.
    (re.compile(r"(?<= )\d+[smhd]$"), "<age>"),
)


def masked(lines: list[str] | tuple[str, ...]) -> list[str]:
    """Lines with ids, times and ages masked and runs of spaces folded (column widths vary)."""
    out = []
    for line in lines:
        line = re.sub(r"[ \t]+", " ", line).rstrip()
        for pattern, mask in _MASKS:
            line = pattern.sub(mask, line)
        out.append(line)
    return out


def test_the_readme_has_live_examples() -> None:
    """The extraction finds the toyctl, grpcurl and Argo examples (so the test cannot pass
    by finding nothing), and most of them show their output."""
    live = [b for b in blocks() if is_live(b)]
    assert len(live) >= 8
    assert any("UpdateManufactureStatus" in b.body for b in live)
    assert any("--payload -" in b.body for b in live)
    assert sum(1 for b in live for e in b.examples() if e.shown) >= 12


def test_masking_keeps_what_matters() -> None:
    """Masks hide what changes from run to run, never statuses, counts or names."""
    line = "50f37529-a300-4159-899c-d3bdf57dce8e  Car   SUCCEEDED  25    Ada  0s"
    assert masked([line]) == ["<uuid> Car SUCCEEDED 25 Ada <age>"]
    assert masked(['"createTime": "2026-11-26T04:31:01.088012Z",']) == ['"createTime": "<time>",']


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, grpcurl_bin: str) -> Iterator[dict[str, str]]:
    server = ServerProcess(db=tmp_path_factory.mktemp("readme") / "toys.db", http_port=0).start()
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{Path(grpcurl_bin).parent}{os.pathsep}{os.environ['PATH']}",
        "TOYCTL_SERVER": server.address,
        "TOYS_HTTP_ADDRESS": f"127.0.0.1:{server.http_port}",
        "NO_COLOR": "1",
    }
    env.pop("OTEL_TRACES_EXPORTER", None)
    try:
        yield env
    finally:
        server.kill()


def _run(command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = command.replace("localhost:50051", env["TOYCTL_SERVER"])
    command = command.replace("localhost:8080", env["TOYS_HTTP_ADDRESS"])
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", command],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
        cwd=ROOT,
    )


def _check(example: Example, env: dict[str, str], where: str) -> None:
    assignment = _ASSIGNMENT.match(example.command)
    result = _run(assignment["command"] if assignment else example.command, env)
    assert result.returncode == 0, f"{where}: {example.command}\n{result.stderr}"
    if assignment:
        env[assignment["name"]] = result.stdout.strip()
        return
    if example.shown:
        printed = (result.stdout + result.stderr).splitlines()
        assert masked(printed) == masked(example.shown), f"{where}: {example.command}"


def test_every_live_example_runs_and_prints_what_it_shows(live: dict[str, str]) -> None:
    """In README order, sharing variables; shown output must match what really prints."""
    ran = 0
    for block in blocks():
        if not is_live(block):
            continue
        for example in block.examples():
            _check(example, live, f"README line {block.line}")
            ran += 1
    assert ran >= 20
