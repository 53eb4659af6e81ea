"""How long `toys-server copy` and `backup` take on 100,000 toys, as a user runs them.

A SQLite file of `--toys` toys (half with a finished run) is copied to a throwaway PostgreSQL
(the machine's binaries, as the tests start it), back to a new SQLite file, and backed up; each
command runs as a subprocess and is timed whole, start-up included. The baseline beside them is
what copying the same file takes (`cp`), the least any copy of the data can cost.

    poetry run python -m benchmarks.admin_speed --toys 100000
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.harness import loadavg
from benchmarks.paging_memory import fill
from tests.postgres_server import PostgresServer, create_database

TOYS_SERVER = str(Path(sys.executable).parent / "toys-server")


def timed(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([TOYS_SERVER, *args], check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--toys", type=int, default=100_000)
    args = parser.parse_args()
    print(f"load average at start: {loadavg()}")
    postgres = PostgresServer().initdb().start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            directory = Path(tmp)
            source = directory / "toys.db"
            asyncio.run(fill(str(source), args.toys))
            dsn = asyncio.run(create_database(postgres.dsn()))
            started = time.perf_counter()
            shutil.copyfile(source, directory / "plain-copy.db")
            baseline = time.perf_counter() - started
            rows = [
                ("copy SQLite → PostgreSQL", timed("copy", "--from", str(source), "--to", dsn)),
                (
                    "copy PostgreSQL → SQLite",
                    timed("copy", "--from", dsn, "--to", str(directory / "back.db")),
                ),
                (
                    "backup (SQLite online backup, checked)",
                    timed("backup", "--db", str(source), "--to", str(directory / "backup.db")),
                ),
            ]
    finally:
        postgres.stop()
        postgres.remove()
    print(f"load average at end: {loadavg()}\n")
    print(f"| {args.toys:,} toys | seconds | times a cp of the file ({baseline:.2f} s) |")
    print("|---|---|---|")
    for what, seconds in rows:
        print(f"| {what} | {seconds:.2f} | {seconds / baseline:.0f} |")


if __name__ == "__main__":
    main()
