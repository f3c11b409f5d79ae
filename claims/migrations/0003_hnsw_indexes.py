from django.db import migrations

# HNSW indexes serve cosine nearest-neighbour search on PostgreSQL. SQLite has no vector index:
# there search is exact, in numpy, which is fast enough at the embedded default's scale.
INDEXES = [
    ("claims_claim", "claim_embedding_hnsw"),
    ("claims_sourcepassage", "passage_embedding_hnsw"),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, name in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING hnsw (embedding vector_cosine_ops) "
            "WITH (m = 16, ef_construction = 64)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _, name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("claims", "0002_domain")]
    operations = [migrations.RunPython(create_indexes, drop_indexes)]
