"""toys-server against a grpcio.aio + protobuf reference on the same proto and SQLite storage.

Each server runs alone, pinned to one core, on its own copy of one database of 1,000 toys; the
load comes from benchmarks.load_client, pinned to the other core, over one HTTP/2 connection.
Rounds alternate between the servers (benchmarks.compare). Two data shapes, each its own
table: toys of which every other one has a run (the reference parses each run's JSON), and
lean toys without runs (nothing to parse either way).

    poetry run python -m benchmarks.grpc_compare --rounds 5 --seconds 5
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from benchmarks.compare import print_table, request_bodies, run_rounds
from benchmarks.harness import Server, fill_sync


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--toys", type=int, default=1000)
    args = parser.parse_args()
    for shape, runs in (("toys with runs", True), ("lean toys, no runs", False)):
        print(f"\n== {shape}")
        compare_on(args, runs=runs)


def compare_on(args: argparse.Namespace, *, runs: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        template = directory / "template.db"
        ids = fill_sync(str(template), args.toys, runs=runs)

        def copy(kind: str, round_number: int) -> str:
            db = directory / f"{kind}-{round_number}.db"
            shutil.copy(template, db)
            return str(db)

        servers = {
            "toy-factory": lambda n: Server(
                [
                    str(Path(sys.executable).parent / "toys-server"),
                    "--port",
                    "{port}",
                    "--db",
                    copy("toy-factory", n),
                ]
            ),
            "reference": lambda n: Server(
                [
                    sys.executable,
                    "-m",
                    "benchmarks.reference_server",
                    copy("reference", n),
                    "{port}",
                ]
            ),
        }
        results, averages = run_rounds(
            servers, request_bodies(directory, ids), args.rounds, args.seconds
        )
    print_table(results, averages, "toy-factory", "reference")


if __name__ == "__main__":
    main()
