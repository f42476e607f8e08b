"""The citizen's acknowledgement of a filed dossier (PDF with a QR code to the look-up)."""

from __future__ import annotations

from typing import Any

from egov.core.pdf import kilobytes, qr_svg_data_uri, render_pdf, vietnam_time
from egov.dossiers.models import Dossier


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
    return render_pdf("submission/acknowledgement.html", context)
