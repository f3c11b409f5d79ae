from django.db import migrations

# The claim search (`?q=` in the API and the queue) is a case-insensitive substring match, which
# Django writes as UPPER(text) LIKE UPPER(%s). On PostgreSQL a trigram GIN index on that
# expression serves it; SQLite has no equivalent and scans, which is fine at its scale.


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS claim_text_trgm ON claims_claim USING gin (UPPER(text) gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS claim_text_trgm")


class Migration(migrations.Migration):
    dependencies = [("claims", "0005_claim_suggested_at")]
    operations = [migrations.RunPython(create_index, drop_index)]
