"""The back office through /api/v1/officer: a sector's specialised software receives and processes dossiers
with an officer's API token — the same worklists, the same actions (see :mod:`egov.onestop.actions`), the
same permissions and rules and the same Vietnamese errors as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from egov.accounts.tokens import BearerToken
from egov.catalog.selectors import procedure_detail
from egov.core.api_types import MAX_OFFSET, MAX_VERSION
from egov.core.errors import DomainError, ScopeDenied
from egov.core.untrusted import load_json, whole_number
from egov.dossiers import services
from egov.dossiers.api import ErrorOut, _errors, _full, refused
from egov.dossiers.models import Dossier
from egov.dossiers.statuses import Channel, DossierStatus
from egov.onestop import actions
from egov.onestop import intake as onestop_intake
from egov.onestop import selectors as onestop_selectors
from egov.onestop.forms.issued import FORMS, NotYetIssued, form_response, served_form

router = Router()
auth = BearerToken()


def _officer(request: HttpRequest) -> Any:
    user = request.user
    if not getattr(user, "is_officer", False):
        raise PermissionDenied("Khóa API này không phải của cán bộ.")
    return user


class WorkItem(Schema):
    code: str
    procedure: str
    applicant_name: str
    channel: int
    status: str
    status_label: str
    submitted_at: dt.datetime
    due_at: dt.datetime | None
    deadline_state: str
    step: str | None
    step_agency: str | None
    assignee: str | None
    version: int


CAP = 1000
WORK_ITEM_COLUMNS = {  # WorkItem's fields (but the status's label) and the columns they come from
    "code": "code",
    "procedure": "procedure_version__name",
    "applicant_name": "applicant_name",
    "channel": "channel",
    "status": "status",
    "submitted_at": "submitted_at",
    "due_at": "due_at",
    "deadline_state": "deadline_state",
    "step": "current_step__name",
    "step_agency": "current_agency__name",
    "assignee": "current_assignee__full_name",
    "version": "version",
}


class WorkPage(Schema):
    count: int
    more: bool  # true when there are more than ``count`` (1,000): narrow with filters
    items: list[WorkItem]


class WorklistQuery(Schema):
    tab: str = "cho-toi"
    q: str = ""
    procedure: str = ""
    sector: str = ""
    channel: Channel | None = None
    status: str = ""
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


@router.get("/dossiers", auth=auth, response=WorkPage, summary="Danh sách hồ sơ theo nhóm công việc")
def worklist(request: HttpRequest, filters: Query[WorklistQuery]) -> dict[str, Any]:
    """Tabs: ``moi``, ``cho-toi``, ``cua-toi``, ``cho-cong-dan``, ``sap-den-han``, ``qua-han``, ``xin-y-kien``
    (waiting for an opinion of the officer's agency, the earliest answer due first), ``da-tiep-nhan``,
    ``da-xong``."""
    user = _officer(request)
    if filters.tab not in onestop_selectors.WORKLIST_TABS:
        raise DomainError("Nhóm hồ sơ không hợp lệ: " + ", ".join(onestop_selectors.WORKLIST_TABS) + ".")
    chosen = onestop_selectors.WorklistFilters(
        query=filters.q[:100],
        procedure=filters.procedure,
        sector=filters.sector,
        channel=filters.channel,
        status=filters.status,
        submitted_from=filters.submitted_from,
        submitted_to=filters.submitted_to,
    )
    queryset = onestop_selectors.officer_worklist(user, tab=filters.tab, filters=chosen)
    limit, offset = max(1, min(filters.limit, 200)), max(0, filters.offset)
    # The row's values only, not five model objects per row (a third of a page's time went to building them).
    rows = queryset.values(*WORK_ITEM_COLUMNS.values())[offset : offset + limit]
    items = [{name: row[column] for name, column in WORK_ITEM_COLUMNS.items()} for row in rows]
    for item in items:
        item["status_label"] = DossierStatus(item["status"]).label
    # A province-wide tab can hold a million rows: count up to the cap (see ``onestop_selectors.capped_count``).
    counted = onestop_selectors.capped_count(queryset, filters=chosen, cap=CAP)
    return {"count": min(counted, CAP), "more": counted > CAP, "items": items}


class StepOut(Schema):
    agency: str
    name: str
    started: str
    due: str
    finished: str
    receiver: str
    verdict: str


class OfficerDossierOut(Schema):
    code: str
    version: int
    status: str
    status_label: str
    national_status: int
    due_at: dt.datetime | None
    allowed_actions: list[str]
    dossier: dict[str, Any]
    steps: list[StepOut]


def _found(request: HttpRequest, code: str) -> Dossier:
    found = onestop_selectors.dossier_for_officer(_officer(request), code)
    if found is None:
        raise Http404
    return found


@router.get(
    "/dossiers/{code}", auth=auth, response=OfficerDossierOut, summary="Một hồ sơ, các bước và thao tác"
)
def detail(request: HttpRequest, code: str) -> dict[str, Any]:
    found = onestop_selectors.dossier_detail_for_officer(_officer(request), code)
    if found is None:
        raise Http404
    view = onestop_selectors.officer_view(request.user, found)
    return {
        "code": found.code,
        "version": found.version,
        "status": found.status,
        "status_label": found.get_status_display(),
        "national_status": found.national_status,
        "due_at": found.due_at,
        "allowed_actions": sorted(view.actions),
        "dossier": _full(found),
        "steps": [
            {k: str(v) for k, v in row.items() if k in StepOut.model_fields} for row in view.control_rows
        ],
    }


class ActionIn(Schema):
    version: int
    model_config = {"extra": "allow"}


class ActionOut(Schema):
    code: str
    version: int
    status: str
    status_label: str
    message: str


@router.post(
    "/dossiers/{code}/actions/{action}",
    auth=auth,
    response={200: ActionOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut},
    summary="Thực hiện một thao tác trên hồ sơ",
)
def act(request: HttpRequest, code: str, action: str) -> Status[dict[str, Any]]:
    """``action``: receive, supplement (``items``: [{name, reason}]), refuse (``reason``), forward (``note``,
    ``assignee``: id or e-mail), send_back (``reason``), reassign (``assignee``), consult (``agencies``: codes,
    ``question``, ``days``), answer (``consultation``, ``answer``, ``agrees``), payment (``amount``), paid,
    apologise (``reason``, ``new_due_at`` ISO 8601), stop (``reason``), issue (``document_number``, ``title``;
    multipart with file ``result`` to upload the PDF), return (``method``: online/desk/post,
    ``postal_tracking``). Always send ``version`` as read: if someone acted meanwhile the answer is 409."""
    found = _found(request, code)
    if request.content_type == "multipart/form-data":
        values: dict[str, Any] = request.POST.dict()
    else:
        values = load_json(request.body or b"{}")
        if not isinstance(values, dict):
            return Status(400, {"detail": "Nội dung phải là một đối tượng JSON."})
    expected = whole_number(values.get("version"), maximum=MAX_VERSION)
    if expected is None:
        return Status(
            400, {"detail": "Thiếu ‘version’: số phiên bản hồ sơ đã đọc (số nguyên).", "code": "refused"}
        )
    inputs = actions.Inputs(values=values, files={k: request.FILES.getlist(k) for k in request.FILES})
    try:
        message = actions.perform(
            action, dossier=found, officer=request.user, expected_version=expected, inputs=inputs
        )
    except ValidationError as exc:
        if isinstance(exc, DomainError):
            return refused(exc)
        return Status(400, {"detail": "Dữ liệu chưa hợp lệ.", "errors": _errors(exc), "code": "invalid"})
    except ScopeDenied as exc:
        return refused(exc)
    found.refresh_from_db()
    return Status(
        200,
        {
            "code": found.code,
            "version": found.version,
            "status": found.status,
            "status_label": found.get_status_display(),
            "message": message,
        },
    )


@router.get("/dossiers/{code}/forms/{form}", auth=auth, summary="Phiếu 01–05 hoặc thông báo dừng (PDF)")
def form(request: HttpRequest, code: str, form: str) -> HttpResponse:
    """``form``: 01, 02, 03, 04, 05 or ``dung``."""
    found = _found(request, code)
    if form not in FORMS:
        raise Http404
    try:
        content, signed = served_form(found, form)
    except ValueError:
        raise Http404 from None
    except NotYetIssued:
        return _not_yet(request)
    return form_response(content, signed=signed, form=form, code=code)


@router.post(
    "/intake",
    auth=auth,
    response={201: ActionOut, 200: ActionOut, 400: ErrorOut, 404: ErrorOut},
    summary="Nhập hồ sơ nộp trực tiếp hoặc qua bưu chính",
)
def intake(request: HttpRequest) -> Status[dict[str, Any]]:
    """Multipart: ``procedure``, ``agency`` (the desk), ``channel`` (1 trực tiếp, 3 bưu chính), ``applicant``
    (JSON: name, id_number, phone, email, address), ``data`` (JSON of the form) and files per component key.
    Header ``Idempotency-Key`` makes retries safe."""
    officer = _officer(request)
    if request.content_type != "multipart/form-data":
        return Status(400, {"detail": "Hãy gửi dạng multipart/form-data."})
    version = procedure_detail(request.POST.get("procedure", "").strip())
    if version is None:
        return Status(404, {"detail": "Không tìm thấy thủ tục có mã này."})
    agency = services.desks_for(version).filter(code=request.POST.get("agency", "").strip().upper()).first()
    if agency is None:
        return Status(400, {"detail": "Cơ quan tiếp nhận không phải bộ phận một cửa của thủ tục này."})
    applicant = load_json(request.POST.get("applicant") or "{}", field="applicant")
    raw = load_json(request.POST.get("data") or "{}", field="data")
    if not isinstance(applicant, dict) or not isinstance(raw, dict):
        return Status(400, {"detail": "Trường applicant và data phải là đối tượng JSON."})
    channel_text = request.POST.get("channel", "1")
    if channel_text not in ("1", "3"):
        return Status(400, {"detail": "Kênh phải là 1 (trực tiếp) hoặc 3 (bưu chính)."})
    try:
        dossier, created = onestop_intake.intake_paper_dossier(
            officer=officer,
            version=version,
            agency=agency,
            channel=Channel(int(channel_text)),
            applicant={k: str(v) for k, v in applicant.items()},
            raw=raw,
            uploads={k: request.FILES.getlist(k) for k in request.FILES},
            idempotency_key=request.headers.get("Idempotency-Key", ""),
        )
    except ValidationError as exc:
        if isinstance(exc, DomainError):
            return Status(400, {"detail": " ".join(exc.messages)})
        return Status(400, {"detail": "Hồ sơ chưa hợp lệ.", "errors": _errors(exc)})
    return Status(
        201 if created else 200,
        {
            "code": dossier.code,
            "version": dossier.version,
            "status": dossier.status,
            "status_label": dossier.get_status_display(),
            "message": "Đã nhập hồ sơ; hãy tiếp nhận (receive) để có giấy hẹn.",
        },
    )


def _not_yet(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        '{"detail": "Phiếu đang được ban hành (ký số và lưu); hãy thử lại sau ít giây.", "code": "not_ready"}',
        status=503,
        content_type="application/json",
        headers={"Retry-After": "5"},
    )
