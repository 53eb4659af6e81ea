"""The README's fenced shell examples, as blocks of commands."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tests.support import ROOT

README = ROOT / "README.md"
LIVE_COMMANDS = {"toyctl", "grpcurl", "TOY=$(toyctl", "sed"}
_FENCE = re.compile(r"^```(?P<info>\w*)\n(?P<body>.*?)^```$", re.MULTILINE | re.DOTALL)


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


def is_live(block: Block) -> bool:
    commands = block.commands()
    if block.info == "sh" and any(c.startswith(("poetry", "OTEL_")) for c in commands):
        return False
    return bool(commands) and all(
        any(c.lstrip("| ").startswith(word) for word in LIVE_COMMANDS) for c in commands
    )
