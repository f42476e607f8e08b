"""The back office's models moved from ``dossiers`` to ``onestop`` in state only: rows written before the move
are the rows the new models read after it, and nothing in the database is created, copied or dropped."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("dossiers", "0010_event_public_note_consultation_cancel_intake_key")]


@pytest.mark.django_db(transaction=True)
def test_rows_written_before_the_move_are_read_by_the_moved_models() -> None:
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    tables_before = set(connection.introspection.table_names())
    process = old.get_model("dossiers", "ProcessDefinition").objects.create(
        code="thu-chuyen-ung-dung", name="Quy trình viết trước khi chuyển", level="commune"
    )
    old.get_model("dossiers", "ProcessStep").objects.create(
        process=process, position=1, kind="appraise", role="specialist", duration=100, time_unit="percent"
    )
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(leaves)
        from egov.onestop.models import DeadlineDigest, IssuedForm, ProcessDefinition, ProcessStep

        # State only: the moved models keep their tables, nothing is dropped, and no onestop table is made for
        # them (later migrations of other models may add tables of their own).
        after = set(connection.introspection.table_names())
        kept = {m._meta.db_table for m in (ProcessDefinition, ProcessStep, IssuedForm, DeadlineDigest)}
        assert kept <= tables_before and kept <= after
        assert tables_before <= after
        assert not {t for t in after - tables_before if t.startswith("onestop_")}

        moved = ProcessDefinition.objects.get(code="thu-chuyen-ung-dung")
        assert moved.name == "Quy trình viết trước khi chuyển" and moved.pk == process.pk
        assert ProcessStep.objects.filter(process=moved, position=1, role="specialist").count() == 1
    finally:
        MigrationExecutor(connection).migrate(leaves)
