"""API for applicants' software: submit a dossier (form data + files), list and read one's dossiers, and the
public look-up by code. Same validation and the same Vietnamese errors as the web pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from egov.core import throttle
from egov.core.errors import Conflict, ScopeDenied
from egov.dossiers import selectors
from egov.dossiers.models import Dossier, DossierEvent
from egov.dossiers.statuses import NATIONAL_STATUS_CODE, DossierStatus


class EventOut(Schema):
    at: dt.datetime
    status: str
    status_label: str
    agency: str | None


class LookupOut(Schema):
    code: str
    procedure: str
    receiving_agency: str
    submitted_at: dt.datetime
    status: str
    status_label: str
    national_status: int
    timeline: list[EventOut]


class FileOut(Schema):
    slot: str
    name: str
    content_type: str
    size: int
    sha256: str


class DossierOut(LookupOut):
    procedure_code: str
    procedure_version: int
    channel: int
    applicant_name: str
    applicant_id_number: str
    form_data: dict[str, Any]
    files: list[FileOut]


class ErrorOut(Schema):
    detail: str
    errors: list[dict[str, str]] = []
    # machine-readable: ``conflict`` (409: someone acted meanwhile), ``forbidden`` (403), ``refused`` (400: a
    # rule or the dossier's state), ``invalid`` (422: a field of the wrong type, missing or out of bounds)
    code: str = ""


def refused(exc: Exception) -> Status[dict[str, Any]]:
    """A service's refusal as the API answers it: 409 ``conflict`` when someone acted meanwhile, 403
    ``forbidden`` when the account may not act, 400 ``refused`` when the dossier's state or the input refuses."""
    if isinstance(exc, Conflict):
        return Status(409, {"detail": " ".join(exc.messages), "code": "conflict"})
    if isinstance(exc, ScopeDenied):
        return Status(403, {"detail": str(exc), "code": "forbidden"})
    assert isinstance(exc, ValidationError)
    return Status(400, {"detail": " ".join(exc.messages), "code": "refused"})


def _timeline(dossier: Dossier, events: list[DossierEvent] | None = None) -> list[dict[str, Any]]:
    return [
        {
            "at": e.at,
            "status": e.to_status,
            "status_label": DossierStatus(e.to_status).label,
            "agency": e.actor_agency.name if e.actor_agency else None,
        }
        for e in (dossier.events.all() if events is None else events)
    ]


def _lookup(dossier: Dossier, events: list[DossierEvent] | None = None) -> dict[str, Any]:
    return {
        "code": dossier.code, "procedure": dossier.procedure_version.name,
        "receiving_agency": dossier.receiving_agency.name, "submitted_at": dossier.submitted_at,
        "status": dossier.status, "status_label": dossier.get_status_display(),
        "national_status": NATIONAL_STATUS_CODE[DossierStatus(dossier.status)], "timeline": _timeline(dossier, events),
    }  # fmt: skip


def _full(
    dossier: Dossier, *, files: list[Any] | None = None, events: list[DossierEvent] | None = None
) -> dict[str, Any]:
    return {
        **_lookup(dossier, events), "procedure_code": dossier.procedure_version.procedure.national_code,
        "procedure_version": dossier.procedure_version.number, "channel": dossier.channel,
        "applicant_name": dossier.applicant_name, "applicant_id_number": dossier.applicant_id_number,
        "form_data": dossier.form_data,
        "files": [{"slot": f.slot, "name": f.original_name, "content_type": f.content_type, "size": f.size,
                   "sha256": f.sha256} for f in (dossier.files.all() if files is None else files)],
    }  # fmt: skip


def _errors(exc: ValidationError) -> list[dict[str, str]]:
    if hasattr(exc, "error_dict"):
        return [
            {"field": field, "message": message}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"field": "", "message": message} for message in exc.messages]


lookup_router = Router()


@lookup_router.get(
    "/{code}",
    response={200: LookupOut, 404: ErrorOut, 429: ErrorOut},
    summary="Tra cứu tình trạng hồ sơ theo mã (không cần đăng nhập; giới hạn số lần tra cứu mỗi máy)",
)
def lookup(request: HttpRequest, code: str, response: HttpResponse) -> Any:
    wait = throttle.hit(request, "lookup", throttle.client_ip(request))
    if wait:
        response["Retry-After"] = str(wait)
        return Status(429, {"detail": throttle.too_many_message(wait)})
    dossier = selectors.public_lookup(code)
    if dossier is None:
        raise Http404
    return _lookup(dossier)
