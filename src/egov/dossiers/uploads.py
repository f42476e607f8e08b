"""Checking uploaded files before anyone opens them: kind by content (not by name), size, the whole file
inspected for its kind (:mod:`egov.core.inspection`: zip bombs, macros, active PDF content, truncated images,
polyglots), a safe name, and an optional virus scan by ClamAV's clamd (INSTREAM protocol) when
``EGOV_CLAMD_ADDRESS`` is set."""

from __future__ import annotations

import hashlib
import os
import re
import socket
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings

from egov.core.errors import DomainError
from egov.core.inspection import broken, file_label, inspect_file

KINDS = {
    "pdf": ("application/pdf", ".pdf", "PDF"),
    "jpeg": ("image/jpeg", ".jpg", "JPEG"),
    "png": ("image/png", ".png", "PNG"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".docx",
        "Word (DOCX)",
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", "Excel (XLSX)"),
    "odt": ("application/vnd.oasis.opendocument.text", ".odt", "OpenDocument (ODT)"),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", ".ods", "OpenDocument (ODS)"),
}
OPENDOCUMENT = {KINDS[kind][0].encode(): kind for kind in ("odt", "ods")}
STORED_NAME_BYTES = 120  # of the stem: file systems allow 255 bytes a name, Vietnamese letters take 2–3 each
MB = 1024 * 1024


@dataclass(frozen=True)
class CheckedFile:
    name: str  # shown to people (at most 100 characters and the extension)
    storage_name: str  # the same, short enough in bytes for any file system or object store
    content_type: str
    size: int
    sha256: str


def allowed_kinds_label() -> str:
    return ", ".join(KINDS[k][2] for k in settings.EGOV_UPLOAD_TYPES if k in KINDS)


def detect_kind(stream: IO[bytes]) -> str | None:
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(stream) as archive:
                names = set(archive.namelist())
                mimetype = b""
                if "mimetype" in names:
                    with archive.open("mimetype") as entry:
                        mimetype = entry.read(80)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, zlib.error):
            return None
        finally:
            stream.seek(0)
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return "docx"
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return "xlsx"
        return OPENDOCUMENT.get(mimetype.strip())
    return None


def _opens_as_zip(stream: IO[bytes]) -> bool:
    try:
        with zipfile.ZipFile(stream):
            return True
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error):
        return False
    finally:
        stream.seek(0)


def safe_name(original: str, extension: str) -> str:
    """A file name that is safe to store and show: no folders, no control characters, NFC, short, with the
    extension of the detected kind."""
    name = unicodedata.normalize("NFC", str(original or "")).replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    stem = os.path.splitext(name)[0]
    stem = re.sub(r"[<>:\"|?*\x00]", "", stem).strip(" .") or "tep-dinh-kem"
    return stem[:100] + extension


def storage_name(name: str) -> str:
    """``name`` cut to at most ``STORED_NAME_BYTES`` bytes of UTF-8 before its extension, on a character
    boundary (a name of 300 Vietnamese letters is over 255 bytes, which no file system stores)."""
    stem, extension = os.path.splitext(name)
    cut = stem.encode("utf-8")[:STORED_NAME_BYTES].decode("utf-8", "ignore").rstrip(" .")
    return (cut or "tep-dinh-kem") + extension


def display_name(original: str) -> str:
    """How a file is named in messages: the safe name with the extension it came with."""
    extension = os.path.splitext(str(original or ""))[1].lower()
    return safe_name(original, extension if re.fullmatch(r"\.[a-z0-9]{1,8}", extension) else "")


def check_upload(upload: Any, *, component: str = "") -> CheckedFile:
    """Raise a DomainError in Vietnamese, naming the file and the document ``component`` it was uploaded for
    (“Tệp “giay-to.pdf” ở mục “Bản sao CCCD” …”), if it may not be accepted."""
    name = display_name(getattr(upload, "name", ""))
    label = file_label(name, component)
    limit = settings.EGOV_UPLOAD_MAX_FILE_MB
    if upload.size > limit * MB:
        raise DomainError(f"{label} quá lớn ({upload.size / MB:.1f} MB); mỗi tệp tối đa {limit} MB.")
    if upload.size == 0:
        raise DomainError(f"{label} rỗng.")
    stream = upload.open("rb") if hasattr(upload, "open") else upload
    kind = detect_kind(stream)
    if kind is None and stream.read(4) == b"PK\x03\x04" and not _opens_as_zip(stream):
        raise broken(label)  # a Word/Excel file whose archive does not open: cut short or damaged
    if kind is None or kind not in settings.EGOV_UPLOAD_TYPES:
        raise DomainError(
            f"{label} không phải loại được nhận (nội dung tệp được kiểm tra, không dựa vào tên). "
            f"Chỉ nhận: {allowed_kinds_label()}."
        )
    inspect_file(stream, kind, name, component=component)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    stream.seek(0)
    scan(upload, label)
    content_type, extension, _label = KINDS[kind]
    name = safe_name(upload.name, extension)
    return CheckedFile(name, storage_name(name), content_type, upload.size, digest.hexdigest())


def scan(upload: Any, label: str) -> None:
    address = settings.EGOV_CLAMD_ADDRESS
    if not address:
        return
    try:
        verdict = clamd_instream(address, upload.chunks())
    except OSError as exc:
        raise DomainError(
            f"Chưa kiểm tra được mã độc trong {label[0].lower()}{label[1:]} (máy quét không phản hồi); "
            "hãy thử lại sau."
        ) from exc
    finally:
        upload.seek(0)
    if verdict.endswith("FOUND"):
        raise DomainError(f"{label} chứa mã độc và đã bị từ chối.")
    if not verdict.endswith("OK"):
        raise DomainError(f"Chưa kiểm tra được mã độc trong {label[0].lower()}{label[1:]}; hãy thử lại sau.")


def clamd_instream(address: str, chunks: Any, timeout: float = 30.0) -> str:
    """Send a file to clamd with the INSTREAM command and return its answer (``stream: OK`` or ``… FOUND``)."""
    if ":" in address and not address.startswith("/"):
        host, port = address.rsplit(":", 1)
        connection = socket.create_connection((host, int(port)), timeout=timeout)
    else:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.settimeout(timeout)
        connection.connect(address)
    with connection:
        connection.sendall(b"zINSTREAM\0")
        for chunk in chunks:
            for start in range(0, len(chunk), 65536):
                piece = chunk[start : start + 65536]
                connection.sendall(struct.pack("!L", len(piece)) + piece)
        connection.sendall(struct.pack("!L", 0))
        answer = b""
        while not answer.endswith(b"\0"):
            data = connection.recv(4096)
            if not data:
                break
            answer += data
    return answer.rstrip(b"\0").decode("utf-8", "replace").strip()
