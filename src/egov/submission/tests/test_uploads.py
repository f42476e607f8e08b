"""Upload checks: kind by content, safe names, and the ClamAV hook speaking clamd's INSTREAM protocol."""

import socketserver
import struct
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import PDF_BYTES, minimal_pdf
from egov.core.errors import DomainError
from egov.dossiers.tests.hostile_files import image
from egov.dossiers.uploads import check_upload, safe_name

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def docx_bytes() -> bytes:
    from egov.dossiers.tests.hostile_files import docx

    return docx()


@pytest.mark.parametrize(
    ("name", "content", "content_type", "stored_name"),
    [
        ("Giấy chứng sinh.PDF", PDF_BYTES, "application/pdf", "Giấy chứng sinh.pdf"),
        ("anh.png", image("png"), "image/png", "anh.png"),
        ("anh-chup", image("jpeg"), "image/jpeg", "anh-chup.jpg"),
        (
            "don.docx",
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "don.docx",
        ),
        ("anh.pdf", image("png"), "image/png", "anh.png"),  # the content decides, and renames
    ],
)
def test_kinds_are_recognised_by_content(
    name: str, content: bytes, content_type: str, stored_name: str
) -> None:
    checked = check_upload(upload(name, content))
    assert (checked.content_type, checked.name) == (content_type, stored_name)


@pytest.mark.parametrize(
    "content",
    [b"MZ\x90\x00 windows program", b"<html><script>alert(1)</script>", b"GIF89a"],
)
def test_disguised_or_unknown_content_is_refused(content: bytes) -> None:
    with pytest.raises(DomainError, match="không phải loại được nhận"):
        check_upload(upload("giay-to.pdf", content))


def test_names_lose_folders_and_control_characters() -> None:
    assert safe_name("../../etc/passwd.pdf", ".pdf") == "passwd.pdf"
    assert safe_name("C:\\Users\\a\\Tờ khai.pdf", ".pdf") == "Tờ khai.pdf"
    assert safe_name("a\x00b\r\n<c>.pdf", ".pdf") == "abc.pdf"
    assert safe_name("....", ".pdf") == "tep-dinh-kem.pdf"
    assert len(safe_name("x" * 500 + ".pdf", ".pdf")) == 104


class FakeClamd(socketserver.BaseRequestHandler):
    """Speaks clamd's INSTREAM protocol and flags the EICAR test string, like the real daemon."""

    def handle(self) -> None:
        command = b""
        while not command.endswith(b"\0"):
            command += self.request.recv(1)
        assert command == b"zINSTREAM\0"
        data = b""
        while True:
            size = struct.unpack("!L", self._exact(4))[0]
            if size == 0:
                break
            data += self._exact(size)
        verdict = b"stream: Win.Test.EICAR_HDB-1 FOUND\0" if EICAR in data else b"stream: OK\0"
        self.request.sendall(verdict)

    def _exact(self, size: int) -> bytes:
        chunk = b""
        while len(chunk) < size:
            chunk += self.request.recv(size - len(chunk))
        return chunk


@pytest.fixture
def clamd(settings: Any) -> Iterator[None]:
    server = socketserver.TCPServer(("127.0.0.1", 0), FakeClamd)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.EGOV_CLAMD_ADDRESS = f"127.0.0.1:{server.server_address[1]}"
    yield
    server.shutdown()
    server.server_close()


def test_infected_files_are_refused_when_clamd_is_configured(clamd: None) -> None:
    assert check_upload(upload("sach.pdf", PDF_BYTES)).content_type == "application/pdf"
    infected = minimal_pdf(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(EICAR), EICAR))
    with pytest.raises(DomainError, match="chứa mã độc"):
        check_upload(upload("virus.pdf", infected))


def test_an_unreachable_scanner_refuses_rather_than_lets_through(settings: Any) -> None:
    settings.EGOV_CLAMD_ADDRESS = "127.0.0.1:1"
    with pytest.raises(DomainError, match="máy quét không phản hồi"):
        check_upload(upload("a.pdf", PDF_BYTES))
