"""Reads for the back office: worklists, an officer's view of a dossier, the register (form 06)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Reverse
from django.db.models.lookups import StartsWith
from django.utils import timezone
from django.utils.functional import cached_property

from egov.accounts.models import StaffAssignment
from egov.accounts.scopes import agencies_visible_to, assignments_of, visible_agency_ids
from egov.catalog.models import ProcedureVersion, Sector, VersionStatus
from egov.core.pdf import vietnam_time
from egov.dossiers.models import Consultation, Dossier, DossierEvent, DossierStep, StepKind, StoredFile
from egov.dossiers.statuses import DossierStatus
from egov.onestop import results, rules
from egov.onestop.forms.pdf import control_rows

OPEN = ("received", "processing")


FINISHED = ("refused", "withdrawn", "stopped", "done", "returned")


WORKLIST_TABS = {
    "moi": "Mới, cần tiếp nhận",
    "cho-toi": "Chờ tôi xử lý",
    "cua-toi": "Được giao cho tôi",
    "cho-cong-dan": "Chờ công dân",
    "sap-den-han": "Sắp đến hạn",
    "qua-han": "Quá hạn",
    "xin-y-kien": "Chờ cho ý kiến",
    "da-tiep-nhan": "Đang giải quyết",
    "da-xong": "Đã kết thúc",
}


TAB_STATUSES: dict[str, tuple[str, ...]] = {
    "moi": ("new",),
    "cho-toi": (*OPEN, "done"),
    "cua-toi": (*OPEN, "done", "awaiting_payment"),
    "cho-cong-dan": ("supplement_requested", "awaiting_payment"),
    "sap-den-han": OPEN,
    "qua-han": OPEN,
    "xin-y-kien": tuple(rules.ANSWERABLE_STATUSES),
    "da-tiep-nhan": (*OPEN, "supplement_requested", "awaiting_payment", "done"),
    "da-xong": FINISHED,
}
"""The statuses each tab holds (the status filter offers these)."""


@dataclass(frozen=True)
class WorklistFilters:
    query: str = ""
    procedure: str = ""  # national code
    sector: str = ""  # sector code
    channel: int | None = None
    status: str = ""
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None


def officer_worklist(
    user: Any,
    *,
    tab: str,
    filters: WorklistFilters | None = None,
    awaiting_signature: list[int] | None = None,
) -> QuerySet[Dossier]:
    """One tab of an officer's worklist. Dossiers at the desks where they receive, at the steps their roles
    hold, assigned to them, waiting for the applicant, due soon, overdue, waiting for their agency's opinion
    (``xin-y-kien``: an open consultation addressed to an agency where they answer, the earliest answer due
    first, its due date as ``consultation_due_at``) or finished; filtered and searched. “Chờ tôi xử lý”
    (``cho-toi``) also holds the dossiers whose result waits for the officer's signature (the leader who
    approved, the clerk who seals: one small query, none for an officer who signs nothing, none when the caller
    gives their ids as ``awaiting_signature``), each row marked ``awaits_my_signature``.
    One query for a page, one for the count, whatever the number of rows (the officer's roles are read once
    per request; a supervisor's agencies and the versions of a procedure or sector filter take one small query
    each). Every condition compares a column as stored, so an index can serve it."""

    filters = filters or WorklistFilters()
    assignments = assignments_of(user)
    # The ids themselves, not a sub-query: with ``agency IN (SELECT …)`` on either side of an OR, no index
    # served the tab and PostgreSQL read the whole table (0.5 s to count a district's month at 1 M dossiers).
    visible = visible_agency_ids(user)
    desks = [a.agency_id for a in assignments if a.role == "receiving_officer"]
    mine = Q(pk__in=[])
    for a in assignments:
        mine |= Q(current_agency_id=a.agency_id, current_role=a.role)
    involved = Q(receiving_agency_id__in=visible) | Q(current_agency_id__in=visible)
    statuses: tuple[str, ...] = TAB_STATUSES.get(tab, TAB_STATUSES["da-tiep-nhan"])
    if tab == "moi":
        scope = Q(receiving_agency_id__in=desks)
    elif tab == "cho-toi":
        scope = mine & (Q(current_assignee__isnull=True) | Q(current_assignee=user))
        if awaiting_signature is None:
            awaiting_signature = results.dossier_ids(results.awaiting_my_signature(user))
        if awaiting_signature:
            # The ids, not a sub-query: an OR with ``IN (SELECT …)`` is served by no index on PostgreSQL.
            scope |= Q(pk__in=awaiting_signature)
    elif tab == "cua-toi":
        scope = Q(current_assignee=user)
    elif tab == "sap-den-han":
        scope = involved & Q(deadline_state="due_soon")
    elif tab == "qua-han":
        scope = involved & Q(deadline_state="overdue")
    elif tab == "xin-y-kien":
        scope = Q(pk__in=_waiting_for_answer(assignments).values("dossier_id"))
    else:  # "cho-cong-dan", "da-xong", and "da-tiep-nhan": everything being processed the officer may see
        scope = involved
    if filters.status:
        # The status filter narrows the tab's statuses (an index then compares one status, not a list); a
        # status the tab does not hold leaves nothing, without a query (PostgreSQL would read the whole tab).
        statuses = tuple(s for s in statuses if s == filters.status)
        if not statuses:
            return Dossier.objects.none()
    queryset = Dossier.objects.filter(
        scope, Q(status=statuses[0]) if len(statuses) == 1 else Q(status__in=statuses)
    )
    query = filters.query.strip()
    if query:
        queryset = queryset.filter(search_condition(query))
    if filters.procedure or filters.sector:
        # The catalogue's few versions first, then the dossiers by ``procedure_version_id``: with the ids known
        # the planner walks the tab's own index (3 ms for the province's overdue list of one procedure out of
        # 2 M dossiers) instead of every dossier of the procedure through a join (600 ms).
        versions = ProcedureVersion.objects.all()
        if filters.procedure:
            versions = versions.filter(procedure__national_code=filters.procedure)
        if filters.sector:
            versions = versions.filter(sector__code=filters.sector)
        queryset = queryset.filter(procedure_version_id__in=list(versions.values_list("pk", flat=True)))
    if filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    # Days are the officer's (Vietnam's) days; the bounds are computed here as moments, so the database compares
    # the bare column and an index serves it (``submitted_at__date`` wraps the column in a time-zone cast that
    # no index serves: a month's filter walked back through the whole year from December).
    start, end = day_start(filters.submitted_from), day_start(filters.submitted_to, after=True)
    if start is not None:
        queryset = queryset.filter(submitted_at__gte=start)
    if end is not None:
        queryset = queryset.filter(submitted_at__lt=end)
    order = (
        ("submitted_at",)
        if tab == "moi"
        else ("due_at",)
        if tab in ("cho-toi", "cua-toi", "sap-den-han", "qua-han")
        else ("consultation_due_at",)
        if tab == "xin-y-kien"
        else ("-submitted_at",)
    )
    if tab == "xin-y-kien":
        # The earliest answer the officer's agencies owe on the dossier (read through the open consultations'
        # partial index, a few rows per dossier).
        queryset = queryset.annotate(
            consultation_due_at=Subquery(
                _waiting_for_answer(assignments)
                .filter(dossier_id=OuterRef("pk"))
                .order_by("due_at")
                .values("due_at")[:1]
            )
        )
    if tab == "cho-toi":
        queryset = queryset.annotate(
            awaits_my_signature=Case(
                When(pk__in=awaiting_signature, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
            if awaiting_signature
            else Value(False, output_field=BooleanField())
        )
    return (
        queryset.select_related(
            "procedure_version", "receiving_agency", "current_agency", "current_step", "current_assignee"
        )
        # A list row needs none of the long texts: the form's answers and the procedure's form and texts
        # (JSON decoded per row) were most of a page's time.
        .defer(*LIST_DEFERRED)
        .order_by(*order, "pk")
    )


def _waiting_for_answer(assignments: list[Any]) -> QuerySet[Consultation]:
    """The consultations still open that are addressed to an agency where the officer answers (the answer
    rule's roles): the consultations' partial index ``consultation_open`` serves it."""
    answering = sorted({a.agency_id for a in assignments if a.role in rules.ANSWERING_ROLES})
    return Consultation.objects.filter(
        agency_id__in=answering, answered_at__isnull=True, cancelled_at__isnull=True
    )


@dataclass(frozen=True)
class FilterChoices:
    """What the worklist's filters offer: the catalogue's procedures (code and name, for type-ahead) and
    sectors, and the statuses of the tab."""

    procedures: list[tuple[str, str]]
    sectors: list[tuple[str, str]]
    statuses: list[tuple[str, str]]


def filter_choices(tab: str) -> FilterChoices:
    """Two queries: the published procedures (one row per national code, the latest name) and the sectors."""
    procedures: dict[str, str] = {}
    for code, name in (
        ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .order_by("procedure__national_code", "-number")
        .values_list("procedure__national_code", "name")
    ):
        procedures.setdefault(code, name)
    sectors = list(Sector.objects.order_by("name").values_list("code", "name"))
    held = TAB_STATUSES.get(tab, TAB_STATUSES["da-tiep-nhan"])
    return FilterChoices(
        procedures=sorted(procedures.items(), key=lambda item: item[1]),
        sectors=sectors,
        statuses=[(value, label) for value, label in DossierStatus.choices if value in held],
    )


PROCEDURE_CHOICE = re.compile(r"^\s*([0-9A-Za-z.\-]+)\s+[–-]\s")


def procedure_code(text: str) -> str:
    """The national code in what the procedure filter sends: a code as typed, or a choice of its list,
    “1.001193 – Đăng ký khai sinh”."""
    text = text.strip()
    found = PROCEDURE_CHOICE.match(text)
    return found.group(1) if found else text


CODE_LIKE = re.compile(r"^[0-9A-Za-z]{3}\.[0-9A-Za-z.\-]*$")


def search_condition(query: str) -> Q:
    """A dossier code (or its beginning, e.g. ``000.22.44.H10-1901``) is looked up by prefix on the code's
    index; digits alone are an ID number or the end of a code (the beginning of the reversed code, which an
    index serves on PostgreSQL); anything else is part of the applicant's name."""
    if CODE_LIKE.match(query):
        return Q(code__startswith=query.upper())
    if query.isdigit():
        return Q(applicant_id_number=query) | Q(StartsWith(Reverse("code"), query[::-1]))
    return Q(applicant_name__icontains=query)


class CappedPaginator(Paginator):
    """Counts at most ``cap`` rows: a province-wide tab can hold a million dossiers, and counting them all
    costs seconds for a number nobody pages through; filters narrow the list instead."""

    cap = 1000

    def __init__(self, *args: Any, filters: WorklistFilters | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters = filters

    @cached_property
    def count(self) -> int:
        return capped_count(self.object_list, filters=self.filters, cap=self.cap)  # type: ignore[arg-type]

    @property
    def capped(self) -> bool:
        return self.count > self.cap


LIST_DEFERRED = (
    "form_data",
    "status_note",
    "procedure_version__form_definition",
    "procedure_version__search_text",
    "procedure_version__steps",
    "procedure_version__conditions",
    "procedure_version__legal_basis",
    "procedure_version__fee_note",
    "current_step__note",
)


def desk_worklist(user: Any, *, tab: str, query: str = "") -> QuerySet[Dossier]:
    return officer_worklist(user, tab=tab, filters=WorklistFilters(query=query))


def register_years(agencies: list[Any]) -> list[int]:
    """The years in which any of these desks received dossiers, the latest first (one query): the years whose
    register (form 06) has rows. Years are the officer's (Vietnam's), as :func:`register_rows` counts them."""
    if not agencies:
        return []
    received = Dossier.objects.filter(receiving_agency__in=agencies, received_at__isnull=False)
    return [moment.year for moment in received.datetimes("received_at", "year", order="DESC")]


def register_rows(*, agency: Any, year: int) -> list[list[str]]:
    """Form 06, the desk's register for a year: one row per dossier received, numbered from 1 in order of
    receipt. Three queries whatever the number of rows."""

    dossiers = (
        Dossier.objects.filter(receiving_agency=agency, received_at__year=year)
        .select_related("procedure_version", "result")
        .prefetch_related(
            Prefetch("steps", queryset=DossierStep.objects.select_related("agency").order_by("id"))
        )
        .order_by("received_at", "pk")
    )
    rows = []
    for number, dossier in enumerate(dossiers, start=1):
        steps = list(dossier.steps.all())
        approving = [s for s in steps if s.kind == "approve"]
        lead = (approving[-1].agency if approving else dossier.receiving_agency).name
        forwarded = next((s.started_at for s in steps if s.started_at and s.agency_id != agency.pk), None)
        result = getattr(dossier, "result", None)
        contact = ", ".join(p for p in (dossier.applicant_address, dossier.applicant_phone) if p)
        note = dossier.get_status_display()
        if dossier.verdict:
            note += " – " + {"early": "trước hạn", "on_time": "đúng hạn", "late": "quá hạn"}[dossier.verdict]
        rows.append(
            [
                f"{number:02d}",
                dossier.code,
                dossier.procedure_version.name,
                "01",
                dossier.applicant_name,
                contact,
                lead,
                vietnam_time(dossier.received_at) if dossier.received_at else "",
                vietnam_time(dossier.due_at) if dossier.due_at else "",
                vietnam_time(forwarded) if forwarded else "",
                vietnam_time(result.issued_at) if result else "",
                vietnam_time(result.returned_at) if result and result.returned_at else "",
                note,
            ]
        )
    return rows


def dossier_for_officer(user: Any, code: str) -> Dossier | None:
    """The dossier for an action, a form or a file: its row, files and history (three queries)."""
    return _officer_dossiers(user, code).first()


@dataclass
class OfficerView:
    """What an officer may do on a dossier's page (the services check again when they act)."""

    actions: set[str]
    next_step: DossierStep | None
    step: DossierStep | None
    open_consultations: list[Any]
    control_rows: list[dict[str, Any]]
    pending_signature: Any = None
    open: bool = False  # still being dealt with: its deadline state means something

    @cached_property
    def _candidates(self) -> dict[tuple[int, str], list[Any]]:
        """The officers who may take the next step and those who may take this one over, in one query, read
        only when a page shows them (the API's detail does not)."""

        wanted = []
        if "forward" in self.actions and self.next_step is not None:
            wanted.append((self.next_step.agency_id, self.next_step.role))
        if "reassign" in self.actions and self.step is not None:
            wanted.append((self.step.agency_id, self.step.role))
        if not wanted:
            return {}
        condition = Q(pk__in=[])
        for agency_id, role in wanted:
            condition |= Q(agency_id=agency_id, role=role)
        found: dict[tuple[int, str], list[Any]] = {key: [] for key in wanted}
        for a in StaffAssignment.objects.filter(condition).select_related("user").order_by("user__full_name"):
            found[(a.agency_id, a.role)].append(a.user)
        return found

    @property
    def action_links(self) -> list[tuple[str, str]]:
        """The actions the officer may take now, in the rules' order, with their labels (the page's list of
        links to each action's form; reassigning shows only with someone else to give the step to)."""
        shown = set(self.actions)
        if "reassign" in shown and len(self.step_candidates) < 2:
            shown.discard("reassign")
        labels = {"supplement": "Yêu cầu bổ sung, hoàn thiện hồ sơ"}
        return [(name, labels.get(name, rule.label)) for name, rule in rules.RULES.items() if name in shown]

    @property
    def approving(self) -> bool:
        """The officer approves the result now: the leader's step, which they may hand on to the clerk."""
        return "forward" in self.actions and self.step is not None and self.step.kind == StepKind.APPROVE

    @property
    def next_candidates(self) -> list[Any]:
        if "forward" not in self.actions or self.next_step is None:
            return []
        return self._candidates[(self.next_step.agency_id, self.next_step.role)]

    @property
    def step_candidates(self) -> list[Any]:
        if "reassign" not in self.actions or self.step is None:
            return []
        return self._candidates[(self.step.agency_id, self.step.role)]


def officer_view(user: Any, dossier: Dossier) -> OfficerView:
    """The actions this officer may take (the same rules the services check, :mod:`egov.onestop.rules`), the
    next step and the open consultations they may answer, and the control sheet's rows. Reads the dossier's
    steps and consultations once (none again when the dossier comes from :func:`dossier_detail_for_officer`),
    its apology and pending signature where they matter."""

    prefetch_related_objects([dossier], STEPS, CONSULTATIONS)
    steps: list[DossierStep] = list(dossier.steps.all())
    consultations: list[Consultation] = list(dossier.consultations.all())
    actions = rules.allowed_actions(user, dossier)
    facts = rules.facts(dossier)
    step = dossier.current_step
    next_step = facts.next_step if "forward" in actions else None
    open_consultations = rules.answerable_consultations(user, dossier)
    rows = control_rows(dossier, steps=steps, consultations=consultations) if dossier.received_at else []
    return OfficerView(
        actions,
        next_step,
        step,
        open_consultations,
        rows,
        facts.pending_signature,
        open=dossier.status in OPEN,
    )


def dossier_has_apology(dossier: Dossier) -> bool:
    """From the row read with the dossier when it was (``dossier_detail_for_officer``), else one query."""
    return getattr(dossier, "apology", None) is not None


def day_start(day: dt.date | None, *, after: bool = False) -> dt.datetime | None:
    """The moment ``day`` (or with ``after``, the day after it) begins in the current time zone; ``None`` for
    no day, or for a day so far off that the bound excludes nothing."""
    if day is None:
        return None
    try:
        moment = dt.datetime.combine(day + dt.timedelta(days=1) if after else day, dt.time.min)
        # An aware bound must survive the conversion to UTC that the database query makes.
        return timezone.make_aware(moment).astimezone(dt.UTC)
    except OverflowError:
        return None


def _officer_dossiers(user: Any, code: str) -> QuerySet[Dossier]:
    """The dossier with this code if the officer may see it: received by, processed at or consulting one of
    the agencies they see. EXISTS sub-queries, not joins with DISTINCT: the dossier's row is read once."""

    visible = agencies_visible_to(user).values("pk")
    return (
        Dossier.objects.filter(code=code)
        .filter(
            Q(receiving_agency__in=visible)
            | Exists(DossierStep.objects.filter(dossier=OuterRef("pk"), agency__in=visible))
            | Exists(Consultation.objects.filter(dossier=OuterRef("pk"), agency__in=visible))
        )
        .select_related(
            "procedure_version__procedure",
            "procedure_version__sector",
            "receiving_agency",
            "current_agency",
            "current_step__agency",
            "current_assignee",
        )
        .prefetch_related(
            Prefetch("files", queryset=StoredFile.objects.select_related("component").order_by("slot", "id")),
            Prefetch(
                "events",
                queryset=DossierEvent.objects.select_related("actor", "actor_agency").order_by("at", "id"),
            ),
        )
    )


STEPS = Prefetch(
    "steps", queryset=DossierStep.objects.select_related("agency", "handed_by", "assignee", "finished_by")
)


CONSULTATIONS = Prefetch(
    "consultations", queryset=Consultation.objects.select_related("agency", "requested_by", "answered_by")
)


def dossier_detail_for_officer(user: Any, code: str) -> Dossier | None:
    """The dossier for its page and the API's detail: also its apology and result (in the same row) and its
    steps and consultations with their agencies and people, which :func:`officer_view` then reads without a
    query of its own (five queries in all, whatever the number of steps, consultations, files or events)."""
    return (
        _officer_dossiers(user, code)
        .select_related("apology", "result")
        .prefetch_related(STEPS, CONSULTATIONS, "supplement_requests")
        .first()
    )


def capped_count(queryset: QuerySet[Dossier], *, filters: WorklistFilters | None, cap: int) -> int:
    """How many rows a worklist holds, counting at most ``cap + 1`` (the rows of :func:`capped_rows`)."""
    return capped_rows(queryset, filters=filters, cap=cap).count()


def capped_rows(
    queryset: QuerySet[Dossier], *, filters: WorklistFilters | None, cap: int
) -> QuerySet[Dossier]:
    """The first ``cap + 1`` rows of a worklist, as counted.

    Without an ORDER BY the LIMIT stops the scan at ``cap + 1`` rows instead of sorting every match. But rows
    are written in submission order, so a range of submission dates sits together in the table: unordered,
    PostgreSQL may scan the table from its start until it meets the range (0.5 s at 1,000,000 dossiers for the
    province's March). With a date filter the count walks the range in submission order, through its index."""
    dated = filters is not None and (filters.submitted_from or filters.submitted_to)
    return queryset.order_by(*(("submitted_at",) if dated else ()))[: cap + 1]
