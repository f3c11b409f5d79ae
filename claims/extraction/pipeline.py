"""Article text -> every sentence as a scored, annotated candidate claim.

The ingest service stores these as claims (check-worthy ones enter the review queue); nothing here
touches the database, so the same function serves the API, the management commands and tests.
"""

import bisect
import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from django.utils import timezone

from claims.extraction.annotate import (
    MAX_SPEAKER_CHARS,
    classify_claim,
    find_attribution,
    is_wholly_quoted,
    quotation_spans,
)
from claims.extraction.dates import find_dates
from claims.extraction.entities import EntityMention, find_entities
from claims.extraction.language_neutral import (
    FALLBACK_METHOD,
    MODEL_METHOD,
    language_neutral_score,
    model_reads,
    sentence_languages,
)
from claims.extraction.sentences import SentenceSpan, split_sentences
from claims.extraction.timing import StageSeconds, timed
from claims.priority import CLAIM_TYPE_WEIGHTS as CLAIM_TYPE_WEIGHTS
from claims.priority import FINDING_BOOST, claim_priority
from claims.priority import now as priority_now

# Priority is claims.priority's; these names stay importable from here for the extraction's callers.
FINDING_PRIORITY_BOOST = FINDING_BOOST
# A pronoun speaker ("he wrote") is looked for this many sentences back.
PRONOUN_LOOKBACK = 3
# Sentences are scored and recognised in batches of these sizes, so progress can be reported between them.
SCORE_BATCH = 256
ENTITY_BATCH = 64
# Shares of the work, for progress: scoring is about a third, entity recognition most of the rest.
SCORED_AT = 0.35
ENTITIES_AT = 0.9


class SentenceScorer(Protocol):
    threshold: float

    def score(self, sentences: list[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class CandidateClaim:
    """One sentence of the article; offsets (also of entities and dates) point into the article body."""

    text: str
    start: int
    end: int
    checkworthiness: float
    is_checkworthy: bool
    claim_types: list[str]
    speaker: str | None
    entities: list[dict[str, Any]] = field(default_factory=list)
    dates: list[dict[str, Any]] = field(default_factory=list)
    priority: float = 0.0
    language: str = ""
    # "model", or "language-neutral fallback" for a sentence the English-only model cannot read.
    scored_by: str = "model"


def priority(
    *,
    checkworthiness: float,
    claim_types: Sequence[str],
    published_at: datetime.date | None,
    today: datetime.date,
) -> float:
    """A new sentence's queue priority as of ``today`` (claims.priority.claim_priority, seen once, no finding)."""
    at = datetime.datetime(today.year, today.month, today.day, 12, 0, tzinfo=datetime.UTC)
    return claim_priority(
        checkworthiness=checkworthiness, claim_types=claim_types, published_at=published_at, at=at
    ).score


def extract_claims(
    *,
    text: str,
    published_at: datetime.date | None,
    today: datetime.date | None = None,
    scorer: SentenceScorer | None = None,
    with_entities: bool = True,
    language: str = "en",
    progress: Callable[[float], None] | None = None,
    stages: StageSeconds | None = None,
) -> list[CandidateClaim]:
    """Split, score and annotate every sentence of `text` (already normalised article body).

    Entities are looked up only for check-worthy sentences (and for the sentences a pronoun
    speaker is resolved from), because named-entity recognition costs more than everything else.
    `today` defaults to the current date and only affects priority. `progress`, when given, is
    called with the share of the work done (0 to 1) between batches; `stages`, when given, gets the
    seconds spent in each stage added (timing.timed).
    """
    report = progress or (lambda share: None)
    if scorer is None:
        from claims.extraction.checkworthiness import get_scorer

        scorer = get_scorer()
    today = today or timezone.localdate(priority_now())
    with timed(stages, "split"):
        spans = split_sentences(text)
    if not spans:
        return []
    with timed(stages, "language"):
        languages = sentence_languages([span.text for span in spans], document_language=language or "en")
    with timed(stages, "score"):
        scores = _model_scores(spans, languages, scorer, report)
    # The model reads English only: other sentences are never queued on its score (see language_neutral).
    checkworthy = [bool(value >= scorer.threshold) and model_reads(languages[i]) for i, value in enumerate(scores)]

    entities = _EntityCache(spans, enabled=with_entities)
    wanted = [index for index, flag in enumerate(checkworthy) if flag]
    with timed(stages, "entities"):
        for first in range(0, len(wanted), ENTITY_BATCH):
            entities.prefetch(wanted[first : first + ENTITY_BATCH])
            report(SCORED_AT + (ENTITIES_AT - SCORED_AT) * min(1.0, (first + ENTITY_BATCH) / len(wanted)))
    with timed(stages, "annotate"):
        return _annotated(text, spans, scores, languages, checkworthy, entities, published_at=published_at, today=today)


def _annotated(
    text: str,
    spans: list[SentenceSpan],
    scores: np.ndarray,
    languages: list[str],
    checkworthy: list[bool],
    entities: "_EntityCache",
    *,
    published_at: datetime.date | None,
    today: datetime.date,
) -> list[CandidateClaim]:
    """Speakers, dates, entities, claim types and priority of every scored sentence."""
    long_quotations = _long_quotations(text, spans)
    speakers = _resolve_speakers(text, spans, entities, long_quotations)
    in_quotation = [False] * len(spans)
    for inside in long_quotations:
        for index in inside:
            in_quotation[index] = True

    claims: list[CandidateClaim] = []
    for index, span in enumerate(spans):
        date_mentions = find_dates(span.text, published_at=published_at)
        dates = [
            {"text": date.text, "start": span.start + date.start, "end": span.start + date.end, "value": date.value}
            for date in date_mentions
        ]
        entity_dicts: list[dict[str, Any]] = []
        if checkworthy[index]:
            entity_dicts, dates = entity_annotations(entities.get(index), sentence_start=span.start, dates=dates)
        claim_types = classify_claim(span.text, dates=date_mentions, in_quotation=in_quotation[index])
        read_by_model = model_reads(languages[index])
        score = (
            round(float(scores[index]), 4)
            if read_by_model
            else language_neutral_score(span.text, claim_types=claim_types)
        )
        claims.append(
            CandidateClaim(
                text=span.text,
                start=span.start,
                end=span.end,
                checkworthiness=score,
                is_checkworthy=checkworthy[index],
                claim_types=claim_types,
                speaker=speakers[index],
                entities=entity_dicts,
                dates=dates,
                priority=priority(
                    checkworthiness=score, claim_types=claim_types, published_at=published_at, today=today
                ),
                language=languages[index],
                scored_by=MODEL_METHOD if read_by_model else FALLBACK_METHOD,
            )
        )
    return claims


def _model_scores(
    spans: list[SentenceSpan], languages: list[str], scorer: SentenceScorer, report: Callable[[float], None]
) -> np.ndarray:
    """The model's score of each sentence it reads (0 for the others, which are scored by
    language_neutral instead). A score does not depend on the sentences scored with it, so each
    distinct sentence is scored once and its repeats (a digest's recurring lines) share the score."""
    distinct: dict[str, int] = {}
    for span, sentence_language in zip(spans, languages, strict=True):
        if model_reads(sentence_language):
            distinct.setdefault(span.text, len(distinct))
    texts = list(distinct)
    batches = [np.zeros(0, dtype=np.float32)]
    for first in range(0, len(texts), SCORE_BATCH):
        batches.append(np.asarray(scorer.score(texts[first : first + SCORE_BATCH]), dtype=np.float32))
        report(SCORED_AT * min(1.0, (first + SCORE_BATCH) / len(texts)))
    distinct_scores = np.concatenate(batches)
    return np.array(
        [distinct_scores[distinct[span.text]] if span.text in distinct else 0.0 for span in spans], dtype=np.float32
    )


def entity_annotations(
    mentions: list[EntityMention], *, sentence_start: int, dates: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A sentence's entity mentions as annotations with article offsets, and its dates with the
    recogniser's DATE mentions that the rule-based finder missed added (without a resolved value)."""
    entity_dicts: list[dict[str, Any]] = []
    dates = list(dates)
    for mention in mentions:
        start, end = sentence_start + mention.start, sentence_start + mention.end
        if mention.label == "DATE":
            if not any(start < date["end"] and date["start"] < end for date in dates):
                dates.append({"text": mention.text, "start": start, "end": end, "value": None})
            continue
        entity_dicts.append({"text": mention.text, "label": mention.label, "start": start, "end": end})
    dates.sort(key=lambda date: date["start"])
    return entity_dicts, dates


class _EntityCache:
    """Entity mentions by sentence, recognised once per distinct sentence text (offsets are
    relative to the sentence, so a repeated sentence shares them)."""

    def __init__(self, spans: list[SentenceSpan], *, enabled: bool) -> None:
        self._spans = spans
        self._enabled = enabled
        self._cache: dict[str, list[EntityMention]] = {}

    def prefetch(self, indexes: list[int]) -> None:
        if not self._enabled:
            return
        missing = list(dict.fromkeys(self._spans[i].text for i in indexes if self._spans[i].text not in self._cache))
        for text, mentions in zip(missing, find_entities(missing), strict=True):
            self._cache[text] = mentions

    def get(self, index: int) -> list[EntityMention]:
        self.prefetch([index])
        return self._cache.get(self._spans[index].text, [])


def _long_quotations(text: str, spans: list[SentenceSpan]) -> list[list[int]]:
    """Indexes of the sentences inside each quotation that runs over more than one sentence."""
    starts = [span.start for span in spans]
    quotations: list[list[int]] = []
    for quote_start, quote_end in quotation_spans(text):
        first = max(0, bisect.bisect_right(starts, quote_start) - 1)
        inside = [
            index
            for index in range(first, bisect.bisect_left(starts, quote_end))
            if spans[index].start < quote_end and quote_start < spans[index].end
        ]
        if len(inside) >= 2:
            quotations.append(inside)
    return quotations


def _resolve_speakers(
    text: str, spans: list[SentenceSpan], entities: _EntityCache, long_quotations: list[list[int]]
) -> list[str | None]:
    attributions = [find_attribution(span.text) for span in spans]
    speakers: list[str | None] = [None] * len(spans)
    for index, attribution in enumerate(attributions):
        if attribution is None:
            continue
        if attribution.speaker:
            speakers[index] = attribution.speaker
            continue
        # A pronoun: the most recent named speaker, else the first person named in the
        # sentences just before ("Zelensky expressed ... “…,” he wrote").
        for previous in range(index - 1, max(-1, index - 1 - PRONOUN_LOOKBACK), -1):
            if speakers[previous]:
                speakers[index] = speakers[previous]
                break
            # A PERSON span longer than the speaker column is a recogniser misfire, not a name.
            persons = [
                mention.text
                for mention in entities.get(previous)
                if mention.label == "PERSON" and len(mention.text) <= MAX_SPEAKER_CHARS
            ]
            if persons:
                speakers[index] = persons[0]
                break

    # A quotation running over several sentences has its attribution in one of them (usually
    # the last); every sentence inside it is that speaker's.
    for inside in long_quotations:
        speaker = next((speakers[index] for index in reversed(inside) if speakers[index]), None)
        for index in inside:
            if speakers[index] is None:
                speakers[index] = speaker

    # News style: an unattributed quotation right after a speaker's sentence, in the same
    # paragraph, is that speaker going on ("“…,” Biden said. “Nobody thought we could do it.”").
    for index in range(1, len(spans)):
        same_paragraph = "\n" not in text[spans[index - 1].end : spans[index].start]
        if speakers[index] is None and same_paragraph and is_wholly_quoted(spans[index].text):
            speakers[index] = speakers[index - 1]
    return speakers
