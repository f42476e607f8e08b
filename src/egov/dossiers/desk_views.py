"""The one-stop desk's pages for officers: the worklist and one dossier with the receiving decisions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from egov.accounts.decorators import officer_required
from egov.accounts.roles import Role
from egov.accounts.scopes import holds_role
from egov.core.errors import DomainError
from egov.dossiers import receiving, selectors
from egov.dossiers.models import StoredFile
from egov.dossiers.pdf import receipt_pdf
from egov.dossiers.web_forms import review_rows

SUPPLEMENT_ROWS = 5


@officer_required
def worklist(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab", "moi")
    if tab not in selectors.WORKLIST_TABS:
        tab = "moi"
    query = request.GET.get("q", "")[:100]
    page = Paginator(selectors.desk_worklist(request.user, tab=tab, query=query), 25).get_page(
        request.GET.get("trang")
    )
    context = {"tabs": selectors.WORKLIST_TABS, "tab": tab, "query": query, "page": page}
    return render(request, "dossiers/desk/worklist.html", context)


@officer_required
def dossier(request: HttpRequest, code: str) -> HttpResponse:
    found = selectors.dossier_for_officer(request.user, code)
    if found is None:
        raise Http404
    context = {
        "dossier": found,
        "sections": review_rows(found.procedure_version.form_definition, found.form_data),
        "can_receive": holds_role(request.user, found.receiving_agency, Role.RECEIVING_OFFICER)
        and found.status == "new",
        "supplement_rows": range(SUPPLEMENT_ROWS),
    }
    return render(request, "dossiers/desk/dossier.html", context)


@officer_required
@require_POST
def decide(request: HttpRequest, code: str) -> HttpResponse:
    found = selectors.dossier_for_officer(request.user, code)
    if found is None:
        raise Http404
    try:
        expected = int(request.POST.get("version", ""))
    except ValueError:
        expected = -1
    decision = request.POST.get("decision")
    try:
        if decision == "receive":
            found = receiving.receive(dossier=found, officer=request.user, expected_version=expected)
            messages.success(
                request, f"Đã tiếp nhận hồ sơ {found.code}; hẹn trả {found.due_at:%H:%M %d/%m/%Y}."
            )
        elif decision == "supplement":
            items = [
                {
                    "name": request.POST.get(f"item-{i}-name", ""),
                    "reason": request.POST.get(f"item-{i}-reason", ""),
                }
                for i in range(SUPPLEMENT_ROWS)
            ]
            receiving.request_supplement(
                dossier=found, officer=request.user, items=items, expected_version=expected
            )
            messages.success(request, "Đã gửi yêu cầu bổ sung cho người nộp.")
        elif decision == "refuse":
            receiving.refuse(
                dossier=found,
                officer=request.user,
                reason=request.POST.get("reason", ""),
                expected_version=expected,
            )
            messages.success(request, "Đã từ chối tiếp nhận và báo cho người nộp.")
        else:
            messages.error(request, "Thao tác không hợp lệ.")
    except (DomainError, ValidationError) as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect("dossiers:desk_dossier", code=code)


@officer_required
def desk_download(request: HttpRequest, code: str, file_id: int) -> FileResponse:
    found = selectors.dossier_for_officer(request.user, code)
    if found is None:
        raise Http404
    item = get_object_or_404(StoredFile, pk=file_id, dossier=found)
    return FileResponse(
        item.file.open("rb"), as_attachment=True, filename=item.original_name, content_type=item.content_type
    )


@officer_required
def receipt(request: HttpRequest, code: str) -> HttpResponse:
    found = selectors.dossier_for_officer(request.user, code)
    if found is None or found.received_at is None:
        raise Http404
    lookup = request.build_absolute_uri(reverse("dossiers:lookup")) + f"?ma={code}"
    response = HttpResponse(receipt_pdf(found, lookup_url=lookup), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="giay-tiep-nhan-{code}.pdf"'
    return response
