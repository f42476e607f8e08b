"""The citizen's acknowledgement of a filed dossier (PDF with a QR code to the look-up)."""

from __future__ import annotations

from typing import Any

from egov.core.pdf import kilobytes, qr_svg_data_uri, render_pdf, vietnam_time
from egov.dossiers.models import Dossier

FILES_NAMED = 3


def acknowledgement_pdf(dossier: Dossier, *, lookup_url: str) -> bytes:
    """The acknowledgement of ``dossier`` as PDF bytes (A5), with a QR code of ``lookup_url``, the public page
    where the applicant can follow the dossier."""
    version = dossier.procedure_version
    papers: dict[str, list[str]] = {}
    for stored in dossier.files.select_related("component").order_by("component__order", "slot", "id"):
        papers.setdefault(stored.component.name if stored.component else "", []).append(
            f"{stored.original_name} ({kilobytes(stored.size)})"
        )
    # One row per paper, its files named after it; a paper scanned as many files names the first ones and
    # counts the rest, so that a normal dossier's acknowledgement stays on one A5 page.
    files = [
        {
            "component": component,
            "names": names[:FILES_NAMED],
            "more": len(names) - FILES_NAMED if len(names) > FILES_NAMED else 0,
        }
        for component, names in papers.items()
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
