"""The HTTP port's Connect path against the gRPC port's, on the same server.

One toys-server with --http-port, pinned to one core, on a database of 1,000 toys; the load
pinned to the other core. GetToy of one toy, with the same number of calls in flight each way:
- gRPC: benchmarks.load_client (grpcio's C core, raw bytes) on one HTTP/2 connection;
- Connect binary and Connect JSON: h2load --h1 (nghttp2's C client) over that many HTTP/1.1
  keep-alive connections, one request at a time on each, as an HTTP/1.1 client does.
Rounds alternate the order of the three. Figures are printed, never asserted.

    poetry run python -m benchmarks.connect_compare --rounds 5 --seconds 5
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.harness import LOAD_CPU, SERVER_CPU, Server, cores_for, fill_sync, free_port, load
from toys._generated.pb2.toys.v1 import toys_pb2 as pb2

_RPS = re.compile(r"finished in [\d.]+\w+, (?P<rps>[\d.]+) req/s")
_REQUESTS = re.compile(
    r"requests: \d+ total, \d+ started, \d+ done, (?P<ok>\d+) succeeded, (?P<failed>\d+) failed"
)
_STATUS = re.compile(r"status codes: \d+ 2xx, \d+ 3xx, (?P<client>\d+) 4xx, (?P<server>\d+) 5xx")
_MEAN = re.compile(r"time for request:\s+\S+\s+\S+\s+(?P<mean>\S+)")


def _ms(text: str) -> float:
    value = float(re.sub(r"[a-z]+$", "", text))
    return (
        value / 1000
        if text.endswith("us")
        else value * 1000
        if text.endswith("s") and not text.endswith("ms")
        else value
    )


def h2load(
    url: str, body: Path, content_type: str, in_flight: int, seconds: float
) -> dict[str, float]:
    """h2load over HTTP/1.1 keep-alive connections, on the load core."""
    _, load_cores = cores_for(SERVER_CPU, LOAD_CPU)
    done = subprocess.run(
        [
            "h2load", "--h1", "-c", str(in_flight), "-m", "1", "-t", "1",
            "-D", str(int(seconds)), "-d", str(body), "-H", f"content-type: {content_type}", url,
        ],
        capture_output=True, text=True, check=True, timeout=seconds + 60,
        preexec_fn=lambda: os.sched_setaffinity(0, load_cores),
    )  # fmt: skip
    out = done.stdout
    rps, requests = _RPS.search(out), _REQUESTS.search(out)
    status, mean = _STATUS.search(out), _MEAN.search(out)
    if not (rps and requests and status and mean):
        raise RuntimeError(f"cannot read h2load's report:\n{out}")
    return {
        "rps": float(rps["rps"]),
        "errors": float(requests["failed"]) + float(status["client"]) + float(status["server"]),
        "mean_ms": _ms(mean["mean"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--in-flight", type=int, default=16)
    args = parser.parse_args()
    if shutil.which("h2load") is None:
        sys.exit("h2load is not installed (Debian: nghttp2-client)")
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        db = directory / "toys.db"
        [toy_id, *_] = fill_sync(str(db), 1000)
        request = pb2.GetToyRequest(id=toy_id)
        grpc_bodies = directory / "get.bodies"
        grpc_bodies.write_text(request.SerializeToString().hex())
        binary = directory / "get.bin"
        binary.write_bytes(request.SerializeToString())
        text = directory / "get.json"
        text.write_text(json.dumps({"id": toy_id}))
        http_port = free_port()
        server = Server(
            [
                str(Path(sys.executable).parent / "toys-server"),
                "--port", "{port}", "--http-port", str(http_port), "--db", str(db),
            ]
        ).start()  # fmt: skip
        url = f"http://127.0.0.1:{http_port}/toys.v1.ToyService/GetToy"
        n, seconds = args.in_flight, args.seconds
        ways = {
            "gRPC": lambda: load(server.address, "GetToy", n, seconds, grpc_bodies),
            "Connect binary": lambda: h2load(url, binary, "application/proto", n, seconds),
            "Connect JSON": lambda: h2load(url, text, "application/json", n, seconds),
        }
        results: dict[str, list[dict[str, float]]] = {name: [] for name in ways}
        try:
            for round_number in range(args.rounds):
                names = list(ways)
                names = names[round_number % 3 :] + names[: round_number % 3]
                for name in names:
                    before = server.cpu_seconds()
                    result = ways[name]()
                    calls = result.get("calls") or result["rps"] * args.seconds
                    result["cpu_us"] = (server.cpu_seconds() - before) / calls * 1e6
                    results[name].append(result)
        finally:
            server.stop()
    base = statistics.median(r["rps"] for r in results["gRPC"])
    rounds = f"medians of {args.rounds} rounds of {args.seconds:g} s"
    print(f"\nGetToy, {args.in_flight} in flight, {rounds}")
    print(f"{'path':16} {'req/s':>9} {'vs gRPC':>8} {'CPU/call':>10} {'errors':>7}")
    for name, runs in results.items():
        rps = statistics.median(r["rps"] for r in runs)
        cpu = statistics.median(r["cpu_us"] for r in runs)
        errors = sum(r["errors"] for r in runs)
        print(f"{name:16} {rps:9.0f} {rps / base:8.2f} {cpu:7.0f} µs {errors:7.0f}")


if __name__ == "__main__":
    main()
