"""Officer actions on a dossier by name, for the back-office page and the API alike: one table from an
action's name to the service that does it, with the inputs read the same way for a form post and for JSON.
No rule lives here; the services decide."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from egov.accounts.models import User
from egov.agencies.models import Agency
from egov.core.errors import DomainError
from egov.core.untrusted import whole_number
from egov.dossiers.models import Consultation, Dossier
from egov.dossiers.statuses import DossierStatus
from egov.onestop import processing, receiving, result_forms

SUPPLEMENT_ROWS = 5
# Bounds on what one request may carry (parsing, not rules): beyond them the input is a mistake or an attack.
MAX_LISTED = 100  # papers asked for in one supplement request, agencies consulted at once
AGENCIES_MESSAGE = '‘agencies’ phải là danh sách mã cơ quan phối hợp (chuỗi), ví dụ ["000.00.30.H10"].'
TOO_MANY_AGENCIES = f"Mỗi lần lấy ý kiến tối đa {MAX_LISTED} cơ quan phối hợp."
TOO_MANY_PAPERS = f"Mỗi lần yêu cầu bổ sung tối đa {MAX_LISTED} giấy tờ."
MAX_AMOUNT = processing.MAX_AMOUNT  # đồng: the most a one-stop desk may ask for (the service's own bound)


@dataclass(frozen=True)
class Inputs:
    """What came with the action: text fields (a form post or a JSON object) and uploaded files."""

    values: dict[str, Any]
    files: dict[str, list[Any]]

    def text(self, name: str) -> str:
        value = self.values.get(name, "")
        return "" if value is None else str(value)

    def items(self) -> list[dict[str, str]]:
        given = self.values.get("items")
        if isinstance(given, list):
            if len(given) > MAX_LISTED:
                raise DomainError(TOO_MANY_PAPERS)
            return [i for i in given if isinstance(i, dict)]
        return [
            {"name": self.text(f"item-{i}-name"), "reason": self.text(f"item-{i}-reason")}
            for i in range(SUPPLEMENT_ROWS)
        ]


def _user(inputs: Inputs, name: str, *, required: bool) -> User | None:
    value = inputs.text(name).strip()
    if not value:
        if required:
            raise DomainError("Hãy chọn cán bộ.")
        return None
    number = whole_number(value)
    user = User.objects.filter(pk=number).first() if number is not None else None
    if user is None:
        user = User.objects.filter(email__iexact=value).first()
    if user is None:
        raise DomainError("Không tìm thấy cán bộ đã chọn.")
    return user


def _moment(inputs: Inputs, name: str) -> dt.datetime:
    raw = inputs.text(name).strip()
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        try:
            value = dt.datetime.combine(dt.date.fromisoformat(raw), dt.time(17, 0))
        except ValueError:
            raise DomainError("Hãy nhập ngày hẹn mới dạng NNNN-TT-NN (và giờ nếu cần).") from None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _days(inputs: Inputs) -> float:
    try:
        return float(inputs.text("days").replace(",", ".") or "0")
    except ValueError:
        raise DomainError("Thời hạn trả lời phải là số ngày làm việc.") from None


def _agencies(inputs: Inputs) -> list[Agency]:
    given = inputs.values.get("agencies")
    if isinstance(given, list):
        if not all(isinstance(c, str) for c in given):
            raise DomainError(AGENCIES_MESSAGE)
        codes = [c.strip() for c in given]
    elif given is None or isinstance(given, str):
        codes = inputs.text("agencies").replace(",", " ").split()
    else:
        raise DomainError(AGENCIES_MESSAGE)
    if len(codes) > MAX_LISTED:
        raise DomainError(TOO_MANY_AGENCIES)
    found = list(Agency.objects.current().filter(code__in=codes))
    if len(found) != len(set(codes)):
        raise DomainError("Có mã cơ quan phối hợp không đúng.")
    return found


def _consultation(dossier: Dossier, inputs: Inputs) -> Consultation:
    number = whole_number(inputs.values.get("consultation"))
    found = (
        Consultation.objects.filter(dossier=dossier, pk=number).select_related("agency", "dossier").first()
        if number is not None
        else None
    )
    if found is None:
        raise DomainError("Không tìm thấy yêu cầu lấy ý kiến.")
    return found


def _amount(inputs: Inputs) -> int:
    given = inputs.values.get("amount")
    # Text as typed on the page ("50.000", "50,000"), or a JSON whole number; a JSON 50000.0 would otherwise
    # lose its point and read as 500.000.
    digits = inputs.text("amount").replace(".", "").replace(",", "").strip()
    if isinstance(given, float) or not (digits.isascii() and digits.isdigit()):
        raise DomainError("Số tiền phải là số đồng, ví dụ 50.000.")
    if len(digits) > len(str(MAX_AMOUNT)) or int(digits) > MAX_AMOUNT:
        raise DomainError(f"Số tiền quá lớn: tối đa {MAX_AMOUNT:,} đồng.".replace(",", "."))
    return int(digits)


Handler = Callable[[Dossier, Any, int, Inputs], str]


def _receive(d: Dossier, u: Any, v: int, i: Inputs) -> str:
    d = receiving.receive(dossier=d, officer=u, expected_version=v)
    assert d.due_at is not None
    return f"Đã tiếp nhận hồ sơ {d.code}; hẹn trả {timezone.localtime(d.due_at):%H:%M %d/%m/%Y}."


def _supplement(d: Dossier, u: Any, v: int, i: Inputs) -> str:
    if d.status == DossierStatus.NEW:
        receiving.request_supplement(dossier=d, officer=u, items=i.items(), expected_version=v)
    else:
        processing.request_supplement_in_processing(dossier=d, officer=u, items=i.items(), expected_version=v)
    return "Đã gửi yêu cầu bổ sung cho người nộp (mẫu 02)."


def _refuse(d: Dossier, u: Any, v: int, i: Inputs) -> str:
    receiving.refuse(dossier=d, officer=u, reason=i.text("reason"), expected_version=v)
    return "Đã từ chối và báo cho người nộp (mẫu 03)."


def _forward(d: Dossier, u: Any, v: int, i: Inputs) -> str:
    d = processing.forward(
        dossier=d,
        officer=u,
        expected_version=v,
        note=i.text("note"),
        assignee=_user(i, "assignee", required=False),
    )
    step = d.current_step
    return f"Đã chuyển: {step.name} – {step.agency.name}." if step else "Đã chuyển."


def _send_back(d: Dossier, u: Any, v: int, i: Inputs) -> str:
    processing.send_back(dossier=d, officer=u, expected_version=v, reason=i.text("reason"))
    return "Đã trả lại bước trước."


def _reassign(d: Dossier, u: Any, v: int, i: Inputs) -> str:
    assignee = _user(i, "assignee", required=True)
    assert assignee is not None
    processing.reassign(dossier=d, officer=u, expected_version=v, assignee=assignee)
    return f"Đã giao cho {assignee.full_name}."


def _consult(d: Dossier, u: Any, v: int, i: Inputs) -> str:
    made = processing.request_consultation(
        dossier=d,
        officer=u,
        agencies=_agencies(i),
        question=i.text("question"),
        days=_days(i),
        expected_version=v,
    )
    return f"Đã gửi lấy ý kiến {len(made)} cơ quan."


def _answer(d: Dossier, u: Any, v: int, i: Inputs) -> str:
    agrees = i.text("agrees").lower() in ("1", "true", "yes", "co", "có", "on")
    processing.answer_consultation(
        consultation=_consultation(d, i), officer=u, answer=i.text("answer"), agrees=agrees
    )
    return "Đã gửi ý kiến."


def _payment(d: Dossier, u: Any, v: int, i: Inputs) -> str:
    processing.request_payment(dossier=d, officer=u, amount=_amount(i), expected_version=v)
    return "Đã yêu cầu thực hiện nghĩa vụ tài chính; thời gian giải quyết tạm dừng."


def _paid(d: Dossier, u: Any, v: int, i: Inputs) -> str:
    processing.payment_received(dossier=d, officer=u, expected_version=v)
    return "Đã ghi nhận; thời gian giải quyết tiếp tục."


def _apologise(d: Dossier, u: Any, v: int, i: Inputs) -> str:
    processing.apologise(
        dossier=d, officer=u, reason=i.text("reason"), new_due_at=_moment(i, "new_due_at"), expected_version=v
    )
    return "Đã lập phiếu xin lỗi và hẹn lại (mẫu 04), đã báo người nộp."


def _stop(d: Dossier, u: Any, v: int, i: Inputs) -> str:
    processing.stop(dossier=d, officer=u, reason=i.text("reason"), expected_version=v)
    return "Đã dừng xử lý và gửi thông báo cho người nộp."


def _issue(d: Dossier, u: Any, v: int, i: Inputs) -> str:
    uploads = i.files.get("result") or []
    prefix = result_forms.ISSUE_INPUT_PREFIX
    result = processing.issue_result(
        dossier=d,
        officer=u,
        expected_version=v,
        document_number=i.text("document_number"),
        title=i.text("title"),
        upload=uploads[0] if uploads else None,
        issue_values={k.removeprefix(prefix): i.text(k) for k in i.values if k.startswith(prefix)},
    )
    if result is None:
        return "Đã vào sổ kết quả; chờ lãnh đạo ký số, sau đó văn thư ký số cơ quan để phát hành."
    return "Đã phát hành kết quả; hồ sơ chuyển bộ phận một cửa để trả."


def _sign(d: Dossier, u: Any, v: int, i: Inputs) -> str:
    status = processing.sign_result(dossier=d, officer=u, pin=i.text("pin"), expected_version=v)
    if status == "released":
        return "Đã ký số cơ quan và phát hành kết quả; hồ sơ chuyển bộ phận một cửa để trả."
    return "Đã ký số; chờ văn thư ký số cơ quan và phát hành."


def _return(d: Dossier, u: Any, v: int, i: Inputs) -> str:
    processing.return_result(
        dossier=d,
        officer=u,
        expected_version=v,
        method=i.text("method"),
        postal_tracking=i.text("postal_tracking"),
    )
    return "Đã trả kết quả."


ACTIONS: dict[str, tuple[str, Handler]] = {
    "receive": ("Tiếp nhận", _receive),
    "supplement": ("Yêu cầu bổ sung", _supplement),
    "refuse": ("Từ chối", _refuse),
    "forward": ("Chuyển bước tiếp theo", _forward),
    "send_back": ("Trả lại bước trước", _send_back),
    "reassign": ("Giao lại", _reassign),
    "consult": ("Lấy ý kiến phối hợp", _consult),
    "answer": ("Trả lời lấy ý kiến", _answer),
    "payment": ("Yêu cầu nghĩa vụ tài chính", _payment),
    "paid": ("Đã thực hiện nghĩa vụ tài chính", _paid),
    "apologise": ("Xin lỗi, hẹn lại", _apologise),
    "stop": ("Dừng xử lý", _stop),
    "issue": ("Phát hành kết quả", _issue),
    "sign": ("Ký số kết quả", _sign),
    "return": ("Trả kết quả", _return),
}


def perform(action: str, *, dossier: Dossier, officer: Any, expected_version: int, inputs: Inputs) -> str:
    """Run one action; returns the Vietnamese message for the officer, or raises DomainError/ScopeDenied/
    ValidationError with one."""
    if action not in ACTIONS:
        raise DomainError("Thao tác không hợp lệ.")
    return ACTIONS[action][1](dossier, officer, expected_version, inputs)
