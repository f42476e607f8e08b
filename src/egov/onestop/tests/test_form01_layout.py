"""Form 01 (Giấy tiếp nhận hồ sơ và hẹn trả kết quả) as the citizen holds it: one A5 page for a normal dossier,
and the signature block never alone on a page, away from the text it signs."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from egov.accounts.models import User
from egov.catalog.models import Component
from egov.dossiers.models import Dossier, DossierEvent
from egov.onestop.forms.pdf import receipt_pdf

if shutil.which("pdftotext") is None and not os.environ.get("EGOV_REQUIRE_BROWSER"):
    pytest.skip("poppler-utils (pdftotext, pdfinfo) is not installed", allow_module_level=True)

pytestmark = pytest.mark.django_db

# The papers of the demo catalogue's longest list (a work permit), with the long names they really have.
PAPERS = [
    "Văn bản đề nghị cấp giấy phép lao động của người sử dụng lao động (Mẫu số 7 Thông tư số 40/2016/TT-BLĐTBXH)",
    "Giấy chứng nhận sức khỏe cấp ở nước ngoài hoặc ở Việt Nam, có giá trị trong 12 tháng",
    "Phiếu lý lịch tư pháp hoặc văn bản xác nhận không phải là người phạm tội do cơ quan có thẩm quyền cấp"
    " không quá 06 tháng",
    "Văn bản chứng minh là nhà quản lý, giám đốc điều hành, chuyên gia hoặc lao động kỹ thuật",
    "02 ảnh màu (4 cm x 6 cm, phông nền trắng, chụp không quá 06 tháng)",
    "Bản sao có chứng thực hộ chiếu còn giá trị",
]


def run(*args: str | Path) -> str:
    return subprocess.run([str(a) for a in args], check=True, capture_output=True, text=True).stdout


def _received(version: Any, papers: list[str]) -> Dossier:
    from egov.submission.tests.test_submission import submit

    for order, name in enumerate(papers, start=10):
        Component.objects.create(version=version, key=f"giay-{order}", order=order, name=name, required=False)
    dossier, _ = submit(version)
    desk = User.objects.get(email="motcua.loctan@binhphuoc.demo")
    received = dt.datetime(2018, 12, 3, 2, 5, tzinfo=dt.UTC)
    Dossier.objects.filter(pk=dossier.pk).update(
        status="received",
        received_at=received,
        due_at=received + dt.timedelta(days=5),
        applicant_address="Số 125, đường Nguyễn Huệ, khu phố Phú Cường, phường Tân Phú, thị xã Đồng Xoài, "
        "tỉnh Bình Phước",
    )
    DossierEvent.objects.create(
        dossier=dossier, at=received, actor=desk, action="received", from_status="new", to_status="received"
    )
    return Dossier.objects.get(pk=dossier.pk)


def _render(dossier: Dossier, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"mau-01-{name}.pdf"
    path.write_bytes(receipt_pdf(dossier, lookup_url="https://dichvucong.binhphuoc.gov.vn/tra-cuu-ho-so/"))
    if os.environ.get("EGOV_KEEP_PDFS"):  # to look at it: EGOV_KEEP_PDFS=/tmp/somewhere
        shutil.copy(path, Path(os.environ["EGOV_KEEP_PDFS"]) / path.name)
    return path


def _pages(path: Path) -> int:
    found = re.search(r"^Pages:\s+(\d+)$", run("pdfinfo", path), re.MULTILINE)
    assert found
    return int(found[1])


def _page_text(path: Path, page: int) -> str:
    return " ".join(run("pdftotext", "-f", str(page), "-l", str(page), path, "-").split())


def test_form_01_of_a_normal_dossier_is_one_page_with_its_signatures(marriage: Any, tmp_path: Path) -> None:
    dossier = _received(marriage, PAPERS)
    path = _render(dossier, tmp_path, "thuong")
    assert _pages(path) == 1
    text = _page_text(path, 1)
    for expected in (
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "Bản sao có chứng thực hộ chiếu còn giá trị",
        "Thời gian trả kết quả giải quyết hồ sơ",
        "NGƯỜI NỘP HỒ SƠ",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
    ):
        assert expected in text, expected


def test_a_long_form_01_keeps_the_signature_block_with_its_closing_text(
    marriage: Any, tmp_path: Path
) -> None:
    many = [f"{name} (bản {n})" for n in (1, 2) for name in PAPERS] + PAPERS[:3]
    path = _render(_received(marriage, many), tmp_path, "dai")
    pages = _pages(path)
    assert pages == 2
    last = _page_text(path, pages)
    # The signatures are on the page where the text they sign ends, never alone.
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in last and "Thời gian trả kết quả giải quyết hồ sơ" in last
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" not in _page_text(path, 1)
