"""One-stop forms as issued (TT 01/2018 Art. 9): rendered once for the state of the dossier they describe,
signed by the issuing agency's certificate (the agency's text stamp top-right of page 1, with the dossier
code and the time), stored, and served as stored afterwards — the same bytes every time."""

from __future__ import annotations

import hashlib
import logging

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from egov.agencies.models import Agency
from egov.core.errors import DomainError
from egov.dossiers import pdf
from egov.dossiers.models import Apology, Dossier, IssuedForm

logger = logging.getLogger(__name__)

FORMS = {
    "01": ("giay-tiep-nhan", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
    "02": ("phieu-yeu-cau-bo-sung", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
    "03": ("phieu-tu-choi", "Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
    "04": ("phieu-xin-loi", "Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
    "05": ("phieu-kiem-soat", "Phiếu kiểm soát quá trình giải quyết hồ sơ"),
    "dung": ("thong-bao-dung", "Thông báo dừng giải quyết hồ sơ"),
}


def _render(dossier: Dossier, form: str, *, lookup_url: str) -> tuple[bytes, str, Agency]:
    """(PDF, what state it describes, issuing agency); ValueError when the dossier has not reached it."""
    if form == "01":
        if dossier.received_at is None:
            raise ValueError("not received")
        return (
            pdf.receipt_pdf(dossier, lookup_url=lookup_url),
            dossier.received_at.isoformat(),
            dossier.receiving_agency,
        )
    if form == "02":
        request = dossier.supplement_requests.select_related("officer").order_by("-requested_at").first()
        if request is None:
            raise ValueError("no supplement request")
        return pdf.supplement_pdf(request, lookup_url=lookup_url), str(request.pk), dossier.receiving_agency
    if form == "03":
        return pdf.refusal_pdf(dossier, lookup_url=lookup_url), "refused", dossier.receiving_agency
    if form == "04":
        apology = Apology.objects.filter(dossier=dossier).select_related("agency", "officer").first()
        if apology is None:
            raise ValueError("no apology")
        return pdf.apology_pdf(apology, lookup_url=lookup_url), str(apology.pk), apology.agency
    if form == "05":
        return (
            pdf.control_sheet_pdf(dossier, lookup_url=lookup_url),
            f"v{dossier.version}",
            dossier.receiving_agency,
        )
    if form == "dung":
        event = dossier.events.filter(action="stopped").select_related("actor_agency").order_by("-at").first()
        if event is None:
            raise ValueError("not stopped")
        issuer = event.actor_agency or dossier.receiving_agency
        return pdf.stop_notice_pdf(dossier, lookup_url=lookup_url), "stopped", issuer
    raise ValueError(f"unknown form {form}")


def _key(dossier: Dossier, form: str) -> str | None:
    """The state a stored copy must describe, without rendering; None when the dossier has no such form yet."""
    if form == "01" and dossier.received_at is not None:
        return dossier.received_at.isoformat()
    if form == "05":
        return f"v{dossier.version}"
    if form in ("03", "dung"):
        return "refused" if form == "03" else "stopped"
    if form == "02":
        latest = dossier.supplement_requests.order_by("-requested_at").values_list("pk", flat=True).first()
        return str(latest) if latest is not None else None
    if form == "04":
        apology = Apology.objects.filter(dossier=dossier).values_list("pk", flat=True).first()
        return str(apology) if apology is not None else None
    return None


def issued_form(dossier: Dossier, form: str, *, lookup_url: str) -> tuple[bytes, bool]:
    """The form's PDF and whether it carries the agency's signature. Raises ValueError if the dossier has not
    reached the form. A form whose agency has no certificate (or whose signing fails) is issued unsigned."""
    key = _key(dossier, form)
    if key is not None:
        stored = IssuedForm.objects.filter(dossier=dossier, form=form, key=key).first()
        if stored is not None:
            with stored.file.open("rb") as handle:
                return handle.read(), stored.signed
    content, key, agency = _render(dossier, form, lookup_url=lookup_url)
    stored = IssuedForm.objects.filter(dossier=dossier, form=form, key=key).first()
    if stored is not None:
        with stored.file.open("rb") as handle:
            return handle.read(), stored.signed
    signed = False
    try:
        from egov.signing.services import certificate_for, sign_pdf

        certificate_for(agency, "agency")
        content = sign_pdf(
            pdf=content, purpose="agency", signer=agency, actor=None, number_notation=dossier.code
        ).content
        signed = True
    except DomainError as exc:
        logger.warning(
            "form issued unsigned", extra={"dossier": dossier.code, "form": form, "why": exc.messages}
        )
    row = IssuedForm(
        dossier=dossier,
        form=form,
        key=key,
        agency=agency,
        sha256=hashlib.sha256(content).hexdigest(),
        signed=signed,
    )
    row.file.save(f"{FORMS[form][0]}-{dossier.code}.pdf", ContentFile(content), save=False)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # issued at the same moment by another request: serve theirs
        row.file.delete(save=False)
        other = IssuedForm.objects.get(dossier=dossier, form=form, key=key)
        with other.file.open("rb") as handle:
            return handle.read(), other.signed
    return content, signed


def form_response_name(form: str, code: str) -> str:
    return f"{FORMS[form][0]}-{code}.pdf"
