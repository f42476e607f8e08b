"""Liveness and readiness probes for load balancers and orchestrators, and the error answers of the whole
site: a Vietnamese page on the portal, Vietnamese JSON under /api/."""

from __future__ import annotations

import logging
from typing import Any

from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and answering."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """The process can serve traffic: the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return JsonResponse({"status": "unavailable", "database": str(exc.__class__.__name__)}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


# --- Error answers (handler400/403/404/500 in egov.urls, and the input guard in egov.core.middleware) -------

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"

TITLES = {
    400: "Yêu cầu không hợp lệ",
    403: "Không có quyền truy cập",
    404: "Không tìm thấy trang",
    405: "Thao tác không được hỗ trợ",
    413: "Nội dung gửi lên quá lớn",
}
MESSAGES = {
    400: "Trình duyệt hoặc ứng dụng đã gửi một yêu cầu mà hệ thống không đọc được.",
    403: "Tài khoản của bạn không có quyền xem trang này hoặc thực hiện thao tác này.",
    404: "Địa chỉ này không có trên cổng, hoặc trang đã được chuyển đi. Hãy kiểm tra lại đường dẫn.",
    405: "Địa chỉ này không nhận thao tác bạn vừa gửi.",
    413: "Nội dung gửi lên vượt quá giới hạn cho phép.",
}
API_MESSAGES = {
    400: "Yêu cầu không hợp lệ.",
    403: "Không có quyền truy cập.",
    404: "Không tìm thấy.",
    405: "Phương thức HTTP này không được hỗ trợ ở địa chỉ này.",
}
SERVER_ERROR = (
    "Hệ thống đang gặp sự cố nên chưa thực hiện được yêu cầu của bạn; dữ liệu đã gửi chưa được ghi nhận. "
    "Xin thử lại sau ít phút. Nếu vẫn lỗi, hãy liên hệ bộ phận hỗ trợ của cổng dịch vụ công."
)
# Served when even the 500 template cannot be rendered (a broken template, a missing static manifest).
SERVER_ERROR_HTML = (
    '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Lỗi hệ thống</title></head><body>'
    f'<main><h1>Lỗi hệ thống</h1><p>{SERVER_ERROR}</p><p><a href="/">Về trang chủ</a></p></main></body></html>'
)


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def error_response(
    request: HttpRequest,
    status: int,
    message: str = "",
    *,
    errors: list[dict[str, str]] | None = None,
    title: str = "",
) -> HttpResponse:
    """The answer to a request the site refuses: ``{"detail", "errors"}`` under /api/, else a page in the
    portal's layout (403.html, 404.html, or 400.html for every other 4xx)."""
    if is_api(request):
        body: dict[str, Any] = {"detail": message or API_MESSAGES.get(status, "Yêu cầu không hợp lệ.")}
        if errors is not None:
            body["errors"] = errors
        return JsonResponse(body, status=status)
    template = f"{status}.html" if status in (403, 404) else "400.html"
    context = {
        "title": title or TITLES.get(status, TITLES[400]),
        "message": message or MESSAGES.get(status, MESSAGES[400]),
        "errors": errors or [],
    }
    return render(request, template, context, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    # SuspiciousOperation and its kin (a forged host, too many fields): their text is English and for logs.
    return error_response(request, 400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    # The platform's own refusals (ScopeDenied, the decorators) carry a Vietnamese message meant for the user.
    return error_response(request, 403, str(exception))


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_response(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the database, the session or context processors: any of them may be what failed."""
    if is_api(request):
        return JsonResponse({"detail": SERVER_ERROR}, status=500)
    try:
        html = loader.get_template("500.html").render({"message": SERVER_ERROR})
    except Exception:
        logger.exception("the 500 page could not be rendered")
        html = SERVER_ERROR_HTML
    return HttpResponseServerError(html)
