"""The demo article, scored by the shipped classifier: what a new user sees first."""

import datetime
from pathlib import Path

import pytest

from claims.extraction.checkworthiness import OnnxScorer
from claims.extraction.pipeline import CandidateClaim, extract_claims

SEED_ARTICLE = Path(__file__).resolve().parents[2] / "fixtures" / "seed_article.txt"
PUBLISHED = datetime.date(2025, 5, 12)

# Sentences that state something a fact-checker can verify (an event, a figure, a statement
# someone made). Opinions, hopes and the closing speculation are not in this list.
CHECKABLE_FACTS = [
    "Ukrainian President Volodymyr Zelensky has extended an offer to meet",
    "This development comes after a proposal from Kyiv",
    "Zelensky expressed his readiness to meet Putin personally",
    "“We await a full and lasting ceasefire",
    "The conflict between Russia and Ukraine, which began",
    "Diplomatic efforts have largely stalled since March 2022",
    "The last round of negotiations in Istanbul produced",
    "Russian President Vladimir Putin put forward a proposal",
    "Putin’s suggestion was a direct response",
    "“We propose to the Kyiv authorities",
    "He indicated that a ceasefire could potentially be agreed",
    "Putin’s proposal was met with resistance",
    "the leaders of France, the United Kingdom, Germany, and Poland jointly urged",
    "French President Emmanuel Macron reiterated this stance",
    "Andriy Yermak, confirmed that Ukraine",
    "Macron’s office further emphasized this position",
    "Former U.S. President Donald Trump, in support of a potential ceasefire",
    "“Ukraine should agree to this, IMMEDIATELY,”",
]
CLOSING_SPECULATION = "As tensions remain high"


@pytest.fixture(scope="module")
def claims(tmp_path_factory: pytest.TempPathFactory) -> list[CandidateClaim]:
    scorer = OnnxScorer(threads=1)
    text = SEED_ARTICLE.read_text(encoding="utf-8")
    return extract_claims(text=text, published_at=PUBLISHED, today=PUBLISHED, scorer=scorer)


def _claim(claims: list[CandidateClaim], fragment: str) -> CandidateClaim:
    (claim,) = [claim for claim in claims if fragment in claim.text]
    return claim


@pytest.mark.parametrize("fragment", CHECKABLE_FACTS)
def test_it_marks_every_checkable_fact_check_worthy(claims: list[CandidateClaim], fragment: str) -> None:
    claim = _claim(claims, fragment)
    assert claim.is_checkworthy, (claim.checkworthiness, claim.text)


def test_it_scores_the_closing_speculation_below_every_checkable_fact(claims: list[CandidateClaim]) -> None:
    closing = _claim(claims, CLOSING_SPECULATION)
    assert not closing.is_checkworthy
    assert closing.checkworthiness < min(_claim(claims, fragment).checkworthiness for fragment in CHECKABLE_FACTS)


@pytest.mark.parametrize(
    ("fragment", "speaker"),
    [
        ("Zelensky added", "Zelensky"),
        ("“There is no point in prolonging the killings.", "Zelensky"),
        ("“We await a full and lasting ceasefire", "Zelensky"),
        ("“We propose to the Kyiv authorities", "Putin"),
        ("“Ukraine should agree to this, IMMEDIATELY,”", "Trump"),
    ],
)
def test_it_attributes_the_quotes_to_zelensky_putin_and_trump(
    claims: list[CandidateClaim], fragment: str, speaker: str
) -> None:
    assert _claim(claims, fragment).speaker == speaker


def test_it_ranks_the_outdated_title_claim_in_the_queue(claims: list[CandidateClaim]) -> None:
    trump = _claim(claims, "Former U.S. President Donald Trump")
    assert "role" in trump.claim_types
    assert any(entity["text"] == "Donald Trump" and entity["label"] == "PERSON" for entity in trump.entities)
    assert trump.priority > _claim(claims, CLOSING_SPECULATION).priority
