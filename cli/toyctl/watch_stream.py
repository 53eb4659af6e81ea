"""A watch that keeps going: WatchToys, resumed with the last token whenever the stream ends
in a way a client can resume from (a draining server, a lost connection, a client too slow),
with a bounded backoff, and listed again when the token is too old.

Imported only once a watch runs (grpclib and the generated messages stay out of `--help`).
"""

from __future__ import annotations

import asyncio
import random
import ssl
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from grpclib.const import Cardinality, Status
from grpclib.exceptions import GRPCError, StreamTerminatedError

from toyctl import names
from toyctl.channel import EXIT_FOR_STATUS, call_metadata, open_channel
from toyctl.errors import ExitCode, ToyctlError
from toyctl.options import Target
from toyctl.stub import WATCH_TOYS
from toys._generated.pb2.toys.v1 import toys_pb2 as pb2

# Resumable ends: a server draining (UNAVAILABLE) or ending a client that read too slowly.
RESUMABLE = frozenset({Status.UNAVAILABLE, Status.ABORTED})
FIRST_DELAY_S, MAX_DELAY_S = 0.2, 5.0
# How long toyctl keeps trying to resume before it gives up (exit 3).
GIVE_UP_AFTER_S = 60.0


@dataclass(frozen=True, slots=True)
class Update:
    kind: str  # ADDED, MODIFIED, DELETED or SYNCED
    toy: pb2.Toy | None
    resume_token: str
    # The first event of a (new) list of the current toys: what was shown before is stale.
    fresh: bool = False


async def updates(
    target: Target,
    *,
    status: str = "MANUFACTURE_STATUS_UNSPECIFIED",
    toy_id: str = "",
    notice: Callable[[str], None],
) -> AsyncIterator[Update]:
    """Every event of a watch that starts with the current toys, for as long as it runs;
    watching one toy (`toy_id`) that does not exist is NOT_FOUND, as in `kubectl get x -w`."""
    token, synced = "", False
    delay = FIRST_DELAY_S
    failing_since: float | None = None
    while True:
        listing = not synced
        request = pb2.WatchToysRequest(
            status=status, id=toy_id, resume_token="" if listing else token, send_initial=listing
        )
        channel = open_channel(target)
        try:
            async with channel.request(
                WATCH_TOYS,
                Cardinality.UNARY_STREAM,
                pb2.WatchToysRequest,
                pb2.WatchToysResponse,
                metadata=call_metadata(target.security),
            ) as stream:
                await stream.send_message(request, end=True)
                fresh = listing
                while (event := await stream.recv_message()) is not None:
                    failing_since, delay = None, FIRST_DELAY_S
                    kind = names.EVENT.get(event.type, "UNSPECIFIED")
                    if toy_id and kind == "SYNCED" and fresh:  # the list held no such toy
                        raise ToyctlError(
                            ExitCode.NOT_FOUND, f"toy {toy_id!r} not found (NOT_FOUND)"
                        )
                    toy = event.toy if event.HasField("toy") else None
                    yield Update(kind, toy, event.resume_token, fresh)
                    fresh = False
                    token = event.resume_token
                    synced = synced or kind == "SYNCED"
                await stream.recv_trailing_metadata()
            reason = "the server ended the watch"
        except GRPCError as exc:
            if exc.status is Status.OUT_OF_RANGE:
                notice("toyctl: the watch's resume point is gone; listing the toys again")
                synced = False
                continue
            if exc.status not in RESUMABLE:
                code = EXIT_FOR_STATUS.get(exc.status, ExitCode.ERROR)
                message = f"{exc.message or exc.status.name} ({exc.status.name})"
                raise ToyctlError(code, message) from exc
            reason = f"{exc.status.name}: {exc.message}"
        except (StreamTerminatedError, ssl.SSLError, OSError) as exc:
            reason = str(exc) or type(exc).__name__
            # grpclib ends a stream whose connection was lost by cancelling the task, then
            # turns the CancelledError into StreamTerminatedError without uncancel(): the task
            # would stay "cancelling", and Ctrl-C would no longer become KeyboardInterrupt.
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                task.uncancel()
        finally:
            channel.close()
        failing_since = failing_since or time.monotonic()
        if time.monotonic() - failing_since > GIVE_UP_AFTER_S:
            raise ToyctlError(
                ExitCode.UNAVAILABLE,
                f"gave up resuming the watch after {GIVE_UP_AFTER_S:g}s: {reason}",
            )
        notice(f"toyctl: watch interrupted ({reason}); resuming in {delay:.1f}s")
        await asyncio.sleep(delay * random.uniform(1, 1.5))  # noqa: S311  # jitter, not a secret
        delay = min(delay * 2, MAX_DELAY_S)
