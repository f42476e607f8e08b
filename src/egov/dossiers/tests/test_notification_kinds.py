"""Notification kinds are one list of choices: the rows stored before, whose kind carried its occasion
(``received:7``, ``supplement_requested_12``), are the same notifications after the migration — each kind one of
the choices, the occasion in its own column — and going back restores them as they were."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from egov.dossiers.models import Notification, NotificationKind

BEFORE = [("dossiers", "0012_moved_to_onestop")]
STORED = [  # (kind as stored before, kind after, occasion after)
    ("submitted", "submitted", ""),
    ("received", "received", ""),
    ("received:7", "received", "7"),
    ("supplement_requested_12", "supplement_requested", "12"),
    ("supplement_requested_13", "supplement_requested", "13"),
    ("payment_requested:3", "payment_requested", "3"),
    ("stopped", "stopped", ""),
]


def _kinds() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT kind FROM dossiers_notification ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_stored_kinds_become_choices_with_their_occasion_and_back(marriage: Any) -> None:
    from egov.submission.tests.test_submission import submit

    dossier, _ = submit(marriage)
    Notification.objects.filter(dossier=dossier).delete()
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps.get_model("dossiers", "Notification")
        for kind, _, _ in STORED:
            old.objects.create(dossier_id=dossier.pk, kind=kind, recipient="an@example.vn", status="sent")
        MigrationExecutor(connection).migrate(leaves)
        after = list(Notification.objects.filter(dossier=dossier).order_by("pk"))
        assert [(n.kind, n.occasion) for n in after] == [(kind, occasion) for _, kind, occasion in STORED]
        assert all(n.kind in NotificationKind.values and n.status == "sent" for n in after)

        MigrationExecutor(connection).migrate(BEFORE)
        assert _kinds() == [kind for kind, _, _ in STORED]
    finally:
        MigrationExecutor(connection).migrate(leaves)
    assert [n.kind for n in Notification.objects.filter(dossier=dossier).order_by("pk")] == [
        kind for _, kind, _ in STORED
    ]
