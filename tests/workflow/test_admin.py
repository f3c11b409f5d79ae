import json

import pytest
from django.urls import reverse
from django.utils.html import escape

from claims.models import Article, Claim
from claims.services import review
from tests.api.conftest import publish_claim
from tests.factories import ClaimFactory, EvidenceFactory, SourcePassageFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGES = ["claim", "article", "source", "evidence", "verdict", "rating", "suggestion", "finding"]


@pytest.fixture
def staff(db):
    def make(role):
        return UserFactory(username=f"staff_{role}", roles=[role], is_staff=True)

    return make


@pytest.fixture
def some_data(reviewer):
    claim = ClaimFactory()
    EvidenceFactory(claim=claim)
    SourcePassageFactory()
    return claim


@pytest.mark.parametrize("role", ["reviewer", "editor", "admin"])
@pytest.mark.parametrize("model", PAGES)
def test_admin_list_pages_render_for_each_role(client, staff, some_data, role, model):
    client.force_login(staff(role))
    response = client.get(reverse(f"admin:claims_{model}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("role", ["reviewer", "editor", "admin"])
def test_the_claim_page_renders_with_its_inlines(client, staff, some_data, role):
    client.force_login(staff(role))
    response = client.get(reverse("admin:claims_claim_change", args=[some_data.pk]))
    assert response.status_code == 200
    assert some_data.text in response.content.decode()


def test_the_take_action_asks_for_confirmation_then_goes_through_the_lease_service(client, staff, some_data):
    user = staff("reviewer")
    client.force_login(user)
    asked = client.post(
        reverse("admin:claims_claim_changelist"), {"action": "take_claims", "_selected_action": [some_data.pk]}
    )
    assert asked.status_code == 200
    page = asked.content.decode()
    assert "Yes, take these claims (assign them to you)" in page and some_data.text[:60] in page
    assert Claim.objects.get(pk=some_data.pk).assignee is None
    response = client.post(
        reverse("admin:claims_claim_changelist"),
        {"action": "take_claims", "_selected_action": [some_data.pk], "confirmed": "yes"},
        follow=True,
    )
    assert response.status_code == 200
    assert Claim.objects.get(pk=some_data.pk).assignee == user


def test_the_publish_action_refuses_a_claim_without_an_approved_verdict(client, staff, some_data):
    client.force_login(staff("editor"))
    response = client.post(
        reverse("admin:claims_claim_changelist"),
        {"action": "publish_verdicts", "_selected_action": [some_data.pk], "confirmed": "yes"},
        follow=True,
    )
    assert "This claim has no verdict yet" in response.content.decode()
    assert Claim.objects.get(pk=some_data.pk).status == "new"


def test_a_user_without_staff_status_cannot_open_the_admin(client, outsider, some_data):
    client.force_login(outsider)
    response = client.get(reverse("admin:claims_claim_changelist"))
    assert response.status_code == 302


def test_the_filters_and_search_work_on_the_claim_list(client, staff, some_data):
    user = staff("reviewer")
    taken = review.review_take_next(user=user)
    client.force_login(user)
    url = reverse("admin:claims_claim_changelist")
    found = client.get(url, {"status__exact": "in_review", "score": "high", "q": "percent"})
    assert found.status_code == 200
    assert taken.text[:100] in found.content.decode()
    missed = client.get(url, {"status__exact": "dismissed", "q": "percent"})
    assert taken.text[:100] not in missed.content.decode()


ARTICLE_TEXT = (
    "The unemployment rate fell to 3.9 percent in March, the statistics office said on Friday. "
    "Prime Minister Jane Doe said the government would cut taxes by 2 percent next year."
)


def _ingest(client, **fields):
    data = {"body": "", "url": "", "title": "", "outlet": "", "author": "", "published_at": "", **fields}
    return client.post(reverse("admin:claims_article_add"), data, follow=True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_adding_an_article_in_the_admin_ingests_it_once(client, staff, django_capture_on_commit_callbacks):
    client.force_login(staff("reviewer"))
    with django_capture_on_commit_callbacks(execute=True):
        response = _ingest(client, body=ARTICLE_TEXT, title="Jobs", outlet="Wire", published_at="2025-04-04")

    article = Article.objects.get()
    assert response.redirect_chain[-1][0] == reverse("admin:claims_article_change", args=[article.pk])
    page = response.content.decode()
    assert "Stored “Jobs”. Its claims are being extracted" in page
    assert article.outlet == "Wire" and article.published_at.date().isoformat() == "2025-04-04"
    assert article.claims.filter(status="new").count() == 2

    again = _ingest(client, body=ARTICLE_TEXT, title="Jobs, pasted twice")
    assert "This article was already stored as “Jobs”; nothing was added." in again.content.decode()
    assert Article.objects.count() == 1 and Claim.objects.count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_admin_ingest_form_keeps_the_text_of_html_and_refuses_bad_input(client, staff, settings):
    client.force_login(staff("reviewer"))
    html = f"<html><body><nav>Menu</nav><article><p>{ARTICLE_TEXT}</p></article><script>x()</script></body></html>"
    _ingest(client, body=html, title="From HTML")
    assert Article.objects.get().body == ARTICLE_TEXT

    refusals = [
        ({}, "Paste the article, or give its URL and tick"),
        ({"body": "<html><body><script>alert(1)</script></body></html>"}, "no readable text"),
        ({"body": ARTICLE_TEXT + " More.", "url": "https://news.example/x", "fetch": "on"}, "not both"),
        ({"body": "x" * (settings.INGEST_MAX_BYTES + 1)}, "the limit is"),
        ({"body": ARTICLE_TEXT + " Later.", "published_at": "12/05/2025"}, "Enter a valid date"),
    ]
    for fields, message in refusals:
        response = _ingest(client, **fields)
        assert response.status_code == 200
        assert message in response.content.decode(), message
        # What was typed is still there to correct.
        if fields.get("body"):
            assert escape(fields["body"][:40]) in response.content.decode()
    assert Article.objects.count() == 1


def test_a_paste_beyond_the_upload_limit_is_a_bad_request_not_an_error(client, staff, settings):
    client.force_login(staff("reviewer"))
    response = _ingest(client, body="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))
    assert response.status_code == 413
    assert "Request refused: too large" in response.content.decode()
    assert Article.objects.count() == 0


def test_only_reviewers_and_up_may_ingest_in_the_admin(client, db):
    client.force_login(UserFactory(username="staff_without_role", is_staff=True))
    assert _ingest(client, body=ARTICLE_TEXT).status_code == 403
    assert Article.objects.count() == 0


def test_an_articles_body_and_url_cannot_be_edited_but_its_metadata_can(client, staff, some_data):
    client.force_login(staff("editor"))
    article = some_data.article
    body, url = article.body, article.url
    response = client.post(
        reverse("admin:claims_article_change", args=[article.pk]),
        {
            "title": "Corrected title",
            "outlet": article.outlet,
            "author": "",
            "language": "en",
            "published_at_0": "",
            "published_at_1": "",
            "body": "Another text altogether.",
            "url": "https://elsewhere.example/",
            "claims-TOTAL_FORMS": "1",
            "claims-INITIAL_FORMS": "1",
            "claims-MIN_NUM_FORMS": "0",
            "claims-MAX_NUM_FORMS": "1000",
            "claims-0-id": str(some_data.pk),
            "claims-0-article": str(article.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()
    assert article.title == "Corrected title"
    assert (article.body, article.url) == (body, url)


def _claim_form(claim, **changes):
    data = {
        "speaker": claim.speaker,
        "claim_types": list(claim.claim_types),
        "entities": "\n".join(f"{entity['label']}: {entity['text']}" for entity in claim.entities),
        "dates": json.dumps(claim.dates),
        "opened_version": str(claim.version),
        "assignee": "",
        "created_by": "",
    }
    for prefix in ("findings", "evidence", "verdict"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data | changes


def test_a_claims_annotations_can_be_corrected_but_not_its_text(client, staff, some_data):
    client.force_login(staff("reviewer"))
    claim = some_data
    text, version = claim.text, claim.version
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    response = client.post(url, _claim_form(claim, speaker="Jane Doe", text="Something else", start="0", end="5"))

    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.speaker, claim.text, claim.version) == ("Jane Doe", text, version + 1)
    assert claim.history.first().speaker == "Jane Doe"


def test_a_stale_claim_edit_in_the_admin_is_refused_not_saved(client, staff, some_data):
    user = staff("reviewer")
    client.force_login(user)
    claim = some_data
    opened = _claim_form(claim, speaker="Jane Doe")
    review.review_take(user=UserFactory(username="other_reviewer", roles=["reviewer"]), claim_id=claim.pk)

    response = client.post(reverse("admin:claims_claim_change", args=[claim.pk]), opened)
    assert response.status_code == 200
    assert "Someone changed this claim since you opened it" in response.content.decode()
    claim.refresh_from_db()
    assert claim.speaker == ""


def test_claims_are_not_added_by_hand(client, staff, db):
    client.force_login(staff("admin"))
    assert client.get(reverse("admin:claims_claim_add")).status_code == 403


def test_published_claims_export_from_the_claim_list(client, staff, some_data, editor, second_editor):
    publish_claim(some_data, author=editor, approver=second_editor)
    unpublished = ClaimFactory()
    client.force_login(staff("editor"))
    response = client.post(
        reverse("admin:claims_claim_changelist"),
        {"action": "export_csv", "_selected_action": [some_data.pk, unpublished.pk]},
    )
    assert response.status_code == 200
    exported = b"".join(response.streaming_content).decode()
    assert some_data.text in exported and unpublished.text not in exported


def test_types_are_checkboxes_and_entities_lines_and_a_kept_entity_keeps_its_offsets(client, staff, some_data):
    client.force_login(staff("reviewer"))
    claim = some_data
    Claim.objects.filter(pk=claim.pk).update(
        claim_types=["role"], entities=[{"text": "Donald Trump", "label": "PERSON", "start": 19, "end": 31}]
    )
    claim.refresh_from_db()
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    page = client.get(url).content.decode()
    assert 'type="checkbox" name="claim_types" value="role"' in page and "PERSON: Donald Trump" in page
    response = client.post(
        url, _claim_form(claim, claim_types=["role", "quote"], entities="PERSON: Donald Trump\ngpe: Turkey")
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.claim_types == ["role", "quote"]
    assert claim.entities == [
        {"text": "Donald Trump", "label": "PERSON", "start": 19, "end": 31},
        {"text": "Turkey", "label": "GPE"},
    ]
    refused = client.post(url, _claim_form(claim, entities="Donald Trump without a label"))
    assert refused.status_code == 200
    assert "Line 1 is not LABEL: text" in refused.content.decode()
    assert "Donald Trump without a label" in refused.content.decode()
