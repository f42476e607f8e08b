"""Every write to accounts, roles and second factors goes through here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.accounts.models import CitizenProfile, OrganisationProfile, StaffAssignment, User
from egov.accounts.roles import Role
from egov.accounts.scopes import ensure_can_administer, forget_assignments
from egov.agencies.models import Agency, Department
from egov.audit.models import AuditEntry
from egov.audit.services import record
from egov.core.identifiers import (
    normalize_email,
    normalize_phone,
    validate_personal_id,
    validate_tax_code,
)
from egov.units.models import AdministrativeUnit

COMMUNE_LEVEL_RANK = 3


def _collect(errors: dict[str, list[str]], field: str, func: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return func(*args, **kwargs)
    except ValidationError as exc:
        errors.setdefault(field, []).extend(exc.messages)
        return None


def _check_contact(errors: dict[str, list[str]], email: str, phone: str) -> tuple[str | None, str | None]:
    clean_email = _collect(errors, "email", normalize_email, email) if email.strip() else None
    clean_phone = _collect(errors, "phone", normalize_phone, phone) if phone.strip() else None
    if not email.strip() and not phone.strip():
        errors.setdefault("email", []).append("Cần có thư điện tử hoặc số điện thoại để đăng nhập.")
    if clean_email and User.objects.filter(email=clean_email).exists():
        errors.setdefault("email", []).append("Thư điện tử này đã được dùng cho một tài khoản khác.")
    if clean_phone and User.objects.filter(phone=clean_phone).exists():
        errors.setdefault("phone", []).append("Số điện thoại này đã được dùng cho một tài khoản khác.")
    return clean_email, clean_phone


def _check_address(errors: dict[str, list[str]], unit: AdministrativeUnit | None) -> None:
    if unit is None:
        errors.setdefault("address_unit", []).append("Hãy chọn xã, phường nơi cư trú.")
    elif unit.valid_to is not None or unit.kind.level.rank < 2 or unit.children.current().exists():
        errors.setdefault("address_unit", []).append("Hãy chọn một xã, phường, thị trấn đang có hiệu lực.")


def _new_user(
    *, full_name: str, email: str | None, phone: str | None, password: str | None, kind: str
) -> User:
    user = User(
        username=email or phone or "",
        full_name=" ".join(full_name.split()),
        email=email,
        phone=phone,
        kind=kind,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent sign-up with the same e-mail or phone
        raise ValidationError({"email": ["Thư điện tử hoặc số điện thoại đã được dùng."]}) from exc
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
    """Create a citizen account with its profile, or raise ValidationError keyed by field (in Vietnamese)."""
    errors: dict[str, list[str]] = {}
    if not full_name.strip():
        errors["full_name"] = ["Hãy nhập họ và tên."]
    clean_email, clean_phone = _check_contact(errors, email, phone)
    clean_id = _collect(errors, "personal_id", validate_personal_id, personal_id, date_of_birth=date_of_birth)
    if clean_id and CitizenProfile.objects.filter(personal_id=clean_id).exists():
        errors.setdefault("personal_id", []).append("Số CCCD này đã được đăng ký tài khoản.")
    if date_of_birth > dt.date.today():
        errors.setdefault("date_of_birth", []).append("Ngày sinh không thể ở tương lai.")
    _check_address(errors, address_unit)
    probe = User(username=clean_email or clean_phone or "", full_name=full_name, email=clean_email)
    _collect(errors, "password", validate_password, password, probe)
    if errors:
        raise ValidationError(errors)
    assert address_unit is not None  # _check_address refused a missing unit
    with transaction.atomic():
        user = _new_user(
            full_name=full_name,
            email=clean_email,
            phone=clean_phone,
            password=password,
            kind=User.Kind.CITIZEN,
        )
        CitizenProfile.objects.create(
            user=user,
            personal_id=clean_id,
            date_of_birth=date_of_birth,
            address_unit=address_unit,
            address_line=address_line.strip(),
        )
        record(action=AuditEntry.Action.ACCOUNT_CREATED, actor=user, target=user, request=request)
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
    if not name.strip():
        errors["name"] = ["Hãy nhập tên tổ chức, doanh nghiệp."]
    if not representative.strip():
        errors["representative"] = ["Hãy nhập họ tên người đại diện theo pháp luật."]
    clean_email, clean_phone = _check_contact(errors, email, phone)
    clean_tax = _collect(errors, "tax_code", validate_tax_code, tax_code)
    if clean_tax and OrganisationProfile.objects.filter(tax_code=clean_tax).exists():
        errors.setdefault("tax_code", []).append("Mã số thuế này đã được đăng ký tài khoản.")
    _check_address(errors, address_unit)
    _collect(errors, "password", validate_password, password, User(full_name=name, email=clean_email))
    if errors:
        raise ValidationError(errors)
    assert address_unit is not None  # _check_address refused a missing unit
    with transaction.atomic():
        user = _new_user(
            full_name=representative,
            email=clean_email,
            phone=clean_phone,
            password=password,
            kind=User.Kind.ORGANISATION,
        )
        OrganisationProfile.objects.create(
            user=user,
            name=" ".join(name.split()),
            tax_code=clean_tax,
            representative=" ".join(representative.split()),
            address_unit=address_unit,
            address_line=address_line.strip(),
        )
        record(action=AuditEntry.Action.ACCOUNT_CREATED, actor=user, target=user, request=request)
    return user


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


def start_totp_enrollment(*, user: User) -> TOTPDevice:
    """A fresh, unconfirmed authenticator for the officer to scan (replaces an earlier unconfirmed one)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name="Ứng dụng xác thực", confirmed=False)


def confirm_totp_enrollment(
    *, user: User, device: TOTPDevice, token: str, request: HttpRequest | None = None
) -> bool:
    if device.user_id != user.pk or device.confirmed:
        return False
    if not device.verify_token(token.strip()):
        return False
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record(action=AuditEntry.Action.OTP_ENROLLED, actor=user, target=user, request=request)
    return True
