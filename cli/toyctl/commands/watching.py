"""`list -w`, `get ID -w` and `get ID --for status=S`: a watch, shown or waited on.

Ctrl-C ends a watch with exit 0, as `kubectl get -w` does.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sys
from collections.abc import Callable

from toyctl.errors import ExitCode, ToyctlError
from toyctl.options import Output, StatusFilter, Target

TERMINAL = ("SUCCEEDED", "FAILED", "ERROR")


def _notice(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def watch(target: Target, output: Output, status: StatusFilter | None, toy_id: str = "") -> None:
    """Show every event until Ctrl-C (or an error that cannot be resumed from)."""
    gc.enable()  # toyctl.launch turns it off for commands that end once answered
    from toyctl import watch_render
    from toyctl.watch_stream import Update, updates

    wanted = status.proto_name if status else "MANUFACTURE_STATUS_UNSPECIFIED"
    live = sys.stdout.isatty() and output in (Output.TABLE, Output.WIDE)
    shown = watch_render.LiveTable(output) if live else watch_render.EventLines(output)

    async def run(show: Callable[[Update], None]) -> None:
        async for update in updates(target, status=wanted, toy_id=toy_id, notice=_notice):
            show(update)

    with contextlib.suppress(KeyboardInterrupt):
        if isinstance(shown, watch_render.LiveTable):
            with shown:
                asyncio.run(run(shown.show))
        else:
            asyncio.run(run(shown.show))


def wait_for(target: Target, toy_id: str, awaited: StatusFilter, output: Output) -> None:
    """Return once the toy is in `awaited` (printing it); ToyctlError when it never can be."""
    gc.enable()  # as for watch: this may run for hours
    from toyctl import render
    from toyctl.watch_stream import updates

    async def reached() -> object:
        async for update in updates(target, toy_id=toy_id, notice=_notice):
            if update.toy is None:
                continue
            now = render.status_name(update.toy.status)
            if update.kind == "DELETED":
                raise ToyctlError(
                    ExitCode.CONDITION, f"toy {toy_id} was deleted before it was {awaited.value}"
                )
            if now == awaited.value:
                return update.toy
            if now in TERMINAL:
                raise ToyctlError(
                    ExitCode.CONDITION, f"toy {toy_id} is {now}, not {awaited.value}; gave up"
                )
        raise AssertionError("a watch does not end by itself")

    try:
        toy = asyncio.run(reached())
    except KeyboardInterrupt:
        raise ToyctlError(ExitCode.CONDITION, f"stopped waiting for toy {toy_id}") from None
    render.print_toys([toy], output, single=True)  # type: ignore[list-item]
