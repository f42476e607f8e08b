"""The PDF acknowledgement of an online dossier, checked with poppler's command-line tools as a reader sees it:
the Vietnamese text extracts exactly, the fonts are embedded, the page is A5 and the QR code leads to the
lookup page."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from egov.accounts.models import User
from egov.agencies.models import Agency
from egov.catalog.models import Component, Procedure, ProcedureVersion, Sector
from egov.core.pdf import LocalOnlyFetcher, kilobytes, qr_svg_data_uri, vietnam_time
from egov.dossiers.models import Dossier, StoredFile
from egov.submission.pdf import acknowledgement_pdf

if shutil.which("pdftotext") is None and not os.environ.get("EGOV_REQUIRE_BROWSER"):
    pytest.skip("poppler-utils (pdftotext) is not installed", allow_module_level=True)

CODE = "000.22.44.H10-181203-0001"
LOOKUP_URL = f"https://dichvucong.binhphuoc.gov.vn/tra-cuu-ho-so/?ma={CODE}"


def run(*args: str | Path) -> str:
    return subprocess.run([str(a) for a in args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def dossier(demo: None) -> Dossier:
    sector = Sector.objects.create(code="T99-PDF1", name="Hộ tịch (thử)")
    procedure = Procedure.objects.create(national_code="9.999193")
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        number=1,
        status="published",
        name="Đăng ký khai sinh",
        sector=sector,
        receiving_agency="Ủy ban nhân dân cấp xã",
        deciding_agency="Ủy ban nhân dân cấp xã",
        processing_time=Decimal("1"),
        legal_basis="Luật Hộ tịch năm 2014.",
        result="Giấy khai sinh",
        online_level="full",
    )
    component = Component.objects.create(
        version=version, key="giay-chung-sinh", order=1, name="Giấy chứng sinh"
    )
    applicant = User.objects.get(email="nguyenvanan@binhphuoc.demo")
    dossier = Dossier.objects.create(
        code=CODE,
        procedure_version=version,
        receiving_agency=Agency.objects.current().get(code="000.22.44.H10"),
        applicant=applicant,
        applicant_name="Nguyễn Văn An",
        applicant_id_number="070090001234",
        applicant_phone="0912345678",
        applicant_email="nguyenvanan@binhphuoc.demo",
        applicant_address="Ấp 3, xã Lộc Tấn, huyện Lộc Ninh, tỉnh Bình Phước",
        submitted_at=dt.datetime(2018, 12, 3, 2, 5, tzinfo=dt.UTC),
    )
    content = b"%PDF-1.4\n" + b"0" * 3000
    stored = StoredFile(
        owner=applicant,
        dossier=dossier,
        component=component,
        slot="giay-chung-sinh",
        original_name="Giấy chứng sinh của bé.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256="0" * 64,
    )
    stored.file.save("giay-chung-sinh.pdf", ContentFile(content), save=False)
    stored.save()
    return dossier


@pytest.fixture
def pdf_path(dossier: Dossier, tmp_path: Path) -> Path:
    path = tmp_path / "phieu-xac-nhan.pdf"
    path.write_bytes(acknowledgement_pdf(dossier, lookup_url=LOOKUP_URL))
    return path


def test_the_acknowledgement_reads_in_vietnamese(pdf_path: Path) -> None:
    assert pdf_path.read_bytes().startswith(b"%PDF")
    text = " ".join(run("pdftotext", pdf_path, "-").split())
    for expected in [
        "ỦY BAN NHÂN DÂN XÃ LỘC TẤN",
        "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "PHIẾU XÁC NHẬN NỘP HỒ SƠ TRỰC TUYẾN",
        CODE,
        "Quét mã để tra cứu tình trạng hồ sơ",
        "Đăng ký khai sinh",
        "9.999193",
        "Nguyễn Văn An",
        "070090001234",
        "Ấp 3, xã Lộc Tấn, huyện Lộc Ninh, tỉnh Bình Phước",
        "09:05 ngày 03/12/2018",
        "Trực tuyến",
        "Mới đăng ký",
        "Giấy tờ đã nộp",
        "Giấy chứng sinh của bé.pdf (3 KB)",
        "Hồ sơ đang chờ cán bộ tiếp nhận kiểm tra. Giấy tiếp nhận hồ sơ và hẹn trả kết quả sẽ được gửi khi hồ sơ"
        " được tiếp nhận.",
    ]:
        assert expected in text, expected
    # A long address may wrap anywhere, so look for it with the line breaks taken out.
    assert f"Tracứu:{LOOKUP_URL}" in "".join(text.split())


def test_the_fonts_are_embedded_and_the_page_is_a5(pdf_path: Path) -> None:
    rows = run("pdffonts", pdf_path).splitlines()[2:]
    assert rows
    names = [row.split()[0] for row in rows]
    embedded = [row.split()[-5] for row in rows]
    assert embedded == ["yes"] * len(rows), rows
    assert any("NotoSerif" in name.replace("-", "") for name in names), names

    info = run("pdfinfo", pdf_path)
    assert re.search(r"^Pages:\s+1$", info, re.MULTILINE), info
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert size, info
    assert float(size[1]) == pytest.approx(419.53, abs=1)
    assert float(size[2]) == pytest.approx(595.28, abs=1)


def test_the_qr_code_leads_to_the_lookup_page(pdf_path: Path, tmp_path: Path) -> None:
    run("pdftoppm", "-r", "200", "-png", "-singlefile", pdf_path, tmp_path / "page")
    page = tmp_path / "page.png"
    assert page.stat().st_size > 0
    if shutil.which("zbarimg") is None:
        if os.environ.get("EGOV_REQUIRE_BROWSER"):
            pytest.fail("zbarimg is missing: CI installs zbar-tools to read the QR code back.")
        pytest.skip("zbarimg is not installed: the page rendered, the QR code was not decoded")
    decoded = run("zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", page).strip()
    assert decoded == LOOKUP_URL


def test_rendering_fetches_nothing_but_data_urls_and_the_packaged_fonts() -> None:
    fetcher = LocalOnlyFetcher()
    for url in [
        "https://example.com/logo.png",
        "http://127.0.0.1/",
        "ftp://example.com/x",
        "file:///etc/passwd",
    ]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    uri = qr_svg_data_uri(LOOKUP_URL)
    assert uri.startswith("data:image/svg+xml")
    assert b"<svg" in fetcher.fetch(uri).read()


def test_times_and_sizes_are_written_the_vietnamese_way() -> None:
    assert vietnam_time(dt.datetime(2018, 12, 31, 17, 30, tzinfo=dt.UTC)) == "00:30 ngày 01/01/2019"
    assert kilobytes(1) == "1 KB"
    assert kilobytes(3000) == "3 KB"
    assert kilobytes(5 * 1024 * 1024) == "5.120 KB"


# The six papers of the demo catalogue's longest list (a work permit), with the long names they really have.
SIX_PAPERS = [
    "Văn bản đề nghị cấp giấy phép lao động của người sử dụng lao động (Mẫu số 7 Thông tư số 40/2016/TT-BLĐTBXH)",
    "Giấy chứng nhận sức khỏe cấp ở nước ngoài hoặc ở Việt Nam, có giá trị trong 12 tháng",
    "Phiếu lý lịch tư pháp hoặc văn bản xác nhận không phải là người phạm tội do cơ quan có thẩm quyền cấp"
    " không quá 06 tháng",
    "Văn bản chứng minh là nhà quản lý, giám đốc điều hành, chuyên gia hoặc lao động kỹ thuật",
    "02 ảnh màu (4 cm x 6 cm, phông nền trắng, chụp không quá 06 tháng)",
    "Bản sao có chứng thực hộ chiếu còn giá trị",
]


def test_a_dossier_with_many_papers_still_fits_one_a5_page(dossier: Dossier, tmp_path: Path) -> None:
    version = dossier.procedure_version
    applicant = dossier.applicant
    assert applicant is not None
    for order, name in enumerate(SIX_PAPERS, start=2):
        component = Component.objects.create(version=version, key=f"giay-{order}", order=order, name=name)
        for copy in range(2 if order % 2 else 1):  # some papers scanned as two files
            stored = StoredFile(
                owner=applicant,
                dossier=dossier,
                component=component,
                slot=component.key,
                original_name=f"ban-quet-giay-to-so-{order}-trang-{copy + 1}.pdf",
                content_type="application/pdf",
                size=250_000,
                sha256="0" * 64,
            )
            stored.file.save(f"giay-{order}-{copy}.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
            stored.save()
    dossier.applicant_address = (
        "Số 125, đường Nguyễn Huệ, khu phố Phú Cường, phường Tân Phú, thị xã Đồng Xoài, tỉnh Bình Phước"
    )
    path = tmp_path / "nhieu-giay-to.pdf"
    path.write_bytes(acknowledgement_pdf(dossier, lookup_url=LOOKUP_URL))
    if os.environ.get("EGOV_KEEP_PDFS"):  # to look at it: EGOV_KEEP_PDFS=/tmp/somewhere
        shutil.copy(path, Path(os.environ["EGOV_KEEP_PDFS"]) / path.name)
    info = run("pdfinfo", path)
    assert re.search(r"^Pages:\s+1$", info, re.MULTILINE), info
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert size and (float(size[1]), float(size[2])) == (
        pytest.approx(419.53, abs=1),
        pytest.approx(595.28, abs=1),
    )
    text = " ".join(run("pdftotext", path, "-").split())
    assert "Bản sao có chứng thực hộ chiếu còn giá trị" in text and "Tra cứu:" in text
