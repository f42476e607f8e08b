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
