"""The synthetic year: realistic dossiers with history and steps, codes that real submissions continue after."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import Counter
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from egov.accounts.models import User
from egov.agencies.models import Agency
from egov.core.errors import DomainError
from egov.demo import synthetic
from egov.dossiers.codes import code_day, dossier_code
from egov.dossiers.lifecycle import TERMINAL, can_follow
from egov.dossiers.models import Apology, Dossier, DossierCodeSequence, DossierEvent, DossierStep
from egov.dossiers.selectors import timeline
from egov.dossiers.services import next_dossier_code
from egov.dossiers.statuses import NATIONAL_STATUS_CODE, DossierStatus
from egov.onestop import time_rules
from egov.onestop.deadlines import sweep_deadlines
from egov.onestop.selectors import WorklistFilters, officer_worklist
from egov.worktime.calendar import current_calendar

CODE = re.compile(r"^(?P<agency>[0-9A-Z.]+)-(?P<day>\d{6})-(?P<number>\d{4,})$")


@pytest.fixture
def year_2019(demo: None) -> synthetic.GenerationReport:
    return synthetic.generate(count=500, year=2019, seed=7, open_share=0.3, batch_size=200)


def test_codes_are_unique_in_the_real_format_and_follow_each_desks_day(year_2019: Any) -> None:
    assert year_2019.dossiers == 500
    rows = list(Dossier.objects.values_list("code", "receiving_agency__code", "submitted_at"))
    assert len({code for code, _, _ in rows}) == 500
    numbers: dict[tuple[str, str], list[int]] = {}
    for code, agency_code, submitted_at in rows:
        match = CODE.match(code)
        assert match, code
        assert match["agency"] == agency_code
        assert match["day"] == f"{timezone.localdate(submitted_at):%y%m%d}"
        assert submitted_at.year == 2019
        numbers.setdefault((match["agency"], match["day"]), []).append(int(match["number"]))
    for found in numbers.values():  # each desk's day is numbered 1, 2, 3… without gaps
        assert sorted(found) == list(range(1, len(found) + 1))


def test_a_generated_year_is_what_the_real_flow_would_have_made(year_2019: Any) -> None:
    """Due dates, step starts, verdicts, deadline states, statuses and codes: each from the rule the
    services use, for every row, at the generator's clock."""
    calendar, now = current_calendar(), year_2019.as_of
    assert now == dt.datetime(2020, 1, 1, tzinfo=calendar.zone)
    soon = time_rules.due_soon_limit(now, calendar)
    apologised = set(Apology.objects.values_list("dossier_id", flat=True))
    steps: dict[int, list[DossierStep]] = {}
    for step in DossierStep.objects.select_related("dossier").order_by("dossier_id", "position"):
        steps.setdefault(step.dossier_id, []).append(step)
    events: dict[int, list[DossierEvent]] = {}
    for event in DossierEvent.objects.order_by("dossier_id", "at", "pk"):
        events.setdefault(event.dossier_id, []).append(event)
    open_ones = checked_steps = 0
    for dossier in Dossier.objects.select_related("procedure_version", "receiving_agency"):
        assert dossier.status in DossierStatus.values
        assert dossier.national_status == NATIONAL_STATUS_CODE[DossierStatus(dossier.status)]
        history = events[dossier.pk]
        assert history[-1].to_status == dossier.status and history[-1].at < now
        for event in history:
            if event.from_status and event.from_status != event.to_status:
                assert can_follow(event.from_status, event.to_status), (dossier.code, event.action)
            elif event.from_status:
                assert event.from_status not in TERMINAL
        number = int(dossier.code.rsplit("-", 1)[1])
        assert dossier.code == dossier_code(
            dossier.receiving_agency.code, code_day(dossier.submitted_at), number
        )
        if dossier.status in (DossierStatus.RECEIVED, DossierStatus.PROCESSING):
            open_ones += 1
            state = time_rules.deadline_state(dossier.due_at, now=now, soon=soon)
            assert dossier.deadline_state == state, dossier.code
            assert state != "overdue" or dossier.due_at < now
        else:
            assert dossier.deadline_state == ""
        if dossier.received_at is not None and dossier.pk not in apologised:
            assert dossier.due_at == time_rules.due_date(
                dossier.procedure_version, dossier.received_at, calendar
            )
        if dossier.finished_at is not None:
            assert dossier.verdict == time_rules.classify(dossier.finished_at, dossier.due_at)
        handed_at, handed_from = dossier.received_at, None
        for step in steps.get(dossier.pk, []):
            if step.started_at is None:
                break
            assert step.started_at == time_rules.step_start(
                handed_at,
                channel=dossier.channel,
                from_agency_id=handed_from,
                to_agency_id=step.agency_id,
                calendar=calendar,
            )
            assert step.due_at == calendar.add_working_time(step.started_at, step.allowed)
            if step.finished_at is not None:
                assert step.verdict == time_rules.classify(step.finished_at, step.due_at)
            handed_at, handed_from = step.finished_at, step.agency_id
            checked_steps += 1
    assert open_ones > 50 and checked_steps > 1000
    # The real sweep, run at the generator's clock, finds nothing to change.
    result = sweep_deadlines(now=now)
    assert (result.overdue, result.due_soon, result.on_track) == (0, 0, 0)


def test_the_year_under_way_stops_at_today(demo: None, monkeypatch: Any) -> None:
    """Generating the current year files nothing from today on and marks nothing overdue before its time."""
    zone = timezone.get_default_timezone()
    today = dt.datetime(2019, 7, 15, 10, 0, tzinfo=zone)
    monkeypatch.setattr(timezone, "now", lambda: today)
    report = synthetic.generate(count=300, year=2019, seed=2, open_share=0.3)
    midnight = dt.datetime(2019, 7, 15, tzinfo=zone)
    assert report.as_of == midnight
    assert not Dossier.objects.filter(submitted_at__gte=midnight).exists()
    assert not DossierEvent.objects.filter(at__gte=midnight).exists()
    assert Dossier.objects.filter(deadline_state="overdue").exists()
    assert not Dossier.objects.filter(deadline_state="overdue", due_at__gte=midnight).exists()
    with pytest.raises(DomainError, match="Năm 2020"):
        synthetic.generate(count=10, year=2020)


def test_a_real_submission_after_the_generator_does_not_collide(year_2019: Any) -> None:
    busiest = Counter(
        (d.receiving_agency_id, timezone.localdate(d.submitted_at)) for d in Dossier.objects.all()
    ).most_common(1)[0][0]
    agency = Agency.objects.get(pk=busiest[0])
    sequence = DossierCodeSequence.objects.get(agency=agency, day=busiest[1])
    assert (
        sequence.last
        == Dossier.objects.filter(code__startswith=f"{agency.code}-{busiest[1]:%y%m%d}-").count()
    )
    with transaction.atomic():
        code = next_dossier_code(agency=agency, day=busiest[1])
    assert not Dossier.objects.filter(code=code).exists()
    assert code.endswith(f"-{sequence.last + 1:04d}")


def test_statuses_channels_and_lateness_look_like_a_year(year_2019: Any) -> None:
    statuses = Counter(Dossier.objects.values_list("status", flat=True))
    assert {"returned", "processing", "received", "new", "supplement_requested", "done"} <= set(statuses)
    assert statuses["returned"] > 150
    assert set(year_2019.statuses) == set(statuses)
    channels = Counter(Dossier.objects.values_list("channel", flat=True))
    assert channels[1] > channels[2] > channels[3] > 0  # in person, online, post
    verdicts = Counter(Dossier.objects.exclude(verdict="").values_list("verdict", flat=True))
    late_share = verdicts["late"] / sum(verdicts.values())
    assert 0.02 < late_share < 0.2, verdicts
    people = Dossier.objects.exclude(applicant_id_number__startswith="38").values_list(
        "applicant_id_number", flat=True
    )
    assert all(re.fullmatch(r"070[0-3]\d{8}", number) for number in people)
    assert Dossier.objects.filter(applicant__isnull=True).count() == 500


def test_each_dossier_has_its_history_and_open_ones_their_current_step(year_2019: Any) -> None:
    events = Counter(DossierEvent.objects.values_list("dossier_id", flat=True))
    assert len(events) == 500
    returned = Dossier.objects.filter(status="returned").values_list("pk", flat=True)
    assert all(6 <= events[pk] <= 10 for pk in returned)
    assert 5 <= year_2019.events / 500 <= 10
    assert DossierStep.objects.filter(dossier__status="returned", finished_at__isnull=True).count() == 0
    for dossier in Dossier.objects.filter(status__in=("received", "processing")).select_related(
        "current_step"
    ):
        step = dossier.current_step
        assert step is not None and step.dossier_id == dossier.pk
        assert step.started_at is not None and step.finished_at is None
        assert (dossier.current_agency_id, dossier.current_role) == (step.agency_id, step.role)
        assert dossier.deadline_state in ("overdue", "due_soon", "on_track")
        assert dossier.received_at is not None and dossier.due_at > dossier.received_at
    one = Dossier.objects.filter(status="returned").order_by("pk").first()
    assert one is not None
    history = timeline(one.pk)
    assert [e.action for e in history][:2] in (
        ["submitted", "received"],
        ["submitted", "supplement_requested"],
    )
    assert history[-1].action == "returned" and history[-1].to_status == "returned"
    assert [e.at for e in history] == sorted(e.at for e in history)
    assert one.version == len(history)


def test_the_control_sheet_names_who_handed_over_and_who_finished_each_step(year_2019: Any) -> None:
    from egov.accounts.models import StaffAssignment
    from egov.accounts.roles import Role

    holds = set(StaffAssignment.objects.values_list("user_id", "agency_id", "role"))
    receivers = {(user, agency) for user, agency, role in holds if role == Role.RECEIVING_OFFICER}
    checked = 0
    for dossier in Dossier.objects.filter(status="returned").prefetch_related("steps", "events")[:200]:
        received = next(e for e in dossier.events.all() if e.action == "received")
        steps = sorted(dossier.steps.all(), key=lambda s: s.position)
        if (received.actor_id, dossier.receiving_agency_id) not in receivers:
            assert received.actor_id is None  # only a desk with no receiving officer in the demo
            continue
        assert steps[0].handed_by_id == received.actor_id  # the desk officer hands the dossier on
        for before, after in itertools.pairwise(steps):
            assert after.handed_by_id == before.finished_by_id
        for step in steps:
            if step.finished_by_id is not None:
                assert (step.finished_by_id, step.agency_id, step.role) in holds
                checked += 1
    assert checked > 20  # the demo staffs a few desks and agencies only


def test_late_dossiers_carry_apologies_made_in_time_by_the_agency_holding_them(demo: None) -> None:
    from egov.accounts.models import StaffAssignment
    from egov.accounts.roles import Role
    from egov.dossiers.models import Apology
    from egov.onestop.processing import HEADS
    from egov.worktime.calendar import current_calendar

    # A province where every agency has a leader (the demo staffs only a few): apologies wherever late.
    leader = User.objects.get(email="chutich.loctan@binhphuoc.demo")
    StaffAssignment.objects.bulk_create(
        StaffAssignment(user=leader, agency=agency, role=Role.LEADER)
        for agency in Agency.objects.exclude(assignments__user=leader, assignments__role=Role.LEADER)
    )
    report = synthetic.generate(count=2000, year=2019, seed=4, open_share=0.1)
    calendar = current_calendar()
    heads = set(StaffAssignment.objects.filter(role__in=HEADS).values_list("user_id", "agency_id"))
    apologies = list(Apology.objects.select_related("dossier"))
    # Fewer than the late ones chosen to apologise: some were not late after all, and a short procedure's
    # deadline comes too soon for an apology one working day ahead.
    assert 10 < len(apologies) < report.dossiers * synthetic.LATE * synthetic.APOLOGISED
    for apology in apologies:
        dossier = apology.dossier
        assert (apology.officer_id, apology.agency_id) in heads
        assert dossier.received_at < apology.created_at < apology.previous_due_at < apology.new_due_at
        assert (
            calendar.working_time_between(apology.created_at, apology.previous_due_at) >= calendar.day_length
        )
        assert dossier.due_at == apology.new_due_at  # the new date is the dossier's appointment from then on
        event = dossier.events.get(action="apologised")
        assert (event.at, event.actor_id, event.actor_agency_id) == (
            apology.created_at,
            apology.officer_id,
            apology.agency_id,
        )
        assert "hẹn lại ngày trả kết quả" in event.note
        holding = dossier.steps.filter(
            started_at__lte=apology.created_at, agency_id=apology.agency_id
        ).filter(Q(finished_at__isnull=True) | Q(finished_at__gt=apology.created_at))
        assert holding.exists()  # the apologising agency held the dossier then
    assert synthetic.delete_generated() == 2000 and not Apology.objects.exists()


def test_officers_see_the_generated_dossiers_in_their_worklists(year_2019: Any) -> None:
    supervisor = User.objects.get(email="giamsat@binhphuoc.demo")
    assert officer_worklist(supervisor, tab="da-tiep-nhan").exists()
    assert officer_worklist(supervisor, tab="da-xong").exists()
    assert officer_worklist(supervisor, tab="qua-han").exists()
    code = Dossier.objects.order_by("pk").values_list("code", flat=True).first()
    assert code is not None
    found = list(officer_worklist(supervisor, tab="da-xong", filters=WorklistFilters(query=code)))
    assert [d.code for d in found] in ([code], [])
    desk_officer = User.objects.get(email="motcua.loctan@binhphuoc.demo")
    desk = Agency.objects.get(code="000.22.44.H10")
    if Dossier.objects.filter(receiving_agency=desk, status="new").exists():
        assert officer_worklist(desk_officer, tab="moi").exists()


def test_running_again_appends_and_replace_removes_only_generated_dossiers(demo: None) -> None:
    synthetic.generate(count=60, year=2019, seed=1)
    synthetic.generate(count=40, year=2019, seed=1)  # same seed: same days and desks, codes continue
    codes = list(Dossier.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes)) == 100
    real = Dossier.objects.order_by("pk").first()
    assert real is not None
    Dossier.objects.filter(pk=real.pk).update(idempotency_key="")  # stands for a real dossier
    assert synthetic.delete_generated() == 99
    assert list(Dossier.objects.values_list("pk", flat=True)) == [real.pk]
    assert DossierEvent.objects.exclude(dossier=real).count() == 0
    assert DossierStep.objects.exclude(dossier=real).count() == 0


def test_the_command_prints_its_rate(demo: None, capsys: Any) -> None:
    call_command("generate_dossiers", count=30, year=2020, no_progress=True)
    output = capsys.readouterr().out
    assert "Đã tạo 30 hồ sơ" in output and "hồ sơ/giây" in output
    assert Dossier.objects.filter(submitted_at__year=2020).count() == 30
    assert all(d.submitted_at.date() <= dt.date(2020, 12, 31) for d in Dossier.objects.all())


@pytest.mark.django_db(transaction=True)
def test_rebuilding_indexes_after_a_load_gives_back_every_index(demo: None) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("indexes are dropped and rebuilt only on PostgreSQL")
    tables = [Dossier._meta.db_table, DossierEvent._meta.db_table, DossierStep._meta.db_table]

    def indexes() -> set[tuple[str, bool]]:  # name, usable (a partial index's text is printed differently)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname, i.indisvalid AND i.indisready FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid::regclass::text = ANY(%s)",
                [tables],
            )
            return set(cursor.fetchall())

    before = indexes()
    assert len(before) > 20 and all(usable for _, usable in before)
    report = synthetic.generate(count=300, year=2019, seed=3, batch_size=100, rebuild_indexes=True)
    assert report.dossiers == 300 and indexes() == before
    assert (
        DossierStep.objects.filter(dossier__idempotency_key__startswith=synthetic.MARK).count()
        == report.steps
    )


def test_the_year_is_shared_between_workers_in_runs_of_whole_days() -> None:
    plan = [
        (dt.date(2019, 1, 1) + dt.timedelta(days=n), share) for n, share in enumerate([5, 0, 7, 3, 9, 1, 6])
    ]
    shares = synthetic._share_days(plan, 3)
    assert [day for share in shares for day in share] == plan  # every day once, in order
    assert [sum(n for _, n in share) for share in shares] == [12, 12, 7]
    assert synthetic._share_days(plan[:1], 4) == [plan[:1]]  # never an empty share


@pytest.mark.django_db(transaction=True)
def test_workers_in_parallel_write_one_consistent_year(demo: None) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("processes share the work only on PostgreSQL")
    report = synthetic.generate(count=900, year=2019, seed=5, open_share=0.3, batch_size=100, workers=2)
    dossiers = Dossier.objects.filter(idempotency_key__startswith=synthetic.MARK)
    assert report.dossiers == dossiers.count() == 900 == sum(report.statuses.values())
    assert dossiers.values("idempotency_key").distinct().count() == 2  # one run mark per process
    assert dossiers.values("public_id").distinct().count() == 900
    assert DossierStep.objects.filter(dossier__in=dossiers).count() == report.steps
    assert DossierEvent.objects.filter(dossier__in=dossiers).count() == report.events
    numbers: dict[tuple[str, str], list[int]] = {}
    for code in dossiers.values_list("code", flat=True):
        match = CODE.match(code)
        assert match, code
        numbers.setdefault((match["agency"], match["day"]), []).append(int(match["number"]))
    for key, found in numbers.items():  # each desk's day numbered 1, 2, 3… with no gap and no repeat
        assert sorted(found) == list(range(1, len(found) + 1)), key
    issued = sum(
        DossierCodeSequence.objects.filter(day__year__in=(2018, 2019, 2020)).values_list("last", flat=True)
    )
    assert issued == 900


@pytest.mark.django_db(transaction=True)
def test_a_failing_worker_stops_the_run_with_a_clear_error(demo: None, monkeypatch: Any) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("processes share the work only on PostgreSQL")

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("ổ đĩa đầy")

    monkeypatch.setattr(synthetic.Generator, "make_day", broken)
    with pytest.raises(synthetic.DomainError, match="ổ đĩa đầy"):
        synthetic.generate(count=400, year=2019, seed=5, batch_size=100, workers=2)
    assert not Dossier.objects.filter(idempotency_key__startswith=synthetic.MARK).exists()
