"""Matching claims in other languages: the library in the multilingual encoder's own vector space.

The English encoder (and BM25) see a Russian claim as noise. Passages are also embedded with the
multilingual encoder (one vector per passage and model version, next to the English one), and a
claim the English models cannot read is matched against them by cosine alone. A match across
languages is only ever suggested, never auto-linked: a reviewer reads it first.
"""

from __future__ import annotations

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..choices import SuggestionState, SuggestionTarget
from ..extraction.language_neutral import model_reads
from ..models import Claim, MultilingualPassageVector, SourcePassage, Suggestion
from ..similarity.index import top_k_rows
from ..similarity.multilingual import get_multilingual_embedder
from ..similarity.text import clean_query

METHOD = "multilingual"
EMBED_CHUNK = 512


def passages_embed_multilingual(*, passage_ids: list[int]) -> int:
    """Give the passages a vector of the current multilingual model where they lack one."""
    if not settings.SIMILARITY_MULTILINGUAL:
        return 0
    embedder = get_multilingual_embedder()
    done = set(
        MultilingualPassageVector.objects.filter(
            passage_id__in=passage_ids, model_version=embedder.model_version
        ).values_list("passage_id", flat=True)
    )
    pending = [
        (passage_id, text)
        for passage_id, text in SourcePassage.objects.filter(pk__in=passage_ids).values_list("id", "text")
        if passage_id not in done
    ]
    for start in range(0, len(pending), EMBED_CHUNK):
        chunk = pending[start : start + EMBED_CHUNK]
        # Embedding runs outside any transaction; the rows are written in a short one.
        vectors = embedder.encode([text for _, text in chunk])
        with transaction.atomic():
            MultilingualPassageVector.objects.bulk_create(
                [
                    MultilingualPassageVector(passage_id=passage_id, model_version=embedder.model_version, embedding=v)
                    for (passage_id, _), v in zip(chunk, vectors, strict=True)
                ],
                ignore_conflicts=True,
            )
    return len(pending)


def _nearest(vector: np.ndarray, *, model_version: str, k: int) -> list[tuple[int, float]]:
    """Exact cosine search over the multilingual vectors (passages deleted since are gone with them)."""
    rows = list(
        MultilingualPassageVector.objects.filter(model_version=model_version).values_list("passage_id", "embedding")
    )
    if not rows:
        return []
    matrix = np.vstack([embedding for _, embedding in rows]).astype(np.float32)
    scores = matrix @ vector
    return [(int(rows[row][0]), float(scores[row])) for row in top_k_rows(scores, k)]


def claim_suggest_multilingual(*, claim_id: int) -> int:
    """Suggest passages in any language for a claim the English models cannot read. Upserts on
    (claim, passage, model version) like the English job; a reviewer's decision stands."""
    claim = Claim.objects.filter(pk=claim_id).first()
    if claim is None or not settings.SIMILARITY_MULTILINGUAL or model_reads(claim.language):
        return 0
    embedder = get_multilingual_embedder()
    vector = embedder.encode([clean_query(claim.text)])[0]
    suggest = settings.SIMILARITY_THRESHOLDS[METHOD]["suggest"]
    hits = [
        (passage_id, cosine)
        for passage_id, cosine in _nearest(vector, model_version=embedder.model_version, k=settings.SIMILARITY_TOP_K)
        if cosine >= suggest
    ]
    with transaction.atomic():
        existing = {
            suggestion.target_passage_id: suggestion
            for suggestion in Suggestion.objects.select_for_update().filter(
                claim=claim, model_version=embedder.model_version, target_passage_id__in=[pid for pid, _ in hits]
            )
        }
        new, changed = [], []
        for passage_id, cosine in hits:
            scores = {"fused": round(cosine, 6), METHOD: round(cosine, 6), "language": claim.language}
            suggestion = existing.get(passage_id)
            if suggestion is None:
                new.append(
                    Suggestion(
                        claim=claim,
                        target_kind=SuggestionTarget.PASSAGE,
                        target_passage_id=passage_id,
                        scores=scores,
                        fused_score=cosine,
                        model_version=embedder.model_version,
                        state=SuggestionState.PENDING,
                    )
                )
            else:
                suggestion.scores, suggestion.fused_score, suggestion.updated_at = scores, cosine, timezone.now()
                changed.append(suggestion)
        Suggestion.objects.bulk_create(new, ignore_conflicts=True)
        Suggestion.objects.bulk_update(changed, ["scores", "fused_score", "updated_at"])
    return len(hits)


def sources_without_multilingual_vectors() -> list[int]:
    """Sources with a passage lacking a vector of the current multilingual model (stored before the
    model was switched on or changed, or its job was lost): the sweep job embeds them."""
    if not settings.SIMILARITY_MULTILINGUAL:
        return []
    version = get_multilingual_embedder().model_version
    embedded = MultilingualPassageVector.objects.filter(model_version=version).values("passage_id")
    return list(
        SourcePassage.objects.exclude(pk__in=embedded)
        .order_by("source_id")
        .values_list("source_id", flat=True)
        .distinct()
    )
