"""One dossier from a commune desk through the district and the province and back, across Tết 2019, with a
supplement request during appraisal, a consultation, a send-back, an apology, the result and every form.

Expected dates are worked out by hand below from the working calendar: 07:30–11:30 and 13:00–17:00, weekends
off, and the Tết 2019 break of the civil service (Monday 4 to Friday 8 February; 2 and 3, 9 and 10 are the
weekends around it).
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.core import mail

from egov.accounts.models import User
from egov.agencies.models import Agency
from egov.core.errors import DomainError, ScopeDenied
from egov.dossiers import selectors
from egov.dossiers.models import Dossier, DossierStep
from egov.dossiers.statuses import DossierStatus
from egov.onestop import processing, receiving
from egov.onestop import selectors as onestop_selectors
from egov.onestop.processes import load_processes
from egov.submission import services as submission_services

VN = ZoneInfo("Asia/Ho_Chi_Minh")
LOC_TAN = "000.22.44.H10"

JOINT_PROCESS = {
    "processes": [
        {
            "code": "thu-lien-thong-ba-cap",
            "name": "Thử liên thông xã → huyện → tỉnh",
            "procedure": "9.000002",
            "steps": [
                {"kind": "appraise", "role": "specialist", "agency": "desk", "duration": 10},
                {"kind": "approve", "role": "leader", "agency": "desk", "duration": 5},
                {
                    "kind": "appraise",
                    "role": "specialist",
                    "agency": "ubnd:district/Phòng Tư pháp",
                    "duration": 20,
                },
                {"kind": "approve", "role": "leader", "agency": "ubnd:district", "duration": 10},
                {"kind": "appraise", "role": "specialist", "agency": "code:000.00.02.H10", "duration": 20},
                {"kind": "review", "role": "department_head", "agency": "code:000.00.02.H10", "duration": 10},
                {"kind": "approve", "role": "leader", "agency": "code:000.00.02.H10", "duration": 10},
                {"kind": "issue", "role": "clerk", "agency": "code:000.00.02.H10", "duration": 5},
                {"kind": "return", "role": "receiving_officer", "agency": "desk", "duration": 10},
            ],
        }
    ]
}


def at(day: str, time: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=VN)


def person(email: str) -> User:
    user = User.objects.get(email=email)
    return user


@pytest.fixture
def joint(marriage: Any, tmp_path: Path) -> Any:
    from egov.catalog.services import ensure_sectors, upsert_procedure
    from egov.catalog.tests.factories import SECTOR, marriage_spec

    sectors = ensure_sectors(actor=None, sectors=[SECTOR])
    version, _ = upsert_procedure(
        actor=None,
        spec=marriage_spec(
            national_code="9.000002",
            name="Thủ tục thử liên thông ba cấp",
            processing_time=10,
            deciding_agency="Sở Tư pháp",
            deciding_level="province",
            deciding_organ="000.00.02.H10",
        ),
        sectors=sectors,
    )
    spec = tmp_path / "process.json"
    spec.write_text(json.dumps(JOINT_PROCESS, ensure_ascii=False), encoding="utf-8")
    assert load_processes(spec) == 1
    assert load_processes(spec) == 0  # loading the same file again changes nothing
    return version


def act(moment: dt.datetime, function: Any, dossier: Dossier, **kwargs: Any) -> Any:
    with time_machine.travel(moment, tick=False):
        dossier.refresh_from_db()
        return function(dossier=dossier, expected_version=dossier.version, **kwargs)


def current(dossier: Dossier) -> DossierStep:
    dossier.refresh_from_db()
    assert dossier.current_step is not None
    return dossier.current_step


ARTIFACTS = Path(__file__).resolve().parents[4] / "artifacts" / "forms"


def pdf_text(content: bytes, tmp_path: Path, name: str) -> str:
    """The text of a PDF as poppler reads it; the file is kept in artifacts/forms for people to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"lien-thong-mau-{name}.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())  # lines wrap where the page is narrow


def test_commune_district_province_and_back_across_tet(
    joint: Any, django_capture_on_commit_callbacks: Any, tmp_path: Path
) -> None:
    from egov.onestop.forms import pdf
    from egov.submission.tests.test_submission import submit

    desk = person("motcua.loctan@binhphuoc.demo")
    commune_specialist = person("congchuc.loctan@binhphuoc.demo")
    commune_leader = person("chutich.loctan@binhphuoc.demo")
    district_specialist = person("chuyenvien.locninh@binhphuoc.demo")
    district_leader = person("lanhdao.locninh@binhphuoc.demo")
    labour_office = person("chuyenvien.ldtbxh.locninh@binhphuoc.demo")
    province_specialist = person("chuyenvien.tuphap@binhphuoc.demo")
    province_head = person("truongphong.tuphap@binhphuoc.demo")
    director = person("giamdoc.tuphap@binhphuoc.demo")
    clerk = person("vanthu.tuphap@binhphuoc.demo")
    citizen = person("nguyenvanan@binhphuoc.demo")

    with django_capture_on_commit_callbacks(execute=True):
        with time_machine.travel(at("2019-01-28", "09:00"), tick=False):
            dossier, _ = submit(joint, applicant=citizen)
        # Monday 28 January 09:30: received; 10 working days = 80 working hours, across Tết →
        # 6 h on the 28th, 32 h to Friday 1 February, 40 h 11–15 February, then 2 h: Monday 18, 09:30.
        dossier = act(at("2019-01-28", "09:30"), receiving.receive, dossier, officer=desk)
        assert dossier.due_at == at("2019-02-18", "09:30")
        step = current(dossier)
        assert (step.agency.code, step.role, step.due_at) == (
            LOC_TAN,
            "specialist",
            at("2019-01-29", "09:30"),
        )

        # Tuesday 29, 10:00 — within 3 working days of receipt: ask for a missing paper (form 02).
        with pytest.raises(ScopeDenied):
            act(at("2019-01-29", "10:00"), processing.forward, dossier, officer=district_specialist)
        request = act(
            at("2019-01-29", "10:00"),
            processing.request_supplement_in_processing,
            dossier,
            officer=commune_specialist,
            items=[{"name": "Bản sao giấy khai sinh", "reason": "Bản nộp bị mờ, không đọc được"}],
        )
        dossier.refresh_from_db()
        assert dossier.status == DossierStatus.SUPPLEMENT_REQUESTED and dossier.due_at is None
        form02 = pdf_text(pdf.supplement_pdf(request, lookup_url="http://x/"), tmp_path, "02")
        assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in form02 and "Bản sao giấy khai sinh" in form02

        # Wednesday 30, 08:00 the citizen adds the paper online; 08:30 the desk receives it again: the time
        # limit restarts from zero — 7 h on the 30th, 16 h to 1 Feb, 40 h 11–15 Feb, 16 h 18–19 Feb, 1 h →
        # Wednesday 20 February 08:30.
        from conftest import pdf_upload

        act(
            at("2019-01-30", "08:00"),
            submission_services.supplement_online,
            dossier,
            applicant=citizen,
            uploads={"to-khai": [pdf_upload("giay-khai-sinh.pdf")]},
        )
        dossier.refresh_from_db()
        assert dossier.status == DossierStatus.NEW
        assert dossier in onestop_selectors.officer_worklist(desk, tab="moi")
        dossier = act(at("2019-01-30", "08:30"), receiving.receive, dossier, officer=desk)
        assert dossier.status == DossierStatus.PROCESSING
        assert dossier.due_at == at("2019-02-20", "08:30")
        step = current(dossier)
        assert (step.position, step.round, step.assignee) == (1, 2, commune_specialist)
        assert step.due_at == at("2019-01-31", "08:30")

        # Commune: specialist → chairman (4 h) → district Phòng Tư pháp (16 h, across Tết).
        act(at("2019-01-30", "14:00"), processing.forward, dossier, officer=commune_specialist)
        assert current(dossier).due_at == at("2019-01-31", "08:30")  # 3 h on the 30th, 1 h on the 31st
        act(at("2019-01-31", "09:00"), processing.forward, dossier, officer=commune_leader)
        step = current(dossier)
        assert step.agency.code == "000.02.44.H10" and step.due_at == at("2019-02-11", "09:00")
        assert dossier in onestop_selectors.officer_worklist(district_specialist, tab="cho-toi")

        # The district office consults the labour office (one working day, across Tết), which answers.
        with pytest.raises(DomainError, match="ít nhất một cơ quan"):
            act(at("2019-02-01", "16:00"), processing.request_consultation, dossier, officer=district_specialist,
                agencies=[], question="?", days=1)  # fmt: skip
        labour = Agency.objects.get(code="000.05.44.H10")
        (consultation,) = act(
            at("2019-02-01", "16:00"),
            processing.request_consultation,
            dossier,
            officer=district_specialist,
            agencies=[labour],
            question="Đương sự có thuộc diện bảo trợ xã hội không?",
            days=1,
        )
        assert consultation.due_at == at("2019-02-11", "16:00")
        with pytest.raises(DomainError, match="Còn chờ ý kiến"):
            act(at("2019-02-11", "08:00"), processing.forward, dossier, officer=district_specialist)
        with time_machine.travel(at("2019-02-11", "10:00"), tick=False):
            consultation = processing.answer_consultation(
                consultation=consultation,
                officer=labour_office,
                answer="Không thuộc diện bảo trợ.",
                agrees=True,
            )
        assert consultation.verdict == "on_time"
        # 10:30, late for the step (due 09:00): the district leader gets it for one working day.
        act(at("2019-02-11", "10:30"), processing.forward, dossier, officer=district_specialist)
        assert DossierStep.objects.get(dossier=dossier, position=3).verdict == "late"
        assert current(dossier).due_at == at("2019-02-12", "10:30")
        act(
            at("2019-02-12", "09:00"),
            processing.forward,
            dossier,
            officer=district_leader,
            assignee=province_specialist,
        )
        step = current(dossier)
        assert (step.agency.code, step.assignee, step.due_at) == (
            "000.00.02.H10",
            province_specialist,
            at("2019-02-14", "09:00"),
        )

        # Thursday 14, 08:00: the province will be late; its director apologises once, new date 22 Feb 17:00.
        apology = act(
            at("2019-02-14", "08:00"),
            processing.apologise,
            dossier,
            officer=director,
            reason="Cần xác minh thêm thông tin tại cơ quan công an.",
            new_due_at=at("2019-02-22", "17:00"),
        )
        with pytest.raises(DomainError, match="một lần"):
            act(at("2019-02-14", "08:05"), processing.apologise, dossier, officer=director,
                reason="Lần thứ hai xin lỗi nữa.", new_due_at=at("2019-02-25", "17:00"))  # fmt: skip
        dossier.refresh_from_db()
        assert dossier.due_at == at("2019-02-22", "17:00")
        form04 = pdf_text(pdf.apology_pdf(apology, lookup_url="http://x/"), tmp_path, "04")
        assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in form04 and "17:00 ngày 22/02/2019" in form04
        assert form04.startswith("SỞ TƯ PHÁP TỈNH BÌNH PHƯỚC")  # issued by the agency causing the delay

        # Province: specialist → head of department, who sends it back once, then leader → clerk.
        act(at("2019-02-14", "10:00"), processing.forward, dossier, officer=province_specialist)
        act(at("2019-02-15", "09:00"), processing.send_back, dossier, officer=province_head,
            reason="Bổ sung kết quả xác minh vào dự thảo.")  # fmt: skip
        step = current(dossier)
        assert (step.position, step.round, step.assignee) == (5, 2, province_specialist)
        assert step.due_at == at("2019-02-19", "09:00")
        act(at("2019-02-18", "10:00"), processing.forward, dossier, officer=province_specialist)
        act(at("2019-02-18", "15:00"), processing.forward, dossier, officer=province_head)
        act(at("2019-02-19", "08:00"), processing.forward, dossier, officer=director)
        assert current(dossier).due_at == at("2019-02-19", "13:30")
        # The clerk enters the result in the register; the director signs it (own certificate and PIN), the
        # clerk applies the department's signature, which releases it.
        assert act(at("2019-02-19", "09:00"), processing.issue_result, dossier, officer=clerk,
                   document_number="15/QĐ-STP") is None  # fmt: skip
        assert act(at("2019-02-19", "09:20"), processing.sign_result, dossier, officer=director,
                   pin="123456") == "awaiting_seal"  # fmt: skip
        assert act(at("2019-02-19", "09:30"), processing.sign_result, dossier, officer=clerk) == "released"
        dossier.refresh_from_db()
        assert dossier.status == DossierStatus.DONE and dossier.national_status == 9
        assert dossier.verdict == "early"  # 19 Feb, before the day of the new date (22 Feb)
        step = current(dossier)
        assert (step.agency.code, step.role) == (LOC_TAN, "receiving_officer")
        result = dossier.result
        signed = result.file.read()
        result_text = pdf_text(signed, tmp_path, "result")
        from egov.signing.services import verify_pdf

        assert verify_pdf(signed).valid and len(verify_pdf(signed).signatures) == 2
        assert "15/QĐ-STP" in result_text and "Sở Tư pháp tỉnh Bình Phước" in result_text

        # Back at the commune desk where it was filed: returned online.
        act(at("2019-02-19", "14:00"), processing.return_result, dossier, officer=desk, method="online")
        dossier.refresh_from_db()
        assert dossier.status == DossierStatus.RETURNED and dossier.national_status == 10

    # The control sheet (form 05): every hand-over, with its verdict; the consultation is a row of its own.
    rows = pdf.control_rows(dossier)
    agencies = [r["agency"] for r in rows]
    assert agencies[0] == "Ủy ban nhân dân xã Lộc Tấn" and agencies[-1] == "Ủy ban nhân dân xã Lộc Tấn"
    assert "Phòng Tư pháp huyện Lộc Ninh" in agencies and "Ủy ban nhân dân huyện Lộc Ninh" in agencies
    assert "Sở Tư pháp tỉnh Bình Phước" in agencies
    assert "Phòng Lao động - Thương binh và Xã hội huyện Lộc Ninh" in agencies
    assert len(rows) == 13  # 2 rounds of step 1, 1 each of 2–4, 2 rounds of 5 and 6, 7, 8, 9, consultation
    assert all(r["verdict"] for r in rows)
    form05 = pdf_text(pdf.control_sheet_pdf(dossier, lookup_url="http://x/"), tmp_path, "05")
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in form05 and "Quá hạn" in form05
    assert "Trước hạn" in form05 or "Đúng hạn" in form05
    form01 = pdf_text(pdf.receipt_pdf(dossier, lookup_url="http://x/"), tmp_path, "01")
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in form01 and dossier.code in form01

    # The register (form 06) of the commune desk for 2019, as PDF and Excel.
    from egov.onestop.forms.registers import register_workbook

    desk_agency = Agency.objects.get(code=LOC_TAN)
    rows06 = onestop_selectors.register_rows(agency=desk_agency, year=2019)
    assert [r[1] for r in rows06] == [dossier.code] and rows06[0][0] == "01"
    assert rows06[0][6] == "Sở Tư pháp tỉnh Bình Phước"
    form06 = pdf_text(pdf.register_pdf(agency=desk_agency, year=2019, rows=rows06), tmp_path, "06")
    assert "SỔ THEO DÕI HỒ SƠ NĂM 2019" in form06 and dossier.code in form06
    book = openpyxl.load_workbook(register_workbook(agency=desk_agency, year=2019))
    sheet = book.active
    assert sheet is not None
    assert any(cell.value == dossier.code for row in sheet.iter_rows() for cell in row)

    # The applicant was told at each turn, by e-mail.
    subjects = [m.subject for m in mail.outbox if m.to == [citizen.email]]
    for words in ("đã được tiếp nhận", "bổ sung", "xin lỗi", "đã có kết quả", "đã trả kết quả"):
        assert any(words in s for s in subjects), (words, subjects)
    # Every change is in the timeline, in order, with who did it.
    events = selectors.timeline(dossier.pk)
    assert events[0].action == "submitted" and events[-1].action == "returned"
    assert all(e.actor_id for e in events)
