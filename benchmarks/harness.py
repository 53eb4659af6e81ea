"""What every benchmark here shares: servers and load in processes pinned to their own cores,
a server's CPU time from /proc, a database of toys, the load average."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from toys.core.page_tokens import PageTokens
from toys.core.service import ToyService
from toys.core.store import BulkStore
from toys.domain import ManufactureStatus, NewToy, WorkflowRun
from toys.stores.opening import open_store

SERVER_CPU, LOAD_CPU = 0, 1
_TICKS = os.sysconf("SC_CLK_TCK")


def cores_for(server: int, load: int) -> tuple[set[int], set[int]]:
    """The cores to pin to; on a one-core machine, both share it."""
    available = sorted(os.sched_getaffinity(0))
    if len(available) < 2:
        return {available[0]}, {available[0]}
    return {available[server]}, {available[load]}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A server process pinned to its core, on a free port ({port} in its command)."""

    command: Sequence[str]
    env: dict[str, str] = field(default_factory=dict)
    # Where it runs: `python -m` looks for the package in this directory first.
    cwd: Path | None = None
    proc: subprocess.Popen[bytes] | None = None
    port: int = 0
    http_port: int = 0  # its HTTP port, when the command gives it one

    def start(self, timeout_s: float = 30) -> Server:
        server_cores, _ = cores_for(SERVER_CPU, LOAD_CPU)
        self.port = free_port()
        self.proc = subprocess.Popen(
            [part.format(port=self.port) for part in self.command],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,  # its logs are not what is measured
            env={**os.environ, **self.env},
            cwd=self.cwd,
            preexec_fn=lambda: os.sched_setaffinity(0, server_cores),
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and self.proc.poll() is None:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.05)  # polling a process's start-up, outside any measurement
        raise RuntimeError(f"{self.command[0]} did not start listening")

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def cpu_seconds(self) -> float:
        assert self.proc is not None
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS  # utime + stime

    def rss_kb(self) -> int:
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(20)


def load(
    address: str, method: str, concurrency: int, seconds: float, bodies: Path
) -> dict[str, float]:
    """One run of benchmarks.load_client on the load core; its JSON result."""
    _, load_cores = cores_for(SERVER_CPU, LOAD_CPU)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.load_client",
            address,
            method,
            str(concurrency),
            str(seconds),
            str(bodies),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
        preexec_fn=lambda: os.sched_setaffinity(0, load_cores),
    )
    return dict(json.loads(result.stdout.splitlines()[-1]))


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def succeeded_run(index: int, created: datetime) -> WorkflowRun:
    """The run that made the toy number `index`: three units, five minutes."""
    return WorkflowRun(
        uid=f"run-{index}",
        creation_time=created,
        status=ManufactureStatus.SUCCEEDED,
        name=f"make-{index}",
        namespace="factory",
        started_at=created,
        finished_at=created + timedelta(minutes=5),
        units_produced=3,
    )


async def fill(db: str, toys: int, *, runs: bool = True) -> list[str]:
    """`toys` toys, every other one with a succeeded run (none with `runs=False`, the lean
    shape); returns their ids."""
    store: BulkStore = await open_store(db)
    try:
        service = ToyService(store, PageTokens(await store.deployment_key()))
        created = datetime.now(UTC) - timedelta(hours=1)
        ids = []
        for index in range(toys):
            toy = await service.create(
                NewToy(name=f"toy-{index}", designer="Ada", manufacturer="Acme")
            )
            if runs and index % 2:
                await service.report_run(toy.id, succeeded_run(index, created))
            ids.append(toy.id)
        return ids
    finally:
        await store.close()


def fill_sync(db: str, toys: int, *, runs: bool = True) -> list[str]:
    return asyncio.run(fill(db, toys, runs=runs))
