"""One claim, many appearances: a sentence that repeats a claim already at the desk is recorded
where it was seen instead of becoming a new queue item; reviewers split a wrongly grouped
appearance off into a claim of its own, or merge two claims."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from ..choices import ClaimStatus
from ..errors import ClaimStateError, InvalidInputError, NotFoundError
from ..extraction.pipeline import CandidateClaim
from ..extraction.text import claim_key
from ..extraction.timing import StageSeconds, timed
from ..models import Appearance, Claim
from ..roles import User, require_reviewer
from ..similarity.embedder import get_embedder
from ..similarity.text import clean_query
from .copy_rows import rows_copy_create
from .jobs import job_queue_after_commit
from .vector_stores import SEARCH_SETTINGS_SQL, vector_literal

# Looked up in slices, to keep each IN list short.
_KEY_BATCH = 500
# Once a verdict is approved or published it speaks for the claim's appearances as they stand.
_FROZEN = (ClaimStatus.APPROVED, ClaimStatus.PUBLISHED)


@dataclass
class Grouping:
    """What becomes of one candidate sentence of an article being stored."""

    candidate: CandidateClaim
    key: str
    # The claim at the desk it repeats, or the earlier sentence of the same article it repeats
    # (its index), or neither: a new claim.
    claim_id: int | None = None
    earlier: int | None = None
    match: str = "first"
    similarity: float | None = None
    vector: np.ndarray | None = None

    @property
    def is_new(self) -> bool:
        return self.claim_id is None and self.earlier is None


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(days=settings.APPEARANCE_WINDOW_DAYS)


def appearances_group(
    *,
    candidates: list[CandidateClaim],
    vectors: dict[int, np.ndarray] | None = None,
    stages: StageSeconds | None = None,
) -> list[Grouping]:
    """Decide, for each candidate, whether it repeats a claim seen within APPEARANCE_WINDOW_DAYS or an
    earlier sentence of the same article: word for word (after normalising quotation marks, case and
    whitespace), or, for check-worthy sentences, with a cosine of at least APPEARANCE_SIMILARITY.
    Reads only; embeds the check-worthy sentences that stay new (their vectors are stored with them),
    unless ``vectors`` (by candidate index) already has them."""
    groupings = [Grouping(candidate=candidate, key=claim_key(candidate.text)) for candidate in candidates]
    since = _window_start()
    keys = sorted({grouping.key for grouping in groupings})
    known: dict[str, int] = {}
    for first in range(0, len(keys), _KEY_BATCH):
        rows = (
            Claim.objects.filter(text_key__in=keys[first : first + _KEY_BATCH], created_at__gte=since)
            .filter(merged_into__isnull=True)
            .order_by("id")
            .values_list("text_key", "id")
        )
        for key, claim_id in rows:
            known.setdefault(key, claim_id)
    first_of_key: dict[str, int] = {}
    for index, grouping in enumerate(groupings):
        if grouping.key in known:
            grouping.claim_id, grouping.match = known[grouping.key], "exact"
        elif grouping.key in first_of_key:
            grouping.earlier, grouping.match = first_of_key[grouping.key], "exact"
        else:
            first_of_key[grouping.key] = index
    _group_similar(groupings, since=since, vectors=vectors, stages=stages)
    return groupings


# Any fixed number: the key of the PostgreSQL advisory lock that serialises storing new claims.
_STORE_LOCK = 7_310_017


def appearances_lock_and_recheck(groupings: list[Grouping]) -> None:
    """Call inside the transaction that stores an article's claims, before writing them. Takes a lock
    that serialises that step across workers (SQLite serialises writers anyway), then looks again
    for the word-for-word repeats among the sentences still new: another worker may have stored the
    same wire quote since ``appearances_group`` looked, and two queue items for it must not follow."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_STORE_LOCK])
    new = {grouping.key for grouping in groupings if grouping.is_new}
    if not new:
        return
    known: dict[str, int] = {}
    keys = sorted(new)
    for first in range(0, len(keys), _KEY_BATCH):
        rows = (
            Claim.objects.filter(text_key__in=keys[first : first + _KEY_BATCH], created_at__gte=_window_start())
            .filter(merged_into__isnull=True)
            .order_by("id")
            .values_list("text_key", "id")
        )
        for key, claim_id in rows:
            known.setdefault(key, claim_id)
    for grouping in groupings:
        if grouping.key not in known:
            continue
        if grouping.is_new:
            grouping.claim_id, grouping.match, grouping.vector = known[grouping.key], "exact", None
        elif grouping.earlier is not None and groupings[grouping.earlier].claim_id is not None:
            # It repeated a sentence of this article that now turned out to be a repeat itself.
            grouping.claim_id, grouping.earlier = groupings[grouping.earlier].claim_id, None


# Rows of the article's sentences compared with the queue's claims at a time: a 1 MiB article has
# thousands of check-worthy sentences, and all of them against a fortnight's claims at once would
# take gigabytes.
_SCORE_ROWS = 256


def _group_similar(
    groupings: list[Grouping],
    *,
    since: dt.datetime,
    vectors: dict[int, np.ndarray] | None = None,
    stages: StageSeconds | None = None,
) -> None:
    """Near-duplicates of check-worthy sentences, by the claim encoder: against the queue's recent
    claims (which carry vectors of the same model), then against the article's earlier sentences.
    ``vectors``: encodings already made (by candidate index), of clean_query(text) as here."""
    new = [index for index, grouping in enumerate(groupings) if grouping.is_new and grouping.candidate.is_checkworthy]
    if not new:
        return
    embedder = get_embedder()
    given = vectors or {}
    missing = [index for index in new if index not in given]
    with timed(stages, "embed"):
        texts = [clean_query(groupings[index].candidate.text) for index in missing]
        encoded = dict(zip(missing, embedder.encode(texts), strict=True))
    for index in new:
        groupings[index].vector = given[index] if index in given else encoded[index]
    vectors_new = np.vstack([_vector(groupings[index]) for index in new]).astype(np.float32, copy=False)
    with timed(stages, "near duplicates at the desk"):
        _group_with_desk(groupings, new, vectors_new, since=since, model_version=embedder.model_version)
    with timed(stages, "near duplicates in the article"):
        _group_within_article(groupings, new, vectors_new)


def _group_with_desk(
    groupings: list[Grouping], new: list[int], vectors_new: np.ndarray, *, since: dt.datetime, model_version: str
) -> None:
    """Near-duplicates of the new sentences among the queue's recent claims: each new sentence goes
    with its most similar claim of the window if the cosine reaches APPEARANCE_SIMILARITY."""
    threshold = settings.APPEARANCE_SIMILARITY
    if connection.vendor == "postgresql" and _index_search_pays(len(new), since=since, model_version=model_version):
        best = desk_nearest_pgvector(vectors_new, since=since, model_version=model_version)
    else:
        best = desk_nearest_numpy(vectors_new, since=since, model_version=model_version)
    for row, index in enumerate(new):
        if row in best and best[row][1] >= threshold:
            grouping = groupings[index]
            grouping.claim_id, grouping.match, grouping.similarity = best[row][0], "similar", best[row][1]


# One sentence searched through the index costs about what reading this many claims' vectors does
# (``bench_grouping``: 3 to 7 ms against 0.18 ms). Reading the window is cheaper for a small desk, or
# for an article with thousands of new sentences (a 1 MiB digest), whose cost the read does not grow.
_INDEX_SEARCH_COST = 20


def _index_search_pays(count_new: int, *, since: dt.datetime, model_version: str) -> bool:
    enough = count_new * _INDEX_SEARCH_COST
    window = _desk_pool().filter(created_at__gte=since, embedding_model=model_version)
    # Counted up to what decides, so that a large window is not counted in full.
    return window[:enough].count() >= enough


def _desk_pool() -> QuerySet[Claim]:
    """The claims a new sentence may repeat, before the window and model filters."""
    return (
        Claim.objects.filter(merged_into__isnull=True)
        .exclude(status=ClaimStatus.CANDIDATE)
        .exclude(embedding__isnull=True)
    )


def desk_nearest_numpy(
    vectors_new: np.ndarray, *, since: dt.datetime, model_version: str
) -> dict[int, tuple[int, float]]:
    """Exact search: every vector of the window is read and compared. Returns, by row of
    ``vectors_new``, the most similar claim of the window and the cosine."""
    pool = list(
        _desk_pool().filter(created_at__gte=since, embedding_model=model_version).values_list("id", "embedding")
    )
    best: dict[int, tuple[int, float]] = {}
    if not pool:
        return best
    matrix = np.vstack([np.asarray(vector, dtype=np.float32) for _, vector in pool])
    for first in range(0, len(vectors_new), _SCORE_ROWS):
        scores = vectors_new[first : first + _SCORE_ROWS] @ matrix.T
        columns = scores.argmax(axis=1)
        for row, column in enumerate(columns):
            best[first + row] = (pool[int(column)][0], float(scores[row, column]))
    return best


# Nearest claims fetched per new sentence: with the iterative scan's relaxed order the index may
# hand back a slightly farther claim first, so a few are taken and the best of them kept.
_DESK_NEIGHBOURS = 5
# New sentences searched per statement.
_DESK_ROWS = 500

# One statement for all of an article's new sentences: each is searched through the HNSW index
# (ORDER BY distance LIMIT k), among the window's claims only; the iterative scan (pgvector 0.8)
# keeps walking the graph while the filter turns candidates down, so it cannot empty the result.
DESK_NEAREST_SQL = f"""
WITH new_sentence AS (
    SELECT u.position, u.literal::vector AS vector
    FROM unnest(%s::text[]) WITH ORDINALITY AS u(literal, position)
)
SELECT new_sentence.position, nearest.id, 1 - nearest.distance
FROM new_sentence CROSS JOIN LATERAL (
    SELECT c.id, c.embedding <=> new_sentence.vector AS distance
    FROM {Claim._meta.db_table} c
    WHERE c.created_at >= %s AND c.embedding_model = %s AND c.merged_into_id IS NULL
      AND c.status <> %s AND c.embedding IS NOT NULL
    ORDER BY c.embedding <=> new_sentence.vector
    LIMIT {_DESK_NEIGHBOURS}
) AS nearest
"""


def desk_nearest_pgvector(
    vectors_new: np.ndarray, *, since: dt.datetime, model_version: str
) -> dict[int, tuple[int, float]]:
    """As ``desk_nearest_numpy``, searched by PostgreSQL through the HNSW index on the claims'
    vectors, with the library search's settings (SIMILARITY_HNSW_EF_SEARCH, iterative scan) made
    for this transaction only. Approximate: ``bench_grouping`` measures how often it agrees."""
    rows: list[tuple[int, int, float]] = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(SEARCH_SETTINGS_SQL, [str(int(settings.SIMILARITY_HNSW_EF_SEARCH)), True, True])
        # A 1 MiB article has thousands of new sentences: a statement takes a bounded share of them.
        for first in range(0, len(vectors_new), _DESK_ROWS):
            literals = [vector_literal(vector) for vector in vectors_new[first : first + _DESK_ROWS]]
            cursor.execute(DESK_NEAREST_SQL, [literals, since, model_version, ClaimStatus.CANDIDATE.value])
            rows += [(first + position, claim_id, similarity) for position, claim_id, similarity in cursor.fetchall()]
    best: dict[int, tuple[int, float]] = {}
    # Highest similarity first, then the lowest id, whatever order the index handed them in.
    for position, claim_id, similarity in sorted(rows, key=lambda row: (row[0], -row[2], row[1])):
        best.setdefault(int(position) - 1, (int(claim_id), float(similarity)))
    return best


def _group_within_article(groupings: list[Grouping], new: list[int], vectors_new: np.ndarray) -> None:
    """Near-duplicates of the new sentences among the article's earlier ones: each sentence goes with
    the most similar earlier sentence kept as a claim of its own (the first on a tie), else is kept.

    Rows are taken in blocks: one matrix product against every sentence kept before the block, then
    the few kept inside the block one by one. Sentence by sentence against all kept ones read the
    whole kept matrix again for every sentence (seconds for the thousands of a 1 MiB article)."""
    threshold = settings.APPEARANCE_SIMILARITY
    kept: list[int] = []
    kept_matrix = np.empty((len(new), vectors_new.shape[1]), dtype=np.float32)
    for first in range(0, len(new), _SCORE_ROWS):
        last = min(first + _SCORE_ROWS, len(new))
        kept_before = len(kept)
        before_block = vectors_new[first:last] @ kept_matrix[:kept_before].T if kept_before else None
        for row in range(first, last):
            grouping = groupings[new[row]]
            if grouping.claim_id is not None:
                continue
            best_value, best_position = -np.inf, -1
            if before_block is not None:
                best_position = int(before_block[row - first].argmax())
                best_value = float(before_block[row - first, best_position])
            if len(kept) > kept_before:
                inside = kept_matrix[kept_before : len(kept)] @ vectors_new[row]
                position = int(inside.argmax())
                # Strictly greater: on a tie the earlier sentence wins, as argmax over all would pick.
                if float(inside[position]) > best_value:
                    best_value, best_position = float(inside[position]), kept_before + position
            if best_position >= 0 and best_value >= threshold:
                grouping.earlier, grouping.match, grouping.similarity = kept[best_position], "similar", best_value
                continue
            kept_matrix[len(kept)] = vectors_new[row]
            kept.append(new[row])


def appearances_record(*, groupings: list[Grouping], claims_by_index: dict[int, Claim], article_id: int) -> list[int]:
    """Write the appearances of an article's sentences (the new claims' own first ones included) and
    raise the count of every claim seen again. Call inside the transaction that stored the claims.
    Returns the ids of existing claims that were seen again."""
    rows: list[Appearance] = []
    seen_again: dict[int, int] = {}
    for index, grouping in enumerate(groupings):
        if grouping.is_new:
            claim = claims_by_index[index]
        elif grouping.earlier is not None:
            claim = claims_by_index[grouping.earlier]
        else:
            claim = None
        claim_id = claim.pk if claim is not None else grouping.claim_id
        assert claim_id is not None
        if not grouping.is_new:
            seen_again[claim_id] = seen_again.get(claim_id, 0) + 1
        rows.append(
            Appearance(
                claim_id=claim_id,
                article_id=article_id,
                text=grouping.candidate.text,
                start=grouping.candidate.start,
                end=grouping.candidate.end,
                speaker=grouping.candidate.speaker or "",
                match=grouping.match,
                similarity=grouping.similarity,
            )
        )
    rows_copy_create(rows)
    # One UPDATE per distinct count (nearly always one: seen once more), not one per claim: a digest
    # repeats hundreds of its own sentences, and each UPDATE is a round trip under the store lock.
    by_count: dict[int, list[int]] = {}
    for claim_id, count in seen_again.items():
        by_count.setdefault(count, []).append(claim_id)
    for count, claim_ids in sorted(by_count.items()):
        claim_ids.sort()
        for first in range(0, len(claim_ids), _KEY_BATCH):
            Claim.objects.filter(pk__in=claim_ids[first : first + _KEY_BATCH]).update(
                appearance_count=F("appearance_count") + count
            )
    return sorted(seen_again)


def _recount(claim_ids: list[int]) -> None:
    for claim_id in claim_ids:
        Claim.objects.filter(pk=claim_id).update(
            appearance_count=max(1, Appearance.objects.filter(claim_id=claim_id).count())
        )


def _locked_claim(claim_id: int) -> Claim:
    claim = Claim.objects.select_for_update().filter(pk=claim_id).first()
    if claim is None:
        raise NotFoundError("Claim not found.", claim_id=claim_id)
    return claim


def appearance_split(*, user: User, appearance_id: int) -> Claim:
    """Take a wrongly grouped appearance off its claim into a new claim of its own, queued for review.
    The new claim starts from the sentence as seen there (with the annotations of the claim it left)."""
    require_reviewer(user)
    with transaction.atomic():
        appearance = Appearance.objects.select_related("claim").filter(pk=appearance_id).first()
        if appearance is None:
            raise NotFoundError("Appearance not found.", appearance_id=appearance_id)
        source = _locked_claim(appearance.claim_id)
        if source.status in _FROZEN:
            raise ClaimStateError(
                "The claim's verdict is approved or published: send it back or reopen it first.", claim_id=source.pk
            )
        if Appearance.objects.filter(claim=source).count() < 2:
            raise ClaimStateError("A claim's only appearance cannot be split off.", claim_id=source.pk)
        claim = Claim(
            article_id=appearance.article_id,
            text=appearance.text,
            start=appearance.start,
            end=appearance.end,
            speaker=appearance.speaker,
            claim_types=list(source.claim_types),
            checkworthiness=source.checkworthiness,
            priority=source.priority,
            status=ClaimStatus.NEW,
            text_key=claim_key(appearance.text),
            created_by=user,
        )
        claim._change_reason = f"split off from claim {source.pk}"  # type: ignore[attr-defined]
        claim.save()
        Appearance.objects.filter(pk=appearance.pk).update(claim=claim, match="first", similarity=None)
        source.version += 1
        source._change_reason = f"appearance {appearance.pk} split off into claim {claim.pk}"  # type: ignore[attr-defined]
        source.save(update_fields=["version", "updated_at"])
        _recount([source.pk, claim.pk])
        job_queue_after_commit("claims_process_new_task", [claim.pk], waiting=f"split claim {claim.pk}")
    return Claim.objects.get(pk=claim.pk)


def claim_merge(*, user: User, claim_id: int, into_claim_id: int) -> Claim:
    """Merge claim ``claim_id`` into ``into_claim_id``: its appearances move over, and it leaves the
    queue (dismissed, pointing at the claim it became part of). Returns the claim merged into."""
    require_reviewer(user)
    if claim_id == into_claim_id:
        raise InvalidInputError("A claim cannot be merged into itself.", claim_id=claim_id)
    with transaction.atomic():
        # Locked in id order, so two merges of the same pair cannot deadlock.
        locked = {pk: _locked_claim(pk) for pk in sorted((claim_id, into_claim_id))}
        merged, target = locked[claim_id], locked[into_claim_id]
        if merged.merged_into_id is not None or target.merged_into_id is not None:
            raise ClaimStateError("One of these claims was already merged into another.", claim_id=claim_id)
        if merged.status in _FROZEN or merged.status == ClaimStatus.DRAFTED:
            raise ClaimStateError(
                "The claim merged away must not have a verdict in progress; merge the other way round.",
                claim_id=claim_id,
            )
        Appearance.objects.filter(claim=merged).update(claim=target)
        merged.merged_into = target
        merged.status = ClaimStatus.DISMISSED
        merged.assignee = None
        merged.lease_expires_at = None
        merged.version += 1
        merged._change_reason = f"merged into claim {target.pk}"  # type: ignore[attr-defined]
        merged.save(update_fields=["merged_into", "status", "assignee", "lease_expires_at", "version", "updated_at"])
        target.version += 1
        target._change_reason = f"claim {merged.pk} merged in"  # type: ignore[attr-defined]
        target.save(update_fields=["version", "updated_at"])
        _recount([merged.pk, target.pk])
    return Claim.objects.get(pk=into_claim_id)


def _vector(grouping: Grouping) -> np.ndarray:
    """A new claim's vector: every grouping kept for comparison was embedded."""
    assert grouping.vector is not None
    return grouping.vector
