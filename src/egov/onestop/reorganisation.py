"""Open dossiers follow a reorganisation (the hook :mod:`egov.agencies.reorganisation_hooks` calls).

What is finished stays with the agency that did it: a 2019 dossier, a step handed on before the effective
date, an answered consultation, an issued form keep pointing at the old agency row and so keep its name. What
is still open moves to the ended agency's primary successor, in the same transaction as the reorganisation:

- the desk (receiving agency) of every dossier not closed, so it stays in the successor desk's worklist and the
  desk can return its result;
- the agency holding the current step, every step not yet finished, and every consultation not yet answered;
  a person assigned keeps the work only if they now hold that role in the successor;
- a result waiting for signature under the old agency's name is not signed: the request is cancelled and the
  successor's clerk issues the result again, in the successor's name;
- drafts whose chosen desk ended point at its successor (or at no desk if it has none);
- each moved dossier gets a history entry by the system naming the old and the new agency, and its version
  goes up (a page opened before the move cannot act on stale data).

The plan is refused whole if a dossier would be left with an agency that no longer exists, or at a desk whose
successor has no one-stop desk.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import F, Q
from django.utils import timezone

from egov.accounts.models import StaffAssignment
from egov.agencies.models import Agency
from egov.agencies.reorganisation_hooks import Reorganised
from egov.core.errors import DomainError
from egov.dossiers.models import Consultation, Dossier, DossierEvent, DossierStep, Draft
from egov.dossiers.statuses import DossierStatus
from egov.onestop.results import RESULT_SOURCE
from egov.signing.models import SignatureRequest
from egov.signing.services import cancel_request
from egov.units.models import AdministrativeUnit

CLOSED = (DossierStatus.REFUSED, DossierStatus.WITHDRAWN, DossierStatus.STOPPED, DossierStatus.RETURNED)
ACTION = "reorganised"


def follow_reorganisation(event: Reorganised) -> list[str]:
    successor_of = event.successor_of
    if not successor_of:
        return []
    ended = list(successor_of)
    open_dossiers = Dossier.objects.exclude(status__in=CLOSED)
    touched = open_dossiers.filter(
        Q(receiving_agency_id__in=ended)
        | Q(current_agency_id__in=ended)
        | Q(
            pk__in=DossierStep.objects.filter(agency_id__in=ended, finished_at__isnull=True).values("dossier")
        )
        | Q(
            pk__in=Consultation.objects.filter(agency_id__in=ended, answered_at__isnull=True).values(
                "dossier"
            )
        )
    )
    # Lock the dossiers first: an officer acting at this moment waits, then meets the new version.
    dossiers = {
        d.pk: d
        for d in touched.select_for_update().only(
            "pk", "code", "status", "receiving_agency_id", "current_agency_id", "current_role"
        )
    }
    moves: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for dossier in dossiers.values():
        for agency_id in (dossier.receiving_agency_id, dossier.current_agency_id):
            if agency_id in successor_of:
                moves[dossier.pk].add((agency_id, successor_of[agency_id].pk))
    open_steps = DossierStep.objects.filter(dossier_id__in=list(dossiers), finished_at__isnull=True)
    for dossier_id, agency_id in open_steps.filter(agency_id__in=ended).values_list(
        "dossier_id", "agency_id"
    ):
        moves[dossier_id].add((agency_id, successor_of[agency_id].pk))
    open_consultations = Consultation.objects.filter(dossier_id__in=list(dossiers), answered_at__isnull=True)
    for dossier_id, agency_id in open_consultations.filter(agency_id__in=ended).values_list(
        "dossier_id", "agency_id"
    ):
        moves[dossier_id].add((agency_id, successor_of[agency_id].pk))

    _check_desks(dossiers.values(), successor_of)
    cancelled = _cancel_signatures(dossiers, successor_of, actor=event.actor)

    ids = list(dossiers)
    for old_id, new in successor_of.items():
        Dossier.objects.filter(pk__in=ids, receiving_agency_id=old_id).update(receiving_agency=new)
        Dossier.objects.filter(pk__in=ids, current_agency_id=old_id).update(current_agency=new)
        open_steps.filter(agency_id=old_id).update(agency=new)
        open_consultations.filter(agency_id=old_id).update(agency=new)
        Draft.objects.filter(receiving_agency_id=old_id).update(
            receiving_agency=new if new.has_one_stop_desk else None
        )
    _drop_assignees_without_role(ids)
    Dossier.objects.filter(pk__in=ids).update(version=F("version") + 1)

    _check_nothing_left_behind(ids)
    _record_events(event, dossiers, moves, cancelled)
    notes = []
    if dossiers:
        notes.append(f"{len(dossiers)} hồ sơ đang giải quyết được chuyển sang cơ quan kế thừa.")
    if cancelled:
        notes.append(f"{len(cancelled)} kết quả đang chờ ký số được hủy để cơ quan kế thừa phát hành lại.")
    return notes


def _check_desks(dossiers: Any, successor_of: dict[int, Agency]) -> None:
    for dossier in dossiers:
        new = successor_of.get(dossier.receiving_agency_id)
        if new is not None and not new.has_one_stop_desk:
            old = Agency.objects.get(pk=dossier.receiving_agency_id)
            raise DomainError(
                f"Hồ sơ {dossier.code} đang do bộ phận một cửa của {old.name} tiếp nhận nhưng cơ quan kế thừa "
                f"{new.name} không có bộ phận một cửa: phương án cần nêu cơ quan kế thừa có bộ phận một cửa."
            )


def _cancel_signatures(
    dossiers: dict[int, Dossier], successor_of: dict[int, Agency], *, actor: Any
) -> dict[int, tuple[int, int]]:
    """Results waiting for signature under an ended agency's name: cancel the request (dossier id → the
    (old, new) agency of the issue step)."""

    waiting = SignatureRequest.objects.filter(
        source_type=RESULT_SOURCE,
        source_id__in=[str(pk) for pk in dossiers],
        agency_id__in=list(successor_of),
        status__in=(SignatureRequest.Status.AWAITING_LEADER, SignatureRequest.Status.AWAITING_SEAL),
    )
    cancelled: dict[int, tuple[int, int]] = {}
    for request in waiting:
        new = successor_of[request.agency_id]
        cancel_request(
            request=request,
            actor=actor,
            reason=f"Sắp xếp đơn vị hành chính: {new.name} phát hành lại kết quả.",
        )
        cancelled[int(request.source_id)] = (request.agency_id, new.pk)
    return cancelled


def _drop_assignees_without_role(ids: list[int]) -> None:
    """A person assigned to a moved step keeps it only if they hold its role in the agency that now has it."""
    held = set(StaffAssignment.objects.values_list("user_id", "agency_id", "role"))
    for dossier_id, user_id, agency_id, role in Dossier.objects.filter(
        pk__in=ids, current_assignee__isnull=False
    ).values_list("pk", "current_assignee_id", "current_agency_id", "current_role"):
        if (user_id, agency_id, role) not in held:
            Dossier.objects.filter(pk=dossier_id).update(current_assignee=None)
    steps = DossierStep.objects.filter(dossier_id__in=ids, finished_at__isnull=True, assignee__isnull=False)
    for step_id, user_id, agency_id, role in steps.values_list("pk", "assignee_id", "agency_id", "role"):
        if (user_id, agency_id, role) not in held:
            DossierStep.objects.filter(pk=step_id).update(assignee=None)


def _check_nothing_left_behind(ids: list[int]) -> None:
    """No open dossier may still depend on an agency that no longer exists (one ended without a successor)."""
    gone = Q(valid_to__isnull=False)
    stranded = list(
        Dossier.objects.exclude(status__in=CLOSED)
        .filter(
            Q(receiving_agency__in=Agency.objects.filter(gone))
            | Q(current_agency__in=Agency.objects.filter(gone))
            | Q(
                pk__in=DossierStep.objects.filter(
                    finished_at__isnull=True, agency__in=Agency.objects.filter(gone)
                ).values("dossier")
            )
        )
        .filter(pk__in=ids)
        .values_list("code", flat=True)[:5]
    )
    if stranded:
        raise DomainError(
            "Phương án sắp xếp chưa nêu cơ quan kế thừa cho các cơ quan đang giải quyết hồ sơ: "
            + ", ".join(stranded)
            + "."
        )


def _record_events(
    event: Reorganised,
    dossiers: dict[int, Dossier],
    moves: dict[int, set[tuple[int, int]]],
    cancelled: dict[int, tuple[int, int]],
) -> None:
    agency_ids = {pk for pairs in moves.values() for pair in pairs for pk in pair}
    agencies = Agency.objects.select_related("unit").in_bulk(list(agency_ids))
    unit_ids = {int(pk) for a in agencies.values() for pk in a.unit.path.strip("/").split("/") if pk}
    units = AdministrativeUnit.objects.select_related("kind").in_bulk(list(unit_ids))
    moved = {
        d.pk: (d.receiving_agency_id, d.current_agency_id)
        for d in Dossier.objects.filter(pk__in=list(dossiers)).only(
            "receiving_agency_id", "current_agency_id"
        )
    }
    reorganisation = event.reorganisation
    now = timezone.now()
    rows = []
    for dossier_id, dossier in dossiers.items():
        pairs = sorted(moves.get(dossier_id, ()), key=lambda pair: agencies[pair[0]].name)
        handed = "; ".join(_pair_label(agencies[old], agencies[new], units) for old, new in pairs)
        note = (
            f"{reorganisation.name} ({reorganisation.legal_basis}), từ ngày "
            f"{reorganisation.effective_date:%d/%m/%Y}: hồ sơ chuyển từ {handed}."
        )
        if dossier_id in cancelled:
            new_agency = agencies[cancelled[dossier_id][1]]
            note += (
                f" Kết quả đang chờ ký số mang tên cơ quan cũ không được ký; văn thư {new_agency.name} "
                "vào sổ, phát hành lại kết quả."
            )
        desk_id, holder_id = moved[dossier_id]
        rows.append(
            DossierEvent(
                dossier_id=dossier_id,
                at=now,
                actor=None,
                actor_agency_id=holder_id or desk_id,
                action=ACTION,
                from_status=dossier.status,
                to_status=dossier.status,
                note=note,
            )
        )
    DossierEvent.objects.bulk_create(rows)


def _pair_label(old: Agency, new: Agency, units: dict[int, AdministrativeUnit]) -> str:
    """“Ủy ban nhân dân huyện Lộc Ninh sang Ủy ban nhân dân xã Lộc Ninh”; where both have one name, the places
    above them tell them apart (“… xã Lộc Tấn (huyện Lộc Ninh, tỉnh Bình Phước) sang … (tỉnh Đồng Nai)”)."""
    if old.name != new.name:
        return f"{old.name} sang {new.name}"
    return f"{old.name} ({_above(old, units)}) sang {new.name} ({_above(new, units)})"


def _above(agency: Agency, units: dict[int, AdministrativeUnit]) -> str:
    chain = [int(pk) for pk in agency.unit.path.strip("/").split("/") if pk]
    names = [units[pk].name_in_sentence for pk in reversed(chain[:-1]) if pk in units]
    return ", ".join(names) or agency.unit.name_in_sentence
