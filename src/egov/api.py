"""The platform's HTTP API, /api/v1 (OpenAPI 3 at /api/v1/openapi.json, docs at /api/v1/docs)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from egov.catalog.api import router as catalog_router
from egov.core.api_errors import translate, translate_http_error
from egov.core.untrusted import BadInput, load_json
from egov.dossiers.api import lookup_router
from egov.onestop.api import router as officer_router
from egov.signing.api import router as signing_router
from egov.submission.api import router as dossiers_router
from egov.units.api import router as units_router


class GuardedJsonParser(Parser):
    """Request bodies through :func:`egov.core.untrusted.load_json`: depth, numbers and text limits."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        return load_json(request.body)


api = NinjaAPI(
    title="Nền tảng chính quyền điện tử – API",
    parser=GuardedJsonParser(),
    version="1",
    description="API công khai của cổng dịch vụ công và hệ thống một cửa điện tử. Lỗi trả về tiếng Việt.",
    urls_namespace="api-1",
)
api.add_router("/units", units_router, tags=["Đơn vị hành chính"])
api.add_router("/procedures", catalog_router, tags=["Thủ tục hành chính"])
api.add_router("/dossiers", dossiers_router, tags=["Hồ sơ"])
api.add_router("/lookup", lookup_router, tags=["Tra cứu hồ sơ"])
api.add_router("/officer", officer_router, tags=["Một cửa: cán bộ xử lý hồ sơ"])
api.add_router("/signatures", signing_router, tags=["Chữ ký số"])


@api.exception_handler(NinjaValidationError)
def invalid_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": "Dữ liệu gửi lên không hợp lệ.", "errors": translate(list(exc.errors)), "code": "invalid"},
        status=422,
    )


@api.exception_handler(ValidationError)
def domain_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": " ".join(exc.messages)}, status=400)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Không có quyền truy cập."}, status=403)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Không tìm thấy."}, status=404)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"detail": "Cần khóa API hợp lệ: gửi tiêu đề Authorization: Bearer <khóa>."}, status=401
    )


@api.exception_handler(MultiPartParserError)
def malformed_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    return api.create_response(
        request, {"detail": "Nội dung multipart/form-data bị hỏng hoặc không đọc được."}, status=400
    )


def _bad_input(request: HttpRequest, exc: BadInput) -> HttpResponse:
    if exc.field:
        body = {
            "detail": "Dữ liệu gửi lên không hợp lệ.",
            "errors": [{"field": exc.field, "message": exc.message}],
        }
    else:
        body = {"detail": exc.message, "errors": []}
    return api.create_response(request, body, status=400)


@api.exception_handler(BadInput)
def bad_input(request: HttpRequest, exc: BadInput) -> HttpResponse:
    return _bad_input(request, exc)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # django-ninja words these in English ("Cannot parse request body"); the body parser's own refusal says why.
    if isinstance(exc.__cause__, BadInput):
        return _bad_input(request, exc.__cause__)
    return api.create_response(
        request, {"detail": translate_http_error(exc.status_code, str(exc))}, status=exc.status_code
    )
