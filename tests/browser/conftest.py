"""A real browser for the dashboard's tests: Debian's chromium, headless, driven by
Playwright (its own browser download cannot reach this network; the system's is used).
Each test's page is saved as a screenshot under test-artifacts/browser/."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.access import TOKENS, write_access_file
from tests.support import ROOT, ServerProcess, skip_or_fail
from toys.auth.roles import Role

ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM_VARIABLE = "TOYS_CHROMIUM"


def _chromium() -> str:
    candidates = (os.environ.get(CHROMIUM_VARIABLE), "chromium", "chromium-browser")
    found = [path for name in candidates if name and (path := shutil.which(name))]
    if not found:
        skip_or_fail("chromium is not installed (Debian: apt install chromium)")
    return found[0]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One chromium per module. Not longer: while Playwright's sync API runs, its event loop
    is this thread's running loop, and the async tests that follow could not start theirs
    (the module's tests run together: `--dist loadgroup` and their xdist_group)."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=_chromium(), args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield launched
        launched.close()


@pytest.fixture
def allowed_errors() -> list[str]:
    """Parts of console errors a test expects (the browser logs each refused request)."""
    return []


@pytest.fixture
def page(
    browser: Browser, request: pytest.FixtureRequest, allowed_errors: list[str]
) -> Iterator[Page]:
    """A fresh tab (its own sessionStorage) at 1280x720; its last look saved after the test.
    Console errors (a Content-Security-Policy refusal among them) fail the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    opened.on("pageerror", lambda e: errors.append(str(e)))
    try:
        yield opened
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        opened.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"))
        context.close()
    unexpected = [e for e in errors if not any(part in e for part in allowed_errors)]
    assert not unexpected, unexpected


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server whose access file knows a token per role, with its HTTP port."""
    directory = tmp_path_factory.mktemp("dashboard")
    access = write_access_file(directory / "access")
    proc = ServerProcess(
        db=directory / "toys.db",
        http_port=0,
        extra_env={"TOYS_ACCESS_FILE": str(access)},
    ).start()
    try:
        yield proc
    finally:
        proc.kill()


def sign_in(page: Page, server: ServerProcess, allowed: list[str], path: str = "/") -> None:
    """Open the dashboard and give it the reader token it asks for (its calls before it had
    one were answered 401, which the browser logs)."""
    allowed.append("status of 401")
    page.goto(server.http_url + path)
    page.get_by_label("Reader token").fill(TOKENS[Role.READER])
    page.get_by_role("button", name="Show the toys").click()


@pytest.fixture
def browser_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A server of the test's own, which the test may stop and start again."""
    access = write_access_file(tmp_path / "access")
    proc = ServerProcess(
        db=tmp_path / "toys.db", http_port=0, extra_env={"TOYS_ACCESS_FILE": str(access)}
    ).start()
    try:
        yield proc
    finally:
        proc.kill()
