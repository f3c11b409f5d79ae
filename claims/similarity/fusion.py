"""Fusing the rankings of several matching methods (dense cosine, BM25) into one.

Two ways, both pure functions over {method: scores}:
- reciprocal rank fusion (Cormack et al., 2009): needs no score calibration, only ranks;
- weighted score fusion: per-query normalised scores, summed with weights tuned on dev data.
Ties are broken by id so a ranking never depends on dict or hash order.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

RRF_K = 60.0
NORMALISATIONS = ("none", "max", "minmax")


def _sorted_by_score(fused: Mapping[Hashable, float]) -> list[tuple[Hashable, float]]:
    return sorted(fused.items(), key=lambda item: (-item[1], str(item[0])))


def reciprocal_rank_fusion(
    rankings: Mapping[str, Sequence[Hashable]],
    *,
    k: float = RRF_K,
    weights: Mapping[str, float] | None = None,
) -> list[tuple[Hashable, float]]:
    """score(d) = Σ_method weight_method / (k + rank_method(d)), ranks starting at 1.

    A document missing from a method's ranking gets nothing from that method.
    """
    if k < 0:
        raise ValueError("The RRF constant k must not be negative.")
    fused: dict[Hashable, float] = {}
    for method, ranking in rankings.items():
        weight = 1.0 if weights is None else weights.get(method, 0.0)
        if weight == 0.0:
            continue
        for rank, document_id in enumerate(ranking, start=1):
            fused[document_id] = fused.get(document_id, 0.0) + weight / (k + rank)
    return _sorted_by_score(fused)


def normalise_scores(scores: Mapping[Hashable, float], *, method: str) -> dict[Hashable, float]:
    """Bring one query's scores of one method onto a comparable scale.

    "max" divides by the best score (BM25 scores grow with query length; the best match keeps 1),
    "minmax" maps the candidates onto [0, 1], "none" keeps raw scores (cosines are already comparable).
    """
    if method not in NORMALISATIONS:
        raise ValueError(f"Unknown normalisation {method!r}; expected one of {NORMALISATIONS}.")
    if not scores or method == "none":
        return dict(scores)
    highest = max(scores.values())
    if method == "max":
        if highest <= 0:
            return {document_id: 0.0 for document_id in scores}
        return {document_id: value / highest for document_id, value in scores.items()}
    lowest = min(scores.values())
    spread = highest - lowest
    if spread == 0:
        return {document_id: 1.0 for document_id in scores}
    return {document_id: (value - lowest) / spread for document_id, value in scores.items()}


def weighted_score_fusion(
    scores: Mapping[str, Mapping[Hashable, float]],
    *,
    weights: Mapping[str, float],
    normalisation: Mapping[str, str] | None = None,
) -> list[tuple[Hashable, float]]:
    """score(d) = Σ_method weight_method · normalised_score_method(d).

    Every method should score the same candidate set (the union of the methods' candidates);
    a document a method did not score counts as 0 for that method.
    """
    fused: dict[Hashable, float] = {}
    for method, method_scores in scores.items():
        weight = weights.get(method, 0.0)
        if weight == 0.0:
            continue
        how = (normalisation or {}).get(method, "none")
        for document_id, value in normalise_scores(method_scores, method=how).items():
            fused[document_id] = fused.get(document_id, 0.0) + weight * value
    for method_scores in scores.values():
        for document_id in method_scores:
            fused.setdefault(document_id, 0.0)
    return _sorted_by_score(fused)
