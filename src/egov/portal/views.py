from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import select_template
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from egov.accounts import privacy
from egov.accounts.models import User
from egov.agencies.selectors import desks_by_area
from egov.audit.models import AuditEntry
from egov.audit.services import record
from egov.core.errors import DomainError
from egov.portal import personal_data, selectors, services
from egov.units.selectors import home_province


def home(request: HttpRequest) -> HttpResponse:
    unit = home_province()
    return render(request, "portal/home.html", {"desk_groups": desks_by_area(unit) if unit else []})


def _in_language(request: HttpRequest, name: str, context: dict[str, object]) -> HttpResponse:
    """A page of long text with one template per language (``portal/privacy.en.html``), Vietnamese the rest."""
    template = select_template([f"portal/{name}.{get_language()}.html", f"portal/{name}.html"])
    return HttpResponse(template.render(context, request))


def help_page(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/help.html", {"topics": selectors.help_topics()})


def contact(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/contact.html", {"desk_groups": selectors.desks_with_hours()})


def accessibility(request: HttpRequest) -> HttpResponse:
    return _in_language(request, "accessibility", {})


def privacy_notice(request: HttpRequest) -> HttpResponse:
    context = {"version": privacy.NOTICE_VERSION, "published": privacy.NOTICE_PUBLISHED}
    return _in_language(request, "privacy", context)


def _citizen(request: HttpRequest) -> User:
    """The signed-in citizen or organisation; officers have no page of this kind (their agency manages them)."""
    user = request.user
    if not isinstance(user, User) or user.is_officer:
        raise PermissionDenied(_("Trang này dành cho công dân, tổ chức có tài khoản trên cổng."))
    return user


def _my_data_context(user: User) -> dict[str, object]:
    return {
        "consents": selectors.consents_of(user),
        "dossier_count": personal_data.dossier_count(user),
        "notice_version": privacy.NOTICE_VERSION,
    }


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/my_data.html", _my_data_context(_citizen(request)))


@login_required
def my_data_download(request: HttpRequest, kind: str) -> HttpResponse:
    user = _citizen(request)
    if kind not in ("json", "zip"):
        raise Http404
    if kind == "zip":
        body, content_type, name = personal_data.export_zip(user), "application/zip", "du-lieu-cua-toi.zip"
    else:
        body, content_type = personal_data.export_json(user), "application/json; charset=utf-8"
        name = "du-lieu-cua-toi.json"
    record(
        action=AuditEntry.Action.DATA_EXPORTED, actor=user, target=user, request=request, data={"kind": kind}
    )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def close_account(request: HttpRequest) -> HttpResponse:
    user = _citizen(request)
    try:
        services.close_own_account(user=user, password=request.POST.get("password", ""), request=request)
    except (ValidationError, DomainError) as exc:
        context = {**_my_data_context(user), "close_error": " ".join(exc.messages)}
        return render(request, "portal/my_data.html", context, status=400)
    logout(request)
    messages.success(
        request,
        _(
            "Tài khoản đã được đóng và thông tin định danh đã được xóa. Hồ sơ bạn đã nộp được lưu trữ theo quy "
            "định; cần hỗ trợ, hãy liên hệ bộ phận một cửa."
        ),
    )
    return redirect("portal:home")
