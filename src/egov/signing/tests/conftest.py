"""Fixtures of the signing tests: the demo PKI, PDFs to sign, and the independent tools that check the output
(poppler's pdfsig with an NSS database, OpenSSL, SoftHSM2)."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from egov.signing.demo import DEMO_PIN

REQUIRE_TOOLS = bool(os.environ.get("EGOV_REQUIRE_BROWSER"))
LEADER = "lanhdao.locninh@binhphuoc.demo"
CLERK = "vanthu.locninh@binhphuoc.demo"
DESK = "motcua.locninh@binhphuoc.demo"
AGENCY = "000.00.44.H10"  # UBND huyện Lộc Ninh


def need(*tools: str) -> None:
    """Skip when a tool is missing, unless CI demands every tool (EGOV_REQUIRE_BROWSER)."""
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing and not REQUIRE_TOOLS:
        pytest.skip(f"missing: {', '.join(missing)}")
    assert not missing, f"CI needs {missing}"


@dataclass
class Pki:
    leader: Any
    clerk: Any
    desk: Any
    agency: Any
    root_pem: str
    pin: str = DEMO_PIN


@pytest.fixture
def pki(demo: None, settings: Any) -> Pki:
    from egov.accounts.models import User
    from egov.agencies.models import Agency
    from egov.signing.models import TrustedRoot

    settings.EGOV_SIGNING_TSA_URL = "internal"
    return Pki(
        leader=User.objects.get(email=LEADER),
        clerk=User.objects.get(email=CLERK),
        desk=User.objects.get(email=DESK),
        agency=Agency.objects.get(code=AGENCY),
        root_pem=TrustedRoot.objects.get().certificate_pem,
    )


def make_pdf(title: str = "QUYẾT ĐỊNH", *, pages: int = 1, size: str = "A4") -> bytes:
    """A real PDF made by WeasyPrint with the packaged fonts, Vietnamese text."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from egov.core.pdf import LocalOnlyFetcher, font_face_css

    body = "".join(
        f'<section style="page-break-after:always"><h1>{title}</h1>'
        f"<p>Về việc cấp giấy chứng nhận cho ông Nguyễn Văn An, trang {n + 1}.</p></section>"
        for n in range(pages)
    )
    html = f'<html><head><style>@page {{ size: {size}; }} body {{ font-family: "Noto Serif"; }}</style></head><body>{body}</body></html>'
    fonts = FontConfiguration()
    fetcher = LocalOnlyFetcher()
    pdf = HTML(string=html, url_fetcher=fetcher).write_pdf(
        stylesheets=[CSS(string=font_face_css(), font_config=fonts, url_fetcher=fetcher)], font_config=fonts
    )
    assert isinstance(pdf, bytes)
    return pdf


@pytest.fixture
def pdf() -> bytes:
    return make_pdf()


@pytest.fixture
def nss_db(tmp_path: Path, pki: Pki) -> Path:
    """An NSS database trusting the demo root (what pdfsig reads)."""
    need("certutil", "pdfsig")
    folder = tmp_path / "nss"
    folder.mkdir()
    (tmp_path / "root.pem").write_text(pki.root_pem)
    subprocess.run(["certutil", "-N", "-d", f"sql:{folder}", "--empty-password"], check=True)
    subprocess.run(
        [
            "certutil",
            "-A",
            "-d",
            f"sql:{folder}",
            "-n",
            "demo-root",
            "-t",
            "CT,C,C",
            "-i",
            str(tmp_path / "root.pem"),
        ],
        check=True,
    )
    return folder


def pdfsig(pdf: bytes, nss: Path, tmp_path: Path) -> str:
    path = tmp_path / "checked.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(path)], capture_output=True, text=True)
    return result.stdout + result.stderr


def openssl_verify(pdf: bytes, root_pem: str, tmp_path: Path) -> list[int]:
    """``openssl cms -verify`` of each signature over its signed byte ranges; the exit codes."""
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    need("openssl")
    (tmp_path / "root.pem").write_text(root_pem)
    codes = []
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    for index, embedded in enumerate(reader.embedded_signatures):
        if embedded.sig_object.get("/Type") == "/DocTimeStamp":
            continue
        first, first_len, second, second_len = (int(v) for v in embedded.sig_object["/ByteRange"])
        (tmp_path / f"content{index}.bin").write_bytes(
            pdf[first : first + first_len] + pdf[second : second + second_len]
        )
        (tmp_path / f"sig{index}.der").write_bytes(embedded.pkcs7_content)
        result = subprocess.run(
            [
                "openssl",
                "cms",
                "-verify",
                "-inform",
                "DER",
                "-binary",
                "-in",
                str(tmp_path / f"sig{index}.der"),
                "-content",
                str(tmp_path / f"content{index}.bin"),
                "-CAfile",
                str(tmp_path / "root.pem"),
                "-out",
                os.devnull,
            ],
            capture_output=True,
        )
        codes.append(result.returncode)
    return codes


def tamper(pdf: bytes) -> bytes:
    """Change one character of the original document (the producer's name, inside the first signed range)."""
    index = pdf.index(b"WeasyPrint")
    return pdf[:index] + b"WeasyPrinx" + pdf[index + len(b"WeasyPrint") :]
