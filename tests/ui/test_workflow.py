"""What reviewers and editors do through the pages: take, decide, draft, approve, publish."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.http import QueryDict
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claims.choices import ClaimStatus, FindingState, SuggestionState
from claims.forms import SavedFilterForm
from claims.models import Article, Claim, Rating, SavedFilter, Verdict
from claims.views.queue import saved_filter_query_input
from tests.factories import ArticleFactory, ClaimFactory
from tests.ui.signed_in import client_for, page_messages


@pytest.fixture
def taken(reviewer, journey) -> Client:
    client = client_for(reviewer)
    client.post(reverse("claims:take_next"))
    return client


def draft(client: Client, claim: Claim, *, version: int = 0, rating: str = "Outdated", **fields):
    return client.post(
        reverse("claims:verdict_draft", args=[claim.pk]),
        {
            "rating": Rating.objects.get(label=rating).pk,
            "explanation": fields.get("explanation", "Trump has been president again since January 20, 2025."),
            "corrected_statement": fields.get("corrected_statement", "U.S. President Donald Trump"),
            "version": version,
        },
    )


def test_it_hands_the_highest_priority_claim_to_take_next(reviewer, journey):
    ClaimFactory(priority=1.0)
    response = client_for(reviewer).post(reverse("claims:take_next"))
    assert response["Location"] == reverse("claims:workspace", args=[journey.pk])
    journey.refresh_from_db()
    assert (journey.assignee_id, journey.status) == (reviewer.pk, ClaimStatus.IN_REVIEW)


def test_it_says_so_when_the_queue_is_empty(reviewer):
    response = client_for(reviewer).post(reverse("claims:take_next"), follow=True)
    assert "The queue is empty: nothing to take." in page_messages(response)


def test_it_refuses_a_second_reviewer_the_claim_someone_holds(taken, second_reviewer, journey):
    response = client_for(second_reviewer).post(reverse("claims:take", args=[journey.pk]), follow=True)
    assert "Another reviewer is working on this claim." in page_messages(response)
    journey.refresh_from_db()
    assert journey.assignee.username == "rita_reviewer"
    workspace = client_for(second_reviewer).get(reverse("claims:workspace", args=[journey.pk])).content.decode()
    assert "rita_reviewer is working on this claim" in workspace
    assert 'id="verdict-form"' not in workspace
    assert "/confirm/" not in workspace


def test_it_marks_the_claim_in_place_in_the_article(taken, journey):
    html = taken.get(reverse("claims:workspace", args=[journey.pk])).content.decode()
    assert f'<mark id="claim-in-article">{journey.text}</mark>' in html
    assert "Ukrainian President Volodymyr Zelensky" in html


def test_it_shows_markup_in_an_article_as_text(reviewer):
    body = 'Before. <script>window.pwned = 1</script><img src=x onerror="alert(1)"> The claim is here.'
    article = Article.objects.create(body=body, content_hash=hashlib.sha256(body.encode()).hexdigest())
    claim = ClaimFactory(article=article, text="The claim is here.", start=body.index("The claim"), end=len(body))
    html = client_for(reviewer).get(reverse("claims:workspace", args=[claim.pk])).content.decode()
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in html
    assert "<script>window.pwned" not in html
    assert "<img src=x" not in html


def test_it_finds_the_claim_when_its_offsets_are_stale(reviewer):
    article = ArticleFactory(body="A new first sentence. The minister said unemployment fell by 3 percent.")
    claim = ClaimFactory(article=article, text="The minister said unemployment fell by 3 percent.", start=0, end=10)
    html = client_for(reviewer).get(reverse("claims:workspace", args=[claim.pk])).content.decode()
    assert '<mark id="claim-in-article">The minister said unemployment fell by 3 percent.</mark>' in html


def test_it_accepting_a_suggestion_adds_its_passage_as_evidence(taken, journey, trump_suggestion):
    response = taken.post(
        reverse("claims:suggestion_accept", args=[trump_suggestion.pk]), {"stance": "refutes"}, follow=True
    )
    evidence = journey.evidence.get()
    assert (evidence.stance, evidence.from_suggestion_id) == ("refutes", trump_suggestion.pk)
    assert "Suggestion accepted." in page_messages(response)
    html = response.content.decode()
    assert "Presidential inauguration, January 20, 2025" in html


def test_it_rejecting_a_suggestion_removes_it_from_the_list(taken, journey, trump_suggestion):
    taken.post(reverse("claims:suggestion_reject", args=[trump_suggestion.pk]))
    trump_suggestion.refresh_from_db()
    assert trump_suggestion.state == SuggestionState.REJECTED
    html = taken.get(reverse("claims:workspace", args=[journey.pk])).content.decode()
    assert f'data-suggestion="{trump_suggestion.pk}"' not in html


def test_it_refuses_decisions_on_suggestions_without_the_lease(second_reviewer, journey, trump_suggestion):
    response = client_for(second_reviewer).post(
        reverse("claims:suggestion_accept", args=[trump_suggestion.pk]), follow=True
    )
    assert "You do not hold this claim; take it from the queue first." in page_messages(response)
    assert not journey.evidence.exists()


def test_it_polls_for_suggestions_until_the_job_has_run(taken, journey):
    Claim.objects.filter(pk=journey.pk).update(suggested_at=None)
    journey.suggestions.all().delete()
    panel = taken.get(reverse("claims:suggestions", args=[journey.pk])).content.decode()
    assert "Computing suggestions…" in panel
    assert 'hx-trigger="every 3s"' in panel
    Claim.objects.filter(pk=journey.pk).update(suggested_at=timezone.now())
    panel = taken.get(reverse("claims:suggestions", args=[journey.pk])).content.decode()
    assert "hx-trigger" not in panel
    assert "Nothing in the library or among earlier verdicts matched this claim." in panel


def test_it_prefills_the_verdict_from_a_confirmed_finding(taken, journey, trump_finding):
    taken.post(reverse("claims:finding_confirm", args=[trump_finding.pk]))
    trump_finding.refresh_from_db()
    assert trump_finding.state == FindingState.CONFIRMED
    form = taken.get(reverse("claims:workspace", args=[journey.pk])).context["verdict_form"]
    assert form.initial["rating"] == Rating.objects.get(label="Outdated").pk
    assert form.initial["corrected_statement"] == "U.S. President Donald Trump"


def test_it_drafts_a_verdict_and_hands_the_claim_to_the_editors(taken, journey):
    response = draft(taken, journey)
    assert response.status_code == 302
    journey.refresh_from_db()
    assert journey.status == ClaimStatus.DRAFTED
    assert journey.verdict.rating.label == "Outdated"
    assert journey.verdict.corrected_statement == "U.S. President Donald Trump"


def test_it_shows_a_conflict_and_keeps_the_stored_verdict_when_the_version_is_stale(taken, reviewer, journey, editor):
    draft(taken, journey)
    client_for(editor).post(
        reverse("claims:send_back", args=[journey.pk]), {"version": 1, "comment": "Cite the inauguration record."}
    )
    taken.post(reverse("claims:take", args=[journey.pk]))
    response = draft(taken, journey, version=1, rating="Inaccurate", explanation="My stale edit")
    assert response.status_code == 409
    html = response.content.decode()
    assert "Not saved: someone else changed this verdict" in html
    assert "My stale edit" in html
    verdict = Verdict.objects.get(claim=journey)
    assert (verdict.rating.label, verdict.version) == ("Outdated", 2)


def test_it_explains_what_is_missing_from_a_verdict(taken, journey):
    response = taken.post(reverse("claims:verdict_draft", args=[journey.pk]), {"version": 0})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Verdict.objects.filter(claim=journey).exists()


def test_it_lets_a_second_editor_approve_and_publish(taken, journey, editor):
    draft(taken, journey)
    desk = client_for(editor)
    assert journey.text[:60] in desk.get(reverse("claims:editor")).content.decode()
    desk.post(reverse("claims:approve", args=[journey.pk]), {"version": 1})
    desk.post(reverse("claims:publish", args=[journey.pk]), {"version": 2})
    journey.refresh_from_db()
    assert journey.status == ClaimStatus.PUBLISHED
    assert journey.verdict.approver == editor
    assert journey.verdict.published_at is not None


def test_it_refuses_an_editor_approving_their_own_verdict(editor, journey):
    client = client_for(editor)
    client.post(reverse("claims:take_next"))
    draft(client, journey)
    response = client.post(reverse("claims:approve", args=[journey.pk]), {"version": 1})
    assert response.status_code == 403
    assert "You cannot approve a verdict you wrote; another editor must." in response.content.decode()
    journey.refresh_from_db()
    assert journey.status == ClaimStatus.DRAFTED


def test_it_refuses_an_approval_based_on_an_old_version(taken, journey, editor):
    draft(taken, journey)
    response = client_for(editor).post(reverse("claims:approve", args=[journey.pk]), {"version": 7}, follow=True)
    assert any("changed by someone else" in message for message in page_messages(response))
    journey.refresh_from_db()
    assert journey.status == ClaimStatus.DRAFTED


def test_it_sends_a_verdict_back_with_the_editors_comment(taken, journey, editor):
    draft(taken, journey)
    client_for(editor).post(
        reverse("claims:send_back", args=[journey.pk]), {"version": 1, "comment": "Cite the inauguration record."}
    )
    journey.refresh_from_db()
    assert journey.status == ClaimStatus.IN_REVIEW
    taken.post(reverse("claims:take", args=[journey.pk]))
    html = taken.get(reverse("claims:workspace", args=[journey.pk])).content.decode()
    assert "Cite the inauguration record." in html


def test_it_extends_and_gives_back_the_lease(taken, journey):
    Claim.objects.filter(pk=journey.pk).update(lease_expires_at=timezone.now() + dt.timedelta(minutes=1))
    taken.post(reverse("claims:extend", args=[journey.pk]))
    journey.refresh_from_db()
    assert journey.lease_expires_at > timezone.now() + dt.timedelta(minutes=20)
    taken.post(reverse("claims:release", args=[journey.pk]))
    journey.refresh_from_db()
    assert journey.assignee_id is None


def test_it_adds_evidence_from_the_form(taken, journey, inauguration_source):
    taken.post(
        reverse("claims:evidence_add", args=[journey.pk]),
        {"pick": f"{inauguration_source.pk}:", "stance": "refutes", "excerpt": "sworn in", "note": ""},
    )
    assert journey.evidence.get().excerpt == "sworn in"


def test_it_filters_the_queue(reviewer, journey):
    other = ClaimFactory(checkworthiness=0.4, claim_types=["statistic"])
    client = client_for(reviewer)

    def shown(**query) -> set[int]:
        return {row["pk"] for row in client.get(reverse("claims:queue"), query).context["claims"]}

    assert shown() == {journey.pk, other.pk}
    assert shown(claim_type="role") == {journey.pk}
    assert shown(min_checkworthiness="0.9") == {journey.pk}
    assert shown(outlet="example wire") == {journey.pk}
    assert shown(status="published") == set()
    client.post(reverse("claims:take", args=[other.pk]))
    assert shown(assignee="me") == {other.pk}
    assert shown(assignee="nobody") == {journey.pk}


def test_it_saves_and_deletes_a_filter_per_user(reviewer, second_reviewer, journey):
    client = client_for(reviewer)
    response = client.post(reverse("claims:saved_filter_save"), {"name": "Roles", "query": "type=role"})
    assert response["Location"] == reverse("claims:queue") + "?type=role"
    saved = SavedFilter.objects.get(user=reviewer)
    assert "Roles" in client.get(reverse("claims:queue")).content.decode()
    assert "Roles" not in client_for(second_reviewer).get(reverse("claims:queue")).content.decode()
    client_for(second_reviewer).post(reverse("claims:saved_filter_delete", args=[saved.pk]))
    assert SavedFilter.objects.filter(pk=saved.pk).exists()
    client.post(reverse("claims:saved_filter_delete", args=[saved.pk]))
    assert not SavedFilter.objects.filter(pk=saved.pk).exists()


@pytest.mark.parametrize("query", ["", "claim_type=role", "q=%3Cb%3E+%22x%22&status=new&status=reopened"])
def test_the_queue_offers_to_save_the_filters_in_use_as_the_save_form_expects_them(reviewer, journey, query):
    html = client_for(reviewer).get(reverse("claims:queue") + (f"?{query}" if query else "")).content.decode()
    in_use = QueryDict(query).urlencode()
    assert str(SavedFilterForm(initial={"query": in_use})["query"]) in html
    assert saved_filter_query_input(in_use) == str(SavedFilterForm(initial={"query": in_use})["query"])
    assert '<label for="id_name"' in html and str(SavedFilterForm()["name"].id_for_label) == "id_name"


def test_it_counts_claims_by_status_on_the_dashboard(taken, journey):
    draft(taken, journey)
    html = taken.get(reverse("claims:dashboard")).content.decode()
    assert '<th scope="row">Verdict drafted</th><td>1</td>' in html
    assert '<th scope="row">Outdated</th><td>1</td>' in html


def test_it_lets_an_editor_reopen_a_published_verdict_from_the_workspace(taken, journey, editor, second_editor):
    draft(taken, journey)
    desk = client_for(editor)
    desk.post(reverse("claims:approve", args=[journey.pk]), {"version": 1})
    desk.post(reverse("claims:publish", args=[journey.pk]), {"version": 2})
    workspace = reverse("claims:workspace", args=[journey.pk])
    assert "Reopen this verdict" in desk.get(workspace).content.decode()
    assert "Reopen this verdict" not in taken.get(workspace).content.decode()
    response = client_for(second_editor).post(
        reverse("claims:reopen", args=[journey.pk]),
        {"version": 3, "reason": "He is president again."},
        HTTP_REFERER="http://testserver" + workspace,
    )
    assert response["Location"] == "http://testserver" + workspace
    journey.refresh_from_db()
    assert journey.status == ClaimStatus.REOPENED


def test_it_returns_a_refused_action_to_the_page_it_came_from_but_never_elsewhere(second_reviewer, taken, journey):
    workspace = "http://testserver" + reverse("claims:workspace", args=[journey.pk])
    client = client_for(second_reviewer)
    refused = client.post(reverse("claims:extend", args=[journey.pk]), HTTP_REFERER=workspace)
    assert refused["Location"] == workspace
    elsewhere = client.post(reverse("claims:extend", args=[journey.pk]), HTTP_REFERER="https://evil.example/")
    assert elsewhere["Location"] == reverse("claims:queue")


def test_it_keeps_the_reviewers_text_when_the_lease_ran_out_while_writing(taken, journey):
    Claim.objects.filter(pk=journey.pk).update(lease_expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = draft(taken, journey, explanation="Three paragraphs of careful work")
    assert response.status_code == 409
    html = response.content.decode()
    assert "Your lease on this claim has expired; take it again." in html
    assert "Three paragraphs of careful work" in html
    assert not Verdict.objects.filter(claim=journey).exists()
