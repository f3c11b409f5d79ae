"""A person at the workbench, as a browser test drives them: every click, key press and typed text
counts as one action, and every page the browser loads (a full load or an htmx-boosted one) is counted."""

from __future__ import annotations

from dataclasses import dataclass, field

from playwright.sync_api import Locator, Page, Request


@dataclass
class Person:
    page: Page
    actions: list[str] = field(default_factory=list)
    loaded: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("request", self._count_load)

    def _count_load(self, request: Request) -> None:
        boosted = request.headers.get("hx-boosted") == "true"
        if request.resource_type == "document" or boosted:
            self.loaded.append(f"{request.method} {request.url.split('/', 3)[-1]}")

    @property
    def page_loads(self) -> int:
        return len(self.loaded)

    def summary(self, name: str) -> str:
        actions = ", ".join(self.actions)
        return f"{name}: {len(self.actions)} actions ({actions}), {self.page_loads} page loads {self.loaded}"

    def reset(self) -> None:
        """Signing in is not part of the work being measured."""
        self.actions.clear()
        self.loaded.clear()

    def press(self, key: str) -> None:
        self.actions.append(f"key {key}")
        self.page.keyboard.press(key)

    def click(self, target: Locator) -> None:
        self.actions.append("click")
        target.click()

    def type_text(self, target: Locator, text: str) -> None:
        """Typing one text into one field is one action, however long the text."""
        self.actions.append("type")
        target.fill(text)

    def press_until_focused(self, key: str, text: str, *, limit: int = 30) -> None:
        """Press ``key`` (j) until the focused list item contains ``text``, as a person scanning a list would."""
        for _ in range(limit):
            self.press(key)
            if text in (self.page.evaluate("document.activeElement.textContent") or ""):
                return
        raise AssertionError(f"no list item containing {text!r}")
