"""The Content-Security-Policy, as a browser applies it: the API docs and the admin's sign-in page
work under it, and the browser reports no violation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from tests.browser import chromium_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium_browser() as chromium:
        yield chromium


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
