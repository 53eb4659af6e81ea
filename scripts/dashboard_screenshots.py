"""The README's pictures of the dashboard: a server on a made-up floor of 400 toys
(benchmarks.floor), the list and one toy's page, taken with Debian's chromium.

    poetry run python -m scripts.dashboard_screenshots      # writes docs/dashboard*.png
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from benchmarks.floor import fill_floor_sync

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> int:
    chromium = shutil.which("chromium")
    if chromium is None:
        print("chromium is not installed (Debian: apt install chromium)", file=sys.stderr)
        return 1
    DOCS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "floor.db")
        fill_floor_sync(db, 400)
        port, http_port = _free_port(), _free_port()
        toys_server = Path(sys.executable).parent / "toys-server"
        server = subprocess.Popen(
            [toys_server, "--port", str(port), "--http-port", str(http_port), "--db", db],
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 20
            while (
                socket.socket().connect_ex(("127.0.0.1", http_port)) and time.monotonic() < deadline
            ):
                time.sleep(0.1)  # the server starting, outside any measurement
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=chromium, args=["--no-sandbox"]
                )
                page = browser.new_page(viewport={"width": 1280, "height": 720})
                page.goto(f"http://127.0.0.1:{http_port}/")
                page.wait_for_selector('#connection[data-state="live"]')
                page.wait_for_selector("#chart svg")
                page.screenshot(path=str(DOCS / "dashboard.png"))
                page.get_by_label("Status", exact=True).select_option("FAILED")
                page.locator("tr.toy a").first.click()
                page.wait_for_selector("#history-rows tr")
                page.screenshot(path=str(DOCS / "dashboard-toy.png"))
                browser.close()
        finally:
            server.terminate()
            server.wait(20)
    print(f"wrote {DOCS / 'dashboard.png'} and {DOCS / 'dashboard-toy.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
