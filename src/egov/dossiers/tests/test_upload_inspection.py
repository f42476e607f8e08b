"""Whole-file inspection of uploads: hostile files made here (zip bombs, macros, zip slip, PDFs that run
JavaScript, truncated images, polyglots) are refused with a Vietnamese message naming the file, through the
citizen's upload step, the API and the clerk's result upload, and nothing of them is stored; ordinary files
from WeasyPrint, pyHanko, zipfile, openpyxl and Pillow still pass. Long Vietnamese file names are stored."""

from __future__ import annotations

import io
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from egov.accounts.models import StaffAssignment, User
from egov.accounts.tokens import issue_token
from egov.catalog.tests.factories import valid_answers
from egov.core.errors import DomainError
from egov.dossiers.models import Dossier, Draft, StoredFile
from egov.dossiers.tests import hostile_files as h
from egov.dossiers.uploads import check_upload
from egov.onestop import processing, receiving
from egov.submission import services as submission_services
from egov.submission.tests.test_submission import citizen, signed_in, submit

ALL_KINDS = ["pdf", "jpeg", "png", "docx", "xlsx", "odt", "ods"]
FIELD = (
    '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> DD</w:instrText></w:r>'
    '<w:r><w:instrText>EAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc"</w:instrText></w:r>'
    '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
)
TEMPLATE = h.relationships(
    f'<Relationship Id="rId1" Type="{h.DOC_REL}/relationships/attachedTemplate" '
    'Target="http://ke-gian.example/mau.dotm" TargetMode="External"/>'
)
EVENT = (
    '<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0" xmlns:xlink="http://www.w3.org/1999/xlink">'
    '<office:scripts><office:event-listeners><script:event-listener script:event-name="dom:load" '
    'xlink:href="vnd.sun.star.script:Standard.Module1.Main?language=Basic&amp;location=document"/>'
    "</office:event-listeners></office:scripts></office:document-content>"
)
BOMB = "bom nén"
BROKEN = "bị hỏng hoặc không đầy đủ"
UNSAFE_PATH = "đường dẫn không an toàn"
MACRO = "chứa macro"
OBJECT = "đối tượng nhúng hoặc điều khiển ActiveX/OLE"
ACTIVE = "chứa nội dung tự chạy"
CARRIES = "còn mang theo dữ liệu khác"


def corrupted(content: bytes, marker: bytes) -> bytes:
    data = bytearray(content)
    data[data.index(marker) + len(marker) + 40] ^= 0xFF
    return bytes(data)


HOSTILE: list[tuple[str, Callable[[], bytes], str]] = [
    # ZIP-based documents
    ("bom-nen.docx", lambda: h.docx(parts={"word/media/anh.bin": h.zeros(120)}), BOMB),
    ("nen-qua-muc.docx", lambda: h.docx(parts={"word/media/anh.bin": h.zeros(8)}), BOMB),
    (
        "thoat-thu-muc.docx",
        lambda: h.docx(parts={"../../../etc/cron.d/chay": "* * * * * root sh"}),
        UNSAFE_PATH,
    ),
    ("duong-dan-goc.docx", lambda: h.docx(parts={"/tmp/ghi-de.sh": "x"}), UNSAFE_PATH),
    ("gach-nguoc.docx", lambda: h.docx(parts={"word\\..\\..\\startup.bat": "x"}), UNSAFE_PATH),
    ("macro.docx", lambda: h.docx(parts={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"}), MACRO),
    ("bat-macro.docx", lambda: h.docx(parts={"[Content_Types].xml": h.content_types(h.MAIN_DOCM)}), MACRO),
    ("activex.docx", lambda: h.docx(parts={"word/activeX/activeX1.xml": "<ax/>"}), OBJECT),
    ("ole.docx", lambda: h.docx(parts={"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0"}), OBJECT),
    (
        "mau-tu-xa.docx",
        lambda: h.docx(parts={"word/_rels/settings.xml.rels": TEMPLATE}),
        "tự tải nội dung từ nơi khác",
    ),
    ("dde.docx", lambda: h.docx(parts={"word/document.xml": h.document(FIELD)}), "trường DDE"),
    (
        "xxe.docx",
        lambda: h.docx(
            parts={
                "word/document.xml": h.document(head='<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>')
            }
        ),
        "khai báo DTD",
    ),
    ("cut-ngang.docx", lambda: h.cut(h.docx(), 0.7), BROKEN),
    ("sai-crc.docx", lambda: corrupted(h.docx(), b"word/document.xml"), BROKEN),
    ("gan-them.docx", lambda: h.docx() + b"<html><script>alert(1)</script></html>", CARRIES),
    ("macro-basic.odt", lambda: h.odt(parts={"Basic/Standard/Module1.xml": "<m/>"}), MACRO),
    ("su-kien.odt", lambda: h.odt(parts={"content.xml": EVENT}), MACRO),
    # PDF
    (
        "mo-la-chay.pdf",
        lambda: h.changed_pdf(h.open_action("JavaScript", JS="app.alert('Xin chào')")),
        "mã JavaScript",
    ),
    (
        "giau-trong-luong.pdf",
        lambda: h.changed_pdf(h.open_action("JavaScript", JS="app.alert(1)"), hidden=True),
        "mã JavaScript",
    ),
    (
        "mo-chuong-trinh.pdf",
        lambda: h.changed_pdf(h.open_action("Launch", F="cmd.exe"), hidden=True),
        "mở chương trình",
    ),
    (
        "goi-ve.pdf",
        lambda: h.changed_pdf(h.open_action("URI", URI="http://ke-gian.example/")),
        "tự chạy khi mở tệp",
    ),
    ("mo-trang.pdf", lambda: h.changed_pdf(h.page_opening_action), "tự chạy khi mở trang"),
    ("xfa.pdf", lambda: h.changed_pdf(h.xfa_form), "XFA"),
    ("dinh-kem.pdf", lambda: h.changed_pdf(h.embedded_file, hidden=True), "tệp đính kèm bên trong"),
    ("mat-khau.pdf", h.encrypted_pdf, "mật khẩu"),
    (
        "khong-doc-duoc.pdf",
        lambda: b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
        "không đọc được như một tệp PDF",
    ),
    ("cut-ngang.pdf", lambda: h.cut(h.weasyprint_pdf()), BROKEN),
    ("kem-zip.pdf", lambda: h.weasyprint_pdf() + h.zip_archive(), "tệp nén ZIP"),
    ("kem-html.pdf", lambda: h.weasyprint_pdf() + b"\n<html><script>alert(1)</script></html>\n", CARRIES),
    (
        "html-truoc.pdf",
        lambda: b"<html><script>alert(1)</script>\n" + h.weasyprint_pdf(),
        "không phải loại được nhận",
    ),
    # Images
    ("cut-ngang.png", lambda: h.cut(h.image("png")), BROKEN),
    ("cut-ngang.jpg", lambda: h.cut(h.image("jpeg")), BROKEN),
    ("sai-crc.png", lambda: corrupted(h.image("png"), b"IDAT"), BROKEN),
    ("qua-lon.png", lambda: h.image("png", (10_000, 10_000), "1"), "ảnh quá lớn"),
    ("kem-zip.jpg", lambda: h.image("jpeg") + h.zip_archive(), "tệp nén ZIP"),
    ("kem-script.png", lambda: h.image("png") + b"<script>alert(1)</script>", CARRIES),
    ("kem-html.jpg", lambda: h.image("jpeg") + b"<html><body onload=alert(1)></body></html>", CARRIES),
]


def big_jpeg() -> bytes:
    """Over Django's in-memory limit (2.5 MB), so it arrives as a file on disk."""
    noise = Image.frombytes("RGB", (1700, 1700), os.urandom(1700 * 1700 * 3))
    out = io.BytesIO()
    noise.save(out, format="JPEG", quality=95)
    assert len(out.getvalue()) > 2.5 * 1024 * 1024
    return out.getvalue()


GOOD: list[tuple[str, Callable[[], bytes], str]] = [
    ("weasyprint.pdf", h.weasyprint_pdf, "application/pdf"),
    ("pyhanko.pdf", h.pyhanko_pdf, "application/pdf"),
    ("mo-trang-dau.pdf", lambda: h.changed_pdf(h.go_to_first_page), "application/pdf"),
    ("don.docx", h.docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("bang-ke.xlsx", h.xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("don.odt", h.odt, "application/vnd.oasis.opendocument.text"),
    ("anh.jpg", lambda: h.image("jpeg"), "image/jpeg"),
    ("anh.png", lambda: h.image("png"), "image/png"),
    ("anh-lon.jpg", big_jpeg, "image/jpeg"),
]


@pytest.fixture(autouse=True)
def every_kind(settings: Any) -> None:
    settings.EGOV_UPLOAD_TYPES = ALL_KINDS


def media_files() -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


@pytest.mark.parametrize(("name", "build", "fragment"), HOSTILE, ids=[case[0] for case in HOSTILE])
def test_hostile_files_are_refused_by_name_with_the_reason(
    name: str, build: Callable[[], bytes], fragment: str
) -> None:
    with pytest.raises(DomainError) as refused:
        check_upload(SimpleUploadedFile(name, build()))
    [message] = refused.value.messages
    assert fragment in message and f"Tệp “{name}”" in message, message


@pytest.mark.parametrize(("name", "build", "content_type"), GOOD, ids=[case[0] for case in GOOD])
def test_ordinary_files_pass(name: str, build: Callable[[], bytes], content_type: str) -> None:
    checked = check_upload(SimpleUploadedFile(name, build()))
    assert (checked.name, checked.content_type) == (name, content_type)


def test_the_zip_total_is_limited_even_when_each_part_compresses_little(monkeypatch: Any) -> None:
    from egov.core import inspection

    monkeypatch.setattr(inspection, "MAX_UNPACKED_MB", 2)
    parts = {f"word/media/{n}.txt": h.random_text(1) for n in "abc"}
    with pytest.raises(DomainError, match="quá 2 MB"):
        check_upload(SimpleUploadedFile("ba-phan.docx", h.docx(parts=parts)))


def test_a_file_too_slow_to_inspect_is_refused_in_bounded_time(monkeypatch: Any) -> None:
    """pyHanko needs many seconds for one array of a million numbers; the child process is stopped at its limit."""
    from egov.core import inspection

    def long_array(writer: Any, generic: Any, add: Any) -> None:
        writer.root[generic.NameObject("/Rac")] = generic.ArrayObject([generic.NumberObject(0)] * 1_000_000)

    content = h.changed_pdf(long_array)
    monkeypatch.setattr(inspection, "SECONDS", 1)
    started = time.monotonic()
    with pytest.raises(DomainError, match="quá phức tạp để kiểm tra"):
        check_upload(SimpleUploadedFile("cham.pdf", content))
    assert time.monotonic() - started < 10


@pytest.fixture
def api(marriage: Any) -> Client:
    token = issue_token(user=User.objects.get(email="nguyenvanan@binhphuoc.demo"), name="Ứng dụng thử")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def api_submit(api: Client, name: str, content: bytes) -> Any:
    return api.post(
        "/api/v1/dossiers",
        {
            "procedure": "9.000001",
            "agency": "000.22.44.h10",
            "data": json.dumps(valid_answers()),
            "to-khai": SimpleUploadedFile(name, content),
        },
    )


def test_the_api_refuses_each_hostile_file_and_keeps_nothing(api: Client) -> None:
    for name, build, fragment in HOSTILE:
        response = api_submit(api, name, build())
        assert response.status_code == 400, (name, response.content)
        text = json.dumps(response.json(), ensure_ascii=False)
        assert fragment in text and f"Tệp “{name}”" in text, (name, text)
        assert not Dossier.objects.exists() and not StoredFile.objects.exists(), name
        assert media_files() == [], name
    for name, build, content_type in GOOD:
        created = api_submit(api, name, build())
        assert created.status_code == 201, (name, created.content)
        assert created.json()["files"][0]["content_type"] == content_type


def test_the_upload_step_refuses_each_hostile_file_and_keeps_nothing(marriage: Any) -> None:
    client = signed_in()
    draft = submission_services.start_draft(user=citizen(), version=marriage)
    Draft.objects.filter(pk=draft.pk).update(step=4)
    step = f"/ho-so-nhap/{draft.pk}/buoc-3/"
    for name, build, fragment in HOSTILE:
        page = client.post(step, {"file-to-khai": SimpleUploadedFile(name, build()), "action": "upload"})
        text = page.content.decode()
        assert page.status_code == 400 and fragment in text and f"Tệp “{name}”" in text, name
        assert not StoredFile.objects.exists() and media_files() == [], name
    for name, build, _type in GOOD:
        assert (
            client.post(
                step, {"file-to-khai": SimpleUploadedFile(name, build()), "action": "upload"}
            ).status_code
            == 302
        )
    assert sorted(StoredFile.objects.filter(draft=draft).values_list("original_name", flat=True)) == sorted(
        name for name, _build, _type in GOOD
    )


def test_a_long_vietnamese_name_is_stored_short_and_shown_in_full(api: Client, marriage: Any) -> None:
    long_name = "Giấy" + "ệ" * 300 + ".pdf"  # 300 Vietnamese letters: over 900 bytes of UTF-8
    created = api_submit(api, long_name, h.weasyprint_pdf())
    assert created.status_code == 201, created.content
    stored = StoredFile.objects.get()
    assert stored.original_name == long_name[:100] + ".pdf" and len(stored.original_name) <= 200
    on_disk = Path(stored.file.path).name
    assert on_disk.endswith(".pdf") and len(on_disk.encode()) <= 255
    assert on_disk.startswith("Giấyệệệ")
    # The same name through the citizen's upload step.
    Dossier.objects.all().delete()
    draft = submission_services.start_draft(user=citizen(), version=marriage)
    Draft.objects.filter(pk=draft.pk).update(step=4)
    page = signed_in().post(
        f"/ho-so-nhap/{draft.pk}/buoc-3/",
        {"file-to-khai": SimpleUploadedFile(long_name, h.image("jpeg")), "action": "upload"},
    )
    assert page.status_code == 302
    assert StoredFile.objects.get(draft=draft).original_name == long_name[:100] + ".jpg"


def person(email: str) -> User:
    return User.objects.get(email=email)


def at_issue_step(marriage: Any) -> Dossier:
    dossier, _ = submit(marriage)
    receiving.receive(dossier=dossier, officer=person("motcua.loctan@binhphuoc.demo"), expected_version=1)
    for email in ("congchuc.loctan@binhphuoc.demo", "chutich.loctan@binhphuoc.demo"):
        dossier.refresh_from_db()
        processing.forward(dossier=dossier, officer=person(email), expected_version=dossier.version)
    dossier.refresh_from_db()
    return dossier


def test_a_result_pdf_that_runs_javascript_is_refused(marriage: Any, officer_client: Any) -> None:
    dossier = at_issue_step(marriage)
    clerk = person("vanthu.loctan@binhphuoc.demo")
    assert StaffAssignment.objects.filter(user=clerk, role="clerk").exists()
    page = officer_client(clerk.email).post(
        f"/can-bo/ho-so/{dossier.code}/quyet-dinh/",
        {
            "decision": "issue",
            "version": dossier.version,
            "document_number": "12/QĐ-UBND",
            "result": SimpleUploadedFile(
                "ket-qua.pdf", h.changed_pdf(h.open_action("JavaScript", JS="app.alert(1)"))
            ),
        },
        follow=True,
    )
    assert "Tệp “ket-qua.pdf” chứa nội dung tự chạy (mã JavaScript)" in page.content.decode()
    dossier.refresh_from_db()
    assert not hasattr(dossier, "result") and not list(Path(settings.MEDIA_ROOT).glob("results/**/*.pdf"))


def test_a_pdf_signed_and_sealed_on_the_platform_passes(demo: None, settings: Any) -> None:
    """Citizens hand in results signed by other agencies: signature fields, the agency's seal and its
    time-stamp are not active content."""
    from egov.agencies.models import Agency
    from egov.signing import services as signing
    from egov.signing.demo import DEMO_PIN
    from egov.signing.tests.conftest import AGENCY, CLERK, LEADER, make_pdf

    settings.EGOV_SIGNING_TSA_URL = "internal"
    personal = signing.sign_pdf(
        pdf=make_pdf(), purpose="personal", signer=person(LEADER), pin=DEMO_PIN, level="B-B"
    )
    sealed = signing.sign_pdf(
        pdf=personal.content,
        purpose="agency",
        signer=Agency.objects.get(code=AGENCY),
        actor=person(CLERK),
        level="B-T",
    )
    checked = check_upload(SimpleUploadedFile("ket-qua-da-ky.pdf", sealed.content))
    assert checked.content_type == "application/pdf"
