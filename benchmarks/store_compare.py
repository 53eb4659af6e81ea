"""toys-server on PostgreSQL against toys-server on SQLite: the same work, one server at a time.

A throwaway PostgreSQL (the machine's binaries, as the tests start it) runs unpinned beside
the server; both stores start with the same 1,000 toys (`toys-server copy`), and each keeps
its database across the interleaved rounds (benchmarks.compare). Ratios: PostgreSQL / SQLite,
for the server as it ships (reads from memory, kept current by the change feed) and for one
that reads the database on every call (TOYS_READ_CACHE_MAX_TOYS=0).

    poetry run python -m benchmarks.store_compare --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.compare import print_table, request_bodies, run_rounds
from benchmarks.harness import Server, fill
from tests.postgres_server import PostgresServer, create_database

TOYS_SERVER = str(Path(sys.executable).parent / "toys-server")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4.0)
    args = parser.parse_args()
    postgres = PostgresServer().initdb().start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            directory = Path(tmp)
            sqlite = str(directory / "toys.db")
            dsn = asyncio.run(create_database(postgres.dsn()))
            ids = asyncio.run(fill(sqlite, 1000))
            subprocess.run([TOYS_SERVER, "copy", "--from", sqlite, "--to", dsn], check=True)
            servers = {
                "postgresql": lambda _: Server([TOYS_SERVER, "--port", "{port}", "--db", dsn]),
                "postgresql-db-reads": lambda _: Server(
                    [TOYS_SERVER, "--port", "{port}", "--db", dsn],
                    env={"TOYS_READ_CACHE_MAX_TOYS": "0"},
                ),
                "sqlite": lambda _: Server([TOYS_SERVER, "--port", "{port}", "--db", sqlite]),
            }
            results, averages = run_rounds(
                servers, request_bodies(directory, ids), args.rounds, args.seconds
            )
    finally:
        postgres.stop()
        postgres.remove()
    print_table(results, averages, "postgresql", "sqlite")
    print_table(results, averages, "postgresql-db-reads", "sqlite")


if __name__ == "__main__":
    main()
