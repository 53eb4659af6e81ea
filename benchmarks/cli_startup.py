"""How fast toyctl answers, against `python -c pass` run side by side.

A real toys-server (SQLite, 10 toys) answers `toyctl get ID` and `toyctl list`; `toyctl --help`
needs no server. The commands run alternately so that machine noise hits them alike, with
stdout into a pipe (as in a script), after compiling every module to bytecode once (a fresh
install does it; without it the first run of each command pays for compiling). The table
shows medians and each one's ratio to `python -c pass`.

    poetry run python -m benchmarks.cli_startup --runs 30
"""

from __future__ import annotations

import argparse
import compileall
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from benchmarks.harness import Server, fill_sync

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent


def compile_bytecode() -> None:
    for directory in (sysconfig.get_paths()["purelib"], ROOT / "toys", ROOT / "cli"):
        compileall.compile_dir(directory, quiet=2, workers=0)


def time_once(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def measure(runs: int, commands: dict[str, list[str]]) -> dict[str, float]:
    """Median seconds per command, over `runs` interleaved rounds after one warm-up."""
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for command in commands.values():
        time_once(command)
    for _ in range(runs):
        for name, command in commands.items():
            samples[name].append(time_once(command))
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    compile_bytecode()
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "toys.db")
        ids = fill_sync(db, 10)
        server = Server([str(BIN / "toys-server"), "--port", "{port}", "--db", db]).start()
        try:
            toyctl = [str(BIN / "toyctl"), "--server", server.address]
            medians = measure(
                args.runs,
                {
                    "python -c pass": [sys.executable, "-c", "pass"],
                    "toyctl --help": [str(BIN / "toyctl"), "--help"],
                    "toyctl get ID": [*toyctl, "get", ids[0]],
                    "toyctl list (10 toys)": [*toyctl, "list"],
                },
            )
        finally:
            server.stop()
    baseline = medians["python -c pass"]
    for name, median in medians.items():
        print(f"{name:24} median {median * 1000:7.1f} ms  {median / baseline:6.2f}x python -c pass")


if __name__ == "__main__":
    main()
