"""Giving memory back after a crowd of connections has gone.

Each connection's buffers (OpenSSL's, asyncio's, h2's) come from the C allocator, which keeps
freed memory for reuse rather than return it: after a thousand TLS connections closed, the
server's resident set stayed where it had peaked. And a closed connection is garbage in
reference cycles (grpclib's protocol and its connection hold each other), freed only by the
collector's rare full pass. So when the connections a server holds have fallen well below the
most it held since the last time, it collects, then returns the free pages with glibc's
malloc_trim (~7 ms for a heap of a few hundred MB). Elsewhere than glibc, it only collects.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import logging
import time
from collections.abc import Callable

log = logging.getLogger("toys.server")

CHECK_INTERVAL_S = 10.0
MIN_DROP = 100  # connections fewer than at the peak before a trim is worth its pause


def _malloc_trim() -> Callable[[], None] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None
    trim.argtypes = [ctypes.c_size_t]
    return lambda: trim(0)


async def give_back_after_crowds(
    connections: Callable[[], int], interval_s: float = CHECK_INTERVAL_S
) -> None:
    """Forever (cancel to stop): collect and trim whenever `connections()` fell by MIN_DROP,
    and by a quarter, from the most seen since the last time."""
    trim = _malloc_trim()
    most = connections()
    while True:
        await asyncio.sleep(interval_s)
        now = connections()
        most = max(most, now)
        if most - now >= max(MIN_DROP, most // 4):
            started = time.perf_counter()
            gc.collect()
            if trim is not None:
                trim()
            log.debug("memory given back in %.1f ms", (time.perf_counter() - started) * 1000)
            most = now
