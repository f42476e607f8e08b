"""Pages and endpoints of digital signatures: the public verification page, the RFC 3161 time-stamping
endpoint, CRLs and CA certificates of the platform's own CA, and the officers' batch signing page."""

from __future__ import annotations

import html
from collections.abc import Iterator

from django.conf import settings
from django.contrib import messages
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from egov.accounts.decorators import officer_required
from egov.accounts.models import User
from egov.core.errors import DomainError
from egov.core.untrusted import whole_number
from egov.signing import selectors, services
from egov.signing.certificates import current_crl, load_certificate
from egov.signing.models import CertificateAuthority, Purpose, SignatureRequest, TrustedRoot
from egov.signing.timestamping import active_tsa, respond

TAB_PURPOSE = {"lanh-dao": Purpose.PERSONAL, "van-thu": Purpose.AGENCY}


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Anyone uploads a PDF and reads the report (nothing is stored)."""
    report = None
    name = ""
    if request.method == "POST":
        upload = request.FILES.get("tep")
        if upload is None:
            messages.error(request, "Hãy chọn tệp PDF cần kiểm tra.")
        elif upload.size and upload.size > settings.EGOV_SIGNING_MAX_PDF_MB * 1024 * 1024:
            messages.error(request, f"Tệp lớn hơn {settings.EGOV_SIGNING_MAX_PDF_MB} MB.")
        else:
            name = upload.name or ""
            report = services.verify_pdf(upload.read())
    context = {"report": report, "file_name": name, "roots": list(selectors.trusted_roots())}
    return render(request, "signing/verify.html", context)


@csrf_exempt
@require_POST
def time_stamp(request: HttpRequest) -> HttpResponse:
    """RFC 3161 over HTTP: ``application/timestamp-query`` in, ``application/timestamp-reply`` out."""
    tsa = active_tsa()
    if tsa is None:
        return HttpResponse("Chưa có dịch vụ cấp dấu thời gian.", status=503, content_type="text/plain")
    if request.content_type != "application/timestamp-query":
        return HttpResponse(
            "Cần Content-Type: application/timestamp-query.", status=415, content_type="text/plain"
        )
    return HttpResponse(respond(request.body, tsa), content_type="application/timestamp-reply")


@require_GET
def crl(request: HttpRequest, slug: str) -> HttpResponse:
    authority = get_object_or_404(CertificateAuthority, slug=slug)
    response = HttpResponse(current_crl(authority), content_type="application/pkix-crl")
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _certificate_file(pem_text: str, name: str, *, pem: bool) -> HttpResponse:
    """A certificate to download: PEM (text, what most tools import) or DER (``.cer``, what Windows opens)."""
    if pem:
        response = HttpResponse(pem_text.strip() + "\n", content_type="application/x-pem-file")
        response["Content-Disposition"] = f'attachment; filename="{name}.pem"'
    else:
        response = HttpResponse(load_certificate(pem_text).dump(), content_type="application/pkix-cert")
        response["Content-Disposition"] = f'attachment; filename="{name}.cer"'
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def ca_certificate(request: HttpRequest, slug: str, pem: bool = False) -> HttpResponse:
    authority = get_object_or_404(CertificateAuthority, slug=slug)
    return _certificate_file(authority.certificate_pem, authority.slug, pem=pem)


@require_GET
def trusted_root(request: HttpRequest, pk: int, pem: bool = False) -> HttpResponse:
    """A root the verifier trusts (the demo's root CA among them): installed in a PDF reader, it lets the
    reader show the platform's signatures as valid."""
    root = get_object_or_404(TrustedRoot, pk=pk, is_active=True)
    return _certificate_file(root.certificate_pem, f"chung-thu-goc-{root.fingerprint[:12]}", pem=pem)


@officer_required
def batch(request: HttpRequest) -> HttpResponseBase:
    """Documents waiting for the officer's signature: tick many, enter the PIN once, sign them all."""
    tab = request.GET.get("vai-tro", "lanh-dao")
    purpose = TAB_PURPOSE.get(tab, Purpose.PERSONAL)
    waiting = list(selectors.awaiting(request.user, purpose)[:200])
    if request.method != "POST":
        context = {"tab": tab, "tabs": TAB_PURPOSE, "waiting": waiting}
        return render(request, "signing/batch.html", context)
    chosen_ids = {whole_number(value) for value in request.POST.getlist("yeu-cau")} - {None}
    chosen = [item for item in waiting if item.pk in chosen_ids]
    if not chosen:
        messages.error(request, "Hãy chọn ít nhất một văn bản để ký.")
        return redirect(f"{reverse('signing:batch')}?vai-tro={tab}")
    pin = request.POST.get("pin") or None
    user = request.user
    assert isinstance(user, User)
    start = render_to_string("signing/batch_progress_start.html", {"total": len(chosen)}, request=request)

    def stream() -> Iterator[str]:
        # Each result is sent as soon as that document is signed (no script needed); the PIN stays in memory.
        yield start
        done = failed = 0
        try:
            for item, _batch in services.iter_batch_sign(
                requests=chosen, actor=user, purpose=purpose, pin=pin
            ):
                done, failed = done + item.ok, failed + (not item.ok)
                text = "Đã ký" if item.ok else f"Lỗi: {item.message}"
                yield (
                    f'<li class="{"ok" if item.ok else "danger"}">[{done + failed}/{len(chosen)}] '
                    f"{html.escape(item.request.title)} — {html.escape(text)}</li>\n"
                )
            summary = f"Xong: {done} văn bản đã ký, {failed} văn bản lỗi."
        except DomainError as exc:
            summary = "Không ký được: " + " ".join(exc.messages)
        yield render_to_string(
            "signing/batch_progress_end.html",
            {"summary": summary, "back": f"{reverse('signing:batch')}?vai-tro={tab}"},
        )

    return StreamingHttpResponse(_flush_each(stream()), content_type="text/html; charset=utf-8")


def _flush_each(chunks: Iterator[str]) -> Iterator[bytes]:
    for chunk in chunks:
        yield chunk.encode()


@officer_required
def document(request: HttpRequest, pk: int) -> FileResponse:
    """The current version of a document in the signing flow (original, signed by the leader, released)."""
    found = selectors.visible_request(request.user, pk)
    if found is None:
        raise Http404
    name = f"{found.number_notation or found.pk}.pdf".replace("/", "-")
    return FileResponse(
        services.read_document_stream(found.current_path),
        as_attachment=True,
        filename=name,
        content_type="application/pdf",
    )


__all__ = ["SignatureRequest", "batch", "ca_certificate", "crl", "document", "time_stamp", "verify"]
