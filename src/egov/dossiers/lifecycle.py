"""The dossier's one state machine: which status may follow which, how an action takes the dossier for itself
before it reads or writes anything, and what leaving a state cancels.

Every action on a dossier runs the same way, inside one transaction:

1. :func:`lock` — the first statement is a conditional UPDATE that bumps the version the officer read. Two
   people acting at once: the second waits for the first to commit, then finds the version moved and gets
   :class:`~egov.core.errors.Conflict` (409 on the API) before it has read a step or written a file.
2. the action's rule (``egov.onestop.rules``) is checked against the locked, fresh row;
3. the action writes, and :func:`transition` records the change of status (or the action within a status)
   in the history, running the hooks registered for what the dossier leaves (``on_leave``): an open step is
   closed, open consultations and signature requests are cancelled — in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from egov.core.errors import Conflict, DomainError
from egov.dossiers.models import Dossier, DossierEvent
from egov.dossiers.statuses import DossierStatus

STALE = "Hồ sơ vừa được người khác cập nhật. Hãy tải lại trang để xem trạng thái mới nhất rồi thao tác lại."

# Which status may follow which (NĐ 61/2018 Arts. 17–20, same shape in NĐ 118/2025). The one place to change.
TRANSITIONS: dict[str, frozenset[str]] = {
    DossierStatus.NEW: frozenset(
        {
            DossierStatus.RECEIVED,
            DossierStatus.PROCESSING,  # received again after a supplement asked for during appraisal
            DossierStatus.SUPPLEMENT_REQUESTED,
            DossierStatus.REFUSED,
            DossierStatus.WITHDRAWN,
        }
    ),
    # The applicant completes the dossier online and it goes back to the desk (status 1 again).
    DossierStatus.SUPPLEMENT_REQUESTED: frozenset(
        {DossierStatus.NEW, DossierStatus.WITHDRAWN, DossierStatus.REFUSED, DossierStatus.STOPPED}
    ),
    DossierStatus.RECEIVED: frozenset(
        {
            DossierStatus.PROCESSING,
            DossierStatus.SUPPLEMENT_REQUESTED,
            DossierStatus.AWAITING_PAYMENT,
            DossierStatus.DONE,
            DossierStatus.WITHDRAWN,
            DossierStatus.STOPPED,
            DossierStatus.REFUSED,
        }
    ),
    DossierStatus.PROCESSING: frozenset(
        {
            DossierStatus.SUPPLEMENT_REQUESTED,
            DossierStatus.AWAITING_PAYMENT,
            DossierStatus.DONE,
            DossierStatus.STOPPED,
            DossierStatus.WITHDRAWN,
            DossierStatus.REFUSED,
        }
    ),
    DossierStatus.AWAITING_PAYMENT: frozenset(
        {DossierStatus.PROCESSING, DossierStatus.WITHDRAWN, DossierStatus.STOPPED}
    ),
    DossierStatus.DONE: frozenset({DossierStatus.RETURNED}),
    DossierStatus.REFUSED: frozenset(),
    DossierStatus.WITHDRAWN: frozenset(),
    DossierStatus.STOPPED: frozenset(),
    DossierStatus.RETURNED: frozenset(),
}

# Statuses nothing follows: no action of any kind is recorded on them any more.
TERMINAL = frozenset(status for status, following in TRANSITIONS.items() if not following)
# A dossier being worked on by an agency's internal process (it has a current step).
IN_PROCESS = (DossierStatus.RECEIVED, DossierStatus.PROCESSING)
# Statuses a citizen or an officer can still end by withdrawal or stop.
OPEN = frozenset(TRANSITIONS) - TERMINAL - {DossierStatus.DONE}


def can_follow(current: str, following: str) -> bool:
    return following in TRANSITIONS[DossierStatus(current)]


LeaveHook = Callable[..., None]
_leave_hooks: list[LeaveHook] = []


def on_leave(hook: LeaveHook) -> LeaveHook:
    """Register ``hook(dossier=…, from_status=…, to_status=…, actor=…, now=…)``, called inside the
    transaction each time a dossier changes status, so a higher layer (processing, signing) cancels what hung
    on the state it leaves. A hook that raises DomainError refuses the whole action."""
    _leave_hooks.append(hook)
    return hook


RecordedHook = Callable[..., None]
_recorded_hooks: list[RecordedHook] = []


def on_recorded(hook: RecordedHook) -> RecordedHook:
    """Register ``hook(dossier=…, event=…)``, called inside the transaction after each event is written (the
    forms app issues the form an act produces, once it commits)."""
    _recorded_hooks.append(hook)
    return hook


def _version(value: Any) -> int:
    """The version the client read: an integer, never a bool, a float or a string of digits beyond range."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        raise DomainError("Số phiên bản hồ sơ (‘version’) không hợp lệ: hãy tải lại hồ sơ.")
    return value


def lock(dossier: Dossier, expected_version: Any) -> Dossier:
    """Take the dossier for this transaction: bump its version only if it is still the one the actor read,
    then read it again, fresh. Must run inside ``transaction.atomic()``, before any other read or write."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock() must run inside a transaction")
    expected = _version(expected_version)
    if not Dossier.objects.filter(pk=dossier.pk, version=expected).update(version=F("version") + 1):
        raise Conflict(STALE)
    return Dossier.objects.select_related(
        "procedure_version__procedure",
        "receiving_agency",
        "current_step__agency",
        "current_agency",
        "applicant",
    ).get(pk=dossier.pk)


def transition(
    *,
    dossier: Dossier,
    actor: Any,
    to_status: DossierStatus,
    action: str,
    note: str = "",
    now: dt.datetime | None = None,
    actor_agency: Any = None,
    public_note: str = "",
    **fields: Any,
) -> Dossier:
    """Record ``action`` on a dossier taken with :func:`lock` in this transaction, moving it to
    ``to_status``. ``to_status`` equal to the current status records an action within the status (a
    hand-over between steps, an apology) — refused on a closed dossier. ``public_note`` is what the applicant
    sees in their history; ``note`` is for officers."""
    now = now or timezone.now()
    current = DossierStatus(dossier.status)
    if to_status == current:
        if current in TERMINAL:
            raise DomainError(f"Hồ sơ đã “{current.label}”: không thao tác thêm được nữa.")
    elif not can_follow(current, to_status):
        raise DomainError(f"Không thể chuyển hồ sơ từ “{current.label}” sang “{to_status.label}”.")
    if to_status != current:
        for hook in _leave_hooks:
            hook(dossier=dossier, from_status=current, to_status=to_status, actor=actor, now=now)
    updated = Dossier.objects.filter(pk=dossier.pk, version=dossier.version, status=current).update(
        status=to_status, **fields
    )
    if not updated:  # the row was not locked by this transaction: a programming error, not a user's
        raise Conflict(STALE)
    event = DossierEvent.objects.create(
        dossier=dossier,
        at=now,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_agency=actor_agency or dossier.receiving_agency,
        action=action,
        from_status=current,
        to_status=to_status,
        note=note,
        public_note=public_note,
    )
    dossier.refresh_from_db()
    for recorded in _recorded_hooks:
        recorded(dossier=dossier, event=event)
    return dossier
