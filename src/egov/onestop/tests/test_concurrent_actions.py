"""Two officers acting on one dossier at the same moment, through the API in two threads with their own
database connections: one succeeds, the other is told 409 ``conflict`` — never a 500 (before the lock came first,
about one call in twenty failed with MultipleObjectsReturned on the dossier's steps)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from egov.accounts.models import User
from egov.accounts.tokens import issue_token
from egov.dossiers.models import Dossier, DossierStep
from egov.submission.tests.test_submission import submit


@pytest.mark.django_db(transaction=True)
def test_two_receipts_at_once_one_succeeds_the_other_is_a_conflict(marriage: Any) -> None:
    desk = User.objects.get(email="motcua.loctan@binhphuoc.demo")
    token = issue_token(user=desk, name="thử đồng thời")
    outcomes: list[int] = []
    for _ in range(6):
        dossier, _ = submit(marriage)
        start = threading.Barrier(2)
        answers: list[int] = []

        def receive(
            version: int = dossier.version,
            code: str = dossier.code,
            start: threading.Barrier = start,
            answers: list[int] = answers,
        ) -> None:
            try:
                client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
                start.wait()
                response = client.post(
                    f"/api/v1/officer/dossiers/{code}/receive",
                    {"version": version},
                    content_type="application/json",
                )
                answers.append(response.status_code)
            finally:
                connection.close()

        threads = [threading.Thread(target=receive) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(answers) == [200, 409], answers
        fresh = Dossier.objects.get(pk=dossier.pk)
        assert fresh.status == "received"
        assert DossierStep.objects.filter(dossier=fresh, round=1, position=1).count() == 1  # laid out once
        outcomes += answers
    assert outcomes.count(200) == 6
