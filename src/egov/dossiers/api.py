"""API for applicants' software: submit a dossier (form data + files), list and read one's dossiers, and the
public look-up by code. Same validation and the same Vietnamese errors as the web pages."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from egov.accounts.tokens import BearerToken
from egov.catalog.selectors import procedure_detail
from egov.core import throttle
from egov.dossiers import selectors, services
from egov.dossiers.models import Dossier, DossierEvent
from egov.dossiers.statuses import NATIONAL_STATUS_CODE, DossierStatus

router = Router()
auth = BearerToken()


class EventOut(Schema):
    at: dt.datetime
    status: str
    status_label: str
    agency: str | None


class LookupOut(Schema):
    code: str
    procedure: str
    receiving_agency: str
    submitted_at: dt.datetime
    status: str
    status_label: str
    national_status: int
    timeline: list[EventOut]


class FileOut(Schema):
    slot: str
    name: str
    content_type: str
    size: int
    sha256: str


class DossierOut(LookupOut):
    procedure_code: str
    procedure_version: int
    channel: int
    applicant_name: str
    applicant_id_number: str
    form_data: dict[str, Any]
    files: list[FileOut]


class DossierSummary(Schema):
    code: str
    procedure: str
    submitted_at: dt.datetime
    status: str
    status_label: str


class ErrorOut(Schema):
    detail: str
    errors: list[dict[str, str]] = []


def _timeline(dossier: Dossier, events: list[DossierEvent] | None = None) -> list[dict[str, Any]]:
    return [
        {
            "at": e.at,
            "status": e.to_status,
            "status_label": DossierStatus(e.to_status).label,
            "agency": e.actor_agency.name if e.actor_agency else None,
        }
        for e in (dossier.events.all() if events is None else events)
    ]


def _lookup(dossier: Dossier, events: list[DossierEvent] | None = None) -> dict[str, Any]:
    return {
        "code": dossier.code, "procedure": dossier.procedure_version.name,
        "receiving_agency": dossier.receiving_agency.name, "submitted_at": dossier.submitted_at,
        "status": dossier.status, "status_label": dossier.get_status_display(),
        "national_status": NATIONAL_STATUS_CODE[DossierStatus(dossier.status)], "timeline": _timeline(dossier, events),
    }  # fmt: skip


def _full(
    dossier: Dossier, *, files: list[Any] | None = None, events: list[DossierEvent] | None = None
) -> dict[str, Any]:
    return {
        **_lookup(dossier, events), "procedure_code": dossier.procedure_version.procedure.national_code,
        "procedure_version": dossier.procedure_version.number, "channel": dossier.channel,
        "applicant_name": dossier.applicant_name, "applicant_id_number": dossier.applicant_id_number,
        "form_data": dossier.form_data,
        "files": [{"slot": f.slot, "name": f.original_name, "content_type": f.content_type, "size": f.size,
                   "sha256": f.sha256} for f in (dossier.files.all() if files is None else files)],
    }  # fmt: skip


def _errors(exc: ValidationError) -> list[dict[str, str]]:
    if hasattr(exc, "error_dict"):
        return [
            {"field": field, "message": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"field": "", "message": message} for message in exc.messages]


@router.post(
    "",
    auth=auth,
    response={201: DossierOut, 200: DossierOut, 400: ErrorOut, 404: ErrorOut},
    summary="Nộp hồ sơ trực tuyến (multipart: procedure, agency, data JSON, tệp theo mã ô tải lên)",
)
def submit(request: HttpRequest) -> Status[dict[str, Any]]:
    """Multipart form: ``procedure`` (mã thủ tục), ``agency`` (mã định danh cơ quan tiếp nhận), ``data`` (JSON
    của tờ khai), and one or more files per component key. Header ``Idempotency-Key`` makes retries safe: the
    same key returns the dossier created the first time (200 instead of 201)."""
    if request.content_type != "multipart/form-data":
        return Status(
            400, {"detail": "Hãy gửi dạng multipart/form-data (trường procedure, agency, data và các tệp)."}
        )
    version = procedure_detail(request.POST.get("procedure", "").strip())
    if version is None:
        return Status(404, {"detail": "Không tìm thấy thủ tục có mã này."})
    try:
        raw = json.loads(request.POST.get("data") or "{}")
    except json.JSONDecodeError as exc:
        return Status(
            400, {"detail": f"Trường data không phải JSON hợp lệ (dòng {exc.lineno}, cột {exc.colno})."}
        )
    if not isinstance(raw, dict):
        return Status(400, {"detail": "Trường data phải là một đối tượng JSON."})
    agency = services.desks_for(version).filter(code=request.POST.get("agency", "").strip().upper()).first()
    uploads = {key: request.FILES.getlist(key) for key in request.FILES}
    try:
        dossier, created = services.submit_with_uploads(
            applicant=request.user,  # type: ignore[arg-type]
            version=version,
            agency=agency,
            raw=raw,
            uploads=uploads,
            idempotency_key=request.headers.get("Idempotency-Key", ""),
        )
    except ValidationError as exc:
        return Status(400, {"detail": "Hồ sơ chưa hợp lệ.", "errors": _errors(exc)})
    # The dossier just stored carries its version and agency; its files and history are read without the
    # prefetch machinery (two plain queries) — this endpoint is the hot path of API submissions.
    if created:
        files, events = dossier.submitted_files, dossier.submitted_events  # type: ignore[attr-defined]
    else:
        prefetch_related_objects(
            [dossier],
            "files",
            Prefetch("events", queryset=DossierEvent.objects.select_related("actor_agency")),
        )
        files, events = list(dossier.files.all()), list(dossier.events.all())
    return Status(201 if created else 200, _full(dossier, files=files, events=events))


@router.get("", auth=auth, response=list[DossierSummary], summary="Hồ sơ của tôi")
def mine(request: HttpRequest, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    limit, offset = max(1, min(limit, 200)), max(0, offset)
    return [
        {
            "code": d.code,
            "procedure": d.procedure_version.name,
            "submitted_at": d.submitted_at,
            "status": d.status,
            "status_label": d.get_status_display(),
        }
        for d in selectors.my_dossiers(request.user)[offset : offset + limit]
    ]


@router.get("/{code}", auth=auth, response=DossierOut, summary="Một hồ sơ của tôi, đầy đủ")
def detail(request: HttpRequest, code: str) -> dict[str, Any]:
    dossier = selectors.dossier_for_owner(request.user, code)
    if dossier is None:
        raise Http404
    return _full(dossier)


lookup_router = Router()


@lookup_router.get(
    "/{code}",
    response={200: LookupOut, 404: ErrorOut, 429: ErrorOut},
    summary="Tra cứu tình trạng hồ sơ theo mã (không cần đăng nhập; giới hạn số lần tra cứu mỗi máy)",
)
def lookup(request: HttpRequest, code: str, response: HttpResponse) -> Any:
    wait = throttle.hit(request, "lookup", throttle.client_ip(request))
    if wait:
        response["Retry-After"] = str(wait)
        return Status(429, {"detail": throttle.too_many_message(wait)})
    dossier = selectors.public_lookup(code)
    if dossier is None:
        raise Http404
    return _lookup(dossier)


class ChangeOut(Schema):
    code: str
    version: int
    status: str
    status_label: str


def _change(dossier: Dossier) -> dict[str, Any]:
    return {
        "code": dossier.code,
        "version": dossier.version,
        "status": dossier.status,
        "status_label": dossier.get_status_display(),
    }


class WithdrawIn(Schema):
    version: int
    reason: str = ""


@router.post(
    "/{code}/withdraw",
    auth=auth,
    response={200: ChangeOut, 400: ErrorOut, 409: ErrorOut},
    summary="Rút hồ sơ",
)
def withdraw(request: HttpRequest, code: str, body: WithdrawIn) -> Status[dict[str, Any]]:
    from egov.core.errors import DomainError
    from egov.dossiers import processing

    dossier = selectors.dossier_for_owner(request.user, code)
    if dossier is None:
        raise Http404
    try:
        dossier = processing.withdraw(
            dossier=dossier, applicant=request.user, reason=body.reason, expected_version=body.version
        )
    except DomainError as exc:
        text = " ".join(exc.messages)
        return Status(409 if "người khác cập nhật" in text else 400, {"detail": text})
    return Status(200, _change(dossier))


@router.post(
    "/{code}/supplement",
    auth=auth,
    response={200: ChangeOut, 400: ErrorOut, 409: ErrorOut},
    summary="Bổ sung giấy tờ theo yêu cầu (multipart: version, note, tệp theo mã thành phần)",
)
def supplement(request: HttpRequest, code: str) -> Status[dict[str, Any]]:
    from egov.core.errors import DomainError
    from egov.dossiers import processing

    dossier = selectors.dossier_for_owner(request.user, code)
    if dossier is None:
        raise Http404
    if request.content_type != "multipart/form-data":
        return Status(400, {"detail": "Hãy gửi dạng multipart/form-data (trường version và các tệp)."})
    try:
        expected = int(request.POST.get("version", ""))
    except ValueError:
        return Status(400, {"detail": "Thiếu ‘version’: số phiên bản hồ sơ đã đọc."})
    try:
        dossier = processing.supplement_online(
            dossier=dossier,
            applicant=request.user,
            uploads={key: request.FILES.getlist(key) for key in request.FILES},
            note=request.POST.get("note", ""),
            expected_version=expected,
        )
    except DomainError as exc:
        text = " ".join(exc.messages)
        return Status(409 if "người khác cập nhật" in text else 400, {"detail": text})
    return Status(200, _change(dossier))


@router.get("/{code}/result", auth=auth, summary="Tải kết quả giải quyết (khi đã trả trực tuyến)")
def result(request: HttpRequest, code: str) -> Any:
    from django.http import FileResponse

    dossier = selectors.dossier_for_owner(request.user, code)
    found = getattr(dossier, "result", None) if dossier else None
    if found is None or found.returned_at is None or found.return_method != "online":
        raise Http404
    return FileResponse(found.file.open("rb"), filename=f"ket-qua-{code}.pdf", content_type="application/pdf")
