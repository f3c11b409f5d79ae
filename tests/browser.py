"""One headless chromium per test module, for the browser tier (Debian's chromium, no download)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from playwright.sync_api import Browser, sync_playwright

# Without the background-networking flags chromium keeps trying the closed network at start.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextlib.contextmanager
def chromium_browser() -> Iterator[Browser]:
    """Playwright's sync API keeps an event loop running in the test thread while it is started, and
    Django refuses ORM calls next to a running loop unless DJANGO_ALLOW_ASYNC_UNSAFE is set. The
    calls browser tests make are plain synchronous ones, so the variable is set, but only for as
    long as the loop lives: later tests (and the processes they start) never see either."""
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
