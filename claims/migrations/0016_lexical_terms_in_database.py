"""BM25 ranking moves into the database: every passage and claim stores its tokens
(`lexical_terms`), indexed by FTS5 on SQLite and by a GIN index on PostgreSQL, with the passage
statistics kept by triggers (see claims.lexical_schema)."""

from django.db import migrations

import claims.fields

BATCH = 2000


def fill_terms(apps, schema_editor):
    from claims.similarity.lexical import lexical_terms

    for name in ("SourcePassage", "Claim"):
        model = apps.get_model("claims", name)
        batch = []
        for row in model.objects.only("id", "text").iterator(chunk_size=BATCH):
            row.lexical_terms = lexical_terms(row.text or "")
            batch.append(row)
            if len(batch) == BATCH:
                model.objects.bulk_update(batch, ["lexical_terms"])
                batch = []
        model.objects.bulk_update(batch, ["lexical_terms"])


def create_index(apps, schema_editor):
    from claims.lexical_schema import ensure_lexical_index

    ensure_lexical_index(schema_editor.connection)


def drop_index(apps, schema_editor):
    from claims.lexical_schema import drop_lexical_index

    drop_lexical_index(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("claims", "0015_claim_appearances")]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="lexical_terms",
            field=claims.fields.LexicalTermsField(source="text"),
        ),
        migrations.AddField(
            model_name="sourcepassage",
            name="lexical_terms",
            field=claims.fields.LexicalTermsField(source="text"),
        ),
        migrations.RunPython(fill_terms, migrations.RunPython.noop),
        migrations.RunPython(create_index, drop_index),
    ]
