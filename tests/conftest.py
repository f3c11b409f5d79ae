"""Personas and shared fixtures. Most tests go through services and the HTTP API as one of these people.

Tests that need committed transactions (jobs queued on commit, threads, a worker process) use
``django_db(transaction=True, serialized_rollback=True)``: a plain flush would delete the rating
scale and roles that the migrations seed, and a later test would miss them.
"""

from __future__ import annotations

import pytest

from tests.factories import UserFactory


@pytest.fixture
def reviewer(db):
    return UserFactory(username="rita_reviewer", roles=["reviewer"])


@pytest.fixture
def second_reviewer(db):
    return UserFactory(username="rafael_reviewer", roles=["reviewer"])


@pytest.fixture
def editor(db):
    return UserFactory(username="emma_editor", roles=["editor"])


@pytest.fixture
def second_editor(db):
    return UserFactory(username="eli_editor", roles=["editor"])


@pytest.fixture
def admin_user(db):
    return UserFactory(username="ada_admin", roles=["admin"])


@pytest.fixture
def outsider(db):
    """Logged in, but in no role: may read only what is published."""
    return UserFactory(username="oscar_outsider")
