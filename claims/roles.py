"""Who may do what. Roles are Django groups; superusers hold every role. Every entry point asks here."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, Group
from django.contrib.auth.models import User as User
from django.db import DEFAULT_DB_ALIAS, connections

from .choices import Role
from .errors import PermissionDeniedError

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


# Per database: the SELECT of a user's group names, compiled once. It runs on every page, and
# building and compiling it through the ORM cost several times the CPU of running it.
_GROUP_NAMES_SQL: dict[str, str] = {}
_ANY_USER_ID = 0


def _group_names(user: User) -> set[str]:
    """``set(user.groups.values_list("name", flat=True))``."""
    using = user._state.db or DEFAULT_DB_ALIAS
    sql = _GROUP_NAMES_SQL.get(using)
    if sql is None:
        query = Group.objects.using(using).filter(user=_ANY_USER_ID).values_list("name", flat=True).query
        sql, params = query.get_compiler(using=using).as_sql()
        if list(params) != [_ANY_USER_ID]:
            raise AssertionError(f"The user's id should be the one parameter of {sql!r}.")
        _GROUP_NAMES_SQL[using] = sql
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [user.pk])
        return {name for (name,) in cursor.fetchall()}


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
