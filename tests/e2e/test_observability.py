"""Observability of the real processes: JSON access logs with trace ids, and no telemetry
import at all when telemetry is off."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from tests.support import ServerProcess, grpcurl, run

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


def test_json_access_log_carries_toy_and_trace_ids(tmp_path: Path, grpcurl_bin: str) -> None:
    """With TOYS_LOG_FORMAT=json each call logs one JSON object: method, status, duration,
    toy id, and the trace id of the caller's traceparent (telemetry off)."""
    server = ServerProcess(db=tmp_path / "toys.db", extra_env={"TOYS_LOG_FORMAT": "json"}).start()
    try:
        header = f"traceparent: 00-{TRACE_ID}-00f067aa0ba902b7-01"
        created = grpcurl(
            grpcurl_bin,
            server.address,
            "toys.v1.ToyService/CreateToy",
            data='{"name": "Car"}',
            headers=(header,),
        )
        assert created.returncode == 0, created.stderr
        toy_id = json.loads(created.stdout)["toy"]["id"]
        assert server.stop() == 0
    finally:
        server.kill()
    records = [json.loads(line) for line in server.lines if line.startswith("{")]
    assert len(records) == len(server.lines), "every line is JSON"
    access = [r for r in records if r["logger"] == "toys.access" and "CreateToy" in r["method"]]
    assert len(access) == 1
    line = access[0]
    assert (line["status"], line["toy_id"], line["trace_id"]) == ("OK", toy_id, TRACE_ID)
    assert isinstance(line["duration_ms"], float)


_PROBE = """
import asyncio, sys
from toys.process.server import create_server
from toys.transport.sockets import bind_socket
from toys.config.settings import Settings
from toyctl import client
from toyctl.options import Target

async def main() -> None:
    server = await create_server(Settings(db=":memory:"))
    port = await server.start(bind_socket("127.0.0.1", 0))
    health = await asyncio.to_thread(client.health, Target(f"127.0.0.1:{port}", 5))
    assert health.store_ok
    await server.shutdown()

asyncio.run(main())
print(sorted({m.split(".")[0] for m in sys.modules if m.startswith("opentelemetry")}))
"""


def test_nothing_of_opentelemetry_is_imported_when_off() -> None:
    """Server and toyctl run a call with OTEL_* unset: no opentelemetry module is loaded."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    result = run([sys.executable, "-c", _PROBE], env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
    on = run([sys.executable, "-c", _PROBE], env={**env, "OTEL_TRACES_EXPORTER": "console"})
    assert on.returncode == 0, on.stderr
    assert on.stdout.strip().splitlines()[-1] == "['opentelemetry']"
