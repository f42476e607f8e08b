"""API of digital signatures: verify a signed PDF (public)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpRequest
from ninja import File, Router, Schema
from ninja.files import UploadedFile

from egov.core.errors import DomainError
from egov.signing.verification import verify_pdf

router = Router()


class SignatureOut(Schema):
    field_name: str
    is_document_timestamp: bool
    signer_name: str
    organisation: str
    subject: str
    issuer: str
    serial_number: str
    valid_from: dt.datetime | None
    valid_to: dt.datetime | None
    signing_time: dt.datetime | None
    timestamp_time: dt.datetime | None
    timestamp_valid: bool | None
    intact: bool
    valid: bool
    trusted: bool
    chain: list[str]
    revocation: str
    revocation_text: str
    modified_after_signing: bool
    modification_text: str
    level: str
    problems: list[str]
    ok: bool
    verdict: str


class ReportOut(Schema):
    valid: bool
    summary: str
    error: str
    checked_at: dt.datetime
    signatures: list[SignatureOut]


@router.post("/verify", response=ReportOut, summary="Kiểm tra chữ ký số của một tệp PDF")
def verify(request: HttpRequest, file: File[UploadedFile]) -> dict[str, object]:
    """Gửi tệp PDF (multipart, trường ``file``); nhận báo cáo từng chữ ký bằng tiếng Việt."""
    if file.size and file.size > settings.EGOV_SIGNING_MAX_PDF_MB * 1024 * 1024:
        raise DomainError(f"Tệp lớn hơn {settings.EGOV_SIGNING_MAX_PDF_MB} MB.")
    return verify_pdf(file.read()).as_dict()
