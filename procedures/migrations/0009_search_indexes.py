"""The search indexes each database is best at: PostgreSQL full-text search with trigram
matching, or SQLite's FTS5 (procedures/search.py uses whichever is there)."""

from django.db import migrations

POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX procedures_searchdocument_vector ON procedures_searchdocument USING gin (vector)",
    "CREATE INDEX procedures_searchword_trigram ON procedures_searchword USING gin (word gin_trgm_ops)",
]
POSTGRESQL_UNDO = ["DROP INDEX procedures_searchdocument_vector", "DROP INDEX procedures_searchword_trigram"]
SQLITE = [
    # rowid = the procedure's id; porter stemming, so "injection" finds "injections".
    "CREATE VIRTUAL TABLE procedures_search_fts USING fts5("
    "title, terms, summary, body, tokenize = 'porter unicode61 remove_diacritics 2')"
]
SQLITE_UNDO = ["DROP TABLE procedures_search_fts"]


def run(statements):
    def operation(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("procedures", "0008_search")]

    operations = [
        migrations.RunPython(
            run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            run({"postgresql": POSTGRESQL_UNDO, "sqlite": SQLITE_UNDO}),
        ),
    ]
