"""The PDF acknowledgement a citizen downloads after filing a dossier online
(“Phiếu xác nhận nộp hồ sơ trực tuyến”)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from egov.accounts.roles import Role
from egov.agencies.models import Agency
from egov.agencies.selectors import current_successor
from egov.catalog.selectors import visible_components
from egov.catalog.web_forms import review_rows
from egov.core.pdf import VIETNAM, qr_svg_data_uri, render_pdf, vietnam_time
from egov.dossiers.models import Apology, Consultation, Dossier, DossierStep, SupplementRequest
from egov.onestop import result_forms
from egov.signing.models import SignatureImage


def receipt_pdf(dossier: Dossier, *, lookup_url: str) -> bytes:
    """Form 01 (TT 01/2018, same in TT 03/2025): Giấy tiếp nhận hồ sơ và hẹn trả kết quả, A5, with a QR code."""
    if dossier.received_at is None or dossier.due_at is None:
        raise ValueError("The dossier has not been received.")
    version = dossier.procedure_version
    event = dossier.events.filter(action="received").select_related("actor").order_by("-at").first()
    context: dict[str, Any] = {
        "dossier": dossier,
        "agency_name": dossier.receiving_agency.name,
        "procedure_name": version.name,
        "procedure_code": version.procedure.national_code,
        "components": visible_components(version, dossier.form_data),
        "time_limit": f"{version.processing_time.normalize():f} {version.get_processing_time_unit_display()}",
        "received_at": vietnam_time(dossier.received_at),
        "due_at": vietnam_time(dossier.due_at),
        "fee": f"{version.fee_amount:,}".replace(",", ".") if version.fee_amount else "",
        "officer_name": event.actor.full_name if event and event.actor else "",
        "qr": qr_svg_data_uri(lookup_url),
    }
    return render_pdf("onestop/forms/receipt.html", context)


# --- Forms 02–05, the stop notice, the result, and the register (form 06) ------------------------------------

UNIT_PREFIXES = (
    "Thành phố ",
    "Thị trấn ",
    "Thị xã ",
    "Phường ",
    "Huyện ",
    "Tỉnh ",
    "Xã ",
    "Quận ",
    "Đặc khu ",
)


def place_date(agency: Agency, moment: datetime) -> str:
    """``Lộc Tấn, ngày 05 tháng 02 năm 2019`` — the place and date line of an official document."""
    place = agency.unit.name
    for prefix in UNIT_PREFIXES:
        if place.startswith(prefix):
            place = place.removeprefix(prefix)
            break
    local = moment.astimezone(VIETNAM)
    return f"{place}, ngày {local:%d} tháng {local:%m} năm {local:%Y}"


def _form_context(
    dossier: Dossier, *, title: str, lookup_url: str, moment: datetime, issuer: Agency | None = None
) -> dict[str, Any]:
    """What every one-stop form shows. ``issuer``: the agency that issues it when it is not the desk (an
    apology or a stop notice comes from the agency that holds the dossier); its name heads the form."""
    version = dossier.procedure_version
    return {
        "title": title,
        "dossier": dossier,
        "issuer_name": issuer.name if issuer else "",
        "agency_name": dossier.receiving_agency.name,
        "agency_phone": dossier.receiving_agency.phone,
        "procedure_name": version.name,
        "procedure_code": version.procedure.national_code,
        "legal_basis": version.legal_basis.split(";")[0].strip() or "quy định hiện hành",
        "place_date": place_date(issuer or dossier.receiving_agency, moment),
        "qr": qr_svg_data_uri(lookup_url),
        "received_at": vietnam_time(dossier.received_at) if dossier.received_at else "—",
    }


def supplement_pdf(request: SupplementRequest, *, lookup_url: str) -> bytes:
    """Form 02: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ — every item with its reason, and whom to call."""
    dossier = request.dossier
    context = _form_context(
        dossier,
        title="Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
        lookup_url=lookup_url,
        moment=request.requested_at,
    )
    context.update(
        items=request.items,
        requested_at=vietnam_time(request.requested_at),
        officer_name=request.officer.full_name,
    )
    return render_pdf("onestop/forms/supplement.html", context)


def refusal_pdf(dossier: Dossier, *, lookup_url: str) -> bytes:
    """Form 03: Phiếu từ chối tiếp nhận giải quyết hồ sơ, with the reason."""
    event = dossier.events.filter(action="refused").select_related("actor").order_by("-at").first()
    if event is None:
        raise ValueError("The dossier was not refused.")
    context = _form_context(
        dossier, title="Phiếu từ chối tiếp nhận giải quyết hồ sơ", lookup_url=lookup_url, moment=event.at
    )
    context.update(
        reason=dossier.status_note or event.note.removeprefix("Từ chối tiếp nhận: "),
        officer_name=event.actor.full_name if event.actor else "",
    )
    return render_pdf("onestop/forms/refusal.html", context)


def apology_pdf(apology: Apology, *, lookup_url: str) -> bytes:
    """Form 04: Phiếu xin lỗi và hẹn lại ngày trả kết quả, signed by the head of the agency causing the delay."""
    dossier = apology.dossier
    context = _form_context(
        dossier,
        title="Phiếu xin lỗi và hẹn lại ngày trả kết quả",
        lookup_url=lookup_url,
        moment=apology.created_at,
        issuer=apology.agency,
    )
    context.update(
        delaying_agency=apology.agency.name,
        reason=apology.reason,
        previous_due=vietnam_time(apology.previous_due_at),
        new_due=vietnam_time(apology.new_due_at),
        officer_name=apology.officer.full_name,
    )
    return render_pdf("onestop/forms/apology.html", context)


def _name(user: Any) -> str:
    return user.full_name if user is not None else ""


def control_rows(
    dossier: Dossier,
    *,
    steps: list[DossierStep] | None = None,
    consultations: list[Consultation] | None = None,
) -> list[dict[str, Any]]:
    """The control sheet's rows (form 05): every hand-over to a step and every consultation, in time order.
    ``steps`` and ``consultations``, when the caller has read them already (with their agencies and people),
    are used instead of reading them again."""
    rows: list[dict[str, Any]] = []
    if steps is None:
        steps = list(
            dossier.steps.filter(started_at__isnull=False).select_related(
                "agency", "handed_by", "assignee", "finished_by"
            )
        )
    if consultations is None:
        consultations = list(dossier.consultations.select_related("agency", "requested_by", "answered_by"))
    for step in steps:
        if step.started_at is None:
            continue
        rows.append(
            {
                "at": step.started_at,
                "agency": step.agency.name,
                "name": step.name + (f" (lượt {step.round})" if step.round > 1 else ""),
                "started": vietnam_time(step.started_at) if step.started_at else "",
                "due": vietnam_time(step.due_at) if step.due_at else "—",
                "finished": vietnam_time(step.finished_at) if step.finished_at else "",
                "giver": step.handed_by.full_name if step.handed_by else "",
                "receiver": _name(step.finished_by or step.assignee) or Role(step.role).label,
                "verdict": step.get_verdict_display() if step.verdict else "",
                "late": step.verdict == "late",
                "note": step.note,
            }
        )
    for consultation in consultations:
        rows.append(
            {
                "at": consultation.requested_at,
                "agency": consultation.agency.name,
                "name": "Phối hợp, cho ý kiến",
                "started": vietnam_time(consultation.requested_at),
                "due": vietnam_time(consultation.due_at),
                "finished": vietnam_time(consultation.answered_at) if consultation.answered_at else "",
                "giver": consultation.requested_by.full_name if consultation.requested_by else "",
                "receiver": consultation.answered_by.full_name if consultation.answered_by else "",
                "verdict": consultation.get_verdict_display() if consultation.verdict else "",
                "late": consultation.verdict == "late",
                "note": consultation.answer,
            }
        )
    rows.sort(key=lambda r: r["at"].timestamp())
    return rows


def control_sheet_pdf(dossier: Dossier, *, lookup_url: str) -> bytes:
    """Form 05: Phiếu kiểm soát quá trình giải quyết hồ sơ."""
    if dossier.received_at is None:
        raise ValueError("The dossier has not been received.")
    apology = Apology.objects.filter(dossier=dossier).first()
    context = _form_context(
        dossier,
        title="Phiếu kiểm soát quá trình giải quyết hồ sơ",
        lookup_url=lookup_url,
        moment=dossier.received_at,
    )
    context.update(
        rows=control_rows(dossier),
        due_at=vietnam_time(dossier.due_at) if dossier.due_at else "—",
        apology=apology,
        apology_previous=vietnam_time(apology.previous_due_at) if apology else "",
    )
    return render_pdf("onestop/forms/control_sheet.html", context)


def stop_notice_pdf(dossier: Dossier, *, lookup_url: str) -> bytes:
    """Thông báo dừng giải quyết hồ sơ (NĐ 118/2025)."""
    event = (
        dossier.events.filter(action="stopped")
        .select_related("actor", "actor_agency")
        .order_by("-at")
        .first()
    )
    if event is None:
        raise ValueError("The dossier was not stopped.")
    context = _form_context(
        dossier,
        title="Thông báo dừng giải quyết hồ sơ",
        lookup_url=lookup_url,
        moment=event.at,
        issuer=event.actor_agency,
    )
    context.update(
        reason=dossier.status_note,
        stopping_agency=event.actor_agency.name if event.actor_agency else dossier.receiving_agency.name,
        officer_name=event.actor.full_name if event.actor else "",
    )
    return render_pdf("onestop/forms/stop_notice.html", context)


def result_pdf(
    dossier: Dossier,
    *,
    document_number: str,
    title: str,
    issued_at: datetime,
    signature_block: bool = True,
    issue_values: dict[str, Any] | None = None,
) -> bytes:
    """The result document: the official form of the procedure when there is one
    (:mod:`egov.onestop.result_forms`), else the procedure's template (``onestop/results/<mã thủ tục>.html``)
    or the general decision of the agency that approved it, with the applicant's answers. ``issue_values``:
    what the officer filled in when issuing (the form's ``issue_fields``)."""
    from django.conf import settings
    from django.template.loader import select_template

    version = dossier.procedure_version
    approving = dossier.steps.filter(kind="approve", finished_at__isnull=False).select_related(
        "agency", "finished_by"
    )
    last = approving.order_by("-finished_at").first()
    agency = last.agency if last else dossier.current_agency or dossier.receiving_agency
    if agency.valid_to is not None:  # approved before a reorganisation: issued in the successor's name
        agency = current_successor(agency)
    leader = last.finished_by if last else None
    lookup_url = f"{settings.EGOV_SITE_URL}/tra-cuu-ho-so/?ma={dossier.code}"
    official = result_forms.form_for(version.procedure.national_code)
    if official is not None:
        return _official_result_pdf(
            dossier,
            form=official,
            agency=agency,
            leader=leader,
            document_number=document_number,
            issued_at=issued_at,
            signature_block=signature_block,
            lookup_url=lookup_url,
            issue_values=issue_values or {},
        )
    answers: list[tuple[str, str]] = []
    for section in review_rows(version.form_definition, dossier.form_data):
        answers.extend((row["label"].rstrip("?"), row["value"]) for row in section["rows"] if "value" in row)
    context = {
        "dossier": dossier,
        "title": title,
        "document_number": document_number,
        "agency_name": agency.name,
        "place_date": place_date(agency, issued_at),
        "procedure_name": version.name,
        "legal_basis": version.legal_basis.split(";")[0].strip(),
        "result": version.result,
        "submitted_at": f"{dossier.submitted_at.astimezone(VIETNAM):%d/%m/%Y}",
        "answers": answers[:8],
        "leader_name": leader.full_name if leader else "",
        # A result to be signed digitally leaves the signer's block to the signature's appearance
        # (position, signature image, name, the agency's seal over it), placed bottom right by the signer.
        "signature_block": signature_block,
        "qr": qr_svg_data_uri(lookup_url),
    }
    template = select_template(
        [f"onestop/results/{version.procedure.national_code}.html", "onestop/forms/result.html"]
    )
    return render_pdf(template.template.name, context)


def signer_position(leader: Any, agency: Agency) -> str:
    """The position printed above the signer's name: the one of their signature's appearance, if set."""
    if leader is not None:
        position = SignatureImage.objects.filter(user=leader).values_list("position", flat=True).first()
        if position:
            return str(position)
    return "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH" if agency.kind.code == "ubnd" else "THỦ TRƯỞNG CƠ QUAN"


def _official_result_pdf(
    dossier: Dossier,
    *,
    form: result_forms.ResultForm,
    agency: Agency,
    leader: Any,
    document_number: str,
    issued_at: datetime,
    signature_block: bool,
    lookup_url: str,
    issue_values: dict[str, Any],
) -> bytes:
    issued_on = issued_at.astimezone(VIETNAM).date()
    book = result_forms.book_of(form, issued_on)
    issue = {
        "number": document_number,
        "book": book,
        "place": agency.name,
        "date": issued_on,
        "signer": leader.full_name if leader else "",
        "declarant": dossier.applicant_name,
        **issue_values,
    }
    register = form.spec.get("register")
    register_lines = [f"Số: {document_number}"] + ([f"Quyển số: {book}"] if book else [])
    if register is None:
        register_lines = []
    context = {
        "dossier": dossier,
        "form": form.spec,
        "agency_name": agency.name,
        "register_lines": register_lines,
        "lines": result_forms.resolve(
            form, definition=dossier.procedure_version.form_definition, values=dossier.form_data, issue=issue
        ),
        "place_date": place_date(agency, issued_at),
        "signature_block": signature_block,
        "signer_position": signer_position(leader, agency),
        "leader_name": issue["signer"],
        "qr": qr_svg_data_uri(lookup_url),
    }
    return render_pdf(form.template_name, context)


REGISTER_HEADINGS = (
    "Số TT",
    "Mã hồ sơ",
    "Tên thủ tục",
    "Số lượng hồ sơ (bộ)",
    "Tên cá nhân, tổ chức",
    "Địa chỉ, số điện thoại",
    "Cơ quan chủ trì giải quyết",
    "Ngày, giờ nhận hồ sơ",
    "Ngày, giờ hẹn trả kết quả",
    "Ngày, giờ chuyển hồ sơ",
    "Ngày, giờ nhận kết quả",
    "Ngày, giờ trả kết quả",
    "Ghi chú",
)


def register_pdf(*, agency: Agency, year: int, rows: list[list[str]]) -> bytes:
    """Form 06: Sổ theo dõi hồ sơ of one desk for one year (A4 landscape)."""
    context = {"agency_name": agency.name, "year": year, "rows": rows, "headings": REGISTER_HEADINGS}
    return render_pdf("onestop/forms/register.html", context)
