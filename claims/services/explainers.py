"""Explainers: reusable context articles ("How a U.S. presidential term works") that reviewers
write once and attach to every claim they help explain. Attaching or detaching one changes what
readers and exports see of a claim, so it counts as a change of the claim (its updated_at moves,
and incremental exports and the feeds pick it up)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from ..errors import InvalidInputError, NotFoundError
from ..extraction import fetch as guarded_fetch
from ..extraction.errors import UnsafeUrlError
from ..models import Claim, Explainer
from ..roles import User, require_reviewer

MAX_TITLE_CHARS = 300
MAX_BODY_CHARS = 50_000
MAX_SOURCES = 20


def _clean_sources(sources: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for url in sources:
        url = str(url).strip()
        if not url:
            continue
        try:
            guarded_fetch._check_scheme(url)
        except UnsafeUrlError as error:
            raise InvalidInputError(f"A source must be an http(s) link: {error}", url=url[:200]) from None
        if len(url) > 2000:
            raise InvalidInputError("A source link is limited to 2000 characters.")
        if url not in cleaned:
            cleaned.append(url)
    if len(cleaned) > MAX_SOURCES:
        raise InvalidInputError(f"An explainer lists at most {MAX_SOURCES} sources.")
    return cleaned


def _clean_text(title: str, body: str) -> tuple[str, str]:
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise InvalidInputError("An explainer needs a title and a body.")
    if len(title) > MAX_TITLE_CHARS or len(body) > MAX_BODY_CHARS:
        raise InvalidInputError(f"Title and body are limited to {MAX_TITLE_CHARS} and {MAX_BODY_CHARS} characters.")
    return title, body


def _touch_claims(claim_ids: Iterable[int]) -> None:
    Claim.objects.filter(pk__in=list(claim_ids)).update(updated_at=timezone.now())


def explainer_create(*, user: User, title: str, body: str, sources: Iterable[str] = ()) -> Explainer:
    require_reviewer(user)
    title, body = _clean_text(title, body)
    return Explainer.objects.create(
        title=title, body=body, sources=_clean_sources(sources), created_by=user if user.is_authenticated else None
    )


def explainer_update(
    *,
    user: User,
    explainer_id: int,
    title: str | None = None,
    body: str | None = None,
    sources: Iterable[str] | None = None,
) -> Explainer:
    require_reviewer(user)
    with transaction.atomic():
        explainer = Explainer.objects.select_for_update().filter(pk=explainer_id).first()
        if explainer is None:
            raise NotFoundError("Explainer not found.", explainer_id=explainer_id)
        explainer.title, explainer.body = _clean_text(
            explainer.title if title is None else title, explainer.body if body is None else body
        )
        if sources is not None:
            explainer.sources = _clean_sources(sources)
        explainer.save()
        _touch_claims(explainer.claims.values_list("pk", flat=True))
    return explainer


def explainer_attach(*, user: User, explainer_id: int, claim_ids: Iterable[int]) -> Explainer:
    """Attach to claims (already attached ones are left as they are)."""
    require_reviewer(user)
    claim_ids = sorted(set(claim_ids))
    with transaction.atomic():
        explainer = Explainer.objects.select_for_update().filter(pk=explainer_id).first()
        if explainer is None:
            raise NotFoundError("Explainer not found.", explainer_id=explainer_id)
        found = set(Claim.objects.filter(pk__in=claim_ids).values_list("pk", flat=True))
        missing = [pk for pk in claim_ids if pk not in found]
        if missing:
            raise NotFoundError("Claim not found.", claim_ids=missing)
        explainer.claims.add(*claim_ids)
        _touch_claims(claim_ids)
    return explainer


def explainer_detach(*, user: User, explainer_id: int, claim_ids: Iterable[int]) -> Explainer:
    require_reviewer(user)
    claim_ids = sorted(set(claim_ids))
    with transaction.atomic():
        explainer = Explainer.objects.select_for_update().filter(pk=explainer_id).first()
        if explainer is None:
            raise NotFoundError("Explainer not found.", explainer_id=explainer_id)
        explainer.claims.remove(*claim_ids)
        _touch_claims(claim_ids)
    return explainer


def explainer_delete(*, user: User, explainer_id: int) -> None:
    require_reviewer(user)
    with transaction.atomic():
        explainer = Explainer.objects.select_for_update().filter(pk=explainer_id).first()
        if explainer is None:
            raise NotFoundError("Explainer not found.", explainer_id=explainer_id)
        _touch_claims(explainer.claims.values_list("pk", flat=True))
        explainer.delete()
