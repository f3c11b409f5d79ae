"""Roles are the groups a user belongs to, read once per request."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group

from claims.roles import can_administer, can_edit, can_review, user_roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def fresh(user):
    """The user as the next request loads it (roles are remembered on the object for one request)."""
    return get_user_model().objects.get(pk=user.pk)


def test_a_users_roles_are_their_workbench_groups_and_the_roles_those_imply():
    reviewer = UserFactory(roles=["reviewer"])
    Group.objects.get_or_create(name="newsletter")
    reviewer.groups.add(Group.objects.get(name="newsletter"))
    assert user_roles(fresh(reviewer)) == {"reviewer"}
    assert user_roles(fresh(UserFactory(roles=["editor"]))) == {"reviewer", "editor"}
    assert user_roles(fresh(UserFactory(roles=["admin"]))) == {"reviewer", "editor", "admin"}
    assert user_roles(fresh(UserFactory())) == set()
    assert user_roles(AnonymousUser()) == set()


def test_a_role_given_or_taken_away_counts_from_the_next_request_on():
    user = UserFactory(roles=["reviewer"])
    assert can_review(fresh(user)) and not can_edit(fresh(user))
    user.groups.add(Group.objects.get(name="editor"))
    assert can_edit(fresh(user))
    user.groups.clear()
    assert not can_review(fresh(user)) and not can_administer(fresh(user))


def test_a_superuser_holds_every_role_without_a_group():
    boss = UserFactory(is_superuser=True)
    assert user_roles(fresh(boss)) == {"reviewer", "editor", "admin"}
