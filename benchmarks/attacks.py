"""Each attack of benchmarks.attackers for a minute against a fresh toys-server, from one
address, while a legitimate client on another address calls GetToy and grpc.health once a
second (a new connection each time, as toyctl and probes do, with a 1 s deadline).

Per attack it prints the legitimate calls answered within the deadline and their p99, the
server's resident memory before, at its peak and a while after the attack stopped, and the
CPU the server spent during the attack. The server runs with its defaults (plaintext, no
access file: the most exposed setting), with TLS for the handshake attack.

    poetry run python -m benchmarks.attacks                    # every attack, 60 s + 60 s
    poetry run python -m benchmarks.attacks --seconds 10 --after 10 --only rapid-reset
    poetry run python -m benchmarks.attacks --tree ../old      # a checkout's server, to compare

Loopback only: an attacker and a client have different addresses in 127.0.0.0/8. The
attacker runs in a process of its own (`--attacker NAME`), so that its thousands of sockets
do not slow the legitimate client's event loop.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import ssl
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import trustme
from grpclib.client import Channel
from grpclib.health.v1.health_grpc import HealthStub
from grpclib.health.v1.health_pb2 import HealthCheckRequest

from benchmarks import attackers
from benchmarks.attackers import Target
from benchmarks.harness import Server, fill_sync, free_port, loadavg
from toys._generated.toys import v1 as pb

ATTACKER = "127.0.0.2"
DEADLINE_S = 1.0

type AttackRun = Callable[[Target, asyncio.Event], Awaitable[int]]


@dataclass(frozen=True, slots=True)
class Attack:
    name: str
    what: str
    run: AttackRun
    tls: bool = False
    http: bool = False  # aimed at the HTTP port (the legitimate client uses it too)


ATTACKS = (
    Attack(
        "unknown-fields",
        "1 MB requests of 500,000 unknown fields to ToyService/HealthCheck, 2 at a time",
        lambda t, s: attackers.big_messages(
            t, s, "/toys.v1.ToyService/HealthCheck", attackers.unknown_fields(500_000)
        ),
    ),
    Attack(
        "repeated-failures",
        "UpdateManufactureStatus with 300,000 empty failures, 2 at a time",
        lambda t, s: attackers.big_messages(
            t, s, "/toys.v1.ToyService/UpdateManufactureStatus", attackers.empty_failures(300_000)
        ),
    ),
    Attack(
        "idle-connections",
        "1,000 connections: preface and SETTINGS, then nothing",
        lambda t, s: attackers.idle_connections(t, s, 1000),
    ),
    Attack(
        "slowloris",
        "1,200 connections that send half a preface",
        lambda t, s: attackers.partial_prefaces(t, s, 1200),
    ),
    Attack(
        "tls-handshakes",
        "5,000 sockets to the TLS port that never start the handshake",
        lambda t, s: attackers.silent_tls(t, s, 5000),
        tls=True,
    ),
    Attack(
        "full-server",
        "1,500 idle TLS connections from 150 addresses: more than the server may hold",
        lambda t, s: attackers.idle_tls_from_many(t, s),
        tls=True,
    ),
    Attack(
        "rapid-reset",
        "HEADERS + RST_STREAM in bursts of 1,000, connection after connection",
        lambda t, s: attackers.rapid_reset(t, s),
    ),
    Attack(
        "http-json-values",
        "HTTP: 1 MB JSON callbacks of 340,000 empty failures, 2 at a time",
        lambda t, s: attackers.http_posts(
            t,
            s,
            "/toys.v1.ToyService/UpdateManufactureStatus",
            b'{"toyId": "x", "run": {"failures": [' + b",".join([b"{}"] * 340_000) + b"]}}",
        ),
        http=True,
    ),
    Attack(
        "http-slowloris",
        "HTTP: 1,200 connections that begin a request's headers and wait",
        lambda t, s: attackers.http_slow_headers(t, s, 1200),
        http=True,
    ),
    Attack(
        "http-silent",
        "HTTP: 1,000 connections that never send a byte",
        lambda t, s: attackers.http_silent(t, s, 1000),
        http=True,
    ),
)


@dataclass
class Legit:
    """The legitimate client's calls: (when, ok within the deadline, seconds)."""

    calls: list[tuple[float, bool, float]] = field(default_factory=list)

    def between(self, start: float, end: float) -> list[tuple[float, bool, float]]:
        return [c for c in self.calls if start <= c[0] < end]


async def _timed(call: Callable[[], Awaitable[object]]) -> tuple[bool, float]:
    started = time.monotonic()
    try:
        await asyncio.wait_for(call(), DEADLINE_S)
    except Exception:
        return False, time.monotonic() - started
    return True, time.monotonic() - started


async def legitimate_http_client(port: int, toy_id: str, stop: asyncio.Event, legit: Legit) -> None:
    """GetToy over Connect JSON and /readyz, each on a connection of its own, once a second."""
    base = f"http://127.0.0.1:{port}"

    async def get_toy() -> None:
        async with httpx.AsyncClient(base_url=base) as client:
            answer = await client.post("/toys.v1.ToyService/GetToy", json={"id": toy_id})
            answer.raise_for_status()

    async def ready() -> None:
        async with httpx.AsyncClient(base_url=base) as client:
            (await client.get("/readyz")).raise_for_status()

    while not stop.is_set():
        tick = time.monotonic()
        for ok, seconds in await asyncio.gather(_timed(get_toy), _timed(ready)):
            legit.calls.append((tick, ok, seconds))
        await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))


async def legitimate_client(
    port: int, toy_id: str, tls: ssl.SSLContext | None, stop: asyncio.Event, legit: Legit
) -> None:
    async def get_toy() -> None:
        channel = Channel("127.0.0.1", port, ssl=tls)
        try:
            await pb.ToyServiceStub(channel).get_toy(pb.GetToyRequest(id=toy_id))
        finally:
            channel.close()

    async def health() -> None:
        channel = Channel("127.0.0.1", port, ssl=tls)
        try:
            await HealthStub(channel).Check(HealthCheckRequest())
        finally:
            channel.close()

    while not stop.is_set():
        tick = time.monotonic()
        for ok, seconds in await asyncio.gather(_timed(get_toy), _timed(health)):
            legit.calls.append((tick, ok, seconds))
        await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))


@dataclass
class Result:
    attack: Attack
    legit_ok: float
    legit_p99_ms: float
    rss_before_mb: float
    rss_peak_mb: float
    rss_after_mb: float
    cpu_s: float
    attacker_count: int


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else 0.0


async def run_one(
    attack: Attack, server: Server, toy_id: str, tls: ssl.SSLContext | None, args: Any
) -> Result:
    legit = Legit()
    stop_legit = asyncio.Event()
    port = server.http_port if attack.http else server.port
    client = asyncio.ensure_future(
        legitimate_http_client(port, toy_id, stop_legit, legit)
        if attack.http
        else legitimate_client(port, toy_id, tls, stop_legit, legit)
    )
    await asyncio.sleep(2)  # the client's first calls, unhindered
    rss_before = server.rss_kb()
    cpu_before = server.cpu_seconds()
    started = time.monotonic()
    attacker = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "benchmarks.attacks",
        "--attacker",
        attack.name,
        "--port",
        str(port),
        "--seconds",
        str(args.seconds),
        *(["--ca", str(args.ca_file)] if attack.tls else []),
        stdout=asyncio.subprocess.PIPE,
    )
    peak = rss_before
    while attacker.returncode is None and time.monotonic() - started < args.seconds + 30:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(attacker.wait(), 0.5)
        peak = max(peak, server.rss_kb())
    ended = time.monotonic()
    cpu = server.cpu_seconds() - cpu_before
    assert attacker.stdout is not None
    count = int((await attacker.stdout.read()).decode().strip() or -1)
    await asyncio.sleep(args.after)
    rss_after = server.rss_kb()
    stop_legit.set()
    await client
    during = legit.between(started, ended)
    ok = sum(1 for _, good, _ in during if good)
    return Result(
        attack,
        legit_ok=ok / len(during) if during else 0.0,
        legit_p99_ms=_p99([s for _, _, s in during]) * 1000,
        rss_before_mb=rss_before / 1024,
        rss_peak_mb=peak / 1024,
        rss_after_mb=rss_after / 1024,
        cpu_s=cpu,
        attacker_count=count,
    )


def _server(db: str, tree: Path | None, flags: list[str]) -> Server:
    command = [sys.executable, "-m", "toys", "--port", "{port}", "--db", db, *flags]
    return Server(command, env={"TOYS_LOG_LEVEL": "WARNING"}, cwd=tree)


def attack_alone(name: str, port: int, seconds: float, ca_file: str | None) -> None:
    """The attacker's process: run one attack for `seconds`, print how much it did."""
    [attack] = [a for a in ATTACKS if a.name == name]
    tls = None
    if ca_file:
        tls = ssl.create_default_context(cafile=ca_file)
        tls.set_alpn_protocols(["h2"])

    async def run() -> int:
        stop = asyncio.Event()
        asyncio.get_running_loop().call_later(seconds, stop.set)
        return await attack.run(Target("127.0.0.1", port, ATTACKER, tls), stop)

    print(asyncio.run(run()), flush=True)
    os._exit(0)  # sockets left to the kernel: the attacker does not tidy up


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="how long each attack runs")
    parser.add_argument("--after", type=float, default=60, help="seconds before the last RSS")
    parser.add_argument("--only", action="append", help="run this attack (repeatable)")
    parser.add_argument("--tree", type=Path, help="run the server from this checkout")
    parser.add_argument("--attacker", help=argparse.SUPPRESS)  # the attacker's own process
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--ca", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.attacker:
        attack_alone(args.attacker, args.port, args.seconds, args.ca)
    chosen = [a for a in ATTACKS if not args.only or a.name in args.only]
    print(f"load average at start: {loadavg()}")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1", "localhost")
        cert_file, key_file = Path(tmp) / "cert.pem", Path(tmp) / "key.pem"
        cert.cert_chain_pems[0].write_to_path(cert_file)
        cert.private_key_pem.write_to_path(key_file)
        args.ca_file = Path(tmp) / "ca.pem"
        ca.cert_pem.write_to_path(args.ca_file)
        for index, attack in enumerate(chosen):
            db = str(Path(tmp) / f"attack-{index}.db")
            [toy_id] = fill_sync(db, 1)
            flags = ["--tls-cert", str(cert_file), "--tls-key", str(key_file)] if attack.tls else []
            if attack.http:
                http_port = free_port()
                flags += ["--http-port", str(http_port)]
            server = _server(db, args.tree, flags).start()
            if attack.http:
                server.http_port = http_port
            client_tls = None
            if attack.tls:
                client_tls = ssl.create_default_context()
                ca.configure_trust(client_tls)
                client_tls.set_alpn_protocols(["h2"])
            try:
                print(f"{attack.name}: {attack.what} ...", flush=True)
                results.append(asyncio.run(run_one(attack, server, toy_id, client_tls, args)))
            finally:
                server.stop()
    print(f"load average at end: {loadavg()}\n")
    print(
        f"| attack ({args.seconds:g} s, one address) | legitimate calls answered within 1 s "
        "| their p99 | server RSS before → peak → "
        f"{args.after:g} s after | server CPU during the attack |"
    )
    print("|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r.attack.name} | {r.legit_ok:.1%} | {r.legit_p99_ms:.0f} ms "
            f"| {r.rss_before_mb:.0f} → {r.rss_peak_mb:.0f} → {r.rss_after_mb:.0f} MB "
            f"| {r.cpu_s:.1f} s |"
        )
    sys.stdout.flush()
    os._exit(0)  # attack coroutines may leave sockets behind; nothing to tear down politely


if __name__ == "__main__":
    main()
