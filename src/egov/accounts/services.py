"""Every write to accounts, roles and second factors goes through here."""

from __future__ import annotations

import datetime as dt
import secrets
import smtplib
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts import privacy
from egov.accounts.digests import enrolment_token_digest, sign_up_token_digest
from egov.accounts.models import (
    ApiToken,
    CitizenProfile,
    Consent,
    EnrolmentLink,
    OrganisationProfile,
    SignUpRequest,
    StaffAssignment,
    User,
)
from egov.accounts.roles import Role
from egov.accounts.scopes import ensure_can_administer, ensure_can_issue_enrolment_link, forget_assignments
from egov.agencies.models import Agency, Department
from egov.audit.models import AuditEntry
from egov.audit.services import record
from egov.core.errors import DomainError
from egov.core.identifiers import (
    normalize_email,
    normalize_phone,
    validate_personal_id,
    validate_tax_code,
)
from egov.core.site import site_url
from egov.units.models import AdministrativeUnit

COMMUNE_LEVEL_RANK = 3


def _collect(errors: dict[str, list[str]], field: str, func: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return func(*args, **kwargs)
    except ValidationError as exc:
        errors.setdefault(field, []).extend(exc.messages)
        return None


def _check_contact(
    errors: dict[str, list[str]], email: str, phone: str, *, taken: bool = True, email_required: bool = False
) -> tuple[str | None, str | None]:
    """Normalised e-mail and phone. ``taken=False`` leaves out whether another account holds them (the
    sign-up page must not tell)."""
    clean_email = _collect(errors, "email", normalize_email, email) if email.strip() else None
    clean_phone = _collect(errors, "phone", normalize_phone, phone) if phone.strip() else None
    if email_required and not email.strip():
        errors.setdefault("email", []).append(
            "Hãy nhập thư điện tử: đường dẫn kích hoạt tài khoản được gửi tới địa chỉ này."
        )
    elif not email.strip() and not phone.strip():
        errors.setdefault("email", []).append("Cần có thư điện tử hoặc số điện thoại để đăng nhập.")
    if taken and clean_email and User.objects.filter(email=clean_email).exists():
        errors.setdefault("email", []).append("Thư điện tử này đã được dùng cho một tài khoản khác.")
    if taken and clean_phone and User.objects.filter(phone=clean_phone).exists():
        errors.setdefault("phone", []).append("Số điện thoại này đã được dùng cho một tài khoản khác.")
    return clean_email, clean_phone


def _check_address(errors: dict[str, list[str]], unit: AdministrativeUnit | None) -> None:
    if unit is None:
        errors.setdefault("address_unit", []).append("Hãy chọn xã, phường nơi cư trú.")
    elif unit.valid_to is not None or unit.kind.level.rank < 2 or unit.children.current().exists():
        errors.setdefault("address_unit", []).append("Hãy chọn một xã, phường, thị trấn đang có hiệu lực.")


def _new_user(
    *,
    full_name: str,
    email: str | None,
    phone: str | None,
    password: str | None,
    kind: str,
    password_hash: str | None = None,
) -> User:
    user = User(
        username=email or phone or "",
        full_name=" ".join(full_name.split()),
        email=email,
        phone=phone,
        kind=kind,
    )
    if password_hash:
        user.password = password_hash
    elif password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent sign-up with the same e-mail or phone
        raise ValidationError({"email": ["Thư điện tử hoặc số điện thoại đã được dùng."]}) from exc
    return user


def _citizen_errors(
    errors: dict[str, list[str]],
    *,
    full_name: str,
    email: str,
    phone: str,
    password: str,
    personal_id: str,
    date_of_birth: dt.date | None,
    address_unit: AdministrativeUnit | None,
    taken: bool,
) -> dict[str, Any]:
    """Check a citizen's sign-up fields into ``errors``; the normalised values. ``taken=False``: without
    saying whether another account holds the e-mail, phone or CCCD, and with the e-mail required."""
    if not full_name.strip():
        errors["full_name"] = ["Hãy nhập họ và tên."]
    clean_email, clean_phone = _check_contact(errors, email, phone, taken=taken, email_required=not taken)
    clean_id = _collect(errors, "personal_id", validate_personal_id, personal_id, date_of_birth=date_of_birth)
    if taken and clean_id and CitizenProfile.objects.filter(personal_id=clean_id).exists():
        errors.setdefault("personal_id", []).append("Số CCCD này đã được đăng ký tài khoản.")
    if date_of_birth is not None and date_of_birth > dt.date.today():
        errors.setdefault("date_of_birth", []).append("Ngày sinh không thể ở tương lai.")
    _check_address(errors, address_unit)
    probe = User(username=clean_email or clean_phone or "", full_name=full_name, email=clean_email)
    _collect(errors, "password", validate_password, password, probe)
    return {"email": clean_email, "phone": clean_phone, "personal_id": clean_id}


def _create_citizen(
    *,
    full_name: str,
    email: str | None,
    phone: str | None,
    personal_id: str,
    date_of_birth: dt.date,
    address_unit: AdministrativeUnit,
    address_line: str,
    password: str | None = None,
    password_hash: str | None = None,
    request: HttpRequest | None = None,
    audit: dict[str, Any] | None = None,
) -> User:
    with transaction.atomic():
        user = _new_user(
            full_name=full_name,
            email=email,
            phone=phone,
            password=password,
            password_hash=password_hash,
            kind=User.Kind.CITIZEN,
        )
        CitizenProfile.objects.create(
            user=user,
            personal_id=personal_id,
            date_of_birth=date_of_birth,
            address_unit=address_unit,
            address_line=address_line.strip(),
        )
        record(action=AuditEntry.Action.ACCOUNT_CREATED, actor=user, target=user, request=request, data=audit)
    return user


def register_citizen(
    *,
    full_name: str,
    email: str = "",
    phone: str = "",
    password: str,
    personal_id: str,
    date_of_birth: dt.date,
    address_unit: AdministrativeUnit | None,
    address_line: str = "",
    request: HttpRequest | None = None,
) -> User:
    """Create a citizen account with its profile at once, or raise ValidationError keyed by field (in
    Vietnamese). For the operator's tools and the demo; the sign-up page goes through :func:`request_sign_up`."""
    errors: dict[str, list[str]] = {}
    clean = _citizen_errors(
        errors,
        full_name=full_name,
        email=email,
        phone=phone,
        password=password,
        personal_id=personal_id,
        date_of_birth=date_of_birth,
        address_unit=address_unit,
        taken=True,
    )
    if errors:
        raise ValidationError(errors)
    assert address_unit is not None  # _check_address refused a missing unit
    return _create_citizen(
        full_name=full_name,
        email=clean["email"],
        phone=clean["phone"],
        personal_id=clean["personal_id"],
        date_of_birth=date_of_birth,
        address_unit=address_unit,
        address_line=address_line,
        password=password,
        request=request,
    )


def _organisation_errors(
    errors: dict[str, list[str]],
    *,
    name: str,
    tax_code: str,
    representative: str,
    email: str,
    phone: str,
    password: str,
    address_unit: AdministrativeUnit | None,
    taken: bool,
) -> dict[str, Any]:
    if not name.strip():
        errors["name"] = ["Hãy nhập tên tổ chức, doanh nghiệp."]
    if not representative.strip():
        errors["representative"] = ["Hãy nhập họ tên người đại diện theo pháp luật."]
    clean_email, clean_phone = _check_contact(errors, email, phone, taken=taken, email_required=not taken)
    clean_tax = _collect(errors, "tax_code", validate_tax_code, tax_code)
    if taken and clean_tax and OrganisationProfile.objects.filter(tax_code=clean_tax).exists():
        errors.setdefault("tax_code", []).append("Mã số thuế này đã được đăng ký tài khoản.")
    _check_address(errors, address_unit)
    _collect(errors, "password", validate_password, password, User(full_name=name, email=clean_email))
    return {"email": clean_email, "phone": clean_phone, "tax_code": clean_tax}


def _create_organisation(
    *,
    name: str,
    tax_code: str,
    representative: str,
    email: str | None,
    phone: str | None,
    address_unit: AdministrativeUnit,
    address_line: str,
    password: str | None = None,
    password_hash: str | None = None,
    request: HttpRequest | None = None,
    audit: dict[str, Any] | None = None,
) -> User:
    with transaction.atomic():
        user = _new_user(
            full_name=representative,
            email=email,
            phone=phone,
            password=password,
            password_hash=password_hash,
            kind=User.Kind.ORGANISATION,
        )
        OrganisationProfile.objects.create(
            user=user,
            name=" ".join(name.split()),
            tax_code=tax_code,
            representative=" ".join(representative.split()),
            address_unit=address_unit,
            address_line=address_line.strip(),
        )
        record(action=AuditEntry.Action.ACCOUNT_CREATED, actor=user, target=user, request=request, data=audit)
    return user


def register_organisation(
    *,
    name: str,
    tax_code: str,
    representative: str,
    email: str = "",
    phone: str = "",
    password: str,
    address_unit: AdministrativeUnit | None,
    address_line: str = "",
    request: HttpRequest | None = None,
) -> User:
    errors: dict[str, list[str]] = {}
    clean = _organisation_errors(
        errors,
        name=name,
        tax_code=tax_code,
        representative=representative,
        email=email,
        phone=phone,
        password=password,
        address_unit=address_unit,
        taken=True,
    )
    if errors:
        raise ValidationError(errors)
    assert address_unit is not None  # _check_address refused a missing unit
    return _create_organisation(
        name=name,
        tax_code=clean["tax_code"],
        representative=representative,
        email=clean["email"],
        phone=clean["phone"],
        address_unit=address_unit,
        address_line=address_line,
        password=password,
        request=request,
    )


def create_staff_account(
    *,
    actor: Any,
    agency: Agency,
    full_name: str,
    email: str,
    role: Role,
    phone: str = "",
    department: Department | None = None,
    password: str | None = None,
) -> User:
    """An agency administrator creates an officer's account in their own agency, with a first role.
    Without a password the officer sets one through the password-reset e-mail."""
    ensure_can_administer(actor, agency)
    errors: dict[str, list[str]] = {}
    if not full_name.strip():
        errors["full_name"] = ["Hãy nhập họ và tên."]
    if not email.strip():
        errors["email"] = ["Tài khoản cán bộ phải có thư điện tử công vụ."]
    clean_email, clean_phone = _check_contact(errors, email, phone)
    if password:
        _collect(
            errors, "password", validate_password, password, User(full_name=full_name, email=clean_email)
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        user = _new_user(
            full_name=full_name, email=clean_email, phone=clean_phone, password=password, kind=User.Kind.STAFF
        )
        record(
            action=AuditEntry.Action.ACCOUNT_CREATED,
            actor=actor,
            target=user,
            actor_label="" if actor else "hệ thống",
            data={"agency": agency.code},
        )
        grant_role(actor=actor, user=user, agency=agency, role=role, department=department)
    return user


def grant_role(
    *, actor: Any, user: User, agency: Agency, role: Role, department: Department | None = None
) -> StaffAssignment:
    ensure_can_administer(actor, agency)
    if role not in Role.values:
        raise ValidationError({"role": ["Vai trò không hợp lệ."]})
    if user.kind != User.Kind.STAFF:
        raise ValidationError({"user": ["Chỉ tài khoản cán bộ, công chức mới được cấp vai trò."]})
    if agency.valid_to is not None:
        raise ValidationError({"agency": [f"{agency.name} đã hết hiệu lực."]})
    if department is not None and department.agency_id != agency.pk:
        raise ValidationError({"department": [f"Phòng ban “{department.name}” không thuộc {agency.name}."]})
    with transaction.atomic():
        assignment, created = StaffAssignment.objects.get_or_create(
            user=user,
            agency=agency,
            role=role,
            defaults={"department": department, "granted_by": actor if actor is not None else None},
        )
        if created:
            record(
                action=AuditEntry.Action.ROLE_GRANTED,
                actor=actor,
                target=user,
                actor_label="" if actor else "hệ thống",
                data={
                    "agency": agency.code,
                    "role": str(role),
                    "department": department.name if department else None,
                },
            )
    forget_assignments(user)
    return assignment


def revoke_role(*, actor: Any, assignment: StaffAssignment) -> None:
    ensure_can_administer(actor, assignment.agency)
    with transaction.atomic():
        record(
            action=AuditEntry.Action.ROLE_REVOKED,
            actor=actor,
            target=assignment.user,
            data={"agency": assignment.agency.code, "role": assignment.role},
        )
        assignment.delete()
    forget_assignments(assignment.user)


# --- Authenticator apps, through one-time links -----------------------------------------------------------


def issue_enrolment_link(
    *, actor: User | None, officer: User, request: HttpRequest | None = None
) -> tuple[EnrolmentLink, str, bool]:
    """A one-time link (valid ``EGOV_ENROLMENT_LINK_HOURS``) for ``officer`` to add an authenticator app;
    earlier open links of the officer stop working. Returns the link, its address — shown once, never stored —
    and whether it was e-mailed to the officer. ``actor=None`` is the operator's command."""
    ensure_can_issue_enrolment_link(actor, officer)
    if officer.kind != User.Kind.STAFF and not (officer.is_staff or officer.is_superuser):
        raise DomainError("Chỉ tài khoản cán bộ, công chức mới dùng xác thực hai lớp.")
    if not officer.is_active:
        raise DomainError("Tài khoản này đang bị khóa.")
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    hours = settings.EGOV_ENROLMENT_LINK_HOURS
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=officer.pk).first()  # one issuer at a time per officer
        EnrolmentLink.objects.filter(
            user=officer, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ).update(revoked_at=now)
        link = EnrolmentLink.objects.create(
            user=officer,
            issued_by=actor,
            digest=enrolment_token_digest(token),
            expires_at=now + dt.timedelta(hours=hours),
        )
        record(
            action=AuditEntry.Action.CREATED,
            actor=actor,
            actor_label="" if actor else "hệ thống",
            target=officer,
            request=request,
            data={"enrolment_link": link.pk, "expires_at": link.expires_at.isoformat()},
        )
    address = site_url(reverse("accounts:enrolment_link", args=[token]))
    mailed = False
    if officer.email:
        context = {
            "name": officer.full_name,
            "username": officer.username,
            "link": address,
            "hours": hours,
            "issuer": actor.full_name if actor else "quản trị hệ thống",
        }
        subject = " ".join(render_to_string("accounts/email/enrolment_link_subject.txt", context).split())
        try:
            send_mail(
                subject, render_to_string("accounts/email/enrolment_link.txt", context), None, [officer.email]
            )
            mailed = True
        except (smtplib.SMTPException, OSError):
            mailed = False  # the administrator still sees the link once and hands it over
    return link, address, mailed


def revoke_enrolment_link(
    *, actor: User | None, link: EnrolmentLink, request: HttpRequest | None = None
) -> None:
    ensure_can_issue_enrolment_link(actor, link.user)
    with transaction.atomic():
        revoked = EnrolmentLink.objects.filter(
            pk=link.pk, used_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        if not revoked:
            raise DomainError("Đường dẫn này đã được dùng hoặc đã bị thu hồi.")
        record(
            action=AuditEntry.Action.UPDATED,
            actor=actor,
            actor_label="" if actor else "hệ thống",
            target=link.user,
            request=request,
            data={"enrolment_link": link.pk, "revoked": True},
        )


def start_totp_enrollment(*, user: User) -> TOTPDevice:
    """A fresh, unconfirmed authenticator for the officer to scan (replaces an earlier unconfirmed one)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name="Ứng dụng xác thực", confirmed=False)


def confirm_totp_enrollment(
    *, user: User, device: TOTPDevice, token: str, link: EnrolmentLink, request: HttpRequest | None = None
) -> bool:
    """The officer typed the first code of the app they scanned, through a valid link of theirs: the app is
    their authenticator from now on (any earlier one is removed), and the link is used up."""
    if device.user_id != user.pk or device.confirmed or link.user_id != user.pk:
        return False
    if not device.verify_token(token.strip()):
        return False
    with transaction.atomic():
        used = EnrolmentLink.objects.filter(
            pk=link.pk, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        ).update(used_at=timezone.now())
        if not used:
            raise DomainError(
                "Đường dẫn thiết lập đã được dùng, bị thu hồi hoặc hết hạn. Hãy đề nghị quản trị cơ quan cấp "
                "đường dẫn mới."
            )
        replaced = TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()[0]
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record(
            action=AuditEntry.Action.OTP_ENROLLED,
            actor=user,
            target=user,
            request=request,
            data={"enrolment_link": link.pk, "replaced_devices": replaced},
        )
    return True


# --- Sign-up by e-mail confirmation --------------------------------------------------------------------
# The sign-up page answers the same whether or not the e-mail, phone, CCCD or tax code already belongs to an
# account: "a confirmation was sent". What differs is only the e-mail, read by whoever owns the mailbox.

SIGN_UP_MAIL = {
    "confirm": "accounts/email/sign_up_confirm",
    "existing": "accounts/email/sign_up_existing",
    "taken": "accounts/email/sign_up_taken",
}
TAKEN_LABELS = {
    "phone": "số điện thoại",
    "personal_id": "số định danh cá nhân (CCCD)",
    "tax_code": "mã số thuế",
}


def _send_sign_up_mail(kind: str, to: str, context: dict[str, Any]) -> None:
    context = {"site_url": settings.EGOV_SITE_URL, **context}
    subject = " ".join(render_to_string(f"{SIGN_UP_MAIL[kind]}_subject.txt", context).split())
    body = render_to_string(f"{SIGN_UP_MAIL[kind]}.txt", context)
    try:
        send_mail(subject, body, None, [to])
    except (smtplib.SMTPException, OSError) as exc:
        raise DomainError(
            "Chưa gửi được thư tới địa chỉ này. Hãy kiểm tra lại thư điện tử và thử lại sau ít phút."
        ) from exc


def _ending(value: str) -> str:
    return f"…{value[-3:]}"


def sign_up_problems(
    *,
    kind: str,
    email: str,
    phone: str,
    password: str,
    address_unit: AdministrativeUnit | None,
    profile: dict[str, Any],
) -> dict[str, list[str]]:
    """What is wrong with a sign-up, by field, whoever types it (never whether an e-mail, phone, CCCD or tax
    code is already registered). The sign-up page shows these with the form's own errors, so every mistake is
    told at once rather than one round at a time."""
    errors: dict[str, list[str]] = {}
    if kind == User.Kind.ORGANISATION:
        _organisation_errors(
            errors,
            name=profile.get("name") or "",
            tax_code=profile.get("tax_code") or "",
            representative=profile.get("representative") or "",
            email=email,
            phone=phone,
            password=password,
            address_unit=address_unit,
            taken=False,
        )
    else:
        _citizen_errors(
            errors,
            full_name=profile.get("full_name") or "",
            email=email,
            phone=phone,
            password=password,
            personal_id=profile.get("personal_id") or "",
            date_of_birth=profile.get("date_of_birth"),
            address_unit=address_unit,
            taken=False,
        )
    return errors


def request_sign_up(
    *,
    kind: str,
    email: str,
    phone: str = "",
    password: str,
    address_unit: AdministrativeUnit | None,
    address_line: str = "",
    profile: dict[str, Any],
    consent: bool = False,
    request: HttpRequest | None = None,
) -> None:
    """A citizen or organisation asks for an account, having ticked (``consent``) that they agree to the
    privacy notice (NĐ 13/2023): the time and the notice's version are kept and become the account's consent
    record when it is opened. Raises ValidationError (Vietnamese, by field) only for
    input that is wrong whoever types it; otherwise one e-mail goes to ``email``:

    - the address already has an account: "someone tried to sign up with your address" (nothing created);
    - the phone, CCCD or tax code already belongs to an account: why no account can be made, and what to do;
    - else a link (valid ``EGOV_SIGN_UP_CONFIRM_HOURS``) that creates the account when opened.

    Each case does the same work (one password hash, one e-mail), so the answer's timing does not tell either."""
    errors: dict[str, list[str]] = {}
    if kind == User.Kind.ORGANISATION:
        clean = _organisation_errors(
            errors,
            name=profile.get("name", ""),
            tax_code=profile.get("tax_code", ""),
            representative=profile.get("representative", ""),
            email=email,
            phone=phone,
            password=password,
            address_unit=address_unit,
            taken=False,
        )
        stored = {
            "name": " ".join(profile["name"].split()),
            "tax_code": clean["tax_code"],
            "representative": " ".join(profile["representative"].split()),
        }
        held: dict[str, QuerySet[Any]] = {
            "tax_code": OrganisationProfile.objects.filter(tax_code=clean["tax_code"])
        }
    else:
        kind = User.Kind.CITIZEN
        clean = _citizen_errors(
            errors,
            full_name=profile.get("full_name", ""),
            email=email,
            phone=phone,
            password=password,
            personal_id=profile.get("personal_id", ""),
            date_of_birth=profile["date_of_birth"],
            address_unit=address_unit,
            taken=False,
        )
        stored = {
            "full_name": " ".join(profile["full_name"].split()),
            "personal_id": clean["personal_id"],
            "date_of_birth": profile["date_of_birth"].isoformat(),
        }
        held = {"personal_id": CitizenProfile.objects.filter(personal_id=clean["personal_id"])}
    if not consent:
        errors["consent"] = [
            "Hãy đánh dấu ô đồng ý với Thông báo xử lý dữ liệu cá nhân: không có sự đồng ý này, cổng không "
            "được phép lưu thông tin của bạn (Nghị định 13/2023/NĐ-CP)."
        ]
    if errors:
        raise ValidationError(errors)
    assert address_unit is not None  # _check_address refused a missing unit
    clean_email: str = clean["email"]
    clean_phone: str = clean["phone"] or ""
    password_hash = make_password(password)
    owner = User.objects.filter(email=clean_email).first()
    if clean_phone:
        held["phone"] = User.objects.filter(phone=clean_phone)
    taken = [field for field, query in held.items() if query.exists()] if owner is None else []
    name = stored.get("full_name") or stored.get("representative", "")
    if owner is not None:
        _send_sign_up_mail("existing", clean_email, {"name": owner.full_name or name})
        return
    if taken:
        values = {"phone": clean_phone, **stored}
        _send_sign_up_mail(
            "taken",
            clean_email,
            {"name": name, "taken": [(TAKEN_LABELS[f], _ending(str(values[f]))) for f in taken]},
        )
        return
    token = secrets.token_urlsafe(32)
    hours = settings.EGOV_SIGN_UP_CONFIRM_HOURS
    with transaction.atomic():
        SignUpRequest.objects.filter(expires_at__lt=timezone.now()).delete()
        SignUpRequest.objects.create(
            kind=kind,
            email=clean_email,
            phone=clean_phone,
            profile={
                **stored,
                "address_unit": address_unit.pk,
                "address_line": address_line.strip(),
                "consent": {"version": privacy.NOTICE_VERSION, "given_at": timezone.now().isoformat()},
            },
            password=password_hash,
            digest=sign_up_token_digest(token),
            expires_at=timezone.now() + dt.timedelta(hours=hours),
        )
    _send_sign_up_mail(
        "confirm",
        clean_email,
        {"name": name, "hours": hours, "link": site_url(reverse("accounts:sign_up_confirm", args=[token]))},
    )


def confirm_sign_up(*, token: str, request: HttpRequest | None = None) -> User:
    """Open the account a confirmation link stands for (the link works once). Raises DomainError, in
    Vietnamese, when the link is unknown, used or expired, or when what it names was taken meanwhile."""
    problem = ""
    user = None
    with transaction.atomic():
        pending = (
            SignUpRequest.objects.select_for_update()
            .filter(digest=sign_up_token_digest(token), expires_at__gt=timezone.now())
            .first()
        )
        if pending is None:
            raise DomainError(
                "Đường dẫn kích hoạt không đúng, đã được dùng hoặc đã hết hạn. Hãy đăng ký lại."
            )
        data = pending.profile
        unit = AdministrativeUnit.objects.current().filter(pk=data.get("address_unit")).first()
        if User.objects.filter(email=pending.email).exists():
            problem = "Thư điện tử này đã có tài khoản. Hãy đăng nhập, hoặc đặt lại mật khẩu nếu bạn quên."
        elif pending.phone and User.objects.filter(phone=pending.phone).exists():
            problem = (
                "Số điện thoại bạn nhập vừa được dùng cho một tài khoản khác. Hãy đăng ký lại, để trống số điện "
                "thoại hoặc nhập số khác."
            )
        elif (
            pending.kind == User.Kind.CITIZEN
            and CitizenProfile.objects.filter(personal_id=data["personal_id"]).exists()
        ):
            problem = "Số CCCD này vừa được đăng ký cho một tài khoản khác. Hãy liên hệ bộ phận một cửa để được hỗ trợ."
        elif (
            pending.kind == User.Kind.ORGANISATION
            and OrganisationProfile.objects.filter(tax_code=data["tax_code"]).exists()
        ):
            problem = "Mã số thuế này vừa được đăng ký cho một tài khoản khác. Hãy liên hệ bộ phận một cửa."
        elif unit is None:
            problem = "Xã, phường đã chọn không còn hiệu lực. Hãy đăng ký lại và chọn xã, phường hiện nay."
        elif pending.kind == User.Kind.ORGANISATION:
            user = _create_organisation(
                name=data["name"],
                tax_code=data["tax_code"],
                representative=data["representative"],
                email=pending.email,
                phone=pending.phone or None,
                address_unit=unit,
                address_line=data.get("address_line", ""),
                password_hash=pending.password,
                request=request,
                audit={"confirmed_email": True},
            )
        else:
            user = _create_citizen(
                full_name=data["full_name"],
                email=pending.email,
                phone=pending.phone or None,
                personal_id=data["personal_id"],
                date_of_birth=dt.date.fromisoformat(data["date_of_birth"]),
                address_unit=unit,
                address_line=data.get("address_line", ""),
                password_hash=pending.password,
                request=request,
                audit={"confirmed_email": True},
            )
        if user is not None and data.get("consent"):
            Consent.objects.create(
                user=user,
                purpose=privacy.SIGN_UP_PURPOSE,
                notice_version=data["consent"]["version"],
                statement=privacy.SIGN_UP_STATEMENT,
                given_at=dt.datetime.fromisoformat(data["consent"]["given_at"]),
            )
        SignUpRequest.objects.filter(email=pending.email).delete()
    if user is None:
        raise DomainError(problem)
    return user


def close_account(*, user: User, password: str, request: HttpRequest | None = None) -> None:
    """A citizen or organisation closes their own account (NĐ 13/2023, Điều 16: erasure on request). The
    password is asked again. The account can no longer sign in, and what identifies the person on it is
    erased: name, e-mail, phone, the CCCD or tax code and address of the profile, API tokens. Consents stay,
    marked withdrawn, as the proof of what was agreed. Dossiers are not touched: they are archive records kept
    for the period the law sets, with the applicant's details as filed. Officers' accounts are closed by their
    agency's administrator, not here."""
    if user.is_officer:
        raise DomainError("Tài khoản cán bộ do quản trị của cơ quan đóng, không tự đóng tại đây.")
    if not password or not user.check_password(password):
        raise ValidationError({"password": ["Mật khẩu không đúng."]})
    now = timezone.now()
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        kind = locked.kind
        CitizenProfile.objects.filter(user=locked).delete()
        OrganisationProfile.objects.filter(user=locked).delete()
        ApiToken.objects.filter(user=locked).delete()
        if locked.email:
            SignUpRequest.objects.filter(email=locked.email).delete()
        TOTPDevice.objects.filter(user=locked).delete()
        Consent.objects.filter(user=locked, withdrawn_at__isnull=True).update(withdrawn_at=now)
        locked.username = f"da-dong-{locked.pk}"
        locked.full_name = ""
        locked.email = None
        locked.phone = None
        locked.is_active = False
        locked.set_unusable_password()
        locked.save()
        record(
            action=AuditEntry.Action.ACCOUNT_CLOSED,
            actor=user,
            target=locked,
            actor_label=f"tài khoản #{locked.pk}",
            request=request,
            data={"kind": kind},
        )
