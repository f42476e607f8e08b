"""The citizen's PDFs: the acknowledgement of a filed dossier (with a QR code to the look-up) and a
procedure's declaration form (tờ khai), blank or filled from a draft."""

from __future__ import annotations

from typing import Any

from egov.catalog import formdef, lists
from egov.catalog.models import ProcedureVersion
from egov.catalog.web_forms import display_value
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


def _declared(spec: dict[str, Any], values: dict[str, Any] | None) -> dict[str, Any]:
    """One field of the declaration: its label and, filled, its value; blank, the choices to tick."""
    item: dict[str, Any] = {"label": spec["label"], "type": spec["type"], "value": ""}
    if values is not None and spec["key"] in values:
        item["value"] = display_value(spec, values[spec["key"]])
    elif spec["type"] == "yes_no":
        item["choices"] = ["Có", "Không"]
    elif spec["type"] in {"choice", "multichoice"} and not spec.get("options_from"):
        options = lists.options(spec)
        if len(options) <= 8:
            item["choices"] = [label for _, label in options]
    return item


def declaration_pdf(
    version: ProcedureVersion,
    *,
    values: dict[str, Any] | None = None,
    agency_name: str = "",
    declarant: str = "",
) -> bytes:
    """The procedure's declaration form (tờ khai) as A4 PDF, drawn from its online form: blank (``values``
    None: dotted lines and boxes to tick, to fill by hand) or filled with a draft's answers."""
    sections = []
    for step in formdef.steps(version.form_definition):
        fields = []
        for spec in step.get("fields", []):
            if values is not None and not formdef.is_visible(spec, values):
                continue
            if spec["type"] == "group":
                rows = values.get(spec["key"], []) if values is not None else [{}, {}]
                fields.append(
                    {
                        "label": spec["label"],
                        "type": "group",
                        "heads": [member["label"] for member in spec["fields"]],
                        "rows": [
                            [
                                display_value(member, row[member["key"]]) if member["key"] in row else ""
                                for member in spec["fields"]
                            ]
                            for row in rows
                        ],
                    }
                )
            else:
                fields.append(_declared(spec, values))
        sections.append({"title": step["title"], "fields": fields})
    context = {
        "title": f"Tờ khai {version.name[0].lower()}{version.name[1:]}",
        "procedure_code": version.procedure.national_code,
        "sections": sections,
        "filled": values is not None,
        "agency_name": agency_name,
        "declarant": declarant,
    }
    return render_pdf("submission/declaration.html", context)
