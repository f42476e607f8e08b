"""The back office through /api/v1/officer: a sector's specialised software receives and processes dossiers
with an officer's API token — the same worklists, the same actions (see :mod:`egov.onestop.actions`), the
same permissions and rules and the same Vietnamese errors as the pages."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import BeforeValidator, ConfigDict, field_validator

from egov.accounts.tokens import BearerToken
from egov.catalog.selectors import procedure_detail
from egov.core.api_types import MAX_OFFSET, MAX_VERSION, Identifier, RecordVersion, refusal
from egov.core.errors import DomainError, ScopeDenied
from egov.core.untrusted import MAX_INTEGER, load_json, whole_number
from egov.dossiers import services
from egov.dossiers.api import ErrorOut, _errors, _full, refused
from egov.dossiers.models import Dossier, ReturnMethod
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
    consultation_due_at: dt.datetime | None = Field(
        None,
        description="Hạn trả lời sớm nhất mà cơ quan của cán bộ còn nợ trên hồ sơ (chỉ ở nhóm ``xin-y-kien``; "
        "null ở các nhóm khác).",
    )


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
    columns = dict(WORK_ITEM_COLUMNS)
    if filters.tab == "xin-y-kien":  # annotated by the selector for this tab only
        columns["consultation_due_at"] = "consultation_due_at"
    rows = queryset.values(*columns.values())[offset : offset + limit]
    items = [{name: row[column] for name, column in columns.items()} for row in rows]
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
    """``allowed_actions``: what this officer may do now, by name; each is ``POST /dossiers/{code}/<name>``
    (``send_back``: ``/send-back``), sent with this ``version``."""
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


class ActionOut(Schema):
    code: str = Field(description="Mã hồ sơ / the dossier's code")
    version: int = Field(
        description="Phiên bản mới: gửi kèm thao tác tiếp theo / the new version, for the next action"
    )
    status: str = Field(description="Trạng thái sau thao tác / status after the action")
    status_label: str = Field(description="Tên trạng thái bằng tiếng Việt / the status's Vietnamese label")
    message: str = Field(description="Kết quả thao tác, để báo cán bộ / what was done, for the officer")


ACTION_ANSWERS = {200: ActionOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
ANSWERS_DOC = (
    "\n\nTrả lời / answers: 200 đã thực hiện (phiên bản mới trong `version`); 400 `refused` quy tắc nghiệp vụ "
    "hoặc trạng thái hồ sơ không cho phép; 403 `forbidden` tài khoản không được làm thao tác này; 404 không thấy "
    "hồ sơ trong phạm vi của cán bộ; 409 `conflict` người khác đã thao tác từ khi đọc (đọc lại rồi gửi lại); "
    "422 `invalid` dữ liệu sai kiểu, thiếu hoặc vượt giới hạn (lỗi từng trường trong `errors`)."
)


def _perform(
    request: HttpRequest, found: Dossier, action: str, *, expected: int, inputs: actions.Inputs
) -> Status[dict[str, Any]]:
    """One action through :func:`egov.onestop.actions.perform`, the page's path too, answered as the API does."""
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


# --- One typed operation per action -------------------------------------------------------------------------
# Each body is validated here (types and the bounds of parsing); the rules stay in the services, reached through
# the same ``actions.perform`` as the desk's page, so page, API and service share one predicate per action.

Reason = Annotated[
    str,
    Field(
        max_length=2000, description="Lý do, báo cho người nộp / the reason, as the applicant will read it"
    ),
]
AssigneeRef = Annotated[
    int | str,
    Field(
        description="Cán bộ được giao: mã số (id) hoặc e-mail tài khoản / the officer: account id or e-mail",
        examples=["chuyenvien.loctan@binhphuoc.demo"],
    ),
]


def _assignee(value: Any) -> Any:
    # Checked before the union (int | str) is tried, which would report one error per branch.
    if value is None:
        return value
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise refusal("Cán bộ được giao phải là mã số (số nguyên) hoặc e-mail.")
    if isinstance(value, str) and len(value) > 254:
        raise refusal("E-mail cán bộ quá dài (tối đa 254 ký tự).")
    if isinstance(value, int) and not 1 <= value <= MAX_INTEGER:
        raise refusal("Không tìm thấy cán bộ đã chọn.")
    return value


class ActionIn(Schema):
    """Mọi thao tác gửi kèm phiên bản hồ sơ đã đọc / every action carries the version read."""

    model_config = ConfigDict(extra="forbid")
    version: RecordVersion

    def inputs(self) -> actions.Inputs:
        """The body as the actions read it (as from the desk's form post), files aside."""
        return actions.Inputs(values=self.model_dump(mode="json", exclude={"version"}), files={})


class ReceiveIn(ActionIn):
    pass


class MissingPaper(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=300, description="Giấy tờ cần bổ sung / the paper asked for")
    reason: str = Field(max_length=500, description="Lý do (thiếu, sai, hết hạn…) / why it is needed")


class SupplementIn(ActionIn):
    items: list[MissingPaper] = Field(
        max_length=actions.MAX_LISTED,
        description="Mọi giấy tờ cần bổ sung, một lần (mẫu 02) / every missing paper at once (form 02)",
    )

    @field_validator("items", mode="before")
    @classmethod
    def _papers(cls, value: Any) -> Any:
        if not isinstance(value, list) or not all(isinstance(i, dict) for i in value):
            raise refusal("Danh sách giấy tờ cần bổ sung không hợp lệ: mỗi mục là {name, reason}.")
        if len(value) > actions.MAX_LISTED:
            raise refusal(actions.TOO_MANY_PAPERS)
        return value


class RefuseIn(ActionIn):
    reason: Reason


class ForwardIn(ActionIn):
    note: str = Field(
        "", max_length=2000, description="Ghi chú nội bộ cho bước sau / an internal note for the next step"
    )
    assignee: Annotated[AssigneeRef | None, BeforeValidator(_assignee)] = Field(
        None,
        description="Cán bộ của bước sau (để trống: cả phòng) / the next step's officer (empty: the whole unit)",
    )


class SendBackIn(ActionIn):
    reason: Reason


def _someone(value: Any) -> Any:
    if value is None:
        raise refusal("Hãy chọn cán bộ.")
    return _assignee(value)


class ReassignIn(ActionIn):
    assignee: Annotated[AssigneeRef, BeforeValidator(_someone)]


class ConsultIn(ActionIn):
    agencies: list[Annotated[str, Field(max_length=35)]] = Field(
        max_length=actions.MAX_LISTED,
        description="Mã định danh các cơ quan phối hợp / organ codes of the agencies consulted",
        examples=[["000.00.30.H10"]],
    )
    question: str = Field(max_length=4000, description="Nội dung cần lấy ý kiến / the question")
    days: float = Field(
        allow_inf_nan=False,
        description="Thời hạn trả lời, ngày làm việc (0,5 đến 30) / working days to answer (0.5 to 30)",
        examples=[3],
    )

    @field_validator("agencies", mode="before")
    @classmethod
    def _codes(cls, value: Any) -> Any:
        if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
            raise refusal(actions.AGENCIES_MESSAGE)
        if len(value) > actions.MAX_LISTED:
            raise refusal(actions.TOO_MANY_AGENCIES)
        return value

    @field_validator("days", mode="before")
    @classmethod
    def _days(cls, value: Any) -> Any:
        try:
            finite = not isinstance(value, bool) and math.isfinite(float(value))
        except (TypeError, ValueError, OverflowError):
            finite = False
        if not finite:
            raise refusal("Thời hạn trả lời phải là số ngày làm việc, ví dụ 3 hoặc 0.5.")
        return value


class AnswerIn(ActionIn):
    consultation: Identifier = Field(
        description="Mã số yêu cầu lấy ý kiến gửi cơ quan mình / the id of the consultation addressed to you"
    )
    answer: str = Field(max_length=4000, description="Ý kiến trả lời / the answer")
    agrees: bool = Field(description="Thống nhất hay không / whether the agency agrees")


def _amount(value: Any) -> Any:
    if isinstance(value, bool | float):
        raise refusal("Số tiền phải là số đồng (số nguyên), ví dụ 50000.")
    return value


class PaymentIn(ActionIn):
    amount: Annotated[
        int,
        Field(
            ge=1,
            le=actions.MAX_AMOUNT,
            description="Số tiền phí, lệ phí, thuế phải nộp (đồng) / the fee or tax owed, in đồng",
            examples=[50000],
        ),
        BeforeValidator(_amount),
    ]


class PaidIn(ActionIn):
    pass


class ApologiseIn(ActionIn):
    reason: str = Field(
        max_length=2000,
        description="Lý do chậm trễ (ít nhất 10 ký tự) / why it is late (10 characters or more)",
    )
    new_due_at: dt.datetime = Field(
        description="Ngày giờ hẹn trả mới, ISO 8601 (không có múi giờ: giờ Việt Nam) / the new appointment",
        examples=["2019-03-08T17:00:00+07:00"],
    )

    @field_validator("new_due_at")
    @classmethod
    def _within_reach(cls, value: dt.datetime) -> dt.datetime:
        if not 2000 <= value.year <= 2999:
            raise refusal("Ngày hẹn mới không hợp lệ: hãy chọn một ngày sau hạn hiện tại.")
        return value


class StopIn(ActionIn):
    reason: str = Field(
        max_length=2000, description="Lý do dừng xử lý (ít nhất 10 ký tự) / why processing stops"
    )


class IssueIn(ActionIn):
    document_number: str = Field(
        max_length=60, description="Số, ký hiệu văn bản kết quả / the result's number and notation"
    )
    title: str = Field(
        "", max_length=300, description="Trích yếu (để trống: tên kết quả của thủ tục) / the result's title"
    )


class SignIn(ActionIn):
    pin: str = Field(
        "", max_length=64, description="Mã PIN chữ ký số cá nhân của lãnh đạo / the leader's signing PIN"
    )


class ReturnIn(ActionIn):
    method: ReturnMethod = Field(
        description="Hình thức trả: online (tải về), desk (tại một cửa), post (bưu chính) / how it is handed over"
    )
    postal_tracking: str = Field(
        "", max_length=60, description="Mã bưu gửi, bắt buộc khi trả qua bưu chính / the postal tracking code"
    )


def _typed(
    path: str, action: str, summary: str, description: str
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Route one typed operation: its summary, its description with the answers it can give."""
    return router.post(
        f"/dossiers/{{code}}/{path}",
        auth=auth,
        response=ACTION_ANSWERS,
        summary=summary,
        description=description + ANSWERS_DOC,
        operation_id=f"officer_{action}",
    )


def _run(request: HttpRequest, code: str, action: str, body: ActionIn) -> Status[dict[str, Any]]:
    found = _found(request, code)
    return _perform(request, found, action, expected=body.version, inputs=body.inputs())


@_typed(
    "receive",
    "receive",
    "Tiếp nhận hồ sơ (mẫu 01)",
    "Bộ phận một cửa tiếp nhận hồ sơ đủ điều kiện: cấp giấy tiếp nhận và hẹn trả (mẫu 01), hồ sơ chuyển bước "
    "xử lý đầu tiên. / The desk receives a complete dossier: receipt with the appointment (form 01).",
)
def receive(request: HttpRequest, code: str, body: ReceiveIn) -> Status[dict[str, Any]]:
    return _run(request, code, "receive", body)


@_typed(
    "supplement",
    "supplement",
    "Yêu cầu bổ sung, hoàn thiện hồ sơ (mẫu 02)",
    "Khi tiếp nhận, hoặc khi thẩm định trong 3 ngày làm việc sau tiếp nhận (một lần): nêu mọi giấy tờ cần "
    "bổ sung và lý do. / At the desk, or once within 3 working days of receipt: every missing paper at once.",
)
def supplement(request: HttpRequest, code: str, body: SupplementIn) -> Status[dict[str, Any]]:
    return _run(request, code, "supplement", body)


@_typed(
    "refuse",
    "refuse",
    "Từ chối tiếp nhận (mẫu 03)",
    "Từ chối hồ sơ không thuộc thẩm quyền hoặc không đủ điều kiện, nêu rõ lý do. / Refuse with a reason.",
)
def refuse(request: HttpRequest, code: str, body: RefuseIn) -> Status[dict[str, Any]]:
    return _run(request, code, "refuse", body)


@_typed(
    "forward",
    "forward",
    "Chuyển bước tiếp theo",
    "Kết thúc bước đang giữ và chuyển hồ sơ sang bước sau của quy trình nội bộ, có thể chỉ định cán bộ. / "
    "Finish the step held and move to the next step of the internal process, optionally to one officer.",
)
def forward(request: HttpRequest, code: str, body: ForwardIn) -> Status[dict[str, Any]]:
    return _run(request, code, "forward", body)


@_typed(
    "send-back",
    "send_back",
    "Trả lại bước trước",
    "Trả hồ sơ về bước trước để xem lại, nêu lý do (ít nhất 5 ký tự). / Send back to the previous step.",
)
def send_back(request: HttpRequest, code: str, body: SendBackIn) -> Status[dict[str, Any]]:
    return _run(request, code, "send_back", body)


@_typed(
    "reassign",
    "reassign",
    "Giao lại cho cán bộ khác",
    "Lãnh đạo phòng hoặc cơ quan giao bước đang xử lý cho một cán bộ khác của cơ quan. / A head gives the "
    "current step to another officer of the agency.",
)
def reassign(request: HttpRequest, code: str, body: ReassignIn) -> Status[dict[str, Any]]:
    return _run(request, code, "reassign", body)


@_typed(
    "consult",
    "consult",
    "Lấy ý kiến cơ quan phối hợp",
    "Gửi câu hỏi song song cho các cơ quan phối hợp, mỗi cơ quan có hạn trả lời theo ngày làm việc; bước "
    "chờ đủ ý kiến. / Ask other agencies in parallel, each with a deadline in working days.",
)
def consult(request: HttpRequest, code: str, body: ConsultIn) -> Status[dict[str, Any]]:
    return _run(request, code, "consult", body)


@_typed(
    "answer",
    "answer",
    "Trả lời yêu cầu lấy ý kiến",
    "Cơ quan được hỏi trả lời, một lần, khi hồ sơ còn đang xử lý; `consultation` là mã số yêu cầu. / The "
    "consulted agency answers, once, while the dossier is being processed.",
)
def answer(request: HttpRequest, code: str, body: AnswerIn) -> Status[dict[str, Any]]:
    return _run(request, code, "answer", body)


@_typed(
    "payment",
    "payment",
    "Yêu cầu thực hiện nghĩa vụ tài chính",
    "Người nộp phải nộp phí, lệ phí hoặc thuế: thời gian giải quyết tạm dừng đến khi nộp xong. / The "
    "applicant owes a fee or tax; the clock stops until it is paid.",
)
def payment(request: HttpRequest, code: str, body: PaymentIn) -> Status[dict[str, Any]]:
    return _run(request, code, "payment", body)


@_typed(
    "paid",
    "paid",
    "Ghi nhận đã thực hiện nghĩa vụ tài chính",
    "Người nộp đã nộp: thời gian giải quyết tiếp tục. / Paid: the clock runs again.",
)
def paid(request: HttpRequest, code: str, body: PaidIn) -> Status[dict[str, Any]]:
    return _run(request, code, "paid", body)


@_typed(
    "apologise",
    "apologise",
    "Xin lỗi và hẹn lại ngày trả (mẫu 04)",
    "Cơ quan đang giữ hồ sơ xin lỗi và hẹn ngày mới: một lần, chậm nhất một ngày làm việc trước hạn. / "
    "Apologise and set a new date: once, at least one working day before the deadline.",
)
def apologise(request: HttpRequest, code: str, body: ApologiseIn) -> Status[dict[str, Any]]:
    return _run(request, code, "apologise", body)


@_typed(
    "stop",
    "stop",
    "Dừng xử lý hồ sơ",
    "Dừng xử lý, gửi thông báo dừng cho người nộp; những gì đang chờ (lấy ý kiến, trình ký) bị hủy. / "
    "Stop processing with a notice to the applicant; what waited on the dossier is cancelled.",
)
def stop(request: HttpRequest, code: str, body: StopIn) -> Status[dict[str, Any]]:
    return _run(request, code, "stop", body)


RESULT_FILE = "Tệp PDF kết quả (để trống: sinh từ mẫu) / the result as a PDF (none: generated)"


@_typed(
    "issue",
    "issue",
    "Vào sổ và phát hành kết quả (multipart)",
    "Văn thư vào sổ kết quả: tệp PDF tải lên ở trường `result`, hoặc để trống để sinh từ mẫu của thủ tục. "
    "Lãnh đạo và cơ quan có chứng thư số thì kết quả chờ ký số, không thì phát hành ngay. / The clerk "
    "enters the result: a PDF in `result`, or none to generate it; it waits for signatures when both can sign.",
)
def issue(
    request: HttpRequest,
    code: str,
    body: Form[IssueIn],
    result: Annotated[UploadedFile | None, File(None, description=RESULT_FILE)] = None,
) -> Status[dict[str, Any]]:
    found = _found(request, code)
    inputs = body.inputs()
    files = {"result": [result]} if result is not None else {}
    return _perform(
        request,
        found,
        "issue",
        expected=body.version,
        inputs=actions.Inputs(values=inputs.values, files=files),
    )


@_typed(
    "sign",
    "sign",
    "Ký số kết quả",
    "Lãnh đạo ký số cá nhân (cần `pin`), sau đó văn thư ký số cơ quan và phát hành. / The leader signs "
    "(with `pin`), then the clerk applies the agency's signature and releases the result.",
)
def sign(request: HttpRequest, code: str, body: SignIn) -> Status[dict[str, Any]]:
    return _run(request, code, "sign", body)


@_typed(
    "return",
    "return",
    "Trả kết quả cho người nộp",
    "Bộ phận một cửa trả kết quả: trực tuyến, tại quầy hoặc qua bưu chính (cần mã bưu gửi). / The desk "
    "hands the result over online, at the desk or by post (with the tracking code).",
)
def return_result(request: HttpRequest, code: str, body: ReturnIn) -> Status[dict[str, Any]]:
    return _run(request, code, "return", body)


@router.post(
    "/dossiers/{code}/actions/{action}",
    auth=auth,
    response=ACTION_ANSWERS,
    summary="Thực hiện một thao tác theo tên (cũ — dùng các thao tác riêng)",
    deprecated=True,
)
def act(request: HttpRequest, code: str, action: str) -> Status[dict[str, Any]]:
    """Deprecated: each action has its own typed operation (``POST /dossiers/{code}/receive``, ``/forward``…);
    this path stays for integrators written against it and answers the same. ``action``: receive, supplement
    (``items``: [{name, reason}]), refuse (``reason``), forward (``note``, ``assignee``: id or e-mail),
    send_back (``reason``), reassign (``assignee``), consult (``agencies``: codes, ``question``, ``days``),
    answer (``consultation``, ``answer``, ``agrees``), payment (``amount``), paid, apologise (``reason``,
    ``new_due_at`` ISO 8601), stop (``reason``), issue (``document_number``, ``title``; multipart with file
    ``result`` to upload the PDF), sign (``pin``), return (``method``: online/desk/post, ``postal_tracking``).
    Always send ``version`` as read: if someone acted meanwhile the answer is 409."""
    found = _found(request, code)
    if request.content_type == "multipart/form-data":
        values: dict[str, Any] = request.POST.dict()
    else:
        values = load_json(request.body or b"{}")
        if not isinstance(values, dict):
            return Status(400, {"detail": "Nội dung phải là một đối tượng JSON.", "code": "refused"})
    expected = whole_number(values.get("version"), maximum=MAX_VERSION)
    if expected is None:
        return Status(
            400, {"detail": "Thiếu ‘version’: số phiên bản hồ sơ đã đọc (số nguyên).", "code": "refused"}
        )
    inputs = actions.Inputs(values=values, files={k: request.FILES.getlist(k) for k in request.FILES})
    return _perform(request, found, action, expected=expected, inputs=inputs)


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
