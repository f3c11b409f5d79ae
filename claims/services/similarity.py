"""Embedding and suggestions: what the background jobs do.

Embedding is slow, so it always runs outside a transaction; results are written afterwards in a
short one. Suggestions are upserted on (claim, target, model version), so running a job twice,
or after a worker died half-way, leaves exactly one row per match, and a reviewer's decision on an
existing suggestion is never overwritten.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from ..choices import QUEUE_STATUSES, ClaimStatus, SuggestionState, SuggestionTarget
from ..extraction.language_neutral import model_reads
from ..models import Claim, SourcePassage, Suggestion
from ..selectors import claims_with_published_verdict
from ..similarity.embedder import Embedder, get_embedder
from ..similarity.lexical import LexicalRanking
from ..similarity.retrieval import DENSE_METHOD, LEXICAL_METHOD, fusion_for, hybrid_rank
from ..similarity.text import clean_query
from .factchecks import factcheck_dates_for_passages
from .lexical_stores import get_lexical_store
from .multilingual import claim_suggest_multilingual
from .vector_stores import get_vector_store

EMBED_BATCH = 64


def claims_embed(*, claim_ids: list[int]) -> int:
    """Embed the claims that have no vector from the current model. Returns how many were embedded."""
    embedder = get_embedder()
    pending = list(
        Claim.objects.filter(pk__in=claim_ids).exclude(embedding_model=embedder.model_version).values_list("id", "text")
    )
    if not pending:
        return 0
    # The same cleaned text BM25 sees: links and handles say nothing about the claim.
    vectors = embedder.encode([clean_query(text) for _, text in pending], batch_size=EMBED_BATCH)
    with transaction.atomic():
        for (claim_id, _), vector in zip(pending, vectors, strict=True):
            Claim.objects.filter(pk=claim_id).update(embedding=vector, embedding_model=embedder.model_version)
    return len(pending)


def _claim_encode(text: str, *, embedder: Embedder) -> np.ndarray:
    """One claim's vector, from the cleaned text BM25 sees, as `claims_embed` stores it."""
    vector: np.ndarray = embedder.encode([clean_query(text)], batch_size=EMBED_BATCH)[0]
    return vector


def passages_embed(*, passage_ids: list[int]) -> int:
    embedder = get_embedder()
    pending = list(
        SourcePassage.objects.filter(pk__in=passage_ids)
        .exclude(embedding_model=embedder.model_version)
        .values_list("id", "text")
    )
    for start in range(0, len(pending), 512):
        chunk = pending[start : start + 512]
        vectors = embedder.encode([text for _, text in chunk], batch_size=EMBED_BATCH)
        with transaction.atomic():
            for (passage_id, _), vector in zip(chunk, vectors, strict=True):
                SourcePassage.objects.filter(pk=passage_id).update(
                    embedding=vector, embedding_model=embedder.model_version
                )
    return len(pending)


def _hybrid(
    *,
    text: str,
    dense: list[tuple[int, float]],
    lexical: LexicalRanking,
    cosines_of: Callable[[list[int]], dict[int, float]],
    keep: int,
) -> dict[int, dict[str, float]]:
    """The `keep` best candidates by the hybrid ranking `evaluate_matching` measures
    (`retrieval.hybrid_rank`), with each method's own score, best first."""
    results = hybrid_rank(
        lexical=lexical,
        dense=dense,
        cosines_of=cosines_of,  # type: ignore[arg-type]
        keep=keep,
        fusion=fusion_for(get_embedder()),
    )
    return {
        int(result.id): {  # type: ignore[call-overload]
            "fused": round(result.score, 6),
            DENSE_METHOD: round(result.method_scores[DENSE_METHOD], 6),
            LEXICAL_METHOD: round(result.method_scores[LEXICAL_METHOD], 4),
        }
        for result in results
    }


def _stored_cosines(
    rows: QuerySet[Any], *, vector: np.ndarray, model_version: str
) -> Callable[[list[int]], dict[int, float]]:
    store = get_vector_store()

    def cosines_of(ids: list[int]) -> dict[int, float]:
        found = store.similarities(rows, vector, model_version=model_version, ids=ids)
        missing = [row_id for row_id in ids if row_id not in found]
        if missing:
            # Rows still waiting for their vector match on words alone (cosine 0); rows deleted
            # since the lexical ranking read them are left out.
            found.update({row_id: 0.0 for row_id in rows.filter(pk__in=missing).values_list("id", flat=True)})
        return found

    return cosines_of


def _decide(scores: dict[str, float]) -> str | None:
    """None: not worth showing. Otherwise the state a new suggestion starts in."""
    thresholds = settings.SIMILARITY_THRESHOLDS
    if any(scores.get(method, float("-inf")) >= limits["auto_link"] for method, limits in thresholds.items()):
        return SuggestionState.AUTO_LINKED
    if any(scores.get(method, float("-inf")) >= limits["suggest"] for method, limits in thresholds.items()):
        return SuggestionState.PENDING
    return None


def _guarded(
    state: str,
    *,
    claim: Claim,
    target_claim: Claim | None,
    scores: dict[str, float],
    factcheck_date: dt.date | None = None,
) -> str:
    if state != SuggestionState.AUTO_LINKED:
        return state
    if len(claim.text.split()) < settings.SIMILARITY_SHORT_CLAIM_WORDS:
        scores["downgraded"] = "short claim"  # type: ignore[assignment]
        return SuggestionState.PENDING
    if target_claim is not None:
        published_at = target_claim.verdict.published_at
        age_days = (timezone.now() - published_at).days if published_at else 0
        if age_days > settings.SIMILARITY_STALE_VERDICT_MONTHS * 30:
            scores["downgraded"] = "old verdict"  # type: ignore[assignment]
            return SuggestionState.PENDING
    # Another organisation's fact-check ages like the desk's own verdicts (an old one about a role
    # may itself be outdated).
    if factcheck_date is not None and (timezone.now().date() - factcheck_date).days > (
        settings.SIMILARITY_STALE_VERDICT_MONTHS * 30
    ):
        scores["downgraded"] = "old fact-check"  # type: ignore[assignment]
        return SuggestionState.PENDING
    return state


@dataclass(frozen=True)
class _Match:
    kind: str
    target_id: int
    scores: dict[str, float]
    state: str


def _upsert(*, claim: Claim, matches: list[_Match], model_version: str) -> None:
    """Write a claim's matches in three statements, whatever their number. A suggestion another job
    inserted a moment ago is left to that job (same claim, target and model: the same match)."""
    existing = {
        (suggestion.target_kind, suggestion.target_passage_id or suggestion.target_claim_id): suggestion
        for suggestion in Suggestion.objects.select_for_update().filter(claim=claim, model_version=model_version)
    }
    now = timezone.now()
    new, changed = [], []
    for match in matches:
        fused = float(match.scores.get("fused", 0.0))
        suggestion = existing.get((match.kind, match.target_id))
        if suggestion is None:
            target_field = "target_passage_id" if match.kind == SuggestionTarget.PASSAGE else "target_claim_id"
            new.append(
                Suggestion(
                    claim=claim,
                    model_version=model_version,
                    target_kind=match.kind,
                    scores=match.scores,
                    fused_score=fused,
                    state=match.state,
                    **{target_field: match.target_id},
                )
            )
            continue
        suggestion.scores, suggestion.fused_score, suggestion.updated_at = match.scores, fused, now
        # A reviewer's decision stands; only undecided suggestions follow the latest scores.
        if suggestion.state in (SuggestionState.PENDING, SuggestionState.AUTO_LINKED):
            suggestion.state = match.state
        changed.append(suggestion)
    Suggestion.objects.bulk_create(new, ignore_conflicts=True)
    Suggestion.objects.bulk_update(changed, ["scores", "fused_score", "state", "updated_at"])


def claim_suggest(*, claim_id: int) -> int:
    """Compute suggestions for one claim: source passages and earlier claims with published verdicts."""
    claim = Claim.objects.filter(pk=claim_id).first()
    if claim is None:
        return 0
    if not model_reads(claim.language) and settings.SIMILARITY_MULTILINGUAL:
        # The English encoder and BM25 score a claim they cannot read by accident (their scores would
        # outrank the real matches): it is matched in the multilingual space only.
        matched = claim_suggest_multilingual(claim_id=claim.pk)
        Claim.objects.filter(pk=claim.pk).update(suggested_at=timezone.now())
        return matched
    embedder = get_embedder()
    finished: dict[str, Any] = {}
    if claim.embedding is None or claim.embedding_model != embedder.model_version:
        vector = _claim_encode(claim.text, embedder=embedder)
        # Stored with the suggestions, in their transaction: one commit for both. A job that dies
        # before then leaves the claim unsuggested, and the sweep for such claims runs it again.
        finished.update(embedding=vector, embedding_model=embedder.model_version)
    else:
        vector = np.asarray(claim.embedding, dtype=np.float32)
    store, lexical_store, version = get_vector_store(), get_lexical_store(), embedder.model_version
    keep, pool = settings.SIMILARITY_TOP_K, max(settings.SIMILARITY_TOP_K, settings.SIMILARITY_CANDIDATES)

    text = clean_query(claim.text)
    passages = SourcePassage.objects.all()
    passage_scores = _hybrid(
        text=text,
        dense=store.nearest_passages(vector, model_version=version, k=pool),
        lexical=lexical_store.passages(text),
        cosines_of=_stored_cosines(passages, vector=vector, model_version=version),
        keep=keep,
    )
    published = claims_with_published_verdict()
    earlier = published.exclude(pk=claim.pk)
    claim_scores = _hybrid(
        text=text,
        dense=store.nearest_published_claims(vector, model_version=version, k=pool, exclude_claim_id=claim.pk),
        # The ranking covers every published claim; the claim itself is dropped from the candidates below.
        lexical=lexical_store.published_claims(text),
        cosines_of=_stored_cosines(earlier, vector=vector, model_version=version),
        keep=keep + 1,
    )
    claim_scores.pop(claim.pk, None)
    claim_scores = dict(list(claim_scores.items())[:keep])
    targets = {row.pk: row for row in earlier.filter(pk__in=claim_scores).select_related("verdict")}

    factcheck_dates = factcheck_dates_for_passages(passage_ids=passage_scores)
    matches = []
    for kind, candidates in ((SuggestionTarget.PASSAGE, passage_scores), (SuggestionTarget.CLAIM, claim_scores)):
        for target_id, scores in candidates.items():
            state = _decide(scores)
            if state is None:
                continue
            target_claim = targets.get(target_id) if kind == SuggestionTarget.CLAIM else None
            if kind == SuggestionTarget.CLAIM and target_claim is None:
                continue
            factcheck_date = factcheck_dates.get(target_id) if kind == SuggestionTarget.PASSAGE else None
            state = _guarded(
                state, claim=claim, target_claim=target_claim, scores=scores, factcheck_date=factcheck_date
            )
            matches.append(_Match(kind=kind, target_id=target_id, scores=scores, state=state))
    with transaction.atomic():
        _upsert(claim=claim, matches=matches, model_version=version)
        Claim.objects.filter(pk=claim.pk).update(suggested_at=timezone.now(), **finished)
    return len(matches)


def claims_process_new(*, claim_ids: list[int]) -> int:
    """Embed a batch of new claims, then compute their suggestions."""
    claims_embed(claim_ids=claim_ids)
    return sum(claim_suggest(claim_id=claim_id) for claim_id in claim_ids)


def open_claim_batches(*, batch_size: int | None = None) -> list[list[int]]:
    """Claims still being worked on, in batches: a new source re-matches these, one job per batch."""
    size = batch_size or settings.SIMILARITY_REMATCH_BATCH
    ids = list(
        Claim.objects.filter(status__in=(*QUEUE_STATUSES, ClaimStatus.DRAFTED))
        .order_by("id")
        .values_list("id", flat=True)
    )
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def claims_unprocessed_batches(*, older_than_seconds: int = 120) -> list[list[int]]:
    """Queued claims older than a normal job's delay that lack a vector from the current model or
    their suggestions: a job can be lost between embedding and suggesting, too."""
    cutoff = timezone.now() - dt.timedelta(seconds=older_than_seconds)
    unfinished = Q(suggested_at__isnull=True) | ~Q(embedding_model=get_embedder().model_version)
    ids = list(
        Claim.objects.filter(unfinished, status__in=QUEUE_STATUSES, created_at__lt=cutoff)
        .order_by("id")
        .values_list("id", flat=True)
    )
    return _in_batches(ids)


def sources_with_unembedded_passages() -> list[int]:
    """Sources with a passage lacking a vector from the current model: its job was lost, or the
    encoder changed since it was embedded."""
    version = get_embedder().model_version
    return list(
        SourcePassage.objects.exclude(embedding_model=version)
        .order_by("source_id")
        .values_list("source_id", flat=True)
        .distinct()
    )


def _in_batches(ids: list[int], *, size: int | None = None) -> list[list[int]]:
    size = size or settings.SIMILARITY_REMATCH_BATCH
    return [ids[start : start + size] for start in range(0, len(ids), size)]


@dataclass(frozen=True)
class PassageHit:
    passage: SourcePassage
    scores: dict[str, float]


def source_passages_search(*, query: str, k: int = 20) -> list[PassageHit]:
    """The source library's search box: the same hybrid matching as the suggestions, for free text."""
    query = query.strip()
    if not query:
        return []
    embedder = get_embedder()
    query = clean_query(query[:2000])
    vector = embedder.encode([query])[0]
    passages = SourcePassage.objects.all()
    scores = _hybrid(
        text=query,
        dense=get_vector_store().nearest_passages(
            vector, model_version=embedder.model_version, k=max(k, settings.SIMILARITY_CANDIDATES)
        ),
        lexical=get_lexical_store().passages(query),
        cosines_of=_stored_cosines(passages, vector=vector, model_version=embedder.model_version),
        keep=k,
    )
    ranked = sorted(scores.items(), key=lambda item: -item[1]["fused"])
    found = SourcePassage.objects.select_related("source").in_bulk([passage_id for passage_id, _ in ranked])
    return [PassageHit(found[pid], s) for pid, s in ranked if pid in found]
