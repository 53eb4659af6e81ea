"""Servers measured side by side on the same work: interleaved rounds, medians, ratios.

Each round starts every server in turn (pinned to the server core), runs each piece of work
from benchmarks.load_client (pinned to the load core) over one HTTP/2 connection, and reads
the server's CPU time from /proc around it. The table gives, per piece of work, the medians of
requests per second, 99th percentile latency and server CPU per call for the first server and
the baseline, and the ratio first / baseline. Figures are printed, never asserted.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.harness import Server, load, loadavg
from toys._generated.pb2.toys.v1 import toys_pb2 as pb2

# name: (method, calls in flight)
WORK = {
    "GetToy @64": ("GetToy", 64),
    "ListToys 100 @8": ("ListToys", 8),
    "CreateToy @16": ("CreateToy", 16),
    "CreateToy @64": ("CreateToy", 64),
}

Results = dict[tuple[str, str], list[dict[str, float]]]


def request_bodies(directory: Path, ids: list[str]) -> dict[str, Path]:
    """Request bodies (protobuf bytes, hex, one per line) for each method of the work."""
    requests: dict[str, list[Any]] = {
        "GetToy": [pb2.GetToyRequest(id=toy_id) for toy_id in ids],
        "ListToys": [pb2.ListToysRequest(page_size=100)],
        "CreateToy": [pb2.CreateToyRequest(name=f"made-{i}", designer="Ada") for i in range(100)],
    }
    files = {}
    for method, messages in requests.items():
        path = directory / f"{method}.bodies"
        path.write_text("\n".join(m.SerializeToString().hex() for m in messages))
        files[method] = path
    return files


def run_rounds(
    servers: dict[str, Callable[[int], Server]],
    bodies: dict[str, Path],
    rounds: int,
    seconds: float,
) -> tuple[Results, list[str]]:
    """Every server on every piece of work, `rounds` times; `servers` maps a name to a
    function of the round number that returns the (not yet started) server."""
    results: Results = {}
    averages = [loadavg()]
    for round_number in range(rounds):
        for kind, make in servers.items():
            server = make(round_number).start()
            try:
                for name, (method, in_flight) in WORK.items():
                    before = server.cpu_seconds()
                    result = load(server.address, method, in_flight, seconds, bodies[method])
                    result["cpu_us"] = (server.cpu_seconds() - before) / result["calls"] * 1e6
                    results.setdefault((kind, name), []).append(result)
            finally:
                server.stop()
        averages.append(loadavg())
    return results, averages


def print_table(results: Results, averages: list[str], ours: str, baseline: str) -> None:
    def median(kind: str, name: str, key: str) -> float:
        return statistics.median(r[key] for r in results[(kind, name)])

    print(f"\n{ours} against {baseline} (medians; ratio = {ours} / {baseline} req/s)")
    print(
        f"{'work':16} {'req/s':>9} {'base':>9} {'ratio':>6} "
        f"{'p99':>9} {'base p99':>9} {'CPU/call':>11} {'base CPU':>11}"
    )
    for name in WORK:
        rps = [median(kind, name, "rps") for kind in (ours, baseline)]
        p99 = [median(kind, name, "p99_ms") for kind in (ours, baseline)]
        cpu = [median(kind, name, "cpu_us") for kind in (ours, baseline)]
        print(
            f"{name:16} {rps[0]:9.0f} {rps[1]:9.0f} {rps[0] / rps[1]:6.2f} "
            f"{p99[0]:7.2f}ms {p99[1]:7.2f}ms {cpu[0]:8.0f} µs {cpu[1]:8.0f} µs"
        )
    errors = sum(r["errors"] for rs in results.values() for r in rs)
    print(f"errors: {errors}; load average (1, 5, 15 min) before and after each round: {averages}")
