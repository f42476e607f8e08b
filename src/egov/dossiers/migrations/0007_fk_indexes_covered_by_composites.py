"""Five foreign keys of dossiers and steps lose their single-column index: each leads a composite index that
serves the same look-ups (dossier_desk, dossier_worklist, dossier_assignee, (applicant, submitted_at),
(dossier, position)), and every insert or update of the busiest tables maintained five indexes for nothing.

Only the indexes are dropped (the state changes through AlterField): letting Django alter the fields would drop
and re-create the foreign-key constraints, re-checking every row under a table lock."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


RECREATE = {
    "dossiers_dossier_applicant_id_3ba18564": ("dossiers_dossier", "applicant_id"),
    "dossiers_dossier_current_agency_id_9d2f6394": ("dossiers_dossier", "current_agency_id"),
    "dossiers_dossier_current_assignee_id_d758ce8d": ("dossiers_dossier", "current_assignee_id"),
    "dossiers_dossier_receiving_agency_id_d0b091b4": ("dossiers_dossier", "receiving_agency_id"),
    "dossiers_dossierstep_dossier_id_c1142212": ("dossiers_dossierstep", "dossier_id"),
}
DROPPED = list(RECREATE)


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0002_reference_agency_kinds"),
        ("dossiers", "0006_worklist_due_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="dossier",
                    name="applicant",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="dossiers",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="tài khoản nộp",
                    ),
                ),
                migrations.AlterField(
                    model_name="dossier",
                    name="current_agency",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="agencies.agency",
                        verbose_name="cơ quan đang xử lý",
                    ),
                ),
                migrations.AlterField(
                    model_name="dossier",
                    name="current_assignee",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="người đang xử lý",
                    ),
                ),
                migrations.AlterField(
                    model_name="dossier",
                    name="receiving_agency",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="received_dossiers",
                        to="agencies.agency",
                        verbose_name="cơ quan tiếp nhận",
                    ),
                ),
                migrations.AlterField(
                    model_name="dossierstep",
                    name="dossier",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="steps",
                        to="dossiers.dossier",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    [f'DROP INDEX IF EXISTS "{name}"' for name in DROPPED],
                    reverse_sql=[
                        f'CREATE INDEX IF NOT EXISTS "{name}" ON {table} ({column})'
                        for name, (table, column) in RECREATE.items()
                    ],
                ),
            ],
        ),
    ]
