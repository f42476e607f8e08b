"""Two worklist look-ups that no index served, measured at 1,000,000 dossiers (bench/bench_officer_api.py):

- the due-soon and overdue tabs (“sắp đến hạn”, “quá hạn”) over a province: the open dossiers' deadline index
  was walked in deadline order looking for the few due soon (0.8 s for the supervisor's first page when 2,500 of
  520,000 open dossiers were due soon). A partial index on (deadline state, deadline) over open dossiers gives
  the page straight from the index, for either tab;
- digits typed in the search box are an ID number or the end of a code (the sequence number): the end of a code
  is found as the beginning of the reversed code, which a B-tree serves (``code LIKE '%0001'`` read every row
  of the tab). PostgreSQL only, like the trigram indexes of 0004 (SQLite has no ``reverse`` of its own).

Raw SQL because the model's ``Meta.indexes`` is not changed here (as in 0004 and 0006).
"""

from django.db import migrations

EVERYWHERE = [
    (
        "dossier_open_deadline",
        "CREATE INDEX IF NOT EXISTS dossier_open_deadline ON dossiers_dossier (deadline_state, due_at) "
        "WHERE status IN ('received', 'processing')",
    ),
]
POSTGRESQL = [
    (
        "dossier_code_reversed",
        "CREATE INDEX IF NOT EXISTS dossier_code_reversed ON dossiers_dossier "
        '((reverse("code"::text)) text_pattern_ops)',
    ),
]


def _indexes(connection):
    return EVERYWHERE + (POSTGRESQL if connection.vendor == "postgresql" else [])


def add(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for _, statement in _indexes(schema_editor.connection):
            cursor.execute(statement)


def remove(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for name, _ in _indexes(schema_editor.connection):
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0010_event_public_note_consultation_cancel_intake_key")]

    operations = [migrations.RunPython(add, remove, elidable=False)]
