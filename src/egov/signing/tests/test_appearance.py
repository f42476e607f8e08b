"""The rendered page looks as NĐ 30 prescribes: the official's blue signature between position and name, the
agency's red seal over the left third of it, and on forms the agency's text stamp top-right of page 1 — with
Vietnamese text that extracts correctly (the font is embedded, not garbled)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from egov.signing import appearance as look
from egov.signing import services
from egov.signing.services import pades
from egov.signing.tests.conftest import make_pdf, need

pytestmark = pytest.mark.django_db
DPI = 100


def render(pdf: bytes, tmp_path: Path) -> Image.Image:
    need("pdftoppm")
    (tmp_path / "page.pdf").write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(DPI),
            "-f",
            "1",
            "-l",
            "1",
            str(tmp_path / "page.pdf"),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    return Image.open(next(tmp_path.glob("page*.png"))).convert("RGB")


def text_of(pdf: bytes, tmp_path: Path, rect: look.Rect, page_height: float) -> str:
    need("pdftotext")
    (tmp_path / "text.pdf").write_bytes(pdf)
    x, y = rect.x1, page_height - rect.y2
    args = [
        "pdftotext",
        "-f",
        "1",
        "-l",
        "1",
        "-x",
        str(int(x)),
        "-y",
        str(int(y)),
        "-W",
        str(int(rect.width) + 1),
        "-H",
        str(int(rect.height) + 1),
    ]
    return subprocess.run(
        [*args, str(tmp_path / "text.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout


def pixels(image: Image.Image, rect: look.Rect, page_height: float, test: Any) -> int:
    scale = DPI / 72
    box = (
        int(rect.x1 * scale),
        int((page_height - rect.y2) * scale),
        int(rect.x2 * scale),
        int((page_height - rect.y1) * scale),
    )
    region = image.crop(box)
    data = region.tobytes()
    return sum(1 for i in range(0, len(data), 3) if test((data[i], data[i + 1], data[i + 2])))


def blue(p: tuple[int, int, int]) -> bool:
    return p[2] > 120 and p[0] < 90 and p[1] < 110


def red(p: tuple[int, int, int]) -> bool:
    return p[0] > 150 and p[1] < 90 and p[2] < 90


def test_result_signed_by_leader_then_sealed_by_agency(pki: Any, pdf: bytes, tmp_path: Path) -> None:
    width, height = 595.28, 841.89
    personal = services.sign_pdf(pdf=pdf, purpose="personal", signer=pki.leader, pin=pki.pin, level="B-B")
    sealed = services.sign_pdf(
        pdf=personal.content, purpose="agency", signer=pki.agency, actor=pki.clerk, level="B-B"
    )
    signer_rect = look.default_signer_rect(0, width, height)
    seal_rect = look.seal_rect_over(signer_rect, position_lines=2)
    (tmp_path / "result.pdf").write_bytes(sealed.content)

    words = text_of(sealed.content, tmp_path, signer_rect, height)
    assert "TM. ỦY BAN NHÂN DÂN" in words and "CHỦ TỊCH" in words and "Ngô Văn Thành" in words
    assert words.index("CHỦ TỊCH") < words.index("Ngô Văn Thành")

    image = render(sealed.content, tmp_path)
    image.save(tmp_path / "result.png")
    slot_x, slot_y, slot_w, slot_h = look.SignerLayout(
        signer_rect.width, signer_rect.height, position_lines=2
    ).image_slot
    right_of_seal = look.Rect(
        0,
        seal_rect.x2 + 2,
        signer_rect.y1 + slot_y,
        signer_rect.x1 + slot_x + slot_w,
        signer_rect.y1 + slot_y + slot_h,
    )
    assert pixels(image, right_of_seal, height, blue) > 200  # the blue signature between position and name
    assert pixels(image, seal_rect, height, red) > 1000  # the red seal
    overlap = look.Rect(0, signer_rect.x1 + slot_x, seal_rect.y1, seal_rect.x2, seal_rect.y2)
    assert pixels(image, overlap, height, red) > 100  # the seal covers the left third of the signature
    assert seal_rect.x2 - (signer_rect.x1 + slot_x) == pytest.approx(slot_w / 3)
    left_of_signature = look.Rect(0, seal_rect.x1, seal_rect.y1, signer_rect.x1, seal_rect.y2)
    assert pixels(image, left_of_signature, height, red) > 300  # most of the seal lies on the left


def test_form_carries_the_agency_text_stamp_top_right(pki: Any, tmp_path: Path) -> None:
    form = make_pdf("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", size="A5")
    width, height = 419.53, 595.28
    signed = services.sign_pdf(
        pdf=form,
        purpose="agency",
        signer=pki.agency,
        actor=pki.desk,
        number_notation="000.00.44.H10-181203-0001",
        level="B-B",
    )
    rect = look.default_text_stamp_rect(width, height)
    words = text_of(signed.content, tmp_path, rect, height)
    assert "Ủy ban nhân dân huyện Lộc Ninh" in words
    assert "Số: 000.00.44.H10-181203-0001" in words
    local = signed.record.signed_at.astimezone(pades.VIETNAM).isoformat(timespec="seconds")
    assert local in words and local.endswith("+07:00")
    image = render(signed.content, tmp_path)
    assert pixels(image, rect, height, lambda p: p[0] < 80 and p[1] < 80 and p[2] < 80) > 100
    assert pixels(image, rect, height, red) == 0 and pixels(image, rect, height, blue) == 0
    assert rect.x2 > width * 0.9 and rect.y2 > height * 0.95
