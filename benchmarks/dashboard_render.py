"""How fast the dashboard shows a factory floor of toys, in Debian's chromium.

A toys-server (pinned to one core) on a floor of N toys (benchmarks.floor); headless chromium
(on the other core) opens `/` and the page follows WatchToys from its snapshot. Per load:
the time to the first screenful of rows drawn, and to the whole floor counted and live
(SYNCED), from navigation start, as the page itself marks them (performance.mark; a
Playwright selector wait would add its own polling delay). Medians of several loads, beside
the same page on a floor of 100 toys as the baseline.

    poetry run python -m benchmarks.dashboard_render --toys 10000 --loads 5
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from benchmarks.floor import fill_floor_sync
from benchmarks.harness import LOAD_CPU, SERVER_CPU, Server, cores_for, free_port, loadavg

# A selector, not a function: the page's Content-Security-Policy forbids evaluating strings.
LIVE = '#connection[data-state="live"]'
MARK = "performance.getEntriesByName('{}')[0].startTime"


def measure(url: str, toys: int, loads: int) -> list[tuple[float, float]]:
    chromium = shutil.which("chromium") or sys.exit("chromium is not installed")
    _, load_cores = cores_for(SERVER_CPU, LOAD_CPU)
    os.sched_setaffinity(0, load_cores)  # the browser's processes inherit it
    found = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for _ in range(loads + 1):  # the first load warms the browser's caches: not counted
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(url, wait_until="commit")
            page.wait_for_selector(LIVE, timeout=60_000)
            first = page.evaluate(MARK.format("toys:first-rows"))
            live = page.evaluate(MARK.format("toys:live"))
            shown = page.inner_text("#shown")
            if f"of {toys:,}" not in shown:
                raise RuntimeError(f"expected {toys} toys, the page says {shown!r}")
            found.append((first / 1000, live / 1000))
            page.close()
        browser.close()
    return found[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--toys", type=int, default=10_000)
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args()
    print(f"load average at start: {loadavg()}")
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for count in (100, args.toys):
            db = str(Path(tmp) / f"floor-{count}.db")
            fill_floor_sync(db, count)
            http_port = free_port()
            toys_server = str(Path(sys.executable).parent / "toys-server")
            server = Server(
                [toys_server, "--port", "{port}", "--http-port", str(http_port), "--db", db]
            ).start()
            try:
                rows[count] = measure(f"http://127.0.0.1:{http_port}/", count, args.loads)
            finally:
                server.stop()
    print(f"load average at end: {loadavg()}\n")
    print(f"| toys | first rows on screen | all counted, live | (medians of {args.loads} loads)")
    print("|---|---|---|")
    base_first = statistics.median(first for first, _ in rows[100])
    base_live = statistics.median(live for _, live in rows[100])
    for count, found in rows.items():
        first = statistics.median(f for f, _ in found)
        live = statistics.median(live for _, live in found)
        print(
            f"| {count:,} | {first * 1000:.0f} ms ({first / base_first:.2f}x) "
            f"| {live * 1000:.0f} ms ({live / base_live:.2f}x) |"
        )


if __name__ == "__main__":
    main()
