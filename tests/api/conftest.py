"""API clients for each persona, and a small desk with claims in every state the endpoints act on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from claims.choices import ClaimStatus, SuggestionTarget, TokenScope
from claims.models import Claim, Finding, Suggestion, Verdict
from claims.services.tokens import token_create
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    EvidenceFactory,
    SourceFactory,
    SourcePassageFactory,
    UserFactory,
    rating,
)

PERSONAS = ("anonymous", "outsider", "reviewer", "editor", "admin", "read_token", "write_token")


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    # Throttle counters live in the cache, which outlives a test; start every test at zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def token_client(secret: str, *, keyword: str = "Token") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {secret}")
    return client


@pytest.fixture
def tool_user(db):
    """The account an external tool's tokens act as: an editor, so its scope is what limits it."""
    return UserFactory(username="cms_integration", roles=["editor"])


@pytest.fixture
def read_token(tool_user):
    return token_create(user=tool_user, name="monitoring dashboard", scope=TokenScope.READ)


@pytest.fixture
def write_token(tool_user):
    return token_create(user=tool_user, name="newsroom CMS", scope=TokenScope.WRITE)


@pytest.fixture
def client_as(db, outsider, reviewer, editor, admin_user, read_token, write_token):
    """``client_as("editor")`` is an API client signed in as that persona (session or token)."""

    def make(persona: str) -> APIClient:
        if persona == "anonymous":
            return APIClient()
        if persona == "read_token":
            return token_client(read_token.secret)
        if persona == "write_token":
            return token_client(write_token.secret)
        user = {"outsider": outsider, "reviewer": reviewer, "editor": editor, "admin": admin_user}[persona]
        client = APIClient()
        client.force_login(user)
        return client

    return make


@dataclass
class Desk:
    new_claim: Claim
    drafted_claim: Claim
    published_claim: Claim
    evidence_id: int
    suggestion_id: int
    finding_id: int
    source_id: int


def publish_claim(claim: Claim, *, author, approver, label: str = "Outdated", explanation: str = "") -> Verdict:
    """Put a claim straight into the published state (the workflow itself is tested through the API)."""
    now = timezone.now()
    verdict = Verdict.objects.create(
        claim=claim,
        rating=rating(label),
        explanation=explanation or "Trump has held the office since 20 January 2025.",
        corrected_statement="U.S. President Donald Trump",
        author=author,
        approver=approver,
        approved_at=now - dt.timedelta(minutes=5),
        published_at=now,
    )
    claim.status = ClaimStatus.PUBLISHED
    claim.save()
    return verdict


@pytest.fixture
def desk(db, second_reviewer, second_editor) -> Desk:
    article = ArticleFactory(url="https://news.example.org/2025/05/12/summit", title="Summit coverage")
    new_claim = ClaimFactory(article=article, text="Unemployment fell by 3 percent last year.", priority=90)
    drafted_claim = ClaimFactory(article=article, status=ClaimStatus.DRAFTED, priority=50)
    Verdict.objects.create(
        claim=drafted_claim,
        rating=rating("Inaccurate"),
        explanation="The statistics office says 2.",
        author=second_reviewer,
    )
    published_claim = ClaimFactory(
        article=article, text="Former U.S. President Donald Trump met the chancellor.", speaker="The Chancellor"
    )
    publish_claim(published_claim, author=second_reviewer, approver=second_editor)
    source = SourceFactory(url="https://www.whitehouse.gov/administration/", title="The Administration")
    evidence = EvidenceFactory(claim=published_claim, source=source, added_by=second_reviewer)
    passage = SourcePassageFactory(source=source)
    suggestion = Suggestion.objects.create(
        claim=new_claim,
        target_kind=SuggestionTarget.PASSAGE,
        target_passage=passage,
        fused_score=0.8,
        model_version="all-MiniLM-L6-v2@test",
    )
    finding = Finding.objects.create(
        claim=new_claim,
        check_name="weekday_date",
        span_text="Thursday, May 15",
        message="May 15, 2025 was a Thursday.",
    )
    return Desk(
        new_claim=new_claim,
        drafted_claim=drafted_claim,
        published_claim=published_claim,
        evidence_id=evidence.pk,
        suggestion_id=suggestion.pk,
        finding_id=finding.pk,
        source_id=source.pk,
    )
