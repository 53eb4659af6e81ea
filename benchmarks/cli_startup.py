"""How fast `toyctl --help` starts, against `python -c pass` run side by side.

Runs the two commands alternately so that machine noise hits both alike, and prints the
medians and their ratio. Also times `toyctl get` against a missing server address, which has
to import the gRPC stack, to show what the lazy imports save.

    python -m benchmarks.cli_startup --runs 30
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

TOYCTL = str(Path(sys.executable).parent / "toyctl")

COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "toyctl --help": [TOYCTL, "--help"],
    "toyctl get (imports grpc)": [TOYCTL, "--server", "127.0.0.1:1", "get", "x"],
}


def time_once(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    samples: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for name, command in COMMANDS.items():  # warm the file cache once
        time_once(command)
        _ = name
    for _ in range(args.runs):
        for name, command in COMMANDS.items():
            samples[name].append(time_once(command))
    baseline = statistics.median(samples["python -c pass"])
    for name, values in samples.items():
        median = statistics.median(values)
        print(
            f"{name:28} median {median * 1000:7.1f} ms   {median / baseline:5.2f}x python -c pass"
        )


if __name__ == "__main__":
    main()
