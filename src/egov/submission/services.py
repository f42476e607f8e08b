"""Online filing: drafts, the form's steps, uploads, submission; the applicant's own actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from egov.accounts.models import User
from egov.accounts.roles import Role
from egov.agencies.models import Agency
from egov.catalog import formdef
from egov.catalog.models import ProcedureVersion, VersionStatus
from egov.catalog.selectors import filing_closed_reason
from egov.core.errors import DomainError, ScopeDenied
from egov.dossiers.lifecycle import lock, transition
from egov.dossiers.models import (
    Dossier,
    Draft,
    Notice,
    NotificationKind,
    StoredFile,
    SupplementRequest,
)
from egov.dossiers.services import _store, desks_for, discard_files, notify, store_uploads, submit_dossier
from egov.dossiers.statuses import DossierStatus
from egov.units.models import AdministrativeUnit
from egov.units.selectors import resolve_commune


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


def ensure_may_file(user: Any) -> None:
    """Dossiers are filed by citizens and organisations with their own accounts: an officer's account (which
    acts in the back office) does not file, so nobody receives and handles a dossier they filed themselves."""
    if getattr(user, "is_officer", False):
        raise ScopeDenied(
            "Tài khoản cán bộ không dùng để nộp hồ sơ. Hãy đăng nhập bằng tài khoản công dân hoặc tổ chức "
            "của bạn để nộp."
        )


def start_draft(*, user: User, version: ProcedureVersion) -> Draft:
    """Resume the applicant's draft of this procedure, or start one filled from their profile."""
    ensure_may_file(user)
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


def add_files(*, draft: Draft, slot: str, uploads: Iterable[Any]) -> list[StoredFile]:
    component = next((c for c in draft.procedure_version.components.all() if c.key == slot), None)
    if component is None:
        raise DomainError(f"Ô tải lên “{slot}” không thuộc thủ tục này.")
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
    ensure_may_file(applicant)
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


def withdraw(*, dossier: Dossier, applicant: Any, reason: str, expected_version: int) -> Dossier:
    """The applicant takes the dossier back, at any time before the result is ready."""
    reason = " ".join(reason.split()) or "Công dân rút hồ sơ."
    with transaction.atomic():
        dossier = lock(dossier, expected_version)
        if dossier.applicant_id is None or dossier.applicant_id != getattr(applicant, "pk", None):
            raise ScopeDenied("Chỉ người nộp mới rút được hồ sơ của mình.")
        note = f"Rút hồ sơ: {reason}"
        # Leaving processing cancels what hung on it (the back office's leave hook: the open step,
        # consultations, a result waiting for signature) in this same transaction.
        dossier = transition(
            dossier=dossier,
            actor=applicant,
            to_status=DossierStatus.WITHDRAWN,
            action="withdrawn",
            note=note,
            public_note=note,
            status_note=reason,
            current_role="",
            current_assignee=None,
        )
        notify(dossier=dossier, kind=NotificationKind.WITHDRAWN)
        return dossier


def supplement_online(
    *, dossier: Dossier, applicant: Any, uploads: dict[str, list[Any]], note: str = "", expected_version: int
) -> Dossier:
    """The applicant adds the papers asked for (one or more files per component) and the dossier goes back
    to the desk as “Mới đăng ký”; the desk checks it and receives it again. Files are checked like at
    submission; if anything fails nothing is kept."""
    if dossier.applicant_id is None or dossier.applicant_id != getattr(applicant, "pk", None):
        raise ScopeDenied("Chỉ người nộp mới bổ sung được hồ sơ của mình.")
    if dossier.status != DossierStatus.SUPPLEMENT_REQUESTED:
        raise DomainError("Hồ sơ không ở trạng thái chờ bổ sung.")
    if not any(uploads.values()):
        raise DomainError("Hãy tải lên ít nhất một giấy tờ bổ sung.")
    stored: list[Any] = []
    now = timezone.now()
    try:
        try:
            store_uploads(
                owner=applicant,
                version=dossier.procedure_version,
                uploads=uploads,
                into=stored,
                used_bytes=sum(f.size for f in dossier.files.all()),
            )
        except ValidationError as exc:
            raise DomainError(" ".join(exc.messages)) from exc
        with transaction.atomic():
            dossier = lock(dossier, expected_version)
            if dossier.status != DossierStatus.SUPPLEMENT_REQUESTED:
                raise DomainError("Hồ sơ không ở trạng thái chờ bổ sung.")
            request = (
                dossier.supplement_requests.filter(completed_at__isnull=True)
                .order_by("-requested_at")
                .first()
            )
            if request is None:
                raise DomainError("Không có yêu cầu bổ sung nào đang chờ.")
            for item in stored:
                item.dossier = dossier
            type(stored[0]).objects.bulk_create(stored)
            SupplementRequest.objects.filter(pk=request.pk).update(completed_at=now)
            names = ", ".join(i.original_name for i in stored)
            dossier = transition(
                dossier=dossier,
                actor=applicant,
                to_status=DossierStatus.NEW,
                action="supplemented",
                note=f"Công dân bổ sung: {names}." + (f" {' '.join(note.split())}" if note.strip() else ""),
                now=now,
                current_agency=dossier.receiving_agency,
                current_role=Role.RECEIVING_OFFICER,
            )
    except Exception:
        discard_files(stored)
        raise
    return dossier


def mark_notices_read(*, user: Any, notice_id: int | None = None) -> int:
    """Mark one of the applicant's notices read (``notice_id``), or all of them. Returns how many changed."""
    unread = Notice.objects.filter(recipient=user, read_at__isnull=True)
    if notice_id is not None:
        unread = unread.filter(pk=notice_id)
    return unread.update(read_at=timezone.now())
