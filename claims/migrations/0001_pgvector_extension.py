from django.db import migrations


def create_extension(apps, schema_editor):
    # The embedding columns are pgvector's `vector` type on PostgreSQL; SQLite stores bytes instead.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS vector")


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [migrations.RunPython(create_extension, migrations.RunPython.noop, elidable=False)]
