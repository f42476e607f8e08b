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
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from egov.accounts.models import User
from egov.accounts.roles import Role
from egov.agencies.models import Agency
from egov.catalog import formdef
from egov.catalog.models import ProcedureVersion, VersionStatus
from egov.catalog.selectors import filing_closed_reason
from egov.core.errors import DomainError
from egov.dossiers import outbox
from egov.dossiers.models import Dossier, DossierCodeSequence, DossierEvent, Draft, Notification, StoredFile
from egov.dossiers.statuses import Channel, DossierStatus
from egov.dossiers.tasks import send_notification
from egov.dossiers.uploads import MB, check_upload
from egov.units.models import AdministrativeUnit
from egov.units.selectors import home_province, resolve_commune

logger = logging.getLogger(__name__)


# --- Where a procedure can be filed ---------------------------------------------------------------------


def desks_for(version: ProcedureVersion) -> QuerySet[Agency]:
    """One-stop desks of this province at the levels where the procedure is carried out."""
    home = home_province()
    levels = [level.code for level in version.levels.all()]
    queryset = Agency.objects.current().filter(has_one_stop_desk=True, unit__kind__level__code__in=levels)
    if home is not None:
        queryset = queryset.filter(unit__path__startswith=home.path)
    return queryset.select_related("unit").order_by("unit__path", "name")


def default_desk(version: ProcedureVersion, user: User) -> Agency | None:
    """The desk nearest the applicant: the one whose territory contains their address, deepest first."""
    unit = _profile_unit(user)
    desks = list(desks_for(version))
    if unit is None:
        return desks[0] if len(desks) == 1 else None
    containing = [d for d in desks if unit.path.startswith(d.unit.path)]
    return max(containing, key=lambda d: len(d.unit.path)) if containing else None


def _profile_unit(user: User) -> AdministrativeUnit | None:
    profile = getattr(user, "citizen_profile", None) or getattr(user, "organisation_profile", None)
    return profile.address_unit if profile is not None else None


# --- Drafts ---------------------------------------------------------------------------------------------


def prefill_values(user: User, definition: dict[str, Any]) -> dict[str, Any]:
    citizen = getattr(user, "citizen_profile", None)
    organisation = getattr(user, "organisation_profile", None)
    profile = citizen or organisation
    sources: dict[str, Any] = {
        "full_name": user.full_name,
        "phone": user.phone or "",
        "email": user.email or "",
    }
    if citizen is not None:
        sources["personal_id"] = citizen.personal_id
        sources["date_of_birth"] = citizen.date_of_birth.isoformat()
    if profile is not None:
        resolved = resolve_commune(profile.address_unit.code)
        if resolved is not None:
            line = profile.address_line
            sources["address"] = {
                "unit": resolved[0],
                "line": line,
                "full": f"{line}, {resolved[1]}" if line else resolved[1],
            }
    return {
        spec["key"]: sources[spec["prefill"]]
        for spec in formdef.top_fields(definition)
        if spec.get("prefill") in sources and sources[spec["prefill"]]
    }


def ensure_fileable(version: ProcedureVersion) -> None:
    """A dossier of this version has somewhere to go: its level still exists and a desk receives it."""
    reason = filing_closed_reason(version)
    if reason is not None:
        raise DomainError(reason)
    if not desks_for(version).exists():
        raise DomainError(
            "Chưa có bộ phận một cửa nào trong tỉnh tiếp nhận hồ sơ của thủ tục này; vui lòng liên hệ Trung tâm "
            "Phục vụ hành chính công tỉnh để được hướng dẫn."
        )


def start_draft(*, user: User, version: ProcedureVersion) -> Draft:
    """Resume the applicant's draft of this procedure, or start one filled from their profile."""
    if version.status != VersionStatus.PUBLISHED or not version.accepts_online:
        raise DomainError("Thủ tục này chưa nhận hồ sơ trực tuyến.")
    ensure_fileable(version)
    draft = Draft.objects.filter(owner=user, procedure_version=version).first()
    if draft is None:
        draft = Draft.objects.create(
            owner=user,
            procedure_version=version,
            receiving_agency=default_desk(version, user),
            data=prefill_values(user, version.form_definition),
        )
    return draft


def choose_desk(*, draft: Draft, agency_id: Any) -> Agency:
    try:
        agency = desks_for(draft.procedure_version).get(pk=int(agency_id))
    except (TypeError, ValueError, Agency.DoesNotExist):
        raise ValidationError({"agency": ["Hãy chọn nơi nộp hồ sơ trong danh sách."]}) from None
    draft.receiving_agency = agency
    draft.save(update_fields=["receiving_agency", "updated_at"])
    return agency


def save_step(*, draft: Draft, step_index: int, raw: dict[str, Any]) -> formdef.Cleaned:
    """Validate one step of the form; when it is valid, keep its values in the draft."""
    definition = draft.procedure_version.form_definition
    step_keys = {spec["key"] for spec in formdef.top_fields(definition, [step_index])}
    earlier = {k: v for k, v in draft.data.items() if k not in step_keys}
    cleaned = formdef.clean_values(
        definition, raw, step_indexes=[step_index], known_before=earlier, resolve_unit=resolve_commune
    )
    if cleaned.ok:
        draft.data = {**earlier, **cleaned.values}
        draft.save(update_fields=["data", "updated_at"])
    return cleaned


def missing_papers(components: Iterable[Any], present_slots: set[str]) -> dict[str, str]:
    """Required papers (among those that apply) with no file yet: component key → Vietnamese message."""
    return {
        c.key: f"Hãy đính kèm “{c.name}”." for c in components if c.required and c.key not in present_slots
    }


def visible_components(version: ProcedureVersion, values: dict[str, Any]) -> list[Any]:
    return [c for c in version.components.all() if formdef.is_visible({"show_if": c.show_if}, values)]


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
    checked = check_upload(upload)
    limit = settings.EGOV_UPLOAD_MAX_DOSSIER_MB
    if used_bytes + checked.size > limit * MB:
        raise DomainError(
            f"Tổng dung lượng giấy tờ của một hồ sơ tối đa {limit} MB; tệp “{checked.name}” "
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


def add_files(*, draft: Draft, slot: str, uploads: Iterable[Any]) -> list[StoredFile]:
    component = next((c for c in draft.procedure_version.components.all() if c.key == slot), None)
    if component is None:
        raise DomainError("Ô tải lên không thuộc thủ tục này.")
    stored: list[StoredFile] = []
    used = StoredFile.objects.filter(draft=draft).aggregate(total=Sum("size"))["total"] or 0
    for upload in uploads:
        item = _store(
            owner=draft.owner, upload=upload, slot=slot, component=component, draft=draft, used_bytes=used
        )
        used += item.size
        stored.append(item)
    return stored


def remove_file(*, draft: Draft, file_id: Any) -> None:
    item = StoredFile.objects.filter(draft=draft, pk=file_id, dossier__isnull=True).first()
    if item is not None:
        item.file.delete(save=False)
        item.delete()


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
    return f"{agency.code}-{day:%y%m%d}-{number:04d}"


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
                code=next_dossier_code(agency=agency, day=timezone.localdate(now)),
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
            notify(dossier=dossier, kind="submitted", first=True)
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


def submit_draft(*, draft: Draft) -> tuple[Dossier, bool]:
    return submit_dossier(
        applicant=draft.owner,
        version=draft.procedure_version,
        agency=draft.receiving_agency,
        raw=draft.data,
        files=list(StoredFile.objects.filter(draft=draft)),
        idempotency_key=str(draft.submission_key),
        draft=draft,
    )


def submit_with_uploads(
    *,
    applicant: User,
    version: ProcedureVersion,
    agency: Agency | None,
    raw: dict[str, Any],
    uploads: dict[str, list[Any]],
    idempotency_key: str,
) -> tuple[Dossier, bool]:
    """The API's one-shot submission: files are checked and stored first; if the dossier is then refused,
    they are deleted again, so nothing is left behind."""
    key = str(idempotency_key or "").strip()[:80]
    if key:
        existing = Dossier.objects.filter(applicant=applicant, idempotency_key=key).first()
        if existing is not None:
            return existing, False
    stored: list[StoredFile] = []
    try:
        stored = store_uploads(owner=applicant, version=version, uploads=uploads, into=stored)
        dossier, created = submit_dossier(
            applicant=applicant,
            version=version,
            agency=agency,
            raw=raw,
            files=stored,
            idempotency_key=key,
            reject_unknown=True,
            key_checked=True,
            agency_checked=True,
        )
    except Exception:
        discard_files(stored)
        raise
    if not created:
        discard_files(stored)
    return dossier, created


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
        raise ValidationError({f"files.{slot}": ["Ô tải lên không thuộc thủ tục này."] for slot in unknown})
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


def notify(*, dossier: Dossier, kind: str, first: bool = False) -> None:
    """Record, inside the caller's transaction, that the applicant is owed an e-mail (an outbox row), and
    enqueue its sending once that transaction commits. If the process dies before the enqueue, or the task is
    lost, the periodic sweep enqueues the row again (``egov.dossiers.outbox``).
    ``first``: the dossier was created in this transaction, so it cannot have this notification yet."""
    if not dossier.applicant_email:
        return
    if not first and Notification.objects.filter(dossier=dossier, kind=kind).exists():
        return
    notification = Notification.objects.create(dossier=dossier, kind=kind, recipient=dossier.applicant_email)
    outbox.enqueue_on_commit(send_notification, notification.pk)


def stale_drafts(days: int = 30) -> QuerySet[Draft]:
    return Draft.objects.filter(updated_at__lt=timezone.now() - dt.timedelta(days=days))


def purge_stale_drafts(days: int = 30) -> int:
    """Delete drafts untouched for ``days`` days and their files (none of which belongs to a dossier)."""
    count = 0
    for draft in stale_drafts(days):
        for item in StoredFile.objects.filter(Q(draft=draft) & Q(dossier__isnull=True)):
            item.file.delete(save=False)
            item.delete()
        draft.delete()
        count += 1
    return count


INTAKE_CHANNELS = (Channel.IN_PERSON, Channel.POST)


def intake_paper_dossier(
    *,
    officer: User,
    version: ProcedureVersion,
    agency: Agency,
    channel: Channel,
    applicant: dict[str, str],
    raw: dict[str, Any],
    uploads: dict[str, list[Any]],
    idempotency_key: str = "",
) -> tuple[Dossier, bool]:
    """A dossier brought to the desk (channel 1) or received by post (channel 3): the receiving officer enters
    the applicant, the form and the scanned papers; the same validation as online applies. The dossier is
    then “Mới đăng ký” at this desk, to be received (form 01), asked to complete (form 02) or refused (03)."""
    from egov.accounts.scopes import ensure_role

    ensure_role(officer, agency, Role.RECEIVING_OFFICER)
    if channel not in INTAKE_CHANNELS:
        raise DomainError("Kênh tiếp nhận tại quầy phải là trực tiếp hoặc bưu chính.")
    snapshot = {
        "applicant_name": " ".join(str(applicant.get("name", "")).split())[:200],
        "applicant_id_number": str(applicant.get("id_number", "")).strip()[:20],
        "applicant_phone": str(applicant.get("phone", "")).strip()[:20],
        "applicant_email": str(applicant.get("email", "")).strip()[:254],
        "applicant_address": " ".join(str(applicant.get("address", "")).split())[:400],
    }
    errors: dict[str, list[str]] = {}
    if len(snapshot["applicant_name"]) < 2:
        errors["applicant.name"] = ["Hãy nhập họ tên người nộp (hoặc tên tổ chức)."]
    if snapshot["applicant_id_number"] and not snapshot["applicant_id_number"].isdigit():
        errors["applicant.id_number"] = ["Số giấy tờ tùy thân chỉ gồm chữ số."]
    if snapshot["applicant_email"]:
        from django.core.validators import validate_email

        try:
            validate_email(snapshot["applicant_email"])
        except ValidationError:
            errors["applicant.email"] = ["Địa chỉ thư điện tử không hợp lệ."]
    if errors:
        raise ValidationError(errors)
    key = f"desk:{idempotency_key}"[:80] if idempotency_key else ""
    if key:
        existing = Dossier.objects.filter(
            applicant=None, receiving_agency=agency, idempotency_key=key
        ).first()
        if existing is not None:
            return existing, False
    stored: list[StoredFile] = []
    try:
        stored = store_uploads(owner=officer, version=version, uploads=uploads, into=stored)
        dossier, created = submit_dossier(
            applicant=None,
            version=version,
            agency=agency,
            raw=raw,
            files=stored,
            idempotency_key=key,
            key_checked=True,
            channel=channel,
            officer=officer,
            snapshot=snapshot,
        )
    except Exception:
        discard_files(stored)
        raise
    return dossier, created
