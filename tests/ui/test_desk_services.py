"""The two services the reviewer UI added: saved queue filters and the dashboard's figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from claims.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from claims.models import Rating, SavedFilter, Verdict
from claims.services.desk_stats import desk_stats
from claims.services.saved_filters import (
    saved_filter_delete,
    saved_filter_rows_for_user,
    saved_filter_save,
)
from tests.factories import ClaimFactory


def test_it_replaces_the_query_of_a_filter_saved_again_under_the_same_name(reviewer):
    saved_filter_save(user=reviewer, name="Roles", query="?type=role")
    saved = saved_filter_save(user=reviewer, name=" Roles ", query="type=role&min_score=0.8")
    assert [(row["name"], row["query"]) for row in saved_filter_rows_for_user(user=reviewer)] == [
        ("Roles", "type=role&min_score=0.8")
    ]
    assert saved.pk == SavedFilter.objects.get().pk


def test_the_sidebar_lists_the_users_own_filters_by_name_as_they_are_now(reviewer, second_reviewer, outsider):
    roles = saved_filter_save(user=reviewer, name="Roles", query="type=role")
    saved_filter_save(user=reviewer, name="Mine", query="assignee=me")
    saved_filter_save(user=second_reviewer, name="Theirs", query="status=new")
    assert saved_filter_rows_for_user(user=reviewer) == [
        {"pk": SavedFilter.objects.get(name="Mine").pk, "name": "Mine", "query": "assignee=me"},
        {"pk": roles.pk, "name": "Roles", "query": "type=role"},
    ]
    saved_filter_save(user=reviewer, name="Roles", query="type=role&min_checkworthiness=0.8")
    saved_filter_delete(user=reviewer, saved_filter_id=SavedFilter.objects.get(name="Mine").pk)
    assert saved_filter_rows_for_user(user=reviewer) == [
        {"pk": roles.pk, "name": "Roles", "query": "type=role&min_checkworthiness=0.8"}
    ]
    assert saved_filter_rows_for_user(user=second_reviewer)[0]["name"] == "Theirs"
    with pytest.raises(PermissionDeniedError):
        saved_filter_rows_for_user(user=outsider)


def test_it_refuses_a_nameless_filter_and_outsiders(reviewer, outsider):
    with pytest.raises(InvalidInputError):
        saved_filter_save(user=reviewer, name="  ", query="type=role")
    with pytest.raises(PermissionDeniedError):
        saved_filter_save(user=outsider, name="Mine", query="")


def test_it_deletes_only_the_users_own_filter(reviewer, second_reviewer):
    saved = saved_filter_save(user=reviewer, name="Roles", query="type=role")
    with pytest.raises(NotFoundError):
        saved_filter_delete(user=second_reviewer, saved_filter_id=saved.pk)
    saved_filter_delete(user=reviewer, saved_filter_id=saved.pk)
    assert not SavedFilter.objects.exists()


def test_it_counts_verdicts_per_rating_and_per_day_with_quiet_days_as_zero(reviewer):
    outdated = Rating.objects.get(label="Outdated")
    for days_ago in (0, 0, 2):
        verdict = Verdict.objects.create(claim=ClaimFactory(), rating=outdated, author=reviewer)
        Verdict.objects.filter(pk=verdict.pk).update(created_at=timezone.now() - dt.timedelta(days=days_ago))
    stats = desk_stats(user=reviewer, days=5)
    assert {row.label: row.count for row in stats.verdicts_by_rating}["Outdated"] == 3
    assert [row.count for row in stats.reviewed_per_day] == [0, 0, 1, 0, 2]
    assert stats.reviewed_per_day[-1].day == timezone.localdate()
    assert stats.claims_by_status["new"] == 3


def test_it_keeps_the_dashboard_from_outsiders(outsider):
    with pytest.raises(PermissionDeniedError):
        desk_stats(user=outsider)
