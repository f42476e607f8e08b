"""The officer's workbench (bàn làm việc): how many dossiers each of their worklist tabs holds, and what waits
for them today — the steps they hold, the results waiting for their signature, the questions their agency must
answer — the overdue first, then the due soon. A fixed number of queries, whatever the number of dossiers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from egov.dossiers.models import DeadlineState, Dossier
from egov.onestop import results, time_rules
from egov.onestop.selectors import LIST_DEFERRED, WORKLIST_TABS, officer_worklist
from egov.signing.models import SignatureRequest
from egov.worktime.calendar import current_calendar

TAB_COUNT_CAP = 99
"""A tab's count stops at this many (“99+”): a province-wide tab can hold a million dossiers, and its exact size
is worth nothing to the officer, who narrows the list with filters (the list itself counts to 1,000)."""

SHOWN = 10
"""How many items of each kind the workbench lists; the tab behind each holds the rest."""

URGENCY = Case(
    When(deadline_state=DeadlineState.OVERDUE, then=Value(0)),
    When(deadline_state=DeadlineState.DUE_SOON, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)
"""Overdue first, then due soon, then the rest (the deadline state the sweep keeps on each dossier)."""


def tab_counts(
    user: Any, *, awaiting_signature: list[int] | None = None, cap: int = TAB_COUNT_CAP
) -> dict[str, int]:
    """How many dossiers each worklist tab holds for ``user``, each counted to at most ``cap + 1`` (like
    :func:`egov.onestop.selectors.capped_count`), all in one query: one scalar sub-query per tab, each the
    tab's own query limited to ``cap + 1`` rows (so an index stops each scan early)."""
    counts: dict[str, int] = {}
    parts: list[tuple[str, str]] = []
    params: list[Any] = []
    database = Dossier.objects.db
    for tab in WORKLIST_TABS:
        rows = officer_worklist(user, tab=tab, awaiting_signature=awaiting_signature).order_by().values("pk")
        try:
            sql, args = rows[: cap + 1].query.get_compiler(using=database).as_sql()
        except EmptyResultSet:  # a condition that holds for no row (no desk, no role): nothing to count
            counts[tab] = 0
            continue
        parts.append((tab, sql))
        params.extend(args)
    if parts:
        # Only SQL the ORM compiled, its values passed as parameters.
        select = ", ".join(f"(SELECT COUNT(*) FROM ({sql}) counted_{i})" for i, (_, sql) in enumerate(parts))  # noqa: S608
        with connections[database].cursor() as cursor:
            cursor.execute(f"SELECT {select}", params)
            row = cursor.fetchone()
        counts.update({tab: int(number) for (tab, _), number in zip(parts, row, strict=True)})
    return {tab: counts[tab] for tab in WORKLIST_TABS}


def count_label(count: int, cap: int = TAB_COUNT_CAP) -> str:
    return f"{cap}+" if count > cap else str(count)


@dataclass
class WaitingSignature:
    """A result waiting for the officer's signature, with its dossier."""

    request: SignatureRequest
    dossier: Dossier

    @property
    def as_leader(self) -> bool:
        return self.request.status == SignatureRequest.Status.AWAITING_LEADER


@dataclass
class Workbench:
    counts: dict[str, int]
    steps: list[Dossier]
    signatures: list[WaitingSignature]
    consultations: list[Dossier]
    signature_total: int
    now: dt.datetime
    soon: dt.datetime
    cap: int = TAB_COUNT_CAP
    tabs: dict[str, str] = field(default_factory=lambda: dict(WORKLIST_TABS))

    @property
    def tab_rows(self) -> list[tuple[str, str, int, str]]:
        """(tab, label, count, shown count) in the worklist's order."""
        return [
            (tab, label, self.counts[tab], count_label(self.counts[tab], self.cap))
            for tab, label in self.tabs.items()
        ]

    @property
    def more_steps(self) -> bool:
        return self.counts["cho-toi"] > len(self.steps) + self.signature_total

    @property
    def more_consultations(self) -> bool:
        return self.counts["xin-y-kien"] > len(self.consultations)

    @property
    def empty(self) -> bool:
        return not (self.steps or self.signatures or self.consultations)

    def consultation_state(self, due: dt.datetime | None) -> str:
        """The deadline state of a consulted agency's answer due at ``due`` (NĐ 61's due-soon figure)."""
        if due is None:
            return DeadlineState.ON_TRACK
        return time_rules.deadline_state(due, now=self.now, soon=self.soon)


def _urgent_first(queryset: QuerySet[Dossier]) -> QuerySet[Dossier]:
    return queryset.annotate(urgency=URGENCY).order_by("urgency", "due_at", "pk")


def workbench(user: Any, *, now: dt.datetime | None = None) -> Workbench:
    """Everything the workbench shows, in six queries at most whatever the number of dossiers: the results
    waiting for the officer's signature (none for one who signs nothing), the tabs' counts (one), and where
    there is something to list, their steps, the dossiers of those signatures, the questions to answer with
    the working calendar (for the answers' due-soon mark)."""
    now = now or timezone.now()
    requests = results.awaiting_my_signature(user)
    signing_ids = results.dossier_ids(requests)
    counts = tab_counts(user, awaiting_signature=signing_ids)
    steps = list(
        _urgent_first(officer_worklist(user, tab="cho-toi", awaiting_signature=signing_ids)).exclude(
            pk__in=signing_ids
        )[:SHOWN]
        # "cho-toi" holds the signatures' dossiers too: only more rows than those make a list of steps.
        if counts["cho-toi"] > len(signing_ids)
        else []
    )
    signatures: list[WaitingSignature] = []
    if signing_ids:
        by_dossier = {int(r.source_id): r for r in requests if r.source_id.isdigit()}
        dossiers = _urgent_first(
            Dossier.objects.filter(pk__in=signing_ids)
            .select_related("procedure_version", "current_step", "current_agency")
            .defer(*LIST_DEFERRED)
        )[:SHOWN]
        signatures = [WaitingSignature(request=by_dossier[d.pk], dossier=d) for d in dossiers]
    consultations = list(officer_worklist(user, tab="xin-y-kien")[:SHOWN]) if counts["xin-y-kien"] else []
    soon = time_rules.due_soon_limit(now, current_calendar()) if consultations else now
    return Workbench(
        counts=counts,
        steps=steps,
        signatures=signatures,
        consultations=consultations,
        signature_total=len(signing_ids),
        now=now,
        soon=soon,
    )
