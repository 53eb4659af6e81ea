"""Payloads built to hurt toyctl: each is exit 8 with one line, within a few MB of memory.

Small ones are fixtures in tests/fixtures/hostile/; large ones are written here. Each runs
toyctl as a process under a wrapper that reports the process's peak memory (ru_maxrss), and
that peak is compared with toyctl refusing a three-line payload.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support import ROOT

TOYCTL = str(Path(sys.executable).parent / "toyctl")
HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
# What toyctl may use beyond refusing a small bad payload.
MEMORY_ALLOWANCE_KB = 8 * 1024

_MEASURED = """
import resource, subprocess, sys
result = subprocess.run(sys.argv[1:], capture_output=True, text=True)
sys.stdout.write(result.stderr)
print(f"EXIT={result.returncode} PEAK_KB={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
"""


def _write(tmp_path: Path, name: str, content: str | bytes) -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return str(path)


_HEAD = 'workflow:\n  uid: "u"\n  status: Failed\n  creationTimestamp: "2026-11-26T09:00:00Z"\n'
_GENERATED: dict[str, Callable[[Path], str]] = {
    "larger than 1 MiB": lambda d: _write(d, "huge.yaml", _HEAD + "  message: " + "x" * 2_000_000),
    "endless input (/dev/zero)": lambda d: "/dev/zero",
    "not UTF-8": lambda d: _write(d, "binary.yaml", b"\xff\xfe" * 1000),
    "YAML nested 100,000 deep": lambda d: _write(d, "deep.yaml", "[" * 100_000 + "]" * 100_000),
    "500,000 values in 1 MiB": lambda d: _write(d, "many.yaml", "[" + "1," * 500_000 + "1]"),
    "failures JSON 100,000 deep": lambda d: _write(
        d, "deep-json.yaml", _HEAD + "  failures: '" + "[" * 100_000 + "]" * 100_000 + "'\n"
    ),
    "failures JSON of 200,000 objects": lambda d: _write(
        d, "wide-json.yaml", _HEAD + "  failures: '[" + "{}," * 200_000 + "{}]'\n"
    ),
}
_FIXTURES = sorted(p.name for p in HOSTILE.glob("*.yaml"))


def _refuse(payload: str) -> tuple[int, str, int]:
    """toyctl's exit status, its stderr, and its peak memory in KB, for one payload."""
    command = [TOYCTL, "-s", "127.0.0.1:1", "update-status", "--toy-id", "t", "--payload", payload]
    result = subprocess.run(
        [sys.executable, "-c", _MEASURED, *command],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    *stderr, verdict = result.stdout.splitlines()
    exit_part, peak_part = verdict.split()
    return int(exit_part.split("=")[1]), "\n".join(stderr), int(peak_part.split("=")[1])


@pytest.fixture(scope="module")
def baseline_kb(tmp_path_factory: pytest.TempPathFactory) -> int:
    small = _write(tmp_path_factory.mktemp("baseline"), "small.yaml", "workflow: {}\n")
    status, _, peak = _refuse(small)
    assert status == 8
    return peak


@pytest.mark.parametrize("case", [*_FIXTURES, *_GENERATED])
def test_a_hostile_payload_is_exit_8_in_one_line_and_bounded_memory(
    case: str, tmp_path: Path, baseline_kb: int
) -> None:
    payload = str(HOSTILE / case) if case in _FIXTURES else _GENERATED[case](tmp_path)
    status, stderr, peak_kb = _refuse(payload)
    assert status == 8, stderr
    assert len(stderr.splitlines()) == 1, stderr
    assert stderr.startswith("toyctl: error: payload ")
    assert len(stderr) < 400
    assert peak_kb - baseline_kb < MEMORY_ALLOWANCE_KB, (peak_kb, baseline_kb)
