"""Results that are official forms: each form's every field, filled from the online form and the issuing,
reads in the PDF with its diacritics (pdftotext), on one A4 page; the form's sources are all collected by the
procedure's online form."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from egov.accounts.models import User
from egov.agencies.models import Agency
from egov.catalog import formdef
from egov.catalog.models import ProcedureVersion
from egov.core.pdf import VIETNAM
from egov.dossiers.models import Dossier
from egov.onestop import result_forms
from egov.onestop.forms.pdf import result_pdf
from egov.signing.models import SignatureRequest
from egov.units.selectors import resolve_commune

if shutil.which("pdftotext") is None and not os.environ.get("EGOV_REQUIRE_BROWSER"):
    pytest.skip("poppler-utils (pdftotext) is not installed", allow_module_level=True)

DESK = "000.22.44.H10"
ISSUED = dt.datetime(2018, 12, 3, 3, 0, tzinfo=dt.UTC)


def keep(content: bytes, name: str) -> None:
    """With EGOV_KEEP_PDFS=folder, the rendered PDFs are kept there to be looked at (pdftoppm)."""
    folder = os.environ.get("EGOV_KEEP_PDFS")
    if folder:
        (Path(folder) / f"{name}.pdf").write_bytes(content)


def pdf_text(content: bytes, tmp_path: Path, name: str = "ket-qua") -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    )
    return text.stdout


def pages(content: bytes, tmp_path: Path) -> int:
    path = tmp_path / "pages.pdf"
    path.write_bytes(content)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def flat(text: str) -> str:
    return " ".join(text.split())


def commune() -> str:
    return Agency.objects.current().get(code=DESK).unit.code


def file_dossier(
    national_code: str, raw: dict[str, Any], *, code: str = "000.22.44.H10-181203-0007"
) -> Dossier:
    version = ProcedureVersion.objects.get(procedure__national_code=national_code, status="published")
    cleaned = formdef.clean_values(version.form_definition, raw, resolve_unit=resolve_commune)
    assert cleaned.ok, cleaned.errors
    applicant = User.objects.get(email="nguyenvanan@binhphuoc.demo")
    return Dossier.objects.create(
        code=code,
        procedure_version=version,
        receiving_agency=Agency.objects.current().get(code=DESK),
        applicant=applicant,
        applicant_name="Nguyễn Văn An",
        applicant_id_number="070090001234",
        applicant_phone="0912345678",
        applicant_address="Ấp 3, xã Lộc Tấn, huyện Lộc Ninh, tỉnh Bình Phước",
        form_data=cleaned.values,
        submitted_at=ISSUED - dt.timedelta(hours=2),
    )


def birth_raw() -> dict[str, Any]:
    unit = commune()
    return {
        "nyc_ho_ten": "Nguyễn Văn An", "nyc_so_dinh_danh": "070090001234",
        "nyc_noi_cu_tru": {"unit": unit, "line": "Ấp 3"}, "nyc_dien_thoai": "0912345678", "nyc_quan_he": "cha",
        "tre_ho_ten": "Nguyễn Ngọc Diệp", "tre_ngay_sinh": "12/11/2018", "tre_gioi_tinh": "nu",
        "tre_dan_toc": "Kinh", "tre_quoc_tich": "Việt Nam", "tre_noi_sinh_loai": "co_so_y_te",
        "tre_noi_sinh": "Bệnh viện đa khoa huyện Lộc Ninh, tỉnh Bình Phước",
        "tre_que_quan": "xã Lộc Thiện, huyện Lộc Ninh, tỉnh Bình Phước",
        "me_ho_ten": "Điểu Thị Hường", "me_ngay_sinh": "05/04/1992", "me_dan_toc": "Xtiêng",
        "me_quoc_tich": "Việt Nam", "me_noi_cu_tru": {"unit": unit, "line": "Ấp 3"},
        "co_thong_tin_cha": "yes", "cha_ho_ten": "Nguyễn Văn An", "cha_ngay_sinh": "20/01/1990",
        "cha_dan_toc": "Kinh", "cha_quoc_tich": "Việt Nam", "cha_noi_cu_tru": {"unit": unit, "line": "Ấp 3"},
        "cha_me_da_ket_hon": "yes",
    }  # fmt: skip


@pytest.mark.django_db
def test_the_birth_certificate_carries_every_field_of_the_official_form(demo: None, tmp_path: Path) -> None:
    dossier = file_dossier("1.001193", birth_raw())
    content = result_pdf(dossier, document_number="125", title="Giấy khai sinh", issued_at=ISSUED)
    keep(content, "giay-khai-sinh")
    text = flat(pdf_text(content, tmp_path))
    place = dossier.form_data["me_noi_cu_tru"]["full"]
    for expected in (
        "GIẤY KHAI SINH", "Số: 125", "Quyển số: 01/2018",
        "Họ, chữ đệm, tên: NGUYỄN NGỌC DIỆP", "Ngày, tháng, năm sinh: 12/11/2018",
        "ghi bằng chữ: Ngày mười hai tháng mười một năm hai nghìn không trăm mười tám",
        "Giới tính: Nữ", "Dân tộc: Kinh", "Quốc tịch: Việt Nam",
        "Nơi sinh: Bệnh viện đa khoa huyện Lộc Ninh, tỉnh Bình Phước",
        "Quê quán: xã Lộc Thiện, huyện Lộc Ninh, tỉnh Bình Phước", "Số định danh cá nhân:",
        "Họ, chữ đệm, tên người mẹ: ĐIỂU THỊ HƯỜNG", "Năm sinh: 1992", "Dân tộc: Xtiêng",
        f"Nơi cư trú: {place}", "Họ, chữ đệm, tên người cha: NGUYỄN VĂN AN", "Năm sinh: 1990",
        "Họ, chữ đệm, tên người đi khai sinh: Nguyễn Văn An", "Giấy tờ tùy thân: 070090001234",
        f"Nơi đăng ký khai sinh: {dossier.receiving_agency.name}", "Ngày, tháng, năm đăng ký: 03/12/2018",
        "NGƯỜI KÝ GIẤY KHAI SINH",
    ):  # fmt: skip
        assert expected in text, expected
    assert pages(content, tmp_path) == 1


def sample_value(spec: dict[str, Any], number: int, unit: str) -> Any:
    """A valid answer with diacritics, different for every field, for a form's generic check."""
    kind = spec["type"]
    if kind in {"text", "textarea"}:
        return f"Đặng Thị Ánh Hồng {number}"
    if kind == "number":
        low, high = int(spec.get("min", 0)), int(spec.get("max", 10**6))
        return str(min(high, max(low, 1960 if low >= 1900 else 2)))
    if kind == "money":
        return "150000000"
    if kind == "date":
        return f"{(number % 27) + 1:02d}/05/1990"
    if kind == "choice":
        options = spec.get("options_from")
        if options == "ethnicities":
            return "Xtiêng"
        if options == "countries":
            return "Việt Nam"
        return spec["options"][0][0]
    if kind == "multichoice":
        return [spec["options"][0][0]]
    if kind == "yes_no":
        return "yes"
    if kind == "personal_id":
        return f"0700900{number:05d}"
    if kind == "phone":
        return "0912345678"
    if kind == "email":
        return "nguoidan@example.vn"
    if kind == "tax_code":
        return "0101243150"
    if kind == "address":
        return {"unit": unit, "line": f"Số {number}, ấp Hưng Thủy"}
    raise AssertionError(kind)


def sample_raw(definition: dict[str, Any]) -> dict[str, Any]:
    unit = commune()
    raw: dict[str, Any] = {}
    number = 0
    for spec in formdef.top_fields(definition):
        number += 1
        if spec["type"] != "group":
            raw[spec["key"]] = sample_value(spec, number, unit)
            continue
        first = spec["fields"][0]
        # A group keyed by a choice (the two sides of a marriage): one row per option.
        keys = [o[0] for o in first.get("options", [])] if first["type"] == "choice" else [None]
        rows = []
        for key in keys[: int(spec.get("max_items", 20))]:
            row = {}
            for member in spec["fields"]:
                number += 1
                row[member["key"]] = sample_value(member, number, unit)
            if key is not None:
                row[first["key"]] = key
            rows.append(row)
        raw[spec["key"]] = rows
    return raw


FORMS = sorted(result_forms.all_forms().values(), key=lambda form: form.slug)


def test_there_are_at_least_ten_official_result_forms() -> None:
    assert len(FORMS) >= 10
    assert {"giay-khai-sinh", "trich-luc-khai-tu", "giay-chung-nhan-ket-hon", "chung-thuc-ban-sao"} <= {
        form.slug for form in FORMS
    }


@pytest.mark.django_db
@pytest.mark.parametrize("form", FORMS, ids=lambda form: form.slug)
def test_the_online_form_collects_every_field_of_the_result(demo: None, form: Any) -> None:
    version = ProcedureVersion.objects.get(procedure__national_code=form.procedure, status="published")
    definition = version.form_definition
    keys = {spec["key"] for spec in formdef.top_fields(definition)}
    issued = {"@number", "@book", "@place", "@date", "@signer", "@declarant"}
    issued |= {f"@{spec['key']}" for spec in form.spec.get("issue_fields", [])}
    for source in result_forms.sources(form):
        match = result_forms.GROUP_SOURCE.match(source)
        if match:
            group = next(s for s in formdef.top_fields(definition) if s["key"] == match["group"])
            assert match["member"] in {m["key"] for m in group["fields"]}, source
        else:
            assert source in keys | issued, f"{form.slug}: {source} is not asked by the online form"


@pytest.mark.django_db
@pytest.mark.parametrize("form", FORMS, ids=lambda form: form.slug)
def test_every_result_form_prints_every_declared_value(demo: None, form: Any, tmp_path: Path) -> None:
    version = ProcedureVersion.objects.get(procedure__national_code=form.procedure, status="published")
    dossier = file_dossier(form.procedure, sample_raw(version.form_definition))
    content = result_pdf(dossier, document_number="125", title=form.spec["title"], issued_at=ISSUED)
    keep(content, form.slug)
    path = tmp_path / "ket-qua.pdf"
    path.write_bytes(content)
    text = flat(
        subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    )
    assert form.spec["title"].upper() in text
    issue = {"number": "125", "book": result_forms.book_of(form, ISSUED.date()), "place": dossier.receiving_agency.name,
             "date": ISSUED.date(), "signer": "", "declarant": dossier.applicant_name}  # fmt: skip
    lines = result_forms.resolve(
        form, definition=version.form_definition, values=dossier.form_data, issue=issue
    )
    printed = 0
    for line in lines:
        for field in line.get("fields", []):
            if field["value"]:
                printed += 1
                assert f"{field['label']}: {field['value']}" in text, (form.slug, field)
        if line.get("text"):
            printed += 1
            assert flat(line["text"]) in text, (form.slug, line["text"])
    assert printed >= 5
    assert "Số: 125" in text or "Số (mã số hộ kinh doanh): 125" in text or "Số chứng thực 125" in text
    assert pages(content, tmp_path) == 1, form.slug


@pytest.mark.django_db
def test_a_birth_registered_signed_and_sealed_returns_the_full_birth_certificate(
    demo: None, tmp_path: Path
) -> None:
    """Through the officers' flow: received, checked, approved by the chairman, entered in the register by the
    clerk; the chairman signs and the clerk seals (pyHanko). The released Giấy khai sinh carries every field."""
    import time_machine

    from egov.dossiers.services import _store, submit_dossier
    from egov.onestop import processing, receiving
    from egov.submission.tests.test_submission import pdf_upload

    version = ProcedureVersion.objects.get(procedure__national_code="1.001193", status="published")
    applicant = User.objects.get(email="nguyenvanan@binhphuoc.demo")
    files = [
        _store(owner=applicant, upload=pdf_upload(), slot=key, component=version.components.get(key=key),
               draft=None, used_bytes=0)
        for key in ("to-khai", "giay-chung-sinh", "giay-chung-nhan-ket-hon")
    ]  # fmt: skip
    moment = dt.datetime(2018, 12, 3, 8, 0, tzinfo=VIETNAM)
    with time_machine.travel(moment, tick=False):
        dossier, _ = submit_dossier(
            applicant=applicant, version=version, agency=Agency.objects.get(code=DESK), raw=birth_raw(),
            files=files, idempotency_key="",
        )  # fmt: skip

    def act(minutes: int, function: Any, email: str, **kwargs: Any) -> Any:
        with time_machine.travel(moment + dt.timedelta(minutes=minutes), tick=False):
            dossier.refresh_from_db()
            officer = User.objects.get(email=email)
            return function(dossier=dossier, officer=officer, expected_version=dossier.version, **kwargs)

    act(5, receiving.receive, "motcua.loctan@binhphuoc.demo")
    act(10, processing.forward, "congchuc.loctan@binhphuoc.demo")
    act(20, processing.forward, "chutich.loctan@binhphuoc.demo")
    # The clerk issues from the dossier page, which asks for the newborn's personal identification number.
    from django.urls import reverse

    from conftest import sign_in_officer

    clerk = sign_in_officer(Client(), "vanthu.loctan@binhphuoc.demo")
    dossier.refresh_from_db()
    page = clerk.get(reverse("onestop:desk_dossier", args=[dossier.code])).content.decode()
    assert (
        'name="ket_qua__personal_id"' in page and "Số định danh cá nhân cấp cho người được khai sinh" in page
    )
    with time_machine.travel(moment + dt.timedelta(minutes=30), tick=False):
        bad = clerk.post(
            reverse("onestop:desk_decide", args=[dossier.code]),
            {"version": dossier.version, "decision": "issue", "document_number": "125",
             "ket_qua__personal_id": "12345"},
            follow=True,
        )  # fmt: skip
        assert "phải gồm đúng 12 chữ số" in bad.content.decode()
        assert not SignatureRequest.objects.filter(source_id=str(dossier.pk)).exists()
        clerk.post(
            reverse("onestop:desk_decide", args=[dossier.code]),
            {"version": dossier.version, "decision": "issue", "document_number": "125",
             "ket_qua__personal_id": "070218001234"},
        )  # fmt: skip
    assert SignatureRequest.objects.filter(source_id=str(dossier.pk)).exists()
    act(40, processing.sign_result, "chutich.loctan@binhphuoc.demo", pin="123456")
    act(45, processing.sign_result, "vanthu.loctan@binhphuoc.demo")
    dossier.refresh_from_db()
    content = dossier.result.file.read()
    keep(content, "giay-khai-sinh-da-ky")
    text = flat(pdf_text(content, tmp_path))
    for expected in (
        "GIẤY KHAI SINH", "Số: 125", "Quyển số: 01/2018", "Họ, chữ đệm, tên: NGUYỄN NGỌC DIỆP",
        "ghi bằng chữ: Ngày mười hai tháng mười một năm hai nghìn không trăm mười tám", "Giới tính: Nữ",
        "Họ, chữ đệm, tên người mẹ: ĐIỂU THỊ HƯỜNG", "Dân tộc: Xtiêng", "Họ, chữ đệm, tên người cha: NGUYỄN VĂN AN",
        "Nơi đăng ký khai sinh: Ủy ban nhân dân xã Lộc Tấn", "Ngày, tháng, năm đăng ký: 03/12/2018",
        "NGƯỜI KÝ GIẤY KHAI SINH", "Số định danh cá nhân: 070218001234",
    ):  # fmt: skip
        assert expected in text, expected
    assert b"/ByteRange" in content and content.count(b"/Sig") >= 2  # the chairman's and the agency's
