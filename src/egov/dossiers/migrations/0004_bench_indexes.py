"""Worklist search by code, name or ID number without reading every dossier.

The worklist's search box asks ``code ILIKE '%…%' OR applicant_name ILIKE '%…%' OR applicant_id_number = …``
(``officer_worklist``); with no index for a substring match, PostgreSQL read the whole table (0.3–0.5 s per
search at 100,000 dossiers, measured by bench/bench_backoffice.py). Trigram indexes on the upper-cased code
and name (the expression Django's ``icontains`` compiles to) and a B-tree on the ID number let it combine
three index scans instead. Raw SQL on PostgreSQL only (pg_trgm comes with the catalogue's migrations;
SQLite has no GIN); the ID number index everywhere. No model state changes.
"""

from django.db import migrations

TRIGRAM = [
    (
        "dossier_code_trgm",
        'CREATE INDEX IF NOT EXISTS dossier_code_trgm ON dossiers_dossier USING gin (UPPER("code"::text) gin_trgm_ops)',
    ),
    (
        "dossier_name_trgm",
        "CREATE INDEX IF NOT EXISTS dossier_name_trgm ON dossiers_dossier "
        'USING gin (UPPER("applicant_name"::text) gin_trgm_ops)',
    ),
]
ID_NUMBER = "CREATE INDEX IF NOT EXISTS dossier_id_number ON dossiers_dossier (applicant_id_number)"


def add(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(ID_NUMBER)
        if schema_editor.connection.vendor == "postgresql":
            for _, statement in TRIGRAM:
                cursor.execute(statement)


def remove(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS dossier_id_number")
        if schema_editor.connection.vendor == "postgresql":
            for name, _ in TRIGRAM:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_search_extensions"),
        ("dossiers", "0003_processing"),
    ]

    operations = [migrations.RunPython(add, remove, elidable=False)]
