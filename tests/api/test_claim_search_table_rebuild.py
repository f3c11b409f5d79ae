"""SQLite rebuilds a table to alter it (new table, copy, drop, rename), and the rebuild drops the
table's triggers, the claim search's among them; while they are there, rebuilding claims_claim or
claims_article fails, as the other table's trigger names the one briefly gone. So a migrate with
work to do takes them down first (pre_migrate) and the post_migrate hook puts them back: claims
stored afterwards, and those written in between, are found."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import OperationalError, connection, models
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse

from claims.lexical_schema import SQLITE_CLAIM_SEARCH_TRIGGERS, ensure_lexical_index
from claims.models import Article, Claim
from tests.factories import ArticleFactory, ClaimFactory
from tests.ui.signed_in import client_for

# The schema editor cannot run inside a transaction on SQLite; the data migration's rows come back.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _sqlite_only() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL keeps triggers through ALTER TABLE, and searches through trigram indexes.")


def search_triggers() -> dict[str, str]:
    """Each claim search trigger's definition, spelled alike however it was created."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        rows = cursor.fetchall()
    return {
        name: " ".join(sql.replace("IF NOT EXISTS ", "").split())
        for name, sql in rows
        if name in SQLITE_CLAIM_SEARCH_TRIGGERS
    }


def widened(model: type[models.Model], name: str, by: int) -> tuple[models.Field, models.Field]:
    field = model._meta.get_field(name)
    _, _, args, kwargs = field.deconstruct()
    kwargs["max_length"] += by
    wider = models.CharField(*args, **kwargs)
    wider.set_attributes_from_name(name)
    wider.model = model
    return field, wider


def alter_both_tables(*, wider: bool) -> None:
    """A later migration's ALTER on both tables the search reads (Django rebuilds them on SQLite)."""
    speaker, wider_speaker = widened(Claim, "speaker", 1)
    title, wider_title = widened(Article, "title", 1)
    with connection.schema_editor() as editor:
        if wider:
            editor.alter_field(Claim, speaker, wider_speaker, strict=True)
            editor.alter_field(Article, title, wider_title, strict=True)
        else:
            editor.alter_field(Claim, wider_speaker, speaker, strict=True)
            editor.alter_field(Article, wider_title, title, strict=True)


@contextlib.contextmanager
def migrating() -> Iterator[None]:
    """What ``migrate`` sends around the migrations it applies (here one of the project's own)."""
    plan = [(MigrationLoader(connection).get_migration("claims", "0018_article_body_lz4_compression"), False)]
    emit_pre_migrate_signal(verbosity=0, interactive=False, db=connection.alias, plan=plan)
    yield
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias, plan=plan)


def found(client, query: str) -> set[int]:
    return {row["pk"] for row in client.get(reverse("claims:queue"), {"q": query}).context["claims"]}


def test_a_rebuild_of_the_claims_table_fails_while_the_search_triggers_join_it_to_articles():
    with pytest.raises(OperationalError, match="error in trigger claims_article_search_title"):
        alter_both_tables(wider=True)
    assert set(search_triggers()) == set(SQLITE_CLAIM_SEARCH_TRIGGERS), "the failed ALTER was rolled back"


def test_after_a_migrate_rebuilds_the_tables_the_search_still_finds_claims(reviewer):
    client = client_for(reviewer)
    as_migrated = search_triggers()
    assert set(as_migrated) == set(SQLITE_CLAIM_SEARCH_TRIGGERS)
    article = ArticleFactory(title="Harbour report")
    before = ClaimFactory(article=article, text="Cormorants nested in the harbour.")
    with migrating():
        alter_both_tables(wider=True)
        # Written while the triggers are down (a data migration, say): found once they are back.
        between = ClaimFactory(article=article, text="Pelicans nested in the harbour.")
        assert found(client, "pelicans") == set()
    try:
        assert search_triggers() == as_migrated
        new = ClaimFactory(article=article, text="Flamingos nested in the harbour.")
        assert found(client, "flamingos") == {new.pk}
        assert found(client, "pelicans") == {between.pk}
        assert found(client, "cormorants") == {before.pk}
        Article.objects.filter(pk=article.pk).update(title="Estuary report")
        assert found(client, "estuary") == {before.pk, between.pk, new.pk}
        Claim.objects.filter(pk=new.pk).delete()
        assert found(client, "flamingos") == set()
    finally:
        with migrating():
            alter_both_tables(wider=False)


def test_the_hook_puts_back_what_a_rebuild_dropped_even_outside_a_migrate(reviewer):
    client = client_for(reviewer)
    article = ArticleFactory(title="Harbour report")
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER claims_claim_search_insert")
    lost = ClaimFactory(article=article, text="Pelicans nested in the harbour.")
    assert found(client, "pelicans") == set()
    assert ensure_lexical_index(connection) is True
    assert found(client, "pelicans") == {lost.pk}
    assert set(search_triggers()) == set(SQLITE_CLAIM_SEARCH_TRIGGERS)
    assert ensure_lexical_index(connection) is False


def test_on_a_fresh_install_a_later_migration_can_rebuild_both_tables(reviewer):
    """Migration 0017 makes the search table but leaves its triggers to the post_migrate hook, so a
    migration after it in the same first ``migrate`` (no pre_migrate in between) can alter claims."""
    migration = MigrationLoader(connection).get_migration("claims", "0017_claim_search_indexes")
    create, drop = migration.operations[1].code, migration.operations[1].reverse_code
    with migrating():
        with connection.schema_editor() as editor:
            drop(None, editor)
            create(None, editor)
        alter_both_tables(wider=True)
    try:
        article = ArticleFactory(title="Harbour report")
        new = ClaimFactory(article=article, text="Flamingos nested in the harbour.")
        assert found(client_for(reviewer), "flamingos") == {new.pk}
    finally:
        with migrating():
            alter_both_tables(wider=False)
