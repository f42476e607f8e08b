"""One-stop forms as issued (TT 01/2018 Art. 9): issued by the act that produces them — receipt (01), a
supplement request (02), a refusal (03), an apology (04), the stop notice, and the control sheet (05) when the
dossier's processing ends — rendered once for that state, signed by the issuing agency's certificate (the
agency's text stamp top-right of page 1, with the dossier code and the time), stored, and afterwards only
served: the same bytes every time. Issuing runs as a background task right after the act commits, so the
signature's time is the act's (within seconds), never the first reader's; a page or API that asks for a form
only reads it (the control sheet of a dossier still in progress is shown as a live, unsigned copy)."""

from __future__ import annotations

import hashlib
import logging

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.urls import reverse
from django_tasks import task

from egov.agencies.models import Agency
from egov.core.errors import DomainError
from egov.core.site import site_url
from egov.dossiers.lifecycle import on_recorded
from egov.dossiers.models import Apology, Dossier, DossierEvent
from egov.dossiers.statuses import DossierStatus
from egov.onestop.forms import pdf
from egov.onestop.models import IssuedForm
from egov.signing.services import certificate_for, sign_pdf

logger = logging.getLogger(__name__)

FORMS = {
    "01": ("giay-tiep-nhan", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
    "02": ("phieu-yeu-cau-bo-sung", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
    "03": ("phieu-tu-choi", "Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
    "04": ("phieu-xin-loi", "Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
    "05": ("phieu-kiem-soat", "Phiếu kiểm soát quá trình giải quyết hồ sơ"),
    "dung": ("thong-bao-dung", "Thông báo dừng giải quyết hồ sơ"),
}
# Which act issues which forms (the event's action → forms).
ISSUED_BY = {
    "received": ("01",),
    "supplement_requested": ("02",),
    "refused": ("03",),
    "apologised": ("04",),
    "stopped": ("dung", "05"),
    "withdrawn": ("05",),
    "result_issued": ("05",),
    "returned": ("05",),
}
# The control sheet is issued, signed, when processing ends in one of these statuses.
FINAL_05 = (DossierStatus.DONE, DossierStatus.RETURNED, DossierStatus.STOPPED, DossierStatus.WITHDRAWN)


class NotYetIssued(Exception):
    """The dossier has reached the form, but the task issuing it has not finished yet."""


def lookup_url(code: str) -> str:
    return site_url(reverse("dossiers:lookup")) + f"?ma={code}"


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
            str(dossier.status) if dossier.status in FINAL_05 else "",
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
        return str(dossier.status) if dossier.status in FINAL_05 else None
    if form in ("03", "dung"):
        return "refused" if form == "03" else "stopped"
    if form == "02":
        latest = dossier.supplement_requests.order_by("-requested_at").values_list("pk", flat=True).first()
        return str(latest) if latest is not None else None
    if form == "04":
        apology = Apology.objects.filter(dossier=dossier).values_list("pk", flat=True).first()
        return str(apology) if apology is not None else None
    return None


def served_form(dossier: Dossier, form: str) -> tuple[bytes, bool]:
    """The form as issued and whether it carries the agency's signature — a read: nothing is rendered,
    signed or stored here, except the live unsigned control sheet of a dossier still in progress. Raises
    ValueError if the dossier has not reached the form, NotYetIssued while its issuing task runs (a form of
    a dossier from before forms were issued by their act is queued for issuing then)."""
    if form not in FORMS:
        raise ValueError(f"unknown form {form}")
    key = _key(dossier, form)
    if key is None:
        if form == "05" and dossier.received_at is not None:
            return pdf.control_sheet_pdf(dossier, lookup_url=lookup_url(dossier.code)), False
        raise ValueError("not reached")
    stored = IssuedForm.objects.filter(dossier=dossier, form=form, key=key).first()
    if stored is not None:
        with stored.file.open("rb") as handle:
            return handle.read(), stored.signed
    issue_form.enqueue(dossier.pk, form)
    stored = IssuedForm.objects.filter(dossier=dossier, form=form, key=key).first()  # an immediate backend
    if stored is None:
        raise NotYetIssued(form)
    with stored.file.open("rb") as handle:
        return handle.read(), stored.signed


@on_recorded
def _issue_after_the_act(*, dossier: Dossier, event: DossierEvent) -> None:
    forms = ISSUED_BY.get(event.action, ())
    if not forms:
        return
    pk = dossier.pk
    for form in forms:
        transaction.on_commit(lambda form=form: issue_form.enqueue(pk, form))  # type: ignore[misc]


def issue(dossier: Dossier, form: str) -> tuple[bytes, bool]:
    """Render, sign and store the form for the dossier's current state, once (idempotent: a second call, or
    two at once, return the stored copy). Raises ValueError if the dossier has not reached the form."""
    content, key, agency = _render(dossier, form, lookup_url=lookup_url(dossier.code))
    if not key:
        raise ValueError("not final")
    stored = IssuedForm.objects.filter(dossier=dossier, form=form, key=key).first()
    if stored is not None:
        with stored.file.open("rb") as handle:
            return handle.read(), stored.signed
    signed = False
    try:
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


def form_response(content: bytes, *, signed: bool, form: str, code: str) -> HttpResponse:
    """A served form as the page and the API answer it: inline PDF, its file name, whether it is signed."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{form_response_name(form, code)}"'
    response["X-Egov-Signed"] = "1" if signed else "0"
    return response


def form_response_name(form: str, code: str) -> str:
    return f"{FORMS[form][0]}-{code}.pdf"


@task()
def issue_form(dossier_id: int, form: str) -> str:
    """Issue (render, sign, store) a one-stop form after the act that produced it; idempotent."""
    dossier = (
        Dossier.objects.select_related("procedure_version__procedure", "receiving_agency", "current_agency")
        .filter(pk=dossier_id)
        .first()
    )
    if dossier is None:
        return "gone"
    try:
        _, signed = issue(dossier, form)
    except ValueError:
        return "not reached"
    return "signed" if signed else "unsigned"
