"""Reassigning a step: the leader gives the step to another holder of its role in the same agency; the work
moves between the two officers' lists, the history says who and when, and the applicant sees nothing of it."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client

from egov.accounts.models import StaffAssignment, User
from egov.core.errors import Conflict, ScopeDenied
from egov.dossiers.models import Dossier, DossierEvent
from egov.onestop import processing
from egov.onestop.selectors import officer_worklist
from egov.onestop.tests.test_action_rules import CHAIRMAN, SPECIALIST, act, at, person, received

pytestmark = pytest.mark.django_db


def _colleague(dossier: Dossier) -> User:
    step = dossier.current_step
    assert step is not None
    colleague = User.objects.create_user(
        username="congchuc2.loctan", email="congchuc2.loctan@binhphuoc.demo", password="x" * 16,
        full_name="Trần Thị Thu Hà",
    )  # fmt: skip
    StaffAssignment.objects.create(user=colleague, agency=step.agency, role=step.role)
    return colleague


def _codes(user: User, tab: str) -> set[str]:
    return set(officer_worklist(user, tab=tab).values_list("code", flat=True))


def test_the_leader_gives_the_step_to_a_colleague_and_the_lists_follow(marriage: Any) -> None:
    dossier = received(marriage, at("2019-03-04", "08:00"))
    dossier = act(at("2019-03-04", "08:30"), processing.reassign, dossier, officer=person(CHAIRMAN),
                  assignee=person(SPECIALIST))  # fmt: skip
    assert dossier.code in _codes(person(SPECIALIST), "cua-toi")
    colleague = _colleague(dossier)
    before = dossier.version

    dossier = act(at("2019-03-04", "09:00"), processing.reassign, dossier, officer=person(CHAIRMAN),
                  assignee=colleague)  # fmt: skip

    dossier.refresh_from_db()
    assert dossier.version == before + 1
    assert dossier.current_assignee == colleague
    assert dossier.current_step is not None and dossier.current_step.assignee == colleague
    assert dossier.code in _codes(colleague, "cua-toi") and dossier.code in _codes(colleague, "cho-toi")
    assert dossier.code not in _codes(person(SPECIALIST), "cua-toi")
    assert dossier.code not in _codes(person(SPECIALIST), "cho-toi")
    event = DossierEvent.objects.filter(dossier=dossier, action="reassigned").latest("at", "id")
    assert event.actor == person(CHAIRMAN)
    assert "Trần Thị Thu Hà" in event.note and event.public_note == ""


def test_the_applicant_does_not_see_who_was_given_the_step(marriage: Any, client: Client) -> None:
    dossier = received(marriage, at("2019-03-04", "08:00"))
    colleague = _colleague(dossier)
    act(at("2019-03-04", "09:00"), processing.reassign, dossier, officer=person(CHAIRMAN), assignee=colleague)
    client.force_login(dossier.applicant)
    with time_machine.travel(at("2019-03-04", "10:00"), tick=False):
        page = client.get(f"/ho-so-cua-toi/{dossier.code}/")
    assert page.status_code == 200
    assert "Trần Thị Thu Hà" not in page.content.decode()


def test_a_reassignment_on_a_stale_version_is_a_conflict_and_changes_nothing(marriage: Any) -> None:
    dossier = received(marriage, at("2019-03-04", "08:00"))
    colleague = _colleague(dossier)
    stale = dossier.version - 1
    with time_machine.travel(at("2019-03-04", "09:00"), tick=False), pytest.raises(Conflict):
        processing.reassign(
            dossier=dossier, officer=person(CHAIRMAN), expected_version=stale, assignee=colleague
        )
    dossier.refresh_from_db()
    assert dossier.current_assignee != colleague
    assert not DossierEvent.objects.filter(dossier=dossier, action="reassigned").exists()


def test_a_colleague_cannot_take_a_step_given_to_someone_else(marriage: Any) -> None:
    dossier = received(marriage, at("2019-03-04", "08:00"))
    dossier = act(at("2019-03-04", "08:30"), processing.reassign, dossier, officer=person(CHAIRMAN),
                  assignee=person(SPECIALIST))  # fmt: skip
    colleague = _colleague(dossier)
    with pytest.raises(ScopeDenied, match="đã được giao cho cán bộ khác"):
        act(at("2019-03-04", "09:00"), processing.reassign, dossier, officer=colleague, assignee=colleague)
    dossier.refresh_from_db()
    assert dossier.current_assignee == person(SPECIALIST)
