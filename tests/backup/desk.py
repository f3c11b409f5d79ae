"""A small desk with a row in every table a backup carries, made through the services so the
history tables fill the way they do in use; and a field-by-field snapshot to compare restores with."""

from __future__ import annotations

from typing import Any

import numpy as np
from django.contrib.auth import get_user_model
from django.db import models

from claims.choices import Stance, SuggestionTarget
from claims.models import (
    Article,
    Claim,
    Evidence,
    Finding,
    Rating,
    Source,
    SourcePassage,
    Suggestion,
    Verdict,
)
from claims.services import review, verdicts
from claims.services.backup import backed_up_models
from claims.services.evidence import evidence_add
from tests.factories import ClaimFactory, SourceFactory, SourcePassageFactory, UserFactory, rating


def build_desk() -> None:
    reviewer = UserFactory(username="backup_reviewer", roles=["reviewer"])
    editor = UserFactory(username="backup_editor", roles=["editor"])
    UserFactory(username="bystander_without_data")
    rng = np.random.default_rng(3)
    source = SourceFactory(title="Labour force survey, 2025", added_by=editor)
    passage = SourcePassageFactory(source=source, embedding=rng.random(384, dtype=np.float32), embedding_model="m1")
    claims = [
        ClaimFactory(
            text=f"Unemployment fell by {n} percent in 2024, the minister said.",
            speaker="The minister",
            claim_types=["statistic"],
            entities=[{"text": "minister", "label": "ROLE"}],
            dates=["2024"],
            checkworthiness=0.5 + n / 10,
            embedding=rng.random(384, dtype=np.float32),
            embedding_model="m1",
        )
        for n in range(4)
    ]
    # Published: a verdict through draft, approval and publication, with evidence.
    held = review.review_take(user=reviewer, claim_id=claims[0].pk)
    evidence_add(
        user=reviewer,
        claim_id=held.pk,
        source_id=source.pk,
        passage_id=passage.pk,
        stance=Stance.REFUTES,
        excerpt="Unemployment fell by 2 percent",
        note="National statistics",
    )
    verdicts.verdict_draft(
        user=reviewer,
        claim_id=held.pk,
        rating=rating("Inaccurate"),
        explanation="It fell by 2 percent.",
        corrected_statement="Unemployment fell by 2 percent.",
    )
    verdicts.verdict_approve(user=editor, claim_id=held.pk)
    verdicts.verdict_publish(user=editor, claim_id=held.pk)
    # Drafted and sent back, so the verdict history has several versions.
    review.review_take(user=reviewer, claim_id=claims[1].pk)
    verdicts.verdict_draft(user=reviewer, claim_id=claims[1].pk, rating=rating("Misleading"), explanation="Partly.")
    verdicts.verdict_send_back(user=editor, claim_id=claims[1].pk, comment="Cite the survey.")
    # Held under a lease at backup time.
    review.review_take(user=reviewer, claim_id=claims[2].pk)
    Suggestion.objects.create(
        claim=claims[3],
        target_kind=SuggestionTarget.PASSAGE,
        target_passage=passage,
        scores={"dense": 0.81, "bm25": 4.2},
        fused_score=0.034,
        model_version="m1",
    )
    Suggestion.objects.create(
        claim=claims[3],
        target_kind=SuggestionTarget.CLAIM,
        target_claim=claims[0],
        scores={"dense": 0.9},
        fused_score=0.03,
        model_version="m1",
        decided_by=editor,
    )
    Finding.objects.create(
        claim=claims[3],
        check_name="role_in_office",
        span_text="minister",
        start=30,
        end=38,
        message="Check the office.",
        suggested_rating=rating("Outdated"),
        data={"office": "Minister"},
    )


def _comparable(model_field: models.Field, value: Any, usernames: dict[int, str]) -> Any:
    if isinstance(value, np.ndarray):
        return value.astype("<f4").tobytes()
    if (
        isinstance(model_field, models.ForeignKey)
        and model_field.related_model is get_user_model()
        and value is not None
    ):
        return ("user", usernames[value])
    return value


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table a backup carries, field by field, users named instead of numbered
    (a restore may give a user another id)."""
    usernames = dict(get_user_model().objects.values_list("pk", "username"))
    tables: dict[str, list[dict[str, Any]]] = {}
    for model in backed_up_models():
        fields = model._meta.concrete_fields
        tables[model._meta.label_lower] = [
            {f.attname: _comparable(f, f.value_from_object(row), usernames) for f in fields}
            for row in model._base_manager.order_by("pk")
        ]
    return tables


def users_snapshot(names: set[str]) -> dict[str, tuple[Any, ...]]:
    users = get_user_model().objects.filter(username__in=names).prefetch_related("groups")
    return {
        user.username: (
            user.email,
            user.password,
            user.is_staff,
            user.is_superuser,
            user.date_joined,
            sorted(group.name for group in user.groups.all()),
        )
        for user in users
    }


def referenced_usernames(tables: dict[str, list[dict[str, Any]]]) -> set[str]:
    return {
        value[1]
        for rows in tables.values()
        for row in rows
        for value in row.values()
        if isinstance(value, tuple) and len(value) == 2 and value[0] == "user"
    }


def empty_the_desk() -> None:
    """Remove every row a backup carries, and the users, as a new installation would lack them.
    History goes last: deleting claims, verdicts and evidence writes history rows of its own."""
    for model in (Evidence, Verdict, Suggestion, Finding, Claim, Article, SourcePassage, Source):
        model._base_manager.all().delete()
    for model in backed_up_models():
        if model not in (Rating,):
            model._base_manager.all().delete()
    get_user_model().objects.all().delete()
