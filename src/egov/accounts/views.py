"""Sign-in (with a second factor for staff), sign-up, and the officer's desk."""

from __future__ import annotations

import time
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts import desk as desk_panels
from egov.accounts import selectors, services, throttling
from egov.accounts.backends import axes_username
from egov.accounts.decorators import officer_required
from egov.accounts.forms import CitizenSignUpForm, OrganisationSignUpForm, SignInForm, TokenForm
from egov.accounts.models import EnrolmentLink, User
from egov.accounts.scopes import assignments_of, can_issue_enrolment_link, may_manage_authenticators
from egov.accounts.selectors import agency_list
from egov.audit.models import AuditEntry
from egov.audit.services import record
from egov.core import throttle
from egov.units.forms import PICK_ACTION

PENDING_KEY = "egov_pending_sign_in"
ENROLMENT_KEY = "egov_enrolment_link"
PENDING_SECONDS = 300
BACKEND = "egov.accounts.backends.EmailOrPhoneBackend"


def needs_second_factor(user: User) -> bool:
    return user.kind == User.Kind.STAFF or user.is_staff or user.is_superuser


def _next_url(request: HttpRequest, fallback: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, {request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


SIGN_IN_LIMITED = {
    "client": "Máy của bạn đã đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút.",
    "account": (
        "Tài khoản này vừa bị nhập sai mật khẩu nhiều lần. Vì an toàn, trong {minutes} phút tới tài khoản chỉ "
        "đăng nhập được trên máy đã từng đăng nhập. Trên máy này, bạn có thể đặt lại mật khẩu qua thư điện tử "
        "(“Quên mật khẩu?”), rồi đăng nhập ngay."
    ),
}


def _limited(response: HttpResponse, seconds: int) -> HttpResponse:
    response.status_code = 429
    response["Retry-After"] = str(seconds)
    return response


def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = axes_username(request, {"username": form.cleaned_data["username"]})
        wait, why = throttling.sign_in_wait(request, username)
        if wait:
            form.add_error(None, SIGN_IN_LIMITED[why].format(minutes=throttle.minutes(wait)))
            page = render(request, "accounts/sign_in.html", {"form": form, "next": _next_url(request, "")})
            return _limited(page, wait)
        user = authenticate(
            request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
        )
        if isinstance(user, HttpResponse):  # axes answers with its lock-out response
            return user
        if user is None:
            throttling.count_sign_in_failure(request, username)
            form.add_error(None, "Thư điện tử/số điện thoại hoặc mật khẩu không đúng.")
        elif needs_second_factor(user):
            request.session.cycle_key()
            request.session[PENDING_KEY] = {
                "user": user.pk,
                "at": time.time(),
                "next": _next_url(request, reverse("accounts:desk")),
            }
            return redirect("accounts:second_factor")
        else:
            login(request, user, backend=BACKEND)
            response = HttpResponseRedirect(_next_url(request, reverse("portal:home")))
            throttling.remember_browser(request, response, user.username)
            return response
    return render(
        request,
        "accounts/sign_in.html",
        {"form": form, "next": _next_url(request, "")},
        status=400 if form.errors else 200,
    )


def _pending_user(request: HttpRequest) -> tuple[User | None, dict[str, Any]]:
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None, {}
    return User.objects.filter(pk=pending["user"], is_active=True).first(), pending


def _finish_sign_in(request: HttpRequest, user: User, device: TOTPDevice, target: str) -> HttpResponse:
    request.session.pop(PENDING_KEY, None)
    login(request, user, backend=BACKEND)
    otp_login(request, device)
    response = HttpResponseRedirect(target)
    throttling.remember_browser(request, response, user.username)
    return response


def _session_link(request: HttpRequest, user: User) -> EnrolmentLink | None:
    """The enrolment link this browser opened, if it is still open and is ``user``'s."""
    kept = request.session.get(ENROLMENT_KEY) or {}
    if not kept:
        return None
    return selectors.open_enrolment_link(pk=kept.get("link", 0), digest=kept.get("digest", ""), user=user)


def second_factor(request: HttpRequest) -> HttpResponse:
    user, pending = _pending_user(request)
    if user is None:
        messages.info(request, "Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại.")
        return redirect("accounts:login")
    if _session_link(request, user) is not None:
        return redirect("accounts:enroll_second_factor")
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return render(request, "accounts/no_authenticator.html", {"account": user}, status=403)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = throttling.second_factor_wait(request, user.pk)
        if wait:
            form.add_error(None, throttle.too_many_message(wait))
            page = render(request, "accounts/second_factor.html", {"form": form, "account": user})
            return _limited(page, wait)
        device = match_token(user, form.cleaned_data["token"])
        if device is not None:
            return _finish_sign_in(request, user, device, pending["next"])
        throttling.count_second_factor_failure(request, user.pk)
        form.add_error("token", "Mã xác thực không đúng hoặc đã hết hạn. Hãy nhập mã mới trên ứng dụng.")
    return render(
        request,
        "accounts/second_factor.html",
        {"form": form, "account": user},
        status=400 if form.errors else 200,
    )


def enrolment_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link an administrator issued: kept in this browser's session, then the password step, then the
    QR code. The link alone enrols nothing, and neither does the password alone."""
    link = selectors.enrolment_link_for(token)
    if link is None:
        return render(request, "accounts/enrolment_link_invalid.html", status=404)
    request.session[ENROLMENT_KEY] = {"link": link.pk, "digest": link.digest}
    user, _pending = _pending_user(request)
    if user is not None and user.pk == link.user_id:
        return redirect("accounts:enroll_second_factor")
    messages.info(
        request,
        f"Đăng nhập bằng mật khẩu của tài khoản {link.user.username} để thiết lập ứng dụng xác thực hai lớp.",
    )
    return redirect("accounts:login")


def enroll_second_factor(request: HttpRequest) -> HttpResponse:
    user, pending = _pending_user(request)
    if user is None:
        return redirect("accounts:login")
    link = _session_link(request, user)
    if link is None:
        return redirect("accounts:second_factor")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = services.start_totp_enrollment(user=user)
    form = TokenForm(request.POST or None)
    wait = None
    if request.method == "POST" and form.is_valid():
        wait = throttling.second_factor_wait(request, user.pk)
        if wait:
            form.add_error(None, throttle.too_many_message(wait))
        else:
            try:
                confirmed = services.confirm_totp_enrollment(
                    user=user, device=device, token=form.cleaned_data["token"], link=link, request=request
                )
            except ValidationError as exc:
                request.session.pop(ENROLMENT_KEY, None)
                messages.error(request, " ".join(exc.messages))
                return redirect("accounts:second_factor")
            if confirmed:
                request.session.pop(ENROLMENT_KEY, None)
                messages.success(request, "Đã bật xác thực hai lớp cho tài khoản.")
                return _finish_sign_in(request, user, device, pending["next"])
            throttling.count_second_factor_failure(request, user.pk)
            form.add_error(
                "token", "Mã xác thực không đúng. Hãy kiểm tra giờ trên điện thoại và nhập mã mới."
            )
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        "account": user,
        "qr_svg": qr.svg_data_uri(scale=5, dark="#111"),
        "secret": _base32_secret(device),
    }
    page = render(request, "accounts/enroll_second_factor.html", context, status=400 if form.errors else 200)
    return _limited(page, wait) if wait else page


@officer_required
def enrolment_admin(request: HttpRequest) -> HttpResponse:
    """For agency administrators and system administrators: officers' authenticators, links to issue and
    revoke. A new link is shown once, on the answer to the POST that issued it."""
    viewer = request.user
    if not may_manage_authenticators(viewer):
        return render(request, "accounts/enrolment_admin.html", {"forbidden": True}, status=403)
    issued: dict[str, Any] | None = None
    status = 200
    if request.method == "POST":
        officer = get_object_or_404(User, pk=_digits(request.POST.get("officer")))
        try:
            if request.POST.get("action") == "revoke":
                link = get_object_or_404(EnrolmentLink, pk=_digits(request.POST.get("link")), user=officer)
                services.revoke_enrolment_link(actor=viewer, link=link, request=request)  # type: ignore[arg-type]
                messages.success(request, f"Đã thu hồi đường dẫn thiết lập của {officer.full_name}.")
            else:
                link, address, mailed = services.issue_enrolment_link(
                    actor=viewer,  # type: ignore[arg-type]
                    officer=officer,
                    request=request,
                )
                issued = {"officer": officer, "address": address, "mailed": mailed, "link": link}
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            status = 403
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            status = 400
    query = request.GET.get("q", "")[:100]
    officers = selectors.officers_for_enrolment(viewer, query=query)
    for officer in officers:
        officer.may_issue = can_issue_enrolment_link(viewer, officer)  # type: ignore[attr-defined]
    context = {
        "officers": officers,
        "issued": issued,
        "q": query,
        "hours": settings.EGOV_ENROLMENT_LINK_HOURS,
    }
    response = render(request, "accounts/enrolment_admin.html", context, status=status)
    response["Cache-Control"] = "no-store"  # the page may show a link once
    return response


def _digits(value: Any) -> int:
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 19 else 0


def _base32_secret(device: TOTPDevice) -> str:
    import base64

    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


class PasswordReset(auth_views.PasswordResetView):
    """Django's reset; the link in the e-mail is on the site's configured address (EGOV_SITE_URL)."""

    def form_valid(self, form: Any) -> HttpResponse:
        wait = throttle.first_wait(
            throttle.hit(self.request, "password_reset_ip", throttle.client_ip(self.request)),
            throttle.hit(
                self.request, "password_reset_address", throttle.account_key(form.cleaned_data["email"])
            ),
        )
        if wait:
            form.add_error(None, throttle.too_many_message(wait))
            return _limited(self.form_invalid(form), wait)
        self.extra_email_context = {"site_url": settings.EGOV_SITE_URL}
        return super().form_valid(form)


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    """Django's reset, plus an audit entry when the new password is saved."""

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        record(
            action=AuditEntry.Action.PASSWORD_RESET, actor=form.user, target=form.user, request=self.request
        )
        throttling.remember_browser(self.request, response, form.user.username)  # the mailbox was proven
        return response


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, "Bạn đã đăng xuất.")
    return redirect("portal:home")


def locked_out(
    request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    response = render(request, "accounts/locked_out.html", status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME * 3600))
    return response


SIGN_UP_SENT_KEY = "egov_sign_up_sent"


def _sign_up_wait(request: HttpRequest, data: dict[str, Any]) -> int | None:
    """Sign-up requests per client, and per e-mail, phone, CCCD or tax code typed (no mailbox is flooded,
    no number is probed at length)."""
    addresses = [data.get(f, "") for f in ("email", "phone", "personal_id", "tax_code")]
    return throttle.first_wait(
        throttle.hit(request, "sign_up_ip", throttle.client_ip(request)),
        *(throttle.hit(request, "sign_up_address", throttle.account_key(str(a))) for a in addresses if a),
    )


def _add_errors(form: Any, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for field, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


def _add_missing_errors(form: Any, organisation: bool) -> None:
    """The service's checks for the fields the form itself found nothing wrong with (a CCCD that does not
    match the birth year, a password too easy to guess, …), so the page tells every mistake at once."""
    data = {name: form.cleaned_data.get(name) for name in form.fields}
    raw = {name: (form.data.get(name) or "").strip() for name in form.fields}
    keys = ("name", "tax_code", "representative") if organisation else ("full_name", "personal_id")
    profile = {k: data.get(k) or raw.get(k, "") for k in keys}
    if not organisation:
        profile["date_of_birth"] = data.get("date_of_birth")
    problems = services.sign_up_problems(
        kind=User.Kind.ORGANISATION if organisation else User.Kind.CITIZEN,
        email=raw.get("email", ""),
        phone=raw.get("phone", ""),
        password=form.data.get("password") or "",
        address_unit=data.get("address_unit"),
        profile=profile,
    )
    for field, errors in problems.items():
        if field in form.fields and field not in form.errors and not (field == "password" and not raw[field]):
            for error in errors:
                form.add_error(field, error)


def sign_up(request: HttpRequest) -> HttpResponse:
    """Whatever was typed, a valid form gets the same answer: "we sent you an e-mail". Whether the e-mail,
    phone or CCCD already has an account is said only in that e-mail (services.request_sign_up)."""
    kind = request.GET.get("loai") or request.POST.get("loai") or "cong-dan"
    form_class = OrganisationSignUpForm if kind == "to-chuc" else CitizenSignUpForm
    if request.method == "POST" and request.POST.get("action", "").startswith(PICK_ACTION):
        # Without JavaScript: a province was chosen ("Chọn"); draw the form again with its communes.
        form = form_class(initial=request.POST.dict())
        return render(request, "accounts/sign_up.html", {"form": form, "kind": kind})
    form = form_class(request.POST or None)
    if request.method == "POST" and not form.is_valid():
        _add_missing_errors(form, form_class is OrganisationSignUpForm)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        wait = _sign_up_wait(request, data)
        if wait:
            form.add_error(None, throttle.too_many_message(wait))
            page = render(request, "accounts/sign_up.html", {"form": form, "kind": kind})
            return _limited(page, wait)
        if form_class is OrganisationSignUpForm:
            account_kind = User.Kind.ORGANISATION
            profile = {k: data[k] for k in ("name", "tax_code", "representative")}
        else:
            account_kind = User.Kind.CITIZEN
            profile = {k: data[k] for k in ("full_name", "personal_id", "date_of_birth")}
        try:
            services.request_sign_up(
                kind=account_kind,
                email=data["email"],
                phone=data["phone"],
                password=data["password"],
                address_unit=data["address_unit"],
                address_line=data["address_line"],
                profile=profile,
                consent=data["consent"],
                request=request,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            request.session[SIGN_UP_SENT_KEY] = data["email"].strip()
            return redirect("accounts:sign_up_sent")
    return render(
        request, "accounts/sign_up.html", {"form": form, "kind": kind}, status=400 if form.errors else 200
    )


def sign_up_sent(request: HttpRequest) -> HttpResponse:
    context = {
        "email": request.session.get(SIGN_UP_SENT_KEY, ""),
        "hours": settings.EGOV_SIGN_UP_CONFIRM_HOURS,
    }
    return render(request, "accounts/sign_up_sent.html", context)


def sign_up_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the e-mail: a page with one button (mail scanners that open links do not create accounts)."""
    pending = selectors.pending_sign_up(token)
    if pending is None:
        return render(request, "accounts/sign_up_confirm.html", {"pending": None}, status=404)
    if request.method == "POST":
        try:
            user = services.confirm_sign_up(token=token, request=request)
        except ValidationError as exc:
            context = {"pending": pending, "problem": " ".join(exc.messages)}
            return render(request, "accounts/sign_up_confirm.html", context, status=409)
        login(request, user, backend=BACKEND)
        request.session.pop(SIGN_UP_SENT_KEY, None)
        messages.success(request, "Đã kích hoạt tài khoản. Chào mừng bạn đến Cổng dịch vụ công!")
        response = redirect("portal:home")
        throttling.remember_browser(request, response, user.username)
        return response
    return render(request, "accounts/sign_up_confirm.html", {"pending": pending})


@officer_required
def desk(request: HttpRequest) -> HttpResponse:
    """The officer's start page: what waits for them (the panels the apps above register, see
    :mod:`egov.accounts.desk`), then their roles and the agencies within their reach."""
    assignments = assignments_of(request.user)
    context = {
        "panels": desk_panels.panels(request),
        "assignments": assignments,
        "agencies": agency_list(viewer=request.user)[:500],
        "may_manage_authenticators": may_manage_authenticators(request.user),
    }
    return render(request, "accounts/desk.html", context)
