"""One structured log line per request, and the guard that refuses input no view can handle."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.datastructures import MultiValueDict

from egov.core.untrusted import BadInput, load_json, text_problem
from egov.core.views import error_response

logger = logging.getLogger("egov.request")


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        if request.path not in ("/healthz", "/readyz") and not request.path.startswith("/static/"):
            logger.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": getattr(getattr(request, "user", None), "pk", None),
                },
            )
        return response


class _ClosingBoundaryWatch:
    """Wraps a request's body stream and notes whether the multipart closing delimiter (``--boundary--``) went
    by. Django's parser stops quietly at the end of a body cut off by a dropped connection or a broken client,
    so without this the view would see fields missing and answer with a misleading message."""

    def __init__(self, stream: Any, boundary: bytes) -> None:
        self._stream = stream
        self._marker = b"--" + boundary + b"--"
        self._tail = b""
        self.closed = False

    def _note(self, chunk: bytes) -> bytes:
        if not self.closed and chunk:
            window = self._tail + chunk
            self.closed = self._marker in window
            self._tail = window[-len(self._marker) :]
        return chunk

    def read(self, *args: Any) -> bytes:
        return self._note(self._stream.read(*args))

    def readline(self, *args: Any) -> bytes:
        return self._note(self._stream.readline(*args))


FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
TOO_LARGE = "Nội dung gửi lên quá lớn: phần chữ (không kể tệp đính kèm) tối đa {mb} MB. Hãy rút gọn nội dung rồi gửi lại."
TRUNCATED = (
    "Nội dung gửi lên bị cắt ngang hoặc không đọc được (multipart/form-data không có phần kết thúc): "
    "kết nối có thể đã bị ngắt giữa chừng. Hãy gửi lại."
)
UNREADABLE = "Nội dung multipart/form-data bị hỏng hoặc không đọc được."


class InputGuardMiddleware:
    """One guard, before any view, for what no view can handle and no database can store: NUL characters and
    lone surrogates in the path, the query string, form fields and their names, and JSON bodies; JSON nested too
    deep or carrying infinite or oversized numbers; bodies over the size limit (413); multipart bodies cut off
    before their end. Each is refused with a Vietnamese 400/413 — JSON under /api/, a page elsewhere — and
    nothing reaches a service. It also answers a 405 in Vietnamese instead of an empty or English body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        response = self.get_response(request)
        if (
            response.status_code == 405
            and not response.streaming
            and response.content in (b"", b"Method not allowed")  # Django's and django-ninja's bare answers
        ):
            allowed = response.get("Allow", "")
            message = f"Địa chỉ này chỉ nhận: {allowed}." if allowed else ""
            response = error_response(request, 405, message)
            if allowed:
                response["Allow"] = allowed
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, BadInput):  # a view parsed something by hand and refused it
            return self._bad(request, exception.message, exception.field)
        return None

    def _bad(self, request: HttpRequest, message: str, field: str = "") -> HttpResponse:
        if field:
            errors = [{"field": field, "message": message}]
            return error_response(request, 400, "Dữ liệu gửi lên không hợp lệ.", errors=errors)
        return error_response(request, 400, message, errors=[])

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        problem = text_problem(request.path_info)
        if problem:
            return self._bad(request, f"Địa chỉ (đường dẫn) không hợp lệ. {problem}")
        found = _first_problem(request.GET)
        if found:
            return self._bad(request, found[1], found[0])
        content_length = request.META.get("CONTENT_LENGTH") or "0"
        if request.method == "POST" and request.content_type in FORM_TYPES:
            return self._form_refusal(request, content_length)
        if content_length not in ("", "0"):
            try:
                body = request.body
            except RequestDataTooBig:
                return self._too_large(request)
            content_type = request.content_type or ""
            if content_type == "application/json" or content_type.endswith("+json"):
                try:
                    load_json(body)
                except BadInput as exc:
                    return self._bad(request, exc.message, exc.field)
        return None

    def _form_refusal(self, request: HttpRequest, content_length: str) -> HttpResponse | None:
        watch = None
        boundary = (request.content_params or {}).get("boundary", "")
        if request.content_type == "multipart/form-data" and boundary and hasattr(request, "_stream"):
            # Django reads the body through request._stream (HttpRequest.read); watching it is the only way to
            # learn whether the parser saw the end of the body.
            watch = _ClosingBoundaryWatch(request._stream, boundary.encode("ascii", "replace"))
            request._stream = watch  # type: ignore[assignment]
        try:
            fields, files = request.POST, request.FILES
        except RequestDataTooBig:
            return self._too_large(request)
        except TooManyFieldsSent:
            return error_response(
                request,
                400,
                f"Quá nhiều trường trong một lần gửi (tối đa {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}).",
            )
        except TooManyFilesSent:
            return error_response(
                request,
                400,
                f"Quá nhiều tệp trong một lần gửi (tối đa {settings.DATA_UPLOAD_MAX_NUMBER_FILES}).",
            )
        except MultiPartParserError:
            return error_response(request, 400, TRUNCATED if watch and not watch.closed else UNREADABLE)
        if watch is not None and not watch.closed and content_length not in ("", "0"):
            return error_response(request, 400, TRUNCATED)
        # File names need no check: Django's parser drops unprintable characters from them.
        found = _first_problem(fields) or _first_problem(files)
        if found:
            return self._bad(request, found[1], found[0])
        return None

    def _too_large(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
        mb = f"{limit / (1024 * 1024):.1f}".rstrip("0").rstrip(".").replace(".", ",")
        return error_response(request, 413, TOO_LARGE.format(mb=mb))


def _first_problem(data: MultiValueDict[str, Any]) -> tuple[str, str] | None:
    """(field, message) for the first key or text value that cannot be stored as text."""
    for key, values in data.lists():
        problem = text_problem(key)
        if problem:
            return ("", f"Tên trường: {problem[0].lower()}{problem[1:]}")
        for value in values:
            problem = text_problem(value) if isinstance(value, str) else None
            if problem:
                return (key, problem)
    return None


class LanguageMiddleware:
    """The page's language: the one the visitor chose with the language switch (Django's ``set_language``
    keeps it in a cookie), else Vietnamese. Unlike Django's LocaleMiddleware the browser's Accept-Language is
    not followed: a government portal answers in the national language until the visitor asks otherwise. URLs
    carry no language prefix, so links and QR codes printed on papers are the same in every language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.codes = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.codes else settings.LANGUAGE_CODE
        if request.path.startswith("/admin/"):
            language = settings.LANGUAGE_CODE  # the administration is in Vietnamese only
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response
