"""The database objects behind lexical ranking (see `services.lexical_stores`), created by migration
0016 and checked again after every ``migrate``.

SQLite: Django rebuilds a table to alter it (new table, copy, drop, rename), which drops its
triggers; `ensure_lexical_index` runs after every migrate (and flush) and puts back whatever is
missing, rebuilding the full-text tables and the statistics from the rows when it had to.
PostgreSQL keeps triggers and indexes through ALTER TABLE, so there this only fills gaps.
"""

from __future__ import annotations

from typing import Any

# The tables whose rows are ranked by BM25, each with a `lexical_terms` column.
LEXICAL_TABLES = ("claims_sourcepassage", "claims_claim")
STATISTICS_TABLE = "claims_lexical_statistics"
PASSAGES = "passages"


def _term_count(column: str) -> str:
    return f"(CASE WHEN {column} = '' THEN 0 ELSE length({column}) - length(replace({column}, ' ', '')) + 1 END)"


def _sqlite_statements(table: str) -> list[str]:
    fts = f"{table}_fts"
    statements = [
        # The tokens are lower-case ASCII letters and digits joined by spaces; the ascii tokenizer
        # splits them back exactly.
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5(lexical_terms, content='{table}', "
        "content_rowid='id', tokenize='ascii')",
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts}_vocab USING fts5vocab({fts}, 'row')",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_insert AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, lexical_terms) VALUES (new.id, new.lexical_terms); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_delete AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, lexical_terms) VALUES ('delete', old.id, old.lexical_terms); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_update AFTER UPDATE OF lexical_terms ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, lexical_terms) VALUES ('delete', old.id, old.lexical_terms); "
        f"INSERT INTO {fts}(rowid, lexical_terms) VALUES (new.id, new.lexical_terms); END",
    ]
    if table == "claims_sourcepassage":
        statistics = f"UPDATE {STATISTICS_TABLE} SET "
        where = f" WHERE corpus = '{PASSAGES}';"
        statements += [
            f"CREATE TRIGGER IF NOT EXISTS {table}_statistics_insert AFTER INSERT ON {table} BEGIN "
            f"{statistics}documents = documents + 1, terms = terms + {_term_count('new.lexical_terms')}{where} END",
            f"CREATE TRIGGER IF NOT EXISTS {table}_statistics_delete AFTER DELETE ON {table} BEGIN "
            f"{statistics}documents = documents - 1, terms = terms - {_term_count('old.lexical_terms')}{where} END",
            f"CREATE TRIGGER IF NOT EXISTS {table}_statistics_update AFTER UPDATE OF lexical_terms ON {table} BEGIN "
            f"{statistics}terms = terms - {_term_count('old.lexical_terms')} + {_term_count('new.lexical_terms')}"
            f"{where} END",
        ]
    return statements


SQLITE_TRIGGERS = [
    *(f"{table}_fts_{event}" for table in LEXICAL_TABLES for event in ("insert", "delete", "update")),
    *(f"claims_sourcepassage_statistics_{event}" for event in ("insert", "delete", "update")),
]

# PostgreSQL keeps each passage term's document frequency in a table: counting a word's rows in the
# GIN index costs as many rows as hold it (seconds for a common word at a million passages).
TERMS_TABLE = "claims_lexical_term"

# Statement-level triggers with transition tables: a bulk insert of 2,000 passages updates the
# statistics row once, and each of its terms once. Those rows are locked until the writing
# transaction commits, so concurrent library writes queue there (they are rare next to reads; a
# search never waits on them). An update that leaves a row's terms as they were (a new vector)
# changes nothing: PostgreSQL allows no column list on a trigger with transition tables, so the
# function compares the terms itself.
_CHANGED = "FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.lexical_terms IS DISTINCT FROM n.lexical_terms"
_REMOVED_BY_UPDATE = f"(SELECT o.id, o.lexical_terms {_CHANGED})"
_ADDED_BY_UPDATE = f"(SELECT n.id, n.lexical_terms {_CHANGED})"


def _count_change(rows: str, sign: str) -> str:
    """Statements adding (sign "+") or taking away ("-") the passages `rows` from the statistics."""
    term_counts = (
        f"SELECT term, count(*) AS n FROM (SELECT DISTINCT r.id, term FROM {rows} r, "
        "unnest(string_to_array(r.lexical_terms, ' ')) AS term WHERE r.lexical_terms <> '') s GROUP BY term"
    )
    statements = [
        f"UPDATE {STATISTICS_TABLE} SET documents = documents {sign} (SELECT count(*) FROM {rows} r), "
        f"terms = terms {sign} (SELECT coalesce(sum({_term_count('r.lexical_terms')}), 0) FROM {rows} r) "
        f"WHERE corpus = '{PASSAGES}';"
    ]
    if sign == "+":
        statements.append(
            f"INSERT INTO {TERMS_TABLE} (corpus, term, documents) SELECT '{PASSAGES}', term, n "
            f"FROM ({term_counts}) counted ORDER BY term "
            f"ON CONFLICT (corpus, term) DO UPDATE SET documents = {TERMS_TABLE}.documents + excluded.documents;"
        )
    else:
        statements.append(
            f"UPDATE {TERMS_TABLE} t SET documents = t.documents - gone.n FROM ({term_counts}) gone "
            f"WHERE t.corpus = '{PASSAGES}' AND t.term = gone.term;"
        )
    return "\n        ".join(statements)


POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION claims_passage_lexical_statistics() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        UPDATE {STATISTICS_TABLE} SET documents = 0, terms = 0 WHERE corpus = '{PASSAGES}';
        DELETE FROM {TERMS_TABLE} WHERE corpus = '{PASSAGES}';
    ELSIF TG_OP = 'INSERT' THEN
        {_count_change("new_rows", "+")}
    ELSIF TG_OP = 'DELETE' THEN
        {_count_change("old_rows", "-")}
    ELSIF EXISTS (SELECT 1 {_CHANGED}) THEN
        {_count_change(_REMOVED_BY_UPDATE, "-")}
        {_count_change(_ADDED_BY_UPDATE, "+")}
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""
POSTGRES_TRIGGERS = {
    "claims_sourcepassage_statistics_insert": "AFTER INSERT ON claims_sourcepassage "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT",
    "claims_sourcepassage_statistics_update": "AFTER UPDATE ON claims_sourcepassage "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT",
    "claims_sourcepassage_statistics_delete": "AFTER DELETE ON claims_sourcepassage "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT",
    "claims_sourcepassage_statistics_truncate": "AFTER TRUNCATE ON claims_sourcepassage FOR EACH STATEMENT",
}


# Claim search on SQLite (migration 0017): an FTS5 trigram table of each claim's text, speaker and
# article title, kept in step by triggers on claims_claim and claims_article. They are created here,
# after every migrate, never by a migration: they join the two tables, and SQLite refuses to rebuild
# either one while they exist (see drop_sqlite_claim_search_triggers). The update trigger fires
# only when a searched column changed: saves of priority, status and leases (all day long) write
# every column and must not rewrite the index.
CLAIM_SEARCH_TABLE = "claims_claim_search"
_CLAIM_SEARCH_TITLE = "COALESCE((SELECT title FROM claims_article WHERE id = new.article_id), '')"
SQLITE_CLAIM_SEARCH_TRIGGERS = {
    "claims_claim_search_insert": f"""AFTER INSERT ON claims_claim BEGIN
        INSERT INTO {CLAIM_SEARCH_TABLE} (rowid, text, speaker, title) VALUES (new.id, new.text, new.speaker,
            {_CLAIM_SEARCH_TITLE});
    END""",
    "claims_claim_search_update": f"""AFTER UPDATE OF text, speaker, article_id ON claims_claim
    WHEN old.text IS NOT new.text OR old.speaker IS NOT new.speaker OR old.article_id IS NOT new.article_id BEGIN
        DELETE FROM {CLAIM_SEARCH_TABLE} WHERE rowid = old.id;
        INSERT INTO {CLAIM_SEARCH_TABLE} (rowid, text, speaker, title) VALUES (new.id, new.text, new.speaker,
            {_CLAIM_SEARCH_TITLE});
    END""",
    "claims_claim_search_delete": f"""AFTER DELETE ON claims_claim BEGIN
        DELETE FROM {CLAIM_SEARCH_TABLE} WHERE rowid = old.id;
    END""",
    "claims_article_search_title": f"""AFTER UPDATE OF title ON claims_article
    WHEN old.title IS NOT new.title BEGIN
        UPDATE {CLAIM_SEARCH_TABLE} SET title = new.title
        WHERE rowid IN (SELECT id FROM claims_claim WHERE article_id = new.id);
    END""",
}


def drop_sqlite_claim_search_triggers(connection: Any) -> None:
    """Take the claim search's triggers down before a migrate that has work to do; the post_migrate
    hook puts them back and refills the search table.

    SQLite checks every trigger when Django renames a rebuilt table into place, and these reach
    across claims_claim and claims_article: with one of the two rebuilt, the other's trigger names
    a table that is briefly gone, and the ALTER fails ("error in trigger claims_article_search_title:
    no such table: main.claims_claim")."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in SQLITE_CLAIM_SEARCH_TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def _ensure_sqlite_claim_search(cursor: Any, connection: Any) -> bool:
    """Put back the claim search triggers a table rebuild dropped, then refill the search table
    from the rows (writes made while they were missing are in it then too); True when it had to."""
    if CLAIM_SEARCH_TABLE not in connection.introspection.table_names(cursor):
        return False  # migration 0017 has not run (yet)
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    present = {name for (name,) in cursor.fetchall()}
    if present.issuperset(SQLITE_CLAIM_SEARCH_TRIGGERS):
        return False
    for name, definition in SQLITE_CLAIM_SEARCH_TRIGGERS.items():
        cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {definition}")
    cursor.execute(f"DELETE FROM {CLAIM_SEARCH_TABLE}")  # noqa: S608
    cursor.execute(
        f"INSERT INTO {CLAIM_SEARCH_TABLE} (rowid, text, speaker, title) "  # noqa: S608
        "SELECT c.id, c.text, c.speaker, COALESCE(a.title, '') "
        "FROM claims_claim c LEFT JOIN claims_article a ON a.id = c.article_id"
    )
    return True


def _columns_exist(cursor: Any, connection: Any) -> bool:
    for table in LEXICAL_TABLES:
        if table not in connection.introspection.table_names(cursor):
            return False
        columns = {column.name for column in connection.introspection.get_table_description(cursor, table)}
        if "lexical_terms" not in columns:
            return False
    return True


def _reset_statistics(cursor: Any) -> None:
    cursor.execute(
        f"UPDATE {STATISTICS_TABLE} SET documents = (SELECT count(*) FROM claims_sourcepassage), "  # noqa: S608
        f"terms = (SELECT coalesce(sum({_term_count('lexical_terms')}), 0) FROM claims_sourcepassage) "
        f"WHERE corpus = '{PASSAGES}'"
    )


def _reset_term_counts(cursor: Any) -> None:
    """PostgreSQL: count every passage term's rows again, in one pass over the table."""
    cursor.execute(f"DELETE FROM {TERMS_TABLE} WHERE corpus = '{PASSAGES}'")  # noqa: S608
    cursor.execute(
        f"INSERT INTO {TERMS_TABLE} (corpus, term, documents) SELECT '{PASSAGES}', term, count(*) "  # noqa: S608
        "FROM (SELECT DISTINCT p.id, term FROM claims_sourcepassage p, "
        "unnest(string_to_array(p.lexical_terms, ' ')) AS term WHERE p.lexical_terms <> '') s GROUP BY term"
    )


def ensure_lexical_index(connection: Any) -> bool:
    """Create what is missing of the full-text index, its triggers and the statistics, and of the
    claim search's triggers on SQLite; True when anything was (the indexes and statistics were
    then rebuilt from the rows)."""
    with connection.cursor() as cursor:
        claim_search_rebuilt = connection.vendor == "sqlite" and _ensure_sqlite_claim_search(cursor, connection)
        if not _columns_exist(cursor, connection):
            return claim_search_rebuilt
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {STATISTICS_TABLE} "
            "(corpus varchar(32) PRIMARY KEY, documents bigint NOT NULL, terms bigint NOT NULL)"
        )
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            present = {name for (name,) in cursor.fetchall()}
            if present.issuperset(SQLITE_TRIGGERS):
                return claim_search_rebuilt
            cursor.execute(f"INSERT OR IGNORE INTO {STATISTICS_TABLE} VALUES ('{PASSAGES}', 0, 0)")
            for table in LEXICAL_TABLES:
                for statement in _sqlite_statements(table):
                    cursor.execute(statement)
                cursor.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES ('rebuild')")
            _reset_statistics(cursor)
            return True
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = 'claims_sourcepassage'::regclass")
            present = {name for (name,) in cursor.fetchall()}
            cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE %s", ["%_lexical_gin"])
            indexes = {name for (name,) in cursor.fetchall()}
            wanted_indexes = {f"{table}_lexical_gin" for table in LEXICAL_TABLES}
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [TERMS_TABLE])
            terms_table = cursor.fetchone()[0]
            if terms_table and present.issuperset(POSTGRES_TRIGGERS) and indexes.issuperset(wanted_indexes):
                return False
            cursor.execute(
                f"INSERT INTO {STATISTICS_TABLE} VALUES ('{PASSAGES}', 0, 0) ON CONFLICT (corpus) DO NOTHING"
            )
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {TERMS_TABLE} (corpus varchar(32) NOT NULL, term text NOT NULL, "
                "documents bigint NOT NULL, PRIMARY KEY (corpus, term))"
            )
            for table in LEXICAL_TABLES:
                cursor.execute(
                    f"CREATE INDEX IF NOT EXISTS {table}_lexical_gin ON {table} "
                    "USING gin (to_tsvector('simple'::regconfig, lexical_terms))"
                )
            cursor.execute(POSTGRES_FUNCTION)
            for name, definition in POSTGRES_TRIGGERS.items():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON claims_sourcepassage")
                cursor.execute(
                    f"CREATE TRIGGER {name} {definition} EXECUTE FUNCTION claims_passage_lexical_statistics()"
                )
            # Under the lock the triggers now take, so no write slips between the count and them.
            cursor.execute(f"SELECT 1 FROM {STATISTICS_TABLE} WHERE corpus = '{PASSAGES}' FOR UPDATE")
            _reset_statistics(cursor)
            _reset_term_counts(cursor)
            return True
    return False


def drop_lexical_index(connection: Any) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            for table in LEXICAL_TABLES:
                cursor.execute(f"DROP TABLE IF EXISTS {table}_fts_vocab")
                cursor.execute(f"DROP TABLE IF EXISTS {table}_fts")
        elif connection.vendor == "postgresql":
            for name in POSTGRES_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON claims_sourcepassage")
            cursor.execute("DROP FUNCTION IF EXISTS claims_passage_lexical_statistics()")
            for table in LEXICAL_TABLES:
                cursor.execute(f"DROP INDEX IF EXISTS {table}_lexical_gin")
        cursor.execute(f"DROP TABLE IF EXISTS {STATISTICS_TABLE}")
        cursor.execute(f"DROP TABLE IF EXISTS {TERMS_TABLE}")
