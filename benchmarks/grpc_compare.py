"""toys-server against a grpcio.aio + protobuf reference on the same proto and SQLite storage.

Each server runs alone, pinned to one core, on its own copy of one database of 1,000 toys; the
load comes from benchmarks.load_client, pinned to the other core, over one HTTP/2 connection.
Rounds alternate between the servers; the table shows medians: requests per second, the 99th
percentile latency, and the server's CPU time per call (from /proc), with the ratio ours /
reference. Figures are printed, never asserted.

    poetry run poe bench                      # about four minutes
    poetry run python -m benchmarks.grpc_compare --rounds 5 --seconds 5
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.harness import Server, fill_sync, load, loadavg
from toys._generated.pb2.toys.v1 import toys_pb2 as pb2

WORK = {
    # name: (method, in flight)
    "GetToy": ("GetToy", 64),
    "ListToys (100)": ("ListToys", 8),
    "CreateToy": ("CreateToy", 16),
}


def _bodies(directory: Path, ids: list[str]) -> dict[str, Path]:
    """Request bodies (protobuf bytes, hex, one per line) for each piece of work."""
    requests: dict[str, list[Any]] = {
        "GetToy": [pb2.GetToyRequest(id=toy_id) for toy_id in ids],
        "ListToys (100)": [pb2.ListToysRequest(page_size=100)],
        "CreateToy": [pb2.CreateToyRequest(name=f"made-{i}", designer="Ada") for i in range(100)],
    }
    files = {}
    for name, messages in requests.items():
        path = directory / f"{name.split()[0]}.bodies"
        path.write_text("\n".join(m.SerializeToString().hex() for m in messages))
        files[name] = path
    return files


def _servers(db: Path) -> dict[str, Server]:
    return {
        "toy-factory": Server(
            [str(Path(sys.executable).parent / "toys-server"), "--port", "{port}", "--db", str(db)]
        ),
        "reference": Server(
            [sys.executable, "-m", "benchmarks.reference_server", str(db), "{port}"]
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--toys", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        template = directory / "template.db"
        ids = fill_sync(str(template), args.toys)
        bodies = _bodies(directory, ids)
        results: dict[tuple[str, str], list[dict[str, float]]] = {}
        averages = [loadavg()]
        for round_number in range(args.rounds):
            for kind in ("toy-factory", "reference"):
                db = directory / f"{kind}-{round_number}.db"
                shutil.copy(template, db)
                server = _servers(db)[kind]
                server.start()
                try:
                    for name, (method, in_flight) in WORK.items():
                        before = server.cpu_seconds()
                        result = load(server.address, method, in_flight, args.seconds, bodies[name])
                        result["cpu_us"] = (server.cpu_seconds() - before) / result["calls"] * 1e6
                        results.setdefault((kind, name), []).append(result)
                finally:
                    server.stop()
            averages.append(loadavg())
    _print(results, averages)


def _print(results: dict[tuple[str, str], list[dict[str, float]]], averages: list[str]) -> None:
    def median(kind: str, name: str, key: str) -> float:
        return statistics.median(r[key] for r in results[(kind, name)])

    print(
        f"\n{'work':16} {'ours req/s':>10} {'ref req/s':>10} {'ratio':>6} "
        f"{'ours p99':>9} {'ref p99':>9} {'ours CPU/call':>14} {'ref CPU/call':>13}"
    )
    for name in WORK:
        ours, ref = median("toy-factory", name, "rps"), median("reference", name, "rps")
        p99 = [median(kind, name, "p99_ms") for kind in ("toy-factory", "reference")]
        cpu = [median(kind, name, "cpu_us") for kind in ("toy-factory", "reference")]
        print(
            f"{name:16} {ours:10.0f} {ref:10.0f} {ours / ref:6.2f} "
            f"{p99[0]:7.2f}ms {p99[1]:7.2f}ms {cpu[0]:11.0f} µs {cpu[1]:10.0f} µs"
        )
    errors = sum(r["errors"] for rs in results.values() for r in rs)
    print(f"errors: {errors}; load average (1, 5, 15 min) before and after each round: {averages}")


if __name__ == "__main__":
    main()
