"""The `toyctl` console script: the first module a command loads, before Typer or grpclib.

A command imports some 300 modules and then sends one call; the cyclic garbage collector,
left on, runs dozens of times over those imports and finds almost nothing (~8 ms a command,
benchmarks/cli_startup.py). So it is off for commands that end once they have answered, and
back on for a watch, which runs for as long as the user wants (toyctl.commands.watching).
"""

from __future__ import annotations

import gc
import sys
from typing import NoReturn


def entry() -> NoReturn:
    """main(), then a quick exit (see toyctl.exiting)."""
    gc.disable()
    # betterproto2 imports pydantic whenever it is installed (the server's settings use it) and
    # asks it about every message; update-status translates its payload with betterproto2, and
    # keeping pydantic out saves it ~35 ms.
    sys.modules.setdefault("pydantic", None)  # type: ignore[arg-type]  # None blocks an import
    from toyctl.app import main
    from toyctl.exiting import leave

    leave(main())
