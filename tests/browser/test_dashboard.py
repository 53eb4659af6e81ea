"""The dashboard in a real browser against a real server: it asks for a token, lists the
toys, follows changes live, filters and searches, shows a hostile name as text, shows a toy's
run history, and picks up again after the server restarts."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from playwright.sync_api import Browser, Dialog, Locator, Page, expect

from tests.access import TOKENS
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.e2e.test_toyctl import toyctl
from tests.support import ROOT, ServerProcess
from toys.auth.roles import Role

# One worker runs them one after another, with one browser (tests/browser/conftest.py).
pytestmark = pytest.mark.xdist_group("browser")

SAMPLES = ROOT / "argo_samples"
SAMPLE_TOY_ID = "3f6d2a1c-8b7e-4c5d-9a0f-1e2d3c4b5a69"


def make(server: ServerProcess, name: str) -> str:
    made = toyctl(
        server, "manufacture", "--name", name, "--designer", "Ada", "-o", "name",
        env={"TOYCTL_TOKEN": TOKENS[Role.WRITER]},
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    return made.stdout.strip()


def report(server: ServerProcess, toy_id: str, sample: str) -> dict[str, object]:
    """An Argo callback for `toy_id`, from a sample, over the HTTP port."""
    body = (SAMPLES / sample).read_text().replace(SAMPLE_TOY_ID, toy_id)
    sent = httpx.post(
        f"{server.http_url}/argo/v1/callbacks",
        content=body.encode(),
        headers={"authorization": f"Bearer {TOKENS[Role.CALLBACK]}"},
    )
    assert sent.status_code == 200, sent.text
    answer: dict[str, object] = sent.json()
    return answer


def row(page: Page, toy_id: str) -> Locator:
    return page.locator(f'tr.toy[data-id="{toy_id}"]')


def test_without_a_token_the_page_asks_and_the_api_answers_401(
    page: Page, server: ServerProcess, allowed_errors: list[str]
) -> None:
    allowed_errors.append("status of 401")
    page.goto(server.http_url)
    expect(page.get_by_role("heading", name="A token, please")).to_be_visible()
    expect(page.get_by_label("Reader token")).to_be_focused()
    refused = httpx.post(
        f"{server.http_url}/toys.v1.ToyService/ListToys",
        json={},
        headers={"content-type": "application/json"},
    )
    assert (refused.status_code, refused.json()["code"]) == (401, "unauthenticated")


def test_with_a_reader_token_the_page_lists_the_toys(
    page: Page, server: ServerProcess, allowed_errors: list[str]
) -> None:
    toy_id = make(server, "Listed Kite")
    sign_in(page, server, allowed_errors)
    expect(page.locator("#connection")).to_have_text("Live")
    expect(row(page, toy_id).get_by_role("link")).to_have_text("Listed Kite")
    expect(row(page, toy_id)).to_contain_text("Pending")
    expect(row(page, toy_id)).to_contain_text("Ada")
    assert page.evaluate("sessionStorage.getItem('toys.token')") == TOKENS[Role.READER]
    assert page.evaluate("document.cookie") == ""


def test_a_callback_turns_its_row_succeeded_within_a_second(
    page: Page, server: ServerProcess, allowed_errors: list[str]
) -> None:
    toy_id = make(server, "Live Car")
    sign_in(page, server, allowed_errors)
    expect(row(page, toy_id)).to_contain_text("Pending")
    report(server, toy_id, "callback-running.yaml")
    expect(row(page, toy_id)).to_contain_text("Running", timeout=1000)
    sent = time.monotonic()
    report(server, toy_id, "callback-succeeded.yaml")
    expect(row(page, toy_id)).to_contain_text("Succeeded", timeout=1000)
    assert time.monotonic() - sent < 1.0
    expect(row(page, toy_id).locator("td.num")).to_have_text("25")


def test_the_status_filter_and_the_search_narrow_the_list(
    page: Page, server: ServerProcess, allowed_errors: list[str]
) -> None:
    done = make(server, "Filtered Done")
    report(server, done, "callback-succeeded.yaml")
    waiting = make(server, "Filtered Waiting")
    sign_in(page, server, allowed_errors)
    expect(row(page, waiting)).to_be_visible()
    page.get_by_label("Status", exact=True).select_option("SUCCEEDED")
    expect(row(page, done)).to_be_visible()
    expect(row(page, waiting)).to_have_count(0)
    page.get_by_label("Status", exact=True).select_option("")
    page.get_by_label("Search").fill("filtered wait")
    expect(row(page, waiting)).to_be_visible()
    expect(row(page, done)).to_have_count(0)
    expect(page.locator("tr.toy")).to_have_count(1)


def test_a_hostile_name_is_shown_as_text_and_runs_nothing(
    page: Page, server: ServerProcess, allowed_errors: list[str]
) -> None:
    hostile = "<img src=x onerror=alert(1)><script>alert(2)</script>"
    toy_id = make(server, hostile)
    dialogs: list[str] = []

    def refuse(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", refuse)
    sign_in(page, server, allowed_errors)
    expect(row(page, toy_id).get_by_role("link")).to_have_text(hostile)
    assert page.locator("#toy-rows img, #toy-rows script").count() == 0
    row(page, toy_id).get_by_role("link").click()
    expect(page.locator("#toy-title")).to_contain_text(hostile)
    assert page.locator("main img, main script").count() == 0
    assert dialogs == []


def test_a_toys_page_shows_its_fields_and_run_history(
    page: Page, server: ServerProcess, allowed_errors: list[str]
) -> None:
    toy_id = make(server, "History Plane")
    report(server, toy_id, "callback-running.yaml")
    report(server, toy_id, "callback-succeeded.yaml")
    report(server, toy_id, "callback-failed.yaml")
    sign_in(page, server, allowed_errors, f"/toys/{toy_id}")
    expect(page.locator("#toy-title")).to_contain_text("History Plane")
    expect(page.locator("#toy-fields")).to_contain_text(toy_id)
    history = page.locator("#history-rows tr")
    expect(history).to_have_count(4)  # created, running, succeeded, failed
    expect(history.first).to_contain_text("Failed")
    expect(history.first).to_contain_text("exit code 3")
    expect(history.last).to_contain_text("(created)")
    expect(page.get_by_role("link", name=page.url)).to_be_visible()
    expect(page.locator("#connection")).to_have_text("Live")  # the watch got the token too


def test_the_page_resumes_after_the_server_restarts(
    page: Page, browser_server: ServerProcess, allowed_errors: list[str]
) -> None:
    """The watch resumes with its token: a toy made while the page was away shows up."""
    # The browser logs the watch cut short and the refused reconnections.
    allowed_errors += ["ERR_CONNECTION_REFUSED", "ERR_INCOMPLETE_CHUNKED_ENCODING"]
    before = make(browser_server, "Before Restart")
    sign_in(page, browser_server, allowed_errors)
    expect(row(page, before)).to_be_visible()
    assert browser_server.stop() == 0
    expect(page.locator("#connection")).not_to_have_text("Live")
    browser_server.start()
    after = make(browser_server, "After Restart")
    expect(row(page, after)).to_be_visible(timeout=15_000)
    expect(page.locator("#connection")).to_have_text("Live")
    expect(row(page, before)).to_be_visible()
    assert json.loads(page.evaluate("JSON.stringify(document.title)")) == "toy-factory"


def test_the_keyboard_reaches_search_and_a_toys_page(
    page: Page, server: ServerProcess, allowed_errors: list[str]
) -> None:
    toy_id = make(server, "Keyboard Yo-yo")
    sign_in(page, server, allowed_errors)
    expect(row(page, toy_id)).to_be_visible()
    page.locator("body").press("/")
    expect(page.get_by_label("Search")).to_be_focused()
    page.keyboard.type("keyboard yo")
    expect(page.locator("tr.toy")).to_have_count(1)
    row(page, toy_id).get_by_role("link").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{server.http_url}/toys/{toy_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Keyboard Yo-yo")


def test_a_phone_in_the_dark_gets_a_dark_page_that_fits(
    browser: Browser, server: ServerProcess, allowed_errors: list[str]
) -> None:
    toy_id = make(server, "Pocket Robot")
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, color_scheme="dark", is_mobile=True
    )
    phone = context.new_page()
    try:
        sign_in(phone, server, allowed_errors)
        expect(row(phone, toy_id)).to_be_visible()
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width} px wide on a 390 px screen"
        background = phone.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(20, 22, 26)"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        phone.screenshot(path=str(ARTIFACTS / "phone-dark.png"))
    finally:
        context.close()
