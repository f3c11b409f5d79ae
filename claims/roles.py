"""Who may do what. Roles are Django groups; superusers hold every role. Every entry point asks here."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, Group
from django.contrib.auth.models import User as User
from django.db import DEFAULT_DB_ALIAS

from .choices import Role
from .errors import PermissionDeniedError
from .statements import rows_for_id

# Services act for a signed-in `User` (they record who acted); the role checks below also take the
# anonymous user a request may carry, and refuse it.
AnyUser = User | AnonymousUser


def user_roles(user: AnyUser) -> set[str]:
    if not user or not user.is_authenticated:
        return set()
    if getattr(user, "is_superuser", False):
        return {Role.REVIEWER, Role.EDITOR, Role.ADMIN}
    cached = getattr(user, "_workbench_roles", None)
    if cached is None:
        cached = _group_names(user) & {r.value for r in Role}
        # An editor can do everything a reviewer can; an admin everything an editor can.
        if Role.ADMIN in cached:
            cached |= {Role.EDITOR, Role.REVIEWER}
        if Role.EDITOR in cached:
            cached.add(Role.REVIEWER)
        user._workbench_roles = cached  # type: ignore[attr-defined]  # a per-request cache
    return cached


def _group_names(user: User) -> set[str]:
    """``set(user.groups.values_list("name", flat=True))``, read on every page."""
    rows = rows_for_id(
        "group names",
        using=user._state.db or DEFAULT_DB_ALIAS,
        build=lambda user_id: Group.objects.filter(user=user_id).values_list("name"),
        id=user.pk,
    )
    return {name for (name,) in rows}


def can_review(user: AnyUser) -> bool:
    return Role.REVIEWER in user_roles(user)


def can_edit(user: AnyUser) -> bool:
    return Role.EDITOR in user_roles(user)


def can_administer(user: AnyUser) -> bool:
    return Role.ADMIN in user_roles(user)


def require_reviewer(user: AnyUser) -> None:
    if not can_review(user):
        raise PermissionDeniedError("Only reviewers, editors and admins can do this.")


def require_editor(user: AnyUser) -> None:
    if not can_edit(user):
        raise PermissionDeniedError("Only editors and admins can do this.")
