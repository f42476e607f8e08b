"""The one-stop desk's pages for officers: the worklist and one dossier with the receiving decisions."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

from egov.accounts.decorators import officer_required
from egov.accounts.roles import Role
from egov.accounts.scopes import assignments_of
from egov.catalog import formdef
from egov.catalog.selectors import procedure_detail, published
from egov.catalog.web_forms import bound_fields, raw_from_post, review_rows
from egov.core.api_types import MAX_VERSION
from egov.core.errors import DomainError
from egov.core.untrusted import whole_number
from egov.core.views import error_response
from egov.dossiers import services
from egov.dossiers.models import DossierResult, ReturnMethod, StoredFile
from egov.dossiers.statuses import Channel, DossierStatus
from egov.onestop import actions, result_forms
from egov.onestop import intake as onestop_intake
from egov.onestop import selectors as onestop_selectors
from egov.onestop import workbench as onestop_workbench
from egov.onestop.actions import SUPPLEMENT_ROWS
from egov.onestop.forms import pdf
from egov.onestop.forms.issued import FORMS, NotYetIssued, form_response, served_form
from egov.onestop.forms.registers import register_workbook
from egov.signing.services import verify_pdf
from egov.units.forms import PICK_ACTION


def _filters(request: HttpRequest) -> onestop_selectors.WorklistFilters:
    def day(name: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return None

    channel = request.GET.get("kenh", "")
    return onestop_selectors.WorklistFilters(
        query=request.GET.get("q", "")[:100],
        procedure=onestop_selectors.procedure_code(request.GET.get("thu_tuc", "")[:600])[:40],
        sector=request.GET.get("linh_vuc", "")[:40],
        channel=int(channel) if channel in ("1", "2", "3") else None,
        status=request.GET.get("trang_thai", "")
        if request.GET.get("trang_thai") in DossierStatus.values
        else "",
        submitted_from=day("tu_ngay"),
        submitted_to=day("den_ngay"),
    )


def workbench_panel(request: HttpRequest) -> SafeString:
    """The one-stop part of the officer's start page (registered with :mod:`egov.accounts.desk`): the counts
    of their worklist tabs and what waits for them today."""
    bench = onestop_workbench.workbench(request.user)
    return render_to_string("onestop/desk/_workbench.html", {"bench": bench}, request=request)


@officer_required
def worklist(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab", "moi")
    if tab not in onestop_selectors.WORKLIST_TABS:
        tab = "moi"
    filters = _filters(request)
    page = onestop_selectors.CappedPaginator(
        onestop_selectors.officer_worklist(request.user, tab=tab, filters=filters), 25, filters=filters
    ).get_page(request.GET.get("trang"))
    kept = request.GET.copy()
    kept.pop("trang", None)
    counts = onestop_workbench.tab_counts(request.user)
    choices = onestop_selectors.filter_choices(tab)
    context = {
        "tabs": [
            (key, label, onestop_workbench.count_label(counts[key]))
            for key, label in onestop_selectors.WORKLIST_TABS.items()
        ],
        "tab": tab,
        "tab_label": onestop_selectors.WORKLIST_TABS[tab],
        "filters": filters,
        "procedure_text": request.GET.get("thu_tuc", "")[:600] if filters.procedure else "",
        "query": filters.query,
        "page": page,
        "kept": kept.urlencode(),
        "choices": choices,
        "statuses": choices.statuses,
        "channels": Channel.choices,
        "now": timezone.now(),
    }
    return render(request, "onestop/desk/worklist.html", context)


@officer_required
def dossier(request: HttpRequest, code: str) -> HttpResponse:
    found = onestop_selectors.dossier_detail_for_officer(request.user, code)
    if found is None:
        raise Http404
    view = onestop_selectors.officer_view(request.user, found)
    context = {
        "dossier": found,
        "sections": review_rows(found.procedure_version.form_definition, found.form_data),
        "can_receive": "receive" in view.actions,
        "view": view,
        "actions": view.actions,
        "supplement_rows": range(SUPPLEMENT_ROWS),
        "return_methods": ReturnMethod.choices,
        "result": getattr(found, "result", None),  # read with the dossier
        "apology": getattr(found, "apology", None),
        "issue_fields": [
            {**spec, "name": result_forms.ISSUE_INPUT_PREFIX + spec["key"]}
            for spec in result_forms.issue_fields(found.procedure_version.procedure.national_code)
        ],
    }
    return render(request, "onestop/desk/dossier.html", context)


@officer_required
@require_POST
def decide(request: HttpRequest, code: str) -> HttpResponse:
    found = onestop_selectors.dossier_for_officer(request.user, code)
    if found is None:
        raise Http404
    expected = whole_number(request.POST.get("version", ""), maximum=MAX_VERSION)
    if expected is None:
        expected = -1
    inputs = actions.Inputs(
        values=request.POST.dict(), files={k: request.FILES.getlist(k) for k in request.FILES}
    )
    try:
        message = actions.perform(
            request.POST.get("decision", ""),
            dossier=found,
            officer=request.user,
            expected_version=expected,
            inputs=inputs,
        )
        messages.success(request, message)
    except (DomainError, ValidationError) as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect("onestop:desk_dossier", code=code)


@officer_required
def form_pdf(request: HttpRequest, code: str, form: str) -> HttpResponse:
    """Forms 01–05 and the stop notice of a dossier as issued (signed by the agency when it has a
    certificate); 404 when the dossier has not reached the form."""
    found = onestop_selectors.dossier_for_officer(request.user, code)
    if found is None or form not in FORMS:
        raise Http404
    try:
        content, signed = served_form(found, form)
    except ValueError:
        raise Http404 from None
    except NotYetIssued:
        return _not_yet(request)
    return form_response(content, signed=signed, form=form, code=code)


@officer_required
def result_draft(request: HttpRequest, code: str) -> HttpResponse:
    """The result as the procedure's template would make it now, marked as a draft, for the leader who approves
    it: rendered on each request, neither signed nor stored (the clerk's issue makes the real one)."""
    found = onestop_selectors.dossier_for_officer(request.user, code)
    if found is None or found.status not in onestop_selectors.OPEN:
        raise Http404
    content = pdf.result_pdf(
        found,
        document_number="DỰ THẢO",
        title=found.procedure_version.result[:300] or found.procedure_version.name,
        issued_at=timezone.now(),
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="du-thao-ket-qua-{code}.pdf"'
    return response


@officer_required
def result_download(request: HttpRequest, code: str) -> FileResponse:
    found = onestop_selectors.dossier_for_officer(request.user, code)
    result = DossierResult.objects.filter(dossier=found).first() if found else None
    if result is None:
        raise Http404
    return FileResponse(
        result.file.open("rb"), filename=f"ket-qua-{code}.pdf", content_type="application/pdf"
    )


@officer_required
def register(request: HttpRequest) -> HttpResponseBase:
    """Form 06: the register of a desk where the officer receives dossiers, per year, as PDF or Excel."""

    desks = sorted(
        {a.agency for a in assignments_of(request.user) if a.role == Role.RECEIVING_OFFICER},
        key=lambda a: a.code,
    )
    year_text = request.GET.get("nam", "")
    agency_code = request.GET.get("co_quan", "")
    fmt = request.GET.get("dinh_dang", "")
    if fmt in ("pdf", "xlsx"):
        year = whole_number(year_text, maximum=dt.MAXYEAR - 1)
        if year is None or year < 1900:
            return error_response(request, 400, "Năm phải là một số từ 1900 đến 9998, ví dụ 2024.")
        agency = next((a for a in desks if a.code == agency_code), None)
        if agency is None:
            raise Http404
        if fmt == "xlsx":
            return FileResponse(
                register_workbook(agency=agency, year=year),
                as_attachment=True,
                filename=f"so-theo-doi-ho-so-{year}-{agency.code}.xlsx",
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        rows = onestop_selectors.register_rows(agency=agency, year=year)
        response = HttpResponse(
            pdf.register_pdf(agency=agency, year=year, rows=rows), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'inline; filename="so-theo-doi-ho-so-{year}-{agency.code}.pdf"'
        return response
    context = {"desks": desks, "years": onestop_selectors.register_years(desks)}
    return render(request, "onestop/desk/register.html", context)


@officer_required
def desk_download(request: HttpRequest, code: str, file_id: int) -> FileResponse:
    found = onestop_selectors.dossier_for_officer(request.user, code)
    if found is None:
        raise Http404
    item = get_object_or_404(StoredFile, pk=file_id, dossier=found)
    return FileResponse(
        item.file.open("rb"), as_attachment=True, filename=item.original_name, content_type=item.content_type
    )


@officer_required
def receipt(request: HttpRequest, code: str) -> HttpResponseBase:
    return form_pdf(request, code, "01")


APPLICANT_FIELDS = (
    ("name", "Họ tên người nộp (hoặc tên tổ chức)", True),
    ("id_number", "Số CCCD / mã số thuế", False),
    ("phone", "Điện thoại", False),
    ("email", "Thư điện tử (để nhận thông báo)", False),
    ("address", "Địa chỉ", False),
)


@officer_required
def intake(request: HttpRequest) -> HttpResponse:
    """Paper dossiers brought to the desk or received by post: choose the procedure, then enter everything."""

    desks = sorted(
        {a.agency for a in assignments_of(request.user) if a.role == Role.RECEIVING_OFFICER},
        key=lambda a: a.code,
    )
    if not desks:
        raise PermissionDenied("Chỉ cán bộ tiếp nhận mới nhập hồ sơ tại quầy.")
    code = request.GET.get("thu_tuc", "").strip()
    if not code:
        levels = {d.unit.kind.level.code for d in desks}
        versions = published().filter(levels__code__in=levels).distinct().order_by("name")
        return render(request, "onestop/desk/intake_pick.html", {"versions": versions, "desks": desks})
    version = procedure_detail(code)
    if version is None:
        raise Http404
    offered = services.desks_for(version)
    desk = next((d for d in desks if offered.filter(pk=d.pk).exists()), None)
    if desk is None:
        messages.error(request, "Bộ phận một cửa của bạn không tiếp nhận thủ tục này.")
        return redirect("onestop:desk_intake")
    specs = list(formdef.top_fields(version.form_definition))
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    extra_rows: dict[str, int] = {}
    applicant = {name: "" for name, _, _ in APPLICANT_FIELDS}
    channel = Channel.IN_PERSON
    if request.method == "POST":
        values = raw_from_post(specs, request.POST)
        applicant = {name: request.POST.get(f"applicant-{name}", "") for name, _, _ in APPLICANT_FIELDS}
        channel = (
            Channel.POST if request.POST.get("channel") == str(Channel.POST.value) else Channel.IN_PERSON
        )
        action = request.POST.get("action", "save")
        if action.startswith("add:"):
            extra_rows[action[4:]] = 1
        elif action.startswith(PICK_ACTION):
            pass  # without JavaScript: a province was chosen in an address; draw the form with its communes
        else:
            uploads = {c.key: request.FILES.getlist(f"file-{c.key}") for c in version.components.all()}
            try:
                created, _ = onestop_intake.intake_paper_dossier(
                    officer=request.user,  # type: ignore[arg-type]
                    version=version,
                    agency=desk,
                    channel=channel,
                    applicant=applicant,
                    raw=values,
                    uploads={k: v for k, v in uploads.items() if v},
                    idempotency_key=request.POST.get("key", ""),
                )
                messages.success(
                    request, f"Đã nhập hồ sơ {created.code}. Kiểm tra rồi tiếp nhận để in giấy hẹn."
                )
                return redirect("onestop:desk_dossier", code=created.code)
            except ValidationError as exc:
                errors = exc.message_dict
            except DomainError as exc:
                errors = {"__all__": list(exc.messages)}
    context = {
        "version": version,
        "desk": desk,
        "applicant_fields": [
            (name, label, required, applicant[name], errors.get(f"applicant.{name}", []))
            for name, label, required in APPLICANT_FIELDS
        ],
        "fields": bound_fields(specs, values, errors, extra_rows=extra_rows),
        "components": [
            {"component": c, "errors": errors.get(f"files.{c.key}", [])} for c in version.components.all()
        ],
        "channel": channel,
        "key": request.POST.get("key") or uuid.uuid4().hex,
        "error_list": [(k, m) for k, ms in errors.items() for m in ms],
    }
    return render(request, "onestop/desk/intake.html", context, status=400 if errors else 200)


@officer_required
def verify_file(request: HttpRequest, code: str, file_id: int) -> HttpResponse:
    """Check the digital signatures of a PDF the applicant attached, with the platform's verifier."""

    found = onestop_selectors.dossier_for_officer(request.user, code)
    if found is None:
        raise Http404
    item = get_object_or_404(StoredFile, pk=file_id, dossier=found)
    if item.content_type != "application/pdf":
        raise Http404
    with item.file.open("rb") as handle:
        report = verify_pdf(handle.read())
    return render(request, "signing/verify.html", {"report": report, "file_name": item.original_name})


def _not_yet(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        "Phiếu đang được ban hành (ký số và lưu); hãy tải lại sau ít giây.",
        status=503,
        content_type="text/plain; charset=utf-8",
        headers={"Retry-After": "5"},
    )
