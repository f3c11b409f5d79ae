"""The reviewer's and the editor's day through the pages: citing evidence, reusing earlier verdicts,
the editor's desk, hand-offs, the inbox, exports, and forms that keep what was typed when refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claims.choices import ClaimStatus, SuggestionState, SuggestionTarget
from claims.models import Claim, Evidence, Rating, Source, Suggestion, Verdict
from claims.services import verdicts
from claims.services.exports import claim_public_url
from tests.factories import ClaimFactory
from tests.local_site import serving_page
from tests.ui.signed_in import client_for


@pytest.fixture
def taken(reviewer, journey) -> Client:
    client = client_for(reviewer)
    client.post(reverse("claims:take_next"))
    return client


def workspace_html(client: Client, claim: Claim) -> str:
    return client.get(reverse("claims:workspace", args=[claim.pk])).content.decode()


# Citing evidence


def test_the_library_search_finds_sources_by_title_url_and_text(taken, journey, inauguration_source):
    search = reverse("claims:evidence_search", args=[journey.pk])
    by_title = taken.get(search, {"q": "inauguration, January"}).content.decode()
    assert "Presidential inauguration, January 20, 2025" in by_title and "matched on title" in by_title
    by_url = taken.get(search, {"q": "records.example.org/inaug"}).content.decode()
    assert "matched on URL" in by_url
    by_text = taken.get(search, {"q": "sworn in as the 47th President"}).content.decode()
    passage = inauguration_source.passages.get()
    assert f'value="{inauguration_source.pk}:{passage.pk}"' in by_text
    nothing = taken.get(search, {"q": "zzzz qqqq"}).content.decode()
    assert "Nothing in the library matches" in nothing or "matched on" in nothing


def test_it_cites_a_picked_passage_with_its_text_as_excerpt(taken, journey, inauguration_source):
    passage = inauguration_source.passages.get()
    response = taken.post(
        reverse("claims:evidence_add", args=[journey.pk]),
        {"pick": f"{inauguration_source.pk}:{passage.pk}", "stance": "refutes", "excerpt": "", "note": "Official."},
    )
    assert response.status_code == 302
    evidence = journey.evidence.get()
    assert (evidence.passage_id, evidence.excerpt, evidence.stance) == (passage.pk, passage.text, "refutes")


def test_a_refused_evidence_form_keeps_the_excerpt_and_note_and_says_why_at_the_source(taken, journey):
    response = taken.post(
        reverse("claims:evidence_add", args=[journey.pk]),
        {"q": "inauguration", "pick": "", "stance": "refutes", "excerpt": "My careful excerpt", "note": "My note"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "My careful excerpt" in html and "My note" in html and 'value="inauguration"' in html
    assert 'id="evidence-source-error">Search the library and pick a source first.' in html
    assert not Evidence.objects.exists()


def test_a_pick_of_a_source_that_is_gone_is_refused_at_its_field(taken, journey):
    response = taken.post(
        reverse("claims:evidence_add", args=[journey.pk]),
        {"pick": "999999:", "stance": "refutes", "excerpt": "Kept", "note": ""},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Unknown source." in html and "Kept" in html


def test_a_reviewer_cites_a_new_source_by_pasting_its_text(
    taken, journey, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = taken.post(
            reverse("claims:evidence_add_new_source", args=[journey.pk]),
            {
                "new-url": "https://www.whitehouse.example/briefings/inauguration",
                "new-title": "Inaugural address",
                "new-body": "Donald J. Trump took the oath of office as the 47th President on January 20, 2025.",
                "new-kind": "official_record",
                "new-stance": "refutes",
                "new-note": "",
            },
        )
    assert response.status_code == 302
    source = Source.objects.get(url="https://www.whitehouse.example/briefings/inauguration")
    assert source.added_by == reviewer and source.passages.exists()
    assert source.passages.filter(embedding_model__gt="").exists()
    assert journey.evidence.get().source == source


def test_a_reviewer_cites_a_new_source_by_url_and_it_is_fetched_in_the_background(
    taken, journey, settings, django_capture_on_commit_callbacks
):
    settings.INGEST_FETCH_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    page = (
        "<html><head><title>Inauguration day - Example Records</title></head><body><article>"
        "<p>Donald Trump was sworn in as the 47th President of the United States on January 20, 2025, "
        "at the Capitol in Washington.</p></article></body></html>"
    )
    with serving_page(page, path="/inauguration") as url, django_capture_on_commit_callbacks(execute=True):
        response = taken.post(
            reverse("claims:evidence_add_new_source", args=[journey.pk]),
            {"new-url": url, "new-title": "", "new-body": "", "new-kind": "official_record", "new-stance": "refutes"},
        )
    assert response.status_code == 302
    source = Source.objects.get(url=url)
    assert source.title == "Inauguration day"
    assert "sworn in as the 47th President" in source.body
    assert source.passages.exists()
    assert journey.evidence.get().source == source


def test_a_refused_new_source_keeps_everything_typed_and_says_why_at_the_url(taken, journey):
    response = taken.post(
        reverse("claims:evidence_add_new_source", args=[journey.pk]),
        {
            "new-url": "not a url at all",
            "new-title": "My title",
            "new-body": "Pasted paragraph",
            "new-kind": "statement",
            "new-stance": "supports",
            "new-note": "Why it matters",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    for typed in ("not a url at all", "My title", "Pasted paragraph", "Why it matters"):
        assert typed in html
    assert "Enter a valid URL." in html and '<details class="new-source" open>' in html
    assert not Source.objects.filter(title="My title").exists()


def test_only_editors_edit_the_library_a_reviewer_reuses_a_source_already_there(taken, journey, inauguration_source):
    taken.post(
        reverse("claims:evidence_add_new_source", args=[journey.pk]),
        {
            "new-url": inauguration_source.url,
            "new-title": "Rewritten title",
            "new-body": "Rewritten body",
            "new-kind": "news_report",
            "new-stance": "refutes",
        },
    )
    inauguration_source.refresh_from_db()
    assert inauguration_source.title == "Presidential inauguration, January 20, 2025"
    assert journey.evidence.get().source == inauguration_source


# Earlier verdicts


@pytest.fixture
def earlier_verdict(editor, second_editor) -> Verdict:
    earlier = ClaimFactory(
        text="Donald Trump is a former president of the United States.", status=ClaimStatus.PUBLISHED
    )
    return Verdict.objects.create(
        claim=earlier,
        rating=Rating.objects.get(label="Outdated"),
        explanation="He returned to office on January 20, 2025.",
        corrected_statement="Donald Trump is the president of the United States.",
        author=editor,
        approver=second_editor,
        approved_at=timezone.now(),
        published_at=timezone.now(),
    )


@pytest.fixture
def earlier_suggestion(trump_claim, earlier_verdict) -> Suggestion:
    return Suggestion.objects.create(
        claim=trump_claim,
        target_kind=SuggestionTarget.CLAIM,
        target_claim=earlier_verdict.claim,
        scores={"dense": 0.95, "bm25": 9.1},
        fused_score=0.95,
        model_version="test",
    )


def test_accepting_an_earlier_verdict_links_the_claims_cites_it_and_fills_in_the_verdict(
    taken, journey, earlier_suggestion, earlier_verdict, settings
):
    response = taken.post(reverse("claims:suggestion_accept", args=[earlier_suggestion.pk]), {"stance": "refutes"})
    assert response["Location"].endswith("#verdict")
    earlier_suggestion.refresh_from_db()
    assert earlier_suggestion.state == SuggestionState.ACCEPTED
    evidence = journey.evidence.get()
    assert evidence.source.url == claim_public_url(claim_id=earlier_verdict.claim_id, text=earlier_verdict.claim.text)
    assert evidence.source.kind == "fact_check"
    assert "He returned to office" in evidence.excerpt
    form = client_workspace_form(taken, journey)
    assert form.initial["rating"] == earlier_verdict.rating_id
    assert "He returned to office on January 20, 2025." in form.initial["explanation"]


def client_workspace_form(client: Client, claim: Claim):
    return client.get(reverse("claims:workspace", args=[claim.pk])).context["verdict_form"]


def test_weak_suggestions_are_hidden_and_scores_read_in_words(taken, journey, trump_suggestion, earlier_suggestion):
    Suggestion.objects.filter(pk=trump_suggestion.pk).update(scores={"dense": 0.2, "bm25": 1.0})
    html = workspace_html(taken, journey)
    assert "sworn in as the 47th President" not in html
    assert ">near-identical</span>" in html
    assert 'title="bm25 9.100 · dense 0.950 · fused 0.950"' in html


# The editor's desk


def drafted_by(reviewer_client: Client, claim: Claim, **fields) -> None:
    reviewer_client.post(
        reverse("claims:verdict_draft", args=[claim.pk]),
        {
            "rating": Rating.objects.get(label="Outdated").pk,
            "explanation": fields.get("explanation", "He has been president again since January 20, 2025."),
            "corrected_statement": fields.get("corrected_statement", "U.S. President Donald Trump, in support"),
            "version": 0,
        },
    )


def test_the_desk_shows_evidence_the_finding_and_the_correction_word_by_word(
    taken, journey, editor, inauguration_source, trump_finding
):
    taken.post(reverse("claims:finding_confirm", args=[trump_finding.pk]))
    taken.post(
        reverse("claims:evidence_add", args=[journey.pk]), {"pick": f"{inauguration_source.pk}:", "stance": "refutes"}
    )
    drafted_by(taken, journey)
    html = client_for(editor).get(reverse("claims:editor")).content.decode()
    assert '<span class="stance stance-refutes">Refutes</span>' in html
    assert "From the role_in_office check on “Former U.S. President Donald Trump”" in html
    assert "<del>Former</del>" in html and "<span>U.S. President Donald Trump, in support</span>" in html
    assert "No evidence cited" not in html


def test_a_verdict_without_evidence_is_flagged_or_refused_as_the_setting_says(taken, journey, editor, settings):
    drafted_by(taken, journey)
    desk = client_for(editor)
    assert (
        "No evidence cited: check the verdict stands on its own." in desk.get(reverse("claims:editor")).content.decode()
    )
    settings.VERDICT_WITHOUT_EVIDENCE = "refuse"
    desk.post(reverse("claims:approve", args=[journey.pk]), {"version": 1})
    journey.refresh_from_db()
    assert journey.status == ClaimStatus.DRAFTED


def test_drafting_without_evidence_is_refused_with_the_text_kept_when_the_setting_says_refuse(taken, journey, settings):
    settings.VERDICT_WITHOUT_EVIDENCE = "refuse"
    response = taken.post(
        reverse("claims:verdict_draft", args=[journey.pk]),
        {"rating": Rating.objects.get(label="Outdated").pk, "explanation": "My long explanation", "version": 0},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "My long explanation" in html and "A verdict needs at least one piece of evidence" in html


def test_a_refused_verdict_keeps_what_was_typed_and_says_why_at_the_field(taken, journey):
    response = taken.post(
        reverse("claims:verdict_draft", args=[journey.pk]),
        {"rating": "", "explanation": "Half-written explanation", "corrected_statement": "My correction", "version": 0},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Half-written explanation" in html and "My correction" in html
    assert '</select><span class="error">This field is required.</span>' in html


def test_editors_land_on_the_desk_and_reviewers_on_the_queue(editor, reviewer):
    for user, landing in ((editor, reverse("claims:editor")), (reviewer, reverse("claims:queue"))):
        response = Client().post(
            reverse("claims:login"), {"username": user.username, "password": "correct horse battery staple"}
        )
        assert response["Location"] == landing


# Hand-offs


def test_a_sent_back_claim_returns_to_its_author_with_the_comment_on_top_and_in_the_inbox(
    taken, journey, reviewer, editor, django_capture_on_commit_callbacks
):
    reviewer.email = "rita@example.org"
    reviewer.save()
    drafted_by(taken, journey)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(editor).post(
            reverse("claims:send_back", args=[journey.pk]), {"version": 1, "comment": "Cite the inauguration record."}
        )
    journey.refresh_from_db()
    assert journey.status == ClaimStatus.IN_REVIEW and journey.assignee == reviewer
    assert journey.lease_expires_at > timezone.now() + dt.timedelta(hours=23)
    html = workspace_html(taken, journey)
    assert "Sent back by the editor:</strong> Cite the inauguration record." in html
    assert html.index("Sent back by the editor") < html.index('id="claim-title"')
    inbox = taken.get(reverse("claims:inbox")).content.decode()
    assert "Editor's comment:</strong> Cite the inauguration record." in inbox
    assert '<span class="badge" aria-label="1 waiting">1</span>' in inbox
    (message,) = mail.outbox
    assert message.to == ["rita@example.org"] and "Cite the inauguration record." in message.body


def test_the_author_hears_of_approval_and_publication(
    taken, journey, reviewer, editor, inauguration_source, django_capture_on_commit_callbacks
):
    reviewer.email = "rita@example.org"
    reviewer.save()
    taken.post(
        reverse("claims:evidence_add", args=[journey.pk]), {"pick": f"{inauguration_source.pk}:", "stance": "refutes"}
    )
    drafted_by(taken, journey)
    with django_capture_on_commit_callbacks(execute=True):
        verdicts.verdict_approve(user=editor, claim_id=journey.pk)
        verdicts.verdict_publish(user=editor, claim_id=journey.pk)
    assert [message.subject for message in mail.outbox] == ["Your verdict was approved", "Your verdict was published"]
    inbox = taken.get(reverse("claims:inbox")).content.decode()
    assert "published" in inbox and journey.text[:60] in inbox


def test_the_timeline_shows_evidence_suggestion_and_finding_decisions_with_who(
    taken, journey, trump_suggestion, trump_finding
):
    taken.post(reverse("claims:suggestion_accept", args=[trump_suggestion.pk]), {"stance": "refutes"})
    taken.post(reverse("claims:finding_confirm", args=[trump_finding.pk]))
    evidence = journey.evidence.get()
    taken.post(reverse("claims:evidence_remove", args=[journey.pk, evidence.pk]))
    rows = taken.get(reverse("claims:workspace", args=[journey.pk])).context["history"]
    seen = {(row["what"], row["detail"].split(":")[0], str(row["who"])) for row in rows}
    assert ("Suggestion", "accepted", "rita_reviewer") in seen
    assert ("Finding", "confirmed", "rita_reviewer") in seen
    assert ("Evidence", "added", "rita_reviewer") in seen
    assert ("Evidence", "removed", "rita_reviewer") in seen


# Export


def published(claim: Claim, *, author, approver, when: dt.datetime) -> None:
    Verdict.objects.create(
        claim=claim,
        rating=Rating.objects.get(label="Outdated"),
        explanation="Settled.",
        author=author,
        approver=approver,
        approved_at=when,
        published_at=when,
    )
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.PUBLISHED)


def test_the_export_page_downloads_published_verdicts_for_a_date_range(reviewer, editor):
    may, june = ClaimFactory(text="Claim of May."), ClaimFactory(text="Claim of June.")
    published(may, author=reviewer, approver=editor, when=dt.datetime(2025, 5, 12, 10, tzinfo=dt.UTC))
    published(june, author=reviewer, approver=editor, when=dt.datetime(2025, 6, 2, 10, tzinfo=dt.UTC))
    desk = client_for(editor)
    assert "Export published verdicts" in desk.get(reverse("claims:export")).content.decode()
    response = desk.get(
        reverse("claims:export"),
        {"export_format": "csv", "published_from": "2025-05-01", "published_to": "2025-05-31", "rating": ""},
    )
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.csv"')
    body = b"".join(response.streaming_content).decode()
    assert "Claim of May." in body and "Claim of June." not in body
    assert client_for(reviewer).get(reverse("claims:export")).status_code == 403


def test_a_refused_export_keeps_the_dates_and_says_why_at_the_field(editor):
    response = client_for(editor).get(
        reverse("claims:export"),
        {"export_format": "jsonl", "published_from": "2025-06-01", "published_to": "2025-05-01"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="2025-06-01"' in html and 'value="2025-05-01"' in html
    assert "The end of the range comes before its start." in html


# The library: editors edit and retire


def source_form(source: Source, **changes) -> dict:
    return {
        "url": source.url,
        "title": source.title,
        "publisher": source.publisher,
        "published_at": "",
        "kind": source.kind,
        "body": source.body,
    } | changes


def test_an_editor_edits_a_source_and_its_passages_follow(
    editor, inauguration_source, django_capture_on_commit_callbacks
):
    desk = client_for(editor)
    url = reverse("claims:source_edit", args=[inauguration_source.pk])
    assert "Presidential inauguration" in desk.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(url, source_form(inauguration_source, body="Trump took the oath on January 20, 2025."))
    assert response.status_code == 302
    assert [passage.text for passage in inauguration_source.passages.all()] == [
        "Trump took the oath on January 20, 2025."
    ]


def test_a_refused_source_edit_keeps_what_was_typed(editor, inauguration_source):
    response = client_for(editor).post(
        reverse("claims:source_edit", args=[inauguration_source.pk]),
        source_form(inauguration_source, url="no url", body="My new body text"),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "My new body text" in html and "Enter a valid URL." in html


def test_a_retired_source_leaves_search_but_its_evidence_stays(
    editor, reviewer, taken, journey, inauguration_source, django_capture_on_commit_callbacks
):
    taken.post(
        reverse("claims:evidence_add", args=[journey.pk]), {"pick": f"{inauguration_source.pk}:", "stance": "refutes"}
    )
    desk = client_for(editor)
    desk.post(reverse("claims:source_retire", args=[inauguration_source.pk]), {"retire": "yes"})
    inauguration_source.refresh_from_db()
    assert inauguration_source.retired_at is not None and not inauguration_source.passages.exists()
    assert journey.evidence.get().source == inauguration_source
    assert client_for(reviewer).post(reverse("claims:source_retire", args=[inauguration_source.pk])).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        desk.post(reverse("claims:source_retire", args=[inauguration_source.pk]), {"retire": "no"})
    inauguration_source.refresh_from_db()
    assert inauguration_source.retired_at is None and inauguration_source.passages.exists()


def test_a_refused_send_back_keeps_the_comment_at_its_verdict(taken, journey, editor):
    drafted_by(taken, journey)
    stale = client_for(editor).post(
        reverse("claims:send_back", args=[journey.pk]), {"version": 99, "comment": "Cite the oath record, please."}
    )
    assert stale.status_code == 409
    html = stale.content.decode()
    assert "Cite the oath record, please.</textarea>" in html and "Not sent back:" in html
    journey.refresh_from_db()
    assert journey.status == ClaimStatus.DRAFTED


def test_a_refused_reopen_keeps_the_reason(taken, journey, editor, second_editor, inauguration_source):
    taken.post(
        reverse("claims:evidence_add", args=[journey.pk]), {"pick": f"{inauguration_source.pk}:", "stance": "refutes"}
    )
    drafted_by(taken, journey)
    verdicts.verdict_approve(user=editor, claim_id=journey.pk)
    verdicts.verdict_publish(user=editor, claim_id=journey.pk)
    stale = client_for(second_editor).post(
        reverse("claims:reopen", args=[journey.pk]), {"version": 1, "reason": "A new court ruling changes this."}
    )
    assert stale.status_code == 409
    html = stale.content.decode()
    assert "A new court ruling changes this.</textarea>" in html and "Not reopened:" in html


def test_the_author_can_take_a_claim_sent_back_to_them_and_nobody_else_can(
    taken, journey, reviewer, editor, second_reviewer
):
    from claims.errors import LeaseError
    from claims.services import review

    drafted_by(taken, journey)
    verdicts.verdict_send_back(user=editor, claim_id=journey.pk, comment="Which record?")
    assert review.review_take(user=reviewer, claim_id=journey.pk).assignee == reviewer
    with pytest.raises(LeaseError):
        review.review_take(user=second_reviewer, claim_id=journey.pk)
