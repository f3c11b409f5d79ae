"""The Content-Security-Policy, as a browser applies it: the API docs and the admin's sign-in page
work under it, and the browser reports no violation."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run next to
    # one unless told to, and only for as long as the loop lives.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _console_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return errors


def test_the_api_docs_render_under_the_policy(browser, live_server):
    page = browser.new_page()
    errors = _console_errors(page)
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
    assert "Claim Workbench API" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector(".opblock", timeout=15_000)
    assert not [error for error in errors if "Content Security Policy" in error], errors


def test_the_admin_sign_in_page_works_under_the_policy(browser, live_server):
    page = browser.new_page()
    errors = _console_errors(page)
    page.goto(f"{live_server.url}/admin/login/")
    assert page.is_visible("input[name=username]")
    assert not [error for error in errors if "Content Security Policy" in error], errors
