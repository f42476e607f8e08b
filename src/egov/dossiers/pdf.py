"""The PDF acknowledgement a citizen downloads after filing a dossier online
(“Phiếu xác nhận nộp hồ sơ trực tuyến”)."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from egov.core.pdf import qr_svg_data_uri, render_pdf
from egov.dossiers.models import Dossier

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def vietnam_time(moment: datetime) -> str:
    """``moment`` in Vietnam's time zone, written as on paper forms: ``14:05 ngày 03/12/2018``."""
    local = moment.astimezone(VIETNAM)
    return f"{local:%H:%M} ngày {local:%d/%m/%Y}"


def kilobytes(size: int) -> str:
    """A file size in whole kilobytes (rounded up, at least 1), with Vietnamese thousands separators."""
    return f"{max(1, math.ceil(size / 1024)):,} KB".replace(",", ".")


def acknowledgement_pdf(dossier: Dossier, *, lookup_url: str) -> bytes:
    """The acknowledgement of ``dossier`` as PDF bytes (A5), with a QR code of ``lookup_url``, the public page
    where the applicant can follow the dossier."""
    version = dossier.procedure_version
    files = [
        {
            "name": stored.original_name,
            "component": stored.component.name if stored.component else "",
            "size": kilobytes(stored.size),
        }
        for stored in dossier.files.select_related("component")
    ]
    context: dict[str, Any] = {
        "dossier": dossier,
        "agency_name": dossier.receiving_agency.name,
        "procedure_name": version.name,
        "procedure_code": version.procedure.national_code,
        "submitted_at": vietnam_time(dossier.submitted_at),
        "files": files,
        "lookup_url": lookup_url,
        "qr": qr_svg_data_uri(lookup_url),
    }
    return render_pdf("dossiers/pdf/acknowledgement.html", context)


def receipt_pdf(dossier: Dossier, *, lookup_url: str) -> bytes:
    """Form 01 (TT 01/2018, same in TT 03/2025): Giấy tiếp nhận hồ sơ và hẹn trả kết quả, A5, with a QR code."""
    from egov.dossiers.services import visible_components

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
    return render_pdf("dossiers/pdf/receipt.html", context)
