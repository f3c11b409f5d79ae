import datetime
from pathlib import Path

import numpy as np
import pytest

from claims.extraction.pipeline import CandidateClaim, extract_claims, priority

SEED_ARTICLE = Path(__file__).resolve().parents[2] / "fixtures" / "seed_article.txt"
PUBLISHED = datetime.date(2025, 5, 12)


class KeywordScorer:
    """Deterministic stand-in for the trained model: check-worthy when a digit or a name appears."""

    threshold = 0.5

    def score(self, sentences: list[str]) -> np.ndarray:
        return np.array(
            [
                0.9 if any(character.isdigit() for character in sentence) or "Putin" in sentence else 0.2
                for sentence in sentences
            ]
        )


@pytest.fixture(scope="module")
def seed_claims() -> list[CandidateClaim]:
    text = SEED_ARTICLE.read_text(encoding="utf-8")
    return extract_claims(text=text, published_at=PUBLISHED, today=PUBLISHED, scorer=KeywordScorer())


def _claim(claims: list[CandidateClaim], fragment: str) -> CandidateClaim:
    (claim,) = [claim for claim in claims if fragment in claim.text]
    return claim


def test_it_returns_every_sentence_with_offsets_into_the_article(seed_claims: list[CandidateClaim]) -> None:
    text = SEED_ARTICLE.read_text(encoding="utf-8")
    assert len(seed_claims) == 23
    for claim in seed_claims:
        assert text[claim.start : claim.end] == claim.text
        for entity in claim.entities:
            assert text[entity["start"] : entity["end"]] == entity["text"]
        for date in claim.dates:
            assert text[date["start"] : date["end"]] == date["text"]


def test_it_marks_sentences_below_the_threshold_as_not_check_worthy(seed_claims: list[CandidateClaim]) -> None:
    personally = _claim(seed_claims, "Personally.")
    assert personally.checkworthiness == pytest.approx(0.2)
    assert personally.is_checkworthy is False
    assert _claim(seed_claims, "February 2022").is_checkworthy is True


def test_it_attributes_quotes_to_their_speakers(seed_claims: list[CandidateClaim]) -> None:
    assert _claim(seed_claims, "Zelensky added").speaker == "Zelensky"
    assert _claim(seed_claims, "IMMEDIATELY").speaker == "Trump"
    assert _claim(seed_claims, "without any preconditions,” Putin said").speaker == "Putin"


def test_it_gives_every_sentence_of_a_multi_sentence_quote_its_speaker(seed_claims: list[CandidateClaim]) -> None:
    for fragment in ("There is no point", "waiting for Putin in Turkiye", "Personally."):
        claim = _claim(seed_claims, fragment)
        assert claim.speaker == "Zelensky"
        assert "quote" in claim.claim_types


def test_it_resolves_a_pronoun_speaker_from_the_sentence_before(seed_claims: list[CandidateClaim]) -> None:
    assert _claim(seed_claims, "We await a full and lasting ceasefire").speaker == "Zelensky"
    assert _claim(seed_claims, "He indicated that a ceasefire").speaker == "Putin"


def test_a_quote_that_follows_an_attributed_one_in_its_paragraph_keeps_the_speaker() -> None:
    text = (
        "“We have cut the deficit by $1.7 trillion,” President Joe Biden told reporters. "
        "“Nobody thought we could do it.”\n\n"
        "“That is not true.”\n\n"
        "Senator Warren disagreed. “Deficits are up,” she said. Prices rose 3% in May. “They are falling.”"
    )
    claims = extract_claims(text=text, published_at=PUBLISHED, today=PUBLISHED, scorer=KeywordScorer())
    assert _claim(claims, "Nobody thought").speaker == "Joe Biden"
    # A new paragraph, or an unquoted sentence in between, ends the run of one speaker's quotes.
    assert _claim(claims, "That is not true").speaker is None
    assert _claim(claims, "They are falling").speaker is None


def test_it_adds_entities_and_dates_with_resolved_values(seed_claims: list[CandidateClaim]) -> None:
    opening = _claim(seed_claims, "has extended an offer")
    assert {"text": "Vladimir Putin", "label": "PERSON"}.items() <= next(
        entity for entity in opening.entities if entity["text"] == "Vladimir Putin"
    ).items()
    assert [(date["text"], date["value"]) for date in opening.dates] == [("Thursday, May 15", "2025-05-15")]
    assert "role" in opening.claim_types


def test_it_looks_up_entities_only_for_check_worthy_sentences(seed_claims: list[CandidateClaim]) -> None:
    assert all(not claim.entities for claim in seed_claims if not claim.is_checkworthy)


def test_it_returns_nothing_for_whitespace() -> None:
    assert extract_claims(text="  \n\n ", published_at=None, scorer=KeywordScorer()) == []


def test_it_ranks_a_fresh_statistic_above_a_stale_one_and_a_prediction_lower() -> None:
    today = datetime.date(2025, 5, 12)
    fresh = priority(checkworthiness=0.7, claim_types=["statistic"], published_at=today, today=today)
    stale = priority(
        checkworthiness=0.7, claim_types=["statistic"], published_at=today - datetime.timedelta(days=60), today=today
    )
    prediction = priority(checkworthiness=0.7, claim_types=["prediction"], published_at=today, today=today)
    undated = priority(checkworthiness=0.7, claim_types=["statistic"], published_at=None, today=today)
    assert fresh == pytest.approx(0.75 * 0.7 + 0.15)
    assert prediction == pytest.approx(0.75 * 0.7 - 0.15)
    assert fresh > undated > stale
    assert stale == pytest.approx(fresh * 0.3)


def test_it_keeps_priority_within_zero_and_one() -> None:
    today = datetime.date(2025, 5, 12)
    kinds = ["statistic", "role", "quote", "law", "causal", "event"]
    assert 0.95 < priority(checkworthiness=0.99, claim_types=kinds, published_at=today, today=today) <= 1.0
    assert priority(checkworthiness=0.01, claim_types=["prediction"], published_at=today, today=today) == 0.0
