"""Checking a signed PDF: per signature, who signed (person and organisation), when, whether the bytes are
intact, whether the certificate chains to a trusted root and is not revoked, whether the document was changed
after signing (pyHanko's difference analysis), and the PAdES level. The report is in Vietnamese; the public
page, the API and the back office use the same :func:`verify_pdf`."""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass, field
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from django.conf import settings
from django.utils import timezone
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import SignatureValidationError, ValidationInfoReadingError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import SignatureCoverageLevel

from egov.core.errors import DomainError
from egov.signing.certificates import validation_context

logger = logging.getLogger(__name__)

TRUST_PROBLEMS = {
    AdESFailure.REVOKED: "Chứng thư số đã bị thu hồi.",
    AdESIndeterminate.REVOKED_NO_POE: "Chứng thư số đã bị thu hồi.",
    AdESIndeterminate.REVOKED_CA_NO_POE: "Chứng thư của tổ chức cấp đã bị thu hồi.",
    AdESIndeterminate.EXPIRED: "Chứng thư số đã hết hạn.",
    AdESIndeterminate.OUT_OF_BOUNDS_NO_POE: "Chứng thư số đã hết hạn vào lúc kiểm tra và không có bằng chứng thời gian.",
    AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED: "Chứng thư số đã hết hạn (không bị thu hồi).",
    AdESFailure.NOT_YET_VALID: "Chứng thư số chưa có hiệu lực.",
    AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND: "Chứng thư số không dẫn về chứng thư gốc nào mà hệ thống tin cậy.",
    AdESIndeterminate.TRY_LATER: "Không lấy được thông tin thu hồi (CRL/OCSP) để kiểm tra.",
    AdESIndeterminate.REVOCATION_OUT_OF_BOUNDS_NO_POE: "Thông tin thu hồi đã cũ, không đủ để kết luận.",
    AdESIndeterminate.CHAIN_CONSTRAINTS_FAILURE: "Chuỗi chứng thư vi phạm ràng buộc (mục đích, độ dài chuỗi).",
    AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE: "Thuật toán mật mã không còn được chấp nhận.",
}
REVOCATION_UNKNOWN = {AdESIndeterminate.TRY_LATER, AdESIndeterminate.REVOCATION_OUT_OF_BOUNDS_NO_POE}


@dataclass
class SignatureReport:
    """One signature (or document time stamp) of a PDF, as the verifier saw it."""

    field_name: str
    is_document_timestamp: bool = False
    signer_name: str = ""
    organisation: str = ""
    subject: str = ""
    issuer: str = ""
    serial_number: str = ""
    valid_from: dt.datetime | None = None
    valid_to: dt.datetime | None = None
    signing_time: dt.datetime | None = None
    timestamp_time: dt.datetime | None = None
    timestamp_valid: bool | None = None
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    chain: list[str] = field(default_factory=list)
    revocation: str = "unknown"  # good / revoked / unknown
    revocation_text: str = ""
    modified_after_signing: bool = True
    modification_text: str = ""
    level: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and not self.modified_after_signing

    @property
    def verdict(self) -> str:
        if self.ok:
            return "Hợp lệ"
        if not self.intact or not self.valid:
            return "Không hợp lệ: nội dung đã bị thay đổi"
        if self.modified_after_signing:
            return "Không hợp lệ: tài liệu bị sửa sau khi ký"
        return "Không tin cậy"

    def as_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items()}
        data["ok"] = self.ok
        data["verdict"] = self.verdict
        return data


@dataclass
class VerificationReport:
    signatures: list[SignatureReport] = field(default_factory=list)
    error: str = ""
    checked_at: dt.datetime = field(default_factory=timezone.now)

    @property
    def valid(self) -> bool:
        return not self.error and bool(self.signatures) and all(s.ok for s in self.signatures)

    @property
    def summary(self) -> str:
        if self.error:
            return self.error
        people = [s for s in self.signatures if not s.is_document_timestamp]
        if not people:
            return "Tệp không có chữ ký số."
        if self.valid:
            return f"Tất cả {len(self.signatures)} chữ ký/dấu thời gian đều hợp lệ và tin cậy."
        bad = sum(1 for s in self.signatures if not s.ok)
        altered = sum(1 for s in self.signatures if not s.intact and not s.is_document_timestamp)
        if altered == bad:
            return f"Nội dung đã bị thay đổi sau khi ký: {altered}/{len(self.signatures)} chữ ký không còn toàn vẹn."
        return f"{bad}/{len(self.signatures)} chữ ký/dấu thời gian không hợp lệ hoặc không tin cậy."

    def as_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "summary": self.summary,
            "error": self.error,
            "checked_at": self.checked_at,
            "signatures": [s.as_dict() for s in self.signatures],
        }


def _name_part(name: Any, key: str) -> str:
    value = name.native.get(key, "")
    return value[-1] if isinstance(value, list) else str(value or "")


def readable_name(name: Any) -> str:
    """A certificate's subject or issuer as people read it: its name and organisation (“CA chuyên dùng…,
    Ủy ban nhân dân tỉnh…”), not asn1crypto's English field labels (“Common Name: …, Organization: …”)."""
    parts = [_name_part(name, "common_name"), _name_part(name, "organization_name")]
    shown = [part for index, part in enumerate(parts) if part and part not in parts[:index]]
    return ", ".join(shown) or _name_part(name, "organizational_unit_name") or "—"


def _modification(status: Any, report: SignatureReport) -> None:
    coverage = status.coverage
    level = status.modification_level
    if coverage == SignatureCoverageLevel.ENTIRE_FILE:
        report.modified_after_signing = False
        report.modification_text = "Không có thay đổi nào sau khi ký."
    elif level in (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES) and status.docmdp_ok is not False:
        report.modified_after_signing = False
        report.modification_text = "Sau khi ký chỉ bổ sung dữ liệu kiểm tra, dấu thời gian (được phép)."
    elif level == ModificationLevel.FORM_FILLING and status.docmdp_ok is not False:
        report.modified_after_signing = False
        report.modification_text = "Sau khi ký có thêm chữ ký số khác (được phép), nội dung không đổi."
    elif level == ModificationLevel.ANNOTATIONS and status.docmdp_ok is not False:
        report.modified_after_signing = False
        report.modification_text = "Sau khi ký có thêm chú thích (được phép), nội dung không đổi."
    else:
        report.modified_after_signing = True
        report.modification_text = "Tài liệu đã bị sửa đổi sau khi ký."
        report.problems.append(report.modification_text)


def _chain_only(status: Any, report: SignatureReport) -> None:
    """The certificates the signature names, without a verdict on trust."""
    if status.validation_path is not None:
        report.chain = [readable_name(cert.subject) for cert in status.validation_path.iter_certs(False)][
            ::-1
        ]
    else:
        report.chain = [readable_name(status.signing_cert.subject)]


def _trust(status: Any, report: SignatureReport) -> None:
    report.trusted = bool(status.trusted)
    if status.validation_path is not None:
        report.chain = [readable_name(cert.subject) for cert in status.validation_path.iter_certs(False)][
            ::-1
        ]
        anchor = status.validation_path.trust_anchor
        report.chain.append(readable_name(getattr(getattr(anchor, "authority", None), "name", None)))
    problem = status.trust_problem_indic
    if status.revoked:
        report.revocation = "revoked"
        details = status.revocation_details
        when = details.revocation_date if details else None
        report.revocation_text = "Đã bị thu hồi" + (
            f" từ {timezone.localtime(when):%H:%M %d/%m/%Y}." if when else "."
        )
    elif problem in REVOCATION_UNKNOWN:
        report.revocation = "unknown"
        report.revocation_text = "Chưa xác định được (không có thông tin thu hồi)."
    elif report.trusted:
        report.revocation = "good"
        report.revocation_text = "Chưa bị thu hồi (đã kiểm tra CRL/OCSP hoặc chứng thư không chỉ định nguồn)."
    else:
        report.revocation_text = "Không kiểm tra (chứng thư không tin cậy)."
    if not report.trusted:
        report.problems.append(TRUST_PROBLEMS.get(problem, "Chứng thư số không được tin cậy."))


def _dss_data(reader: PdfFileReader) -> tuple[list[Any], list[Any], list[Any], bool]:
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except (ValidationInfoReadingError, PdfError, KeyError, ValueError):
        return [], [], [], False
    crls = [asn1_crl.CertificateList.load(ref.get_object().data) for ref in dss.crls]
    ocsps = [asn1_ocsp.OCSPResponse.load(ref.get_object().data) for ref in dss.ocsps]
    return list(dss.load_certs()), crls, ocsps, bool(crls or ocsps)


def _level(embedded: EmbeddedPdfSignature, has_ts: bool, has_revinfo: bool, later_doc_ts: bool) -> str:
    subfilter = embedded.sig_object.get("/SubFilter")
    if subfilter != "/ETSI.CAdES.detached":
        return "PKCS#7 (không theo chuẩn PAdES)"
    if not has_ts:
        return "PAdES B-B"
    if not has_revinfo:
        return "PAdES B-T"
    return "PAdES B-LTA" if later_doc_ts else "PAdES B-LT"


def verify_pdf(pdf: bytes) -> VerificationReport:
    """Verify every signature and document time stamp in ``pdf`` against the trusted roots."""

    report = VerificationReport()
    if len(pdf) > settings.EGOV_SIGNING_MAX_PDF_MB * 1024 * 1024:
        report.error = f"Tệp lớn hơn {settings.EGOV_SIGNING_MAX_PDF_MB} MB."
        return report
    if pdf.lstrip()[:5] != b"%PDF-":
        report.error = "Tệp không phải PDF."
        return report
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        if reader.encrypted:
            report.error = "Tệp PDF được mã hóa bằng mật khẩu: không kiểm tra được."
            return report
        embedded_all = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        report.error = "Tệp PDF bị hỏng hoặc không đọc được."
        return report
    if not embedded_all:
        report.error = "Tệp không có chữ ký số."
        return report
    dss_certs, crls, ocsps, has_revinfo = _dss_data(reader)
    try:
        # One context for the signers and the time stamps, as pyHanko does by default: building a context
        # costs about 3 ms (a sixth of a verification), and what it learns about one chain serves the other.
        context = validation_context(extra_certs=dss_certs, crls=crls, ocsps=ocsps)
    except DomainError as exc:
        report.error = " ".join(exc.messages)
        return report
    for index, embedded in enumerate(embedded_all):
        is_doc_ts = embedded.sig_object.get("/Type") == "/DocTimeStamp"
        entry = SignatureReport(field_name=embedded.field_name, is_document_timestamp=is_doc_ts)
        try:
            if is_doc_ts:
                status: Any = validate_pdf_timestamp(embedded, validation_context=context)
                entry.timestamp_time = status.timestamp
                entry.timestamp_valid = status.valid and status.intact
            else:
                status = validate_pdf_signature(
                    embedded, signer_validation_context=context, ts_validation_context=context
                )
                ts = status.timestamp_validity
                if ts is not None:
                    entry.timestamp_time = ts.timestamp
                    entry.timestamp_valid = bool(ts.valid and ts.intact and ts.trusted)
                    if not entry.timestamp_valid:
                        entry.problems.append("Dấu thời gian không hợp lệ hoặc không tin cậy.")
                entry.signing_time = status.signer_reported_dt
        except (SignatureValidationError, ValueError, KeyError, PdfError) as exc:
            logger.info("signature unreadable", extra={"field": embedded.field_name, "error": str(exc)})
            entry.problems.append("Chữ ký không đọc được hoặc không đúng cấu trúc.")
            report.signatures.append(entry)
            continue
        cert = status.signing_cert
        entry.signer_name = _name_part(cert.subject, "common_name")
        entry.organisation = _name_part(cert.subject, "organization_name")
        entry.subject = readable_name(cert.subject)
        entry.issuer = readable_name(cert.issuer)
        entry.serial_number = format(cert.serial_number, "x")
        entry.valid_from = cert.not_valid_before
        entry.valid_to = cert.not_valid_after
        entry.intact = bool(status.intact)
        entry.valid = bool(status.valid)
        if not entry.intact:
            # The signed bytes changed: that is the finding. pyHanko then checks neither the certificate's
            # trust nor later revisions, so the report claims nothing about them (not “not trusted”, not
            # “no change after signing”).
            entry.problems.append("Nội dung được ký đã bị thay đổi: chữ ký không còn toàn vẹn.")
            _chain_only(status, entry)
            entry.revocation_text = "Không kiểm tra (nội dung được ký đã bị thay đổi)."
            entry.modification_text = "Không đánh giá (nội dung được ký đã bị thay đổi)."
        else:
            if not entry.valid:
                entry.problems.append("Giá trị chữ ký không khớp với chứng thư số.")
            _trust(status, entry)
            _modification(status, entry)
        later_doc_ts = any(e.sig_object.get("/Type") == "/DocTimeStamp" for e in embedded_all[index + 1 :])
        entry.level = (
            "Dấu thời gian tài liệu (RFC 3161)"
            if is_doc_ts
            else _level(embedded, entry.timestamp_time is not None, has_revinfo, later_doc_ts)
        )
        report.signatures.append(entry)
    return report
