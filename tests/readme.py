"""The README's fenced shell examples: blocks of commands, each with the output it shows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tests.support import ROOT

README = ROOT / "README.md"
_FENCE = re.compile(r"^```(?P<info>\w*)\n(?P<body>.*?)^```$", re.MULTILINE | re.DOTALL)
# Commands run against a live server: toyctl, grpcurl, curl, sed, and `VAR=$(toyctl …)`.
_LIVE = re.compile(r"^(?:toyctl|grpcurl|curl|sed|\w+=\$\((?:toyctl|grpcurl|curl))\b")


@dataclass(frozen=True)
class Example:
    """One command and the lines the README shows it printing (none for `sh` blocks)."""

    command: str
    shown: tuple[str, ...]


@dataclass(frozen=True)
class Block:
    info: str
    body: str
    line: int

    def examples(self) -> list[Example]:
        """Commands with continuation lines joined; for console blocks, `$ ` lines and the
        output lines under each."""
        lines = self.body.replace("\\\n", " ").splitlines()
        if self.info != "console":
            # A command starts a line; lines inside a quoted JSON body are indented or start
            # with a quote or brace.
            return [Example(line, ()) for line in lines if line[:1].isalpha()]
        found: list[Example] = []
        for line in lines:
            if line.startswith("$ "):
                found.append(Example(line[2:], ()))
            elif found:
                found[-1] = Example(found[-1].command, (*found[-1].shown, line))
        return found

    def commands(self) -> list[str]:
        return [example.command for example in self.examples()]


def blocks() -> Iterator[Block]:
    text = README.read_text()
    for match in _FENCE.finditer(text):
        if match["info"] in ("sh", "console"):
            yield Block(match["info"], match["body"], text[: match.start()].count("\n") + 1)


# An example for some other server (`toys.example:50051`) is shown, not run.
_ELSEWHERE = re.compile(r"\b[\w-]+\.example(?:\.\w+)*:\d+")
# Watches run until stopped: tests/e2e/test_watching.py runs them.
_ENDLESS = re.compile(r"(?:\s-w\b|--watch\b|--for\b|/WatchToys\b)")


def is_live(block: Block) -> bool:
    """Whether every command of the block runs against a live (local) server."""
    commands = block.commands()
    return bool(commands) and all(
        _LIVE.match(c.lstrip("| ")) and not _ELSEWHERE.search(c) and not _ENDLESS.search(c)
        for c in commands
    )
