"""Every write to dossiers and drafts goes through here. Submission is one transaction: the dossier, its form
data, its files and its first history entry are stored together before the applicant is told; follow-up work
(the e-mail) is a task enqueued on commit."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from egov.accounts.models import User
from egov.agencies.models import Agency
from egov.catalog import formdef
from egov.catalog.models import ProcedureVersion, VersionStatus
from egov.catalog.selectors import desks_for, filing_closed_reason, visible_components
from egov.core.errors import DomainError
from egov.core.sms import sms_enabled
from egov.dossiers import outbox
from egov.dossiers.codes import code_day, dossier_code
from egov.dossiers.models import (
    Dossier,
    DossierCodeSequence,
    DossierEvent,
    Draft,
    Notice,
    Notification,
    NotificationChannel,
    NotificationKind,
    StoredFile,
)
from egov.dossiers.statuses import Channel, DossierStatus
from egov.dossiers.tasks import applicant_subject, send_notification
from egov.dossiers.uploads import MB, check_upload
from egov.units.selectors import resolve_commune

logger = logging.getLogger(__name__)


# --- Where a procedure can be filed ---------------------------------------------------------------------


# --- Drafts ---------------------------------------------------------------------------------------------


def missing_papers(components: Iterable[Any], present_slots: set[str]) -> dict[str, str]:
    """Required papers (among those that apply) with no file yet: component key → Vietnamese message."""
    return {
        c.key: f"Hãy đính kèm “{c.name}”." for c in components if c.required and c.key not in present_slots
    }


def _store(
    *,
    owner: User,
    upload: Any,
    slot: str,
    component: Any,
    draft: Draft | None,
    used_bytes: int,
    save_row: bool = True,
) -> StoredFile:
    """Check an upload and write it to storage; its row is saved now, or (``save_row=False``) by the
    submission that owns it, inside that submission's transaction."""
    component_name = component.name if component is not None else ""
    checked = check_upload(upload, component=component_name)
    limit = settings.EGOV_UPLOAD_MAX_DOSSIER_MB
    if used_bytes + checked.size > limit * MB:
        where = f" ở mục “{component_name}”" if component_name else ""
        raise DomainError(
            f"Tổng dung lượng giấy tờ của một hồ sơ tối đa {limit} MB; tệp “{checked.name}”{where} "
            "vượt quá giới hạn này."
        )
    stored = StoredFile(
        owner=owner,
        draft=draft,
        component=component,
        slot=slot,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
    )
    upload.seek(0)
    stored.file.save(checked.storage_name, File(upload, name=checked.storage_name), save=False)
    if not save_row:
        return stored
    try:
        stored.save()
    except Exception:
        stored.file.delete(save=False)
        raise
    return stored


# --- Submission -----------------------------------------------------------------------------------------


def next_dossier_code(*, agency: Agency, day: dt.date) -> str:
    """``‹agency code›-YYMMDD-NNNN`` from a per-agency, per-day counter, inside the caller's transaction.

    The counter row is incremented with a single UPDATE, which locks it until the transaction ends, so
    concurrent submissions to one agency are numbered one after the other and never share a number. Past
    9,999 dossiers in one day the number simply grows to five digits (``…-0001`` … ``…-9999``, ``…-10000``):
    a citizen's dossier is never refused for want of a number, and codes stay unique and sortable per day.
    """
    number = _increment(agency_id=agency.pk, day=day)
    if number is None:
        try:
            with transaction.atomic():
                DossierCodeSequence.objects.create(agency=agency, day=day, last=1)
            number = 1
        except IntegrityError:  # another process created today's counter first
            number = _increment(agency_id=agency.pk, day=day)
            assert number is not None  # the row another process created is there now
    return dossier_code(agency.code, day, number)


def _increment(*, agency_id: int, day: dt.date) -> int | None:
    """``UPDATE … RETURNING``: one statement that locks the counter row and reads the new number
    (PostgreSQL, and SQLite ≥ 3.35)."""
    table = DossierCodeSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last = last + 1 WHERE agency_id = %s AND day = %s RETURNING last",  # noqa: S608
            [agency_id, day],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else None


def _applicant_snapshot(user: User | None) -> dict[str, str]:
    if user is None:
        raise DomainError("Thiếu thông tin người nộp.")
    citizen = getattr(user, "citizen_profile", None)
    organisation = getattr(user, "organisation_profile", None)
    profile = citizen or organisation
    resolved = resolve_commune(profile.address_unit.code) if profile else None
    place = resolved[1] if resolved else ""
    line = profile.address_line if profile else ""
    return {
        "applicant_name": organisation.name if organisation else user.full_name,
        "applicant_id_number": organisation.tax_code
        if organisation
        else (citizen.personal_id if citizen else ""),
        "applicant_phone": user.phone or "",
        "applicant_email": user.email or "",
        "applicant_address": ", ".join(p for p in (line, place) if p),
    }


def submit_dossier(
    *,
    applicant: User | None,
    version: ProcedureVersion,
    agency: Agency | None,
    raw: dict[str, Any],
    files: list[StoredFile],
    idempotency_key: str,
    reject_unknown: bool = False,
    draft: Draft | None = None,
    key_checked: bool = False,
    agency_checked: bool = False,
    channel: Channel = Channel.ONLINE,
    officer: User | None = None,
    snapshot: dict[str, str] | None = None,
) -> tuple[Dossier, bool]:
    """File a dossier online. Returns ``(dossier, created)``; the same key again returns the first dossier.

    Raises ValidationError keyed by field (Vietnamese) when the answers or the papers are not complete.
    """
    key = str(idempotency_key or "").strip()[:80]
    if key and not key_checked:
        existing = Dossier.objects.filter(applicant=applicant, idempotency_key=key).first()
        if existing is not None:
            return existing, False
    if version.status != VersionStatus.PUBLISHED or (
        channel == Channel.ONLINE and not version.accepts_online
    ):
        raise DomainError(
            "Thủ tục này không nhận hồ sơ trực tuyến (phiên bản đã thay thế hoặc chưa trực tuyến)."
        )
    reason = filing_closed_reason(version)
    if reason is not None:
        raise DomainError(reason)
    errors: dict[str, list[str]] = {}
    if agency is None or (not agency_checked and not desks_for(version).filter(pk=agency.pk).exists()):
        errors["agency"] = ["Hãy chọn nơi nộp hồ sơ: bộ phận một cửa giải quyết thủ tục này."]
    cleaned = formdef.clean_values(
        version.form_definition, raw, resolve_unit=resolve_commune, reject_unknown=reject_unknown
    )
    errors.update(cleaned.errors)
    components = visible_components(version, cleaned.values)
    for key, message in missing_papers(components, {f.slot for f in files}).items():
        errors.setdefault(f"files.{key}", []).append(message)
    allowed_slots = {c.key for c in components}
    for item in files:
        if item.slot not in allowed_slots:
            errors.setdefault(f"files.{item.slot}", []).append("Giấy tờ này không thuộc hồ sơ của thủ tục.")
    if errors:
        raise ValidationError(errors)
    assert agency is not None
    now = timezone.now()
    try:
        with transaction.atomic():
            dossier = Dossier.objects.create(
                code=next_dossier_code(agency=agency, day=code_day(now)),
                procedure_version=version,
                receiving_agency=agency,
                applicant=applicant,
                form_data=cleaned.values,
                status=DossierStatus.NEW,
                channel=channel,
                submitted_at=now,
                idempotency_key=key,
                **(snapshot if snapshot is not None else _applicant_snapshot(applicant)),
            )
            saved = [f for f in files if f.pk is not None]
            if saved:
                StoredFile.objects.filter(pk__in=[f.pk for f in saved]).update(dossier=dossier, draft=None)
            fresh = [f for f in files if f.pk is None]
            for item in fresh:
                item.dossier = dossier
            StoredFile.objects.bulk_create(fresh)
            event = DossierEvent.objects.create(
                dossier=dossier,
                at=now,
                actor=officer or applicant,
                action="submitted",
                from_status="",
                to_status=DossierStatus.NEW,
                note="Nộp hồ sơ trực tuyến."
                if channel == Channel.ONLINE
                else f"Hồ sơ {Channel(channel).label.lower()}, cán bộ một cửa nhập.",
            )
            if draft is not None:
                Draft.objects.filter(pk=draft.pk).delete()
            for item in files:
                item.dossier, item.draft = dossier, None
            # What was just written, so callers can answer without reading it back.
            dossier.submitted_files = list(files)  # type: ignore[attr-defined]
            dossier.submitted_events = [event]  # type: ignore[attr-defined]
            notify(dossier=dossier, kind=NotificationKind.SUBMITTED, first=True)
    except IntegrityError:
        same_key = Dossier.objects.filter(applicant=applicant, idempotency_key=key)
        if applicant is None:
            same_key = same_key.filter(receiving_agency=agency)
        existing = same_key.first() if key else None
        if existing is None:
            raise
        return existing, False  # the same submission arrived twice at once; the first one won
    logger.info("dossier submitted", extra={"dossier": dossier.code, "agency": agency.code})
    return dossier, True


def store_uploads(
    *,
    owner: User,
    version: ProcedureVersion,
    uploads: dict[str, list[Any]],
    into: list[StoredFile],
    used_bytes: int = 0,
) -> list[StoredFile]:
    """Check and write each upload of each component slot of ``version`` (rows unsaved: the caller's
    transaction saves them). Appends to ``into`` as it goes, so the caller can discard what was written if a
    later one fails; an unknown slot or a bad file raises ValidationError keyed ``files.<slot>``."""
    components = {c.key: c for c in version.components.all()}
    unknown = sorted(set(uploads) - set(components))
    if unknown:
        raise ValidationError(
            {f"files.{slot}": [f"Ô tải lên “{slot}” không thuộc thủ tục này."] for slot in unknown}
        )
    used = used_bytes
    for slot, items in uploads.items():
        for upload in items:
            try:
                item = _store(
                    owner=owner,
                    upload=upload,
                    slot=slot,
                    component=components[slot],
                    draft=None,
                    used_bytes=used,
                    save_row=False,
                )
            except DomainError as exc:
                raise ValidationError({f"files.{slot}": exc.messages}) from exc
            used += item.size
            into.append(item)
    return into


def discard_files(files: list[StoredFile]) -> None:
    """Remove files written for a submission that did not happen (their rows were never committed)."""
    for item in files:
        if item.pk is None or not StoredFile.objects.filter(pk=item.pk, dossier__isnull=False).exists():
            item.file.delete(save=False)
            if item.pk is not None:
                StoredFile.objects.filter(pk=item.pk, dossier__isnull=True).delete()


def notify(*, dossier: Dossier, kind: NotificationKind, occasion: object = "", first: bool = False) -> None:
    """Tell the applicant, inside the caller's transaction: a notice in their portal inbox (“Thông báo”, if
    they filed with an account), an e-mail (if they gave an address) and an SMS (if they gave a phone number
    and ``EGOV_SMS_BACKEND`` is set). E-mails and SMS are outbox rows, sent once the transaction commits; if
    the process dies before the enqueue, or the task is lost, the periodic sweep enqueues them again
    (``egov.dossiers.outbox``). ``occasion`` tells one occurrence of ``kind`` from another (a supplement
    request's id); each is told once. ``first``: the dossier was created in this transaction, so it cannot
    have been told yet."""
    occasion = str(occasion)
    if not first and (
        Notification.objects.filter(dossier=dossier, kind=kind, occasion=occasion).exists()
        or Notice.objects.filter(dossier=dossier, kind=kind, occasion=occasion).exists()
    ):
        return
    if dossier.applicant_id is not None:
        Notice.objects.create(
            recipient_id=dossier.applicant_id,
            dossier=dossier,
            kind=kind,
            occasion=occasion,
            title=applicant_subject(dossier, kind)[:400],
        )
    rows = []
    if dossier.applicant_email:
        rows.append(Notification(channel=NotificationChannel.EMAIL, recipient=dossier.applicant_email))
    if dossier.applicant_phone and sms_enabled():
        rows.append(Notification(channel=NotificationChannel.SMS, recipient=dossier.applicant_phone))
    for row in rows:
        row.dossier, row.kind, row.occasion = dossier, kind, occasion
        row.save()
        outbox.enqueue_on_commit(send_notification, row.pk)


def notify_officers(
    *, dossier: Dossier, kind: NotificationKind, occasion: object, recipients: Iterable[str]
) -> int:
    """Like :func:`notify`, for officers: one outbox row per address (each is sent, retried and given up on its
    own), written in the caller's transaction and enqueued on its commit. An address already told of this
    occasion is not told again. Returns how many rows were written."""
    occasion = str(occasion)
    wanted = sorted({r.strip() for r in recipients if r and r.strip()})
    if not wanted:
        return 0
    told = set(
        Notification.objects.filter(
            dossier=dossier, kind=kind, occasion=occasion, recipient__in=wanted
        ).values_list("recipient", flat=True)
    )
    made = 0
    for recipient in wanted:
        if recipient in told:
            continue
        notification = Notification.objects.create(
            dossier=dossier, kind=kind, occasion=occasion, recipient=recipient
        )
        outbox.enqueue_on_commit(send_notification, notification.pk)
        made += 1
    return made
