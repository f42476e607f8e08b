"""The officer API's typed operations, one per action (``POST /api/v1/officer/dossiers/{code}/<action>``): each
is documented in OpenAPI with its own body, takes a dossier from receipt to return as the desk's page does,
answers 409 ``conflict`` on a stale version and a Vietnamese 4xx on input of the wrong type."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from egov.accounts.models import User
from egov.accounts.tokens import issue_token
from egov.dossiers.models import Consultation, Dossier
from egov.dossiers.statuses import DossierStatus
from egov.onestop import receiving
from egov.submission.tests.test_submission import submit

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DESK = "motcua.loctan@binhphuoc.demo"
SPECIALIST = "congchuc.loctan@binhphuoc.demo"
CHAIRMAN = "chutich.loctan@binhphuoc.demo"
CLERK = "vanthu.loctan@binhphuoc.demo"
LABOUR = "chuyenvien.ldtbxh.locninh@binhphuoc.demo"  # the district's labour office, consulted
LABOUR_OFFICE = "000.05.44.H10"

# path → the body's schema, and the fields it documents besides ``version``
OPERATIONS = {
    "receive": ("ReceiveIn", set()),
    "supplement": ("SupplementIn", {"items"}),
    "refuse": ("RefuseIn", {"reason"}),
    "forward": ("ForwardIn", {"note", "assignee"}),
    "send-back": ("SendBackIn", {"reason"}),
    "reassign": ("ReassignIn", {"assignee"}),
    "consult": ("ConsultIn", {"agencies", "question", "days"}),
    "answer": ("AnswerIn", {"consultation", "answer", "agrees"}),
    "payment": ("PaymentIn", {"amount"}),
    "paid": ("PaidIn", set()),
    "apologise": ("ApologiseIn", {"reason", "new_due_at"}),
    "stop": ("StopIn", {"reason"}),
    "issue": (None, {"document_number", "title", "result"}),  # multipart
    "sign": ("SignIn", {"pin"}),
    "return": ("ReturnIn", {"method", "postal_tracking"}),
}


def at(day: str, time: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=VN)


def bearer(email: str) -> Client:
    user = User.objects.get(email=email)
    return Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user=user, name='Phần mềm chuyên ngành')}")


class Officers:
    """Each officer's software with its own token; ``do`` sends one typed action with the version as read."""

    def __init__(self) -> None:
        self.clients = {email: bearer(email) for email in (DESK, SPECIALIST, CHAIRMAN, CLERK, LABOUR)}

    def do(self, email: str, dossier: Dossier, path: str, **body: Any) -> Any:
        dossier.refresh_from_db()
        return self.clients[email].post(
            f"/api/v1/officer/dossiers/{dossier.code}/{path}",
            {"version": dossier.version, **body},
            content_type="application/json",
        )

    def ok(self, moment: dt.datetime, email: str, dossier: Dossier, path: str, **body: Any) -> dict[str, Any]:
        with time_machine.travel(moment, tick=False):
            response = self.do(email, dossier, path, **body)
        assert response.status_code == 200, (path, response.content.decode())
        answer = response.json()
        dossier.refresh_from_db()
        assert answer["version"] == dossier.version and answer["status"] == dossier.status
        assert answer["message"] and answer["status_label"] == dossier.get_status_display()
        return answer


@pytest.fixture
def officers(demo: None) -> Officers:
    return Officers()


def filed(marriage: Any, moment: dt.datetime) -> Dossier:
    with time_machine.travel(moment, tick=False):
        dossier, _ = submit(marriage)
    return dossier


@pytest.mark.django_db
def test_every_action_is_its_own_documented_operation_with_a_typed_body(client: Client) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    schemas = spec["components"]["schemas"]
    for path, (schema_name, fields) in OPERATIONS.items():
        operation = spec["paths"][f"/api/v1/officer/dossiers/{{code}}/{path}"]["post"]
        assert operation["summary"] and operation["description"], path
        assert not operation.get("deprecated"), path
        assert {"200", "400", "403", "404", "409", "422"} <= set(operation["responses"]), path
        assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
            "/ActionOut"
        )
        assert operation["responses"]["409"]["content"]["application/json"]["schema"]["$ref"].endswith(
            "/ErrorOut"
        )
        content = operation["requestBody"]["content"]
        if schema_name is None:
            body = content["multipart/form-data"]["schema"]
            assert body["properties"]["result"]["anyOf"][0]["format"] == "binary"
        else:
            assert content["application/json"]["schema"]["$ref"] == f"#/components/schemas/{schema_name}"
            body = schemas[schema_name]
            assert body["additionalProperties"] is False, path  # a misspelt field is refused, not ignored
        assert set(body["properties"]) == {"version", *fields}, path
        assert "version" in body["required"], path
        version = body["properties"]["version"]
        assert version["type"] == "integer" and version["maximum"] == 2**31 - 1 and version["minimum"] == 0
        for name in fields - {"result"}:
            assert body["properties"][name].get("description"), (path, name)
    payment = schemas["PaymentIn"]["properties"]["amount"]
    assert payment["type"] == "integer" and payment["maximum"] == 10**12 and payment["minimum"] == 1
    consult = schemas["ConsultIn"]["properties"]
    assert consult["agencies"]["items"]["type"] == "string" and consult["agencies"]["maxItems"] == 100
    assert set(schemas["ReturnMethod"]["enum"]) == {"online", "desk", "post"}
    paper = schemas["MissingPaper"]
    assert set(paper["properties"]) == {"name", "reason"}
    # The generic path stays for integrators written against it, marked deprecated.
    generic = spec["paths"]["/api/v1/officer/dossiers/{code}/actions/{action}"]["post"]
    assert generic["deprecated"] is True


def test_a_dossier_from_receipt_to_return_through_the_typed_operations(
    marriage: Any, officers: Officers
) -> None:
    """Receive, apologise, consult and answer, a fee and its payment, reassign, forward, send back, issue, sign
    twice and return: every action the commune's dossier meets, each through its own operation."""
    dossier = filed(marriage, at("2019-03-04", "07:30"))
    received = officers.ok(at("2019-03-04", "08:00"), DESK, dossier, "receive")
    assert received["status"] == DossierStatus.RECEIVED and "hẹn trả 08:00 05/03/2019" in received["message"]
    # A day's notice before Tuesday 08:00: the chairman apologises and sets a new date.
    officers.ok(at("2019-03-04", "08:00"), CHAIRMAN, dossier, "apologise",
                reason="Chờ xác minh của công an xã.", new_due_at="2019-03-12T17:00:00+07:00")  # fmt: skip
    assert dossier.due_at == at("2019-03-12", "17:00")
    assert dossier.apology.reason == "Chờ xác minh của công an xã."  # type: ignore[attr-defined]

    asked = officers.ok(at("2019-03-04", "08:30"), SPECIALIST, dossier, "consult",
                        agencies=[LABOUR_OFFICE], question="Có thuộc diện bảo trợ xã hội không?", days=2)  # fmt: skip
    assert "1 cơ quan" in asked["message"]
    consultation = Consultation.objects.get(dossier=dossier)
    assert consultation.agency.code == LABOUR_OFFICE and consultation.answered_at is None
    officers.ok(at("2019-03-04", "09:00"), LABOUR, dossier, "answer",
                consultation=consultation.pk, answer="Không thuộc diện bảo trợ.", agrees=True)  # fmt: skip
    consultation.refresh_from_db()
    assert consultation.answered_at is not None and consultation.agrees is True

    owed = officers.ok(at("2019-03-04", "09:30"), SPECIALIST, dossier, "payment", amount=50_000)
    assert owed["status"] == DossierStatus.AWAITING_PAYMENT and dossier.clock_paused_at is not None
    paid = officers.ok(at("2019-03-04", "10:00"), SPECIALIST, dossier, "paid")
    assert paid["status"] == DossierStatus.PROCESSING and dossier.clock_paused_at is None

    specialist = User.objects.get(email=SPECIALIST)
    given = officers.ok(at("2019-03-04", "10:15"), CHAIRMAN, dossier, "reassign", assignee=SPECIALIST)
    assert specialist.full_name in given["message"]
    assert dossier.current_assignee_id == specialist.pk
    moved = officers.ok(at("2019-03-04", "10:30"), SPECIALIST, dossier, "forward", note="Đủ điều kiện")
    assert "Đã chuyển" in moved["message"] and dossier.current_step.position == 2  # type: ignore[union-attr]
    officers.ok(at("2019-03-04", "11:00"), CHAIRMAN, dossier, "send-back", reason="Ghi rõ nơi cư trú.")
    assert dossier.current_step.position == 1  # type: ignore[union-attr]
    chairman = User.objects.get(email=CHAIRMAN)  # the next step's officer, named by id this time
    officers.ok(at("2019-03-04", "13:30"), SPECIALIST, dossier, "forward", assignee=chairman.pk)
    assert dossier.current_assignee_id == chairman.pk
    officers.ok(at("2019-03-04", "14:00"), CHAIRMAN, dossier, "forward")

    # The clerk enters the result (multipart; a file that is not a PDF reaches the service and is refused).
    clerk = officers.clients[CLERK]
    url = f"/api/v1/officer/dossiers/{dossier.code}/issue"
    with time_machine.travel(at("2019-03-04", "14:30"), tick=False):
        not_pdf = SimpleUploadedFile("ket-qua.pdf", b"khong phai PDF", content_type="application/pdf")
        wrong = clerk.post(url, {"version": dossier.version, "document_number": "12/GCN", "result": not_pdf})
        assert wrong.status_code == 400 and wrong.json() == {
            "detail": "Tệp kết quả phải là PDF.", "errors": [], "code": "refused",
        }  # fmt: skip
        issued = clerk.post(url, {"version": dossier.version, "document_number": "12/GCN-UBND"})
    assert issued.status_code == 200, issued.content.decode()
    assert "chờ lãnh đạo ký số" in issued.json()["message"]
    signed = officers.ok(at("2019-03-04", "15:00"), CHAIRMAN, dossier, "sign", pin="123456")
    assert "chờ văn thư" in signed["message"]
    released = officers.ok(at("2019-03-04", "15:30"), CLERK, dossier, "sign")
    assert "phát hành" in released["message"]
    returned = officers.ok(at("2019-03-04", "16:00"), DESK, dossier, "return",
                           method="post", postal_tracking="EB123456789VN")  # fmt: skip
    assert returned["status"] == DossierStatus.RETURNED
    assert dossier.result.postal_tracking == "EB123456789VN"  # type: ignore[attr-defined]


def test_supplement_refuse_and_stop_through_the_typed_operations(marriage: Any, officers: Officers) -> None:
    asked = filed(marriage, at("2019-03-04", "07:30"))
    answer = officers.ok(at("2019-03-04", "08:00"), DESK, asked, "supplement",
                         items=[{"name": "Tờ khai có chữ ký", "reason": "Thiếu chữ ký người nộp"}])  # fmt: skip
    assert answer["status"] == DossierStatus.SUPPLEMENT_REQUESTED
    refused = filed(marriage, at("2019-03-04", "07:30"))
    answer = officers.ok(at("2019-03-04", "08:00"), DESK, refused, "refuse",
                         reason="Không thuộc thẩm quyền giải quyết của xã")  # fmt: skip
    assert answer["status"] == DossierStatus.REFUSED and refused.status_note
    stopped = filed(marriage, at("2019-03-04", "07:30"))
    officers.ok(at("2019-03-04", "08:00"), DESK, stopped, "receive")
    answer = officers.ok(at("2019-03-04", "09:00"), CHAIRMAN, stopped, "stop",
                         reason="Cơ quan có thẩm quyền yêu cầu tạm dừng.")  # fmt: skip
    assert answer["status"] == DossierStatus.STOPPED


def test_a_stale_version_is_409_conflict_and_changes_nothing(marriage: Any, officers: Officers) -> None:
    dossier = filed(marriage, at("2019-03-04", "07:30"))
    seen = dossier.version
    officers.ok(at("2019-03-04", "08:00"), DESK, dossier, "receive")
    with time_machine.travel(at("2019-03-04", "08:30"), tick=False):
        stale = officers.clients[SPECIALIST].post(
            f"/api/v1/officer/dossiers/{dossier.code}/forward",
            {"version": seen, "note": "Đủ"},
            content_type="application/json",
        )
    assert stale.status_code == 409
    assert stale.json()["code"] == "conflict" and "người khác cập nhật" in stale.json()["detail"]
    before = dossier.version
    dossier.refresh_from_db()
    assert dossier.version == before and dossier.current_step.position == 1  # type: ignore[union-attr]
    # The rules' answers keep their codes: 403 ``forbidden`` for the wrong officer, 404 for a code not theirs.
    wrong = officers.do(CLERK, dossier, "forward")
    assert wrong.status_code == 403 and wrong.json()["code"] == "forbidden"
    assert (
        officers.clients[DESK]
        .post("/api/v1/officer/dossiers/KHONG-CO/receive", {"version": 1}, content_type="application/json")
        .status_code
        == 404
    )


WRONG_TYPES: dict[str, tuple[str, str, str, str]] = {
    # case: (path, JSON body with the current version in place of VERSION, field named, a fragment of the message)
    "version as text": ("receive", '{"version": "ba"}', "version", "Phải là số nguyên"),
    "version true": ("receive", '{"version": true}', "version", "Phải là số nguyên"),
    "version 1.0": ("receive", '{"version": 1.0}', "version", "Phải là số nguyên"),
    "version missing": ("receive", "{}", "version", "Thiếu trường bắt buộc"),
    "version beyond a row's": ("receive", '{"version": 2147483648}', "version", "tối đa 2.147.483.647"),
    "a field no action reads": ("receive", '{"version": VERSION, "ghi_chu": "x"}', "ghi_chu", "không được"),
    "an amount of 10^30 as text": (
        "payment",
        '{"version": VERSION, "amount": "1000000000000000000000000000000"}',
        "amount",
        "tối đa 1.000.000.000.000",
    ),
    "an amount with a decimal point": (
        "payment",
        '{"version": VERSION, "amount": 50000.5}',
        "amount",
        "số đồng",
    ),
    "an amount of true": ("payment", '{"version": VERSION, "amount": true}', "amount", "số đồng"),
    "a negative amount": ("payment", '{"version": VERSION, "amount": -5}', "amount", "tối thiểu 1"),
    "agencies as an object": (
        "consult",
        '{"version": VERSION, "agencies": {"a": 1}, "question": "?", "days": 2}',
        "agencies",
        "danh sách mã cơ quan phối hợp",
    ),
    "an agency that is a list": (
        "consult",
        '{"version": VERSION, "agencies": [["000.05.44.H10"]], "question": "?", "days": 2}',
        "agencies",
        "danh sách mã cơ quan phối hợp",
    ),
    "101 agencies at once": (
        "consult",
        json.dumps(
            {
                "version": "VERSION",
                "agencies": [f"000.{i:02d}.44.H10" for i in range(101)],
                "question": "?",
                "days": 2,
            }
        ).replace('"VERSION"', "VERSION"),
        "agencies",
        "tối đa 100 cơ quan",
    ),
    "days of 1e400 as text": (
        "consult",
        '{"version": VERSION, "agencies": ["000.05.44.H10"], "question": "?", "days": "1e400"}',
        "days",
        "Thời hạn trả lời phải là số ngày",
    ),
    "papers that are not objects": (
        "supplement",
        '{"version": VERSION, "items": [["a"], 1]}',
        "items",
        "{name, reason}",
    ),
    "a paper without its reason": (
        "supplement",
        '{"version": VERSION, "items": [{"name": "Tờ khai"}]}',
        "items.0.reason",
        "Thiếu trường bắt buộc",
    ),
    "a return by fax": ("return", '{"version": VERSION, "method": "fax"}', "method", "danh sách cho phép"),
    "a consultation id as a list": (
        "answer",
        '{"version": VERSION, "consultation": [3], "answer": "x", "agrees": true}',
        "consultation",
        "Phải là số nguyên",
    ),
    "an assignee that is an object": (
        "reassign",
        '{"version": VERSION, "assignee": {"id": 3}}',
        "assignee",
        "mã số (số nguyên) hoặc e-mail",
    ),
    "no assignee to reassign to": (
        "reassign",
        '{"version": VERSION, "assignee": null}',
        "assignee",
        "Hãy chọn cán bộ",
    ),
    "a due date that is not one": (
        "apologise",
        '{"version": VERSION, "reason": "Chờ xác minh", "new_due_at": "thứ hai"}',
        "new_due_at",
        "ISO 8601",
    ),
    "a due date in year 1": (
        "apologise",
        '{"version": VERSION, "reason": "Chờ xác minh", "new_due_at": "0001-01-01T00:00:00+07:00"}',
        "new_due_at",
        "Ngày hẹn mới không hợp lệ",
    ),
    "a reason of 3,000 letters": (
        "refuse",
        '{"version": VERSION, "reason": "' + "ư" * 3000 + '"}',
        "reason",
        "tối đa 2.000 ký tự",
    ),
}


def test_input_of_the_wrong_type_is_a_vietnamese_422_and_changes_nothing(
    marriage: Any, officers: Officers, subtests: Any
) -> None:
    dossier = filed(marriage, at("2019-03-04", "07:30"))
    for name, (path, body, field, fragment) in WRONG_TYPES.items():
        with subtests.test(name):
            dossier.refresh_from_db()
            before = (dossier.version, dossier.status)
            response = officers.clients[DESK].generic(
                "POST",
                f"/api/v1/officer/dossiers/{dossier.code}/{path}",
                body.replace("VERSION", str(dossier.version)),
                content_type="application/json",
            )
            assert response.status_code == 422, response.content.decode()
            answer = response.json()
            assert answer["detail"] == "Dữ liệu gửi lên không hợp lệ." and answer["code"] == "invalid"
            assert any(e["field"] == field and fragment in e["message"] for e in answer["errors"]), answer
            assert all(e["message"].isascii() is False for e in answer["errors"]), answer  # Vietnamese
            dossier.refresh_from_db()
            assert (dossier.version, dossier.status) == before
    # The multipart operation names its fields the same way.
    url = f"/api/v1/officer/dossiers/{dossier.code}/issue"
    response = officers.clients[CLERK].post(url, {"version": "mười", "document_number": "12/GCN"})
    assert response.status_code == 422 and response.json()["errors"] == [
        {"field": "version", "message": "Phải là số nguyên."}
    ]
    # Numbers JSON cannot hold are refused by the body's reader before any schema: 400 with its reason.
    response = officers.do(DESK, dossier, "payment", amount=10**30)
    assert response.status_code == 400 and "quá lớn hoặc không hữu hạn" in json.dumps(
        response.json(), ensure_ascii=False
    )


def test_the_deprecated_generic_path_still_acts(marriage: Any, officers: Officers) -> None:
    dossier = filed(marriage, at("2019-03-04", "07:30"))
    with time_machine.travel(at("2019-03-04", "08:00"), tick=False):
        response = officers.clients[DESK].post(
            f"/api/v1/officer/dossiers/{dossier.code}/actions/receive",
            {"version": dossier.version},
            content_type="application/json",
        )
    assert response.status_code == 200 and response.json()["status"] == DossierStatus.RECEIVED
    unknown = officers.do(SPECIALIST, dossier, "actions/bogus")
    assert unknown.status_code == 400 and unknown.json()["detail"] == "Thao tác không hợp lệ."
    # What the typed operation bounds, the service refuses on every path (PostgreSQL would answer a 500).
    dossier.refresh_from_db()
    long_number = officers.clients[CLERK].post(
        f"/api/v1/officer/dossiers/{dossier.code}/actions/issue",
        {"version": dossier.version, "document_number": "1" * 61},
    )
    assert long_number.status_code == 400 and "tối đa 60 ký tự" in long_number.json()["detail"]


def test_a_received_dossier_refuses_a_second_receipt_with_the_rules_words(
    marriage: Any, officers: Officers
) -> None:
    dossier = filed(marriage, at("2019-03-04", "07:30"))
    receiving.receive(dossier=dossier, officer=User.objects.get(email=DESK), expected_version=dossier.version)
    again = officers.do(DESK, dossier, "receive")
    assert again.status_code == 400 and again.json()["code"] == "refused"
    assert "không chờ tiếp nhận" in again.json()["detail"]
