"""Search in every language: one search document per (page, language) instead of one per page.

The documents already indexed are kept, as the default language's. SQLite's FTS5 table gets
`language` and `procedure` columns (rowid: the document's id) and keeps folding accents
(`unicode61 remove_diacritics 2`). PostgreSQL gets, where the server has `unaccent`, a copy of
each of its text-search configurations that folds accents first (`mesocare_spanish`, …;
procedures/search/postgresql.py picks one per language).
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.conf import settings
from django.db import DatabaseError, migrations, models, transaction

FTS = "procedures_search_fts"
OLD_FTS = f"CREATE VIRTUAL TABLE {FTS} USING fts5(title, terms, summary, body, tokenize = 'porter unicode61 remove_diacritics 2')"
NEW_FTS = (
    f"CREATE VIRTUAL TABLE {FTS} USING fts5(title, terms, summary, body, language UNINDEXED, procedure UNINDEXED, "
    "tokenize = 'porter unicode61 remove_diacritics 2')"
)
GIN = "CREATE INDEX procedures_searchdocument_vector ON procedures_searchdocument USING gin (vector)"
FOLDED = "mesocare_"
# Each built-in configuration with the dictionaries it reads words with letters other than a–z with.
CONFIGURATIONS = """
    SELECT c.cfgname, d.dictname FROM pg_ts_config c
    JOIN pg_ts_config_map m ON m.mapcfg = c.oid
    JOIN pg_ts_dict d ON d.oid = m.mapdict
    WHERE c.cfgnamespace = 'pg_catalog'::regnamespace
    AND m.maptokentype = (SELECT tokid FROM ts_token_type('default') WHERE alias = 'word')
    ORDER BY c.cfgname, m.mapseqno
"""


def copy_documents(apps, schema_editor):
    schema_editor.execute(
        "INSERT INTO procedures_searchdocumentinlanguage (procedure_id, language, title, terms, summary, body, vector) "
        "SELECT procedure_id, %s, title, terms, summary, body, vector FROM procedures_searchdocument",
        [settings.LANGUAGE_CODE],
    )


def make_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS}")
        schema_editor.execute(NEW_FTS)
        schema_editor.execute(
            f"INSERT INTO {FTS} (rowid, title, terms, summary, body, language, procedure) "
            "SELECT id, title, terms, summary, body, language, procedure_id FROM procedures_searchdocument"
        )
    elif vendor == "postgresql":
        schema_editor.execute(GIN)
        make_folded_configurations(schema_editor)


def make_folded_configurations(schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'")
        if cursor.fetchone() is None:
            return  # search works without folding accents on PostgreSQL
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        except DatabaseError:
            return  # not allowed to here: the same
        cursor.execute(CONFIGURATIONS)
        dictionaries = {}
        for configuration, dictionary in cursor.fetchall():
            dictionaries.setdefault(configuration, []).append(connection.ops.quote_name(dictionary))
    for configuration, reads_with in dictionaries.items():
        folded = connection.ops.quote_name(FOLDED + configuration)
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {folded}")
        schema_editor.execute(f"CREATE TEXT SEARCH CONFIGURATION {folded} (COPY = pg_catalog.{connection.ops.quote_name(configuration)})")
        schema_editor.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {folded} ALTER MAPPING FOR word, hword, hword_part "
            f"WITH unaccent, {', '.join(reads_with)}"
        )


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS}")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS procedures_searchdocument_vector")
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT cfgname FROM pg_ts_config WHERE cfgname LIKE %s", [FOLDED + "%"])
            folded = [name for (name,) in cursor.fetchall()]
        for name in folded:
            schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION {schema_editor.connection.ops.quote_name(name)}")


def restore_old_index(apps, schema_editor):
    """Undoing: the index of one document per page (empty: `rebuildsearch` fills it)."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(OLD_FTS)
    elif vendor == "postgresql":
        schema_editor.execute(GIN)


class Migration(migrations.Migration):
    dependencies = [("procedures", "0018_procedure_translations")]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, restore_old_index),
        migrations.CreateModel(
            name="SearchDocumentInLanguage",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("language", models.CharField(max_length=10)),
                ("title", models.TextField()),
                ("terms", models.TextField(help_text="Conditions, body areas, specialties, glossary terms, synonyms.")),
                ("summary", models.TextField()),
                ("body", models.TextField()),
                ("vector", django.contrib.postgres.search.SearchVectorField(null=True)),
                (
                    "procedure",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="search_documents",
                        to="procedures.procedure",
                    ),
                ),
            ],
            options={"ordering": ["procedure", "language"]},
        ),
        migrations.RunPython(copy_documents, migrations.RunPython.noop),
        migrations.RunPython(drop_index, migrations.RunPython.noop),
        migrations.DeleteModel(name="SearchDocument"),
        migrations.RenameModel(old_name="SearchDocumentInLanguage", new_name="SearchDocument"),
        migrations.AddConstraint(
            model_name="searchdocument",
            constraint=models.UniqueConstraint(fields=("language", "procedure"), name="one_search_document_per_language"),
        ),
        migrations.RunPython(make_index, drop_index),
    ]
