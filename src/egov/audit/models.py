from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """Who did what to which object, when and from where. Rows are only ever added."""

    class Action(models.TextChoices):
        SIGN_IN = "sign_in", "Đăng nhập"
        SIGN_IN_FAILED = "sign_in_failed", "Đăng nhập thất bại"
        SIGN_OUT = "sign_out", "Đăng xuất"
        OTP_ENROLLED = "otp_enrolled", "Đăng ký xác thực hai lớp"
        ROLE_GRANTED = "role_granted", "Cấp vai trò"
        ROLE_REVOKED = "role_revoked", "Thu hồi vai trò"
        ACCOUNT_CREATED = "account_created", "Tạo tài khoản"
        PASSWORD_RESET = "password_reset", "Đặt lại mật khẩu"
        CREATED = "created", "Tạo mới"
        UPDATED = "updated", "Cập nhật"
        REORGANISED = "reorganised", "Sắp xếp đơn vị hành chính"
        IMPORTED = "imported", "Nhập dữ liệu"
        DATA_EXPORTED = "data_exported", "Tải dữ liệu cá nhân"
        ACCOUNT_CLOSED = "account_closed", "Đóng tài khoản"

    at = models.DateTimeField("thời điểm", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người thực hiện",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField("tên người thực hiện", max_length=200, blank=True)
    action = models.CharField("hành động", max_length=40, choices=Action.choices, db_index=True)
    object_type = models.CharField("loại đối tượng", max_length=100, blank=True)
    object_id = models.CharField("mã đối tượng", max_length=64, blank=True)
    object_label = models.CharField("đối tượng", max_length=300, blank=True)
    ip_address = models.GenericIPAddressField("địa chỉ IP", null=True, blank=True)
    data = models.JSONField("chi tiết", default=dict, blank=True)

    class Meta:
        verbose_name = "mục nhật ký"
        verbose_name_plural = "nhật ký kiểm tra"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.get_action_display()} {self.object_label}"
