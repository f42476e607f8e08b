"""The applicant's API: file a dossier, list and read one's own, withdraw, supplement, download."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status

from egov.accounts.tokens import BearerToken
from egov.catalog.selectors import procedure_detail
from egov.core.api_types import MAX_OFFSET, MAX_VERSION, RecordVersion
from egov.core.errors import DomainError, ScopeDenied
from egov.core.untrusted import load_json, whole_number
from egov.dossiers import services
from egov.dossiers.api import DossierOut, ErrorOut, _errors, _full, refused
from egov.dossiers.models import Dossier, DossierEvent
from egov.submission import selectors as submission_selectors
from egov.submission import services as submission_services

router = Router()


auth = BearerToken()


class DossierSummary(Schema):
    code: str
    procedure: str
    submitted_at: dt.datetime
    status: str
    status_label: str


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
    raw = load_json(request.POST.get("data") or "{}", field="data")
    if not isinstance(raw, dict):
        return Status(400, {"detail": "Trường data phải là một đối tượng JSON."})
    agency = services.desks_for(version).filter(code=request.POST.get("agency", "").strip().upper()).first()
    uploads = {key: request.FILES.getlist(key) for key in request.FILES}
    try:
        dossier, created = submission_services.submit_with_uploads(
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


class DossierPage(Schema):
    items: list[DossierSummary]
    count: int  # all the applicant's dossiers, whatever the page
    limit: int
    offset: int


@router.get("", auth=auth, response=DossierPage, summary="Hồ sơ của tôi (mới nhất trước, theo trang)")
def mine(
    request: HttpRequest,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> dict[str, Any]:
    dossiers = submission_selectors.my_dossiers(request.user)
    return {
        "items": [
            {
                "code": d.code,
                "procedure": d.procedure_version.name,
                "submitted_at": d.submitted_at,
                "status": d.status,
                "status_label": d.get_status_display(),
            }
            for d in dossiers[offset : offset + limit]
        ],
        "count": dossiers.count(),
        "limit": limit,
        "offset": offset,
    }


@router.get("/{code}", auth=auth, response=DossierOut, summary="Một hồ sơ của tôi, đầy đủ")
def detail(request: HttpRequest, code: str) -> dict[str, Any]:
    dossier = submission_selectors.dossier_for_owner(request.user, code)
    if dossier is None:
        raise Http404
    return _full(dossier)


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
    version: RecordVersion
    reason: str = ""


@router.post(
    "/{code}/withdraw",
    auth=auth,
    response={200: ChangeOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut},
    summary="Rút hồ sơ",
)
def withdraw(request: HttpRequest, code: str, body: WithdrawIn) -> Status[dict[str, Any]]:
    dossier = submission_selectors.dossier_for_owner(request.user, code)
    if dossier is None:
        raise Http404
    try:
        dossier = submission_services.withdraw(
            dossier=dossier, applicant=request.user, reason=body.reason, expected_version=body.version
        )
    except (DomainError, ScopeDenied) as exc:
        return refused(exc)
    return Status(200, _change(dossier))


@router.post(
    "/{code}/supplement",
    auth=auth,
    response={200: ChangeOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut},
    summary="Bổ sung giấy tờ theo yêu cầu (multipart: version, note, tệp theo mã thành phần)",
)
def supplement(request: HttpRequest, code: str) -> Status[dict[str, Any]]:
    dossier = submission_selectors.dossier_for_owner(request.user, code)
    if dossier is None:
        raise Http404
    if request.content_type != "multipart/form-data":
        return Status(400, {"detail": "Hãy gửi dạng multipart/form-data (trường version và các tệp)."})
    expected = whole_number(request.POST.get("version", ""), maximum=MAX_VERSION)
    if expected is None:
        return Status(400, {"detail": "Thiếu ‘version’: số phiên bản hồ sơ đã đọc."})
    try:
        dossier = submission_services.supplement_online(
            dossier=dossier,
            applicant=request.user,
            uploads={key: request.FILES.getlist(key) for key in request.FILES},
            note=request.POST.get("note", ""),
            expected_version=expected,
        )
    except (DomainError, ScopeDenied) as exc:
        return refused(exc)
    return Status(200, _change(dossier))


@router.get("/{code}/result", auth=auth, summary="Tải kết quả giải quyết (khi đã trả trực tuyến)")
def result(request: HttpRequest, code: str) -> Any:
    from django.http import FileResponse

    dossier = submission_selectors.dossier_for_owner(request.user, code)
    found = getattr(dossier, "result", None) if dossier else None
    if found is None or found.returned_at is None or found.return_method != "online":
        raise Http404
    return FileResponse(found.file.open("rb"), filename=f"ket-qua-{code}.pdf", content_type="application/pdf")
