"""The citizen's path: start a dossier, fill each step, attach papers, review, submit, follow it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from egov.catalog import formdef
from egov.catalog.selectors import procedure_detail, visible_components
from egov.catalog.web_forms import bound_fields, raw_from_post, review_rows
from egov.core.api_types import MAX_VERSION
from egov.core.errors import DomainError, ScopeDenied
from egov.core.sms import sms_enabled
from egov.core.untrusted import whole_number
from egov.dossiers import services
from egov.dossiers.lifecycle import can_follow
from egov.dossiers.models import Draft, StoredFile
from egov.dossiers.statuses import DossierStatus
from egov.dossiers.uploads import allowed_kinds_label
from egov.dossiers.views import _lookup_url
from egov.submission import selectors as submission_selectors
from egov.submission import services as submission_services
from egov.submission.pdf import acknowledgement_pdf, declaration_pdf
from egov.units.forms import PICK_ACTION


@login_required
def start(request: HttpRequest, national_code: str) -> HttpResponse:
    version = procedure_detail(national_code)
    if version is None:
        raise Http404
    try:
        draft = submission_services.start_draft(user=request.user, version=version)  # type: ignore[arg-type]
    except ScopeDenied as exc:
        messages.error(request, str(exc))
        return redirect("catalog:detail", national_code=national_code)
    except DomainError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("catalog:detail", national_code=national_code)
    return redirect("submission:step", draft_id=draft.pk, index=min(draft.step, _last_index(draft)))


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def blank_declaration(request: HttpRequest, national_code: str) -> HttpResponse:
    """The procedure's declaration form, blank, to fill by hand (public, like the procedure's page)."""
    version = procedure_detail(national_code)
    if version is None:
        raise Http404
    return _pdf(declaration_pdf(version), f"to-khai-{national_code}.pdf")


@login_required
def draft_declaration(request: HttpRequest, draft_id: int) -> HttpResponse:
    """The declaration form filled with the answers of the citizen's draft so far."""
    draft = _draft(request, draft_id)
    version = draft.procedure_version
    content = declaration_pdf(
        version,
        values=draft.data,
        agency_name=draft.receiving_agency.name if draft.receiving_agency else "",
        declarant=request.user.full_name,  # type: ignore[union-attr]
    )
    return _pdf(content, f"to-khai-{version.procedure.national_code}.pdf")


def _steps(draft: Draft) -> list[str]:
    titles = [s["title"] for s in formdef.steps(draft.procedure_version.form_definition)]
    return ["Nơi nộp hồ sơ", *titles, "Giấy tờ đính kèm", "Xem lại và nộp"]


def _last_index(draft: Draft) -> int:
    return len(_steps(draft)) - 1


def _draft(request: HttpRequest, draft_id: int) -> Draft:
    return get_object_or_404(
        Draft.objects.select_related("procedure_version__procedure", "receiving_agency").prefetch_related(
            "procedure_version__levels", "procedure_version__components"
        ),
        pk=draft_id,
        owner=request.user,
    )


@login_required
def step(request: HttpRequest, draft_id: int, index: int) -> HttpResponse:
    draft = _draft(request, draft_id)
    titles = _steps(draft)
    last = len(titles) - 1
    if index > min(draft.step, last) or index < 0:
        return redirect("submission:step", draft_id=draft.pk, index=min(draft.step, last))
    # Opened from the review page's “Sửa” link: saving the step goes back to the review, not to the next step.
    to_review = draft.step >= last and REVIEW_RETURN in (request.GET.get("ve"), request.POST.get("ve"))
    context: dict[str, Any] = {
        "draft": draft,
        "version": draft.procedure_version,
        "titles": titles,
        "index": index,
        "last": last,
        "to_review": to_review,
        "review_return": REVIEW_RETURN,
    }
    if index == 0:
        return _desk_step(request, draft, context)
    if index == last - 1:
        return _files_step(request, draft, context)
    if index == last:
        return _review_step(request, draft, context)
    return _form_step(request, draft, context, index - 1)


REVIEW_RETURN = "xem-lai"  # ``?ve=xem-lai``: the step was opened to correct it from the review page


def _advance(draft: Draft, index: int, context: dict[str, Any]) -> HttpResponse:
    """After step ``index`` is saved: the next step, or back to the review page when opened from it."""
    if context.get("to_review"):
        return redirect("submission:step", draft_id=draft.pk, index=context["last"])
    if draft.step < index + 1:
        Draft.objects.filter(pk=draft.pk).update(step=index + 1)
    return redirect("submission:step", draft_id=draft.pk, index=index + 1)


def _desk_step(request: HttpRequest, draft: Draft, context: dict[str, Any]) -> HttpResponse:
    desks = list(services.desks_for(draft.procedure_version))
    errors: list[str] = []
    if request.method == "POST":
        try:
            submission_services.choose_desk(draft=draft, agency_id=request.POST.get("agency"))
            return _advance(draft, 0, context)
        except ValidationError as exc:
            errors = exc.message_dict["agency"]
    context.update({"desks": desks, "desk_errors": errors})
    return render(request, "submission/step_desk.html", context, status=400 if errors else 200)


def _form_step(request: HttpRequest, draft: Draft, context: dict[str, Any], form_index: int) -> HttpResponse:
    definition = draft.procedure_version.form_definition
    specs = list(formdef.top_fields(definition, [form_index]))
    values, errors, extra_rows = draft.data, {}, {}
    if request.method == "POST":
        raw = raw_from_post(specs, request.POST)
        action = request.POST.get("action", "next")
        if action.startswith("add:"):
            extra_rows[action[4:]] = 1
            values = {**draft.data, **raw}
        elif action.startswith(PICK_ACTION):
            # Without JavaScript: a province was chosen in an address; draw the step with its communes.
            values = {**draft.data, **raw}
        elif action.startswith("remove:"):
            group, _, position = action[7:].partition(":")
            rows, index = raw.get(group), whole_number(position)
            if isinstance(rows, list) and index is not None and index < len(rows):
                rows.pop(index)
            values = {**draft.data, **raw}
        else:
            cleaned = submission_services.save_step(draft=draft, step_index=form_index, raw=raw)
            if cleaned.ok:
                advanced = _advance(draft, form_index + 1, context)
                if action == "save":
                    messages.success(request, "Đã lưu bản nháp. Bạn có thể quay lại hoàn thành sau.")
                    return redirect("submission:mine")
                return advanced
            values, errors = {**draft.data, **raw}, cleaned.errors
    context.update(
        {
            "fields": bound_fields(
                specs, values, errors, extra_rows=extra_rows, rules=formdef.rules(definition)
            ),
            "error_list": _error_list(specs, errors),
        }
    )
    return render(request, "submission/step_form.html", context, status=400 if errors else 200)


def _error_list(specs: list[dict[str, Any]], errors: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(anchor, message) pairs for the error summary, in the order of the form."""
    out: list[tuple[str, str]] = []
    for spec in specs:
        for path, messages_ in errors.items():
            if path == spec["key"] or path.startswith(spec["key"] + "."):
                anchor = "f-" + path.replace(".", "__")
                out.extend((anchor, message) for message in messages_)
    return out


def _files_step(request: HttpRequest, draft: Draft, context: dict[str, Any]) -> HttpResponse:
    version = draft.procedure_version
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if request.POST.get("remove"):
            file_id = whole_number(request.POST["remove"])
            if file_id is not None:
                submission_services.remove_file(draft=draft, file_id=file_id)
                return redirect(request.get_full_path())
            # Not an id the page ever sends: say so on the step instead of failing.
            errors[""] = ["Không tìm thấy tệp cần xóa; hãy tải lại trang rồi thử lại."]
        else:
            for component in visible_components(version, draft.data):
                uploads = request.FILES.getlist(f"file-{component.key}")
                if uploads:
                    try:
                        submission_services.add_files(draft=draft, slot=component.key, uploads=uploads)
                    except DomainError as exc:
                        errors[component.key] = list(exc.messages)
            if not errors and request.POST.get("action") == "next":
                present = set(StoredFile.objects.filter(draft=draft).values_list("slot", flat=True))
                missing = services.missing_papers(visible_components(version, draft.data), present)
                errors.update({key: [message] for key, message in missing.items()})
                if not errors:
                    return _advance(draft, context["index"], context)
            elif not errors:
                return redirect(request.get_full_path())
    files = list(StoredFile.objects.filter(draft=draft).order_by("id"))
    components = [
        {"component": c, "files": [f for f in files if f.slot == c.key], "errors": errors.get(c.key, [])}
        for c in visible_components(version, draft.data)
    ]
    context.update(
        {
            "components": components,
            "kinds": allowed_kinds_label(),
            "max_file_mb": settings.EGOV_UPLOAD_MAX_FILE_MB,
            "max_dossier_mb": settings.EGOV_UPLOAD_MAX_DOSSIER_MB,
            "error_list": [(f"file-{k}" if k else "noi-dung", m) for k, ms in errors.items() for m in ms],
        }
    )
    return render(request, "submission/step_files.html", context, status=400 if errors else 200)


def _review_step(request: HttpRequest, draft: Draft, context: dict[str, Any]) -> HttpResponse:
    version = draft.procedure_version
    files = list(StoredFile.objects.filter(draft=draft).select_related("component").order_by("slot", "id"))
    sections = review_rows(version.form_definition, draft.data)
    for number, section in enumerate(sections, start=1):  # the form's steps come after the desk (step 0)
        section["edit_step"] = number
    context.update({"sections": sections, "files": files, "files_step": context["last"] - 1})
    return render(request, "submission/step_review.html", context)


@login_required
@require_POST
def submit(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = Draft.objects.filter(pk=draft_id, owner=request.user).select_related("procedure_version").first()  # type: ignore[misc]
    if draft is None:
        # A second click after the first one succeeded: the draft is gone, the dossier exists.
        code = request.POST.get("submission_key", "")
        dossier = request.user.dossiers.filter(idempotency_key=code).first()  # type: ignore[union-attr]
        if dossier is not None:
            return redirect("submission:submitted", code=dossier.code)
        raise Http404
    if request.POST.get("submission_key") != str(draft.submission_key):
        messages.error(request, "Biểu mẫu đã cũ; hãy xem lại và bấm Nộp hồ sơ một lần nữa.")
        return redirect("submission:step", draft_id=draft.pk, index=_last_index(draft))
    try:
        dossier, _created = submission_services.submit_draft(draft=draft)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("submission:step", draft_id=draft.pk, index=_last_index(draft))
    return redirect("submission:submitted", code=dossier.code)


@login_required
def submitted(request: HttpRequest, code: str) -> HttpResponse:
    dossier = submission_selectors.dossier_for_owner(request.user, code)
    if dossier is None:
        raise Http404
    return render(
        request, "submission/submitted.html", {"dossier": dossier, "lookup_url": _lookup_url(request, code)}
    )


@login_required
def acknowledgement(request: HttpRequest, code: str) -> HttpResponse:
    dossier = submission_selectors.dossier_for_owner(request.user, code)
    if dossier is None:
        raise Http404
    pdf = acknowledgement_pdf(dossier, lookup_url=_lookup_url(request, code))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="phieu-xac-nhan-{code}.pdf"'
    return response


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "submission/mine.html",
        {
            "dossiers": submission_selectors.my_dossiers(request.user)[:200],
            "drafts": submission_selectors.my_drafts(request.user)[:50],
        },
    )


NOTICES_SHOWN = 100


@login_required
def notices(request: HttpRequest) -> HttpResponse:
    """“Thông báo”: what happened to my dossiers, newest first, unread ones marked; “mark all read”."""
    if request.method == "POST":
        submission_services.mark_notices_read(user=request.user)
        return redirect("submission:notices")
    shown = list(submission_selectors.my_notices(request.user)[:NOTICES_SHOWN])
    unread = sum(1 for notice in shown if notice.read_at is None)
    context = {"notices": shown, "unread": unread, "sms": sms_enabled()}
    return render(request, "submission/notices.html", context)


@login_required
def open_notice(request: HttpRequest, notice_id: int) -> HttpResponse:
    """Follow a notice to its dossier; it is read from then on."""
    notice = get_object_or_404(submission_selectors.my_notices(request.user), pk=notice_id)
    submission_services.mark_notices_read(user=request.user, notice_id=notice.pk)
    return redirect("submission:detail", code=notice.dossier.code)


@login_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    dossier = submission_selectors.dossier_for_owner(request.user, code)
    if dossier is None:
        raise Http404
    sections = review_rows(dossier.procedure_version.form_definition, dossier.form_data)
    pending = None
    if dossier.status == DossierStatus.SUPPLEMENT_REQUESTED:
        pending = (
            dossier.supplement_requests.filter(completed_at__isnull=True).order_by("-requested_at").first()
        )
    result = getattr(dossier, "result", None)
    context = {
        "dossier": dossier,
        "sections": sections,
        "pending_supplement": pending,
        "components": dossier.procedure_version.components.all() if pending else [],
        "can_withdraw": can_follow(dossier.status, DossierStatus.WITHDRAWN),
        "result": result if result and result.returned_at and result.return_method == "online" else None,
        "apology": getattr(dossier, "apology", None),
    }
    return render(request, "submission/detail.html", context)


@login_required
@require_POST
def citizen_action(request: HttpRequest, code: str) -> HttpResponse:
    """Withdraw the dossier, or add the papers the desk asked for."""
    dossier = submission_selectors.dossier_for_owner(request.user, code)
    if dossier is None:
        raise Http404
    expected = whole_number(request.POST.get("version", ""), maximum=MAX_VERSION)
    if expected is None:
        expected = -1
    try:
        if request.POST.get("action") == "withdraw":
            submission_services.withdraw(
                dossier=dossier,
                applicant=request.user,
                reason=request.POST.get("reason", ""),
                expected_version=expected,
            )
            messages.success(request, "Đã rút hồ sơ.")
        elif request.POST.get("action") == "supplement":
            uploads = {
                c.key: request.FILES.getlist(f"file-{c.key}")
                for c in dossier.procedure_version.components.all()
                if request.FILES.getlist(f"file-{c.key}")
            }
            submission_services.supplement_online(
                dossier=dossier,
                applicant=request.user,
                uploads=uploads,
                note=request.POST.get("note", ""),
                expected_version=expected,
            )
            messages.success(request, "Đã gửi giấy tờ bổ sung; bộ phận một cửa sẽ kiểm tra và tiếp nhận lại.")
        else:
            messages.error(request, "Thao tác không hợp lệ.")
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("submission:detail", code=code)


@login_required
def result_download(request: HttpRequest, code: str) -> FileResponse:
    dossier = submission_selectors.dossier_for_owner(request.user, code)
    result = getattr(dossier, "result", None) if dossier else None
    if result is None or result.returned_at is None or result.return_method != "online":
        raise Http404
    return FileResponse(result.file.open("rb"), as_attachment=True, filename=f"ket-qua-{code}.pdf")


@login_required
def download(request: HttpRequest, code: str, file_id: int) -> FileResponse:
    item = get_object_or_404(StoredFile, pk=file_id, dossier__code=code, dossier__applicant=request.user)
    return FileResponse(
        item.file.open("rb"), as_attachment=True, filename=item.original_name, content_type=item.content_type
    )
