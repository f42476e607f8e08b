"""People: staff of agencies, citizens and organisations."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q

from egov.accounts.roles import Role
from egov.agencies.models import Agency, Department
from egov.units.models import AdministrativeUnit


class AccountManager(UserManager["User"]):
    pass


class User(AbstractUser):
    """One account. ``username`` is the normalised sign-in identifier: an e-mail (lower case) or a phone
    number in national form; citizens may sign in with either ``email`` or ``phone``."""

    class Kind(models.TextChoices):
        CITIZEN = "citizen", "Công dân"
        ORGANISATION = "organisation", "Tổ chức, doanh nghiệp"
        STAFF = "staff", "Cán bộ, công chức"

    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    full_name = models.CharField("họ và tên", max_length=150)
    email = models.EmailField("thư điện tử", null=True, blank=True, unique=True)  # type: ignore[assignment]
    phone = models.CharField("số điện thoại", max_length=15, null=True, blank=True, unique=True)
    kind = models.CharField("loại tài khoản", max_length=20, choices=Kind.choices, default=Kind.CITIZEN)

    objects = AccountManager()  # type: ignore[misc]

    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = "tài khoản"
        verbose_name_plural = "tài khoản"

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split()[-1] if self.full_name else self.username

    @property
    def is_officer(self) -> bool:
        return self.kind == self.Kind.STAFF


class CitizenProfile(models.Model):
    user = models.OneToOneField(
        User, verbose_name="tài khoản", on_delete=models.CASCADE, related_name="citizen_profile"
    )
    personal_id = models.CharField("số định danh cá nhân (CCCD)", max_length=12, unique=True)
    date_of_birth = models.DateField("ngày sinh")
    address_line = models.CharField("số nhà, đường, thôn/ấp", max_length=200, blank=True)
    address_unit = models.ForeignKey(
        AdministrativeUnit, verbose_name="xã/phường", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "hồ sơ công dân"
        verbose_name_plural = "hồ sơ công dân"

    def __str__(self) -> str:
        return f"{self.user} ({self.personal_id})"


class OrganisationProfile(models.Model):
    user = models.OneToOneField(
        User, verbose_name="tài khoản", on_delete=models.CASCADE, related_name="organisation_profile"
    )
    name = models.CharField("tên tổ chức, doanh nghiệp", max_length=255)
    tax_code = models.CharField("mã số thuế", max_length=14, unique=True)
    representative = models.CharField("người đại diện theo pháp luật", max_length=150)
    address_line = models.CharField("địa chỉ trụ sở", max_length=200, blank=True)
    address_unit = models.ForeignKey(
        AdministrativeUnit, verbose_name="xã/phường", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "hồ sơ tổ chức"
        verbose_name_plural = "hồ sơ tổ chức"

    def __str__(self) -> str:
        return f"{self.name} (MST {self.tax_code})"


class StaffAssignment(models.Model):
    """A role an officer holds in an agency (and optionally one of its departments)."""

    user = models.ForeignKey(
        User, verbose_name="cán bộ", on_delete=models.CASCADE, related_name="assignments"
    )
    agency = models.ForeignKey(
        Agency, verbose_name="cơ quan", on_delete=models.PROTECT, related_name="assignments"
    )
    department = models.ForeignKey(
        Department,
        verbose_name="phòng ban",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    role = models.CharField("vai trò", max_length=30, choices=Role.choices)
    granted_at = models.DateTimeField("ngày cấp", auto_now_add=True)
    granted_by = models.ForeignKey(
        User, verbose_name="người cấp", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "vai trò cán bộ"
        verbose_name_plural = "vai trò cán bộ"
        constraints = [
            models.UniqueConstraint(fields=["user", "agency", "role"], name="assignment_unique"),
            models.CheckConstraint(condition=~Q(role=""), name="assignment_role_set"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.agency}"


class ApiToken(models.Model):
    """A bearer token for an API client acting as one account. Only a hash is stored; the token is shown once."""

    user = models.ForeignKey(
        User, verbose_name="tài khoản", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("tên ứng dụng", max_length=100)
    prefix = models.CharField("tiền tố", max_length=8, db_index=True)
    digest = models.CharField("mã băm", max_length=64, unique=True)
    created_at = models.DateTimeField("ngày tạo", auto_now_add=True)
    last_used_at = models.DateTimeField("dùng lần cuối", null=True, blank=True)
    revoked_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)

    class Meta:
        verbose_name = "khóa API"
        verbose_name_plural = "khóa API"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class SignUpRequest(models.Model):
    """A sign-up waiting for its e-mail address to be confirmed. No account exists until then, so an address,
    phone number or CCCD typed by someone else holds nothing. Only a hash of the link's token is stored."""

    kind = models.CharField("loại tài khoản", max_length=20, choices=User.Kind.choices)
    email = models.EmailField("thư điện tử", db_index=True)
    phone = models.CharField("số điện thoại", max_length=15, blank=True)
    profile = models.JSONField("thông tin đăng ký", default=dict)
    password = models.CharField("mật khẩu (mã băm)", max_length=128)
    digest = models.CharField("mã băm của đường dẫn", max_length=64, unique=True)
    created_at = models.DateTimeField("ngày gửi", auto_now_add=True)
    expires_at = models.DateTimeField("hết hạn", db_index=True)

    class Meta:
        verbose_name = "yêu cầu đăng ký chờ xác nhận"
        verbose_name_plural = "yêu cầu đăng ký chờ xác nhận"

    def __str__(self) -> str:
        return f"{self.email} ({self.get_kind_display()})"


class EnrolmentLink(models.Model):
    """A one-time link with which an officer adds an authenticator app (the first one, or a new one after a
    lost phone). Issued by an administrator of the officer's agency or a system administrator; a password
    alone never enrols a device. Only a hash of its token is stored."""

    user = models.ForeignKey(
        User, verbose_name="cán bộ", on_delete=models.CASCADE, related_name="enrolment_links"
    )
    issued_by = models.ForeignKey(
        User, verbose_name="người cấp", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    digest = models.CharField("mã băm của đường dẫn", max_length=64, unique=True)
    created_at = models.DateTimeField("ngày cấp", auto_now_add=True)
    expires_at = models.DateTimeField("hết hạn")
    used_at = models.DateTimeField("đã dùng lúc", null=True, blank=True)
    revoked_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)

    class Meta:
        verbose_name = "đường dẫn thiết lập xác thực hai lớp"
        verbose_name_plural = "đường dẫn thiết lập xác thực hai lớp"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%d/%m/%Y %H:%M})"


class Consent(models.Model):
    """Consent a person gave to the processing of their personal data (NĐ 13/2023/NĐ-CP, Điều 11): to which
    version of the privacy notice, for what, and when. Kept after an account is closed, as the proof."""

    user = models.ForeignKey(
        User, verbose_name="tài khoản", on_delete=models.CASCADE, related_name="consents"
    )
    purpose = models.CharField("mục đích", max_length=40)
    notice_version = models.CharField("phiên bản thông báo", max_length=20)
    statement = models.TextField("nội dung đồng ý")
    given_at = models.DateTimeField("thời điểm đồng ý")
    withdrawn_at = models.DateTimeField("thời điểm rút lại", null=True, blank=True)

    class Meta:
        verbose_name = "sự đồng ý xử lý dữ liệu cá nhân"
        verbose_name_plural = "sự đồng ý xử lý dữ liệu cá nhân"
        ordering = ["user", "-given_at"]

    def __str__(self) -> str:
        return f"{self.user} – {self.purpose} v{self.notice_version} ({self.given_at:%d/%m/%Y %H:%M})"
