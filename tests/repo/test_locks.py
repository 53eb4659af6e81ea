"""The exported requirement locks the container build uses agree with poetry.lock."""

from __future__ import annotations

import re
import tomllib

import pytest

from tests.support import ROOT

_REQUIREMENT = re.compile(r"^(?P<name>[A-Za-z0-9_.\-]+)==(?P<version>\S+)")
_HASH = re.compile(r"--hash=sha256:(?P<hash>[0-9a-f]{64})")


def _from_poetry_lock(group: str) -> dict[str, tuple[str, set[str]]]:
    lock = tomllib.loads((ROOT / "poetry.lock").read_text())
    return {
        package["name"]: (
            package["version"],
            {entry["hash"].removeprefix("sha256:") for entry in package["files"]},
        )
        for package in lock["package"]
        if group in package.get("groups", ())
    }


def _from_requirements(name: str) -> dict[str, tuple[str, set[str]]]:
    found: dict[str, tuple[str, set[str]]] = {}
    current = ""
    for line in (ROOT / name).read_text().splitlines():
        match = _REQUIREMENT.match(line)
        if match:
            current = match["name"]
            found[current] = (match["version"], set())
        for digest in _HASH.finditer(line):
            found[current][1].add(digest["hash"])
    return found


@pytest.mark.parametrize(
    ("requirements", "group"), [("requirements.lock", "main"), ("requirements-build.lock", "build")]
)
def test_exported_locks_match_poetry_lock(requirements: str, group: str) -> None:
    """Same packages, versions and hashes: regenerate with `poe lock-export` after `poetry lock`."""
    assert _from_requirements(requirements) == _from_poetry_lock(group)
