"""Officers follow their agency in a reorganisation (a hook of :mod:`egov.agencies.reorganisation_hooks`).

Officers of an ended agency carry their roles over to its primary successor, as a transfer decision does; the
audit log keeps where they were before. Runs inside the reorganisation's transaction, before the hooks of the
apps holding records (so a dossier's assignee is kept only if they now hold the role in the successor)."""

from __future__ import annotations

from egov.accounts.models import StaffAssignment
from egov.agencies.reorganisation_hooks import Reorganised
from egov.audit.models import AuditEntry
from egov.audit.services import record


def follow_reorganisation(event: Reorganised) -> list[str]:
    successor_of = {ended: successor.pk for ended, successor in event.successor_of.items()}
    actor = event.actor
    moved = 0
    assignments = StaffAssignment.objects.filter(agency_id__in=list(successor_of)).select_related(
        "user", "agency"
    )
    for assignment in assignments:
        target = successor_of[assignment.agency_id]
        if StaffAssignment.objects.filter(
            user=assignment.user, agency_id=target, role=assignment.role
        ).exists():
            assignment.delete()
        else:
            StaffAssignment.objects.filter(pk=assignment.pk).update(agency_id=target, department=None)
        record(
            action=AuditEntry.Action.ROLE_GRANTED,
            actor=actor,
            target=assignment.user,
            actor_label="" if actor else "hệ thống",
            data={
                "role": assignment.role,
                "from_agency": assignment.agency.code,
                "to_agency_id": target,
                "reorganisation": event.reorganisation.key,
            },
        )
        moved += 1
    return [f"Đã chuyển {moved} vai trò cán bộ sang cơ quan kế thừa."] if moved else []
