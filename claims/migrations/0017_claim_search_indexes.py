"""Claim search (``q``) answered from an index on both databases, and indexes for the claim list's sorts.

PostgreSQL: Django writes ``icontains`` as ``UPPER(column) LIKE UPPER(%s)``; trigram GIN indexes on
those expressions (claim text since 0006, now speaker and article title) serve it. SQLite has no
trigram index, so an FTS5 table with the ``trigram`` tokenizer (substring matches, case folded)
holds each claim's text, speaker and article title, kept in step by triggers.

The triggers are not created here but by the post_migrate hook (``claims.lexical_schema``), after
every ``migrate``, and a migrate with work to do drops them first: they join claims_claim and
claims_article, and SQLite refuses to rebuild either table (as Django does to alter one) while
they exist, so a later migration in the same run would fail on a fresh install."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

SEARCH_TABLE = "claims_claim_search"

POSTGRES_INDEXES = [
    ("claim_speaker_trgm", "claims_claim", "speaker"),
    ("article_title_trgm", "claims_article", "title"),
]

ROW = (
    "SELECT c.id, c.text, c.speaker, COALESCE(a.title, '') "
    "FROM claims_claim c LEFT JOIN claims_article a ON a.id = c.article_id"
)

SQLITE_FORWARDS = [
    f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5(text, speaker, title, tokenize = 'trigram')",
    f"INSERT INTO {SEARCH_TABLE} (rowid, text, speaker, title) {ROW}",
]

SQLITE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS claims_article_search_title",
    "DROP TRIGGER IF EXISTS claims_claim_search_delete",
    "DROP TRIGGER IF EXISTS claims_claim_search_update",
    "DROP TRIGGER IF EXISTS claims_claim_search_insert",
    f"DROP TABLE IF EXISTS {SEARCH_TABLE}",
]


def create_search_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for name, table, column in POSTGRES_INDEXES:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER({column}) gin_trgm_ops)"
            )
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARDS:
            schema_editor.execute(statement)


def drop_search_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for name, _, _ in POSTGRES_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARDS:
            schema_editor.execute(statement)


class KeepTrigramExtension(TrigramExtension):
    """Created here when missing; never dropped going back, since 0006's index on claim text needs it."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        return None


class Migration(migrations.Migration):
    dependencies = [("claims", "0016_lexical_terms_in_database")]
    operations = [
        KeepTrigramExtension(),
        migrations.RunPython(create_search_indexes, drop_search_indexes),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(fields=["-priority", "-id"], name="claim_priority_idx"),
        ),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(fields=["-appearance_count", "-id"], name="claim_repeats_idx"),
        ),
    ]
