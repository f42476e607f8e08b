"""Everything the platform holds about one citizen or organisation, as they may download it (NĐ 13/2023/NĐ-CP,
Điều 9 and 14: the data subject's right to know and to obtain their data). Reads only; the number of queries
does not grow with the number of dossiers."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Prefetch

from egov.accounts import privacy
from egov.accounts.models import CitizenProfile, Consent, OrganisationProfile, User
from egov.dossiers.models import Dossier, DossierEvent, Draft, Notification, StoredFile

SKIPPED_PROFILE_FIELDS = {"id", "user"}


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    return value


def _profile(user: User) -> dict[str, Any] | None:
    model: type[models.Model] = OrganisationProfile if user.kind == User.Kind.ORGANISATION else CitizenProfile
    row = model._default_manager.filter(user=user).first()
    if row is None:
        return None
    return {
        str(field.verbose_name): _plain(getattr(row, field.name))
        for field in model._meta.concrete_fields
        if field.name not in SKIPPED_PROFILE_FIELDS
    }


def _file(stored: StoredFile) -> dict[str, Any]:
    return {
        "tên tệp": stored.original_name,
        "thành phần hồ sơ": stored.component.name if stored.component else stored.slot,
        "loại tệp": stored.content_type,
        "dung lượng (byte)": stored.size,
        "mã băm SHA-256": stored.sha256,
        "thời điểm tải lên": _plain(stored.uploaded_at),
    }


def _event(event: DossierEvent) -> dict[str, Any]:
    """An event as the applicant's own dossier page shows it: the change of status, the agency, the words
    addressed to the applicant; never the officers' internal note nor who among them acted."""
    return {
        "thời điểm": _plain(event.at),
        "trạng thái": event.get_to_status_display(),
        "cơ quan": event.actor_agency.name if event.actor_agency else "",
        "nội dung báo người nộp": event.public_note,
    }


def shown_events(dossier: Dossier) -> list[DossierEvent]:
    return [e for e in dossier.events.all() if e.from_status != e.to_status or e.public_note]


def dossiers_of(user: User) -> list[Dossier]:
    return list(
        Dossier.objects.filter(applicant=user)
        .select_related("procedure_version", "receiving_agency")
        .prefetch_related(
            Prefetch(
                "events", queryset=DossierEvent.objects.select_related("actor_agency").order_by("at", "id")
            ),
            Prefetch("files", queryset=StoredFile.objects.select_related("component").order_by("slot", "id")),
            Prefetch("notifications", queryset=Notification.objects.order_by("created_at", "id")),
        )
        .order_by("submitted_at", "id")
    )


def dossier_count(user: User) -> int:
    return Dossier.objects.filter(applicant=user).count()


def files_of(user: User) -> list[StoredFile]:
    """Files the person uploaded: with their dossiers, and those of drafts not yet filed."""
    return list(StoredFile.objects.filter(owner=user).select_related("component", "dossier").order_by("id"))


def export(user: User) -> dict[str, Any]:
    """The whole record, in Vietnamese keys, ready for JSON."""
    dossiers = dossiers_of(user)
    drafts = list(Draft.objects.filter(owner=user).select_related("procedure_version").order_by("id"))
    consents = list(Consent.objects.filter(user=user).order_by("given_at", "id"))
    draft_files = [f for f in files_of(user) if f.dossier_id is None]
    return {
        "xuất lúc": _plain(dt.datetime.now(dt.UTC)),
        "phiên bản thông báo xử lý dữ liệu cá nhân hiện hành": privacy.NOTICE_VERSION,
        "tài khoản": {
            "loại tài khoản": user.get_kind_display(),
            "họ và tên": user.full_name,
            "thư điện tử": user.email or "",
            "số điện thoại": user.phone or "",
            "tên đăng nhập": user.username,
            "ngày tạo": _plain(user.date_joined),
            "lần đăng nhập gần nhất": _plain(user.last_login),
        },
        "thông tin định danh": _profile(user),
        "sự đồng ý xử lý dữ liệu cá nhân": [
            {
                "mục đích": c.purpose,
                "phiên bản thông báo": c.notice_version,
                "nội dung": c.statement,
                "thời điểm đồng ý": _plain(c.given_at),
                "thời điểm rút lại": _plain(c.withdrawn_at),
            }
            for c in consents
        ],
        "hồ sơ": [
            {
                "mã hồ sơ": d.code,
                "thủ tục": d.procedure_version.name,
                "nơi tiếp nhận": d.receiving_agency.name,
                "trạng thái": d.get_status_display(),
                "kênh nộp": d.get_channel_display(),
                "thời điểm nộp": _plain(d.submitted_at),
                "hẹn trả kết quả": _plain(d.due_at),
                "người nộp": d.applicant_name,
                "số giấy tờ tùy thân": d.applicant_id_number,
                "điện thoại": d.applicant_phone,
                "thư điện tử": d.applicant_email,
                "địa chỉ": d.applicant_address,
                "dữ liệu tờ khai": d.form_data,
                "diễn biến": [_event(e) for e in shown_events(d)],
                "tệp đính kèm": [_file(f) for f in d.files.all()],
                "thông báo đã gửi": [
                    {
                        "loại": n.get_kind_display(),
                        "gửi tới": n.recipient,
                        "tình trạng": n.get_status_display(),
                        "thời điểm tạo": _plain(n.created_at),
                        "thời điểm gửi": _plain(n.sent_at),
                    }
                    for n in d.notifications.all()
                    if n.recipient in {user.email, user.phone, d.applicant_email} - {None, ""}
                ],
            }
            for d in dossiers
        ],
        "hồ sơ đang soạn": [
            {
                "thủ tục": draft.procedure_version.name,
                "bước": draft.step,
                "dữ liệu": draft.data,
                "cập nhật": _plain(draft.updated_at),
            }
            for draft in drafts
        ],
        "tệp của hồ sơ đang soạn": [_file(f) for f in draft_files],
    }


def export_json(user: User) -> bytes:
    return json.dumps(export(user), ensure_ascii=False, indent=2).encode("utf-8")


def export_zip(user: User) -> bytes:
    """The JSON and every file uploaded, under ``tep/‹dossier code or ban-nhap›/``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("du-lieu-cua-toi.json", export_json(user))
        for number, stored in enumerate(files_of(user), start=1):
            folder = stored.dossier.code if stored.dossier else "ban-nhap"
            try:
                with stored.file.open("rb") as handle:
                    content = handle.read()
            except (FileNotFoundError, OSError):
                continue  # a file the storage lost is listed in the JSON all the same
            archive.writestr(f"tep/{folder}/{number:03d}-{stored.original_name}", content)
    return buffer.getvalue()
