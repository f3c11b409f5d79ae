"""Celery tasks: thin wrappers that take ids, look the object up, and call one service.
They are idempotent, so a retry or a redelivery after a worker died is harmless."""

from __future__ import annotations

from celery import shared_task

from .services import findings as findings_services
from .services import review as review_services


@shared_task
def leases_release_expired_task() -> int:
    return review_services.leases_release_expired()


@shared_task
def claim_checks_run_task(claim_id: int) -> int:
    return len(findings_services.findings_run_for_claim(claim_id=claim_id))


@shared_task
def claims_process_new_task(claim_ids: list[int]) -> int:
    """Embed new claims and compute their suggestions (in batches: one job per article, not per claim)."""
    from .services import similarity as similarity_services

    return similarity_services.claims_process_new(claim_ids=claim_ids)
