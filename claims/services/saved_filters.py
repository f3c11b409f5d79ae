"""A reviewer's saved queue filters: a name for a query string of the queue page."""

from __future__ import annotations

from django.db import IntegrityError, router, transaction

from ..errors import InvalidInputError, NotFoundError
from ..models import SavedFilter
from ..roles import User, require_reviewer
from ..statements import rows_for_id

MAX_NAME_CHARS = 100
MAX_QUERY_CHARS = 1000


def saved_filter_rows_for_user(*, user: User) -> list[dict[str, object]]:
    """The user's saved filters by name, as the queue's sidebar shows them (on every queue page):
    the id, name and query of each."""
    require_reviewer(user)
    rows = rows_for_id(
        "saved filters",
        using=router.db_for_read(SavedFilter),
        build=lambda user_id: (
            SavedFilter.objects.filter(user=user_id).order_by("name").values_list("pk", "name", "query")
        ),
        id=user.pk,
    )
    return [{"pk": pk, "name": name, "query": query} for pk, name, query in rows]


def saved_filter_save(*, user: User, name: str, query: str) -> SavedFilter:
    """Store ``query`` under ``name``; saving again under a name the user already has replaces its query."""
    require_reviewer(user)
    name = name.strip()
    query = query.strip().lstrip("?")
    if not name:
        raise InvalidInputError("Give the filter a name.")
    if len(name) > MAX_NAME_CHARS or len(query) > MAX_QUERY_CHARS:
        raise InvalidInputError(
            f"A filter name is limited to {MAX_NAME_CHARS} characters and its query to {MAX_QUERY_CHARS}."
        )
    try:
        with transaction.atomic():
            saved, _ = SavedFilter.objects.update_or_create(user=user, name=name, defaults={"query": query})
    except IntegrityError:
        # Two tabs saved the same name at once; the other one won, so take its row and update it.
        saved = SavedFilter.objects.get(user=user, name=name)
        saved.query = query
        saved.save(update_fields=["query"])
    return saved


def saved_filter_delete(*, user: User, saved_filter_id: int) -> None:
    require_reviewer(user)
    deleted, _ = SavedFilter.objects.filter(pk=saved_filter_id, user=user).delete()
    if not deleted:
        raise NotFoundError("Saved filter not found.", saved_filter_id=saved_filter_id)
