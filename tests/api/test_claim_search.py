"""The claim search (``q``) of the queue page and ``GET /api/v1/claims/``: every word must occur,
ignoring case, in the claim text, its speaker or its article's title; what a user types is text,
never query syntax; the search indexes follow every change to claims and titles.

The same cases run on PostgreSQL in tests/integration/test_claim_search_postgres.py."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from claims import filters
from claims.models import Appearance, Article, Claim
from claims.services.appearances import appearance_split, claim_merge
from tests.factories import ArticleFactory, ClaimFactory
from tests.ui.signed_in import client_for

pytestmark = pytest.mark.django_db

# Typed into the search box: quotes, LIKE wildcards, FTS5 operators and column filters, brackets.
AWKWARD_QUERIES = [
    '"',
    '""',
    '"no"',
    "'",
    "O'Brien",
    "%",
    "50%",
    "_",
    "a_b",
    "100_%",
    "*",
    "tax*",
    "-",
    "-tax",
    "--",
    "NEAR",
    "NEAR(tax rose)",
    "tax NEAR rose",
    "AND",
    "OR NOT",
    "^tax",
    "text:tax",
    "speaker:jane",
    "(",
    ")",
    "{text}",
    "\\",
    "\\%",
    "tax' OR '1'='1",
    "'; DROP TABLE claims_claim; --",
    "+",
    ":",
    ".",
    "über",
    "ÜBER",
]


@pytest.fixture
def desk(db):
    budget = ArticleFactory(title="Budget debate in parliament")
    plain = ArticleFactory(title="Morning news")
    return {
        "tax": ClaimFactory(article=plain, text="Taxes rose by 2 percent.", speaker="Jane Doe"),
        "budget": ClaimFactory(article=budget, text="The deficit doubled.", speaker=""),
        "percent": ClaimFactory(article=plain, text="Prices rose 50% in a_b towns, 100_% said O'Brien.", speaker=""),
        "quote": ClaimFactory(article=plain, text='He said "no" -- twice* (NEAR the end) {text}: tax^', speaker=""),
        "umlaut": ClaimFactory(article=plain, text="Über die Hälfte der Steuern stieg.", speaker="Jürgen Weiß"),
        "backslash": ClaimFactory(article=plain, text="A path C:\\data\\% of it.", speaker="+ : ."),
    }


def expected(query: str) -> set[int]:
    """What the search means, written plainly: every word a substring of text, speaker or title."""
    words = [word.casefold() for word in query.split()[:10]]
    found = set()
    for claim in Claim.objects.select_related("article"):
        fields = [
            claim.text.casefold(),
            claim.speaker.casefold(),
            (claim.article.title if claim.article else "").casefold(),
        ]
        if all(any(word in field for field in fields) for word in words):
            found.add(claim.pk)
    return found


def listed(user, query: str) -> set[int]:
    api = APIClient()
    api.force_login(user)
    response = api.get("/api/v1/claims/", {"q": query, "page_size": 200})
    assert response.status_code == 200, (query, response.content[:300])
    return {claim["id"] for claim in response.json()["results"]}


def shown(client, query: str) -> set[int]:
    response = client.get(reverse("claims:queue"), {"q": query})
    assert response.status_code == 200, query
    return {row["pk"] for row in response.context["claims"]}


def test_every_word_must_occur_in_the_text_the_speaker_or_the_title_ignoring_case(reviewer, desk):
    ids = {name: claim.pk for name, claim in desk.items()}
    client = client_for(reviewer)
    cases = [
        ("taxes", {ids["tax"]}),
        ("TAXES jane", {ids["tax"]}),
        # One word in the title, one in the text: the words may match different places.
        ("parliament DEFICIT", {ids["budget"]}),
        ("jane parliament", set()),
        ("budget debate", {ids["budget"]}),
        ("rose", {ids["tax"], ids["percent"]}),
        ("nothing-like-this", set()),
    ]
    for query, wanted in cases:
        assert expected(query) == wanted, query
        assert listed(reviewer, query) == wanted, query
        assert shown(client, query) == wanted, query


def test_words_shorter_than_three_characters_still_search(reviewer, desk):
    ids = {name: claim.pk for name, claim in desk.items()}
    client = client_for(reviewer)
    for query, wanted in [("2", {ids["tax"]}), ("by", {ids["tax"]}), ("do rose", {ids["tax"]}), ("ü", {ids["umlaut"]})]:
        assert listed(reviewer, query) == wanted, query
        assert shown(client, query) == wanted, query


def test_letters_outside_ascii_match_in_either_case(reviewer, desk):
    for query in ["über", "ÜBER", "hälfte", "JÜRGEN", "die STEUERN"]:
        assert listed(reviewer, query) == {desk["umlaut"].pk}, query


@pytest.mark.parametrize("query", AWKWARD_QUERIES)
def test_quotes_wildcards_and_search_syntax_are_plain_text(reviewer, desk, query):
    client = client_for(reviewer)
    assert listed(reviewer, query) == expected(query)
    assert shown(client, query) == expected(query)


def test_a_word_in_many_claims_finds_the_same_claims_read_in_order(reviewer, desk, monkeypatch):
    """On SQLite a word in more than SQLITE_COMMON_MATCHES claims is tested row by row instead of
    looked up; with the limit at 0 every word goes that way, and the answers stay the same."""
    monkeypatch.setattr(filters, "SQLITE_COMMON_MATCHES", 0)
    client = client_for(reviewer)
    for query in ["taxes", "TAXES jane", "parliament DEFICIT", "rose", "über", *AWKWARD_QUERIES]:
        assert listed(reviewer, query) == expected(query), query
        assert shown(client, query) == expected(query), query


def test_wildcards_match_only_themselves(reviewer, desk):
    assert listed(reviewer, "50%") == {desk["percent"].pk}
    assert listed(reviewer, "a_b") == {desk["percent"].pk}
    # Read as LIKE patterns, these would match every claim.
    assert listed(reviewer, "%") == {desk["percent"].pk, desk["backslash"].pk}
    assert listed(reviewer, "_") == {desk["percent"].pk}


def test_the_search_follows_new_edited_and_deleted_claims(reviewer, desk):
    claim = ClaimFactory(article=ArticleFactory(title="Harbour news"), text="Ferry fares doubled overnight.")
    assert listed(reviewer, "ferry fares") == {claim.pk}

    claim.text = "Bus fares doubled overnight."
    claim.save()
    assert listed(reviewer, "ferry") == set()
    assert listed(reviewer, "bus fares") == {claim.pk}

    Claim.objects.filter(pk=claim.pk).update(speaker="Harriet Quayside")
    assert listed(reviewer, "quayside") == {claim.pk}

    # A save of other columns (priority, status) leaves the search as it was.
    claim.refresh_from_db()
    claim.priority = 99.0
    claim.save()
    assert listed(reviewer, "quayside overnight harbour") == {claim.pk}

    Claim.objects.filter(pk=claim.pk).update(article=desk["budget"].article)
    assert listed(reviewer, "harbour") == set()
    assert listed(reviewer, "parliament bus") == {claim.pk}

    claim.delete()
    assert listed(reviewer, "quayside") == set()


def test_the_search_follows_article_title_edits_and_deletions(reviewer, desk):
    article = desk["budget"].article
    article.title = "Spending review announced"
    article.save()
    assert listed(reviewer, "parliament") == set()
    assert listed(reviewer, "spending deficit") == {desk["budget"].pk}

    Article.objects.filter(pk=article.pk).update(title="Autumn statement")
    assert listed(reviewer, "autumn") == {desk["budget"].pk}

    article.delete()
    assert listed(reviewer, "autumn") == set()
    assert listed(reviewer, "deficit") == set()


def test_split_and_merged_claims_are_found_by_their_own_words(reviewer, desk):
    first, second = ArticleFactory(title="Wire copy"), ArticleFactory(title="Evening paper")
    claim = ClaimFactory(article=first, text="The mayor cut bus fares by half.", speaker="Mayor Lee")
    Appearance.objects.create(claim=claim, article=first, text=claim.text, speaker="Mayor Lee")
    moved = Appearance.objects.create(
        claim=claim, article=second, text="The mayor cut tram fares by half.", speaker="Ms Lee", match="similar"
    )
    split = appearance_split(user=reviewer, appearance_id=moved.pk)
    assert listed(reviewer, "tram fares") == {split.pk}
    assert listed(reviewer, "evening tram") == {split.pk}
    assert listed(reviewer, "mayor fares") == {claim.pk, split.pk}

    kept = claim_merge(user=reviewer, claim_id=split.pk, into_claim_id=claim.pk)
    # The merged claim keeps its words (dismissed, it leaves the queue but not the list).
    assert listed(reviewer, "tram fares") == {split.pk}
    assert listed(reviewer, "bus fares") == {kept.pk}
    assert shown(client_for(reviewer), "tram fares") == set()


def test_the_sqlite_search_table_holds_exactly_the_claims(reviewer, desk):
    if connection.vendor != "sqlite":
        pytest.skip("the search table is SQLite's; PostgreSQL searches its trigram indexes")
    ClaimFactory(text="One more.").delete()
    Claim.objects.filter(pk=desk["tax"].pk).delete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT rowid, text FROM claims_claim_search ORDER BY rowid")
        indexed = cursor.fetchall()
    assert indexed == list(Claim.objects.order_by("pk").values_list("pk", "text"))
