"""How the `toyctl` process ends: flush what must be flushed, then leave at once.

A command has written its output by the time it returns. Tearing down the interpreter after
that (module finalisation, garbage collection of everything grpclib and asyncio loaded) costs
10-20 ms a command and serves no one, so the process leaves with `os._exit` once the few things
that must happen (telemetry export, the streams' buffers) have happened.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from typing import NoReturn

_before_leaving: list[Callable[[], None]] = []


def before_leaving(action: Callable[[], None]) -> None:
    """Run `action` when the process ends (the last registered runs first)."""
    _before_leaving.append(action)


def leave(code: int) -> NoReturn:
    while _before_leaving:
        _before_leaving.pop()()
    for stream in (sys.stdout, sys.stderr):
        # The reader may have gone away (`| head`) or closed the stream: nothing more to do.
        with contextlib.suppress(BrokenPipeError, ValueError):
            stream.flush()
    os._exit(code)
